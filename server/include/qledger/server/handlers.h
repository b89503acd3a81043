// The endpoints of SPEC §6, each a function of the ledger and the request
// target: no socket, no clock, no cache (the Router adds those). Each
// returns a 200 JSON response or a problem (http_errors.h) saying what in
// the request was wrong.
//
// REQUIRES for each: the target matched the handler's route pattern, so the
// path segments are where the pattern puts them.
#ifndef QLEDGER_SERVER_HANDLERS_H_
#define QLEDGER_SERVER_HANDLERS_H_

#include <cstdint>

#include "qledger/server/message.h"
#include "qledger/server/target.h"

namespace qledger::storage {
class EventStore;
}

namespace qledger::server::handlers {

// Events examined at most by one /v1/events request; the cursor continues.
constexpr int64_t kEventScanBudget = 100000;
constexpr int64_t kDefaultEventLimit = 100;
constexpr int64_t kMaxEventLimit = 1000;

Response Head(const storage::EventStore& store, const Target& t);         // /v1/head
Response Policy(const storage::EventStore& store, const Target& t);       // /v1/policy[?quarter=]
Response Departments(const storage::EventStore& store, const Target& t);  // /v1/departments[?quarter=]
Response Quarters(const storage::EventStore& store, const Target& t);     // /v1/quarters
Response Scores(const storage::EventStore& store, const Target& t);       // /v1/quarters/{q}/scores
Response Department(const storage::EventStore& store, const Target& t);   // /v1/quarters/{q}/departments/{d}
Response Events(const storage::EventStore& store, const Target& t);       // /v1/events
Response Event(const storage::EventStore& store, const Target& t);        // /v1/events/{seq}
Response Ledger(const storage::EventStore& store, const Target& t);       // /v1/ledger[?year=&department=]
Response Complaints(const storage::EventStore& store, const Target& t);   // /v1/complaints[?quarter=&department=]
// /v1/quarters/{q}/report[?as_of=&format=json|html|md|csv]
Response Report(const storage::EventStore& store, const Target& t);

// The transparency log (docs/verification.md §8–§10). Served uncached: a
// cosignature changes a checkpoint without changing the head.
Response Checkpoint(const storage::EventStore& store, const Target& t);    // /v1/checkpoint (text/plain)
Response Checkpoints(const storage::EventStore& store, const Target& t);   // /v1/checkpoints[?quarter=]
Response InclusionProof(const storage::EventStore& store, const Target& t);    // /v1/proofs/inclusion?id=|seq=[&size=]
Response ConsistencyProof(const storage::EventStore& store, const Target& t);  // /v1/proofs/consistency?from=[&to=]

}  // namespace qledger::server::handlers

#endif  // QLEDGER_SERVER_HANDLERS_H_
