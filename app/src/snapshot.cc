// Projection snapshots (snapshot.h): the cereal archive of a fold, its
// header and checks, when they are made, and their verification.
#include "qledger/app/snapshot.h"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/map.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include "qledger/app/queries.h"
#include "qledger/domain/fold.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/policy.h"
#include "qledger/log/log.h"

namespace qledger::domain {

// Decimal as its hundredths.
template <class Archive>
int64_t save_minimal(const Archive&, const Decimal& d) {
  return d.hundredths();
}
template <class Archive>
void load_minimal(const Archive&, Decimal& d, const int64_t& hundredths) {
  d = Decimal::FromHundredths(hundredths);
}

namespace {

// A hash map as a map, so that equal states archive to equal bytes.
template <typename K, typename V>
std::map<K, V> Sorted(const std::unordered_map<K, V>& m) {
  return std::map<K, V>(m.begin(), m.end());
}

template <typename K, typename V>
void Unsorted(std::map<K, V>&& from, std::unordered_map<K, V>* to) {
  to->clear();
  to->reserve(from.size());
  for (auto& [k, v] : from) to->emplace(k, std::move(v));
}

}  // namespace

template <class Archive>
void DepartmentQuarter::save(Archive& ar) const {
  std::map<std::string, std::pair<int, std::string>> kinds;
  for (const auto& [id, kind] : kinds_) kinds.emplace(id, std::make_pair(static_cast<int>(kind.first), kind.second));
  // A response's kind is kept as its place in responses_ (fold.h); the bytes
  // list it as they always have.
  for (const auto& [id, r] : responses_) {
    kinds.emplace(id, std::make_pair(static_cast<int>(EventType::kSurveyResponded), std::string()));
  }
  ar(self_, spot_, Sorted(responses_), Sorted(complaints_), Sorted(direct_), Sorted(callbacks_), Sorted(adjustments_),
     kinds);
}

template <class Archive>
void DepartmentQuarter::load(Archive& ar) {
  std::map<std::string, Response> responses;
  std::map<std::string, Complaint> complaints;
  std::map<std::string, Decimal> direct;
  std::map<std::string, Decimal> callbacks;
  std::map<std::string, Adjustment> adjustments;
  std::map<std::string, std::pair<int, std::string>> kinds;
  ar(self_, spot_, responses, complaints, direct, callbacks, adjustments, kinds);
  Unsorted(std::move(responses), &responses_);
  Unsorted(std::move(complaints), &complaints_);
  Unsorted(std::move(direct), &direct_);
  Unsorted(std::move(callbacks), &callbacks_);
  Unsorted(std::move(adjustments), &adjustments_);
  kinds_.clear();
  kinds_.reserve(kinds.size() - std::min(kinds.size(), responses_.size()));
  for (auto& [id, kind] : kinds) {
    auto type = static_cast<EventType>(kind.first);
    if (type == EventType::kSurveyResponded && kind.second.empty() && responses_.contains(id)) continue;
    kinds_.emplace(id, std::make_pair(type, std::move(kind.second)));
  }
  // The running tallies: recounted, not trusted from the bytes.
  survey_ = SurveyTally{};
  valid_complaints_ = 0;
  for (const auto& [id, c] : complaints_) TallyComplaint(c, +1);
}

}  // namespace qledger::domain

namespace qledger::app {

namespace {

using domain::Result;
using domain::Status;

constexpr std::string_view kMagic = "QLSNAPST";
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 32 + 32;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetU(std::string_view s, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<size_t>(i)]);
  return v;
}

// 64 hex digits as 32 bytes; "" when they are not.
std::string RawOfHex(const std::string& hex) {
  if (hex.size() != 64) return "";
  std::string raw;
  for (size_t i = 0; i < 64; i += 2) {
    auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return "";
    raw.push_back(static_cast<char>(hi * 16 + lo));
  }
  return raw;
}

