// The RocksDB implementation of EventStore. See keys.h for the layout.
#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <boost/json.hpp>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/metadata.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "acked_head.h"
#include "index_check.h"
#include "keys.h"
#include "qledger/domain/batch.h"
#include "qledger/domain/canonical_json.h"
#include "qledger/domain/helper_thread.h"
#include "qledger/domain/policy.h"
#include "qledger/storage/event_store.h"

namespace json = boost::json;

namespace qledger::storage {

using domain::Event;
using domain::EventType;
using domain::KnownEvent;
using domain::Quarter;
using domain::QuarterStatus;
using domain::StartHelper;
using namespace internal;

namespace {

enum class Mode { kWriter, kReader, kFollower };

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

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return domain::DataLoss(what + ": " + s.ToString());
  // A file of the store (a table file, the MANIFEST) that is gone is lost
  // data, not a passing I/O failure.
  if (s.IsPathNotFound() || (s.IsIOError() && s.ToString().find("No such file") != std::string::npos)) {
    return domain::DataLoss(what + ": a file of the ledger is missing: " + s.ToString());
  }
  return domain::Internal(what + ": " + s.ToString());
}

// RocksDB's own messages: errors to standard error, the rest dropped.
// RocksDB would otherwise keep an info log (LOG) in the ledger directory and
// rotate it on every open: a file written by every command, readers
// included, and on a full disk an assertion in RocksDB's logger (Debian's
// build keeps assertions) aborts the process instead of failing the write.
class StderrErrorLogger final : public rocksdb::Logger {
 public:
  StderrErrorLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::ERROR_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < rocksdb::InfoLogLevel::ERROR_LEVEL) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "qledger: rocksdb: %s\n", line);
  }
};

AckedHead AckedOf(const Head& head) {
  return AckedHead{head.seq, head.seq == 0 ? std::string(64, '0') : head.hash};
}

rocksdb::Options BaseOptions() {
  rocksdb::Options o;
  o.create_if_missing = false;
  o.compression = rocksdb::kNoCompression;
  static const std::shared_ptr<rocksdb::Logger> kLogger = std::make_shared<StderrErrorLogger>();
  o.info_log = kLogger;
  o.max_open_files = 256;
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
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  o.memtable_prefix_bloom_size_ratio = 0.02;
  o.memtable_whole_key_filtering = true;
  return o;
}

class RocksEventStore final : public EventStore, private domain::LedgerView {
 public:
  RocksEventStore(std::unique_ptr<rocksdb::DB> db, Mode mode, std::string dir)
      : db_(std::move(db)), mode_(mode), dir_(std::move(dir)) {}

  Status LoadHead() {
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

  // The open checks (docs/recovery.md), run by every open and every
  // catch-up: the head record names a stored event with that hash and
  // nothing is stored after it; the store holds every event the writer
  // acknowledged (acked, read from QLEDGER-HEAD before the store was read),
  // with the acknowledged hash. kDataLoss naming the damage otherwise.
  // (Opens check the table files too: CheckTableFiles.)
  Status CheckIntegrity(const std::optional<AckedHead>& acked) const {
    QLEDGER_RETURN_IF_ERROR(CheckHeadRecord());
    if (!acked) {
      QLEDGER_ASSIGN_OR_RETURN(auto marked, HasAckedMarker());
      // Without the marker this is a ledger of the first release, which
      // kept no acknowledged head: there is nothing to compare with.
      if (marked && head_.seq > 0) {
        return domain::DataLoss("the acknowledged-head record " + AckedHeadPath(dir_) +
                                " is missing: the ledger cannot be checked against what it acknowledged, so it is "
                                "not used; restore it from the latest backup (docs/recovery.md)");
      }
      return Status::Ok();
    }
    if (head_.seq < acked->seq) {
      std::string missing = head_.seq + 1 == acked->seq
                                ? "event " + std::to_string(acked->seq) + " was"
                                : "events " + std::to_string(head_.seq + 1) + ".." + std::to_string(acked->seq) +
                                      " were";
      return domain::DataLoss("the ledger at " + dir_ + " has lost acknowledged events: " + missing +
                              " acknowledged (head seq " + std::to_string(acked->seq) + " hash " + acked->hash +
                              " in " + AckedHeadPath(dir_) + ") but the store ends at seq " +
                              std::to_string(head_.seq) +
                              "; it is neither read nor written until restored (docs/recovery.md)");
    }
    if (acked->seq == 0) return Status::Ok();
    auto hash = StoredHash(acked->seq);
    if (!hash.ok()) return hash.status();
    if (*hash != acked->hash) {
      return domain::DataLoss("the ledger at " + dir_ + " has forked: event " + std::to_string(acked->seq) +
                              " was acknowledged with hash " + acked->hash + " but is stored with hash " + *hash +
                              "; it is neither read nor written until restored (docs/recovery.md)");
    }
    return Status::Ok();
  }

  Status CatchUp() override {
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
      QLEDGER_RETURN_IF_ERROR(LoadHead());
      // At the first catch-up (the open) the reader's checks have run, and
      // the chain's re-hashing reads every event anyway.
      Status whole = before.seq == 0 ? Status::Ok() : CheckContiguous(before.seq, head_.seq);
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

  // Every event from+1..to is stored (bounded: a larger step, as at start,
  // is left to the chain's re-hashing, which reads every event).
  Status CheckContiguous(int64_t from, int64_t to) const {
    constexpr int64_t kMaxChecked = 100000;
    if (to <= from || to - from > kMaxChecked) return Status::Ok();
    rocksdb::ReadOptions ro;
    std::string upper = EventKey(to + 1);
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    int64_t expected = from + 1;
    for (it->Seek(EventKey(expected)); it->Valid() && expected <= to; it->Next(), ++expected) {
      rocksdb::Slice k = it->key();
      if (k.size() != 9 || k[0] != 'e') break;
      if (static_cast<int64_t>(DecodeFixed64BE(std::string_view(k.data() + 1, 8))) != expected) break;
    }
    QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));
    if (expected <= to) {
      return domain::Unavailable("events " + std::to_string(expected) + ".." + std::to_string(to) +
                                 " are not all visible yet");
    }
    return Status::Ok();
  }

