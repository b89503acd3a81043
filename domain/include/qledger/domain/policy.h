// Policy: every number the scoring rules use (SPEC §2), adopted into the
// ledger by a policy.adopted event (SPEC §3).
#ifndef QLEDGER_DOMAIN_POLICY_H_
#define QLEDGER_DOMAIN_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "qledger/domain/decimal.h"
#include "qledger/domain/event.h"
#include "qledger/domain/period.h"
#include "qledger/domain/status.h"
#include "qledger/domain/time_zone.h"

namespace qledger::domain {

struct Department {
  std::string code;
  std::string name;
};

// The department of `departments` that text names by its code (in any
// ASCII case) or its Chinese name, as people type one (SPEC §1: "every input
// accepts each"); nullptr if none.
const Department* FindDepartmentByCodeOrName(const std::vector<Department>& departments, std::string_view text);

struct SpotTier {
  std::optional<Decimal> max_difference;  // nullopt: no upper bound
  Decimal deduction;
};

struct Policy {
  std::vector<Department> departments;
  int64_t weight_selfcheck = 0;  // basis points
  int64_t weight_survey = 0;
  int64_t weight_complaint = 0;
  std::vector<SpotTier> spotcheck_tiers;  // ascending by max_difference
  Decimal survey_full_marks_from;
  Decimal complaint_deduction;
  Decimal callback_min;
  Decimal callback_max;
  Decimal qualified;          // the grade line (95)
  Decimal reward_per_point;   // yuan per point above the line
  Decimal penalty_per_point;  // yuan per point below the line
  Decimal penalty_floor;      // totals below count as this for the penalty
  Decimal annual_quota;       // yuan a year for rewards and expenses
  // The company's time zone (SPEC §1), a zone of the tz database; optional
  // in the policy object, Asia/Shanghai when absent.
  std::string time_zone = "Asia/Shanghai";

  const Department* FindDepartment(std::string_view code) const;
  // Deduction for a spot-check difference d >= 0 (0 for d == 0).
  Decimal SpotDeduction(Decimal d) const;
  Decimal LargestSpotDeduction() const;
  // time_zone, loaded (ParsePolicy checked that it loads).
  TimeZone Zone() const;
};

// Parses and validates a policy object strictly: every field required,
// unknown fields rejected, decimals as strings, weights as integers. Error
// messages name the field ("policy.weights.survey: ...").
// `stored`: a policy the ledger adopted already, read under the rules it was
// accepted by; the rules added since (no two departments of one name,
// selfcheck and complaint weights not both 0, no text of only white space)
// apply to a new policy only, so that a ledger of an earlier release opens.
Result<Policy> ParsePolicy(const boost::json::value& v, bool stored = false);

// A policy as adopted into the ledger.
struct AdoptedPolicy {
  int64_t seq = 0;
  int64_t version = 0;
  Quarter effective_from;
  Policy policy;
};

// The policy a stored policy.adopted event adopts. Fails with DataLoss naming
// the event when its stored policy does not parse.
// REQUIRES: e.type == EventType::kPolicyAdopted and e was normalised.
Result<AdoptedPolicy> AdoptedPolicyOf(const Event& e);

// Every policy.adopted among `events` (seq order) with seq <= point whose id
// is not in `without`, in seq order.
Result<std::vector<AdoptedPolicy>> AdoptedPolicies(const std::vector<Event>& events, int64_t point,
                                                   const std::vector<std::string>& without);

// The policy in force for quarter q: the latest adopted (highest seq, among
// those with seq <= as_of_seq) whose effective_from is not after q; nullptr
// if none. `adopted` is in seq order.
const AdoptedPolicy* PolicyFor(const std::vector<AdoptedPolicy>& adopted, const Quarter& q,
                               int64_t as_of_seq);

// The time zone a quarter's times are read in (SPEC §1, §3): that of the
// policy in force for it; else (no quarter, or none in force) the latest
// adopted policy's; the default (Asia/Shanghai) before any policy.
// `adopted` is in seq order.
TimeZone ZoneFor(const std::vector<AdoptedPolicy>& adopted, const std::optional<Quarter>& quarter);

// The department that `text` names among the policies `adopted` (seq order):
// its code in any case, or its name. A name is read as the policy in force
// for `quarter` (when there is one) names it; else it is the one department
// any of them gave that name — of several, the one the quarter's policy
// has. nullopt if it names none; then `ambiguous`, if given, holds the
// codes of the departments the name was given to when there are several.
std::optional<std::string> DepartmentCodeOf(const std::vector<AdoptedPolicy>& adopted,
                                            const std::optional<Quarter>& quarter, std::string_view text,
                                            std::vector<std::string>* ambiguous = nullptr);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_POLICY_H_
