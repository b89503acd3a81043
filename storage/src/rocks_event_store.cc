// RocksEventStore (rocks_event_store.h): the options, opening, the
// follower's catch-up, the acknowledged head, backup; and the EventStore
// factories (Create, OpenWriter, OpenReader, OpenFollower, AppendTo).
#include "rocks_event_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <thread>

#include <rocksdb/version.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>

#include "acked_head.h"
#include "qledger/log/log.h"
#include "keys.h"
#include "merkle_store.h"

namespace qledger::storage {
namespace internal {
namespace {

// RocksDB's own messages: errors to standard error, the rest dropped.
// RocksDB would otherwise keep an info log (LOG) in the ledger directory and
// rotate it on every open: a file written by every command, readers
// included, and on a full disk an assertion in RocksDB's logger (Debian's
// build keeps assertions) aborts the process instead of failing the write.
class ErrorLogger final : public rocksdb::Logger {
 public:
  ErrorLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::ERROR_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < rocksdb::InfoLogLevel::ERROR_LEVEL) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    log::Error("rocksdb", {{"detail", std::string(line)}});
  }
};

// A merge operator that is never called (the ledger writes no merges):
// set on read-only opens only to skip RocksDB's compacted-store attempt
// (OpenCheckedOnce). Were it ever called, it refuses.
class NoMerges final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice*, const rocksdb::Slice&, std::string*,
             rocksdb::Logger*) const override {
    return false;
  }
  const char* Name() const override { return "qledger.NoMerges"; }
};

}  // namespace

std::string ToHex(std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(raw.size() * 2, '0');
  for (size_t i = 0; i < raw.size(); ++i) {
    auto c = static_cast<unsigned char>(raw[i]);
    out[2 * i] = kHex[c >> 4];
    out[2 * i + 1] = kHex[c & 0xf];
  }
  return out;
}

void AppendFromHex(std::string_view hex, std::string* out) {
  auto nibble = [](char c) -> int { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out->push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
}

std::string FromHex(std::string_view hex) {
  std::string out;
  AppendFromHex(hex, &out);
  return out;
}

rocksdb::ReadOptions ReadOnce() {
  rocksdb::ReadOptions once;
  once.fill_cache = false;
  once.readahead_size = 512 << 10;
  return once;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  const std::string text = s.ToString();
  // A missing table file is named by the name RocksDB tried last, its old
  // suffix ("…random read: DIR/000025.ldb: No such file…"); the ledger's
  // files are *.sst.
  if (size_t ldb = text.find(".ldb: No such file"); ldb != std::string::npos) {
    size_t start = text.rfind(": ", ldb);
    start = start == std::string::npos ? 0 : start + 2;
    return domain::DataLoss(what + ": a file of the ledger is missing: table file " + text.substr(start, ldb - start) +
                            ".sst (" + text + ")");
  }
  if (s.IsCorruption()) return domain::DataLoss(what + ": " + text);
  // A file of the store (a table file, the MANIFEST) that is gone is lost
  // data, not a passing I/O failure.
  if (s.IsPathNotFound() || (s.IsIOError() && text.find("No such file") != std::string::npos)) {
    return domain::DataLoss(what + ": a file of the ledger is missing: " + text);
  }
  return domain::Internal(what + ": " + s.ToString());
}


AckedHead AckedOf(const Head& head) {
  return AckedHead{head.seq, head.seq == 0 ? std::string(64, '0') : head.hash};
}

rocksdb::BlockBasedTableOptions TableOptions(bool lazy_indexes) {
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index and filter in partitions of 4 KiB under a small top-level index,
  // in the table files written from now on: a lookup reads the partitions
  // it needs, not a whole table's index and Bloom filter (on a million
  // events, ~1 MB each per table file: a `scores` read 4 MB of them for a
  // few keys). Table files written before keep their single blocks; RocksDB
  // reads both kinds.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  if (lazy_indexes) {
    // A query reads a few keys: each table's index and filter blocks are
    // read when a lookup needs them, through a block cache, instead of all
    // of them at the open (on a million events the open was most of a
    // `scores`). A writer keeps them in memory from the open: it looks up
    // every new id (bulk append ~15% slower through the cache).
    table.cache_index_and_filter_blocks = true;
    table.block_cache = rocksdb::NewLRUCache(64 << 20);
  }
  return table;
}