  // Writer only: records head as acknowledged.
  Status RecordAcknowledged(const Head& head) {
    return WriteAckedHead(dir_, AckedOf(head));
  }

  // Writer only: a ledger of the first release starts keeping its
  // acknowledged head; one that has it brings it up to a head that a crash
  // kept from being acknowledged (the store is never behind it here: the
  // open checks passed).
  Status AdoptAcknowledged(const std::optional<AckedHead>& acked) {
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

  Head head() const override { return head_; }

  // Every table file the MANIFEST lists is there, at its size. (RocksDB
  // opens them lazily; a follower would otherwise answer from the log alone.)
  Status CheckTableFiles() const {
    std::vector<rocksdb::LiveFileMetaData> files;
    db_->GetLiveFilesMetaData(&files);
    for (const auto& f : files) {
      std::string path = f.directory + "/" + f.relative_filename;
      std::error_code ec;
      uintmax_t size = std::filesystem::file_size(path, ec);
      if (ec) {
        return domain::DataLoss("a file of the ledger is missing: table file " + path +
                                ", listed in the MANIFEST, cannot be read (" + ec.message() + ")");
      }
      if (size != f.size) {
        return domain::DataLoss("table file " + path + " is " + std::to_string(size) + " bytes, but the MANIFEST says " +
                                std::to_string(f.size));
      }
    }
    return Status::Ok();
  }

  // The head record names a stored event with its hash, and no event is
  // stored after it.
  Status CheckHeadRecord() const {
    if (head_.seq > 0) {
      auto hash = StoredHash(head_.seq);
      if (!hash.ok()) return hash.status();
      if (*hash != head_.hash) {
        return domain::DataLoss("the ledger head record (seq " + std::to_string(head_.seq) + " hash " + head_.hash +
                                ") does not match event " + std::to_string(head_.seq) + " (hash " + *hash + ")");
      }
    }
    std::string ignored;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EventKey(head_.seq + 1), &ignored);
    if (s.ok()) {
      return domain::DataLoss("event " + std::to_string(head_.seq + 1) + " is stored after the ledger head record (seq " +
                              std::to_string(head_.seq) + ")");
    }
    if (!s.IsNotFound()) return FromRocks(s, "reading event " + std::to_string(head_.seq + 1));
    return Status::Ok();
  }

