// Projection snapshots (app/snapshot.h) on the demo ledger, made with the
// real qledger binary: answers with snapshots are byte-identical to the same
// ledger without them, at several points in history, for every quarter and
// department; a damaged snapshot is passed over and the answer stays; verify
// finds a snapshot that checks but holds another state.
#include "qledger/app/snapshot.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "demo_ledger.h"
#include "ledger_tamper.h"
#include "qledger/app/json_mapping.h"
#include "qledger/app/queries.h"
#include "qledger/app/views.h"
#include "qledger/storage/event_store.h"
#include "qledger_test_support.h"

namespace qledger::app {
namespace {

using qledger::testing::RunQledger;
using qledger::testing::TempDir;
using storage::EventStore;
namespace json = boost::json;

// Points in history the answers are compared at: before the first quarter
// is complete, around the snapshots, at and after approvals, the head.
const std::vector<std::string> kPoints = {"1", "40", "99", "100", "101", "150", "226", "250", "299", "300", "310", ""};

// Every answer a score comes into, for every quarter at every point: the
// scores (each department), the year's reward ledger, the report.
std::string AllAnswers(const std::string& dir) {
  auto store = EventStore::OpenReader(dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return "";
  std::string out;
  auto quarters = (*store)->Quarters();
  EXPECT_TRUE(quarters.ok());
  for (const auto& q : *quarters) {
    for (const auto& at : kPoints) {
      out += q + " @" + at + ": ";
      auto scores = Scores(**store, {q, at, {}});
      out += scores.ok() ? JsonBody(ToJson(*scores)) : "error " + scores.status().ToString() + "\n";
    }
    auto report = BuildReport(**store, {q, ""});
    out += report.ok() ? JsonBody(ToJson(*report)) : "error " + report.status().ToString() + "\n";
  }
  for (const char* year : {"2025", "2026"}) {
    auto ledger = BuildLedger(**store, {year, ""});
    out += ledger.ok() ? JsonBody(ToJson(*ledger)) : "error " + ledger.status().ToString() + "\n";
  }
  return out;
}

int64_t CountSnapshots(const std::string& dir) {
  auto store = EventStore::OpenReader(dir);
  EXPECT_TRUE(store.ok());
  int64_t n = 0;
  EXPECT_TRUE((*store)->ScanSnapshots([&](const storage::SnapshotRecord&) { return ++n, true; }).ok());
  return n;
}

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    qledger::testing::MakeDemoLedger(with_);
    // The same events with no snapshot at all.
    std::filesystem::copy(with_, without_, std::filesystem::copy_options::recursive);
    {
      auto writer = EventStore::OpenWriter(without_, std::chrono::milliseconds(0));
      ASSERT_TRUE(writer.ok()) << writer.status().ToString();
      ASSERT_TRUE((*writer)->DropSnapshots().ok());
    }
    ASSERT_EQ(CountSnapshots(without_), 0);
    // The approvals' snapshots (made by the CLI's append), and some more at
    // points of history.
    auto writer = EventStore::OpenWriter(with_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    auto saved = SaveSnapshotsAt(**writer, {25, 50, 100, 150, 200, 250, 300});
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    ASSERT_GT(*saved, 20);
  }

  TempDir dir_;
  const std::string with_ = dir_.Sub("with");
  const std::string without_ = dir_.Sub("without");
};

TEST_F(SnapshotTest, TheCliSavesTheApprovalsSnapshotsAndVerifyReDerivesThem) {
  TempDir fresh;
  qledger::testing::MakeDemoLedger(fresh.Sub("ledger"));
  EXPECT_GT(CountSnapshots(fresh.Sub("ledger")), 0) << "the demo's approvals saved no snapshot";
  auto verified = RunQledger({"--data", with_, "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.Describe();
  EXPECT_NE(verified.out.find(" projection snapshots re-derive from the events"), std::string::npos) << verified.out;
}

TEST_F(SnapshotTest, AnswersWithSnapshotsAreByteIdenticalToAnswersWithout) {
  uint64_t hits = Snapshots().hits.load();
  std::string expected = AllAnswers(without_);
  EXPECT_EQ(Snapshots().hits.load(), hits) << "a ledger without snapshots used one";
  std::string got = AllAnswers(with_);
  EXPECT_GT(Snapshots().hits.load(), hits + 50) << "the snapshots were not used";
  ASSERT_EQ(got.size(), expected.size());
  EXPECT_EQ(got, expected);
  // Mostly answers (before a quarter's first event it is not assessed: an
  // error, the same one both ways).
  size_t answers = 0;
  for (size_t at = expected.find("\"as_of_seq\""); at != std::string::npos; at = expected.find("\"as_of_seq\"", at + 1)) {
    ++answers;
  }
  EXPECT_GT(answers, 300u);
}

TEST_F(SnapshotTest, ADamagedSnapshotIsPassedOverAndTheAnswerStays) {
  std::string expected = AllAnswers(without_);
  // Damage every snapshot a different way: a byte of the state, of the
  // magic, the fold version, the seq, the event hash, the checksum; cut one
  // short; one left empty.
  int n = 0;
  qledger::testing::WithRawLedger(with_, [&](rocksdb::DB& db) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    std::vector<std::pair<std::string, std::string>> damaged;
    for (it->Seek("S"); it->Valid() && it->key().starts_with("S"); it->Next()) {
      std::string v = it->value().ToString();
      switch (n++ % 8) {
        case 0: v[v.size() - 3] ^= 0x20; break;  // the state
        case 1: v[0] = 'X'; break;                // the magic
        case 2: v[15] ^= 1; break;                // the fold version
        case 3: v[23] ^= 1; break;                // the seq
        case 4: v[30] ^= 1; break;                // the event's hash
        case 5: v[60] ^= 1; break;                // the state's SHA-256
        case 6: v.resize(v.size() / 2); break;    // cut short
        case 7: v.clear(); break;
      }
      damaged.emplace_back(it->key().ToString(), v);
    }
    for (const auto& [k, v] : damaged) ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), k, v).ok());
  });
  ASSERT_GT(n, 20);
  uint64_t rejected = Snapshots().rejected.load();
  EXPECT_EQ(AllAnswers(with_), expected);
  EXPECT_GT(Snapshots().rejected.load(), rejected + 20);
  // verify names the first; --rebuild-snapshots makes them again.
  auto verified = RunQledger({"--data", with_, "verify"});
  EXPECT_EQ(verified.exit_code, 8) << verified.Describe();
  EXPECT_NE(verified.err.find("but the snapshot of "), std::string::npos) << verified.err;
  auto rebuilt = RunQledger({"--data", with_, "verify", "--rebuild-snapshots"});
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.Describe();
  EXPECT_NE(rebuilt.out.find("snapshots: removed " + std::to_string(n) + ", made "), std::string::npos) << rebuilt.out;
  EXPECT_EQ(AllAnswers(with_), expected);
}