rocksdb::Options BaseOptions() {
  rocksdb::Options o;
  o.create_if_missing = false;
  o.compression = rocksdb::kNoCompression;
  static const std::shared_ptr<rocksdb::Logger> kLogger = std::make_shared<ErrorLogger>();
  o.info_log = kLogger;
  o.max_open_files = 256;
  // The table files a store opens at its open are opened on this thread:
  // RocksDB's default starts and joins 16 threads for it at every open (a
  // CLI command is one open; a dozen files open serially in less time than
  // the threads take to start), and at every catch-up of a follower, 5 a
  // second (~70 thread starts a second on the server's cores).
  o.max_file_opening_threads = 1;
  o.write_buffer_size = 32 << 20;
  // A write-ahead log record that fails its checksum fails the open; only an
  // incomplete record at the very end of the log — a write that a crash cut
  // short, which was never acknowledged — is dropped. RocksDB's default
  // (kPointInTimeRecovery) would instead stop replaying at the first bad
  // record and open the ledger without every batch after it. What RocksDB
  // cannot tell apart from a cut-short write (a log truncated at a record
  // boundary, or deleted) the acknowledged head catches (acked_head.h).
  // docs/design.md §4.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  o.paranoid_checks = true;
  // Appending looks up every new id (and void target) to find that it is
  // not there yet: Bloom filters answer most of those misses without reading
  // a block, in the SST files and in the memtable.
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(/*lazy_indexes=*/false)));
  o.memtable_prefix_bloom_size_ratio = 0.02;
  o.memtable_whole_key_filtering = true;
  // Universal compaction: a ledger only grows, and a CLI append adds one
  // small table file every few appends (FlushIfDue). Leveled
  // compaction merges those into level 1, whose files every append overlaps
  // (its keys run from 'H' to 'x'), so each merge rewrites most of the
  // ledger; universal compaction merges the small sorted runs with each
  // other and reaches the large ones only when the newer data is as large
  // (a binary counter's amortised cost). A ledger made with leveled
  // compaction opens as it is: each of its levels is one sorted run.
  o.compaction_style = rocksdb::kCompactionStyleUniversal;
  // Merges start at 8 sorted runs, not RocksDB's 4. A ledger that was bulk
  // appended holds about four large runs; with a trigger of 4, the small run
  // of every CLI flush (FlushIfDue) made five, and RocksDB, finding no two
  // runs of like size, forced the newest two together: the small file and
  // the newest large run (20 MB of a million-event ledger) rewritten every
  // eighth append, which the writer then waited for — 88 ms where an append
  // takes 20 (issue 11, item 1). With room for four small runs, they merge
  // with each other by size, as a binary counter does, and a read goes
  // through at most 8 runs.
  o.level0_file_num_compaction_trigger = 8;
  return o;
}

void WithoutMemtableBloom(rocksdb::Options* o) {
  // The memtable's Bloom filter (BaseOptions) is 0.02 of the write buffer,
  // 640 KiB, zeroed at every open and for every memtable: 160 pages first
  // touched, ~4 ms of a CLI command where a page fault costs 25 us (a VM),
  // for an open that looks up a few keys, where a miss in the skip list
  // costs less than a microsecond.
  o->memtable_prefix_bloom_size_ratio = 0;
}

RocksEventStore::~RocksEventStore() {
  if (mode_ == Mode::kWriter && db_ != nullptr) {
    FlushIfDue();
    SettleCompactions();
  }
}

LogFiles CountLogFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  LogFiles logs;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() != ".log") continue;
    ++logs.count;
    std::error_code size_ec;
    uint64_t size = it->file_size(size_ec);
    if (!size_ec) logs.bytes += size;
  }
  logs.listed = !ec;
  return logs;
}

