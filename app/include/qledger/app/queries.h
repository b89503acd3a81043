// The use cases the CLI (tools/) and the HTTP API (server/) share, each one
// function with typed parameters and a typed result, so that both front
// ends answer every question with the same figures and the same errors.
// The front ends only parse their syntax into these parameters, call, and
// render (json_mapping.h, report_render.h). views.h holds the larger views
// (complaint register, reward/penalty ledger, quarterly report).
//
// Parameters arrive as the user typed them (a quarter as "2026Q3", a point
// in history as "214", "2026-09-30" or "approved"): resolving them is part of
// the use case, so that the error for a bad value is the same everywhere.
// Errors: kInvalidArgument names the parameter ("as-of: ...", "quarter:
// ..."); kNotFound for what the ledger does not hold; kDataLoss for stored
// data that does not read back.
#ifndef QLEDGER_APP_QUERIES_H_
#define QLEDGER_APP_QUERIES_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/diff.h"
#include "qledger/domain/lang.h"
#include "qledger/domain/policy.h"
#include "qledger/domain/scoring.h"
#include "qledger/storage/event_store.h"

namespace qledger::app {

using domain::Result;
using domain::Status;

// --- Resolving what the user typed ------------------------------------------

// A point of replay as the user wrote it: a seq ("42") or a date/date-time
// (read in the ledger's time zone, or the quarter's when the question is
// about one). Empty means the head. Fails with InvalidArgument naming the
// value when it is malformed, before the first event, or beyond the head.
Result<int64_t> ResolvePoint(const storage::EventStore& store, const std::string& as_of,
                             const std::optional<domain::Quarter>& quarter = std::nullopt);

// As ResolvePoint for quarter q, and "approved" means the quarter's latest
// approval event (NotFound if it was never approved): "what was published".
Result<int64_t> ResolveQuarterPoint(const storage::EventStore& store, const domain::Quarter& q, const std::string& as_of);

// Parses "2026Q3", failing with InvalidArgument naming the value.
Result<domain::Quarter> ResolveQuarter(const std::string& text);

// Every department of every adopted policy (departments can be retired),
// in the order the policies list them.
Result<std::vector<domain::Department>> KnownDepartments(const storage::EventStore& store);

// The code of the department a user named — its code in any case, or its
// Chinese name ("储运中心") — among the departments of every adopted
// policy; "" stays "" (no department). A name is read as the policy in
// force for `quarter` (when the question is about one) names it, else as
// the one department any adopted policy gave that name (a renamed
// department answers to its old and its new name); a name given to more
// than one department must be typed as the code. Unknown: a Status of code
// `unknown` (kNotFound for the department a question is about,
// kInvalidArgument for a filter) naming the parameter and listing the
// departments.
Result<std::string> ResolveDepartment(const storage::EventStore& store, const std::string& text,
                                      domain::StatusCode unknown,
                                      const std::optional<domain::Quarter>& quarter = std::nullopt);

// Checks that every --without id names an event in the ledger.
Status CheckWithout(const storage::EventStore& store, const std::vector<std::string>& without);

// The point of replay and the events left out of a question about quarter
// q: as_of is "" (the head), a seq, a date or date-time (docs/api.md), or
// "approved" (the approval in force); every id in without must name an
// event of the ledger (kNotFound otherwise).
Result<domain::ReplayOptions> ResolveReplayOptions(const storage::EventStore& store, const domain::Quarter& q,
                                                   const std::string& as_of, const std::vector<std::string>& without);

// What the store holds, read back: a quarter of its index, a decimal field
// of a stored event. kDataLoss naming the value when it does not parse (the
// store was written by a validating writer, so it is damage), never a
// default.
Result<domain::Quarter> StoredQuarter(const std::string& text);
Result<domain::Decimal> StoredDecimal(const domain::Event& e, const char* key);

// --- The head, the policy, the departments, the quarters --------------------

// The head is storage::Head (seq, hash, recorded_at); store.head() answers it.

// Every policy.adopted event of the ledger, in seq order.
Result<std::vector<domain::Event>> AdoptedPolicyEvents(const storage::EventStore& store);

// The ledger's time zone: the latest adopted policy's (SPEC §1), the
// default (Asia/Shanghai) before any policy. For what a display shows.
Result<domain::TimeZone> LedgerTimeZone(const storage::EventStore& store);

// A quarter's time zone: that of the policy in force for it (SPEC §3: a
// quarter goes by its policy), else the ledger's. For the times of its
// facts, and a point in history asked about it.
Result<domain::TimeZone> QuarterTimeZone(const storage::EventStore& store, const domain::Quarter& q);

// The policy in force for quarter q as of seq `point` (0: the head).
// kNotFound if none.
Result<domain::AdoptedPolicy> PolicyInForce(const storage::EventStore& store, const domain::Quarter& q,
                                            int64_t point = 0);

struct PolicyQuery {
  std::string quarter;  // "" = the latest adopted policy
};

// A policy.adopted event as adopted: the stored policy object as it was
// written (the document, not a model of it), and its departments.
struct PolicyView {
  int64_t seq = 0;
  std::string id;
  int64_t version = 0;
  std::string effective_from;
  boost::json::object policy;
  std::vector<domain::Department> departments;
};

// The policy in force for query.quarter at the head, or the latest adopted.
// kNotFound for an empty ledger or a quarter no policy covers.
Result<PolicyView> SelectPolicy(const storage::EventStore& store, const PolicyQuery& query);

struct QuarterSummary {
  std::string quarter;
  domain::QuarterStatus status = domain::QuarterStatus::kOpen;
  int64_t approved_seq = 0;  // the approval in force, when approved
};

// Every quarter with events, ascending, with its status at the head.
Result<std::vector<QuarterSummary>> ListQuarters(const storage::EventStore& store);

// --- Scores, derivations, diffs ---------------------------------------------

// A quarter in which nothing at all was recorded — by `point`, when it is
// before the head — is not assessed (SPEC §1): kNotFound naming the quarters
// that exist. Never a table of zeros.
Status CheckAssessed(const storage::EventStore& store, const domain::Quarter& q, int64_t point);

// Every department's score for a quarter (the departments of the policy in
// force), in policy order, with as_of_hash filled in. kNotFound for a
// quarter that is not assessed (CheckAssessed).
Result<std::vector<domain::Score>> ScoreQuarter(const storage::EventStore& store, const domain::Quarter& q,
                                                const domain::ReplayOptions& options);

// One department's derivation, with as_of_hash filled in. kNotFound for a
// quarter that is not assessed.
Result<domain::Derivation> DeriveDepartment(const storage::EventStore& store, const domain::Quarter& q,
                                            const std::string& department, const domain::ReplayOptions& options);

// `qledger scores` and GET /v1/quarters/{q}/scores.
struct ScoresQuery {
  std::string quarter;
  std::string as_of;
  std::vector<std::string> without;
  domain::Lang lang = domain::Lang::kZh;  // of the sentences and warnings
};
Result<std::vector<domain::Score>> Scores(const storage::EventStore& store, const ScoresQuery& query);

// `qledger replay` and GET /v1/quarters/{q}/departments/{d}.
struct ReplayQuery {
  std::string quarter;
  std::string department;
  std::string as_of;
  std::vector<std::string> without;
  domain::Lang lang = domain::Lang::kZh;  // of the sentences and warnings
};
Result<domain::Derivation> Replay(const storage::EventStore& store, const ReplayQuery& query);

// `qledger diff`: one department between two points (from, to as in
// ResolveQuarterPoint; to "" = the head). kInvalidArgument when to is
// before from; errors of a point are prefixed "from: " or "to: ".
struct DiffQuery {
  std::string quarter;
  std::string department;
  std::string from;
  std::string to;
  std::vector<std::string> without;
  domain::Lang lang = domain::Lang::kZh;  // of the sentences and warnings
};
Result<domain::ScoreDiff> Diff(const storage::EventStore& store, const DiffQuery& query);

// --- The event listing ------------------------------------------------------

// Which events a listing (`qledger log`, /v1/events) shows.
struct EventFilter {
  std::optional<domain::EventType> type;
  std::string department;                // "" = every department
  std::optional<domain::Quarter> quarter;
  bool Matches(const domain::Event& e) const;
};
// The filter of a listing from its parameters ("" = no filter for that
// one); kInvalidArgument naming the parameter for an unknown type, a
// malformed quarter, or a department of no adopted policy.
Result<EventFilter> ResolveEventFilter(const storage::EventStore& store, const std::string& type,
                                       const std::string& department, const std::string& quarter);

// A listing's parameters as typed: after and limit as strings ("" = not
// given), so that both front ends refuse the same values with the same
// message. The front end sets how a listing pages: a default and a maximum
// limit (0 = none) and how many events one call examines (0 = no bound).
struct EventQuery {
  std::string type;
  std::string department;
  std::string quarter;
  std::string after;        // events with seq > after; "" = from the first
  std::string limit;        // at most this many; "" = default_limit
  int64_t default_limit = 0;
  int64_t max_limit = 0;
  int64_t scan_budget = 0;
};

struct EventPage {
  int64_t taken = 0;
  // Where the next page starts (pass it as `after`), or nullopt when the
  // listing reached the head.
  std::optional<int64_t> next_after;
};

// Calls emit for each event after query.after that the filter matches, in
// seq order, stopping at the limit or the scan budget. kInvalidArgument
// naming the parameter for an after or limit that is not a count, a limit
// below 1 or above max_limit, or a filter ResolveEventFilter refuses.
Result<EventPage> ListEvents(const storage::EventStore& store, const EventQuery& query,
                             const std::function<void(const domain::Event&)>& emit);

// One event by its seq as typed ("42"). kInvalidArgument when it is not a
// non-negative integer, kNotFound outside 1..head.
Result<domain::Event> EventAt(const storage::EventStore& store, const std::string& seq);

// A count parameter as typed ("100"): kInvalidArgument naming it unless it
// is a non-negative integer of at most 18 digits.
Result<int64_t> ParseCount(const std::string& name, const std::string& text);

}  // namespace qledger::app

#endif  // QLEDGER_APP_QUERIES_H_
