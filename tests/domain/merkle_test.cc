// The RFC 6962 tree (domain/merkle.h): the verifiers against every inclusion
// and consistency vector of transparency-dev/merkle (tests/data/merkle: the
// happy paths and the attacks — flipped bits, hashes added or missing, wrong
// leaf or root, indexes and sizes off by one), and the proofs the store
// would produce, built from the nodes the writer's frontier emits.
#include "qledger/domain/merkle.h"

#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace qledger::domain::merkle {
namespace {

namespace json = boost::json;

const std::string kDataDir = std::string(QLEDGER_SOURCE_DIR) + "/tests/data/merkle/";

std::vector<json::object> Vectors(const std::string& name) {
  std::ifstream in(kDataDir + name);
  std::vector<json::object> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(json::parse(line).as_object());
  }
  return out;
}

uint64_t U64(const json::value& v) { return v.is_uint64() ? v.as_uint64() : static_cast<uint64_t>(v.as_int64()); }

Hash B64(const json::value& v) {
  Hash raw;
  EXPECT_TRUE(FromBase64(std::string(v.as_string()), &raw)) << v;
  return raw;
}

std::vector<Hash> ProofOf(const json::object& v) {
  std::vector<Hash> out;
  if (v.at("proof").is_array()) {
    for (const auto& h : v.at("proof").as_array()) out.push_back(B64(h));
  }
  return out;
}

std::string Hex(std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

TEST(MerkleTest, EveryInclusionVectorIsAcceptedOrRefusedAsTheSuiteSays) {
  auto vectors = Vectors("inclusion.jsonl");
  ASSERT_GT(vectors.size(), 90u);
  int refused = 0;
  for (const auto& v : vectors) {
    SCOPED_TRACE(std::string(v.at("file").as_string()));
    Status s = VerifyInclusion(U64(v.at("leafIdx")),
                               U64(v.at("treeSize")), B64(v.at("leafHash")), ProofOf(v),
                               B64(v.at("root")));
    EXPECT_EQ(s.ok(), !v.at("wantErr").as_bool()) << s.ToString();
    refused += !s.ok();
  }
  EXPECT_GT(refused, 70);
}

TEST(MerkleTest, EveryConsistencyVectorIsAcceptedOrRefusedAsTheSuiteSays) {
  auto vectors = Vectors("consistency.jsonl");
  ASSERT_GT(vectors.size(), 90u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(std::string(v.at("file").as_string()));
    Status s = VerifyConsistency(U64(v.at("size1")),
                                 U64(v.at("size2")), B64(v.at("root1")),
                                 B64(v.at("root2")), ProofOf(v));
    EXPECT_EQ(s.ok(), !v.at("wantErr").as_bool()) << s.ToString();
  }
}

// The nodes a writer stores: whatever its frontier emits.
class MemoryNodes : public NodeSource {
 public:
  void Add(const Hash& leaf) {
    frontier_.Append(leaf, [&](int level, uint64_t index, const Hash& h) { nodes_[{level, index}] = h; });
  }
  Result<Hash> Node(int level, uint64_t index) const override {
    auto it = nodes_.find({level, index});
    if (it == nodes_.end()) return NotFound("node " + std::to_string(level) + "/" + std::to_string(index));
    return it->second;
  }
  const Frontier& frontier() const { return frontier_; }

 private:
  Frontier frontier_;
  std::map<std::pair<int, uint64_t>, Hash> nodes_;
};

// The eight leaves of RFC 6962's reference tests, whose roots the suite's
// happy paths use.
MemoryNodes ReferenceTree() {
  MemoryNodes t;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    t.Add(LeafHash(Unhex(hex)));
  }
  return t;
}

