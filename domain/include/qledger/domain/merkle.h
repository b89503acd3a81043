// The Merkle tree over the ledger (RFC 6962 / RFC 9162 §2.1,
// docs/verification.md): leaf i is the event of seq i+1, its data the bytes
// the chain hashes (HashInput). A leaf hashes as SHA-256(0x00 || data), a
// node as SHA-256(0x01 || left || right); a tree of n leaves splits at the
// largest power of two below n. Pure; hashes are 32 raw bytes.
//
// Node (level, index) is the perfect subtree over leaves
// [index·2^level, (index+1)·2^level): the store keeps every one that is
// complete, so that a root, an inclusion proof or a consistency proof for
// any size reads O(log n) of them.
#ifndef QLEDGER_DOMAIN_MERKLE_H_
#define QLEDGER_DOMAIN_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/domain/status.h"

namespace qledger::domain::merkle {

using Hash = std::string;  // 32 raw bytes

Hash LeafHash(std::string_view leaf_data);
Hash NodeHash(std::string_view left, std::string_view right);
Hash EmptyRoot();  // SHA-256 of nothing: the root of the empty tree

// Where complete nodes are read from (the store).
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  virtual Result<Hash> Node(int level, uint64_t index) const = 0;
};

// MTH(leaves [begin, end)). REQUIRES: begin < end, every leaf below end
// stored.
Result<Hash> RangeHash(const NodeSource& nodes, uint64_t begin, uint64_t end);

// The root of the tree of the first `size` leaves (size 0: EmptyRoot).
Result<Hash> Root(const NodeSource& nodes, uint64_t size);

// RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of `size`
// leaves, from the leaf's sibling up. InvalidArgument unless index < size.
Result<std::vector<Hash>> InclusionProof(const NodeSource& nodes, uint64_t index, uint64_t size);

// RFC 9162 §2.1.4.1: the proof that the tree of old_size leaves is a prefix
// of the tree of new_size. InvalidArgument unless 0 < old_size <= new_size.
Result<std::vector<Hash>> ConsistencyProof(const NodeSource& nodes, uint64_t old_size, uint64_t new_size);

// RFC 9162 §2.1.3.2. OK, or InvalidArgument naming what does not hold.
Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash, const std::vector<Hash>& proof,
                       std::string_view root);

// RFC 9162 §2.1.4.2 (equal sizes: an empty proof and equal roots).
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root, std::string_view new_root,
                         const std::vector<Hash>& proof);

// The writer's right edge of the tree: the roots of the perfect subtrees a
// tree of size n splits into, largest first. Appending a leaf gives every
// node it completes, to be stored with the event.
class Frontier {
 public:
  // The nodes of the edge of a tree of `size` leaves, largest first.
  static std::vector<std::pair<int, uint64_t>> EdgeNodes(uint64_t size);

  Frontier() = default;
  // edge: the hashes of EdgeNodes(size), in that order.
  Frontier(uint64_t size, std::vector<Hash> edge) : size_(size), edge_(std::move(edge)) {}

  // Adds the next leaf; emit(level, index, hash) for each node it
  // completes, the leaf itself (level 0) first.
  void Append(const Hash& leaf_hash, const std::function<void(int, uint64_t, const Hash&)>& emit);

  Hash Root() const;
  uint64_t size() const { return size_; }

 private:
  uint64_t size_ = 0;
  std::vector<Hash> edge_;
};

// Base64 (RFC 4648, with padding) of raw bytes and back (nullopt-like:
// false when text is not base64 of the right form).
std::string Base64(std::string_view raw);
bool FromBase64(std::string_view text, std::string* raw);

}  // namespace qledger::domain::merkle

#endif  // QLEDGER_DOMAIN_MERKLE_H_
