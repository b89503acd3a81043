#include "index_check.h"

#include <algorithm>
#include <bit>
#include <future>
#include <map>
#include <memory>
#include <thread>

#include <rocksdb/db.h>

#include "keys.h"
#include "rocks_event_store.h"
#include "qledger/domain/event.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/stored_event.h"

namespace qledger::storage::internal {

using domain::Event;
using domain::EventType;

namespace {

// A key for people: printable bytes as they are, a trailing 8-byte seq as #N.
std::string Describe(const std::string& key) {
  static const std::string kSeqTagged = "epy";
  std::string out;
  size_t body = key.size();
  bool seq_suffix = key.size() >= 9 && (key[0] == 'x' || kSeqTagged.find(key[0]) != std::string::npos);
  if (seq_suffix) body -= 8;
  for (size_t i = 0; i < body; ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (seq_suffix) out += "#" + std::to_string(DecodeFixed64BE(std::string_view(key).substr(body)));
  return "\"" + out + "\"";
}

struct Target {
  EventType type;
  std::string department;
  std::string period;
};

// Moves it from where it stands to the first index entry at or after it:
// past the events, the head, and the Merkle tree and its checkpoints (checked
// apart: merkle_store.h), and the projection snapshots (a cache, checked by
// app::CheckSnapshots). A prefix is passed with one seek, not key by key.
void SkipToIndexEntry(rocksdb::Iterator* it) {
  while (it->Valid()) {
    rocksdb::Slice k = it->key();
    char c = k.empty() ? '\0' : k[0];
    if (c == 'e' || c == 'n' || c == 'C' || c == 'S') {
      it->Seek(std::string(1, static_cast<char>(c + 1)));
    } else if (k == kHeadKey || k == kTreeSizeKey) {
      it->Next();
    } else {
      return;
    }
  }
}

// The value of the 'i' entry of e.
std::string IdValue(const Event& e) {
  std::string idv;
  PutFixed64BE(&idv, static_cast<uint64_t>(e.seq));
  idv.push_back(static_cast<char>(e.type));
  idv += e.department + std::string(1, '\0') + e.period;
  return idv;
}

}  // namespace

domain::Status CheckIndexes(rocksdb::DB* db, std::string* problem) {
  problem->clear();
  // What the events say the indexes hold (see keys.h), derived here on its
  // own rather than by the append path, so that a bug there shows too.
  std::map<std::string, std::string> expected;
  std::map<std::string, Target> by_id;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("e"); it->Valid() && it->key().starts_with("e"); it->Next()) {
    std::string_view v(it->value().data(), it->value().size());
    QLEDGER_ASSIGN_OR_RETURN(auto parsed, domain::ParseExportedEvent(v.substr(32)));
    const Event& e = parsed;
    expected[IdKey(e.id)] = IdValue(e);
    by_id[e.id] = Target{e.type, e.department, e.period};
    if (auto q = e.quarter()) {
      expected[QuarterKey(q->ToString())] = "";
      expected[IndexKey(q->ToString(), domain::HasDepartment(e.type) ? e.department : "", e.seq)] = "";
    }
    switch (e.type) {
      case EventType::kPolicyAdopted: expected[SeqKey('p', e.seq)] = ""; break;
      case EventType::kSelfcheckReported:
      case EventType::kSpotcheckRecorded:
        expected[MonthlyKey(static_cast<uint8_t>(e.type), e.department, e.period)] = e.id;
        break;
      case EventType::kQuarterApproved: expected[StatusKey(e.period)] = std::string(1, '\1'); break;
      case EventType::kQuarterReopened: expected[StatusKey(e.period)] = std::string(1, '\2'); break;
      case EventType::kBudgetExpense: expected[YearKey(e.period, e.seq)] = ""; break;
      case EventType::kEntryVoided: {
        std::string target = DataString(e, "target");
        std::string seqv;
        PutFixed64BE(&seqv, static_cast<uint64_t>(e.seq));
        expected[VoidKey(target)] = seqv;
        auto t = by_id.find(target);
        if (t == by_id.end()) break;  // the ledger rules make this impossible
        Event te;
        te.type = t->second.type;
        te.period = t->second.period;
        if (auto tq = te.quarter()) {
          expected[IndexKey(tq->ToString(), domain::HasDepartment(te.type) ? t->second.department : "", e.seq)] = "";
        }
        if (te.type == EventType::kBudgetExpense) expected[YearKey(te.period, e.seq)] = "";
        if (te.type == EventType::kSelfcheckReported || te.type == EventType::kSpotcheckRecorded) {
          expected.erase(MonthlyKey(static_cast<uint8_t>(te.type), t->second.department, te.period));
        }
        break;
      }
      default: break;
    }
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));

