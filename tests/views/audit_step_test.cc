// app::AuditStep, the rule of `qledger audit`, over checkpoints signed here
// with real keys: a first checkpoint is held; the same one again is
// unchanged; a grown tree is taken only with a proof that holds; a tree that
// shrank, two roots for one size, another origin, a missing signature or a
// proof to another tree are refused.
#include "qledger/app/tlog.h"

#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "qledger/domain/merkle.h"

namespace qledger::app {
namespace {

namespace note = domain::note;
namespace merkle = domain::merkle;
namespace json = boost::json;

class Tree : public merkle::NodeSource {
 public:
  explicit Tree(int leaves, const std::string& salt = "") {
    for (int i = 0; i < leaves; ++i) {
      f_.Append(merkle::LeafHash(salt + std::to_string(i)),
                [&](int level, uint64_t index, const merkle::Hash& h) { nodes_[{level, index}] = h; });
    }
  }
  domain::Result<merkle::Hash> Node(int level, uint64_t index) const override { return nodes_.at({level, index}); }

 private:
  merkle::Frontier f_;
  std::map<std::pair<int, uint64_t>, merkle::Hash> nodes_;
};

class AuditStepTest : public ::testing::Test {
 protected:
  void SetUp() override { key_ = *note::GenerateSigner("committee-li"); }

  std::string Signed(const Tree& t, uint64_t size, const std::string& origin = "qledger/0011223344556677") {
    note::Checkpoint c{origin, size, *merkle::Root(t, size)};
    return note::Note{c.Text(), {note::Sign(key_, c.Text())}}.ToString();
  }

  // The log's answer to the consistency question, as the server gives it.
  std::function<domain::Result<std::string>(uint64_t, uint64_t)> Proofs(const Tree& t, const std::string& to_note) {
    return [&t, to_note](uint64_t from, uint64_t to) -> domain::Result<std::string> {
      json::array proof;
      auto hashes = merkle::ConsistencyProof(t, from, to);
      if (!hashes.ok()) return hashes.status();
      for (const auto& h : *hashes) proof.emplace_back(merkle::Base64(h));
      json::object b{{"type", "qledger.consistency/v1"}, {"from_size", from},
                     {"from_root", merkle::Base64(*merkle::Root(t, from))}, {"to_size", to},
                     {"proof", proof}, {"checkpoint", to_note}};
      return json::serialize(b);
    };
  }

  note::Signer key_;
};

TEST_F(AuditStepTest, HoldsTheFirstThenFollowsAGrowingTree) {
  Tree t(40);
  std::string a = Signed(t, 10), b = Signed(t, 40);
  auto first = AuditStep("", a, {key_.verifier}, nullptr);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->store, a);
  auto same = AuditStep(a, a, {key_.verifier}, nullptr);
  ASSERT_TRUE(same.ok());
  EXPECT_NE(same->summary.find("unchanged"), std::string::npos);
  auto grown = AuditStep(a, b, {key_.verifier}, Proofs(t, b));
  ASSERT_TRUE(grown.ok()) << grown.status().ToString();
  EXPECT_EQ(grown->store, b);
}

TEST_F(AuditStepTest, RefusesEveryWayALogCanLie) {
  Tree t(40), forged(40, "x");
  std::string held = Signed(t, 20);
  auto refuse = [&](const domain::Result<AuditOutcome>& r, const std::string& why) {
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.status().code(), domain::StatusCode::kDataLoss) << r.status().ToString();
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  };
  refuse(AuditStep(held, Signed(t, 10), {key_.verifier}, nullptr), "the tree shrank: 20 events held, 10 now");
  refuse(AuditStep(held, Signed(forged, 20), {key_.verifier}, nullptr), "two different checkpoints of the same size 20");
  refuse(AuditStep(held, Signed(t, 30, "qledger/ffffffffffffffff"), {key_.verifier}, nullptr), "origin");
  std::string grown_forged = Signed(forged, 40);
  refuse(AuditStep(held, grown_forged, {key_.verifier}, Proofs(forged, grown_forged)), "");
  auto other = *note::GenerateSigner("committee-li");
  refuse(AuditStep(held, Signed(t, 40), {other.verifier}, nullptr), "is not signed by committee-li");
  // A proof of the genuine tree, but to another checkpoint than the latest.
  std::string latest = Signed(t, 40);
  refuse(AuditStep(held, latest, {key_.verifier}, Proofs(forged, Signed(forged, 40))), "");
}

}  // namespace
}  // namespace qledger::app