void RocksEventStore::FlushIfDue() const {
  // Counted from the directory: RocksDB's GetSortedWalFiles reads every log.
  LogFiles logs = CountLogFiles(dir_);
  if (!logs.listed || (logs.count < kFlushAfterLogs && logs.bytes < kFlushAfterLogBytes)) return;
  // The logs stay until the flush is durable: a failed flush loses nothing.
  rocksdb::Status s = db_->Flush(rocksdb::FlushOptions());
  if (!s.ok()) log::Error("flush failed", {{"ledger", dir_}, {"detail", s.ToString()}});
}

void RocksEventStore::SettleCompactions() const {
  // A merge that reaches the ledger's largest run takes seconds at a million
  // events; past the bound it is left to RocksDB's close (cancelled, and
  // picked again by the next writer).
  constexpr auto kBound = std::chrono::seconds(60);
  auto deadline = std::chrono::steady_clock::now() + kBound;
  auto busy = [this] {
    uint64_t errors = 0;
    if (db_->GetIntProperty("rocksdb.background-errors", &errors) && errors > 0) return false;
    // Not "rocksdb.compaction-pending": it stays set while the picker
    // declines to merge anything, and would hold every writer to the bound.
    for (const char* p : {"rocksdb.num-running-compactions", "rocksdb.mem-table-flush-pending",
                          "rocksdb.num-running-flushes"}) {
      uint64_t v = 0;
      if (db_->GetIntProperty(p, &v) && v > 0) return true;
    }
    return false;
  };
  while (busy() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Status RocksEventStore::LoadHead() {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), std::string(kHeadKey), &v);
  if (s.IsNotFound()) {
    head_ = Head{};
    return Status::Ok();
  }
  if (!s.ok()) return FromRocks(s, "reading the ledger head");
  if (v.size() < 40) return domain::DataLoss("ledger head record is truncated");
  head_.seq = static_cast<int64_t>(DecodeFixed64BE(v));
  head_.hash = ToHex(std::string_view(v).substr(8, 32));
  head_.recorded_at = v.substr(40);
  return Status::Ok();
}

