// Internal: the Merkle tree's nodes in the store (keys.h: 'n', 'T'), read
// for roots and proofs, written by the writer with each batch, built for a
// ledger of an earlier release at a writer's first open, and checked by
// `verify` (domain/merkle.h; docs/verification.md).
#ifndef QLEDGER_STORAGE_SRC_MERKLE_STORE_H_
#define QLEDGER_STORAGE_SRC_MERKLE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "qledger/domain/merkle.h"
#include "qledger/domain/status.h"

namespace qledger::storage::internal {

using domain::Result;
using domain::Status;

// Nodes below this level are not stored: each covers at most 8 events,
// which a proof reads and hashes when it needs one (a proof needs one such
// node per level: 15 events at most). Stored, they would be 15 of every 16
// nodes, one more key per event, and a fifth of the cost of a bulk append.
constexpr int kLowestStoredLevel = 4;

// Complete nodes as the store holds them (below kLowestStoredLevel, hashed
// from their events).
class StoredNodes final : public domain::merkle::NodeSource {
 public:
  explicit StoredNodes(rocksdb::DB* db);
  ~StoredNodes() override;
  Result<domain::merkle::Hash> Node(int level, uint64_t index) const override;

 private:
  rocksdb::DB* db_;
  // The nodes below the stored levels are hashed from their events: one
  // iterator serves them all (a proof asks for one a level; making an
  // iterator over the sorted runs costs more than a seek).
  mutable std::unique_ptr<rocksdb::Iterator> events_;
};

// How many leaves (events, from seq 1) the stored tree covers: 0 for a
// ledger of an earlier release that no writer has opened since.
Result<uint64_t> StoredTreeSize(rocksdb::DB* db);

// The value of the tree-size record.
std::string TreeSizeValue(uint64_t size);

// The writer's frontier of the stored tree of `size` leaves.
Result<domain::merkle::Frontier> LoadFrontier(rocksdb::DB* db, uint64_t size);

// Adds to the stored tree (of frontier->size() leaves) the events after it
// up to head_seq, in synced batches of nodes: what a writer's first open of
// a ledger of an earlier release does. The events' bytes are not touched.
Status ExtendTree(rocksdb::DB* db, int64_t head_seq, domain::merkle::Frontier* frontier);

// `verify`'s check of the stored tree: fed the leaf hash of every event
// the tree covers, in seq order, it compares every node the leaves make
// with the stored one, and at the end finds nodes that follow from no leaf.
class TreeCheck {
 public:
  explicit TreeCheck(rocksdb::DB* db) : db_(db) {}
  void Leaf(const domain::merkle::Hash& leaf_hash);
  // The first difference, or "" when the stored tree is the events' tree.
  std::string Finish();

 private:
  rocksdb::Iterator* At(int level);

  rocksdb::DB* db_;
  domain::merkle::Frontier frontier_;
  std::vector<std::unique_ptr<rocksdb::Iterator>> levels_;
  std::string problem_;
};

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_SRC_MERKLE_STORE_H_
