// EventStore against a real RocksDB ledger in a fresh temporary directory:
// the chain, the batch rules as the store applies them, the indexes behind
// LoadReplay, time lookups, verification of a tampered ledger, backup, the
// single-writer lock and the follower.
#include "qledger/storage/event_store.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "ledger_tamper.h"
#include "qledger/domain/event.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/merkle.h"
#include "qledger_test_support.h"

namespace qledger::storage {
namespace {

namespace json = boost::json;
using domain::StatusCode;
using qledger::testing::TempDir;

// ---- Event lines written by hand ----

std::string PolicyLine() {
  json::object e{{"id", "policy-v1"},
                 {"type", "policy.adopted"},
                 {"occurred_at", "2025-01-01"},
                 {"actor", "质量管理委员会"},
                 {"data", json::object{{"version", 1},
                                       {"effective_from", "2013Q3"},
                                       {"policy", json::parse(qledger::testing::ReadFile(
                                                      qledger::testing::SourcePath("config/policy.json")))}}}};
  return json::serialize(e);
}

// score_json is the JSON text of the score: "\"96.50\"" or "96.5".
std::string SelfCheck(const std::string& id, const std::string& dept, const std::string& month,
                      const std::string& score_json) {
  return R"({"id": ")" + id + R"(", "type": "selfcheck.reported", "department": ")" + dept +
         R"(", "period": ")" + month + R"(", "occurred_at": ")" + month +
         R"(-25", "actor": "质量管理员", "data": {"score": )" + score_json + "}}";
}

std::string Survey(const std::string& id, const std::string& dept, const std::string& quarter,
                   const std::string& score) {
  return R"({"id": ")" + id + R"(", "type": "survey.responded", "department": ")" + dept + R"(", "period": ")" +
         quarter + R"(", "occurred_at": "2026-01-05", "actor": "工作组", "data": {"respondent": "客户", "score": ")" +
         score + R"("}})";
}

std::string Approve(const std::string& id, const std::string& quarter) {
  return R"({"id": ")" + id + R"(", "type": "quarter.approved", "period": ")" + quarter +
         R"(", "occurred_at": "2026-12-10", "actor": "秘书", "data": {"approved_by": "质量管理委员会", "meeting_date": "2026-12-10"}})";
}

std::string Void(const std::string& id, const std::string& target) {
  return R"({"id": ")" + id + R"(", "type": "entry.voided", "occurred_at": "2026-09-01", "actor": "工作组", "data": {"target": ")" +
         target + R"(", "reason": "录入错误"}})";
}

std::string Expense(const std::string& id, const std::string& year) {
  return R"({"id": ")" + id + R"(", "type": "budget.expense", "period": ")" + year +
         R"(", "occurred_at": "2026-03-01", "actor": "工作组", "data": {"amount": "100.00", "purpose": "培训"}})";
}

std::vector<domain::InputEvent> Batch(const std::vector<std::string>& lines) {
  return domain::ParseInputText(qledger::testing::JoinLines(lines));
}

bool AnyContains(const std::vector<std::string>& messages, const std::string& a, const std::string& b = "") {
  return std::any_of(messages.begin(), messages.end(), [&](const std::string& m) {
    return m.find(a) != std::string::npos && m.find(b) != std::string::npos;
  });
}

std::vector<std::string> Printed(const std::vector<domain::BatchError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.ToString());
  return out;
}

std::string Joined(const std::vector<std::string>& messages) {
  std::string out;
  for (const auto& m : messages) out += m + "\n";
  return out;
}

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.Sub("ledger");
    auto created = EventStore::Create(dir_);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    store_ = std::move(*created);
    AppendOptions o;
    o.now = "2026-01-01T00:00:00Z";
    AppendOk({PolicyLine()}, o);
  }

  // Appends and asserts that the whole batch was accepted.
  AppendOutcome AppendOk(const std::vector<std::string>& lines, const AppendOptions& options = {}) {
    auto out = store_->Append(Batch(lines), options);
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok()) return {};
    EXPECT_TRUE(out->errors.empty()) << Joined(Printed(out->errors));
    return *out;
  }

  // Appends a batch that must be rejected by the rules; returns the errors.
  std::vector<std::string> AppendRejected(const std::vector<std::string>& lines) {
    auto out = store_->Append(Batch(lines), {});
    EXPECT_TRUE(out.ok()) << out.status().ToString();
    if (!out.ok()) return {};
    EXPECT_FALSE(out->errors.empty());
    return Printed(out->errors);
  }

  std::vector<int64_t> AllSeqs(const EventStore& store) {
    std::vector<int64_t> seqs;
    Status st = store.Scan(1, INT64_MAX, [&](const domain::Event& e) {
      seqs.push_back(e.seq);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return seqs;
  }

  int64_t SeqOf(const std::string& id) {
    auto e = store_->FindById(id);
    EXPECT_TRUE(e.ok() && e->has_value()) << id;
    return e.ok() && e->has_value() ? (*e)->seq : -1;
  }

  // Ten events: policy (1) then nine storage self-checks (2..10), closed.
  void BuildTenEventsAndClose() {
    std::vector<std::string> lines;
    for (int m = 1; m <= 9; ++m) {
      std::string month = "2026-0" + std::to_string(m);
      lines.push_back(SelfCheck(month + "-storage", "storage", month, "\"9" + std::to_string(m) + ".50\""));
    }
    AppendOk(lines);
    ASSERT_EQ(store_->head().seq, 10);
    store_.reset();
  }

  VerifyReport VerifyDir(const std::string& dir) {
    auto reader = EventStore::OpenReader(dir);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return {};
    auto report = (*reader)->Verify();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  TempDir tmp_;
  std::string dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreTest, SeqRunsWithoutGapsOverSeveralBatches) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "\"96.50\""), SelfCheck("a2", "orders", "2026-07", "\"90.00\"")});
  AppendOk({SelfCheck("b1", "storage", "2026-08", "\"95.00\"")});
  auto last = AppendOk({SelfCheck("c1", "storage", "2026-09", "\"94.00\""),
                        SelfCheck("c2", "orders", "2026-08", "\"91.00\""),
                        SelfCheck("c3", "orders", "2026-09", "\"92.00\"")});
  EXPECT_EQ(last.appended, 3);
  EXPECT_EQ(last.head.seq, 7);
  EXPECT_EQ(store_->head().seq, 7);
  EXPECT_EQ(AllSeqs(*store_), (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(SeqOf("a2"), 3);
  EXPECT_EQ(SeqOf("b1"), 4);
  EXPECT_EQ(SeqOf("c3"), 7);
}

TEST_F(EventStoreTest, HeadHashIsTheChainRecomputedFromScan) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "\"96.50\""), Survey("s1", "storage", "2026Q3", "95.00")});
  AppendOk({SelfCheck("b1", "storage", "2026-08", "95")});
  std::string prev;  // the first event chains to 32 zero bytes
  int64_t n = 0;
  Status st = store_->Scan(1, INT64_MAX, [&](const domain::Event& e) {
    std::string recomputed = domain::ChainHash(prev, domain::HashInput(e));
    EXPECT_EQ(e.hash, recomputed) << "seq " << e.seq;
    EXPECT_EQ(e.hash.size(), 64u);
    prev = recomputed;
    ++n;
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(n, 4);
  EXPECT_EQ(store_->head().hash, prev);
}

TEST_F(EventStoreTest, AppendWithStaleExpectHeadIsAbortedAndWritesNothing) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "\"96.50\"")});
  Head before = store_->head();
  ASSERT_EQ(before.seq, 2);
  AppendOptions stale;
  stale.expect_head = 1;
  auto out = store_->Append(Batch({SelfCheck("b1", "storage", "2026-08", "\"95.00\"")}), stale);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kAborted);
  EXPECT_NE(out.status().message().find("head is seq 2"), std::string::npos) << out.status().message();
  EXPECT_EQ(store_->head().seq, before.seq);
  EXPECT_EQ(store_->head().hash, before.hash);
  auto b1 = store_->FindById("b1");
  ASSERT_TRUE(b1.ok());
  EXPECT_FALSE(b1->has_value());

  AppendOptions current;
  current.expect_head = 2;
  EXPECT_EQ(AppendOk({SelfCheck("b1", "storage", "2026-08", "\"95.00\"")}, current).head.seq, 3);
}

