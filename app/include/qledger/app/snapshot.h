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
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/domain/hash_chain.h"
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

// Every stored snapshot re-derived from its department's events, read
// through the index one department at a time. `verify` uses
// SnapshotPassCheck below, which must agree with this.
struct SnapshotCheck {
  int64_t checked = 0;
  std::string problem;  // "" when each one matches; else the first that does not
};
domain::Result<SnapshotCheck> CheckSnapshots(const storage::EventStore& store);

// The same check in the pass that verifies the chain (`verify`), without
// reading the events again: each event, as the pass reads it, is folded
// into the state of the (quarter, department) it belongs to — a void into
// its target's — if a stored snapshot of that department is still ahead,
// and each snapshot's encoding is compared with a digest of its stored
// bytes when the pass reaches its seq (the bytes are read again only to say
// what differs). Memory: a digest a snapshot, and the states of the
// departments with a snapshot ahead. The same verdict as CheckSnapshots
// (the first problem in key order).
//
//   SnapshotPassCheck check(store);
//   store.Verify([&](const Event& e, const std::string& hash) { check.Add(e, hash); });
//   check.Finish() -> SnapshotCheck
class SnapshotPassCheck {
 public:
  explicit SnapshotPassCheck(const storage::EventStore& store);
  SnapshotPassCheck(const SnapshotPassCheck&) = delete;
  SnapshotPassCheck& operator=(const SnapshotPassCheck&) = delete;
  // In seq order, every event of the ledger with its hash.
  void Add(const domain::Event& e, const std::string& hash);
  // After the last event: what was found (a read failure as a status).
  domain::Result<SnapshotCheck> Finish();

 private:
  struct Department {
    domain::Quarter quarter;
    std::string quarter_text, department;
    bool names_no_quarter = false;             // told as a problem; nothing of it checked
    std::vector<int64_t> seqs;                 // of its snapshots, ascending
    std::vector<domain::Digest128> digests;    // of their stored bytes
    size_t next = 0;                           // seqs[next] is the next snapshot to check
    std::unique_ptr<domain::FoldState> state;  // made at its first event
  };
  void Fold(Department& d, const domain::Event& e, const domain::Event* target);
  void Found(const std::string& quarter, const std::string& department, int64_t seq, std::string problem);

  const storage::EventStore& store_;
  domain::Status failed_ = domain::Status::Ok();
  int64_t checked_ = 0;
  // "quarter/department" -> its state, while a snapshot of it is ahead.
  std::map<std::string, Department> ahead_;
  // seq -> the departments with a snapshot there.
  std::map<int64_t, std::vector<Department*>> due_;
  // The first problem in key order: its stored key, and what.
  std::string problem_key_;
  std::string problem_;
};

}  // namespace qledger::app

#endif  // QLEDGER_APP_SNAPSHOT_H_
