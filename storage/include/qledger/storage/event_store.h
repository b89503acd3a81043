// EventStore: the append-only, hash-chained ledger of events in RocksDB.
//
// What it promises:
//  * seq runs 1, 2, 3… without gaps; each event's hash chains to the
//    previous one (SPEC §5).
//  * Append validates the whole batch (domain::PlanBatch) and writes it in one
//    synced RocksDB write batch: all of it is durable before Append returns
//    OK, or none of it is written.
//  * One writer at a time: a second writer waits (bounded) for the lock and
//    then fails with kUnavailable ("ledger busy").
//  * Readers (read-only, or a follower that catches up with the writer)
//    never write.
//  * Every open (and every follower catch-up) runs the open checks of
//    docs/recovery.md first and fails with kDataLoss naming the damage: the
//    head record must name a stored event with its hash, and the store must
//    hold every event the writer acknowledged (QLEDGER-HEAD, written after
//    each synced append). A writer's open runs them on a read-only view
//    before RocksDB's recovery writes anything.
//
// Thread safety: a store may be read from several threads at once; Append
// and CatchUp require external synchronisation.
#ifndef QLEDGER_STORAGE_EVENT_STORE_H_
#define QLEDGER_STORAGE_EVENT_STORE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/domain/batch.h"
#include "qledger/domain/event.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/scoring.h"
#include "qledger/domain/status.h"

namespace qledger::storage {

using domain::Result;
using domain::Status;

struct Head {
  int64_t seq = 0;           // 0 for an empty ledger
  std::string hash;          // 64 hex; "" for an empty ledger
  std::string recorded_at;   // of the head event
};

struct AppendOptions {
  std::optional<int64_t> expect_head;  // refuse (kAborted) unless the head is this seq
  bool dry_run = false;                // validate everything, write nothing
  std::string now;                     // recorded_at override for tests; "" = the clock
  // Test hook: told "writing" just before the batch goes to RocksDB and
  // "written" once RocksDB has synced it, so that a crash test can tell
  // where its kill landed. Empty outside tests.
  std::function<void(std::string_view stage)> observe;
};

// The inputs of a streamed batch, one at a time: fills *next and returns
// true, or returns false after the last.
using InputStream = std::function<Result<bool>(domain::InputEvent* next)>;

struct AppendOutcome {
  int64_t appended = 0;     // written (or, on a dry run, that would be)
  int64_t duplicates = 0;   // already in the ledger with identical content
  Head head;                // after the append
  std::vector<domain::BatchError> errors;  // non-empty: nothing was written
};

struct VerifyReport {
  int64_t events = 0;
  Head head;
  std::optional<int64_t> bad_seq;  // the first event that does not verify
  std::string problem;             // why
  // When the chain verifies: the first index entry that does not follow
  // from the events ("" if none). Scores are read through the indexes.
  std::string index_problem;
  // How the indexes were compared (docs/verification.md): by digest, or,
  // when the digests differ or the ledger is unusual, entry by entry, which
  // names the entry. The same verdict either way.
  int64_t index_entries = 0;  // stored index entries matched by digest
  bool index_exact = false;   // the entry-by-entry comparison ran
  bool ok() const { return !bad_seq && index_problem.empty(); }
};

// A projection snapshot as stored (EventStore::PutSnapshots).
struct SnapshotRecord {
  std::string quarter;     // "2026Q3"
  std::string department;  // "storage"
  int64_t seq = 0;         // the events up to here are folded in it
  std::string bytes;       // app/snapshot.h's encoding
};

class EventStore {
 public:
  virtual ~EventStore() = default;
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Creates an empty ledger in dir. Fails with kAlreadyExists if dir holds one.
  static Result<std::unique_ptr<EventStore>> Create(const std::string& dir);
  // Opens for appending; waits up to `busy_wait` for another writer to finish.
  static Result<std::unique_ptr<EventStore>> OpenWriter(const std::string& dir,
                                                        std::chrono::milliseconds busy_wait);
  // Appends batch to the ledger in dir as a one-shot writer (the CLI) does:
  // plans it on a read-only view first, so that a dry run, a rejected batch
  // or one with nothing new opens nothing for writing; only with something
  // to write does it check the free space, take the writer lock (waiting up
  // to busy_wait) and write, planning again under the lock only if the head
  // moved meanwhile. Fails as OpenReader/OpenWriter and Append do.
  static Result<AppendOutcome> AppendTo(const std::string& dir, const std::vector<domain::InputEvent>& batch,
                                        const AppendOptions& options, std::chrono::milliseconds busy_wait);
  // AppendTo for a batch too large to hold as events (an import of a large
  // spreadsheet): next() gives the inputs one at a time (false after the
  // last). Each is planned as it comes (domain::StreamPlanner, the same
  // rules and errors as PlanBatch) and, while no error has been found, its
  // record written at once to a table file staged inside dir, its index
  // entries kept (tens of bytes each); at the end the staged files go into
  // the store in one atomic, durable ingestion (all or nothing, as a write
  // batch), then the head is acknowledged. A dry run plans on a read-only
  // view and opens nothing for writing; otherwise the open checks run, the
  // free space is checked and the writer lock is taken (waiting up to
  // busy_wait) before the first input is read.
  static Result<AppendOutcome> StreamTo(const std::string& dir, const InputStream& next, const AppendOptions& options,
                                        std::chrono::milliseconds busy_wait);
  // Opens read-only: a consistent view as of opening. Never takes the lock.
  static Result<std::unique_ptr<EventStore>> OpenReader(const std::string& dir);
  // Opens as a RocksDB secondary that follows the writer via CatchUp();
  // secondary_dir holds the follower's own logs.
  static Result<std::unique_ptr<EventStore>> OpenFollower(const std::string& dir, const std::string& secondary_dir);