TEST_F(EventStoreTest, DryRunValidatesButWritesNothing) {
  Head before = store_->head();
  AppendOptions dry;
  dry.dry_run = true;
  auto out = AppendOk({SelfCheck("a1", "storage", "2026-07", "\"96.50\""), SelfCheck("a2", "storage", "2026-08", "90")},
                      dry);
  EXPECT_EQ(out.appended, 2);  // would append
  EXPECT_EQ(store_->head().seq, before.seq);
  EXPECT_EQ(store_->head().hash, before.hash);
  EXPECT_EQ(AllSeqs(*store_), (std::vector<int64_t>{1}));
  auto a1 = store_->FindById("a1");
  ASSERT_TRUE(a1.ok());
  EXPECT_FALSE(a1->has_value());
  // Nothing was half-registered either: the same ids can still be appended.
  EXPECT_EQ(AppendOk({SelfCheck("a1", "storage", "2026-07", "\"96.50\"")}).appended, 1);
}

TEST_F(EventStoreTest, SameIdWithSameNormalisedContentIsADuplicateNotANewSeq) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "\"96.50\"")});
  Head before = store_->head();
  // 96.5 as a JSON number normalises to "96.50": identical content.
  auto out = AppendOk({SelfCheck("a1", "storage", "2026-07", "96.5")});
  EXPECT_EQ(out.appended, 0);
  EXPECT_EQ(out.duplicates, 1);
  EXPECT_EQ(store_->head().seq, before.seq);
  EXPECT_EQ(store_->head().hash, before.hash);
  // A retry of a batch of which part is new appends only the new part.
  auto mixed = AppendOk({SelfCheck("a1", "storage", "2026-07", "96.50"), SelfCheck("a2", "storage", "2026-08", "90")});
  EXPECT_EQ(mixed.appended, 1);
  EXPECT_EQ(mixed.duplicates, 1);
  EXPECT_EQ(store_->head().seq, before.seq + 1);
}

TEST_F(EventStoreTest, IdReusedWithOtherContentRejectsTheWholeBatchNamingTheId) {
  AppendOk({SelfCheck("2026-07-storage", "storage", "2026-07", "\"96.50\"")});
  Head before = store_->head();
  auto errors = AppendRejected({SelfCheck("fresh", "orders", "2026-07", "\"90.00\""),
                                SelfCheck("2026-07-storage", "storage", "2026-07", "\"97.50\"")});
  ASSERT_EQ(errors.size(), 1u) << Joined(errors);
  EXPECT_TRUE(AnyContains(errors, "line 2", "\"2026-07-storage\" is already in the ledger (seq 2)")) << Joined(errors);
  EXPECT_EQ(store_->head().seq, before.seq);
  EXPECT_EQ(store_->head().hash, before.hash);
  auto fresh = store_->FindById("fresh");
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->has_value());
}

// A large batch looks its ids up together (LedgerView::FindMany, one
// MultiGet a half, each half on its own thread): the ids already stored are
// told apart from the new ones in both halves, a duplicate from an id
// reused with other content.
TEST_F(EventStoreTest, ALargeBatchTellsStoredIdsFromNewOnesInBothHalves) {
  auto survey = [](int i) { return Survey("s-" + std::to_string(i), "storage", "2026Q3", "95.00"); };
  std::vector<std::string> first;
  for (int i = 0; i < 3000; i += 3) first.push_back(survey(i));  // every third: 1,000
  AppendOk(first);
  Head before = store_->head();
  std::vector<std::string> all;
  for (int i = 0; i < 3000; ++i) all.push_back(survey(i));
  std::vector<std::string> reused = all;
  reused[2997] = Survey("s-2997", "storage", "2026Q3", "90.00");  // stored with 95.00, in the second half
  auto errors = AppendRejected(reused);
  ASSERT_EQ(errors.size(), 1u) << Joined(errors);
  EXPECT_TRUE(AnyContains(errors, "line 2998", "\"s-2997\" is already in the ledger")) << Joined(errors);
  EXPECT_EQ(store_->head().seq, before.seq);
  auto out = AppendOk(all);
  EXPECT_EQ(out.appended, 2000);
  EXPECT_EQ(out.duplicates, 1000);
  EXPECT_EQ(store_->head().seq, before.seq + 2000);
}

TEST_F(EventStoreTest, BatchIsAllOrNothing) {
  Head before = store_->head();
  auto errors = AppendRejected({SelfCheck("g1", "storage", "2026-07", "\"96.50\""),
                                SelfCheck("g2", "orders", "2026-07", "\"90.00\""),
                                SelfCheck("bad", "wuhan", "2026-07", "\"101\""),
                                SelfCheck("g3", "bidding", "2026-07", "\"92.00\"")});
  ASSERT_EQ(errors.size(), 1u) << Joined(errors);
  EXPECT_TRUE(AnyContains(errors, "line 3", "data.score: 101.00 is above 100")) << Joined(errors);
  EXPECT_EQ(store_->head().seq, before.seq);
  EXPECT_EQ(store_->head().hash, before.hash);
  EXPECT_EQ(AllSeqs(*store_), (std::vector<int64_t>{1}));
  for (const char* id : {"g1", "g2", "g3"}) {
    auto e = store_->FindById(id);
    ASSERT_TRUE(e.ok());
    EXPECT_FALSE(e->has_value()) << id;
  }
}

