// RocksEventStore (rocks_event_store.h): the integrity checks every open and
// every catch-up runs (docs/recovery.md), and `verify`: the hash chain from
// the first event, then every index entry against the events
// (index_check.h). docs/verification.md.
#include "rocks_event_store.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <rocksdb/metadata.h>

#include "index_check.h"
#include "merkle_store.h"
#include "qledger/domain/signed_note.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/stored_event.h"
#include "qledger/log/log.h"

namespace qledger::storage::internal {

namespace {

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Status RocksEventStore::CheckIntegrity(const std::optional<AckedHead>& acked) const {
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
  QLEDGER_ASSIGN_OR_RETURN(std::string hash, StoredHash(acked->seq));
  if (hash != acked->hash) {
    return domain::DataLoss("the ledger at " + dir_ + " has forked: event " + std::to_string(acked->seq) +
                            " was acknowledged with hash " + acked->hash + " but is stored with hash " + hash +
                            "; it is neither read nor written until restored (docs/recovery.md)");
  }
  return Status::Ok();
}

Status RocksEventStore::CheckLoggedEvents() const {
  auto seq_of = [](const rocksdb::Iterator& it) -> int64_t {
    rocksdb::Slice k = it.key();
    if (k.size() != 9 || k[0] != 'e') return 0;
    return static_cast<int64_t>(DecodeFixed64BE(std::string_view(k.data() + 1, 8)));
  };
  rocksdb::ReadOptions ro;
  ro.read_tier = rocksdb::kMemtableTier;  // the memtables only: what the logs held
  std::string upper = EventKey(head_.seq + 1);
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  // A gap among the logs' events is lost data unless the table files hold
  // it (a batch ingested as table files flushes the memtable first, so they
  // should not; the walk makes sure, and costs only where there is a gap).
  std::unique_ptr<rocksdb::Iterator> all;
  int64_t first = 0, expected = 0, lost_from = 0, lost_to = 0;
  for (it->Seek(EventKey(1)); it->Valid(); it->Next()) {
    const int64_t seq = seq_of(*it);
    if (seq == 0) break;
    if (first == 0) first = expected = seq;
    if (seq != expected) {
      if (!all) all.reset(db_->NewIterator(rocksdb::ReadOptions()));
      for (all->Seek(EventKey(expected)); all->Valid() && expected < seq && seq_of(*all) == expected; all->Next()) {
        ++expected;
      }
      QLEDGER_RETURN_IF_ERROR(FromRocks(all->status(), "reading events"));
      if (expected < seq) {
        lost_from = expected;
        const int64_t next = all->Valid() ? seq_of(*all) : 0;
        lost_to = next > expected && next < seq ? next - 1 : seq - 1;
        break;
      }
    }
    ++expected;
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading the events of the write-ahead logs"));
  if (first > 1 && lost_from == 0) {
    // The logs' first event follows the table files' last.
    if (!all) all.reset(db_->NewIterator(rocksdb::ReadOptions()));
    all->SeekForPrev(EventKey(first - 1));
    QLEDGER_RETURN_IF_ERROR(FromRocks(all->status(), "reading event " + std::to_string(first - 1)));
    const int64_t before = all->Valid() ? seq_of(*all) : 0;
    if (before != first - 1) {
      lost_from = before + 1;
      lost_to = first - 1;
    }
  }
  if (lost_from == 0) return Status::Ok();
  std::string missing = lost_from == lost_to ? "event " + std::to_string(lost_from) + " is"
                                             : "events " + std::to_string(lost_from) + ".." + std::to_string(lost_to) +
                                                   " are";
  return domain::DataLoss("the ledger at " + dir_ + " has lost acknowledged events: " + missing +
                          " missing while later ones are stored (a write-ahead log of the ledger was deleted or "
                          "emptied); it is neither read nor written until restored (docs/recovery.md)");
}

Status RocksEventStore::CheckContiguous(int64_t from, int64_t to) const {
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

Status RocksEventStore::CheckTableFiles() const {
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

Status RocksEventStore::CheckHeadRecord() const {
  if (head_.seq > 0) {
    QLEDGER_ASSIGN_OR_RETURN(std::string hash, StoredHash(head_.seq));
    if (hash != head_.hash) {
      return domain::DataLoss("the ledger head record (seq " + std::to_string(head_.seq) + " hash " + head_.hash +
                              ") does not match event " + std::to_string(head_.seq) + " (hash " + hash + ")");
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

Result<bool> RocksEventStore::HasAckedMarker() const {
  std::string ignored;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), std::string(kAckedMarkerKey), &ignored);
  if (s.IsNotFound()) return false;
  QLEDGER_RETURN_IF_ERROR(FromRocks(s, "reading the ledger's marks"));
  return true;
}

Result<std::string> RocksEventStore::StoredHash(int64_t seq) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), EventKey(seq), &v);
  if (s.IsNotFound()) return domain::DataLoss("event " + std::to_string(seq) + " is missing from the store");
  QLEDGER_RETURN_IF_ERROR(FromRocks(s, "reading event " + std::to_string(seq)));
  if (v.size() < 33) return domain::DataLoss("event " + std::to_string(seq) + ": stored record is truncated");
  return ToHex(std::string_view(v).substr(0, 32));
}

std::string RocksEventStore::CheckStoredCheckpoints() const {
  auto sizes = CheckpointSizes();
  if (!sizes.ok()) return sizes.status().message();
  for (uint64_t size : *sizes) {
    auto stored = Checkpoint(size);
    if (!stored.ok() || !*stored) return "the checkpoint of size " + std::to_string(size) + " cannot be read";
    auto n = domain::note::ParseNote(**stored);
    auto c = n.ok() ? domain::note::ParseCheckpoint(n->text) : Result<domain::note::Checkpoint>(n.status());
    auto root = TreeRoot(size);
    if (!c.ok() || !root.ok() || c->size != size || c->root != *root) {
      return "the signed checkpoint of size " + std::to_string(size) +
             " is not the tree of the events: they were changed after it was signed";
    }
  }
  return "";
}

namespace {

// An event whose bytes and hash verified, handed from the thread that reads
// and checks the chain to the one that checks the rest against it.
struct Verified {
  domain::Event event;
  std::string hash;  // hex
  std::string body;  // its bytes, whose Merkle leaf hash the caller takes; "" beyond the stored tree
};

// Batches of Verified from the reading thread to the calling thread, and
// back once used: a batch is cleared, and its events freed, on the thread
// that made them (a free on another thread than the allocating one costs
// the allocator time, and glibc's malloc memory too).
class Handoff {
 public:
  static constexpr size_t kBatch = 256;
  static constexpr size_t kInFlight = 8;

  // Reader: a batch to fill (an emptied one back, or a new one).
  std::vector<Verified> Empty() {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return full_.size() + out_ < kInFlight || !used_.empty(); });
    std::vector<Verified> b;
    if (!used_.empty()) {
      b = std::move(used_.back());
      used_.pop_back();
      lock.unlock();
      b.clear();
    }
    b.reserve(kBatch);
    return b;
  }
  void Put(std::vector<Verified> b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      full_.push_back(std::move(b));
    }
    ready_.notify_one();
  }
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    ready_.notify_one();
  }
  // Caller: the next batch in order, or nullopt when the reader is done.
  std::optional<std::vector<Verified>> Take() {
    std::unique_lock<std::mutex> lock(mu_);
    ready_.wait(lock, [&] { return !full_.empty() || closed_; });
    if (full_.empty()) return std::nullopt;
    std::vector<Verified> b = std::move(full_.front());
    full_.pop_front();
    ++out_;
    return b;
  }
  void GiveBack(std::vector<Verified> b) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      --out_;
      used_.push_back(std::move(b));
    }
    room_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::vector<Verified>> full_;
  std::vector<std::vector<Verified>> used_;
  size_t out_ = 0;  // batches the caller holds
  bool closed_ = false;
};

}  // namespace

