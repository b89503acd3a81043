// RocksEventStore (rocks_event_store.h): reading. Events by seq and by id;
// Scan (in order, on the calling thread) and ScanAhead (decoded ahead on
// worker threads, delivered in order, bounded memory); what a replay reads
// through the indexes; the seq at a time.
#include "rocks_event_store.h"
#include "qledger/domain/stored_event.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_set>

namespace qledger::storage::internal {

Result<Event> RocksEventStore::Get(int64_t seq) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EventKey(seq), &v);
  if (s.IsNotFound()) return domain::NotFound("no event with seq " + std::to_string(seq));
  if (!s.ok()) return FromRocks(s, "reading event " + std::to_string(seq));
  return Decode(seq, v);
}

Result<Event> RocksEventStore::Decode(int64_t seq, std::string_view v) {
  if (v.size() < 33) return domain::DataLoss("event " + std::to_string(seq) + ": stored record is truncated");
  auto e = domain::ParseExportedEvent(v.substr(32));
  if (!e.ok()) return domain::DataLoss("event " + std::to_string(seq) + ": " + e.status().message());
  e->hash = ToHex(v.substr(0, 32));
  return e;
}

Result<std::optional<Event>> RocksEventStore::FindById(const std::string& id) const {
  QLEDGER_ASSIGN_OR_RETURN(auto k, Find(id));
  if (!k.has_value()) return std::optional<Event>();
  QLEDGER_ASSIGN_OR_RETURN(Event e, Get(k->seq));
  return std::optional<Event>(std::move(e));
}

Status RocksEventStore::Scan(int64_t from, int64_t to, const std::function<bool(const Event&)>& fn) const {
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

void RocksEventStore::ReadChunk(int64_t first, int64_t last, ScanChunk* out) const {
  rocksdb::ReadOptions ro = ReadOnce();
  std::string upper = EventKey(last == INT64_MAX ? last : last + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
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

Status RocksEventStore::ScanAhead(int64_t from, int64_t to, const std::function<bool(const Event&)>& fn,
                                  int threads) const {
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

Status RocksEventStore::PrefixSeqs(const std::string& prefix, std::vector<int64_t>* out, int64_t from) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  return PrefixSeqs(it.get(), prefix, out, from);
}

Status RocksEventStore::PrefixSeqs(rocksdb::Iterator* it, const std::string& prefix, std::vector<int64_t>* out,
                                   int64_t from) {
  std::string start = prefix;
  if (from > 0) PutFixed64BE(&start, static_cast<uint64_t>(from));
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != prefix.size() + 8) continue;
    out->push_back(static_cast<int64_t>(DecodeFixed64BE(std::string_view(k.data() + prefix.size(), 8))));
  }
  return FromRocks(it->status(), "reading an index");
}

Result<std::vector<Event>> RocksEventStore::GetMany(std::vector<int64_t> seqs) const {
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

Result<domain::ReplayInput> RocksEventStore::LoadReplay(const Quarter& q, const std::string& department) const {
  return LoadReplayAfter(q, department, 0);  // rocks_snapshots.cc
}

Result<std::vector<Event>> RocksEventStore::PolicyEvents() const {
  std::vector<int64_t> seqs;
  QLEDGER_RETURN_IF_ERROR(PrefixSeqs("p", &seqs));
  return GetMany(std::move(seqs));
}

Result<std::vector<std::string>> RocksEventStore::Quarters() const {
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("q"); it->Valid() && it->key().starts_with("q"); it->Next()) {
    out.emplace_back(it->key().data() + 1, it->key().size() - 1);
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "listing quarters"));
  return out;
}

Result<std::vector<Event>> RocksEventStore::QuarterWideEvents(const std::vector<Quarter>& quarters) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  // Only a quarter with a status entry has quarter-wide events: the entry
  // is written in the batch of every approval and reopening, and a void of
  // one needs it there first. So the status index is listed once and only
  // those quarters are sought: a seek for every quarter was most of
  // `quarters` on a ledger of many (9,526 seeks, 45 ms, issue 11 item 2).
  // The same entries decide whether an append may enter a quarter
  // (StatusOf), and verify checks them against the events.
  const std::string status_prefix = StatusKey("");
  std::unordered_set<std::string> with_status;
  for (it->Seek(status_prefix); it->Valid() && it->key().starts_with(status_prefix); it->Next()) {
    with_status.insert(it->key().ToString().substr(status_prefix.size()));
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "listing the quarters' statuses"));
  std::vector<int64_t> seqs;
  for (const Quarter& q : quarters) {
    std::string qs = q.ToString();
    if (!with_status.count(qs)) continue;
    QLEDGER_RETURN_IF_ERROR(PrefixSeqs(it.get(), IndexPrefix(qs, ""), &seqs));
  }
  if (seqs.empty()) return std::vector<Event>();
  return GetMany(std::move(seqs));
}

Result<int64_t> RocksEventStore::FirstSeqOf(const Quarter& q) const {
  // The index holds one run of keys per department ('x' quarter '/' dept
  // '/' seq), each in seq order: the first key of each run, then a seek
  // past the run.
  const std::string prefix = "x" + q.ToString() + "/";
  int64_t first = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);) {
    std::string_view key(it->key().data(), it->key().size());
    size_t slash = key.find('/', prefix.size());
    if (slash == std::string_view::npos || key.size() != slash + 1 + 8) {
      return domain::DataLoss("index key \"" + std::string(key.substr(0, slash)) + "…\" is malformed");
    }
    int64_t seq = static_cast<int64_t>(DecodeFixed64BE(key.substr(slash + 1)));
    if (first == 0 || seq < first) first = seq;
    std::string past(key.substr(0, slash + 1));
    past.append(9, '\xff');  // after every 8-byte seq of this department
    it->Seek(past);
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading the index of quarter " + q.ToString()));
  return first;
}

Result<bool> RocksEventStore::HasFacts(const Quarter& q) const {
  // The quarter's index runs by department ('x' quarter '/' dept '/' seq);
  // the approvals and reopenings are the run of department "", first.
  const std::string prefix = "x" + q.ToString() + "/";
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->Seek(prefix);
  if (it->Valid() && it->key().starts_with(prefix + "/")) {
    std::string past = prefix + "/";
    past.append(9, '\xff');  // after every 8-byte seq of department ""
    it->Seek(past);
  }
  bool found = it->Valid() && it->key().starts_with(prefix);
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading the index of quarter " + q.ToString()));
  return found;
}

Result<std::vector<Event>> RocksEventStore::YearEvents(const std::string& year) const {
  std::vector<int64_t> seqs;
  QLEDGER_RETURN_IF_ERROR(PrefixSeqs(YearPrefix(year), &seqs));
  return GetMany(std::move(seqs));
}

Result<int64_t> RocksEventStore::SeqAtInstant(int64_t limit) const {
  int64_t lo = 0, hi = head_.seq;  // invariant: events <= lo are at or before limit
  while (lo < hi) {
    int64_t mid = lo + (hi - lo + 1) / 2;
    QLEDGER_ASSIGN_OR_RETURN(auto e, Get(mid));
    auto rt = domain::ParseInstant(e.recorded_at);  // written by the writer: always UTC
    if (!rt) return domain::DataLoss("event " + std::to_string(mid) + ": stored recorded_at \"" + e.recorded_at + "\" is not a date-time");
    if (*rt <= limit) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

}  // namespace qledger::storage::internal
