// Projection snapshots: the fold of one department's quarter at a seq
// (domain::FoldState), kept beside the events as a disposable cache, so that
// a score need not fold its quarter from the first event. Never hashed into
// the chain or the tree; never trusted: a snapshot is used only when every
// check of its header passes, and `verify` re-derives each from the events.
//
// The bytes (docs/design.md §3):
//
//   magic "QLSNAPST" (8) | format version (u32 BE) | fold version (u32 BE,
//   domain::kFoldVersion) | seq (u64 BE) | hash of event seq (32 raw) |
//   SHA-256 of the state (32) | the state: a cereal portable binary archive
//
// When they are made: at each quarter.approved, for every department of the
// quarter (the published scores), and every kSnapshotInterval events, for
// every (quarter, department) with events since its last snapshot. Each
// folds on from the one before it.
#ifndef QLEDGER_APP_SNAPSHOT_H_
#define QLEDGER_APP_SNAPSHOT_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/domain/period.h"
#include "qledger/domain/replay.h"
#include "qledger/domain/status.h"
#include "qledger/storage/event_store.h"

namespace qledger::app {

constexpr uint32_t kSnapshotFormat = 1;
constexpr int64_t kSnapshotInterval = 10000;

// event_hash: the hex hash of the event at s.seq.
std::string EncodeSnapshot(const domain::FoldState& s, const std::string& event_hash);

// The state, once the bytes pass every check against the key's seq and
// the ledger's hash of the event at that seq; else kDataLoss naming the
// check that failed.
domain::Result<domain::FoldState> DecodeSnapshot(std::string_view bytes, int64_t seq, const std::string& event_hash);

// What the snapshots did in this process, for /metrics.
struct SnapshotStats {
  std::atomic<uint64_t> hits{0};      // a replay started from a snapshot
  std::atomic<uint64_t> misses{0};    // a replay that could have, found none valid
  std::atomic<uint64_t> rejected{0};  // snapshots that failed a check and were passed over
};
SnapshotStats& Snapshots();

// The newest valid snapshot of (q, department) at or before max_seq. One
// that fails a check is logged (a warning) and the one before it tried.
domain::Result<std::optional<domain::FoldState>> NewestSnapshot(const storage::EventStore& store,
                                                                const domain::Quarter& q,
                                                                const std::string& department, int64_t max_seq);

// Writer: saves the snapshots that the events after seq `after` call for
// (with find_approvals, those of the approvals among them). How many.
domain::Result<int64_t> SaveSnapshots(storage::EventStore& writer, int64_t after, bool find_approvals,
                                      int64_t interval = kSnapshotInterval);

// Writer: saves a snapshot at each of `points` (ascending), of every
// (quarter, department) with events since its last snapshot. How many.
domain::Result<int64_t> SaveSnapshotsAt(storage::EventStore& writer, const std::vector<int64_t>& points);

// Whether an append that moved the head from `before` to `after` calls for
// snapshots (an approval among its events, or a multiple of the interval
// crossed).
bool SnapshotsDue(int64_t before, int64_t after, bool has_approval, int64_t interval = kSnapshotInterval);

// verify: every stored snapshot re-derived from the events.
struct SnapshotCheck {
  int64_t checked = 0;
  std::string problem;  // "" when each one matches; else the first that does not
};
domain::Result<SnapshotCheck> CheckSnapshots(const storage::EventStore& store);

}  // namespace qledger::app

#endif  // QLEDGER_APP_SNAPSHOT_H_