TEST_F(EventStoreTest, LoadReplayReadsExactlyTheQuarterAndDepartmentThroughTheIndexes) {
  // Facts of storage and orders over several quarters, quarter-wide events
  // and a year's expense, interleaved so that a scan would pick up strangers.
  std::vector<std::string> lines;
  for (const char* month : {"2025-11", "2026-02", "2026-05", "2026-07", "2026-08", "2026-10"}) {
    lines.push_back(SelfCheck(std::string(month) + "-storage", "storage", month, "\"95.00\""));
    lines.push_back(SelfCheck(std::string(month) + "-orders", "orders", month, "\"93.00\""));
  }
  lines.push_back(Survey("2026Q3-storage-survey", "storage", "2026Q3", "98.00"));
  lines.push_back(Survey("2026Q3-orders-survey", "orders", "2026Q3", "91.00"));
  lines.push_back(Survey("2026Q2-storage-survey", "storage", "2026Q2", "97.00"));
  lines.push_back(Expense("expense-2026", "2026"));
  lines.push_back(Approve("2026Q2-approved", "2026Q2"));
  lines.push_back(Void("void-2026-08-storage", "2026-08-storage"));       // touches 2026Q3/storage
  lines.push_back(Void("void-2026-08-orders", "2026-08-orders"));         // touches 2026Q3/orders only
  lines.push_back(Approve("2026Q3-approved", "2026Q3"));                  // quarter-wide
  AppendOk(lines);

  auto replay = store_->LoadReplay(*domain::Quarter::Parse("2026Q3"), "storage");
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  std::vector<int64_t> got;
  for (const auto& e : replay->events) got.push_back(e.seq);
  std::vector<int64_t> want = {1,  // policy.adopted
                               SeqOf("2026-07-storage"), SeqOf("2026-08-storage"), SeqOf("2026Q3-storage-survey"),
                               SeqOf("void-2026-08-storage"), SeqOf("2026Q3-approved")};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(replay->head_seq, store_->head().seq);

  // The quarter-wide view ("" department) holds policies and the quarter's
  // own approvals, no department's facts.
  auto wide = store_->LoadReplay(*domain::Quarter::Parse("2026Q3"), "");
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  got.clear();
  for (const auto& e : wide->events) got.push_back(e.seq);
  EXPECT_EQ(got, (std::vector<int64_t>{1, SeqOf("2026Q3-approved")}));

  auto q1 = store_->LoadReplay(*domain::Quarter::Parse("2026Q1"), "orders");
  ASSERT_TRUE(q1.ok());
  got.clear();
  for (const auto& e : q1->events) got.push_back(e.seq);
  EXPECT_EQ(got, (std::vector<int64_t>{1, SeqOf("2026-02-orders")}));

  auto quarters = store_->Quarters();
  ASSERT_TRUE(quarters.ok());
  EXPECT_EQ(*quarters, (std::vector<std::string>{"2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"}));
  auto year = store_->YearEvents("2026");
  ASSERT_TRUE(year.ok());
  ASSERT_EQ(year->size(), 1u);
  EXPECT_EQ((*year)[0].id, "expense-2026");
}

TEST_F(EventStoreTest, SeqAtInstantFindsTheLastEventRecordedByThen) {
  // The policy (seq 1) was recorded at 2026-01-01T00:00:00Z in SetUp.
  AppendOptions early;
  early.now = "2026-08-03T10:00:00Z";
  AppendOk({SelfCheck("a1", "storage", "2026-07", "90"), SelfCheck("a2", "orders", "2026-07", "90")}, early);  // 2, 3
  AppendOptions late;
  late.now = "2026-08-05T12:00:00Z";
  AppendOk({SelfCheck("b1", "storage", "2026-08", "90")}, late);  // 4

  auto at = [&](const std::string& instant) {
    auto r = store_->SeqAtInstant(*domain::ParseInstant(instant));
    EXPECT_TRUE(r.ok()) << instant << ": " << r.status().ToString();
    return r.ok() ? *r : -1;
  };
  EXPECT_EQ(at("2025-12-31T23:59:59Z"), 0);
  EXPECT_EQ(at("2026-01-01T00:00:00Z"), 1);
  EXPECT_EQ(at("2026-08-03T09:59:59Z"), 1);
  EXPECT_EQ(at("2026-08-03T10:00:00Z"), 3);
  EXPECT_EQ(at("2026-08-05T11:59:59Z"), 3);
  EXPECT_EQ(at("2026-08-05T20:00:00+08:00"), 4);  // 12:00Z
  EXPECT_EQ(at("2027-01-01T00:00:00Z"), 4);
}

// ---- ScanAhead: the parallel scan, against Scan ----

// A ledger of the policy and n survey responses (seq 2..n+1), closed again:
// enough events for several of ScanAhead's chunks (4,096 seqs each).
class ScanAheadTest : public EventStoreTest {
 protected:
  static constexpr int kResponses = 13000;

  void SetUp() override {
    EventStoreTest::SetUp();
    std::vector<std::string> lines;
    for (int i = 0; i < kResponses; ++i) {
      lines.push_back(Survey("r" + std::to_string(i), "storage", "2026Q3", i % 2 ? "95.00" : "90.50"));
    }
    AppendOk(lines);
    ASSERT_EQ(store_->head().seq, kResponses + 1);
  }

  // (seq, hash) of what fn saw, by Scan or by ScanAhead with `threads`.
  using Seen = std::vector<std::pair<int64_t, std::string>>;
  Seen ByScan(int64_t from, int64_t to) {
    Seen out;
    Status st = store_->Scan(from, to, [&](const domain::Event& e) {
      out.emplace_back(e.seq, e.hash);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  Seen ByScanAhead(int64_t from, int64_t to, int threads) {
    Seen out;
    Status st = store_->ScanAhead(from, to, [&](const domain::Event& e) {
      out.emplace_back(e.seq, e.hash);
      return true;
    }, threads);
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
};

TEST_F(ScanAheadTest, DeliversExactlyWhatScanDeliversInOrderForAnyNumberOfThreads) {
  Seen all = ByScan(1, INT64_MAX);
  ASSERT_EQ(all.size(), static_cast<size_t>(kResponses + 1));
  for (int threads : {1, 2, 3, 8}) {
    EXPECT_EQ(ByScanAhead(1, INT64_MAX, threads), all) << threads << " threads";
  }
  // Ranges that start and end inside chunks, a single event, and one
  // beyond the head.
  for (auto [from, to] : std::vector<std::pair<int64_t, int64_t>>{{4000, 9000}, {4097, 4097}, {12990, 20000}, {0, 3}}) {
    EXPECT_EQ(ByScanAhead(from, to, 3), ByScan(from, to)) << from << ".." << to;
  }
  EXPECT_TRUE(ByScanAhead(kResponses + 2, INT64_MAX, 2).empty());
}

TEST_F(ScanAheadTest, StopsAtTheFirstFalseAndLeavesNoWorkerBehind) {
  for (int64_t stop_at : {int64_t{1}, int64_t{4096}, int64_t{5000}, int64_t{kResponses}}) {
    int64_t calls = 0, last = 0;
    Status st = store_->ScanAhead(1, INT64_MAX, [&](const domain::Event& e) {
      ++calls;
      last = e.seq;
      return e.seq < stop_at;
    }, 4);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(calls, stop_at);
    EXPECT_EQ(last, stop_at);
  }
  // The store is still whole and usable: the workers of the stopped scans
  // have ended (a worker left running would still hold an iterator).
  EXPECT_EQ(ByScanAhead(1, INT64_MAX, 2).size(), static_cast<size_t>(kResponses + 1));
  store_.reset();
  EXPECT_TRUE(VerifyDir(dir_).ok());
}

TEST_F(ScanAheadTest, ADamagedRecordEndsTheScanWithDataLossAfterTheEventsBeforeIt) {
  store_.reset();
  qledger::testing::EditStoredEvent(dir_, 7000, [](std::string* v) { v->resize(40); });  // cut short
  auto reader = EventStore::OpenReader(dir_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (auto* scan : {"Scan", "ScanAhead"}) {
    int64_t last = 0;
    auto fn = [&](const domain::Event& e) {
      EXPECT_EQ(e.seq, last + 1);
      last = e.seq;
      return true;
    };
    Status st = std::string(scan) == "Scan" ? (*reader)->Scan(1, INT64_MAX, fn) : (*reader)->ScanAhead(1, INT64_MAX, fn, 3);
    EXPECT_EQ(st.code(), StatusCode::kDataLoss) << scan << ": " << st.ToString();
    EXPECT_NE(st.message().find("event 7000"), std::string::npos) << st.message();
    EXPECT_EQ(last, 6999) << scan;
  }
}

TEST_F(EventStoreTest, VerifyAcceptsAnUntamperedLedger) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "90"), Survey("s1", "storage", "2026Q3", "99.00")});
  auto report = store_->Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->bad_seq.has_value()) << report->problem;
  EXPECT_EQ(report->events, 3);
  EXPECT_EQ(report->head.seq, 3);
  EXPECT_EQ(report->head.hash, store_->head().hash);
}

