// The RocksDB implementation of EventStore. See keys.h for the layout.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "keys.h"
#include "qledger/domain/batch.h"
#include "qledger/domain/canonical_json.h"
#include "qledger/domain/policy.h"
#include "qledger/storage/event_store.h"

namespace json = boost::json;

namespace qledger::storage {

using domain::Event;
using domain::EventType;
using domain::KnownEvent;
using domain::Quarter;
using domain::QuarterStatus;
using namespace internal;

namespace {

enum class Mode { kWriter, kReader, kFollower };

std::string ToHex(std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string FromHex(std::string_view hex) {
  std::string out;
  auto nibble = [](char c) -> int { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return domain::DataLoss(what + ": " + s.ToString());
  return domain::Internal(what + ": " + s.ToString());
}

rocksdb::Options BaseOptions() {
  rocksdb::Options o;
  o.create_if_missing = false;
  o.compression = rocksdb::kNoCompression;
  o.max_open_files = 256;
  o.keep_log_file_num = 4;
  o.write_buffer_size = 32 << 20;
  return o;
}

std::string DataString(const Event& e, const char* key) {
  auto it = e.data.find(key);
  return it != e.data.end() && it->value().is_string() ? std::string(it->value().get_string()) : std::string();
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

  Status CatchUp() override {
    if (mode_ != Mode::kFollower) return Status::Ok();
    QLEDGER_RETURN_IF_ERROR(FromRocks(db_->TryCatchUpWithPrimary(), "catching up with the writer"));
    return LoadHead();
  }

  Head head() const override { return head_; }

  // ---- LedgerView (for the batch rules) ----

  Result<std::optional<KnownEvent>> Find(const std::string& id) const override {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), IdKey(id), &v);
    if (s.IsNotFound()) return std::optional<KnownEvent>();
    if (!s.ok()) return FromRocks(s, "reading the id index");
    KnownEvent k;
    k.seq = static_cast<int64_t>(DecodeFixed64BE(v));
    k.type = static_cast<EventType>(static_cast<uint8_t>(v[8]));
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
    auto k = Find(id);
    if (!k.ok()) return k.status();
    if (!k->has_value()) return domain::NotFound("no event \"" + id + "\"");
    auto e = Get((*k)->seq);
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
    if (s.IsNotFound() || v.empty()) return QuarterStatus::kOpen;
    if (!s.ok()) return FromRocks(s, "reading quarter status");
    return v[0] == 1 ? QuarterStatus::kApproved : QuarterStatus::kReopened;
  }

  Result<std::vector<domain::AdoptedPolicy>> Policies() const override {
    std::vector<domain::AdoptedPolicy> out;
    std::vector<int64_t> seqs;
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs("p", &seqs));
    for (int64_t seq : seqs) {
      auto e = Get(seq);
      if (!e.ok()) return e.status();
      auto p = domain::ParsePolicy(e->data.at("policy"));
      if (!p.ok()) return domain::DataLoss("event " + std::to_string(seq) + ": stored policy: " + p.status().message());
      out.push_back({seq, e->data.at("version").as_int64(),
                     *Quarter::Parse(std::string(e->data.at("effective_from").as_string())), std::move(*p)});
    }
    return out;
  }

  // ---- Appending ----

