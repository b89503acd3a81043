// Scoring (SPEC §2): a fold of one department's events in one quarter into
// state, and a function from that state and a policy to a Score. Pure: no
// I/O, no clock, no globals.
#ifndef QLEDGER_DOMAIN_SCORING_H_
#define QLEDGER_DOMAIN_SCORING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "qledger/domain/batch.h"
#include "qledger/domain/decimal.h"
#include "qledger/domain/event.h"
#include "qledger/domain/policy.h"

namespace qledger::domain {

struct MonthLine {
  std::string month;
  std::optional<Decimal> self;
  std::optional<Decimal> spot;
  Decimal deduction;
};

struct Score {
  std::string quarter;
  std::string department;
  std::string name;
  QuarterStatus status = QuarterStatus::kOpen;
  int64_t as_of_seq = 0;
  std::string as_of_hash;
  int64_t policy_version = 0;

  struct {
    Decimal score;
    std::optional<Decimal> average;
    Decimal deductions;
    std::vector<MonthLine> months;
    bool present = false;
  } selfcheck;
  struct {
    std::optional<Decimal> score;
    int64_t responses = 0;
    int64_t counted_as_100 = 0;
    bool present = false;
  } survey;
  struct {
    Decimal score;
    int64_t valid_complaints = 0;
    Decimal direct_deductions;
  } complaint;

  Decimal weighted;
  Decimal callback_deductions;
  Decimal adjustments;  // committee adjustments to the total
  Decimal total;
  std::string grade;    // excellent / qualified / unqualified
  Decimal amount;       // yuan; reward positive, penalty negative
  std::vector<std::string> warnings;
};

// The score JSON of SPEC §6 (decimals as strings).
boost::json::object ScoreToJson(const Score& s);

// Grade and signed amount for a total under a policy (第十三条, 第十四条).
void GradeAndAmount(const Policy& policy, Decimal total, std::string* grade, Decimal* amount);

// The live facts of one department in one quarter.
// Thread-compatible: no internal synchronisation.
class DepartmentQuarter {
 public:
  DepartmentQuarter() = default;

  // Applies an event of this department and quarter. Returns what it
  // changed, in words (for the derivation trace).
  std::string Apply(const Event& e);
  // The same; sets *change to the words unless change is nullptr (a fold
  // that needs no trace, such as a full rebuild, skips building them).
  void Apply(const Event& e, std::string* change);

  // Takes back the effect of the event `target_id` (entry.voided).
  // Returns what that changed, or "" when the target is not one of ours.
  std::string Void(const std::string& target_id);

  bool Owns(const std::string& id) const { return kinds_.count(id) > 0; }

  // Fills the component, total, grade and amount fields of *out.
  void Compute(const Policy& policy, const Quarter& q, Score* out) const;

 private:
  struct Ruling {
    std::string id;
    std::string outcome;  // upheld / voided / rescored; for complaints "valid"/"invalid"
    Decimal score;
  };
  struct Response {
    Decimal score;
    std::vector<Ruling> rulings;  // in seq order
    int disputes = 0;
  };
  struct Complaint {
    std::vector<Ruling> rulings;
  };
  struct Adjustment {
    std::string component;
    Decimal points;
  };

  std::map<std::string, std::pair<std::string, Decimal>> self_;  // month -> (id, score)
  std::map<std::string, std::pair<std::string, Decimal>> spot_;
  // By id. Hash maps: Compute only sums and counts over them (exact
  // decimals, so the order does not matter), and a fold of the whole ledger
  // inserts every fact here.
  std::unordered_map<std::string, Response> responses_;
  std::unordered_map<std::string, Complaint> complaints_;
  std::unordered_map<std::string, Decimal> direct_;
  std::unordered_map<std::string, Decimal> callbacks_;
  std::unordered_map<std::string, Adjustment> adjustments_;
  // Every event id applied here -> the id it hangs on (the response or
  // complaint for rulings and disputes; "" for facts, which hang on
  // themselves), so that a void finds it.
  std::unordered_map<std::string, std::pair<EventType, std::string>> kinds_;
};

// One step of a derivation: an event, what it changed, and the running
// values after it.
struct Step {
  int64_t seq = 0;
  std::string id;
  EventType type = EventType::kPolicyAdopted;
  std::string occurred_at;
  std::string actor;
  std::string change;
  bool left_out = false;  // excluded by --without (hypothetical)
  std::optional<Decimal> selfcheck;
  std::optional<Decimal> survey;
  Decimal complaint;
  Decimal weighted;
  Decimal callback_deductions;
  Decimal adjustments;
  Decimal total;
};

struct Derivation {
  Score score;
  std::vector<Step> steps;
  std::vector<std::string> without;  // ids left out: non-empty means hypothetical
  bool hypothetical() const { return !without.empty(); }
};

// What a replay reads: the events that can touch (quarter, department), in
// seq order — its facts, voids that target them, the quarter's approvals and
// reopenings, and every policy.adopted — and the ledger head.
struct ReplayInput {
  Quarter quarter;
  std::string department;
  std::vector<Event> events;
  int64_t head_seq = 0;
};

struct ReplayOptions {
  std::optional<int64_t> as_of_seq;   // nullopt: the head
  std::vector<std::string> without;   // ids to leave out (what-if)
};

// Where a replay of `input.quarter` stands: the point of replay (the
// as-of or the head; for an approved quarter its approval event, SPEC §5),
// the quarter's status there, and the policy in force at that point.
struct ReplayPoint {
  int64_t seq = 0;
  QuarterStatus status = QuarterStatus::kOpen;
  AdoptedPolicy policy;
};

// Fails with NotFound when no policy is in force for the quarter. Needs of
// `input.events` only the quarter's approvals/reopenings and the policies.
Result<ReplayPoint> ResolveReplayPoint(const ReplayInput& input, const ReplayOptions& options);

// Replays the events up to the point of replay and derives the score. For an
// approved quarter the point is the approval event (the published scores).
// Fails with NotFound when no policy is in force or the department is not in
// it. as_of_hash is left empty for the caller (it knows the chain).
Result<Derivation> Derive(const ReplayInput& input, const ReplayOptions& options);

// The status of a quarter after the approvals/reopenings among `events`
// (seq order) with seq <= point; *approved_seq is set to the approval in
// force when approved.
QuarterStatus StatusAt(const std::vector<Event>& events, const Quarter& q, int64_t point,
                       const std::vector<std::string>& without, int64_t* approved_seq);

boost::json::object DerivationToJson(const Derivation& d);
std::string DerivationToText(const Derivation& d);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_SCORING_H_