// A snapshot whose header checks (the right seq, event hash, fold version
// and SHA-256) but whose state is not what its events fold to — a fold bug
// left at the same version, or a forgery: replays would start from it, so
// verify re-derives each one and names it.
TEST_F(SnapshotTest, VerifyNamesASnapshotThatChecksButHoldsAnotherState) {
  storage::SnapshotRecord target;
  {
    auto store = EventStore::OpenReader(with_);
    ASSERT_TRUE(store.ok());
    auto e = (*store)->Get(300);
    ASSERT_TRUE(e.ok());
    std::vector<storage::SnapshotRecord> at_300;
    ASSERT_TRUE((*store)->ScanSnapshots([&](const storage::SnapshotRecord& r) {
      if (r.seq == 300) at_300.push_back(r);
      return true;
    }).ok());
    // The state of seq 150 under the header of seq 300, for a department
    // with facts in between (else the two states are the same).
    for (const auto& r : at_300) {
      auto input = (*store)->LoadReplay(*domain::Quarter::Parse(r.quarter), r.department);
      ASSERT_TRUE(input.ok());
      domain::FoldState older = domain::FoldTo(*input, 150, nullptr);
      older.seq = 300;
      std::string forged = EncodeSnapshot(older, e->hash);
      if (forged == r.bytes) continue;
      target = r;
      target.bytes = forged;
      break;
    }
    ASSERT_EQ(target.seq, 300) << "no snapshot at 300 of a department with facts after 150";
    ASSERT_TRUE(DecodeSnapshot(target.bytes, 300, e->hash).ok()) << "the forged snapshot should pass its checks";
  }
  {
    auto writer = EventStore::OpenWriter(with_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->PutSnapshots({target}).ok());
  }
  auto store = EventStore::OpenReader(with_);
  ASSERT_TRUE(store.ok());
  auto check = CheckSnapshots(**store);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_EQ(check->problem, "the snapshot of " + target.quarter + " " + target.department +
                                " at seq 300 holds another state than its events fold to");
  auto verified = RunQledger({"--data", with_, "verify"});
  EXPECT_EQ(verified.exit_code, 8) << verified.Describe();
  EXPECT_NE(verified.err.find(check->problem), std::string::npos) << verified.err;
}