  Result<AppendOutcome> Append(const std::vector<domain::InputEvent>& batch, const AppendOptions& options) override {
    if (mode_ != Mode::kWriter) return domain::FailedPrecondition("the ledger is open read-only");
    AppendOutcome out;
    out.head = head_;
    pending_.clear();
    pending_quarters_.clear();
    if (options.expect_head && *options.expect_head != head_.seq) {
      return domain::Aborted("the ledger head is seq " + std::to_string(head_.seq) + ", not the expected " +
                             std::to_string(*options.expect_head) + ": someone appended first; nothing was appended");
    }
    auto plan = domain::PlanBatch(*this, batch);
    if (!plan.ok()) return plan.status();
    out.duplicates = plan->duplicates;
    if (!plan->errors.empty()) {
      out.errors = std::move(plan->errors);
      return out;
    }
    out.appended = static_cast<int64_t>(plan->to_append.size());
    if (options.dry_run || plan->to_append.empty()) return out;

    std::string now = options.now.empty() ? domain::NowUtc() : options.now;
    // recorded_at never goes backwards, so that --as-of TIME is well defined
    // even if the clock is stepped back.
    if (now < head_.recorded_at) now = head_.recorded_at;
    rocksdb::WriteBatch wb;
    SortedPuts puts;
    Head head = head_;
    for (auto& e : plan->to_append) {
      e.seq = head.seq + 1;
      e.recorded_at = now;
      std::string input = domain::HashInput(e);
      e.hash = domain::ChainHash(head.hash, input);
      QLEDGER_RETURN_IF_ERROR(AddToBatch(e, input, &wb, &puts));
      head = Head{e.seq, e.hash, now};
    }
    // The per-event keys ('e', 'i', 'x': each written once per batch, so
    // their order does not matter) go in ascending key order: RocksDB's
    // memtable skip list inserts a key next to the previous one cheaply, and
    // in event order ids and index keys land all over it. Every other
    // operation keeps its order (the same 'm' key may be put and deleted in
    // one batch).
    std::sort(puts.begin(), puts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, value] : puts) wb.Put(key, value);
    std::string head_value;
    PutFixed64BE(&head_value, static_cast<uint64_t>(head.seq));
    head_value += FromHex(head.hash);
    head_value += head.recorded_at;
    wb.Put(std::string(kHeadKey), head_value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    QLEDGER_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "writing the batch"));
    quarters_written_.insert(pending_quarters_.begin(), pending_quarters_.end());
    head_ = head;
    out.head = head;
    return out;
  }

  // Adds e and its index entries to the write batch. Index effects depend on
  // what is already stored, read here (the batch's own earlier events are
  // tracked in pending_).
  using SortedPuts = std::vector<std::pair<std::string, std::string>>;

  Status AddToBatch(const Event& e, const std::string& hash_input, rocksdb::WriteBatch* wb, SortedPuts* puts) {
    std::string value = FromHex(e.hash);
    value += hash_input;
    puts->emplace_back(EventKey(e.seq), std::move(value));
    std::string idv;
    PutFixed64BE(&idv, static_cast<uint64_t>(e.seq));
    idv.push_back(static_cast<char>(e.type));
    idv += e.department;
    idv.push_back('\0');
    idv += e.period;
    puts->emplace_back(IdKey(e.id), std::move(idv));
    pending_[e.id] = KnownEvent{e.seq, e.type, e.department, e.period, false};

    auto q = e.quarter();
    if (q) {
      std::string qs = q->ToString();
      // 'q' keys are never deleted: one Put per quarter is enough, not one
      // per event (each Put is another memtable entry).
      if (!quarters_written_.count(qs) && pending_quarters_.insert(qs).second) wb->Put(QuarterKey(qs), "");
      puts->emplace_back(IndexKey(qs, domain::HasDepartment(e.type) ? e.department : "", e.seq), "");
    }
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
        if (auto it = pending_.find(target); it != pending_.end()) {
          t = it->second;
        } else {
          auto found = Find(target);
          if (!found.ok()) return found.status();
          t = *found;
        }
        if (!t) return domain::Internal("void target \"" + target + "\" vanished during the append");
        Event te;
        te.type = t->type;
        te.period = t->period;
        if (auto tq = te.quarter()) {
          puts->emplace_back(IndexKey(tq->ToString(), domain::HasDepartment(t->type) ? t->department : "", e.seq), "");
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
    auto k = Find(id);
    if (!k.ok()) return k.status();
    if (!k->has_value()) return std::optional<Event>();
    auto e = Get((*k)->seq);
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
      auto e = Decode(seq, std::string_view(it->value().data(), it->value().size()));
      if (!e.ok()) return e.status();
      if (!fn(*e)) break;
    }
    return FromRocks(it->status(), "scanning events");
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
      auto e = Decode(seqs[i], values[i]);
      if (!e.ok()) return e.status();
      out.push_back(std::move(*e));
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
      auto e = Get(mid);
      if (!e.ok()) return e.status();
      auto rt = domain::ParseInstant(e->recorded_at);
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
      }
    }
    return r;
  }

  Status Backup(const std::string& dir) const override {
    if (std::filesystem::exists(dir)) return domain::AlreadyExists("backup target " + dir + " already exists");
    rocksdb::Checkpoint* raw = nullptr;
    QLEDGER_RETURN_IF_ERROR(FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing the backup"));
    std::unique_ptr<rocksdb::Checkpoint> cp(raw);
    return FromRocks(cp->CreateCheckpoint(dir), "writing the backup to " + dir);
  }

 private:
  const std::unique_ptr<rocksdb::DB> db_;
  const Mode mode_;
  const std::string dir_;
  Head head_;
  // Events of the batch being written, for index effects within it.
  std::map<std::string, KnownEvent> pending_;
  std::set<std::string> pending_quarters_;  // 'q' keys put in the batch being written
  // 'q' keys this writer has written (durably); the writer holds the lock, so
  // they cannot have gone since.
  std::set<std::string> quarters_written_;
};

