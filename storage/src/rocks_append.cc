// RocksEventStore (rocks_event_store.h): the ledger view the batch rules
// read (domain/batch.h), planning a batch against the store, and writing it:
// events, hash chain, id and content index, and the quarter, department,
// monthly and void indexes, in one synced write batch (all or nothing),
// then the acknowledged head.
#include "rocks_event_store.h"

#include <algorithm>
#include <functional>
#include <thread>

#include "qledger/domain/canonical_json.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/helper_thread.h"
#include "qledger/domain/merkle.h"
#include "qledger/domain/policy.h"
#include "merkle_store.h"

namespace qledger::storage::internal {

using domain::StartHelper;

namespace {

// Index entries into the write batch; 'x' keys gathered, to be sorted.
class WriteBatchSink final : public IndexSink {
 public:
  WriteBatchSink(rocksdb::WriteBatch* wb, std::vector<std::string>* index_keys) : wb_(wb), index_keys_(index_keys) {}
  void Put(std::string_view key, std::string_view value) override {
    wb_->Put(rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
  }
  void Delete(std::string_view key) override { wb_->Delete(rocksdb::Slice(key.data(), key.size())); }
  void PutIndexKey(std::string key) override { index_keys_->push_back(std::move(key)); }

 private:
  rocksdb::WriteBatch* wb_;
  std::vector<std::string>* index_keys_;
};

}  // namespace

// GCC 12 warns that a disengaged std::optional<KnownEvent> moved into the
// vector "may be used uninitialized" (GCC bug 80635, a false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
std::vector<Result<std::optional<KnownEvent>>> RocksEventStore::FindMany(const std::vector<std::string>& ids) const {
  // The id index entries in one batched MultiGet: RocksDB probes each table
  // file's filter for all of them at once. An id that is there (a
  // duplicate, a reference) is read again whole by Find, with its void.
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (const auto& id : ids) keys.push_back(IdKey(id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), db_->DefaultColumnFamily(), keys.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<Result<std::optional<KnownEvent>>> out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      out.emplace_back(std::nullopt);
    } else if (!statuses[i].ok()) {
      out.emplace_back(FromRocks(statuses[i], "reading the id index"));
    } else {
      out.push_back(Find(ids[i]));
    }
  }
  return out;
}
#pragma GCC diagnostic pop

Result<std::optional<KnownEvent>> RocksEventStore::Find(const std::string& id) const {
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

Result<std::string> RocksEventStore::ContentKeyOf(const std::string& id) const {
  QLEDGER_ASSIGN_OR_RETURN(auto k, Find(id));
  if (!k.has_value()) return domain::NotFound("no event \"" + id + "\"");
  QLEDGER_ASSIGN_OR_RETURN(Event e, Get(k->seq));
  return domain::ContentKey(e);
}

Result<std::string> RocksEventStore::DataStringOf(const std::string& id, const std::string& key) const {
  QLEDGER_ASSIGN_OR_RETURN(auto k, Find(id));
  if (!k.has_value()) return domain::NotFound("no event \"" + id + "\"");
  QLEDGER_ASSIGN_OR_RETURN(Event e, Get(k->seq));
  return domain::DataString(e, key);
}

Result<QuarterStatus> RocksEventStore::StatusOf(const Quarter& q) const {
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

Result<std::vector<domain::AdoptedPolicy>> RocksEventStore::Policies() const {
  std::vector<domain::AdoptedPolicy> out;
  std::vector<int64_t> seqs;
  QLEDGER_RETURN_IF_ERROR(PrefixSeqs("p", &seqs));
  for (int64_t seq : seqs) {
    QLEDGER_ASSIGN_OR_RETURN(auto e, Get(seq));
    QLEDGER_ASSIGN_OR_RETURN(auto a, domain::AdoptedPolicyOf(e));
    out.push_back(std::move(a));
  }
  return out;
}

Status RocksEventStore::CheckExpectedHead(const AppendOptions& options) const {
  if (options.expect_head && *options.expect_head != head_.seq) {
    return domain::Aborted("the ledger head is seq " + std::to_string(head_.seq) + ", not the expected " +
                           std::to_string(*options.expect_head) + ": someone appended first; nothing was appended");
  }
  return Status::Ok();
}

Result<domain::BatchPlan> RocksEventStore::PlanAppend(const std::vector<domain::InputEvent>& batch, const AppendOptions& options,
                                                      AppendOutcome* out) const {
  *out = AppendOutcome{};
  out->head = head_;
  QLEDGER_RETURN_IF_ERROR(CheckExpectedHead(options));
  QLEDGER_ASSIGN_OR_RETURN(domain::BatchPlan plan, domain::PlanBatch(*this, batch));
  out->duplicates = plan.duplicates;
  out->errors = std::move(plan.errors);
  out->appended = out->errors.empty() ? static_cast<int64_t>(plan.to_append.size()) : 0;
  return plan;
}

bool RocksEventStore::NothingToWrite(const AppendOutcome& out, const AppendOptions& options) {
  return !out.errors.empty() || options.dry_run || out.appended == 0;
}

Result<AppendOutcome> RocksEventStore::Append(const std::vector<domain::InputEvent>& batch, const AppendOptions& options) {
  if (mode_ != Mode::kWriter && !options.dry_run) return domain::FailedPrecondition("the ledger is open read-only");
  AppendOutcome out;
  QLEDGER_ASSIGN_OR_RETURN(auto plan, PlanAppend(batch, options, &out));
  if (NothingToWrite(out, options)) return out;
  return WritePlan(std::move(plan), options, std::move(out));
}

Result<AppendOutcome> RocksEventStore::WritePlan(domain::BatchPlan plan, const AppendOptions& options, AppendOutcome out) {
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
  std::vector<domain::merkle::Hash> leaves(n);  // the Merkle tree's leaf hash of each
  std::vector<std::string> quarters(n);  // "" for types without a quarter
  KeyValues id_entries(n);
  std::vector<std::string> index_keys(n);
  auto prepare = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const Event& e = events[i];
      inputs[i] = domain::HashInput(e);
      leaves[i] = domain::merkle::LeafHash(inputs[i]);
      PutIdValue(&id_entries[i].second, e.seq, static_cast<uint8_t>(e.type), e.department, e.period);
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
  // A void's target: earlier in the batch, or stored.
  size_t current = 0;
  TargetLookup find_target = [&](const std::string& id) -> Result<std::optional<KnownEvent>> {
    if (auto it = batch_ids.find(id); it != batch_ids.end() && it->second < current) {
      const Event& te = events[it->second];
      return std::optional<KnownEvent>(KnownEvent{te.seq, te.type, te.department, te.period, false});
    }
    return Find(id);
  };
  WriteBatchSink sink(&wb, &index_keys);
  Status effects = Status::Ok();
  for (; current < n && effects.ok(); ++current) {
    effects = AddIndexEffects(events[current], quarters[current], find_target, &sink);
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
  // The Merkle tree's new nodes, in the same batch: all or nothing with the
  // events. The frontier moves back if the write fails.
  // The nodes from kLowestStoredLevel up (merkle_store.h); each level's
  // nodes come in index order, so level by level they go in key order.
  domain::merkle::Frontier tree_before = tree_;
  std::vector<std::vector<std::pair<uint64_t, domain::merkle::Hash>>> levels;
  for (size_t i = 0; i < n; ++i) {
    tree_.Append(leaves[i], [&](int level, uint64_t index, const domain::merkle::Hash& h) {
      if (level < kLowestStoredLevel) return;
      size_t l = static_cast<size_t>(level - kLowestStoredLevel);
      if (levels.size() <= l) levels.resize(l + 1);
      levels[l].emplace_back(index, h);
    });
  }
  for (size_t l = 0; l < levels.size(); ++l) {
    for (const auto& [index, h] : levels[l]) wb.Put(NodeKey(static_cast<int>(l) + kLowestStoredLevel, index), h);
  }
  wb.Put(std::string(kTreeSizeKey), TreeSizeValue(tree_.size()));
  wb.Put(std::string(kHeadKey), HeadValue(head));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  // Everything needed is in the write batch now: the planned events and
  // their hash inputs are freed on another thread while this one writes
  // and syncs (freeing a large batch costs as much as hashing it).
  struct Spent {
    domain::BatchPlan plan;
    std::vector<std::string> inputs;
    std::vector<domain::merkle::Hash> leaves;
    KeyValues id_entries;
    std::vector<std::string> index_keys;
  } spent{std::move(plan), std::move(inputs), std::move(leaves), std::move(id_entries), std::move(index_keys)};
  std::function<void()> free_spent = [&spent] { spent = Spent(); };
  std::thread free_batch;
  if (n >= kParallelMin) free_batch = StartHelper(free_spent);
  if (options.observe) options.observe("writing");
  rocksdb::Status written = db_->Write(wo, &wb);
  if (free_batch.joinable()) free_batch.join();
  if (!written.ok()) tree_ = std::move(tree_before);
  QLEDGER_RETURN_IF_ERROR(FromRocks(written, "writing the batch"));
  if (options.observe) options.observe("written");
  QLEDGER_RETURN_IF_ERROR(Written(head));
  out.head = head;
  return out;
}

Status RocksEventStore::Written(const Head& head) {
  quarters_written_.insert(pending_quarters_.begin(), pending_quarters_.end());
  head_ = head;
  Status acked = RecordAcknowledged(head);
  if (!acked.ok()) {
    // The batch is in the store but is not acknowledged: a retry of it
    // finds every event already there (duplicates), and the next open
    // brings the record up to date.
    return domain::Internal("the batch was written (head seq " + std::to_string(head.seq) +
                            ") but could not be acknowledged: " + acked.message() +
                            "; appending the same batch again appends nothing twice");
  }
  return Status::Ok();
}

std::string HeadValue(const Head& head) {
  std::string v;
  PutFixed64BE(&v, static_cast<uint64_t>(head.seq));
  v += FromHex(head.hash);
  v += head.recorded_at;
  return v;
}

Result<std::optional<std::string>> RocksEventStore::ActiveMonthly(EventType type, const std::string& dept,
                                                                  const std::string& month) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), MonthlyKey(static_cast<uint8_t>(type), dept, month), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading the monthly index");
  return std::optional<std::string>(v);
}

Status RocksEventStore::AddIndexEffects(const Event& e, const std::string& qs, const TargetLookup& find_target,
                                        IndexSink* sink) {
  // 'q' keys are never deleted: one Put per quarter is enough, not one per
  // event (each Put is another memtable entry).
  if (!qs.empty() && !quarters_written_.count(qs) && pending_quarters_.insert(qs).second) sink->Put(QuarterKey(qs), "");
  switch (e.type) {
    case EventType::kPolicyAdopted:
      sink->Put(SeqKey('p', e.seq), "");
      break;
    case EventType::kSelfcheckReported:
    case EventType::kSpotcheckRecorded:
      sink->Put(MonthlyKey(static_cast<uint8_t>(e.type), e.department, e.period), e.id);
      break;
    case EventType::kQuarterApproved:
      sink->Put(StatusKey(e.period), std::string(1, '\1'));
      break;
    case EventType::kQuarterReopened:
      sink->Put(StatusKey(e.period), std::string(1, '\2'));
      break;
    case EventType::kBudgetExpense:
      sink->Put(YearKey(e.period, e.seq), "");
      break;
    case EventType::kEntryVoided: {
      std::string target = DataString(e, "target");
      std::string seqv;
      PutFixed64BE(&seqv, static_cast<uint64_t>(e.seq));
      sink->Put(VoidKey(target), seqv);
      QLEDGER_ASSIGN_OR_RETURN(std::optional<KnownEvent> t, find_target(target));
      if (!t) return domain::Internal("void target \"" + target + "\" vanished during the append");
      Event te;
      te.type = t->type;
      te.period = t->period;
      if (auto tq = te.quarter()) {
        sink->PutIndexKey(IndexKey(tq->ToString(), domain::HasDepartment(t->type) ? t->department : "", e.seq));
      }
      if (t->type == EventType::kBudgetExpense) sink->Put(YearKey(t->period, e.seq), "");
      if (t->type == EventType::kSelfcheckReported || t->type == EventType::kSpotcheckRecorded) {
        sink->Delete(MonthlyKey(static_cast<uint8_t>(t->type), t->department, t->period));
      }
      break;
    }
    default:
      break;
  }
  return Status::Ok();
}

}  // namespace qledger::storage::internal
