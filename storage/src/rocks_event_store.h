// RocksEventStore, the RocksDB implementation of EventStore (keys.h has the
// layout). Internal to storage/: users see only event_store.h.
//
// Its members are defined in four files, one per concern:
//   rocks_event_store.cc  the options, opening (the open checks run by every
//                         open, docs/recovery.md), the follower's catch-up,
//                         the acknowledged head, backup
//   rocks_append.cc       the ledger view the batch rules read (LedgerView),
//                         planning a batch and writing it in one atomic,
//                         synced write batch with its index entries
//   rocks_scan.cc         reading: events by seq and id, the sequential and
//                         the parallel scan (ScanAhead), what a replay reads
//   rocks_verify.cc       the integrity checks and `verify` (the chain and
//                         the indexes)
//
// Thread safety: a store is used by one thread at a time (the follower
// serialises catch-up against readers); ScanAhead starts its own workers,
// which only read.
#ifndef QLEDGER_STORAGE_SRC_ROCKS_EVENT_STORE_H_
#define QLEDGER_STORAGE_SRC_ROCKS_EVENT_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include "acked_head.h"
#include "index_sink.h"
#include "qledger/domain/merkle.h"
#include "keys.h"
#include "qledger/domain/batch.h"
#include "qledger/storage/event_store.h"

namespace qledger::storage::internal {

using domain::Event;
using domain::EventType;
using domain::KnownEvent;
using domain::Quarter;
using domain::QuarterStatus;

enum class Mode { kWriter, kReader, kFollower };

// 64 lowercase hex digits of 32 raw bytes, and back (FromHex REQUIRES hex).
std::string ToHex(std::string_view raw);
void AppendFromHex(std::string_view hex, std::string* out);
std::string FromHex(std::string_view hex);

// A RocksDB status as ours: corruption and missing files are kDataLoss,
// other failures kInternal; `what` says what was being done.
Status FromRocks(const rocksdb::Status& s, const std::string& what);

// For a scan that reads a range once, in order (a rebuild's chunks,
// verify's chain, its index check, the snapshots): its blocks are not put
// in the block cache, where they would only push out what lookups need, and
// the table files are read 512 KiB at a time rather than a 4 KiB block a
// read (verify ~10%, a rebuild 10-15% faster at a million events;
// docs/performance.md).
rocksdb::ReadOptions ReadOnce();

// The acknowledged-head record of head (seq 0: 64 zeros).
AckedHead AckedOf(const Head& head);

// The value of the head record ('H'): seq(8) | hash(32 raw) | recorded_at.
std::string HeadValue(const Head& head);

// The options every open starts from (rocks_event_store.cc says why each).
rocksdb::Options BaseOptions();

// For an open that looks up a few keys: no Bloom filter in its memtables.
void WithoutMemtableBloom(rocksdb::Options* o);

// The write-ahead logs in dir: how many, and their bytes (listed: the
// directory could be read).
struct LogFiles {
  size_t count = 0;
  uint64_t bytes = 0;
  bool listed = false;
};
LogFiles CountLogFiles(const std::string& dir);

// Bloom filters on every table; with lazy_indexes (read-only opens), index
// and filter blocks read on demand through a block cache.
rocksdb::BlockBasedTableOptions TableOptions(bool lazy_indexes);

class RocksEventStore final : public EventStore, private domain::LedgerView {
 public:
  RocksEventStore(std::unique_ptr<rocksdb::DB> db, Mode mode, std::string dir)
      : db_(std::move(db)), mode_(mode), dir_(std::move(dir)) {}

  // A writer first waits for the compactions its writes started
  // (SettleCompactions): RocksDB's close would cancel them, and a CLI append
  // closes milliseconds after it opened.
  ~RocksEventStore() override;

  // A follower: a RocksDB secondary of the ledger at dir, whose own files
  // are in secondary_dir.
  static Result<std::unique_ptr<RocksEventStore>> OpenSecondary(const std::string& dir,
                                                                const std::string& secondary_dir);

  Status LoadHead();

  // The open checks (docs/recovery.md), run by every open and every
  // catch-up: the head record names a stored event with that hash and
  // nothing is stored after it; the store holds every event the writer
  // acknowledged (acked, read from QLEDGER-HEAD before the store was read),
  // with the acknowledged hash. kDataLoss naming the damage otherwise.
  // (Opens check the table files too: CheckTableFiles.)
  Status CheckIntegrity(const std::optional<AckedHead>& acked) const;

  Status CatchUp() override;

  // Opens only (a reader's, a writer's): the events replayed from the
  // write-ahead logs into the memtable run without a gap and join the
  // events of the table files. A log other than the newest that is deleted
  // or emptied leaves such a gap, which neither RocksDB (it records in the
  // MANIFEST no log that a CLI writer leaves behind) nor the acknowledged
  // head (in a later log) sees. kDataLoss naming the first missing event.
  Status CheckLoggedEvents() const;

