// Replay (SPEC §5): what a question about one department's quarter reads,
// the point in history it is answered at (an as-of, the head, or for an
// approved quarter its approval event), and the derivation — the fold of
// fold.h run over the events up to that point, step by step, optionally
// leaving events out (what-if). Pure: the events come from the caller.
#ifndef QLEDGER_DOMAIN_REPLAY_H_
#define QLEDGER_DOMAIN_REPLAY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/batch.h"  // QuarterStatus
#include "qledger/domain/decimal.h"
#include "qledger/domain/event.h"
#include "qledger/domain/fold.h"
#include "qledger/domain/lang.h"
#include "qledger/domain/period.h"
#include "qledger/domain/policy.h"
#include "qledger/domain/score.h"
#include "qledger/domain/status.h"

namespace qledger::domain {

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
  // false before the department's first fact of the quarter: there is no
  // running total yet, and the figures below are not shown.
  bool running = false;
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
  // false: the score only, without the steps and their sentences (a
  // quarter's table needs no trace; the score is the same).
  bool trace = true;
  // The language of the steps' sentences and of the score's warnings.
  Lang lang = Lang::kEn;
};

// Where a replay of `input.quarter` stands: the point of replay (the
// as-of or the head; for an approved quarter its approval event, SPEC §5),
// the quarter's status there, and the policy in force at that point.
struct ReplayPoint {
  int64_t seq = 0;
  QuarterStatus status = QuarterStatus::kOpen;
  AdoptedPolicy policy;
};

// The fold of one department's quarter up to a seq, with nothing left out
// and no trace: what a projection snapshot holds (app/snapshot.h).
struct FoldState {
  int64_t seq = 0;        // the events up to here are folded
  DepartmentQuarter state;
  bool any_fact = false;  // one of the department's facts has been applied
};

// `start` (moved from; nullptr: the empty state at seq 0) folded on over the
// events of `input` after start->seq up to and including `to`.
FoldState FoldTo(const ReplayInput& input, int64_t to, FoldState* start);

// FoldTo one event at a time, as a pass over the chain reads them: applies
// e to *state (unless it is folded already) exactly as FoldTo of an input
// holding e — and, for a void, its target, which FoldTo looks up when the
// department no longer holds it — up to e.seq would.
void FoldEvent(const Quarter& quarter, const std::string& department, const Event& e, const Event* target,
               FoldState* state);

// Fails with NotFound when no policy is in force for the quarter. Needs of
// `input.events` only the quarter's approvals/reopenings and the policies.
Result<ReplayPoint> ResolveReplayPoint(const ReplayInput& input, const ReplayOptions& options);

// Replays the events up to the point of replay and derives the score. For an
// approved quarter the point is the approval event (the published scores).
// Fails with NotFound when no policy is in force or the department is not in
// it. as_of_hash is left empty for the caller (it knows the chain).
//
// With `start` (moved from), the fold begins from that state and folds only
// the events after start->seq: for a score without trace and with nothing
// left out, whose point of replay is at or after start->seq (the caller
// checks); the answer is the same as without it.
Result<Derivation> Derive(const ReplayInput& input, const ReplayOptions& options, FoldState* start = nullptr);

// The status of a quarter after the approvals/reopenings among `events`
// (seq order) with seq <= point; *approved_seq is set to the approval in
// force when approved.
QuarterStatus StatusAt(const std::vector<Event>& events, const Quarter& q, int64_t point,
                       const std::vector<std::string>& without, int64_t* approved_seq);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_REPLAY_H_