  // Walk the stored index entries (every key but events, the head and the
  // acknowledging mark) in
  // order beside the expected ones.
  auto want = expected.begin();
  for (it->SeekToFirst(), SkipToIndexEntry(it.get()); it->Valid(); it->Next(), SkipToIndexEntry(it.get())) {
    std::string key = it->key().ToString();
    if (key == kAckedMarkerKey) {
      if (!it->value().empty()) {
        *problem = "the ledger's mark " + Describe(key) + " holds data";
        return domain::Status::Ok();
      }
      continue;
    }
    if (want != expected.end() && want->first < key) {
      *problem = "index entry " + Describe(want->first) + " is missing";
      return domain::Status::Ok();
    }
    if (want == expected.end() || key < want->first) {
      *problem = "index entry " + Describe(key) + " does not follow from any event";
      return domain::Status::Ok();
    }
    if (it->value().ToString() != want->second) {
      *problem = "index entry " + Describe(key) + " holds other data than its event says";
      return domain::Status::Ok();
    }
    ++want;
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading indexes"));
  if (want != expected.end()) *problem = "index entry " + Describe(want->first) + " is missing";
  return domain::Status::Ok();
}

IndexExpectation::IndexExpectation(rocksdb::DB* db, int64_t events_hint) : db_(db) {
  // About three digests an event ('i', 'x', and 'p' or 'y' or a void's).
  digests_.reserve(static_cast<size_t>(std::max<int64_t>(events_hint, 0)) * 3);
}

IndexExpectation::Digest IndexExpectation::KeyDigestOf(std::string_view key) {
  return domain::Sha256Prefix128({"key:", key});
}

IndexExpectation::Digest IndexExpectation::DigestOf(std::string_view key, std::string_view value) {
  char len[4];
  uint32_t n = static_cast<uint32_t>(key.size());
  for (int i = 0; i < 4; ++i) len[i] = static_cast<char>(n >> (8 * i));
  return domain::Sha256Prefix128({std::string_view(len, 4), key, value});
}

void IndexExpectation::ExpectIndexed(std::string_view quarter, std::string_view department, int64_t seq) {
  // The prefix into a reused buffer, and its run looked up only when it is
  // not the last one's: events come in runs of one quarter and a few
  // departments.
  AssignIndexPrefix(&scratch_, quarter, department);
  if (run_ == nullptr || scratch_ != prefix_) {
    prefix_.swap(scratch_);
    run_ = &runs_[prefix_];
  }
  // An entry derived twice alike is one entry, as in CheckIndexes' map.
  if (run_->seqs.empty() || run_->seqs.back() != seq) run_->seqs.push_back(seq);
}

void IndexExpectation::Add(const Event& e) {
  if (fall_back_) return;
  if (e.seq % kIdSampleEvery == 0) id_samples_.push_back(e.id);
  // The same entries as CheckIndexes derives, in the same order.
  Expect(IdKey(e.id), IdValue(e));
  if (auto q = e.quarter()) {
    std::string qs = q->ToString();
    // Events come in runs of one quarter: the set is looked up once a run.
    if (qs != last_quarter_) {
      quarters_.insert(qs);
      last_quarter_ = qs;
    }
    ExpectIndexed(qs, domain::HasDepartment(e.type) ? e.department : "", e.seq);
  }
  switch (e.type) {
    case EventType::kPolicyAdopted: Expect(SeqKey('p', e.seq), ""); break;
    case EventType::kSelfcheckReported:
    case EventType::kSpotcheckRecorded:
      ExpectLatest(MonthlyKey(static_cast<uint8_t>(e.type), e.department, e.period), e.id);
      break;
    case EventType::kQuarterApproved: ExpectLatest(StatusKey(e.period), std::string(1, '\1')); break;
    case EventType::kQuarterReopened: ExpectLatest(StatusKey(e.period), std::string(1, '\2')); break;
    case EventType::kBudgetExpense: Expect(YearKey(e.period, e.seq), ""); break;
    case EventType::kEntryVoided: {
      std::string target = DataString(e, "target");
      std::string seqv;
      PutFixed64BE(&seqv, static_cast<uint64_t>(e.seq));
      ExpectLatest(VoidKey(target), seqv);
      // The target, found through the 'i' index and confirmed by its event
      // (whose bytes the chain has verified): CheckIndexes keeps every id
      // instead. Anything else than one earlier event of that id, and the
      // exact check decides.
      std::string idv;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), IdKey(target), &idv);
      if (!s.ok() || idv.size() < 10) {
        fall_back_ = true;
        return;
      }
      int64_t target_seq = static_cast<int64_t>(DecodeFixed64BE(std::string_view(idv).substr(0, 8)));
      std::string stored;
      if (target_seq <= 0 || target_seq >= e.seq ||
          !db_->Get(rocksdb::ReadOptions(), EventKey(target_seq), &stored).ok() || stored.size() < 33) {
        fall_back_ = true;
        return;
      }
      auto te = domain::ParseExportedEvent(std::string_view(stored).substr(32));
      if (!te.ok() || te->id != target || IdValue(*te) != idv) {
        fall_back_ = true;
        return;
      }
      if (auto tq = te->quarter()) {
        ExpectIndexed(tq->ToString(), domain::HasDepartment(te->type) ? te->department : "", e.seq);
      }
      if (te->type == EventType::kBudgetExpense) Expect(YearKey(te->period, e.seq), "");
      if (te->type == EventType::kSelfcheckReported || te->type == EventType::kSpotcheckRecorded) {
        mutable_.erase(KeyDigestOf(MonthlyKey(static_cast<uint8_t>(te->type), te->department, te->period)));
      }
      break;
    }
    default: break;
  }
}

