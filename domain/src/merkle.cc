#include "qledger/domain/merkle.h"

#include <openssl/evp.h>

#include <bit>
#include <map>
#include <utility>

#include "qledger/domain/hash_chain.h"

namespace qledger::domain::merkle {

Hash LeafHash(std::string_view leaf_data) { return Sha256Raw({std::string_view("\0", 1), leaf_data}); }

Hash NodeHash(std::string_view left, std::string_view right) {
  return Sha256Raw({std::string_view("\1", 1), left, right});
}

Hash EmptyRoot() { return Sha256Raw({}); }

namespace {

// The largest power of two below n. REQUIRES: n > 1.
uint64_t SplitOf(uint64_t n) { return std::bit_floor(n - 1); }

// Reads each node once per proof (the ranges of a proof share their edge).
class CachedNodes {
 public:
  explicit CachedNodes(const NodeSource& nodes) : nodes_(nodes) {}
  Result<Hash> Range(uint64_t begin, uint64_t end) {
    uint64_t n = end - begin;
    if (std::has_single_bit(n) && begin % n == 0) {
      int level = std::countr_zero(n);
      auto key = std::make_pair(level, begin >> level);
      if (auto it = cache_.find(key); it != cache_.end()) return it->second;
      QLEDGER_ASSIGN_OR_RETURN(Hash h, nodes_.Node(level, begin >> level));
      cache_.emplace(key, h);
      return h;
    }
    uint64_t k = SplitOf(n);
    QLEDGER_ASSIGN_OR_RETURN(Hash left, Range(begin, begin + k));
    QLEDGER_ASSIGN_OR_RETURN(Hash right, Range(begin + k, end));
    return NodeHash(left, right);
  }