Status RocksEventStore::CatchUp() {
  if (mode_ != Mode::kFollower) return Status::Ok();
  const Head before = head_;
  // A secondary can see the writer's new log before the MANIFEST edit of
  // the table file that its open flushed the old log into: for a moment
  // an event is missing below the new head. The head moves only once every
  // event up to it is there; until then answers stay as of the old head.
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    // The writer replaces QLEDGER-HEAD after its write is synced: read
    // first, catch up second, and the store is never legitimately behind
    // the file.
    QLEDGER_ASSIGN_OR_RETURN(auto acked, ReadAckedHead(dir_));
    QLEDGER_RETURN_IF_ERROR(FromRocks(db_->TryCatchUpWithPrimary(), "catching up with the writer"));
    // A secondary keeps in its memtable what it read of a log, also after
    // the writer has moved that log into a table file: when a newer value of
    // a key reached a table file without this follower reading it from a log
    // (a writer came and went between two catch-ups, or a streamed batch was
    // ingested), RocksDB answers the memtable's older one: the head of two
    // appends ago, with the events after it there. Only a new table file
    // brings that about, so when the table files change the secondary is
    // opened anew, with nothing in memory from before.
    std::vector<std::string> tables = TableFiles();
    if (tables != tables_) {
      QLEDGER_ASSIGN_OR_RETURN(auto fresh, OpenSecondary(dir_, secondary_dir_));
      db_ = std::move(fresh->db_);
      tables = TableFiles();
    }
    tables_ = std::move(tables);
    QLEDGER_RETURN_IF_ERROR(LoadHead());
    // At the first catch-up (the open) the reader's checks have run, and
    // the chain's re-hashing reads every event anyway.
    Status whole = before.seq == 0 ? Status::Ok() : CheckContiguous(before.seq, head_.seq);
    // A streamed batch (StreamAppend) is ingested first and its head record
    // written through the log a moment later: in between, its events are
    // there after the head this follower reads. Wait for the record.
    if (whole.ok() && attempt < kAttempts && !CheckHeadRecord().ok()) whole = domain::Unavailable("the head record");
    if (whole.ok()) return CheckIntegrity(acked);
    if (whole.code() != domain::StatusCode::kUnavailable) return whole;  // a read failed: that is not a race
    if (attempt == kAttempts) {
      head_ = before;
      return domain::Unavailable("catching up with the writer: " + whole.message() +
                                 "; answering as of seq " + std::to_string(before.seq) + " until they are");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Result<domain::merkle::Frontier> RocksEventStore::StoredFrontier() const {
  QLEDGER_ASSIGN_OR_RETURN(uint64_t size, StoredTreeSize(db_.get()));
  if (size > static_cast<uint64_t>(head_.seq)) {
    return domain::DataLoss("the Merkle tree covers " + std::to_string(size) + " events, but the ledger holds " +
                            std::to_string(head_.seq) + "; run qledger verify");
  }
  return LoadFrontier(db_.get(), size);
}

Status RocksEventStore::LoadTree() {
  QLEDGER_ASSIGN_OR_RETURN(tree_, StoredFrontier());
  if (tree_.size() < static_cast<uint64_t>(head_.seq)) {
    QLEDGER_RETURN_IF_ERROR(ExtendTree(db_.get(), head_.seq, &tree_));
  }
  return Status::Ok();
}

Status RocksEventStore::RecordAcknowledged(const Head& head) {
  return WriteAckedHead(dir_, AckedOf(head));
}

Status RocksEventStore::AdoptAcknowledged(const std::optional<AckedHead>& acked) {
  if (!acked) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    QLEDGER_RETURN_IF_ERROR(
        FromRocks(db_->Put(wo, std::string(kAckedMarkerKey), ""), "marking the ledger as acknowledging"));
    return RecordAcknowledged(head_);
  }
  if (acked->seq != head_.seq) return RecordAcknowledged(head_);
  return Status::Ok();
}

Result<std::unique_ptr<RocksEventStore>> RocksEventStore::OpenSecondary(const std::string& dir,
                                                                       const std::string& secondary_dir) {
  rocksdb::Options o = BaseOptions();
  o.max_open_files = -1;  // required by secondary instances
  // A secondary tails the writer's live log, whose last record may be half
  // written when it reads: it must stop there and read it whole at the next
  // catch-up (RocksDB's default, kPointInTimeRecovery), not step past it
  // for good, as kTolerateCorruptedTailRecords would — the follower then
  // missed that batch until the next flush, and its chain check said the
  // ledger was broken. A log that is really damaged is found by the open
  // checks (run by a reader's open first) and by the acknowledged head at
  // every catch-up.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  WithoutMemtableBloom(&o);  // a new memtable at many catch-ups, each zeroed
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(o, dir, secondary_dir, &raw);
  if (!s.ok()) return FromRocks(s, "opening the ledger at " + dir + " as a follower");
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kFollower, dir);
  store->secondary_dir_ = secondary_dir;
  store->tables_ = store->TableFiles();
  return store;
}

std::vector<std::string> RocksEventStore::TableFiles() const {
  std::vector<rocksdb::LiveFileMetaData> files;
  db_->GetLiveFilesMetaData(&files);
  std::vector<std::string> names;
  names.reserve(files.size());
  for (const auto& f : files) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

bool SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  return ::close(fd) == 0 && ok;
}