std::string StateBytes(const domain::FoldState& s) {
  std::ostringstream out;
  {
    cereal::PortableBinaryOutputArchive ar(out);
    ar(s.state, s.any_fact);
  }
  return out.str();
}

Result<std::string> EventHash(const storage::EventStore& store, int64_t seq) {
  QLEDGER_ASSIGN_OR_RETURN(domain::Event e, store.Get(seq));
  return e.hash;
}

// Whether events after `after` up to `to` may change the fold: one of the
// department's own, or a void.
bool HasOwnEvents(const domain::ReplayInput& in, int64_t after, int64_t to) {
  return std::any_of(in.events.begin(), in.events.end(), [&](const domain::Event& e) {
    return e.seq > after && e.seq <= to &&
           (e.department == in.department || e.type == domain::EventType::kEntryVoided);
  });
}

// The snapshot of (q, department) at seq, folded on from the newest one
// before it; nullopt when there is nothing new to fold (the one before, or
// none, serves as well) or one is there already.
Result<std::optional<storage::SnapshotRecord>> MakeSnapshot(const storage::EventStore& store, const domain::Quarter& q,
                                                            const std::string& department, int64_t seq) {
  std::optional<storage::SnapshotRecord> none;
  QLEDGER_ASSIGN_OR_RETURN(auto start, NewestSnapshot(store, q, department, seq));
  if (start && start->seq == seq) return none;
  int64_t after = start ? start->seq : 0;
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplayAfter(q, department, after));
  if (!HasOwnEvents(input, after, seq)) return none;
  domain::FoldState folded = domain::FoldTo(input, seq, start ? &*start : nullptr);
  if (!folded.any_fact) return none;
  QLEDGER_ASSIGN_OR_RETURN(std::string hash, EventHash(store, seq));
  storage::SnapshotRecord r;
  r.quarter = q.ToString();
  r.department = department;
  r.seq = seq;
  r.bytes = EncodeSnapshot(folded, hash);
  return std::optional<storage::SnapshotRecord>(std::move(r));
}

// The snapshots at seq of each of the quarters' departments that call for
// one, saved in one batch (before the next point folds on from them). How
// many.
Result<int64_t> SavePoint(storage::EventStore& writer, const std::vector<domain::Quarter>& quarters,
                          const std::vector<domain::Department>& departments, int64_t seq) {
  std::vector<storage::SnapshotRecord> records;
  for (const auto& q : quarters) {
    for (const auto& d : departments) {
      QLEDGER_ASSIGN_OR_RETURN(auto r, MakeSnapshot(writer, q, d.code, seq));
      if (r) records.push_back(std::move(*r));
    }
  }
  QLEDGER_RETURN_IF_ERROR(writer.PutSnapshots(records));
  return static_cast<int64_t>(records.size());
}

Result<std::vector<domain::Quarter>> StoredQuarters(const storage::EventStore& store) {
  QLEDGER_ASSIGN_OR_RETURN(auto names, store.Quarters());
  std::vector<domain::Quarter> out;
  for (const auto& name : names) {
    if (auto q = domain::Quarter::Parse(name)) out.push_back(*q);
  }
  return out;
}

}  // namespace

std::string EncodeSnapshot(const domain::FoldState& s, const std::string& event_hash) {
  std::string state = StateBytes(s);
  std::string out(kMagic);
  PutU32(&out, kSnapshotFormat);
  PutU32(&out, domain::kFoldVersion);
  PutU64(&out, static_cast<uint64_t>(s.seq));
  out += RawOfHex(event_hash);
  out += domain::Sha256Raw({state});
  out += state;
  return out;
}