  // Follower only: reads what the writer has appended since.
  virtual Status CatchUp() = 0;

  virtual Head head() const = 0;

  // Plans and writes batch. On a reader or follower only a dry run is
  // allowed (kFailedPrecondition otherwise).
  virtual Result<AppendOutcome> Append(const std::vector<domain::InputEvent>& batch, const AppendOptions& options) = 0;

  virtual Result<domain::Event> Get(int64_t seq) const = 0;
  virtual Result<std::optional<domain::Event>> FindById(const std::string& id) const = 0;

  // Calls fn for every event with from <= seq <= to, in order, until it
  // returns false.
  virtual Status Scan(int64_t from, int64_t to, const std::function<bool(const domain::Event&)>& fn) const = 0;

  // Scan for reading much of the ledger at once (a full rebuild): the same
  // calls of fn, in seq order, on the calling thread, and the same result,
  // but up to `threads` worker threads read and decode the events ahead, each
  // its own range of seqs. Worth it for many events; Scan for a few.
  virtual Status ScanAhead(int64_t from, int64_t to, const std::function<bool(const domain::Event&)>& fn,
                           int threads) const = 0;

  // The events that can touch (quarter, department) — read through the
  // indexes, not by scanning the ledger.
  virtual Result<domain::ReplayInput> LoadReplay(const domain::Quarter& q, const std::string& department) const = 0;

  // Every policy.adopted event, in seq order (read through their index).
  virtual Result<std::vector<domain::Event>> PolicyEvents() const = 0;

  // Every quarter any event belongs to, ascending ("2026Q3").
  virtual Result<std::vector<std::string>> Quarters() const = 0;

  // The quarter-wide events (approvals, reopenings and their voids) of the
  // quarters given, in seq order: the quarters with a status entry are
  // listed, and each of those given costs one seek in its index (one
  // iterator); the others, never approved nor reopened, have none.
  virtual Result<std::vector<domain::Event>> QuarterWideEvents(const std::vector<domain::Quarter>& quarters) const = 0;