  // Every event from+1..to is stored (bounded: a larger step, as at start,
  // is left to the chain's re-hashing, which reads every event).
  Status CheckContiguous(int64_t from, int64_t to) const;

  // Writer only: waits, up to a bound, until no compaction or flush is
  // running and no flush is pending (or a background error stopped them);
  // a compaction RocksDB may pick later is not waited for. Each writer
  // open turns the previous writer's log into a small table file; left to a
  // closing process, the compaction that merges them is cancelled every time
  // and the files pile up until RocksDB stalls writes (docs/performance.md).
  void SettleCompactions() const;

  // Writer only: flushes the memtable into a table file once the logs of
  // the writers since the last flush reach kFlushAfterLogs files or
  // kFlushAfterLogBytes: what every read-only open (each CLI query) and a
  // writer's open replay stays that small, and a CLI append adds a table
  // file only every so many appends (docs/design.md §3).
  void FlushIfDue() const;
  static constexpr size_t kFlushAfterLogs = 8;
  static constexpr uint64_t kFlushAfterLogBytes = 4 << 20;

  // Writer only: records head as acknowledged.
  Status RecordAcknowledged(const Head& head);

  // Writer only: a ledger of the first release starts keeping its
  // acknowledged head; one that has it brings it up to a head that a crash
  // kept from being acknowledged (the store is never behind it here: the
  // open checks passed).
  Status AdoptAcknowledged(const std::optional<AckedHead>& acked);

  Head head() const override { return head_; }

  // Writer only: loads the tree's frontier, first building the tree over
  // the events it does not cover yet (a ledger of an earlier release).
  Status LoadTree();

  // The stored tree's frontier, read (a writer's open reads it next): run
  // on a reader before a writer opens, so that a damaged node or event
  // there is refused before RocksDB's open writes anything.
  Result<domain::merkle::Frontier> StoredFrontier() const;

  // Every table file the MANIFEST lists is there, at its size. (RocksDB
  // opens them lazily; a follower would otherwise answer from the log alone.)
  Status CheckTableFiles() const;

  // The head record names a stored event with its hash, and no event is
  // stored after it.
  Status CheckHeadRecord() const;

  Result<bool> HasAckedMarker() const;

  // The stored hash (64 hex) of event seq; kDataLoss if it is not stored.
  Result<std::string> StoredHash(int64_t seq) const;

  // ---- LedgerView (for the batch rules) ----

  Result<std::optional<KnownEvent>> Find(const std::string& id) const override;
  std::vector<Result<std::optional<KnownEvent>>> FindMany(const std::vector<std::string>& ids) const override;

  Result<std::string> ContentKeyOf(const std::string& id) const override;

  Result<std::string> DataStringOf(const std::string& id, const std::string& key) const override;

  Result<std::optional<std::string>> ActiveMonthly(EventType type, const std::string& dept,
                                                   const std::string& month) const override;

  Result<QuarterStatus> StatusOf(const Quarter& q) const override;
  Result<bool> HasFacts(const Quarter& q) const override;

  Result<std::vector<domain::AdoptedPolicy>> Policies() const override;

  // ---- Appending ----

  // Plans batch against this store as it is (in any mode): the
  // --expect-head check, then the ledger's rules. *out gets the head, the
  // duplicates and every error; out->appended what would be written.
  Result<domain::BatchPlan> PlanAppend(const std::vector<domain::InputEvent>& batch, const AppendOptions& options,
                                       AppendOutcome* out) const;

  // --expect-head: kAborted unless the head is the seq expected.
  Status CheckExpectedHead(const AppendOptions& options) const;

  // True when a plan leaves nothing to write.
  static bool NothingToWrite(const AppendOutcome& out, const AppendOptions& options);

  Result<AppendOutcome> Append(const std::vector<domain::InputEvent>& batch, const AppendOptions& options) override;

  // Writes a plan that PlanAppend made against this store's current head.
  // REQUIRES: writer; out as PlanAppend left it, with something to write.
  Result<AppendOutcome> WritePlan(domain::BatchPlan plan, const AppendOptions& options, AppendOutcome out);

  // After a batch up to head is durable: the writer's state, then the
  // acknowledged head.
  Status Written(const Head& head);

  // Below this many events a second thread costs more than it saves.
  static constexpr size_t kParallelMin = 2000;

  using KeyValues = std::vector<std::pair<std::string, std::string>>;
  using BatchIds = std::unordered_map<std::string_view, size_t>;  // id -> index in the batch

  // What the ledger (with the batch so far) says of a void's target.
  using TargetLookup = std::function<Result<std::optional<KnownEvent>>(const std::string& id)>;

  // Adds the index effects of e that depend on what is already stored or
  // earlier in the batch (a void's target, through find_target) to sink, in
  // event order. The writer adds the 'e' record, the 'i' entry and the
  // event's own 'x' key.
  Status AddIndexEffects(const Event& e, const std::string& qs, const TargetLookup& find_target, IndexSink* sink);

