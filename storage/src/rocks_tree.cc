// RocksEventStore: the Merkle tree's roots and proofs, read from its stored
// nodes (merkle_store.h), and the signed checkpoints kept beside the events.
#include <rocksdb/iterator.h>

#include "keys.h"
#include "merkle_store.h"
#include "qledger/domain/merkle.h"
#include "rocks_event_store.h"

namespace qledger::storage::internal {

Result<uint64_t> RocksEventStore::TreeSize() const { return StoredTreeSize(db_.get()); }

Status RocksEventStore::CheckTreeCovers(uint64_t size) const {
  if (size > static_cast<uint64_t>(head_.seq)) {
    return domain::NotFound("the ledger holds " + std::to_string(head_.seq) + " events, not " + std::to_string(size));
  }
  QLEDGER_ASSIGN_OR_RETURN(uint64_t covered, StoredTreeSize(db_.get()));
  if (size > covered) {
    return domain::FailedPrecondition("the Merkle tree covers " + std::to_string(covered) +
                                      " events: this ledger was written by an earlier release, and the next "
                                      "writer (any append, or qledger checkpoint) builds the rest");
  }
  return Status::Ok();
}

Result<std::string> RocksEventStore::TreeRoot(uint64_t size) const {
  QLEDGER_RETURN_IF_ERROR(CheckTreeCovers(size));
  return domain::merkle::Root(StoredNodes(db_.get()), size);
}

Result<std::vector<std::string>> RocksEventStore::InclusionProof(uint64_t leaf_index, uint64_t size) const {
  QLEDGER_RETURN_IF_ERROR(CheckTreeCovers(size));
  return domain::merkle::InclusionProof(StoredNodes(db_.get()), leaf_index, size);
}

Result<std::vector<std::string>> RocksEventStore::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  QLEDGER_RETURN_IF_ERROR(CheckTreeCovers(new_size));
  return domain::merkle::ConsistencyProof(StoredNodes(db_.get()), old_size, new_size);
}

Status RocksEventStore::PutCheckpoint(uint64_t size, const std::string& note) {
  if (mode_ != Mode::kWriter) return domain::FailedPrecondition("the ledger is open read-only");
  QLEDGER_RETURN_IF_ERROR(CheckTreeCovers(size));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Put(wo, CheckpointKey(size), note), "storing the checkpoint of size " + std::to_string(size));
}

Result<std::optional<std::string>> RocksEventStore::Checkpoint(uint64_t size) const {
  std::string v;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), CheckpointKey(size), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  QLEDGER_RETURN_IF_ERROR(FromRocks(s, "reading the checkpoint of size " + std::to_string(size)));
  return std::optional<std::string>(std::move(v));
}

Result<std::vector<uint64_t>> RocksEventStore::CheckpointSizes() const {
  std::vector<uint64_t> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("C"); it->Valid() && it->key().starts_with("C"); it->Next()) {
    if (it->key().size() != 9) return domain::DataLoss("a stored checkpoint key is malformed; run qledger verify");
    out.push_back(DecodeFixed64BE(std::string_view(it->key().data() + 1, 8)));
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "listing the checkpoints"));
  return out;
}

}  // namespace qledger::storage::internal