// A checkpoint hard-links the table files when the backup is on the same
// file system: the backup and the ledger would then be one set of bytes, and
// a change made in place to one (a disk's fault, an edit) would be in both.
// Each file of dir with another link is copied, synced and renamed over the
// link; then dir is synced.
Status UnshareFiles(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string path = entry.path().string();
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return domain::Internal("backup: reading " + path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_nlink < 2) continue;
    const std::string copy = path + ".copy";
    if (!std::filesystem::copy_file(path, copy, ec) || !SyncPath(copy, O_RDONLY) ||
        ::rename(copy.c_str(), path.c_str()) != 0) {
      std::string why = ec ? ec.message() : std::strerror(errno);
      std::filesystem::remove(copy, ec);
      return domain::Internal("backup: copying " + path + " (it was linked to the ledger's own file): " + why);
    }
  }
  if (ec) return domain::Internal("backup: listing " + dir + ": " + ec.message());
  if (!SyncPath(dir, O_RDONLY | O_DIRECTORY)) return domain::Internal("backup: syncing " + dir + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Status RocksEventStore::Backup(const std::string& dir) const {
  if (std::filesystem::exists(dir)) return domain::AlreadyExists("backup target " + dir + " already exists");
  // Its parent is made as init makes a ledger's (RocksDB's own mkdir makes
  // one level, and its failure read as a file of the ledger missing).
  std::filesystem::path target(dir);
  if (!target.has_filename()) target = target.parent_path();  // "b/2026-12-08/"
  if (auto parent = target.parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return domain::Internal("backup: creating " + parent.string() + ": " + ec.message());
  }
  rocksdb::Checkpoint* raw = nullptr;
  QLEDGER_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing the backup"));
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  QLEDGER_RETURN_IF_ERROR(FromRocks(cp->CreateCheckpoint(dir), "writing the backup to " + dir));
  QLEDGER_RETURN_IF_ERROR(UnshareFiles(dir));
  // The writer holds the lock: the copy's head is head_.
  return WriteAckedHead(dir, AckedOf(head_));
}

}  // namespace internal

using namespace internal;

namespace {

// Another writer holds the lock: another process (flock: EWOULDBLOCK) or
// this one. Not a read-only file system, which also fails "While lock file".
bool IsLockError(const rocksdb::Status& s) {
  std::string text = s.ToString();
  return s.IsIOError() && (text.find("Resource temporarily unavailable") != std::string::npos ||
                           text.find("lock hold by current process") != std::string::npos);
}

// What dir holds, for telling "no ledger" from "a damaged one".
struct DirContents {
  bool exists = false;
  bool directory = false;
  int64_t entries = 0;
  int64_t ledger_files = 0;  // table files, logs, MANIFESTs, QLEDGER-HEAD
  bool current = false;
};

DirContents Inspect(const std::string& dir) {
  namespace fs = std::filesystem;
  DirContents c;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    c.exists = fs::exists(dir, ec);
    c.entries = c.exists ? 1 : 0;
    return c;
  }
  c.exists = true;
  c.directory = true;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    ++c.entries;
    std::string name = it->path().filename().string();
    if (name == "CURRENT") c.current = true;
    if (name.ends_with(".sst") || name.ends_with(".log") || name.starts_with("MANIFEST-") || name == kAckedHeadFile) {
      ++c.ledger_files;
    }
  }
  return c;
}

// OK if dir holds a ledger (it has CURRENT). Otherwise kNotFound with the
// hint to create one — only where there is nothing to lose: no directory, or
// an empty one — or kDataLoss when files of a ledger are there without
// CURRENT (nothing is changed: the way back is a backup or a repair of a
// copy), or kNotFound saying that the directory holds something else.
Status CheckIsLedger(const std::string& dir) {
  DirContents c = Inspect(dir);
  if (c.current) return Status::Ok();
  if (c.exists && !c.directory) return domain::NotFound("no ledger at " + dir + ": it is a file, not a directory");
  if (c.entries == 0) {
    return domain::NotFound("no ledger at " + dir + " (create one with: qledger init --data " + dir + ")");
  }
  if (c.ledger_files > 0) {
    return domain::DataLoss("the ledger at " + dir + " is damaged: its CURRENT file is missing, but it holds " +
                            std::to_string(c.ledger_files) +
                            " files of a ledger; nothing was changed. Do not run init on it. Restore the latest "
                            "backup, or run RocksDB's `ldb repair` on a copy of the directory and verify the copy "
                            "(docs/recovery.md)");
  }
  return domain::NotFound("no ledger at " + dir + ": it is a directory of other files (" + std::to_string(c.entries) +
                          " entries), not a ledger");
}