Result<domain::FoldState> DecodeSnapshot(std::string_view bytes, int64_t seq, const std::string& event_hash) {
  auto bad = [&](const std::string& what) {
    return domain::DataLoss("the snapshot at seq " + std::to_string(seq) + " " + what);
  };
  if (bytes.size() < kHeaderSize || bytes.substr(0, 8) != kMagic) return bad("has no snapshot header");
  if (GetU(bytes, 8, 4) != kSnapshotFormat) return bad("is of format " + std::to_string(GetU(bytes, 8, 4)));
  if (GetU(bytes, 12, 4) != domain::kFoldVersion) {
    return bad("was made by fold version " + std::to_string(GetU(bytes, 12, 4)) + ", not " +
               std::to_string(domain::kFoldVersion));
  }
  if (static_cast<int64_t>(GetU(bytes, 16, 8)) != seq) return bad("says seq " + std::to_string(GetU(bytes, 16, 8)));
  if (bytes.substr(24, 32) != RawOfHex(event_hash)) return bad("was made from another ledger (the hash of its event)");
  std::string_view state = bytes.substr(kHeaderSize);
  if (bytes.substr(56, 32) != domain::Sha256Raw({state})) return bad("does not match its SHA-256");
  domain::FoldState out;
  out.seq = seq;
  try {
    std::istringstream in{std::string(state)};
    cereal::PortableBinaryInputArchive ar(in);
    ar(out.state, out.any_fact);
  } catch (const std::exception& e) {
    return bad(std::string("does not decode: ") + e.what());
  }
  return out;
}

SnapshotStats& Snapshots() {
  static SnapshotStats stats;
  return stats;
}

Result<std::optional<domain::FoldState>> NewestSnapshot(const storage::EventStore& store, const domain::Quarter& q,
                                                        const std::string& department, int64_t max_seq) {
  const std::string qs = q.ToString();
  while (max_seq > 0) {
    QLEDGER_ASSIGN_OR_RETURN(auto record, store.SnapshotAtOrBefore(qs, department, max_seq));
    if (!record) break;
    auto hash = EventHash(store, record->seq);
    Result<domain::FoldState> decoded =
        hash.ok() ? DecodeSnapshot(record->bytes, record->seq, *hash) : Result<domain::FoldState>(hash.status());
    if (decoded.ok()) return std::optional<domain::FoldState>(std::move(*decoded));
    ++Snapshots().rejected;
    log::Warn("snapshot ignored", {{"quarter", qs},
                                   {"department", department},
                                   {"seq", record->seq},
                                   {"detail", decoded.status().message()}});
    max_seq = record->seq - 1;
  }
  return std::optional<domain::FoldState>();
}

bool SnapshotsDue(int64_t before, int64_t after, bool has_approval, int64_t interval) {
  return after > before && (has_approval || after / interval > before / interval);
}

Result<int64_t> SaveSnapshots(storage::EventStore& writer, int64_t after, bool find_approvals, int64_t interval) {
  const int64_t head = writer.head().seq;
  QLEDGER_ASSIGN_OR_RETURN(auto departments, KnownDepartments(writer));
  int64_t saved = 0;
  if (find_approvals) {
    // Every department of the quarter at its approval.
    std::vector<std::pair<domain::Quarter, int64_t>> approvals;
    QLEDGER_RETURN_IF_ERROR(writer.Scan(after + 1, head, [&](const domain::Event& e) {
      if (e.type == domain::EventType::kQuarterApproved) {
        if (auto q = domain::Quarter::Parse(e.period)) approvals.emplace_back(*q, e.seq);
      }
      return true;
    }));
    for (const auto& [q, seq] : approvals) {
      QLEDGER_ASSIGN_OR_RETURN(int64_t n, SavePoint(writer, {q}, departments, seq));
      saved += n;
    }
  }
  // The last multiple of the interval the append crossed (a bulk append
  // crosses many: the one at its end serves the replays after it).
  if (const int64_t point = head / interval * interval; point > after) {
    QLEDGER_ASSIGN_OR_RETURN(auto quarters, StoredQuarters(writer));
    QLEDGER_ASSIGN_OR_RETURN(int64_t n, SavePoint(writer, quarters, departments, point));
    saved += n;
  }
  return saved;
}