  // Appends a batch given one input at a time (EventStore::StreamTo): each
  // planned as it comes (domain::StreamPlanner) and, on a writer and while
  // no error has been found, staged (StagedTables); at the end the staged
  // tables go into the store in one atomic ingestion, then the head is
  // acknowledged. On a reader, only a dry run.
  Result<AppendOutcome> StreamAppend(const InputStream& next, const AppendOptions& options);

  // ---- Reading ----

  Result<Event> Get(int64_t seq) const override;

  static Result<Event> Decode(int64_t seq, std::string_view v);

  Result<std::optional<Event>> FindById(const std::string& id) const override;

  Status Scan(int64_t from, int64_t to, const std::function<bool(const Event&)>& fn) const override;

  // ScanAhead splits [from, last] into chunks of kChunk seqs. Workers claim
  // chunks in order, each reads its chunk with an iterator of its own and
  // decodes it; the calling thread takes the chunks in order and calls fn.
  // At most kAheadPerThread chunks per worker are decoded and not yet
  // consumed, which bounds the memory.
  static constexpr int64_t kChunk = 4096;
  static constexpr int64_t kAheadPerThread = 3;

  struct ScanChunk {
    std::vector<Event> events;
    Status status = Status::Ok();
    bool ended = false;  // a non-event key ended the range, as it ends Scan
    bool ready = false;
    int worker = 0;      // which worker read it
  };

  // Reads and decodes [first, last] into *out, as Scan would: stops at the
  // first record that does not decode (events before it are kept).
  void ReadChunk(int64_t first, int64_t last, ScanChunk* out) const;

  Status ScanAhead(int64_t from, int64_t to, const std::function<bool(const Event&)>& fn,
                   int threads) const override;

  // The seqs of the keys prefix+seq(8), from seq `from` on.
  Status PrefixSeqs(const std::string& prefix, std::vector<int64_t>* out, int64_t from = 0) const;
  // The same with an iterator of the caller's (one for many prefixes).
  static Status PrefixSeqs(rocksdb::Iterator* it, const std::string& prefix, std::vector<int64_t>* out,
                           int64_t from = 0);

  Result<std::vector<Event>> GetMany(std::vector<int64_t> seqs) const;

  Result<domain::ReplayInput> LoadReplay(const Quarter& q, const std::string& department) const override;

  Result<std::vector<Event>> PolicyEvents() const override;

  Result<std::vector<std::string>> Quarters() const override;

  Result<std::vector<Event>> QuarterWideEvents(const std::vector<Quarter>& quarters) const override;

  Result<int64_t> FirstSeqOf(const Quarter& q) const override;

  Result<std::vector<Event>> YearEvents(const std::string& year) const override;

  Result<int64_t> SeqAtInstant(int64_t instant) const override;

  using EventStore::Verify;
  Result<VerifyReport> Verify(const EachVerified& each) const override;

  // rocks_tree.cc
  Result<uint64_t> TreeSize() const override;
  Result<std::string> TreeRoot(uint64_t size) const override;
  Result<std::vector<std::string>> InclusionProof(uint64_t leaf_index, uint64_t size) const override;
  Result<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const override;
  Status PutCheckpoint(uint64_t size, const std::string& note) override;
  Result<std::optional<std::string>> Checkpoint(uint64_t size) const override;
  Result<std::vector<uint64_t>> CheckpointSizes() const override;
  // "" when every stored checkpoint is of the stored tree; else which not.
  std::string CheckStoredCheckpoints() const;
  // kNotFound beyond the head, kFailedPrecondition beyond the stored tree.
  Status CheckTreeCovers(uint64_t size) const;

  Status PutSnapshots(const std::vector<SnapshotRecord>& records) override;
  Result<std::optional<SnapshotRecord>> SnapshotAtOrBefore(const std::string& quarter, const std::string& department,
                                                           int64_t max_seq) const override;
  Status ScanSnapshots(const std::function<bool(const SnapshotRecord&)>& fn) const override;
  Result<int64_t> DropSnapshots() override;
  Result<domain::ReplayInput> LoadReplayAfter(const domain::Quarter& q, const std::string& department,
                                              int64_t after) const override;

  Status Backup(const std::string& dir) const override;

 private:
  // Writer only, after LoadTree: the right edge of the stored tree, which
  // covers every event.
  domain::merkle::Frontier tree_;

  // The names of the table files the store has, sorted.
  std::vector<std::string> TableFiles() const;

  std::unique_ptr<rocksdb::DB> db_;  // replaced only by a follower's CatchUp
  const Mode mode_;
  const std::string dir_;
  std::string secondary_dir_;        // a follower's
  std::vector<std::string> tables_;  // a follower's TableFiles() at its last catch-up
  Head head_;
  std::unordered_set<std::string> pending_quarters_;  // 'q' keys put in the batch being written
  // 'q' keys this writer has written (durably); the writer holds the lock, so
  // they cannot have gone since.
  std::unordered_set<std::string> quarters_written_;
};

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_SRC_ROCKS_EVENT_STORE_H_