  Result<bool> HasAckedMarker() const {
    std::string ignored;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), std::string(kAckedMarkerKey), &ignored);
    if (s.IsNotFound()) return false;
    QLEDGER_RETURN_IF_ERROR(FromRocks(s, "reading the ledger's marks"));
    return true;
  }

  // The stored hash (64 hex) of event seq; kDataLoss if it is not stored.
  Result<std::string> StoredHash(int64_t seq) const {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EventKey(seq), &v);
    if (s.IsNotFound()) return domain::DataLoss("event " + std::to_string(seq) + " is missing from the store");
    QLEDGER_RETURN_IF_ERROR(FromRocks(s, "reading event " + std::to_string(seq)));
    if (v.size() < 33) return domain::DataLoss("event " + std::to_string(seq) + ": stored record is truncated");
    return ToHex(std::string_view(v).substr(0, 32));
  }

  // ---- LedgerView (for the batch rules) ----

  Result<std::optional<KnownEvent>> Find(const std::string& id) const override {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), IdKey(id), &v);
    if (s.IsNotFound()) return std::optional<KnownEvent>();
    if (!s.ok()) return FromRocks(s, "reading the id index");
    // Stored bytes are checked before they are used: seq(8) type(1) ...
    auto type_byte = v.size() >= 9 ? static_cast<uint8_t>(v[8]) : 0;
    if (type_byte < static_cast<uint8_t>(EventType::kPolicyAdopted) ||
        type_byte > static_cast<uint8_t>(EventType::kBudgetExpense)) {
      return domain::DataLoss("the id index entry of \"" + id + "\" is malformed (" + std::to_string(v.size()) +
                              " bytes); run qledger verify");
    }
    KnownEvent k;
    k.seq = static_cast<int64_t>(DecodeFixed64BE(v));
    k.type = static_cast<EventType>(type_byte);
    std::string_view rest = std::string_view(v).substr(9);
    size_t nul = rest.find('\0');
    k.department = std::string(rest.substr(0, nul));
    k.period = nul == std::string_view::npos ? "" : std::string(rest.substr(nul + 1));
    std::string ignored;
    s = db_->Get(rocksdb::ReadOptions(), VoidKey(id), &ignored);
    if (!s.ok() && !s.IsNotFound()) return FromRocks(s, "reading the void index");
    k.voided = s.ok();
    return std::optional<KnownEvent>(k);
  }

  Result<std::string> ContentKeyOf(const std::string& id) const override {
    QLEDGER_ASSIGN_OR_RETURN(auto k, Find(id));
    if (!k.has_value()) return domain::NotFound("no event \"" + id + "\"");
    auto e = Get(k->seq);
    if (!e.ok()) return e.status();
    return domain::ContentKey(*e);
  }

  Result<std::optional<std::string>> ActiveMonthly(EventType type, const std::string& dept,
                                                   const std::string& month) const override {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), MonthlyKey(static_cast<uint8_t>(type), dept, month), &v);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "reading the monthly index");
    return std::optional<std::string>(v);
  }

  Result<QuarterStatus> StatusOf(const Quarter& q) const override {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), StatusKey(q.ToString()), &v);
    // Only a status that is not there means open: a failed read never does
    // (it would let a fact into an approved quarter).
    if (s.IsNotFound()) return QuarterStatus::kOpen;
    if (!s.ok()) return FromRocks(s, "reading the status of quarter " + q.ToString());
    if (v.size() != 1 || (v[0] != 1 && v[0] != 2)) {
      return domain::DataLoss("the stored status of quarter " + q.ToString() + " is malformed; run qledger verify");
    }
    return v[0] == 1 ? QuarterStatus::kApproved : QuarterStatus::kReopened;
  }

  Result<std::vector<domain::AdoptedPolicy>> Policies() const override {
    std::vector<domain::AdoptedPolicy> out;
    std::vector<int64_t> seqs;
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs("p", &seqs));
    for (int64_t seq : seqs) {
      QLEDGER_ASSIGN_OR_RETURN(auto e, Get(seq));
      auto a = domain::AdoptedPolicyOf(e);
      if (!a.ok()) return a.status();
      out.push_back(std::move(*a));
    }
    return out;
  }

  // ---- Appending ----

  // Plans batch against this store as it is (in any mode): the
  // --expect-head check, then the ledger's rules. *out gets the head, the
  // duplicates and every error; out->appended what would be written.
  Result<domain::BatchPlan> PlanAppend(const std::vector<domain::InputEvent>& batch, const AppendOptions& options,
                                       AppendOutcome* out) const {
    *out = AppendOutcome{};
    out->head = head_;
    if (options.expect_head && *options.expect_head != head_.seq) {
      return domain::Aborted("the ledger head is seq " + std::to_string(head_.seq) + ", not the expected " +
                             std::to_string(*options.expect_head) + ": someone appended first; nothing was appended");
    }
    auto plan = domain::PlanBatch(*this, batch);
    if (!plan.ok()) return plan.status();
    out->duplicates = plan->duplicates;
    out->errors = std::move(plan->errors);
    out->appended = out->errors.empty() ? static_cast<int64_t>(plan->to_append.size()) : 0;
    return plan;
  }

  // True when a plan leaves nothing to write.
  static bool NothingToWrite(const AppendOutcome& out, const AppendOptions& options) {
    return !out.errors.empty() || options.dry_run || out.appended == 0;
  }

  Result<AppendOutcome> Append(const std::vector<domain::InputEvent>& batch, const AppendOptions& options) override {
    if (mode_ != Mode::kWriter && !options.dry_run) return domain::FailedPrecondition("the ledger is open read-only");
    AppendOutcome out;
    QLEDGER_ASSIGN_OR_RETURN(auto plan, PlanAppend(batch, options, &out));
    if (NothingToWrite(out, options)) return out;
    return WritePlan(std::move(plan), options, std::move(out));
  }

  // Writes a plan that PlanAppend made against this store's current head.
  // REQUIRES: writer; out as PlanAppend left it, with something to write.
  Result<AppendOutcome> WritePlan(domain::BatchPlan plan, const AppendOptions& options, AppendOutcome out) {
    if (mode_ != Mode::kWriter) return domain::FailedPrecondition("the ledger is open read-only");
    pending_quarters_.clear();
    std::string now = options.now.empty() ? domain::NowUtc() : options.now;
    // recorded_at never goes backwards, so that --as-of TIME is well defined
    // even if the clock is stepped back.
    if (now < head_.recorded_at) now = head_.recorded_at;
    Head head = head_;
    std::vector<Event>& events = plan.to_append;
    const size_t n = events.size();
    for (size_t i = 0; i < n; ++i) {
      events[i].seq = head.seq + 1 + static_cast<int64_t>(i);
      events[i].recorded_at = now;
    }
    // What depends on nothing but the event itself — its hash input
    // (canonical JSON), its quarter, its 'i' entry and its own 'x' key — a
    // large batch builds in two halves at once. The chain and the index
    // effects that depend on earlier events are sequential.
    std::vector<std::string> inputs(n);
    std::vector<std::string> quarters(n);  // "" for types without a quarter
    KeyValues id_entries(n);
    std::vector<std::string> index_keys(n);
    auto prepare = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        const Event& e = events[i];
        inputs[i] = domain::HashInput(e);
        std::string& idv = id_entries[i].second;
        PutFixed64BE(&idv, static_cast<uint64_t>(e.seq));
        idv.push_back(static_cast<char>(e.type));
        idv += e.department;
        idv.push_back('\0');
        idv += e.period;
        id_entries[i].first = IdKey(e.id);
        if (auto q = e.quarter()) {
          quarters[i] = q->ToString();
          index_keys[i] = IndexKey(quarters[i], domain::HasDepartment(e.type) ? e.department : "", e.seq);
        }
      }
    };
    if (n < kParallelMin) {
      prepare(0, n);
    } else {
      std::function<void()> second_half = [&] { prepare(n / 2, n); };
      std::thread helper = StartHelper(second_half);
      prepare(0, n / 2);
      if (helper.joinable()) helper.join();
    }
    // The batch's buffer at its final size at once (it would grow by
    // doubling, copying megabytes): the records plus ~200 bytes of keys and
    // index values per event.
    size_t record_bytes = 0;
    for (const auto& in : inputs) record_bytes += in.size() + 32;
    rocksdb::WriteBatch wb(record_bytes + n * 200);
    BatchIds batch_ids;
    for (size_t i = 0; i < n && batch_ids.empty(); ++i) {
      // Voids may target events earlier in the batch: index the batch's ids
      // (only then: voids are rare).
      if (events[i].type == EventType::kEntryVoided) {
        batch_ids.reserve(n);
        for (size_t j = 0; j < n; ++j) batch_ids.emplace(events[j].id, j);
      }
    }
    // The chain is sequential. The index effects (in event order) and
    // sorting the keys do not depend on it: a large batch does them on this
    // thread while a second one computes the chain.
    std::string raw_hashes;  // 32 bytes per event
    raw_hashes.reserve(n * 32);
    std::function<void()> chain = [&] {
      for (size_t i = 0; i < n; ++i) {
        events[i].hash = domain::ChainHash(i == 0 ? head_.hash : events[i - 1].hash, inputs[i]);
        AppendFromHex(events[i].hash, &raw_hashes);
      }
    };
    std::thread chain_thread;
    if (n < kParallelMin) chain();
    else chain_thread = StartHelper(chain);
    Status effects = Status::Ok();
    for (size_t i = 0; i < n && effects.ok(); ++i) {
      effects = AddIndexEffects(events, i, quarters[i], batch_ids, &wb, &index_keys);
    }
    // The per-event keys ('e', 'i', 'x': each written once per batch, so
    // their order does not matter) go in ascending key order: RocksDB's
    // memtable skip list inserts a key next to the previous one cheaply, and
    // in event order ids and index keys land all over it. Every other
    // operation keeps its order (the same 'm' key may be put and deleted in
    // one batch). First the 'e' records, in seq order (already ascending,
    // and 'e' < 'i' < 'x'), gathered from the hash and the hash input without
    // copying them into one string; then the 'i' entries and the 'x' keys,
    // each sorted.
    if (effects.ok()) {
      std::erase(index_keys, std::string());
      std::sort(id_entries.begin(), id_entries.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      std::sort(index_keys.begin(), index_keys.end());
    }
    if (chain_thread.joinable()) chain_thread.join();
    QLEDGER_RETURN_IF_ERROR(effects);
    head = Head{events.back().seq, events.back().hash, now};
    for (size_t i = 0; i < n; ++i) {
      std::string key = EventKey(events[i].seq);
      rocksdb::Slice key_slice(key);
      rocksdb::Slice value_parts[2] = {rocksdb::Slice(raw_hashes.data() + i * 32, 32), rocksdb::Slice(inputs[i])};
      wb.Put(rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(value_parts, 2));
    }
    for (const auto& [key, value] : id_entries) wb.Put(key, value);
    for (const auto& key : index_keys) wb.Put(key, "");
    std::string head_value;
    PutFixed64BE(&head_value, static_cast<uint64_t>(head.seq));
    head_value += FromHex(head.hash);
    head_value += head.recorded_at;
    wb.Put(std::string(kHeadKey), head_value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    // Everything needed is in the write batch now: the planned events and
    // their hash inputs are freed on another thread while this one writes
    // and syncs (freeing a large batch costs as much as hashing it).
    struct Spent {
      domain::BatchPlan plan;
      std::vector<std::string> inputs;
      KeyValues id_entries;
      std::vector<std::string> index_keys;
    } spent{std::move(plan), std::move(inputs), std::move(id_entries), std::move(index_keys)};
    std::function<void()> free_spent = [&spent] { spent = Spent(); };
    std::thread free_batch;
    if (n >= kParallelMin) free_batch = StartHelper(free_spent);
    if (options.observe) options.observe("writing");
    rocksdb::Status written = db_->Write(wo, &wb);
    if (free_batch.joinable()) free_batch.join();
    QLEDGER_RETURN_IF_ERROR(FromRocks(written, "writing the batch"));
    if (options.observe) options.observe("written");
    quarters_written_.insert(pending_quarters_.begin(), pending_quarters_.end());
    head_ = head;
    out.head = head;
    Status acked = RecordAcknowledged(head);
    if (!acked.ok()) {
      // The batch is in the store but is not acknowledged: a retry of it
      // finds every event already there (duplicates), and the next open
      // brings the record up to date.
      return domain::Internal("the batch was written (head seq " + std::to_string(head.seq) +
                              ") but could not be acknowledged: " + acked.message() +
                              "; appending the same batch again appends nothing twice");
    }
    return out;
  }

  // Below this many events a second thread costs more than it saves.
  static constexpr size_t kParallelMin = 2000;

  using KeyValues = std::vector<std::pair<std::string, std::string>>;
  using BatchIds = std::unordered_map<std::string_view, size_t>;  // id -> index in the batch

  // Adds the index effects of events[i] that depend on what is already
  // stored (read here) or earlier in the batch (batch_ids) to the write
  // batch, in event order; 'x' keys (written once per batch, so in any
  // order) to *index_keys. Append adds the 'e' record, the 'i' entry and the
  // event's own 'x' key.
  Status AddIndexEffects(const std::vector<Event>& events, size_t i, const std::string& qs, const BatchIds& batch_ids,
                         rocksdb::WriteBatch* wb, std::vector<std::string>* index_keys) {
    const Event& e = events[i];
    // 'q' keys are never deleted: one Put per quarter is enough, not one per
    // event (each Put is another memtable entry).
    if (!qs.empty() && !quarters_written_.count(qs) && pending_quarters_.insert(qs).second) wb->Put(QuarterKey(qs), "");
    switch (e.type) {
      case EventType::kPolicyAdopted:
        wb->Put(SeqKey('p', e.seq), "");
        break;
      case EventType::kSelfcheckReported:
      case EventType::kSpotcheckRecorded:
        wb->Put(MonthlyKey(static_cast<uint8_t>(e.type), e.department, e.period), e.id);
        break;
      case EventType::kQuarterApproved:
        wb->Put(StatusKey(e.period), std::string(1, '\1'));
        break;
      case EventType::kQuarterReopened:
        wb->Put(StatusKey(e.period), std::string(1, '\2'));
        break;
      case EventType::kBudgetExpense:
        wb->Put(YearKey(e.period, e.seq), "");
        break;
      case EventType::kEntryVoided: {
        std::string target = DataString(e, "target");
        std::string seqv;
        PutFixed64BE(&seqv, static_cast<uint64_t>(e.seq));
        wb->Put(VoidKey(target), seqv);
        std::optional<KnownEvent> t;
        if (auto it = batch_ids.find(target); it != batch_ids.end() && it->second < i) {
          const Event& te = events[it->second];
          t = KnownEvent{te.seq, te.type, te.department, te.period, false};
        } else {
          QLEDGER_ASSIGN_OR_RETURN(auto found, Find(target));
          t = found;
        }
        if (!t) return domain::Internal("void target \"" + target + "\" vanished during the append");
        Event te;
        te.type = t->type;
        te.period = t->period;
        if (auto tq = te.quarter()) {
          index_keys->push_back(IndexKey(tq->ToString(), domain::HasDepartment(t->type) ? t->department : "", e.seq));
        }
        if (t->type == EventType::kBudgetExpense) wb->Put(YearKey(t->period, e.seq), "");
        if (t->type == EventType::kSelfcheckReported || t->type == EventType::kSpotcheckRecorded) {
          wb->Delete(MonthlyKey(static_cast<uint8_t>(t->type), t->department, t->period));
        }
        break;
      }
      default:
        break;
    }
    return Status::Ok();
  }

  // ---- Reading ----

  Result<Event> Get(int64_t seq) const override {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EventKey(seq), &v);
    if (s.IsNotFound()) return domain::NotFound("no event with seq " + std::to_string(seq));
    if (!s.ok()) return FromRocks(s, "reading event " + std::to_string(seq));
    return Decode(seq, v);
  }

  static Result<Event> Decode(int64_t seq, std::string_view v) {
    if (v.size() < 33) return domain::DataLoss("event " + std::to_string(seq) + ": stored record is truncated");
    auto e = domain::ParseExportedEvent(v.substr(32));
    if (!e.ok()) return domain::DataLoss("event " + std::to_string(seq) + ": " + e.status().message());
    e->hash = ToHex(v.substr(0, 32));
    return e;
  }

  Result<std::optional<Event>> FindById(const std::string& id) const override {
    QLEDGER_ASSIGN_OR_RETURN(auto k, Find(id));
    if (!k.has_value()) return std::optional<Event>();
    auto e = Get(k->seq);
    if (!e.ok()) return e.status();
    return std::optional<Event>(std::move(*e));
  }

  Status Scan(int64_t from, int64_t to, const std::function<bool(const Event&)>& fn) const override {
    rocksdb::ReadOptions ro;
    std::string upper = EventKey(to == INT64_MAX ? to : to + 1);
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(EventKey(std::max<int64_t>(from, 1))); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != 9 || k[0] != 'e') break;
      int64_t seq = static_cast<int64_t>(DecodeFixed64BE(std::string_view(k.data() + 1, 8)));
      QLEDGER_ASSIGN_OR_RETURN(auto e, Decode(seq, std::string_view(it->value().data(), it->value().size())));
      if (!fn(e)) break;
    }
    return FromRocks(it->status(), "scanning events");
  }

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
  void ReadChunk(int64_t first, int64_t last, ScanChunk* out) const {
    rocksdb::ReadOptions ro;
    std::string upper = EventKey(last == INT64_MAX ? last : last + 1);
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    ro.fill_cache = false;  // read once: keep the block cache for lookups
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    out->events.reserve(static_cast<size_t>(std::min<int64_t>(kChunk, last - first + 1)));
    for (it->Seek(EventKey(first)); it->Valid(); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != 9 || k[0] != 'e') {
        out->ended = true;
        return;
      }
      int64_t seq = static_cast<int64_t>(DecodeFixed64BE(std::string_view(k.data() + 1, 8)));
      auto e = Decode(seq, std::string_view(it->value().data(), it->value().size()));
      if (!e.ok()) {
        out->status = e.status();
        return;
      }
      out->events.push_back(std::move(*e));
    }
    out->status = FromRocks(it->status(), "scanning events");
  }

  Status ScanAhead(int64_t from, int64_t to, const std::function<bool(const Event&)>& fn,
                   int threads) const override {
    from = std::max<int64_t>(from, 1);
    // Chunks cover up to the head; the last one runs on to `to`, so that an
    // event past the head (a follower behind its writer) is still seen.
    int64_t last_chunked = std::min(to, std::max(head_.seq, from));
    if (threads < 1 || to < from) return Scan(from, to, fn);
    const int64_t chunks = (last_chunked - from) / kChunk + 1;
    std::vector<ScanChunk> results(static_cast<size_t>(chunks));
    std::mutex mu;
    std::condition_variable cv;
    int64_t next_claim = 0;  // guarded by mu
    int64_t consumed = 0;    // guarded by mu
    bool stop = false;       // guarded by mu
    // Chunks the calling thread is done with, by the worker that read them.
    // That worker frees their events (as much work as decoding them; the
    // calling thread is the one every event waits for, and memory goes back
    // to the malloc arena it came from without contending for its lock) and
    // reuses the vector: allocating and freeing a megabyte per chunk makes
    // malloc consolidate its free lists each time.
    std::vector<std::vector<std::vector<Event>>> spent(static_cast<size_t>(threads));  // guarded by mu
    auto work = [&](int worker) {
      auto& my_spent = spent[static_cast<size_t>(worker)];
      while (true) {
        int64_t k;
        ScanChunk chunk;
        chunk.worker = worker;
        {
          std::unique_lock lock(mu);
          cv.wait(lock, [&] { return stop || next_claim >= chunks || next_claim < consumed + kAheadPerThread * threads; });
          if (stop || next_claim >= chunks) return;
          k = next_claim++;
          if (!my_spent.empty()) {
            chunk.events = std::move(my_spent.back());
            my_spent.pop_back();
          }
        }
        chunk.events.clear();
        int64_t first = from + k * kChunk;
        int64_t last = k == chunks - 1 ? to : first + kChunk - 1;
        ReadChunk(first, last, &chunk);
        std::lock_guard lock(mu);
        chunk.ready = true;
        results[static_cast<size_t>(k)] = std::move(chunk);
        cv.notify_all();
      }
    };
    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) workers.emplace_back(work, i);
    auto finish = [&](Status st) {
      {
        std::lock_guard lock(mu);
        stop = true;
      }
      cv.notify_all();
      for (auto& w : workers) w.join();
      return st;
    };
    for (int64_t k = 0; k < chunks; ++k) {
      ScanChunk chunk;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return results[static_cast<size_t>(k)].ready; });
        chunk = std::move(results[static_cast<size_t>(k)]);
        consumed = k + 1;
      }
      cv.notify_all();
      for (const Event& e : chunk.events) {
        if (!fn(e)) return finish(Status::Ok());
      }
      if (!chunk.status.ok() || chunk.ended) return finish(chunk.status);
      std::lock_guard lock(mu);
      spent[static_cast<size_t>(chunk.worker)].push_back(std::move(chunk.events));
    }
    return finish(Status::Ok());
  }

  Status PrefixSeqs(const std::string& prefix, std::vector<int64_t>* out) const {
    rocksdb::ReadOptions ro;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
      rocksdb::Slice k = it->key();
      if (k.size() != prefix.size() + 8) continue;
      out->push_back(static_cast<int64_t>(DecodeFixed64BE(std::string_view(k.data() + prefix.size(), 8))));
    }
    return FromRocks(it->status(), "reading an index");
  }

  Result<std::vector<Event>> GetMany(std::vector<int64_t> seqs) const {
    std::sort(seqs.begin(), seqs.end());
    seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
    std::vector<std::string> keys;
    keys.reserve(seqs.size());
    for (int64_t s : seqs) keys.push_back(EventKey(s));
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<std::string> values;
    std::vector<rocksdb::Status> st = db_->MultiGet(rocksdb::ReadOptions(), slices, &values);
    std::vector<Event> out;
    out.reserve(seqs.size());
    for (size_t i = 0; i < seqs.size(); ++i) {
      if (st[i].IsNotFound()) return domain::DataLoss("index names event " + std::to_string(seqs[i]) + ", which is missing");
      QLEDGER_RETURN_IF_ERROR(FromRocks(st[i], "reading event " + std::to_string(seqs[i])));
      QLEDGER_ASSIGN_OR_RETURN(auto e, Decode(seqs[i], values[i]));
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<domain::ReplayInput> LoadReplay(const Quarter& q, const std::string& department) const override {
    std::vector<int64_t> seqs;
    std::string qs = q.ToString();
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs(IndexPrefix(qs, department), &seqs));
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs(IndexPrefix(qs, ""), &seqs));
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs("p", &seqs));
    auto events = GetMany(std::move(seqs));
    if (!events.ok()) return events.status();
    domain::ReplayInput in;
    in.quarter = q;
    in.department = department;
    in.events = std::move(*events);
    in.head_seq = head_.seq;
    return in;
  }

  Result<std::vector<Event>> PolicyEvents() const override {
    std::vector<int64_t> seqs;
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs("p", &seqs));
    return GetMany(std::move(seqs));
  }

  Result<std::vector<std::string>> Quarters() const override {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek("q"); it->Valid() && it->key().starts_with("q"); it->Next()) {
      out.push_back(it->key().ToString().substr(1));
    }
    QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "listing quarters"));
    return out;
  }

  Result<std::vector<Event>> YearEvents(const std::string& year) const override {
    std::vector<int64_t> seqs;
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs(YearPrefix(year), &seqs));
    return GetMany(std::move(seqs));
  }

  Result<int64_t> SeqAtTime(const std::string& instant) const override {
    auto t = domain::ParseInstant(instant);
    if (!t) return domain::InvalidArgument("\"" + instant + "\" is neither a seq nor a date or date-time");
    // A bare date means the end of that day.
    int64_t limit = instant.size() == 10 ? *t + 86399 : *t;
    int64_t lo = 0, hi = head_.seq;  // invariant: events <= lo are at or before limit
    while (lo < hi) {
      int64_t mid = lo + (hi - lo + 1) / 2;
      QLEDGER_ASSIGN_OR_RETURN(auto e, Get(mid));
      auto rt = domain::ParseInstant(e.recorded_at);
      if (rt && *rt <= limit) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  Result<VerifyReport> Verify() const override {
    VerifyReport r;
    std::string prev;
    int64_t expected = 1;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(EventKey(1)); it->Valid() && it->key().starts_with("e"); it->Next()) {
      rocksdb::Slice k = it->key();
      std::string_view v(it->value().data(), it->value().size());
      auto fail = [&](int64_t seq, std::string why) {
        r.bad_seq = seq;
        r.problem = std::move(why);
      };
      if (k.size() != 9) { fail(expected, "a stored key is malformed"); break; }
      int64_t seq = static_cast<int64_t>(DecodeFixed64BE(std::string_view(k.data() + 1, 8)));
      if (seq != expected) { fail(expected, "event " + std::to_string(expected) + " is missing (next stored is " + std::to_string(seq) + ")"); break; }
      if (v.size() < 33) { fail(seq, "stored record is truncated"); break; }
      std::string_view body = v.substr(32);
      std::string stored_hash = ToHex(v.substr(0, 32));
      std::string computed = domain::ChainHash(prev, body);
      auto e = domain::ParseExportedEvent(body);
      if (!e.ok()) { fail(seq, "stored event is not valid JSON: " + e.status().message()); break; }
      std::string id_part = e->id.empty() ? "" : " \"" + e->id + "\"";
      if (e->seq != seq) { fail(seq, "event" + id_part + " says seq " + std::to_string(e->seq) + " but is stored as " + std::to_string(seq)); break; }
      if (domain::HashInput(*e) != body) { fail(seq, "event" + id_part + " is not in canonical form: its bytes were altered"); break; }
      if (computed != stored_hash) { fail(seq, "event" + id_part + ": hash mismatch: stored " + stored_hash + ", computed " + computed); break; }
      prev = computed;
      r.head = Head{seq, computed, e->recorded_at};
      r.events = seq;
      ++expected;
    }
    if (!r.bad_seq) {
      QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));
      if (r.head.seq != head_.seq || r.head.hash != head_.hash) {
        r.bad_seq = std::min(r.head.seq, head_.seq) + 1;
        r.problem = "the recorded head (seq " + std::to_string(head_.seq) + ") does not match the chain (seq " +
                    std::to_string(r.head.seq) + ")";
      } else {
        QLEDGER_RETURN_IF_ERROR(CheckIndexes(db_.get(), &r.index_problem));
      }
    }
    return r;
  }

  Status Backup(const std::string& dir) const override {
    if (std::filesystem::exists(dir)) return domain::AlreadyExists("backup target " + dir + " already exists");
    rocksdb::Checkpoint* raw = nullptr;
    QLEDGER_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing the backup"));
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    QLEDGER_RETURN_IF_ERROR(FromRocks(cp->CreateCheckpoint(dir), "writing the backup to " + dir));
    // The writer holds the lock: the copy's head is head_.
    return WriteAckedHead(dir, AckedOf(head_));
  }

 private:
  const std::unique_ptr<rocksdb::DB> db_;
  const Mode mode_;
  const std::string dir_;
  Head head_;
  std::unordered_set<std::string> pending_quarters_;  // 'q' keys put in the batch being written
  // 'q' keys this writer has written (durably); the writer holds the lock, so
  // they cannot have gone since.
  std::unordered_set<std::string> quarters_written_;
};

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
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(o, dir, &raw);
  if (!s.ok()) return FromRocks(s, "opening the ledger at " + dir + " read-only");
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kReader, dir);
  QLEDGER_RETURN_IF_ERROR(store->CheckTableFiles());
  QLEDGER_RETURN_IF_ERROR(store->LoadHead());
  QLEDGER_RETURN_IF_ERROR(store->CheckIntegrity(acked));
  return store;
}