// verify checks the snapshots in its pass over the chain, in seq order;
// CheckSnapshots reads them in key order. Both name the first problem in
// key order: here one found at the end of the pass (a snapshot beyond the
// head, of the first quarter) before one found early (garbage at seq 5, of
// a later quarter).
TEST_F(SnapshotTest, VerifyNamesTheFirstProblemInKeyOrderAsCheckSnapshotsDoes) {
  int64_t head = 0;
  {
    auto writer = EventStore::OpenWriter(with_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    head = (*writer)->head().seq;
    ASSERT_TRUE((*writer)->PutSnapshots({{"2000Q1", "storage", head + 5, "QLSNAPST-not-a-state"},
                                         {"2099Q4", "storage", 5, "QLSNAPST-not-a-state"}})
                    .ok());
  }
  auto store = EventStore::OpenReader(with_);
  ASSERT_TRUE(store.ok());
  auto check = CheckSnapshots(**store);
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  const std::string first = "the snapshot of 2000Q1 storage at seq " + std::to_string(head + 5) + " is beyond the head";
  EXPECT_EQ(check->problem, first);
  store->reset();
  auto verified = RunQledger({"--data", with_, "verify"});
  EXPECT_EQ(verified.exit_code, 8) << verified.Describe();
  EXPECT_NE(verified.err.find(first), std::string::npos) << verified.err;

  // Without it, the garbage at seq 5 is what both name.
  {
    auto writer = EventStore::OpenWriter(with_, std::chrono::milliseconds(0));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->DropSnapshots().ok());
    ASSERT_TRUE((*writer)->PutSnapshots({{"2099Q4", "storage", 5, "QLSNAPST-not-a-state"}}).ok());
  }
  auto again = EventStore::OpenReader(with_);
  ASSERT_TRUE(again.ok());
  auto second = CheckSnapshots(**again);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->problem.starts_with("the snapshot of 2099Q4 storage at seq 5")) << second->problem;
  again->reset();
  verified = RunQledger({"--data", with_, "verify"});
  EXPECT_EQ(verified.exit_code, 8) << verified.Describe();
  EXPECT_NE(verified.err.find(second->problem), std::string::npos) << verified.err << "\n" << second->problem;
}