// Opens the store of dir read-only and runs the open checks against the
// acknowledged head, which is read first (a writer replaces it only after
// its write is synced, so a store read after it is never behind it).
Result<std::unique_ptr<RocksEventStore>> OpenCheckedOnce(const std::string& dir) {
  QLEDGER_ASSIGN_OR_RETURN(auto acked, ReadAckedHead(dir));
  rocksdb::Options o = BaseOptions();
  // Every table file is opened now and held: a writer's compaction may
  // delete one while this view still reads (a long verify, an export).
  o.max_open_files = -1;
  // With max_open_files -1, RocksDB first tries to open the store as a
  // fully compacted one (CompactedDBImpl): it recovers it and opens every
  // table file, finds more than one sorted run, and throws that away before
  // opening it again as a read-only store — every table opened twice. That
  // path refuses a store with a merge operator straight away; the ledger
  // merges nothing, so this one is never called.
  static const std::shared_ptr<rocksdb::MergeOperator> kNoMerges = std::make_shared<NoMerges>();
  o.merge_operator = kNoMerges;
  // A view only reads: the statistics RocksDB gathers from the table files
  // at an open steer compaction, which it never runs.
  o.skip_stats_update_on_db_open = true;
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(/*lazy_indexes=*/true)));
  // Nor does it look up new ids in its memtable (the logs it replays).
  WithoutMemtableBloom(&o);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(o, dir, &raw);
  if (!s.ok()) return FromRocks(s, "opening the ledger at " + dir + " read-only");
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kReader, dir);
  QLEDGER_RETURN_IF_ERROR(store->CheckTableFiles());
  QLEDGER_RETURN_IF_ERROR(store->LoadHead());
  QLEDGER_RETURN_IF_ERROR(store->CheckIntegrity(acked));
  QLEDGER_RETURN_IF_ERROR(store->CheckLoggedEvents());
  return store;
}

// A writer — its open writes a new MANIFEST, its flush a table file, and
// each deletes the files they replace — can race a read-only
// open of the same directory: a file read a moment ago is gone, or the view
// holds the head record without its event. So a failed open is tried again
// a few times (5, 10, 20, 40 ms apart) before it is taken for damage;
// damage stays, a race does not.
Result<std::unique_ptr<RocksEventStore>> OpenChecked(const std::string& dir) {
  QLEDGER_RETURN_IF_ERROR(CheckIsLedger(dir));
  constexpr int kAttempts = 5;
  auto pause = std::chrono::milliseconds(5);
  for (int attempt = 1;; ++attempt) {
    auto store = OpenCheckedOnce(dir);
    if (store.ok() || attempt == kAttempts) return store;
    std::this_thread::sleep_for(pause);
    pause *= 2;
  }
}

}  // namespace

Result<std::unique_ptr<EventStore>> EventStore::Create(const std::string& dir) {
  DirContents c = Inspect(dir);
  if (c.current) return domain::AlreadyExists("a ledger already exists at " + dir);
  if (c.exists && !c.directory) return domain::AlreadyExists(dir + " is a file, not a directory: init needs a directory");
  if (c.entries > 0) {
    return domain::AlreadyExists(dir + " is not empty (" + std::to_string(c.entries) +
                                 " entries): init creates a ledger only in a new or empty directory, and never "
                                 "removes anything" +
                                 (c.ledger_files > 0 ? "; it holds files of a ledger without CURRENT, see "
                                                       "docs/recovery.md"
                                                     : ""));
  }
  // The directory first: RocksDB lists it before it creates it, and would
  // log that listing's failure as an error on every new ledger.
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return domain::Internal("creating the ledger at " + dir + ": " + ec.message());
  rocksdb::Options o = BaseOptions();
  o.create_if_missing = true;
  o.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir, &raw);
  if (!s.ok()) return FromRocks(s, "creating the ledger at " + dir);
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kWriter, dir);
  QLEDGER_RETURN_IF_ERROR(store->LoadHead());
  QLEDGER_RETURN_IF_ERROR(store->AdoptAcknowledged(std::nullopt));
  QLEDGER_RETURN_IF_ERROR(store->LoadTree());
  return std::unique_ptr<EventStore>(std::move(store));
}

