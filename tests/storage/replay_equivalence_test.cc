// The server and the CLI never replay the whole ledger: a quarter's answer is
// derived from the events its indexes name (EventStore::LoadReplay), which is
// the projection "checkpoint" that keeps start-up instant. This proves that
// shortcut never changes an answer: for every quarter, department and several
// points of replay, the derivation from the indexed events is identical —
// every step and every figure — to the derivation from a full scan.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "qledger/domain/scoring.h"
#include "qledger/storage/event_store.h"
#include "qledger/app/queries.h"
#include "qledger_test_support.h"

namespace qledger::storage {
namespace {

using qledger::testing::RunQledger;
using qledger::testing::RunResult;
using qledger::testing::SourcePath;
using qledger::testing::TempDir;

TEST(ReplayEquivalenceTest, IndexedReplayEqualsAFullScanAtEveryQuarterDepartmentAndPoint) {
  TempDir dir;
  std::string data = dir.Sub("ledger");
  RunResult init = RunQledger({"init", "--data", data, "--policy", SourcePath("config/policy.json")});
  ASSERT_EQ(init.exit_code, 0) << init.Describe();
  RunResult demo = RunQledger({"append", "--data", data, SourcePath("config/demo/events.jsonl")});
  ASSERT_EQ(demo.exit_code, 0) << demo.Describe();

  auto store = EventStore::OpenReader(data);
  ASSERT_TRUE(store.ok()) << store.status().message();
  domain::ReplayInput full;
  ASSERT_TRUE((*store)->Scan(1, INT64_MAX, [&](const domain::Event& e) {
    full.events.push_back(e);
    return true;
  }).ok());
  full.head_seq = (*store)->head().seq;
  auto quarters = (*store)->Quarters();
  ASSERT_TRUE(quarters.ok());
  ASSERT_GE(quarters->size(), 4u);

  const std::vector<std::string> departments = {"marketing", "logistics", "wuhan", "orders",
                                                "storage", "bidding", "metrology"};
  int compared = 0;
  for (const auto& qs : *quarters) {
    domain::Quarter q = *domain::Quarter::Parse(qs);
    for (const auto& d : departments) {
      // Points: early, the 2026Q2 approval (214), mid-reopening, and the head.
      for (int64_t point : {int64_t{60}, int64_t{214}, int64_t{250}, full.head_seq}) {
        domain::ReplayOptions options{point, {}};
        auto indexed = (*store)->LoadReplay(q, d);
        ASSERT_TRUE(indexed.ok());
        auto a = domain::Derive(*indexed, options);
        domain::ReplayInput whole = full;
        whole.quarter = q;
        whole.department = d;
        auto b = domain::Derive(whole, options);
        ASSERT_EQ(a.ok(), b.ok()) << qs << " " << d << " @" << point;
        if (!a.ok()) {
          EXPECT_EQ(a.status().message(), b.status().message());
          continue;
        }
        EXPECT_EQ(boost::json::serialize(domain::DerivationToJson(*a)),
                  boost::json::serialize(domain::DerivationToJson(*b)))
            << qs << " " << d << " @" << point;
        ++compared;
      }
    }
  }
  EXPECT_GE(compared, 5 * 7 * 3);  // most (quarter, department, point) triples have a policy in force
}

}  // namespace
}  // namespace qledger::storage