Result<int64_t> SaveSnapshotsAt(storage::EventStore& writer, const std::vector<int64_t>& points) {
  QLEDGER_ASSIGN_OR_RETURN(auto departments, KnownDepartments(writer));
  QLEDGER_ASSIGN_OR_RETURN(auto quarters, StoredQuarters(writer));
  int64_t saved = 0;
  for (int64_t point : points) {
    if (point <= 0 || point > writer.head().seq) continue;
    QLEDGER_ASSIGN_OR_RETURN(int64_t n, SavePoint(writer, quarters, departments, point));
    saved += n;
  }
  return saved;
}

namespace {

// How verify names a snapshot in what it says of it.
std::string SnapshotName(const std::string& quarter, const std::string& department, int64_t seq) {
  return "the snapshot of " + quarter + " " + department + " at seq " + std::to_string(seq);
}

}  // namespace

Result<SnapshotCheck> CheckSnapshots(const storage::EventStore& store) {
  SnapshotCheck check;
  Status failed = Status::Ok();
  // The snapshots come in key order, (quarter, department, seq): each
  // (quarter, department) is read once and folded on from one snapshot's
  // seq to the next, so verify folds every event once, not once per snapshot.
  std::string current;  // quarter "/" department of `input`
  std::optional<domain::ReplayInput> input;
  domain::FoldState fresh;
  QLEDGER_RETURN_IF_ERROR(store.ScanSnapshots([&](const storage::SnapshotRecord& r) {
    ++check.checked;
    std::string where = SnapshotName(r.quarter, r.department, r.seq);
    if (r.quarter + "/" + r.department != current) {
      auto q = domain::Quarter::Parse(r.quarter);
      if (!q) {
        check.problem = where + " names no quarter";
        return false;
      }
      auto loaded = store.LoadReplay(*q, r.department);
      if (!loaded.ok()) {
        failed = loaded.status();
        return false;
      }
      input = std::move(*loaded);
      current = r.quarter + "/" + r.department;
      fresh = domain::FoldState{};
    }
    if (r.seq > input->head_seq) {
      check.problem = where + " is beyond the head";
      return false;
    }
    fresh = domain::FoldTo(*input, r.seq, &fresh);
    auto hash = EventHash(store, r.seq);
    if (!hash.ok()) {
      failed = hash.status();
      return false;
    }
    if (EncodeSnapshot(fresh, *hash) != r.bytes) {
      auto decoded = DecodeSnapshot(r.bytes, r.seq, *hash);
      check.problem = where + (decoded.ok() ? " holds another state than its events fold to"
                                            : ": " + decoded.status().message());
      return false;
    }
    return true;
  }));
  QLEDGER_RETURN_IF_ERROR(failed);
  return check;
}

namespace {

// The order of the stored snapshot keys (storage/src/keys.h): quarter '/'
// department '/' seq as 8 big-endian bytes.
std::string KeyOrder(const std::string& quarter, const std::string& department, int64_t seq) {
  std::string key = quarter + "/" + department + "/";
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((static_cast<uint64_t>(seq) >> (8 * i)) & 0xff));
  return key;
}

}  // namespace

SnapshotPassCheck::SnapshotPassCheck(const storage::EventStore& store) : store_(store) {
  failed_ = store.ScanSnapshots([&](const storage::SnapshotRecord& r) {
    ++checked_;
    auto [it, first] = ahead_.try_emplace(r.quarter + "/" + r.department);
    Department& d = it->second;
    if (first) {
      d.quarter_text = r.quarter;
      d.department = r.department;
      auto q = domain::Quarter::Parse(r.quarter);
      if (!q) {
        d.names_no_quarter = true;
        Found(r.quarter, r.department, r.seq, SnapshotName(r.quarter, r.department, r.seq) + " names no quarter");
      } else {
        d.quarter = *q;
      }
    }
    if (d.names_no_quarter) return true;  // told once, above
    d.seqs.push_back(r.seq);
    // Its bytes, by a digest rather than kept whole until the pass reaches them.
    d.digests.push_back(domain::Sha256Prefix128({r.bytes}));
    return true;
  });
  for (auto it = ahead_.begin(); it != ahead_.end();) {
    if (it->second.seqs.empty()) {
      it = ahead_.erase(it);  // none to check: it names no quarter
      continue;
    }
    due_[it->second.seqs.front()].push_back(&it->second);
    ++it;
  }
}

