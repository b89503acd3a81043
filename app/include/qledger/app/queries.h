// Queries over a ledger shared by the CLI and the HTTP server, so that both
// answer with the same figures and the same JSON.
#ifndef QLEDGER_APP_QUERIES_H_
#define QLEDGER_APP_QUERIES_H_

#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/scoring.h"
#include "qledger/storage/event_store.h"

namespace qledger::app {

using domain::Result;
using domain::Status;

// A point of replay as the user wrote it: a seq ("42") or a date/date-time.
// Empty means the head. Fails with InvalidArgument naming the value when it
// is malformed, before the first event, or beyond the head.
Result<int64_t> ResolvePoint(const storage::EventStore& store, const std::string& as_of);

// As ResolvePoint, and "approved" means the quarter's latest approval event
// (NotFound if it was never approved): "what was published".
Result<int64_t> ResolveQuarterPoint(const storage::EventStore& store, const domain::Quarter& q, const std::string& as_of);

// Parses "2026Q3", failing with InvalidArgument naming the value.
Result<domain::Quarter> ResolveQuarter(const std::string& text);

// Checks that every --without id names an event in the ledger.
Status CheckWithout(const storage::EventStore& store, const std::vector<std::string>& without);

// One department's derivation, with as_of_hash filled in.
Result<domain::Derivation> DeriveDepartment(const storage::EventStore& store, const domain::Quarter& q,
                                            const std::string& department, const domain::ReplayOptions& options);

// Every department's score for a quarter (the departments of the policy in
// force), in policy order, with as_of_hash filled in.
Result<std::vector<domain::Score>> ScoreQuarter(const storage::EventStore& store, const domain::Quarter& q,
                                                const domain::ReplayOptions& options);

// The point of replay and the events left out of a question about quarter
// q, as both front ends take them (--as-of/--without, ?as_of=&without=):
// as_of is "" (the head), a seq, a date or date-time (docs/api.md), or
// "approved" (the approval in force); every id in without must name an
// event of the ledger (kNotFound otherwise).
Result<domain::ReplayOptions> ResolveReplayOptions(const storage::EventStore& store, const domain::Quarter& q,
                                                   const std::string& as_of, const std::vector<std::string>& without);

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

// Every policy.adopted event of the ledger, in seq order.
Result<std::vector<domain::Event>> AdoptedPolicyEvents(const storage::EventStore& store);

struct QuarterSummary {
  std::string quarter;
  domain::QuarterStatus status = domain::QuarterStatus::kOpen;
  int64_t approved_seq = 0;  // the approval in force, when approved
};

// Every quarter with events, ascending, with its status at the head.
Result<std::vector<QuarterSummary>> ListQuarters(const storage::EventStore& store);

}  // namespace qledger::app

#endif  // QLEDGER_APP_QUERIES_H_