 private:
  const NodeSource& nodes_;
  std::map<std::pair<int, uint64_t>, Hash> cache_;
};

Status Path(CachedNodes& nodes, uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash>* out) {
  uint64_t n = end - begin;
  if (n == 1) return Status::Ok();
  uint64_t k = SplitOf(n);
  if (m < k) {
    QLEDGER_RETURN_IF_ERROR(Path(nodes, m, begin, begin + k, out));
    QLEDGER_ASSIGN_OR_RETURN(Hash h, nodes.Range(begin + k, end));
    out->push_back(std::move(h));
  } else {
    QLEDGER_RETURN_IF_ERROR(Path(nodes, m - k, begin + k, end, out));
    QLEDGER_ASSIGN_OR_RETURN(Hash h, nodes.Range(begin, begin + k));
    out->push_back(std::move(h));
  }
  return Status::Ok();
}

Status SubProof(CachedNodes& nodes, uint64_t m, uint64_t begin, uint64_t end, bool whole, std::vector<Hash>* out) {
  uint64_t n = end - begin;
  if (m == n) {
    if (!whole) {
      QLEDGER_ASSIGN_OR_RETURN(Hash h, nodes.Range(begin, end));
      out->push_back(std::move(h));
    }
    return Status::Ok();
  }
  uint64_t k = SplitOf(n);
  if (m <= k) {
    QLEDGER_RETURN_IF_ERROR(SubProof(nodes, m, begin, begin + k, whole, out));
    QLEDGER_ASSIGN_OR_RETURN(Hash h, nodes.Range(begin + k, end));
    out->push_back(std::move(h));
  } else {
    QLEDGER_RETURN_IF_ERROR(SubProof(nodes, m - k, begin + k, end, false, out));
    QLEDGER_ASSIGN_OR_RETURN(Hash h, nodes.Range(begin, begin + k));
    out->push_back(std::move(h));
  }
  return Status::Ok();
}

bool Is32(std::string_view h) { return h.size() == 32; }

}  // namespace

Result<Hash> RangeHash(const NodeSource& nodes, uint64_t begin, uint64_t end) {
  if (begin >= end) return InvalidArgument("an empty range of leaves has no hash");
  CachedNodes cached(nodes);
  return cached.Range(begin, end);
}

Result<Hash> Root(const NodeSource& nodes, uint64_t size) {
  if (size == 0) return EmptyRoot();
  return RangeHash(nodes, 0, size);
}

Result<std::vector<Hash>> InclusionProof(const NodeSource& nodes, uint64_t index, uint64_t size) {
  if (index >= size) {
    return InvalidArgument("leaf " + std::to_string(index) + " is not in a tree of " + std::to_string(size) + " leaves");
  }
  CachedNodes cached(nodes);
  std::vector<Hash> out;
  QLEDGER_RETURN_IF_ERROR(Path(cached, index, 0, size, &out));
  return out;
}

Result<std::vector<Hash>> ConsistencyProof(const NodeSource& nodes, uint64_t old_size, uint64_t new_size) {
  if (old_size == 0 || old_size > new_size) {
    return InvalidArgument("no consistency proof from a tree of " + std::to_string(old_size) + " leaves to one of " +
                           std::to_string(new_size) + " (the old size must be 1 to the new size)");
  }
  CachedNodes cached(nodes);
  std::vector<Hash> out;
  if (old_size == new_size) return out;
  QLEDGER_RETURN_IF_ERROR(SubProof(cached, old_size, 0, new_size, true, &out));
  return out;
}

Status VerifyInclusion(uint64_t index, uint64_t size, std::string_view leaf_hash, const std::vector<Hash>& proof,
                       std::string_view root) {
  if (index >= size) {
    return InvalidArgument("leaf index " + std::to_string(index) + " is not below the tree size " + std::to_string(size));
  }
  if (!Is32(leaf_hash) || !Is32(root)) return InvalidArgument("a hash is not 32 bytes");
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r(leaf_hash);
  for (size_t i = 0; i < proof.size(); ++i) {
    const Hash& p = proof[i];
    if (!Is32(p)) return InvalidArgument("proof hash " + std::to_string(i) + " is not 32 bytes");
    if (sn == 0) return InvalidArgument("the proof has more hashes than the tree has levels");
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return InvalidArgument("the proof has fewer hashes than the tree has levels");
  if (r != root) return InvalidArgument("the proof does not lead to the root: the leaf is not in this tree");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root, std::string_view new_root,
                         const std::vector<Hash>& proof) {
  if (old_size > new_size) {
    return InvalidArgument("the tree shrank: " + std::to_string(old_size) + " leaves, then " + std::to_string(new_size));
  }
  if (old_size == 0) return InvalidArgument("the empty tree has no consistency proof (the old size must be at least 1)");
  if (old_size == new_size) {
    if (!proof.empty()) return InvalidArgument("a proof between trees of the same size must be empty");
    if (old_root != new_root) return InvalidArgument("two different roots for the same tree size");
    return Status::Ok();
  }
  if (!Is32(old_root) || !Is32(new_root)) return InvalidArgument("a root is not 32 bytes");
  if (proof.empty()) return InvalidArgument("the proof is empty");
  for (size_t i = 0; i < proof.size(); ++i) {
    if (!Is32(proof[i])) return InvalidArgument("proof hash " + std::to_string(i) + " is not 32 bytes");
  }
  std::vector<Hash> path;
  if (std::has_single_bit(old_size)) path.emplace_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return InvalidArgument("the proof has more hashes than the trees need");
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return InvalidArgument("the proof has fewer hashes than the trees need");
  if (fr != old_root) return InvalidArgument("the proof does not lead to the old root: the old tree is not a prefix");
  if (sr != new_root) return InvalidArgument("the proof does not lead to the new root: the new tree does not extend the old");
  return Status::Ok();
}

std::vector<std::pair<int, uint64_t>> Frontier::EdgeNodes(uint64_t size) {
  std::vector<std::pair<int, uint64_t>> out;
  uint64_t start = 0;
  for (int level = 63; level >= 0; --level) {
    uint64_t bit = uint64_t{1} << level;
    if (size & bit) {
      out.emplace_back(level, start >> level);
      start += bit;
    }
  }
  return out;
}

void Frontier::Append(const Hash& leaf_hash, const std::function<void(int, uint64_t, const Hash&)>& emit) {
  Hash h = leaf_hash;
  uint64_t index = size_;
  int level = 0;
  emit(0, index, h);
  while (index & 1) {  // a right child: its left sibling is the last of the edge
    h = NodeHash(edge_.back(), h);
    edge_.pop_back();
    index >>= 1;
    ++level;
    emit(level, index, h);
  }
  edge_.push_back(std::move(h));
  ++size_;
}

Hash Frontier::Root() const {
  if (edge_.empty()) return EmptyRoot();
  Hash r = edge_.back();
  for (size_t i = edge_.size() - 1; i-- > 0;) r = NodeHash(edge_[i], r);
  return r;
}

std::string Base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(raw.data()),
                          static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool FromBase64(std::string_view text, std::string* raw) {
  if (text.size() % 4 != 0) return false;
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return false;
  }
  std::string out(3 * (text.size() / 4), '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return false;
  size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<size_t>(n) - pad);
  // Canonical only: the text must be what Base64 writes for these bytes.
  if (Base64(out) != text) return false;
  *raw = std::move(out);
  return true;
}

}  // namespace qledger::domain::merkle