TEST(MerkleTest, TheReferenceTreeHasTheRfcRootsAndProducesTheSuitesProofs) {
  MemoryNodes t = ReferenceTree();
  EXPECT_EQ(Hex(LeafHash("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(Hex(*Root(t, 8)), "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
  EXPECT_EQ(Hex(t.frontier().Root()), Hex(*Root(t, 8)));
  EXPECT_EQ(Hex(*Root(t, 0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  int checked = 0;
  for (const auto& v : Vectors("inclusion.jsonl")) {
    if (v.at("desc").as_string() != "happy path") continue;
    uint64_t index = U64(v.at("leafIdx"));
    uint64_t size = U64(v.at("treeSize"));
    if (size > 8 || B64(v.at("root")) != *Root(t, size)) continue;  // another tree
    SCOPED_TRACE(std::string(v.at("file").as_string()));
    auto proof = InclusionProof(t, index, size);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, ProofOf(v));
    ++checked;
  }
  for (const auto& v : Vectors("consistency.jsonl")) {
    if (v.at("desc").as_string() != "happy path") continue;
    uint64_t a = U64(v.at("size1"));
    uint64_t b = U64(v.at("size2"));
    if (b > 8 || B64(v.at("root2")) != *Root(t, b)) continue;
    SCOPED_TRACE(std::string(v.at("file").as_string()));
    auto proof = ConsistencyProof(t, a, b);
    ASSERT_TRUE(proof.ok());
    EXPECT_EQ(*proof, ProofOf(v));
    ++checked;
  }
  EXPECT_GE(checked, 6);
}

// Every proof of every tree up to 70 leaves verifies, and each of its
// corruptions (a bit flipped in any hash, a hash dropped or added, the
// next leaf's index, the roots swapped, a tree that shrank) is refused. (A
// size alone cannot be checked: a checkpoint signs it with its root.)
TEST(MerkleTest, EveryProofOfSmallTreesVerifiesAndEveryCorruptionOfItIsRefused) {
  MemoryNodes t;
  std::mt19937 rng(6962);
  std::vector<Hash> leaves;
  for (int i = 0; i < 70; ++i) {
    leaves.push_back(LeafHash(std::to_string(rng())));
    t.Add(leaves.back());
  }
  auto corruptions = [](const std::vector<Hash>& proof) {
    std::vector<std::vector<Hash>> out;
    for (size_t i = 0; i < proof.size(); ++i) {
      auto flipped = proof;
      flipped[i][i % 32] ^= 1;
      out.push_back(flipped);
      auto dropped = proof;
      dropped.erase(dropped.begin() + static_cast<std::ptrdiff_t>(i));
      out.push_back(dropped);
    }
    auto added = proof;
    added.push_back(Hash(32, '\7'));
    out.push_back(added);
    return out;
  };
  for (uint64_t size = 1; size <= leaves.size(); ++size) {
    Hash root = *Root(t, size);
    for (uint64_t i = 0; i < size; ++i) {
      auto proof = InclusionProof(t, i, size);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyInclusion(i, size, leaves[i], *proof, root).ok()) << i << " of " << size;
      for (const auto& bad : corruptions(*proof)) {
        EXPECT_FALSE(VerifyInclusion(i, size, leaves[i], bad, root).ok());
      }
      if (i + 1 < size) {
        EXPECT_FALSE(VerifyInclusion(i + 1, size, leaves[i], *proof, root).ok());
      }
    }
    for (uint64_t old_size = 1; old_size <= size; ++old_size) {
      Hash old_root = *Root(t, old_size);
      auto proof = ConsistencyProof(t, old_size, size);
      ASSERT_TRUE(proof.ok());
      ASSERT_TRUE(VerifyConsistency(old_size, size, old_root, root, *proof).ok()) << old_size << " to " << size;
      if (old_size == size) continue;
      for (const auto& bad : corruptions(*proof)) {
        EXPECT_FALSE(VerifyConsistency(old_size, size, old_root, root, bad).ok());
      }
      EXPECT_FALSE(VerifyConsistency(old_size, size, root, old_root, *proof).ok()) << "roots swapped";
      EXPECT_FALSE(VerifyConsistency(size, old_size, root, old_root, *proof).ok()) << "a tree that shrank";
    }
  }
}

TEST(MerkleTest, ProofsOutsideTheTreeAreRefusedNamingTheSizes) {
  MemoryNodes t = ReferenceTree();
  EXPECT_EQ(InclusionProof(t, 8, 8).status().message(), "leaf 8 is not in a tree of 8 leaves");
  EXPECT_FALSE(ConsistencyProof(t, 0, 8).ok());
  EXPECT_FALSE(ConsistencyProof(t, 5, 4).ok());
  EXPECT_EQ(VerifyConsistency(4, 4, *Root(t, 4), *Root(t, 5), {}).message(),
            "two different roots for the same tree size");
}

TEST(MerkleTest, Base64IsRfc4648AndOnlyItsCanonicalFormIsRead) {
  EXPECT_EQ(Base64("\x01\x02\x03\x04"), "AQIDBA==");
  Hash raw;
  ASSERT_TRUE(FromBase64("AQIDBA==", &raw));
  EXPECT_EQ(raw, "\x01\x02\x03\x04");
  EXPECT_FALSE(FromBase64("AQIDBB==", &raw)) << "non-zero padding bits";
  EXPECT_FALSE(FromBase64("AQID BA=", &raw));
  EXPECT_FALSE(FromBase64("AQIDBA", &raw));
}

}  // namespace
}  // namespace qledger::domain::merkle