Result<VerifyReport> RocksEventStore::Verify(const EachVerified& each) const {
  VerifyReport r;
  // The tree's size record sits in the first block of the ledger's keys,
  // with the first events: a damaged block is told by the chain, naming
  // the event it holds, before it is told as the tree's.
  Result<uint64_t> stored_tree_size = StoredTreeSize(db_.get());
  const uint64_t tree_size = stored_tree_size.ok() ? *stored_tree_size : 0;
  TreeCheck tree(db_.get());
  IndexExpectation indexes(db_.get(), head_.seq);
  auto chain_start = std::chrono::steady_clock::now();
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ReadOnce()));
  // Two threads, so that a ledger verifies on two cores: this one reads the
  // events in order and checks each one's key, bytes and hash against the
  // one before (the chain); the calling thread checks the rest — the tree,
  // the indexes, what `each` checks — against the events that verified, in
  // the same order. Where the chain breaks, the reader stops: the events
  // before it are all the caller sees, as when one thread did both.
  Handoff handoff;
  std::optional<int64_t> bad_seq;
  std::string problem;
  std::thread reader([&] {
    std::string prev;
    int64_t expected = 1;
    std::vector<Verified> batch = handoff.Empty();
    auto fail = [&](int64_t seq, std::string why) {
      bad_seq = seq;
      problem = std::move(why);
    };
    for (it->Seek(EventKey(1)); it->Valid() && it->key().starts_with("e"); it->Next()) {
      rocksdb::Slice k = it->key();
      std::string_view v(it->value().data(), it->value().size());
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
      batch.push_back(Verified{std::move(*e), std::move(computed),
                               static_cast<uint64_t>(seq) <= tree_size ? std::string(body) : std::string()});
      if (batch.size() == Handoff::kBatch) {
        handoff.Put(std::move(batch));
        batch = handoff.Empty();
      }
      ++expected;
    }
    // A stored block that fails RocksDB's own checksum ends the scan: the
    // chain is broken where it could no longer be read, and that event is
    // named (SPEC §6), not only the file.
    if (!bad_seq && !it->status().ok()) {
      fail(expected, "event " + std::to_string(expected) +
                         " cannot be read: the stored block that holds it, with the events after it there, is "
                         "damaged (" + it->status().ToString() + "); restore the ledger from a backup "
                         "(docs/recovery.md)");
    }
    if (!batch.empty()) handoff.Put(std::move(batch));
    handoff.Close();
  });
  while (auto b = handoff.Take()) {
    for (Verified& v : *b) {
      if (!v.body.empty()) tree.Leaf(domain::merkle::LeafHash(v.body));
      indexes.Add(v.event);
      if (each) each(v.event, v.hash);
      r.head = Head{v.event.seq, v.hash, v.event.recorded_at};
      r.events = v.event.seq;
    }
    handoff.GiveBack(std::move(*b));
  }
  reader.join();
  r.bad_seq = bad_seq;
  r.problem = std::move(problem);
  log::Debug("verify: chain read", {{"ms", MillisSince(chain_start)}, {"events", r.events}});
  if (!r.bad_seq) {
    QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));
    QLEDGER_RETURN_IF_ERROR(stored_tree_size.status());
    if (r.head.seq != head_.seq || r.head.hash != head_.hash) {
      r.bad_seq = std::min(r.head.seq, head_.seq) + 1;
      r.problem = "the recorded head (seq " + std::to_string(head_.seq) + ") does not match the chain (seq " +
                  std::to_string(r.head.seq) + ")";
    } else {
      auto t0 = std::chrono::steady_clock::now();
      QLEDGER_RETURN_IF_ERROR(indexes.Finish(&r.index_problem));
      r.index_entries = indexes.matched();
      r.index_exact = indexes.exact();
      log::Debug("verify: indexes checked", {{"ms", MillisSince(t0)}, {"by_digest", r.index_entries}, {"exact", r.index_exact}});
      if (r.index_problem.empty() && tree_size > static_cast<uint64_t>(r.events)) {
        r.index_problem = "the Merkle tree covers " + std::to_string(tree_size) + " events, but the ledger holds " +
                          std::to_string(r.events);
      }
      t0 = std::chrono::steady_clock::now();
      if (r.index_problem.empty()) r.index_problem = tree.Finish();
      if (r.index_problem.empty()) r.index_problem = CheckStoredCheckpoints();
      log::Debug("verify: tree and checkpoints checked", {{"ms", MillisSince(t0)}});
    }
  }
  return r;
}

}  // namespace qledger::storage::internal