namespace {

// Takes the writer lock of dir, waiting up to busy_wait, and runs the open
// checks again under it (another writer may have appended meanwhile).
// REQUIRES: OpenChecked(dir) passed, so that RocksDB's recovery, which
// writes, runs only on a store that is not known to be damaged.
// lazy_indexes: a writer of a few events reads the index and filter blocks
// it needs through a block cache instead of all of them at its open (a
// one-event CLI append on a million events: ~9 ms less); a writer of many
// looks up every id and keeps them all in memory (TableOptions).
Result<std::unique_ptr<RocksEventStore>> OpenLocked(const std::string& dir, std::chrono::milliseconds busy_wait,
                                                    bool lazy_indexes = false) {
  auto deadline = std::chrono::steady_clock::now() + busy_wait;
  auto pause = std::chrono::milliseconds(5);
  while (true) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Options o = BaseOptions();
    // The logs of earlier writers are replayed into the memtable and kept,
    // not turned into a table file at every open: a CLI append would
    // otherwise add a table file, and start a compaction, per event it
    // appends. The writer flushes when the logs have grown (FlushIfDue).
    o.avoid_flush_during_recovery = true;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(TableOptions(lazy_indexes)));
    if (lazy_indexes) WithoutMemtableBloom(&o);  // it looks up a few ids
    rocksdb::Status s = rocksdb::DB::Open(o, dir, &raw);
    if (s.ok()) {
      auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kWriter, dir);
      QLEDGER_RETURN_IF_ERROR(store->CheckTableFiles());
      QLEDGER_RETURN_IF_ERROR(store->LoadHead());
      QLEDGER_ASSIGN_OR_RETURN(auto acked, ReadAckedHead(dir));
      QLEDGER_RETURN_IF_ERROR(store->CheckIntegrity(acked));
      QLEDGER_RETURN_IF_ERROR(store->CheckLoggedEvents());
      QLEDGER_RETURN_IF_ERROR(store->AdoptAcknowledged(acked));
      QLEDGER_RETURN_IF_ERROR(store->LoadTree());
      return store;
    }
    if (!IsLockError(s)) return FromRocks(s, "opening the ledger at " + dir + " for writing");
    if (std::chrono::steady_clock::now() >= deadline) {
      return domain::Unavailable("ledger busy: another writer has held " + dir + " for more than " +
                                 std::to_string(busy_wait.count()) + " ms; nothing was appended, try again");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

// Refuses, before RocksDB writes anything, an append that the free space of
// dir's file system may not hold: the writer's flush turns the write-ahead
// logs into a table file (as large again), and each event takes its record,
// its index entries and its share of the log. The bound is generous on
// purpose: a full disk found halfway through leaves RocksDB's files half
// made, while a refusal here leaves everything as it was.
Status CheckFreeSpace(const std::string& dir, int64_t events) {
  const uint64_t logs = CountLogFiles(dir).bytes;
  std::error_code ec;
  std::filesystem::space_info space = std::filesystem::space(dir, ec);
  if (ec) return Status::Ok();  // cannot tell: RocksDB reports a full disk itself
  constexpr uint64_t kFixed = 1 << 20;         // MANIFEST, OPTIONS, the head record
  constexpr uint64_t kPerEvent = 2048;         // record, indexes, log: ~4x what an event takes
  uint64_t need = kFixed + 2 * logs + kPerEvent * static_cast<uint64_t>(std::max<int64_t>(events, 0));
  if (space.available < need) {
    return domain::Internal("disk full: the file system of " + dir + " has " + std::to_string(space.available) +
                            " bytes free, and appending " + std::to_string(events) + " events needs about " +
                            std::to_string(need) + "; nothing was appended (free space, then try again)");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<EventStore>> EventStore::OpenWriter(const std::string& dir, std::chrono::milliseconds busy_wait) {
  // First the checks on a read-only view, which writes nothing: a writer's
  // open replays the write-ahead log into a new table file and deletes the
  // log, which must not happen to a store that is damaged.
  {
    QLEDGER_ASSIGN_OR_RETURN(auto checked, OpenChecked(dir));
    QLEDGER_RETURN_IF_ERROR(checked->StoredFrontier().status());
  }
  QLEDGER_RETURN_IF_ERROR(CheckFreeSpace(dir, 0));
  QLEDGER_ASSIGN_OR_RETURN(auto store, OpenLocked(dir, busy_wait));
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<AppendOutcome> EventStore::AppendTo(const std::string& dir, const std::vector<domain::InputEvent>& batch,
                                           const AppendOptions& options, std::chrono::milliseconds busy_wait) {
  AppendOutcome out;
  Head seen;
  domain::BatchPlan plan;
  {
    QLEDGER_ASSIGN_OR_RETURN(auto reader, OpenChecked(dir));
    QLEDGER_ASSIGN_OR_RETURN(plan, reader->PlanAppend(batch, options, &out));
    if (RocksEventStore::NothingToWrite(out, options)) return out;
    QLEDGER_RETURN_IF_ERROR(reader->StoredFrontier().status());
    seen = reader->head();
  }
  QLEDGER_RETURN_IF_ERROR(CheckFreeSpace(dir, out.appended));
  QLEDGER_ASSIGN_OR_RETURN(auto writer,
                           OpenLocked(dir, busy_wait, out.appended < static_cast<int64_t>(RocksEventStore::kParallelMin)));
  // The plan holds while nothing was appended since it was made: the store
  // only grows, and its head says how far.
  if (writer->head().seq != seen.seq || writer->head().hash != seen.hash) {
    QLEDGER_ASSIGN_OR_RETURN(plan, writer->PlanAppend(batch, options, &out));
    if (RocksEventStore::NothingToWrite(out, options)) return out;
  }
  return writer->WritePlan(std::move(plan), options, std::move(out));
}

Result<AppendOutcome> EventStore::StreamTo(const std::string& dir, const InputStream& next, const AppendOptions& options,
                                           std::chrono::milliseconds busy_wait) {
  if (options.dry_run) {
    QLEDGER_ASSIGN_OR_RETURN(auto reader, OpenChecked(dir));
    return reader->StreamAppend(next, options);
  }
  QLEDGER_ASSIGN_OR_RETURN(auto writer, OpenWriter(dir, busy_wait));
  return static_cast<RocksEventStore*>(writer.get())->StreamAppend(next, options);
}

Result<std::unique_ptr<EventStore>> EventStore::OpenReader(const std::string& dir) {
  QLEDGER_ASSIGN_OR_RETURN(auto store, OpenChecked(dir));
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<std::unique_ptr<EventStore>> EventStore::OpenFollower(const std::string& dir, const std::string& secondary_dir) {
  // The open checks of a reader first: a RocksDB secondary tolerates table
  // files that are missing (its writer may have deleted them), so it would
  // start on a store that a reader refuses.
  {
    QLEDGER_ASSIGN_OR_RETURN(auto checked, OpenChecked(dir));
  }
  QLEDGER_ASSIGN_OR_RETURN(auto store, RocksEventStore::OpenSecondary(dir, secondary_dir));
  QLEDGER_RETURN_IF_ERROR(store->CatchUp());
  return std::unique_ptr<EventStore>(std::move(store));
}

std::string RocksDbVersion() {
  return std::to_string(ROCKSDB_MAJOR) + "." + std::to_string(ROCKSDB_MINOR) + "." + std::to_string(ROCKSDB_PATCH);
}

}  // namespace qledger::storage