TEST_F(EventStoreTest, VerifyNamesAnEventWhoseStoredScoreWasChanged) {
  BuildTenEventsAndClose();
  std::string before = qledger::testing::StoredEventJson(dir_, 5);
  qledger::testing::TamperScoreDigit(dir_, 5);
  std::string after = qledger::testing::StoredEventJson(dir_, 5);
  ASSERT_NE(before, after);
  ASSERT_EQ(before.size(), after.size());  // one byte changed, nothing else

  VerifyReport report = VerifyDir(dir_);
  ASSERT_TRUE(report.bad_seq.has_value());
  EXPECT_EQ(*report.bad_seq, 5);
  EXPECT_NE(report.problem.find("hash mismatch"), std::string::npos) << report.problem;
  EXPECT_NE(report.problem.find("2026-04-storage"), std::string::npos) << report.problem;
  EXPECT_EQ(report.events, 4);  // events 1..4 still verify
}

TEST_F(EventStoreTest, VerifyNamesAnEventWhoseStoredHashWasChanged) {
  BuildTenEventsAndClose();
  qledger::testing::TamperHashByte(dir_, 4);
  VerifyReport report = VerifyDir(dir_);
  ASSERT_TRUE(report.bad_seq.has_value());
  EXPECT_EQ(*report.bad_seq, 4);
  EXPECT_NE(report.problem.find("hash mismatch"), std::string::npos) << report.problem;
}

TEST_F(EventStoreTest, VerifyNamesADeletedEventAsTheGap) {
  BuildTenEventsAndClose();
  qledger::testing::DeleteStoredEvent(dir_, 6);
  VerifyReport report = VerifyDir(dir_);
  ASSERT_TRUE(report.bad_seq.has_value());
  EXPECT_EQ(*report.bad_seq, 6);
  EXPECT_NE(report.problem.find("event 6 is missing"), std::string::npos) << report.problem;
}

// A stored quarter status that cannot be read as one is damage, never "open":
// taking it for open would let a fact into an approved quarter.
TEST_F(EventStoreTest, AnUnreadableQuarterStatusRefusesTheAppendInsteadOfTakingTheQuarterAsOpen) {
  AppendOk({Survey("early-survey", "storage", "2026Q2", "95.00"), Approve("2026Q2-approved", "2026Q2")});
  store_.reset();
  for (const std::string& damaged : {std::string(), std::string("\x07"), std::string("\x01\x01")}) {
    qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) {
      ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "s2026Q2", damaged).ok());
    });
    auto writer = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    auto out = (*writer)->Append(Batch({Survey("late-survey", "storage", "2026Q2", "96.00")}), {});
    ASSERT_FALSE(out.ok()) << "a fact was planned for a quarter whose status could not be read";
    EXPECT_EQ(out.status().code(), StatusCode::kDataLoss);
    EXPECT_NE(out.status().message().find("the stored status of quarter 2026Q2 is malformed"), std::string::npos)
        << out.status().message();
    EXPECT_EQ((*writer)->head().seq, 3);
  }
}

// Table files written before this release have one index block and one
// Bloom filter each (today's are partitioned, and those of a plain RocksDB
// have no filter at all): a ledger of such files opens, appends, finds its
// ids and verifies as before.
TEST_F(EventStoreTest, ALedgerOfTableFilesInTheEarlierFormatOpensAppendsAndVerifies) {
  BuildTenEventsAndClose();
  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    // Every key rewritten into table files of RocksDB's default format.
    ASSERT_TRUE(db.CompactRange(rocksdb::CompactRangeOptions(), nullptr, nullptr).ok());
    rocksdb::TablePropertiesCollection tables;
    ASSERT_TRUE(db.GetPropertiesOfAllTables(&tables).ok());
    ASSERT_FALSE(tables.empty());
    for (const auto& [file, props] : tables) {
      EXPECT_EQ(props->index_partitions, 0u) << file;  // one index block, not partitions
    }
  });
  auto writer = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  // One id already stored (a duplicate), one new.
  auto out = (*writer)->Append(Batch({SelfCheck("2026-01-storage", "storage", "2026-01", "\"91.50\""),
                                      SelfCheck("2026-10-storage", "storage", "2026-10", "\"90.00\"")}),
                               {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->duplicates, 1);
  EXPECT_EQ(out->appended, 1);
  writer->reset();
  // Eight writers of one event each: the last one's close flushes the
  // logs into a table file of today's format, partitioned, beside the old.
  for (int m = 1; m <= 8; ++m) {
    auto w = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    std::string month = "2027-0" + std::to_string(m);
    auto appended = (*w)->Append(Batch({SelfCheck(month + "-storage", "storage", month, "\"95.00\"")}), {});
    ASSERT_TRUE(appended.ok() && appended->appended == 1) << m;
  }
  VerifyReport report = VerifyDir(dir_);
  EXPECT_FALSE(report.bad_seq.has_value()) << report.problem;
  EXPECT_EQ(report.events, 19);
  EXPECT_TRUE(report.index_problem.empty()) << report.index_problem;
  size_t partitioned = 0;
  qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) {
    rocksdb::TablePropertiesCollection tables;
    ASSERT_TRUE(db.GetPropertiesOfAllTables(&tables).ok());
    for (const auto& [file, props] : tables) partitioned += props->index_partitions > 0;
  });
  EXPECT_GE(partitioned, 1u);
}

TEST_F(EventStoreTest, AMalformedIdIndexEntryIsDamageNotAnUnknownEvent) {
  AppendOk({SelfCheck("2026-07-storage", "storage", "2026-07", "\"96.50\"")});
  store_.reset();
  qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "i2026-07-storage", "abc").ok());
  });
  auto writer = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto out = (*writer)->Append(Batch({Void("void-1", "2026-07-storage")}), {});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(out.status().message().find("the id index entry of \"2026-07-storage\" is malformed"), std::string::npos)
      << out.status().message();
}

TEST_F(EventStoreTest, OpeningRefusesALedgerWhoseLastEventWasDeleted) {
  BuildTenEventsAndClose();
  qledger::testing::DeleteStoredEvent(dir_, 10);
  // The head record still names event 10: no reader, writer or follower
  // opens the store, so none can answer from it or append seq 10 again.
  auto reader = EventStore::OpenReader(dir_);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(reader.status().message().find("event 10 is missing"), std::string::npos) << reader.status().message();
  auto writer = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.status().code(), StatusCode::kDataLoss);
  TempDir secondary;
  auto follower = EventStore::OpenFollower(dir_, secondary.path());
  ASSERT_FALSE(follower.ok());
  EXPECT_EQ(follower.status().code(), StatusCode::kDataLoss);
}

TEST_F(EventStoreTest, VerifyChecksTheIndexesAgainstTheEvents) {
  BuildTenEventsAndClose();
  VerifyReport report = VerifyDir(dir_);
  EXPECT_TRUE(report.ok()) << report.index_problem;
  // Matched by digest: 10 'i', 9 'x', 1 'p', 3 'q' (2026Q1..Q3), 9 'm'.
  EXPECT_FALSE(report.index_exact);
  EXPECT_EQ(report.index_entries, 10 + 9 + 1 + 3 + 9);
}

