#include "merkle_store.h"

#include <rocksdb/write_batch.h>

#include "keys.h"
#include "rocks_event_store.h"

namespace qledger::storage::internal {

using domain::merkle::Frontier;
using domain::merkle::Hash;

namespace {

std::string NodeName(int level, uint64_t index) {
  return "node " + std::to_string(level) + "/" + std::to_string(index);
}

}  // namespace

StoredNodes::StoredNodes(rocksdb::DB* db) : db_(db) {}
StoredNodes::~StoredNodes() = default;

Result<Hash> StoredNodes::Node(int level, uint64_t index) const {
  std::string v;
  if (level < kLowestStoredLevel) {
    // Hashed from its events, read in one pass.
    uint64_t first = index << level;
    uint64_t count = uint64_t{1} << level;
    if (!events_) events_.reset(db_->NewIterator(rocksdb::ReadOptions()));
    rocksdb::Iterator* it = events_.get();
    Frontier f;
    int64_t seq = static_cast<int64_t>(first) + 1;
    for (it->Seek(EventKey(seq)); it->Valid() && f.size() < count; it->Next(), ++seq) {
      if (it->key() != rocksdb::Slice(EventKey(seq)) || it->value().size() < 33) break;
      f.Append(domain::merkle::LeafHash(std::string_view(it->value().data() + 32, it->value().size() - 32)),
               [](int, uint64_t, const Hash&) {});
    }
    QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading events for the Merkle tree"));
    if (f.size() != count) {
      return domain::DataLoss("event " + std::to_string(seq) + " is missing or malformed; run qledger verify");
    }
    return f.Root();
  }
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), NodeKey(level, index), &v);
  if (s.IsNotFound()) {
    return domain::DataLoss("the Merkle tree's " + NodeName(level, index) + " is missing; run qledger verify");
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(s, "reading the Merkle tree's " + NodeName(level, index)));
  if (v.size() != 32) return domain::DataLoss("the Merkle tree's " + NodeName(level, index) + " is malformed");
  return v;
}

Result<uint64_t> StoredTreeSize(rocksdb::DB* db) {
  std::string v;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), std::string(kTreeSizeKey), &v);
  if (s.IsNotFound()) return uint64_t{0};
  QLEDGER_RETURN_IF_ERROR(FromRocks(s, "reading the Merkle tree's size"));
  if (v.size() != 8) return domain::DataLoss("the Merkle tree's size record is malformed; run qledger verify");
  return DecodeFixed64BE(v);
}

std::string TreeSizeValue(uint64_t size) {
  std::string v;
  PutFixed64BE(&v, size);
  return v;
}

Result<Frontier> LoadFrontier(rocksdb::DB* db, uint64_t size) {
  StoredNodes nodes(db);
  std::vector<Hash> edge;
  for (auto [level, index] : Frontier::EdgeNodes(size)) {
    QLEDGER_ASSIGN_OR_RETURN(Hash h, nodes.Node(level, index));
    edge.push_back(std::move(h));
  }
  return Frontier(size, std::move(edge));
}

Status ExtendTree(rocksdb::DB* db, int64_t head_seq, Frontier* frontier) {
  constexpr uint64_t kLeavesPerBatch = 1 << 16;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  rocksdb::WriteBatch wb;
  auto flush = [&](bool last) -> Status {
    wb.Put(std::string(kTreeSizeKey), TreeSizeValue(frontier->size()));
    rocksdb::WriteOptions wo;
    wo.sync = last;  // the log keeps the batches in order: syncing the last makes all durable
    QLEDGER_RETURN_IF_ERROR(FromRocks(db->Write(wo, &wb), "writing the Merkle tree"));
    wb.Clear();
    return Status::Ok();
  };
  auto emit = [&](int level, uint64_t index, const Hash& h) {
    if (level >= kLowestStoredLevel) wb.Put(NodeKey(level, index), h);
  };
  for (it->Seek(EventKey(static_cast<int64_t>(frontier->size()) + 1)); it->Valid() && it->key().starts_with("e");
       it->Next()) {
    int64_t seq = static_cast<int64_t>(DecodeFixed64BE(std::string_view(it->key().data() + 1, 8)));
    if (seq > head_seq) break;
    if (seq != static_cast<int64_t>(frontier->size()) + 1 || it->value().size() < 33) {
      return domain::DataLoss("event " + std::to_string(frontier->size() + 1) +
                              " is missing or malformed; the Merkle tree cannot be built (run qledger verify)");
    }
    std::string_view body(it->value().data() + 32, it->value().size() - 32);
    frontier->Append(domain::merkle::LeafHash(body), emit);
    if (frontier->size() % kLeavesPerBatch == 0) QLEDGER_RETURN_IF_ERROR(flush(false));
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading events for the Merkle tree"));
  if (static_cast<int64_t>(frontier->size()) != head_seq) {
    return domain::DataLoss("the Merkle tree reached event " + std::to_string(frontier->size()) + " of " +
                            std::to_string(head_seq) + "; run qledger verify");
  }
  return flush(true);
}

rocksdb::Iterator* TreeCheck::At(int level) {
  if (levels_.size() <= static_cast<size_t>(level)) levels_.resize(static_cast<size_t>(level) + 1);
  auto& it = levels_[static_cast<size_t>(level)];
  if (!it) {
    it.reset(db_->NewIterator(rocksdb::ReadOptions()));
    it->Seek(NodeKey(level, 0));
  }
  return it.get();
}

void TreeCheck::Leaf(const Hash& leaf_hash) {
  frontier_.Append(leaf_hash, [&](int level, uint64_t index, const Hash& h) {
    if (!problem_.empty() || level < kLowestStoredLevel) return;  // hashed from the events, not stored
    rocksdb::Iterator* it = At(level);
    std::string key = NodeKey(level, index);
    if (!it->Valid() || it->key().ToString() != key) {
      problem_ = "the Merkle tree's " + NodeName(level, index) + " is missing";
      return;
    }
    if (it->value().ToString() != h) {
      problem_ = "the Merkle tree's " + NodeName(level, index) + " does not follow from the events";
      return;
    }
    it->Next();
  });
}

std::string TreeCheck::Finish() {
  if (!problem_.empty()) return problem_;
  // Any node left on a level follows from no leaf.
  for (int level = 0; level < 64; ++level) {
    rocksdb::Iterator* it = At(level);
    std::string prefix = NodeKey(level, 0).substr(0, 2);
    if (it->Valid() && it->key().starts_with(prefix)) {
      uint64_t index = DecodeFixed64BE(std::string_view(it->key().data() + 2, 8));
      return "the Merkle tree's " + NodeName(level, index) + " does not follow from any event";
    }
    if (!it->status().ok()) return "reading the Merkle tree: " + it->status().ToString();
  }
  levels_.clear();
  return "";
}

}  // namespace qledger::storage::internal