domain::Status IndexExpectation::Exact(std::string* problem) {
  exact_ = true;
  digests_ = {};
  runs_ = {};
  return CheckIndexes(db_, problem);
}

domain::Status IndexExpectation::Finish(std::string* problem) {
  problem->clear();
  if (fall_back_) return Exact(problem);
  for (const std::string& q : quarters_) Expect(QuarterKey(q), "");
  for (const auto& [key, entry] : mutable_) digests_.push_back(entry);
  quarters_.clear();
  mutable_.clear();
  // The expected digests are sorted (below) while a second thread already
  // reads its part of the stored entries: it waits for them only to look
  // its first batch up.
  std::promise<void> ready;
  std::shared_future<void> sorted = ready.get_future().share();
  int bits = 0;
  std::vector<uint32_t> starts;
  // Whether every digest of a batch is expected. The stored entries come in
  // key order and their digests at random: one lookup at a time landed
  // anywhere in the 37 MB of digests (at 1,000,000 events), a cache miss
  // and a TLB miss each, ~600 ns on this VM. Sorted first, a batch's
  // lookups walk the digests forward, ~7 to a page.
  auto all_expected = [&](std::vector<Digest>* batch) {
    std::sort(batch->begin(), batch->end());
    sorted.wait();
    size_t i = 0;
    for (const Digest& d : *batch) {
      i = std::max<size_t>(i, starts[d[0] >> (64 - bits)]);
      // Word by word: == on std::array calls memcmp, one call a candidate.
      while (i < digests_.size() &&
             (digests_[i][0] < d[0] || (digests_[i][0] == d[0] && digests_[i][1] < d[1]))) {
        ++i;
      }
      if (i == digests_.size() || digests_[i][0] != d[0] || digests_[i][1] != d[1]) return false;
    }
    batch->clear();
    return true;
  };
  // The stored entries, in two key ranges checked at once, one a thread,
  // split within the 'i' entries (below).
  struct Part {
    bool all_expected = true;  // false at the first entry not derived, or a mark that holds data
    size_t count = 0;          // entries matched by digest
    size_t indexed = 0;        // 'x' entries matched exactly
    rocksdb::Status status;
  };
  // Whether a stored 'x' entry is the next one of its prefix's run.
  Run* run = nullptr;
  std::string_view run_prefix;
  auto next_indexed = [&](std::string_view key, std::string_view value) {
    if (!value.empty() || key.size() < 9) return false;
    std::string_view prefix = key.substr(0, key.size() - 8);
    if (run == nullptr || prefix != run_prefix) {
      auto it = runs_.find(std::string(prefix));
      if (it == runs_.end()) return false;
      run = &it->second;
      run_prefix = it->first;
    }
    if (run->next == run->seqs.size() ||
        run->seqs[run->next] != static_cast<int64_t>(DecodeFixed64BE(key.substr(key.size() - 8)))) {
      return false;
    }
    ++run->next;
    return true;
  };
  auto check = [&](const std::string& lower, const std::string& upper, Part* part) {
    rocksdb::ReadOptions once = ReadOnce();
    rocksdb::Slice bound(upper);
    if (!upper.empty()) once.iterate_upper_bound = &bound;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(once));
    constexpr size_t kBatch = 1 << 16;  // 1 MiB of digests
    std::vector<Digest> batch;
    batch.reserve(kBatch);
    for (lower.empty() ? it->SeekToFirst() : it->Seek(lower), SkipToIndexEntry(it.get()); it->Valid();
         it->Next(), SkipToIndexEntry(it.get())) {
      std::string_view key(it->key().data(), it->key().size());
      std::string_view value(it->value().data(), it->value().size());
      if (key == kAckedMarkerKey) {
        if (!value.empty()) {
          part->all_expected = false;
          return;
        }
        continue;
      }
      if (key[0] == 'x') {
        if (!next_indexed(key, value)) {
          part->all_expected = false;
          return;
        }
        ++part->indexed;
        continue;
      }
      batch.push_back(DigestOf(key, value));
      ++part->count;
      if (batch.size() == kBatch && !all_expected(&batch)) {
        part->all_expected = false;
        return;
      }
    }
    part->status = it->status();
    if (!all_expected(&batch)) part->all_expected = false;
  };
  // The 'x' entries cost least to match (no digest): the part that has them
  // (p to y, past the tree's 'n' nodes) also takes the last quarter of the
  // ids, found among the ids sampled as the events came. The other has the
  // rest of the ids, the 'm' entries and the marks. (Split at "n", the
  // first part took 0.45 s and the second 0.2 s, at 1,000,000 events.)
  std::string split = "n";
  if (!id_samples_.empty()) {
    auto at = id_samples_.begin() + static_cast<std::ptrdiff_t>(id_samples_.size() * 3 / 4);
    std::nth_element(id_samples_.begin(), at, id_samples_.end());
    split = IdKey(*at);
  }
  Part low, high;
  std::thread other([&] { check(split, "", &high); });
  // An entry derived twice alike is one entry (CheckIndexes' map keeps it
  // once). One key derived with two values cannot match the stored entries,
  // which have one value a key, so it falls back below.
  std::sort(digests_.begin(), digests_.end());
  digests_.erase(std::unique(digests_.begin(), digests_.end()), digests_.end());
  // The digests are uniform: where each of ~n/8 buckets of the first word
  // starts is where a digest's search begins, among ~8 neighbours.
  bits = std::max(1, static_cast<int>(std::bit_width(digests_.size())) - 3);
  starts.resize((size_t{1} << bits) + 1);
  for (size_t b = 0, i = 0; b < starts.size(); ++b) {
    while (i < digests_.size() && (digests_[i][0] >> (64 - bits)) < b) ++i;
    starts[b] = static_cast<uint32_t>(i);
  }
  ready.set_value();
  check("", split, &low);
  other.join();
  QLEDGER_RETURN_IF_ERROR(FromRocks(low.status, "reading indexes"));
  QLEDGER_RETURN_IF_ERROR(FromRocks(high.status, "reading indexes"));
  const size_t stored = low.count + high.count;
  if (!low.all_expected || !high.all_expected || stored != digests_.size()) return Exact(problem);
  // Every 'x' entry expected was stored ('x' keys are past the split: the
  // high part's).
  for (const auto& [prefix, r] : runs_) {
    if (r.next != r.seqs.size()) return Exact(problem);
  }
  matched_ = static_cast<int64_t>(stored + high.indexed);
  return domain::Status::Ok();
}

}  // namespace qledger::storage::internal