// Every entry a later event changes or removes — a month recorded, voided
// and recorded again, a voided expense, a quarter approved, reopened and
// approved again — matches by digest on a sound ledger: the compact check
// does not fall back to the exact one where nothing is wrong.
TEST_F(EventStoreTest, VerifyMatchesEveryKindOfIndexEntryByDigest) {
  AppendOk({SelfCheck("s1", "storage", "2026-07", "\"90.00\""), Survey("r1", "storage", "2026Q3", "96.00"),
            Void("v1", "s1"), SelfCheck("s2", "storage", "2026-07", "\"93.00\""), Expense("x1", "2026"),
            Void("v2", "x1"), Void("v3", "r1"), Approve("a1", "2026Q3"),
            R"({"id": "o1", "type": "quarter.reopened", "period": "2026Q3", "occurred_at": "2026-12-20", "actor": "秘书", "data": {"reason": "复核", "by": "质量管理委员会"}})",
            Approve("a2", "2026Q3")});
  store_.reset();
  VerifyReport report = VerifyDir(dir_);
  EXPECT_TRUE(report.ok()) << report.index_problem;
  EXPECT_FALSE(report.index_exact);
  EXPECT_GT(report.index_entries, 20);
}

// Hundreds of entries (803), where the tests above have a few dozen: a
// sound ledger matches by digest (the sorted expected digests and their
// bucket table, a stored batch sorted and walked), and one entry removed
// from the middle of a quarter's run is found and named by the exact check.
TEST_F(EventStoreTest, VerifyMatchesHundredsOfIndexEntriesByDigestAndFindsOneMissing) {
  std::vector<std::string> events;
  for (int i = 0; i < 400; ++i) events.push_back(Survey("r" + std::to_string(i), "storage", "2026Q3", "95.00"));
  AppendOk(events);
  store_.reset();
  VerifyReport report = VerifyDir(dir_);
  EXPECT_TRUE(report.ok()) << report.index_problem;
  EXPECT_FALSE(report.index_exact);
  // 'i' and 'x' a survey; the fixture's policy: 'i' and 'p'; one 'q'.
  EXPECT_EQ(report.index_entries, 400 * 2 + 2 + 1);
  std::string key = "x2026Q3/storage/";
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((200ull >> (8 * i)) & 0xff));
  qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) {
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), key).ok());
  });
  report = VerifyDir(dir_);
  EXPECT_TRUE(report.index_exact);
  EXPECT_EQ(report.index_problem, "index entry \"x2026Q3/storage/#200\" is missing");
  // The stored entries are read by two threads, split among the ids (at
  // "ir382" here, of the ids sampled every 64th event): an id entry is
  // found missing on either side of the split.
  for (std::string id : {"r0", "r99"}) {
    SCOPED_TRACE(id);
    qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) {
      ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), key, "").ok());  // the 'x' entry back
      ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), "i" + id).ok());
    });
    report = VerifyDir(dir_);
    EXPECT_TRUE(report.index_exact);
    EXPECT_EQ(report.index_problem, "index entry \"i" + id + "\" is missing");
    qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) {
      // Its value as the append wrote it: seq, type (survey), department, period.
      std::string value;
      uint64_t seq = static_cast<uint64_t>(std::stoi(id.substr(1)) + 2);
      for (int i = 7; i >= 0; --i) value.push_back(static_cast<char>((seq >> (8 * i)) & 0xff));
      std::string before;
      ASSERT_TRUE(db.Get(rocksdb::ReadOptions(), "ir1", &before).ok());
      value.push_back(before[8]);  // the same type as another survey's
      value += std::string("storage") + '\0' + "2026Q3";
      ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "i" + id, value).ok());
    });
    report = VerifyDir(dir_);
    EXPECT_TRUE(report.ok()) << report.index_problem;
    EXPECT_FALSE(report.index_exact);
  }
}

// A void whose target the 'i' index no longer leads to: the digest check
// cannot find the target's department, so the exact check decides, and
// names the entry.
TEST_F(EventStoreTest, VerifyFallsBackToTheExactCheckWhenAVoidsTargetIsNotIndexed) {
  AppendOk({SelfCheck("s1", "storage", "2026-07", "\"90.00\""), Void("v1", "s1")});
  store_.reset();
  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), "is1").ok());
  });
  VerifyReport report = VerifyDir(dir_);
  EXPECT_TRUE(report.index_exact);
  EXPECT_EQ(report.index_problem, "index entry \"is1\" is missing");
}

// The 'x' index entry of event 5 (2026Q2, storage) — keys.h layout.
std::string IndexKeyOfEvent5() {
  std::string key = "x2026Q2/storage/";
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((5ull >> (8 * i)) & 0xff));
  return key;
}

TEST_F(EventStoreTest, VerifyNamesADeletedIndexEntryThoughTheChainVerifies) {
  BuildTenEventsAndClose();
  // Without this entry, replaying 2026Q2 for storage would skip event 5 and
  // score the quarter wrongly while every hash still matches.
  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), IndexKeyOfEvent5()).ok());
  });
  VerifyReport report = VerifyDir(dir_);
  EXPECT_FALSE(report.bad_seq.has_value()) << report.problem;
  EXPECT_EQ(report.events, 10);
  EXPECT_EQ(report.index_problem, "index entry \"x2026Q2/storage/#5\" is missing");
  EXPECT_FALSE(report.ok());
  EXPECT_TRUE(report.index_exact);  // the digests differ; the exact check names the entry
}

TEST_F(EventStoreTest, VerifyNamesAnIndexEntryThatNoEventExplains) {
  BuildTenEventsAndClose();
  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    std::string key = IndexKeyOfEvent5();
    key.replace(1, 6, "2026Q3");  // event 5 moved into another quarter's index
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), key, "").ok());
  });
  VerifyReport report = VerifyDir(dir_);
  EXPECT_EQ(report.index_problem, "index entry \"x2026Q3/storage/#5\" does not follow from any event");
  EXPECT_TRUE(report.index_exact);  // the digests differ; the exact check names the entry
}

// The quarter/department entries ('x') are matched exactly, by their
// prefix's run of seqs, not by digest: one that holds data, one under a
// department no event has, and one too short to hold a seq each fail that
// match, and the exact check names them.
TEST_F(EventStoreTest, VerifyNamesAQuarterIndexEntryThatHoldsDataOrNamesNoEvent) {
  BuildTenEventsAndClose();
  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), IndexKeyOfEvent5(), "5").ok());
  });
  VerifyReport report = VerifyDir(dir_);
  EXPECT_EQ(report.index_problem, "index entry \"x2026Q2/storage/#5\" holds other data than its event says");
  EXPECT_TRUE(report.index_exact);

  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), IndexKeyOfEvent5(), "").ok());  // restored
    std::string key = IndexKeyOfEvent5();
    key.replace(8, 7, "finance");  // the same event under a department it is not of
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), key, "").ok());
  });
  report = VerifyDir(dir_);
  EXPECT_EQ(report.index_problem, "index entry \"x2026Q2/finance/#5\" does not follow from any event");
  EXPECT_TRUE(report.index_exact);

  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    std::string key = IndexKeyOfEvent5();
    key.replace(8, 7, "finance");
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), key).ok());
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "x2026Q2", "").ok());
  });
  report = VerifyDir(dir_);
  EXPECT_EQ(report.index_problem, "index entry \"x2026Q2\" does not follow from any event");
  EXPECT_TRUE(report.index_exact);

  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), "x2026Q2").ok());
  });
  report = VerifyDir(dir_);
  EXPECT_TRUE(report.ok()) << report.index_problem;
  EXPECT_FALSE(report.index_exact);  // sound again: matched without the exact check
}