bool IsLockError(const rocksdb::Status& s) {
  return s.IsIOError() && (s.ToString().find("lock") != std::string::npos ||
                           s.ToString().find("Resource temporarily unavailable") != std::string::npos);
}

Status CheckIsLedger(const std::string& dir) {
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    return domain::NotFound("no ledger at " + dir + " (create one with: qledger init --data " + dir + ")");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<EventStore>> EventStore::Create(const std::string& dir) {
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT")) {
    return domain::AlreadyExists("a ledger already exists at " + dir);
  }
  rocksdb::Options o = BaseOptions();
  o.create_if_missing = true;
  o.error_if_exists = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(o, dir, &raw);
  if (!s.ok()) return FromRocks(s, "creating the ledger at " + dir);
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kWriter, dir);
  QLEDGER_RETURN_IF_ERROR(store->LoadHead());
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<std::unique_ptr<EventStore>> EventStore::OpenWriter(const std::string& dir, std::chrono::milliseconds busy_wait) {
  QLEDGER_RETURN_IF_ERROR(CheckIsLedger(dir));
  auto deadline = std::chrono::steady_clock::now() + busy_wait;
  auto pause = std::chrono::milliseconds(5);
  while (true) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(BaseOptions(), dir, &raw);
    if (s.ok()) {
      auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kWriter, dir);
      QLEDGER_RETURN_IF_ERROR(store->LoadHead());
      return std::unique_ptr<EventStore>(std::move(store));
    }
    if (!IsLockError(s)) return FromRocks(s, "opening the ledger at " + dir);
    if (std::chrono::steady_clock::now() >= deadline) {
      return domain::Unavailable("ledger busy: another writer has held " + dir + " for more than " +
                                 std::to_string(busy_wait.count()) + " ms; nothing was appended, try again");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(100));
  }
}

Result<std::unique_ptr<EventStore>> EventStore::OpenReader(const std::string& dir) {
  QLEDGER_RETURN_IF_ERROR(CheckIsLedger(dir));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(BaseOptions(), dir, &raw);
  if (!s.ok()) return FromRocks(s, "opening the ledger at " + dir + " read-only");
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kReader, dir);
  QLEDGER_RETURN_IF_ERROR(store->LoadHead());
  return std::unique_ptr<EventStore>(std::move(store));
}

Result<std::unique_ptr<EventStore>> EventStore::OpenFollower(const std::string& dir, const std::string& secondary_dir) {
  QLEDGER_RETURN_IF_ERROR(CheckIsLedger(dir));
  rocksdb::Options o = BaseOptions();
  o.max_open_files = -1;  // required by secondary instances
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(o, dir, secondary_dir, &raw);
  if (!s.ok()) return FromRocks(s, "opening the ledger at " + dir + " as a follower");
  auto store = std::make_unique<RocksEventStore>(std::unique_ptr<rocksdb::DB>(raw), Mode::kFollower, dir);
  QLEDGER_RETURN_IF_ERROR(store->CatchUp());
  return std::unique_ptr<EventStore>(std::move(store));
}

}  // namespace qledger::storage