void SnapshotPassCheck::Found(const std::string& quarter, const std::string& department, int64_t seq,
                              std::string problem) {
  std::string key = KeyOrder(quarter, department, seq);
  if (problem_.empty() || key < problem_key_) {
    problem_key_ = std::move(key);
    problem_ = std::move(problem);
  }
}

void SnapshotPassCheck::Fold(Department& d, const domain::Event& e, const domain::Event* target) {
  if (!d.state) d.state = std::make_unique<domain::FoldState>();
  domain::FoldEvent(d.quarter, d.department, e, target, d.state.get());
}

void SnapshotPassCheck::Add(const domain::Event& e, const std::string& hash) {
  if (!failed_.ok() || ahead_.empty()) return;
  if (e.type == domain::EventType::kEntryVoided) {
    // Indexed under its target's (quarter, department): found by id.
    auto target = store_.FindById(domain::DataString(e, "target"));
    if (!target.ok()) {
      failed_ = target.status();
      return;
    }
    const std::optional<domain::Event>& t = *target;
    if (t && domain::HasDepartment(t->type)) {
      if (auto q = t->quarter()) {
        if (auto it = ahead_.find(q->ToString() + "/" + t->department); it != ahead_.end()) Fold(it->second, e, &*t);
      }
    }
  } else if (domain::HasDepartment(e.type)) {
    if (auto q = e.quarter()) {
      if (auto it = ahead_.find(q->ToString() + "/" + e.department); it != ahead_.end()) Fold(it->second, e, nullptr);
    }
  }
  auto due = due_.find(e.seq);
  if (due == due_.end()) return;
  std::vector<Department*> departments = std::move(due->second);
  due_.erase(due);
  for (Department* d : departments) {
    const int64_t seq = d->seqs[d->next];
    if (!d->state) d->state = std::make_unique<domain::FoldState>();
    d->state->seq = std::max(d->state->seq, seq);  // as FoldTo up to seq leaves it
    std::string encoded = EncodeSnapshot(*d->state, hash);
    // The stored bytes are read again only when their digest differs, to
    // say how.
    if (domain::Sha256Prefix128({encoded}) != d->digests[d->next]) {
      std::string where = SnapshotName(d->quarter_text, d->department, seq);
      auto stored = store_.SnapshotAtOrBefore(d->quarter_text, d->department, seq);
      if (!stored.ok()) {
        failed_ = stored.status();
        return;
      }
      if (!*stored || (*stored)->seq != seq) {
        Found(d->quarter_text, d->department, seq, where + " cannot be read");
      } else if (encoded != (*stored)->bytes) {
        auto decoded = DecodeSnapshot((*stored)->bytes, seq, hash);
        Found(d->quarter_text, d->department, seq,
              where + (decoded.ok() ? " holds another state than its events fold to"
                                    : ": " + decoded.status().message()));
      }
    }
    if (++d->next < d->seqs.size()) {
      due_[d->seqs[d->next]].push_back(d);
    } else {
      ahead_.erase(d->quarter_text + "/" + d->department);  // nothing more to check: its state goes
    }
  }
}

Result<SnapshotCheck> SnapshotPassCheck::Finish() {
  QLEDGER_RETURN_IF_ERROR(failed_);
  // What is still ahead lies beyond the last event.
  for (auto& [pair, d] : ahead_) {
    const int64_t seq = d.seqs[d.next];
    Found(d.quarter_text, d.department, seq, SnapshotName(d.quarter_text, d.department, seq) + " is beyond the head");
  }
  SnapshotCheck check;
  check.checked = checked_;
  check.problem = problem_;
  return check;
}

}  // namespace qledger::app