  // The lowest seq among the events of quarter q (through its index: a
  // few seeks, not a scan), or 0 when it has none.
  virtual Result<int64_t> FirstSeqOf(const domain::Quarter& q) const = 0;

  // budget.expense events of a year (not voided ones too: the caller folds voids).
  virtual Result<std::vector<domain::Event>> YearEvents(const std::string& year) const = 0;

  // The last seq recorded at or before an instant (seconds since 1970,
  // UTC); 0 if none. (What a date or a zoneless time typed by a user means
  // is the application's question: app::ResolvePoint.)
  virtual Result<int64_t> SeqAtInstant(int64_t instant) const = 0;

  // Re-reads every stored event and re-computes the chain.
  Result<VerifyReport> Verify() const { return Verify(nullptr); }
  // The same, calling each(e, hash) for every event whose bytes and hash
  // verify, in seq order, as the chain is read: what else is checked
  // against every event (the projection snapshots, app::SnapshotPassCheck)
  // is checked in the same pass.
  using EachVerified = std::function<void(const domain::Event& e, const std::string& hash)>;
  virtual Result<VerifyReport> Verify(const EachVerified& each) const = 0;

  // ---- The Merkle tree over the events (domain/merkle.h) ----
  // Leaf i is the event of seq i+1. Hashes are 32 raw bytes. A size beyond
  // the head is kNotFound; beyond what the stored tree covers (a ledger of
  // an earlier release that no writer has opened since) kFailedPrecondition.

  // How many events the stored tree covers (the head, once a writer opened).
  virtual Result<uint64_t> TreeSize() const = 0;
  virtual Result<std::string> TreeRoot(uint64_t size) const = 0;
  virtual Result<std::vector<std::string>> InclusionProof(uint64_t leaf_index, uint64_t size) const = 0;
  virtual Result<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const = 0;

  // ---- Signed checkpoints: statements about the log, stored beside it ----

  // Writer only: stores the signed note of the tree of `size` (replacing
  // the one stored, which the caller has merged into it), synced.
  virtual Status PutCheckpoint(uint64_t size, const std::string& note) = 0;
  virtual Result<std::optional<std::string>> Checkpoint(uint64_t size) const = 0;
  // The sizes that have a stored checkpoint, ascending.
  virtual Result<std::vector<uint64_t>> CheckpointSizes() const = 0;

  // ---- Projection snapshots (app/snapshot.h): a disposable cache ----
  // Opaque bytes under (quarter, department, seq), beside the events: never
  // hashed into the chain, not in the tree, not an index. Whatever is stored
  // here is checked by its reader before it is used.

  // Writer only: stores the snapshots, synced, in one batch.
  virtual Status PutSnapshots(const std::vector<SnapshotRecord>& records) = 0;
  // The newest stored snapshot of (quarter, department) with seq <= max_seq.
  virtual Result<std::optional<SnapshotRecord>> SnapshotAtOrBefore(const std::string& quarter,
                                                                   const std::string& department,
                                                                   int64_t max_seq) const = 0;
  // Every stored snapshot, in key order (quarter, department, seq); calls
  // fn until it returns false.
  virtual Status ScanSnapshots(const std::function<bool(const SnapshotRecord&)>& fn) const = 0;
  // Writer only: removes every stored snapshot (they are rebuilt from the
  // events); how many.
  virtual Result<int64_t> DropSnapshots() = 0;
  // What LoadReplay gives, less the department's own events with seq <=
  // after: a replay that starts from a snapshot at `after`.
  virtual Result<domain::ReplayInput> LoadReplayAfter(const domain::Quarter& q, const std::string& department,
                                                      int64_t after) const = 0;

  // A consistent copy of the ledger in dir (which must not exist).
  virtual Status Backup(const std::string& dir) const = 0;

 protected:
  EventStore() = default;
};

// The RocksDB release qledger runs on ("7.8.3"), for qledger_build_info.
std::string RocksDbVersion();

}  // namespace qledger::storage

#endif  // QLEDGER_STORAGE_EVENT_STORE_H_