// A writer's open — its recovery turns the log into a table file, writes a
// new MANIFEST and deletes the files they replace — can race a read-only
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
  return std::unique_ptr<EventStore>(std::move(store));
}

namespace {

// Takes the writer lock of dir, waiting up to busy_wait, and runs the open
// checks again under it (another writer may have appended meanwhile).
// REQUIRES: OpenChecked(dir) passed, so that RocksDB's recovery, which
// writes, runs only on a store that is not known to be damaged.
Result<std::unique_ptr<RocksEventStore>> OpenLocked(const std::string& dir, std::chrono::milliseconds busy_wait) {
  auto deadline = std::chrono::steady_clock::now() + busy_wait;
  auto pause = std::chrono::milliseconds(5);
  while (true) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(BaseOptions(), dir, &raw);
    if (s.ok()) {
      auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kWriter, dir);
      QLEDGER_RETURN_IF_ERROR(store->CheckTableFiles());
      QLEDGER_RETURN_IF_ERROR(store->LoadHead());
      QLEDGER_ASSIGN_OR_RETURN(auto acked, ReadAckedHead(dir));
      QLEDGER_RETURN_IF_ERROR(store->CheckIntegrity(acked));
      QLEDGER_RETURN_IF_ERROR(store->AdoptAcknowledged(acked));
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
// dir's file system may not hold: the writer's open turns the write-ahead
// logs into a table file (as large again), and each event takes its record,
// its index entries and its share of the log. The bound is generous on
// purpose: a full disk found halfway through leaves RocksDB's files half
// made, while a refusal here leaves everything as it was.
Status CheckFreeSpace(const std::string& dir, int64_t events) {
  namespace fs = std::filesystem;
  std::error_code ec;
  uint64_t logs = 0;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".log") logs += it->file_size(ec);
  }
  fs::space_info space = fs::space(dir, ec);
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
  }
  QLEDGER_RETURN_IF_ERROR(CheckFreeSpace(dir, 0));
  QLEDGER_ASSIGN_OR_RETURN(auto store, OpenLocked(dir, busy_wait));
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<AppendOutcome> EventStore::AppendTo(const std::string& dir, const std::vector<domain::InputEvent>& batch,
                                           const AppendOptions& options, std::chrono::milliseconds busy_wait) {
  AppendOutcome out;
  Head seen;
  Result<domain::BatchPlan> plan = domain::Internal("not planned");
  {
    QLEDGER_ASSIGN_OR_RETURN(auto reader, OpenChecked(dir));
    plan = reader->PlanAppend(batch, options, &out);
    if (!plan.ok()) return plan.status();
    if (RocksEventStore::NothingToWrite(out, options)) return out;
    seen = reader->head();
  }
  QLEDGER_RETURN_IF_ERROR(CheckFreeSpace(dir, out.appended));
  QLEDGER_ASSIGN_OR_RETURN(auto writer, OpenLocked(dir, busy_wait));
  // The plan holds while nothing was appended since it was made: the store
  // only grows, and its head says how far.
  if (writer->head().seq != seen.seq || writer->head().hash != seen.hash) {
    plan = writer->PlanAppend(batch, options, &out);
    if (!plan.ok()) return plan.status();
    if (RocksEventStore::NothingToWrite(out, options)) return out;
  }
  return writer->WritePlan(std::move(*plan), options, std::move(out));
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
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(o, dir, secondary_dir, &raw);
  if (!s.ok()) return FromRocks(s, "opening the ledger at " + dir + " as a follower");
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kFollower, dir);
  QLEDGER_RETURN_IF_ERROR(store->CatchUp());
  return std::unique_ptr<EventStore>(std::move(store));
}

}  // namespace qledger::storage