// The bytes of a fold's state are what a stored snapshot holds and what
// `verify` re-derives and compares: a change to how DepartmentQuarter keeps
// its facts in memory must not change them, or every snapshot a ledger
// already holds would stop matching. The digest is that of the bytes the
// first release's fold wrote for these events (every kind of fact, rulings
// and disputes, voids of a response, of a ruling and of a fact).
TEST(SnapshotBytesTest, AFoldsStateArchivesToTheBytesOfTheFirstRelease) {
  int64_t seq = 0;
  auto add = [&](domain::EventType type, const std::string& id, const std::string& period, json::object data) {
    domain::Event e;
    e.seq = ++seq;
    e.id = id;
    e.type = type;
    e.department = "storage";
    e.period = period;
    e.occurred_at = "2026-08-03";
    e.actor = "test";
    e.recorded_at = "2026-08-03T00:00:00Z";
    e.data = std::move(data);
    return e;
  };
  using T = domain::EventType;
  domain::FoldState s;
  auto& st = s.state;
  st.Apply(add(T::kSelfcheckReported, "self-07", "2026-07", {{"score", "95.50"}}), nullptr);
  st.Apply(add(T::kSpotcheckRecorded, "spot-08", "2026-08", {{"score", "90.00"}, {"inspector", "工作组/王敏"}}), nullptr);
  for (int i = 0; i < 6; ++i) {
    st.Apply(add(T::kSurveyResponded, "2026Q3-storage-survey-" + std::to_string(i), "2026Q3",
                 {{"respondent", "客户"}, {"score", std::to_string(80 + i) + ".00"}}),
             nullptr);
  }
  st.Apply(add(T::kSurveyDisputed, "dispute-1", "2026Q3", {{"response", "2026Q3-storage-survey-1"}, {"reason", "r"}}), nullptr);
  st.Apply(add(T::kSurveyRuled, "ruling-1", "2026Q3",
               {{"response", "2026Q3-storage-survey-1"}, {"outcome", "rescored"}, {"score", "99.00"}, {"ruling", "x"}}),
           nullptr);
  st.Apply(add(T::kSurveyRuled, "ruling-2", "2026Q3",
               {{"response", "2026Q3-storage-survey-2"}, {"outcome", "voided"}, {"ruling", "x"}}),
           nullptr);
  st.Apply(add(T::kComplaintRecorded, "complaint-1", "2026Q3", {{"channel", "c"}, {"summary", "s"}}), nullptr);
  st.Apply(add(T::kComplaintRuled, "cruling-1", "2026Q3", {{"complaint", "complaint-1"}, {"valid", true}, {"ruling", "x"}}),
           nullptr);
  st.Apply(add(T::kComplaintHandled, "handled-1", "2026Q3", {{"complaint", "complaint-1"}, {"stage", "resolved"}}), nullptr);
  st.Apply(add(T::kDeductionDirect, "direct-1", "2026Q3", {{"points", "2.00"}, {"reason", "r"}}), nullptr);
  st.Apply(add(T::kCallbackFinding, "callback-1", "2026Q3", {{"points", "0.50"}, {"reason", "r"}}), nullptr);
  st.Apply(add(T::kScoreAdjusted, "adjust-1", "2026Q3", {{"component", "survey"}, {"points", "1.00"}, {"ruling", "x"}}),
           nullptr);
  EXPECT_TRUE(st.Owns("2026Q3-storage-survey-3"));
  EXPECT_NE(st.Void("2026Q3-storage-survey-3"), "");
  EXPECT_FALSE(st.Owns("2026Q3-storage-survey-3"));
  EXPECT_EQ(st.Void("2026Q3-storage-survey-3"), "");  // voided once
  EXPECT_NE(st.Void("ruling-2"), "");
  EXPECT_NE(st.Void("callback-1"), "");
  EXPECT_TRUE(st.Owns("2026Q3-storage-survey-2"));
  EXPECT_TRUE(st.Owns("dispute-1"));
  EXPECT_FALSE(st.Owns("no-such-id"));
  s.seq = seq;
  s.any_fact = true;
  const std::string hash(64, 'a');
  std::string bytes = EncodeSnapshot(s, hash);
  EXPECT_EQ(domain::Sha256Hex(bytes), "5763b1ef0329abb444ef6df0febc3cd7479d94d21c6b61f7c8262adc8bea75a6");
  // Read back and written again: the same bytes, and the same answers.
  auto back = DecodeSnapshot(bytes, seq, hash);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(EncodeSnapshot(*back, hash), bytes);
  EXPECT_TRUE(back->state.Owns("2026Q3-storage-survey-0"));
  EXPECT_FALSE(back->state.Owns("2026Q3-storage-survey-3"));
  EXPECT_NE(back->state.Void("2026Q3-storage-survey-0"), "");
  EXPECT_FALSE(back->state.Owns("2026Q3-storage-survey-0"));
}

}  // namespace
}  // namespace qledger::app