TEST_F(EventStoreTest, VerifyNamesAnIndexEntryWithAlteredData) {
  BuildTenEventsAndClose();
  // The active self-check of storage for 2026-03 now names another event.
  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    std::string key = "m";
    key.push_back(static_cast<char>(2));  // EventType::kSelfcheckReported
    key += "storage";
    key.push_back('\0');
    key += "2026-03";
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), key, "2026-04-storage").ok());
  });
  VerifyReport report = VerifyDir(dir_);
  EXPECT_NE(report.index_problem.find("holds other data"), std::string::npos) << report.index_problem;
  EXPECT_TRUE(report.index_exact);  // the digests differ; the exact check names the entry
}

TEST_F(EventStoreTest, BackupOpensAndVerifiesWithTheSameHead) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "90"), Survey("s1", "storage", "2026Q3", "99.00")});
  Head head = store_->head();
  // Its parent is made as init makes a ledger's (it was exit 8, "a file of
  // the ledger is missing").
  std::string backup = tmp_.Sub("backups/2026-12-08");
  Status st = store_->Backup(backup);
  ASSERT_TRUE(st.ok()) << st.ToString();

  VerifyReport report = VerifyDir(backup);
  EXPECT_FALSE(report.bad_seq.has_value()) << report.problem;
  EXPECT_EQ(report.head.seq, head.seq);
  EXPECT_EQ(report.head.hash, head.hash);

  // The backup is a ledger of its own: appending to the original leaves it
  // be, and no file of it is a link to one of the ledger's (a checkpoint
  // links the table files), so a change in place to one is not in the other.
  int tables = 0;
  for (const auto& entry : std::filesystem::directory_iterator(backup)) {
    struct stat st;
    ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 1u) << entry.path();
    tables += entry.path().extension() == ".sst";
  }
  EXPECT_GT(tables, 0);
  AppendOk({SelfCheck("b1", "storage", "2026-08", "90")});
  EXPECT_EQ(VerifyDir(backup).head.seq, head.seq);

  Status again = store_->Backup(backup);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
  // Named with a trailing slash, as a shell completes a directory.
  Status slash = store_->Backup(tmp_.Sub("backups/with-slash/"));
  ASSERT_TRUE(slash.ok()) << slash.ToString();
  EXPECT_EQ(VerifyDir(tmp_.Sub("backups/with-slash")).head.seq, store_->head().seq);
}

TEST_F(EventStoreTest, SecondWriterGetsLedgerBusyAfterTheWait) {
  // store_ is an open writer and holds the lock.
  auto second = EventStore::OpenWriter(dir_, std::chrono::milliseconds(200));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("ledger busy"), std::string::npos) << second.status().message();

  store_.reset();  // released: the next writer gets in
  auto third = EventStore::OpenWriter(dir_, std::chrono::milliseconds(200));
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ((*third)->head().seq, 1);
}

TEST_F(EventStoreTest, OpeningAMissingLedgerIsNotFoundNamingTheDirectory) {
  std::string missing = tmp_.Sub("nowhere");
  auto w = EventStore::OpenWriter(missing, std::chrono::milliseconds(0));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kNotFound);
  EXPECT_NE(w.status().message().find(missing), std::string::npos);
  auto c = EventStore::Create(dir_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(EventStoreTest, FollowerSeesTheWritersAppendsAfterCatchUp) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "90")});
  auto follower = EventStore::OpenFollower(dir_, tmp_.Sub("secondary"));
  ASSERT_TRUE(follower.ok()) << follower.status().ToString();
  EXPECT_EQ((*follower)->head().seq, 2);

  auto out = AppendOk({SelfCheck("b1", "storage", "2026-08", "91"), SelfCheck("b2", "storage", "2026-09", "92")});
  ASSERT_EQ(out.head.seq, 4);
  EXPECT_EQ((*follower)->head().seq, 2);  // not before CatchUp

  Status st = (*follower)->CatchUp();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ((*follower)->head().seq, 4);
  EXPECT_EQ((*follower)->head().hash, out.head.hash);
  auto b2 = (*follower)->FindById("b2");
  ASSERT_TRUE(b2.ok());
  ASSERT_TRUE(b2->has_value());
  EXPECT_EQ((*b2)->seq, 4);
  EXPECT_EQ((*b2)->data.at("score").as_string(), "92.00");

  // A follower never writes.
  auto refused = (*follower)->Append(Batch({SelfCheck("c1", "storage", "2026-10", "90")}), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace qledger::storage

namespace qledger::storage {
namespace {

// The inputs of lines, one at a time, as an import gives them.
InputStream StreamOf(const std::vector<std::string>& lines) {
  auto inputs = std::make_shared<std::vector<domain::InputEvent>>(Batch(lines));
  auto next = std::make_shared<size_t>(0);
  return [inputs, next](domain::InputEvent* in) -> Result<bool> {
    if (*next == inputs->size()) return false;
    *in = (*inputs)[(*next)++];
    return true;
  };
}

bool HasStagingDir(const std::string& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("qledger-staging-", 0) == 0) return true;
  }
  return false;
}

// Every kind of index effect in one batch — a self-check voided and its
// month recorded again (the monthly entry put, deleted and put), a voided
// expense, an approval — streamed into one ledger as staged tables and
// appended whole into another: the same events byte for byte, the same
// head, and the indexes as strict `verify` wants them.
TEST_F(EventStoreTest, AStreamedBatchIsStoredExactlyAsTheSameBatchAppendedWhole) {
  std::vector<std::string> lines = {SelfCheck("s1", "storage", "2026-07", "\"90.00\""),
                                    Survey("r1", "storage", "2026Q3", "96.00"),
                                    Void("v1", "s1"),
                                    SelfCheck("s2", "storage", "2026-07", "\"93.00\""),
                                    Expense("x1", "2026"),
                                    Void("v2", "x1"),
                                    Survey("r1", "storage", "2026Q3", "96.00"),  // a duplicate
                                    Approve("a1", "2026Q3")};
  AppendOptions o;
  o.now = "2026-10-01T00:00:00Z";
  AppendOutcome whole = AppendOk(lines, o);
  std::vector<domain::Event> expected;
  ASSERT_TRUE(store_->Scan(1, INT64_MAX, [&](const domain::Event& e) { expected.push_back(e); return true; }).ok());
  store_.reset();

  std::string other = tmp_.Sub("streamed");
  {
    auto created = EventStore::Create(other);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    AppendOptions first;
    first.now = "2026-01-01T00:00:00Z";
    auto policy = (*created)->Append(Batch({PolicyLine()}), first);
    ASSERT_TRUE(policy.ok() && policy->errors.empty());
  }
  auto streamed = EventStore::StreamTo(other, StreamOf(lines), o, std::chrono::milliseconds(0));
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  EXPECT_TRUE(streamed->errors.empty()) << Joined(Printed(streamed->errors));
  EXPECT_EQ(streamed->appended, whole.appended);
  EXPECT_EQ(streamed->duplicates, 1);
  EXPECT_EQ(streamed->head.seq, whole.head.seq);
  EXPECT_EQ(streamed->head.hash, whole.head.hash);
  EXPECT_FALSE(HasStagingDir(other));

  auto reader = EventStore::OpenReader(other);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::vector<domain::Event> got;
  ASSERT_TRUE((*reader)->Scan(1, INT64_MAX, [&](const domain::Event& e) { got.push_back(e); return true; }).ok());
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(domain::HashInput(got[i]), domain::HashInput(expected[i])) << "seq " << got[i].seq;
    EXPECT_EQ(got[i].hash, expected[i].hash);
  }
  auto report = (*reader)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problem << report->index_problem;
  auto monthly = (*reader)->FindById("s2");
  ASSERT_TRUE(monthly.ok() && monthly->has_value());
  reader->reset();
  // The month's active self-check is s2: a third one is refused.
  auto third = EventStore::StreamTo(other, StreamOf({SelfCheck("s3", "storage", "2026-08", "\"91.00\""),
                                                     SelfCheck("s4", "storage", "2026-07", "\"91.00\"")}),
                                    {}, std::chrono::milliseconds(0));
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  // Both in 2026Q3, approved; and s4's month has s2.
  ASSERT_EQ(third->errors.size(), 3u) << Joined(Printed(third->errors));
  EXPECT_TRUE(AnyContains(Printed(third->errors), "line 2", "already has a selfcheck.reported for 2026-07 (\"s2\")"))
      << Joined(Printed(third->errors));
}

// A stream with an error anywhere writes none of it (s3 came before the
// error and was staged), leaves nothing staged, and a dry run opens nothing
// for writing.
TEST_F(EventStoreTest, AStreamWithAnErrorOrADryRunWritesNothing) {
  store_.reset();
  auto reader = EventStore::OpenReader(dir_);
  ASSERT_TRUE(reader.ok());
  Head before = (*reader)->head();
  reader->reset();
  auto rejected = EventStore::StreamTo(dir_, StreamOf({SelfCheck("s3", "storage", "2026-08", "\"91.00\""),
                                                       Survey("r9", "storage", "2026Q3", "101")}),
                                       {}, std::chrono::milliseconds(0));
  ASSERT_TRUE(rejected.ok()) << rejected.status().ToString();
  ASSERT_EQ(rejected->errors.size(), 1u);
  EXPECT_EQ(rejected->appended, 0);
  EXPECT_FALSE(HasStagingDir(dir_));
  auto after = EventStore::OpenReader(dir_);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)->head().seq, before.seq);
  EXPECT_EQ((*after)->head().hash, before.hash);
  after->reset();

  std::set<std::string> files_before;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) files_before.insert(entry.path().filename());
  AppendOptions dry;
  dry.dry_run = true;
  auto planned = EventStore::StreamTo(dir_, StreamOf({SelfCheck("s3", "storage", "2026-08", "\"91.00\"")}), dry,
                                      std::chrono::milliseconds(0));
  ASSERT_TRUE(planned.ok()) << planned.status().ToString();
  EXPECT_EQ(planned->appended, 1);
  std::set<std::string> files_after;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) files_after.insert(entry.path().filename());
  EXPECT_EQ(files_after, files_before) << "a dry run created or removed a file";
}

// A follower (the server) sees a streamed batch at its next catch-up.
TEST_F(EventStoreTest, AFollowerCatchesUpWithAStreamedBatch) {
  store_.reset();
  auto follower = EventStore::OpenFollower(dir_, tmp_.Sub("secondary"));
  ASSERT_TRUE(follower.ok()) << follower.status().ToString();
  std::vector<std::string> lines;
  for (int i = 0; i < 50; ++i) lines.push_back(Survey("f" + std::to_string(i), "storage", "2026Q3", "95.00"));
  auto streamed = EventStore::StreamTo(dir_, StreamOf(lines), {}, std::chrono::milliseconds(0));
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  ASSERT_TRUE(streamed->errors.empty()) << Joined(Printed(streamed->errors));
  Status caught_up = (*follower)->CatchUp();
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  EXPECT_EQ((*follower)->head().seq, streamed->head.seq);
  auto e = (*follower)->FindById("f49");
  ASSERT_TRUE(e.ok() && e->has_value());
  auto input = (*follower)->LoadReplay(*domain::Quarter::Parse("2026Q3"), "storage");
  ASSERT_TRUE(input.ok()) << input.status().ToString();
}

}  // namespace
}  // namespace qledger::storage

namespace qledger::storage {
namespace {

namespace merkle = domain::merkle;

// The root computed from the exported events alone, as an outside auditor
// would: leaf data is each event's hashed bytes.
std::string RootFromEvents(const EventStore& store, uint64_t size) {
  merkle::Frontier f;
  Status s = store.Scan(1, static_cast<int64_t>(size), [&](const domain::Event& e) {
    f.Append(merkle::LeafHash(domain::HashInput(e)), [](int, uint64_t, const merkle::Hash&) {});
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return f.Root();
}

std::string ExportOf(const EventStore& store) {
  std::string out;
  Status s = store.Scan(1, INT64_MAX, [&](const domain::Event& e) {
    out += domain::HashInput(e) + " " + e.hash + "\n";
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

// Every append (whole or streamed) extends the tree in the same batch: its
// root at every size is the events' root, and every proof checks.
TEST_F(EventStoreTest, TheTreeGrowsWithEveryBatchAndItsProofsCheck) {
  std::vector<std::string> lines;
  for (int i = 0; i < 37; ++i) lines.push_back(Survey("t" + std::to_string(i), "storage", "2026Q3", "95.00"));
  AppendOk(lines);
  store_.reset();
  std::vector<std::string> more;
  for (int i = 37; i < 60; ++i) more.push_back(Survey("t" + std::to_string(i), "storage", "2026Q3", "95.00"));
  auto streamed = EventStore::StreamTo(dir_, StreamOf(more), {}, std::chrono::milliseconds(0));
  ASSERT_TRUE(streamed.ok() && streamed->errors.empty());
  auto reader = EventStore::OpenReader(dir_);
  ASSERT_TRUE(reader.ok());
  const EventStore& r = **reader;
  ASSERT_EQ(*r.TreeSize(), 61u);
  for (uint64_t size : {1u, 2u, 38u, 39u, 61u}) {
    auto root = r.TreeRoot(size);
    ASSERT_TRUE(root.ok()) << root.status().ToString();
    EXPECT_EQ(*root, RootFromEvents(r, size)) << size;
    for (uint64_t i = 0; i < size; i += 7) {
      auto e = r.Get(static_cast<int64_t>(i) + 1);
      auto proof = r.InclusionProof(i, size);
      ASSERT_TRUE(e.ok() && proof.ok());
      EXPECT_TRUE(merkle::VerifyInclusion(i, size, merkle::LeafHash(domain::HashInput(*e)), *proof, *root).ok());
    }
    auto consistency = r.ConsistencyProof(1, size);
    ASSERT_TRUE(consistency.ok());
    EXPECT_TRUE(merkle::VerifyConsistency(1, size, *r.TreeRoot(1), *root, *consistency).ok());
  }
  EXPECT_EQ(r.TreeRoot(62).status().code(), StatusCode::kNotFound);
  auto report = r.Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->index_problem;
}

// A ledger of the release before the tree (no 'n' or 'T' keys) reads and
// verifies as it did; its first writer builds the tree over its events
// without changing their bytes.
TEST_F(EventStoreTest, ALedgerWithoutATreeGetsItAtItsFirstWriterOpenAndItsEventsKeepTheirBytes) {
  BuildTenEventsAndClose();
  qledger::testing::WithRawLedger(dir_, [](rocksdb::DB& db) {
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    for (it->Seek("n"); it->Valid() && it->key().starts_with("n"); it->Next()) wb.Delete(it->key());
    wb.Delete("T");
    ASSERT_TRUE(db.Write(rocksdb::WriteOptions(), &wb).ok());
  });
  std::string before;
  {
    auto reader = EventStore::OpenReader(dir_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    EXPECT_EQ(*(*reader)->TreeSize(), 0u);
    EXPECT_EQ((*reader)->TreeRoot(10).status().code(), StatusCode::kFailedPrecondition);
    EXPECT_TRUE((*reader)->Verify()->ok()) << (*reader)->Verify()->index_problem;
    before = ExportOf(**reader);
  }
  {
    auto writer = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  }
  auto reader = EventStore::OpenReader(dir_);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(*(*reader)->TreeSize(), 10u);
  EXPECT_EQ(*(*reader)->TreeRoot(10), RootFromEvents(**reader, 10));
  EXPECT_EQ(ExportOf(**reader), before);
  auto report = (*reader)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->index_problem;
}

// A ledger of 300 events, in batches of several sizes, whose tree is taken
// away: the writer's first open rebuilds it node for node as the appends
// had built it (levels 4 to 8 stored), and its proofs check.
TEST_F(EventStoreTest, ATreeRebuiltAtTheFirstWriterOpenIsTheOneTheAppendsBuilt) {
  int n = 0;
  for (int batch : {1, 15, 16, 17, 50, 200}) {
    std::vector<std::string> lines;
    for (int i = 0; i < batch; ++i) lines.push_back(Survey("r" + std::to_string(n++), "storage", "2026Q3", "95.00"));
    AppendOk(lines);
  }
  ASSERT_EQ(store_->head().seq, 300);
  store_.reset();
  using Nodes = std::vector<std::pair<std::string, std::string>>;
  auto tree_keys = [](rocksdb::DB& db, Nodes* out, rocksdb::WriteBatch* remove) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    for (it->Seek("n"); it->Valid() && it->key().starts_with("n"); it->Next()) {
      if (out) out->emplace_back(it->key().ToString(), it->value().ToString());
      if (remove) remove->Delete(it->key());
    }
    std::string size;
    if (db.Get(rocksdb::ReadOptions(), "T", &size).ok() && out) out->emplace_back("T", size);
    if (remove) remove->Delete("T");
  };
  Nodes grown;
  qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) {
    rocksdb::WriteBatch wb;
    tree_keys(db, &grown, &wb);
    ASSERT_TRUE(db.Write(rocksdb::WriteOptions(), &wb).ok());
  });
  // 300 leaves: 18 nodes at level 4, 9 at 5, 4 at 6, 2 at 7, 1 at 8.
  ASSERT_EQ(grown.size(), 18u + 9 + 4 + 2 + 1 + 1) << "stored nodes and the size";
  {
    auto writer = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  }
  Nodes rebuilt;
  qledger::testing::WithRawLedger(dir_, [&](rocksdb::DB& db) { tree_keys(db, &rebuilt, nullptr); });
  EXPECT_EQ(rebuilt, grown);
  auto reader = EventStore::OpenReader(dir_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(*(*reader)->TreeRoot(300), RootFromEvents(**reader, 300));
  for (uint64_t leaf : {0u, 15u, 16u, 255u, 299u}) {
    auto proof = (*reader)->InclusionProof(leaf, 300);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    auto e = (*reader)->Get(static_cast<int64_t>(leaf) + 1);
    ASSERT_TRUE(e.ok());
    EXPECT_TRUE(domain::merkle::VerifyInclusion(leaf, 300, domain::merkle::LeafHash(domain::HashInput(*e)), *proof,
                                                *(*reader)->TreeRoot(300))
                    .ok())
        << leaf;
  }
  auto report = (*reader)->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->index_problem;
}

// verify re-derives every stored node: one altered, one missing, one that
// follows from no event are each named.
TEST_F(EventStoreTest, VerifyNamesATreeNodeAlteredMissingOrExtra) {
  // 40 events: stored nodes from level 4 up (merkle_store.h), 4/0 and 4/1.
  std::vector<std::string> lines;
  for (int i = 0; i < 39; ++i) lines.push_back(Survey("n" + std::to_string(i), "storage", "2026Q3", "95.00"));
  AppendOk(lines);
  store_.reset();
  auto node = [](int level, int index) {
    return std::string("n") + static_cast<char>(level) + std::string(7, '\0') + static_cast<char>(index);
  };
  std::string node_4_1 = node(4, 1);
  struct Case {
    std::function<void(rocksdb::DB&)> damage;
    std::string problem;
  };
  std::vector<Case> cases = {
      {[&](rocksdb::DB& db) { ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), node_4_1, std::string(32, 'x')).ok()); },
       "the Merkle tree's node 4/1 does not follow from the events"},
      {[&](rocksdb::DB& db) { ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), node_4_1).ok()); },
       "the Merkle tree's node 4/1 is missing"},
      {[&](rocksdb::DB& db) { ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), node(5, 1), std::string(32, 'x')).ok()); },
       "the Merkle tree's node 5/1 does not follow from any event"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.problem);
    std::string copy = tmp_.Sub("copy-" + std::to_string(&c - cases.data()));
    std::filesystem::copy(dir_, copy, std::filesystem::copy_options::recursive);
    qledger::testing::WithRawLedger(copy, c.damage);
    VerifyReport report = VerifyDir(copy);
    EXPECT_FALSE(report.bad_seq.has_value()) << report.problem;
    EXPECT_EQ(report.index_problem, c.problem);
  }
}

}  // namespace
}  // namespace qledger::storage

namespace qledger::storage {
namespace {

// The server's follower catches up every 200 ms; CLI appends are quicker.
// Each writer's open moves the log before it into a table file and deletes
// it, so a follower can miss whole logs: it must still find the newest head
// and never take what it kept of a deleted log for the store (CI once saw
// "event 312 is stored after the ledger head record (seq 311)" here, and it
// stayed).
TEST_F(EventStoreTest, AFollowerThatMissedWholeWritersSeesTheNewestHead) {
  AppendOk({SelfCheck("a1", "storage", "2026-07", "90")});
  store_.reset();
  auto follower = EventStore::OpenFollower(dir_, tmp_.Sub("secondary"));
  ASSERT_TRUE(follower.ok()) << follower.status().ToString();
  ASSERT_EQ((*follower)->head().seq, 2);
  Head last;
  for (int i = 0; i < 3; ++i) {
    std::string id = "m" + std::to_string(i);
    auto out = EventStore::AppendTo(dir_, Batch({SelfCheck(id, "storage", "2026-0" + std::to_string(7 + i), "91")}),
                                    {}, std::chrono::milliseconds(0));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    last = out->head;
  }
  {
    auto writer = EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    ASSERT_TRUE((*writer)->PutCheckpoint(static_cast<uint64_t>(last.seq), "a note\n").ok());
  }
  Status caught_up = (*follower)->CatchUp();
  ASSERT_TRUE(caught_up.ok()) << caught_up.ToString();
  EXPECT_EQ((*follower)->head().seq, last.seq);
  EXPECT_EQ((*follower)->head().hash, last.hash);
  auto m2 = (*follower)->FindById("m2");
  ASSERT_TRUE(m2.ok() && m2->has_value());
}

}  // namespace
}  // namespace qledger::storage
