// diff, what-if, ledger, complaints and report against the demo ledger
// (config/demo/events.jsonl; expected figures from config/demo/README.md,
// computed independently in Python by config/demo/make_demo.py).
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "ledger_tamper.h"
#include "qledger_test_support.h"

namespace json = boost::json;
using qledger::testing::RunQledger;
using qledger::testing::RunResult;
using qledger::testing::SourcePath;
using qledger::testing::TempDir;
using qledger::testing::WriteFile;

namespace {

class ViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_.Sub("ledger");
    RunResult init = RunQledger({"init", "--data", data_, "--policy", SourcePath("config/policy.json")});
    ASSERT_EQ(init.exit_code, 0) << init.Describe();
    RunResult demo = RunQledger({"append", "--data", data_, SourcePath("config/demo/events.jsonl")});
    ASSERT_EQ(demo.exit_code, 0) << demo.Describe();
  }

  json::value Json(std::vector<std::string> args) {
    args.push_back("--data");
    args.push_back(data_);
    RunResult r = RunQledger(args);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return json::parse(r.out);
  }

  RunResult Run(std::vector<std::string> args) {
    args.push_back("--data");
    args.push_back(data_);
    return RunQledger(args);
  }

  std::string HeadHash() {
    RunResult v = Run({"verify"});
    EXPECT_EQ(v.exit_code, 0) << v.Describe();
    return v.out;
  }

  TempDir dir_;
  std::string data_;
};

TEST_F(ViewsTest, DiffFromApprovedShowsTheRulingThatChangedThePublishedScore) {
  // bidding 2026Q2: published at approval (seq 214) as 96.25 (+2500 yuan);
  // after the reopen, survey.ruled rescored a response: 97.00 (+4000 yuan).
  json::object d = Json({"diff", "--quarter", "2026Q2", "--department", "bidding", "--from", "approved",
                         "--format", "json"}).as_object();
  EXPECT_EQ(d["from"].as_object()["seq"].as_int64(), 214);
  EXPECT_EQ(d["before"].as_object()["total"].as_string(), "96.25");
  EXPECT_EQ(d["after"].as_object()["total"].as_string(), "97.00");
  EXPECT_EQ(d["before"].as_object()["amount"].as_string(), "2500.00");
  EXPECT_EQ(d["after"].as_object()["amount"].as_string(), "4000.00");
  ASSERT_EQ(d["events"].as_array().size(), 1u);
  EXPECT_EQ(d["events"].as_array()[0].as_object()["type"].as_string(), "survey.ruled");
  EXPECT_FALSE(d["hypothetical"].as_bool());
  // As text, in one language: the status as published and as it stands.
  RunResult zh = Run({"diff", "--quarter", "2026Q2", "--department", "bidding", "--from", "approved"});
  ASSERT_EQ(zh.exit_code, 0) << zh.Describe();
  EXPECT_NE(zh.out.find("已审定 已重新打开"), std::string::npos) << zh.out;
  EXPECT_NE(zh.out.find("问卷异议审定"), std::string::npos) << zh.out;
  RunResult en = Run({"diff", "--quarter", "2026Q2", "--department", "bidding", "--from", "approved", "--lang", "en"});
  ASSERT_EQ(en.exit_code, 0) << en.Describe();
  EXPECT_NE(en.out.find("approved     reopened"), std::string::npos) << en.out;
  EXPECT_NE(en.out.find("survey.ruled"), std::string::npos) << en.out;
}

TEST_F(ViewsTest, DiffBetweenEqualPointsChangesNothing) {
  json::object d = Json({"diff", "--quarter", "2026Q3", "--department", "storage", "--from", "310", "--to", "310",
                         "--format", "json"}).as_object();
  EXPECT_TRUE(d["changes"].as_array().empty());
  EXPECT_TRUE(d["events"].as_array().empty());
}

TEST_F(ViewsTest, DiffRejectsBadPoints) {
  RunResult never = Run({"diff", "--quarter", "2026Q3", "--department", "storage", "--from", "approved"});
  EXPECT_EQ(never.exit_code, 4) << never.Describe();
  EXPECT_NE(never.err.find("never been approved"), std::string::npos) << never.err;
  RunResult backwards = Run({"diff", "--quarter", "2026Q3", "--department", "storage", "--from", "300", "--to", "200"});
  EXPECT_EQ(backwards.exit_code, 3) << backwards.Describe();
  EXPECT_NE(backwards.err.find("before from"), std::string::npos) << backwards.err;
  RunResult beyond = Run({"diff", "--quarter", "2026Q3", "--department", "storage", "--from", "9999"});
  EXPECT_EQ(beyond.exit_code, 3) << beyond.Describe();
  EXPECT_NE(beyond.err.find("beyond the ledger head"), std::string::npos) << beyond.err;
}

TEST_F(ViewsTest, WithoutIsHypotheticalAndLeavesTheLedgerUnchanged) {
  std::string before = HeadHash();
  // Leaving out the rescoring ruling gives back the published figure.
  json::array s = Json({"scores", "--quarter", "2026Q2", "--without", "2026Q2-bidding-ruling-01"}).as_array();
  json::object bidding;
  for (auto& v : s) {
    if (v.as_object()["department"] == "bidding") bidding = v.as_object();
  }
  EXPECT_EQ(bidding["total"].as_string(), "96.25");
  bool said = false;
  for (auto& w : bidding["warnings"].as_array()) said |= std::string(w.as_string()).find("hypothetical") != std::string::npos;
  EXPECT_TRUE(said);
  json::object d = Json({"diff", "--quarter", "2026Q2", "--department", "bidding", "--from", "approved",
                         "--without", "2026Q2-bidding-ruling-01", "--format", "json"}).as_object();
  EXPECT_TRUE(d["hypothetical"].as_bool());
  EXPECT_TRUE(d["events"].as_array().empty());
  EXPECT_EQ(HeadHash(), before);
  RunResult unknown = Run({"replay", "--quarter", "2026Q2", "--department", "bidding", "--without", "no-such-event"});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.Describe();
  EXPECT_NE(unknown.err.find("no-such-event"), std::string::npos);
}

TEST_F(ViewsTest, LedgerMarksOpenQuartersProvisionalAndTracksTheQuota) {
  json::object l = Json({"ledger", "--year", "2026", "--format", "json"}).as_object();
  int final_count = 0, provisional = 0;
  for (auto& v : l["entries"].as_array()) {
    auto& e = v.as_object();
    if (e["quarter"] == "2026Q1") {
      EXPECT_TRUE(e["final"].as_bool());
      ++final_count;
    } else {
      EXPECT_FALSE(e["final"].as_bool()) << e["quarter"];
      ++provisional;
    }
  }
  EXPECT_EQ(final_count, 7);
  EXPECT_EQ(provisional, 21);  // 2026Q2 (reopened), Q3, Q4
  auto& q = l["quota"].as_object();
  EXPECT_EQ(q["annual_quota"].as_string(), "30000.00");
  // 2026Q1 rewards (config/demo/README.md): marketing 480 + storage 3440 = 3920.
  EXPECT_EQ(q["rewards_final"].as_string(), "3920.00");
  EXPECT_FALSE(q["over_quota"].as_bool());
}

TEST_F(ViewsTest, LedgerFlagsAnExpenseThatTakesTheWorkGroupOverQuota) {
  WriteFile(dir_.Sub("expense.jsonl"),
            R"({"id":"exp-big","type":"budget.expense","period":"2026","occurred_at":"2026-11-20","actor":"工作组","data":{"amount":"29000.00","purpose":"培训"}})"
            "\n");
  ASSERT_EQ(Run({"append", dir_.Sub("expense.jsonl")}).exit_code, 0);
  json::object l = Json({"ledger", "--year", "2026", "--format", "json"}).as_object();
  EXPECT_TRUE(l["quota"].as_object()["over_quota"].as_bool());
  RunResult text = Run({"ledger", "--year", "2026"});
  EXPECT_NE(text.out.find("超出额度"), std::string::npos) << text.out;
  RunResult en = Run({"ledger", "--year", "2026", "--lang", "en"});
  EXPECT_NE(en.out.find("OVER QUOTA"), std::string::npos) << en.out;
}

TEST_F(ViewsTest, LedgerRejectsBadYearAndUnknownDepartment) {
  RunResult bad = Run({"ledger", "--year", "26"});
  EXPECT_EQ(bad.exit_code, 3) << bad.Describe();
  EXPECT_NE(bad.err.find("year"), std::string::npos);
  RunResult unknown = Run({"ledger", "--year", "2026", "--department", "nowhere"});
  EXPECT_EQ(unknown.exit_code, 4) << unknown.Describe();
}

TEST_F(ViewsTest, ComplaintRegisterShowsValidityHandlingAndTimeToResolve) {
  json::object c = Json({"complaints", "--quarter", "2026Q3", "--format", "json"}).as_object();
  ASSERT_FALSE(c["complaints"].as_array().empty());
  for (auto& v : c["complaints"].as_array()) {
    auto& x = v.as_object();
    EXPECT_EQ(x["quarter"].as_string(), "2026Q3");
    EXPECT_TRUE(x.contains("acknowledged_at") && x.contains("resolved_at") && x.contains("hours_to_resolve"));
    if (x["resolved_at"].is_string()) {
      EXPECT_TRUE(x["hours_to_resolve"].is_string());
    }
  }
  // Counting complaints agree with the scores' valid_complaints.
  int64_t counting = 0, valid = 0;
  for (auto& v : c["complaints"].as_array()) counting += v.as_object()["counts"].as_bool();
  json::value scores = Json({"scores", "--quarter", "2026Q3"});
  for (auto& v : scores.as_array()) {
    valid += v.as_object()["complaint"].as_object()["valid_complaints"].as_int64();
  }
  EXPECT_EQ(counting, valid);
  // An invalid ruling shows in the whole register (the demo has one).
  json::object all = Json({"complaints", "--format", "json"}).as_object();
  EXPECT_GE(all["summary"].as_object()["invalid"].as_int64(), 1);
  RunResult csv = Run({"complaints", "--format", "csv", "--lang", "en"});
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_EQ(csv.out.rfind("\xEF\xBB\xBFquarter,department,name,id,received_at", 0), 0u) << csv.out.substr(0, 200);
  RunResult zh = Run({"complaints", "--format", "csv"});
  EXPECT_EQ(zh.exit_code, 0);
  EXPECT_EQ(zh.out.rfind("\xEF\xBB\xBF季度,部门代码,部门,编号,受理时间", 0), 0u) << zh.out.substr(0, 200);
  EXPECT_EQ(zh.out.find(",yes,"), std::string::npos) << "yes/no in Chinese";
  EXPECT_NE(zh.out.find(",是,"), std::string::npos);
  // Times as people read them: local time in the ledger's zone, no offset.
  EXPECT_EQ(zh.out.find("+08:00"), std::string::npos) << zh.out.substr(0, 600);
  EXPECT_NE(zh.out.find("2025-11-12 15:30"), std::string::npos) << zh.out.substr(0, 600);
}

TEST_F(ViewsTest, ReportOfAnApprovedQuarterCarriesTheApprovalHead) {
  json::object r = Json({"report", "--quarter", "2026Q1", "--format", "json"}).as_object();
  EXPECT_EQ(r["status"].as_string(), "approved");
  auto& approval = r["approval"].as_object();
  EXPECT_EQ(r["as_of_seq"].as_int64(), approval["seq"].as_int64());
  EXPECT_EQ(r["as_of_hash"].as_string(), approval["hash"].as_string());
  EXPECT_EQ(r["meeting_date"].as_string(), "2026-04-10");
  // The approval event's hash is what `log` shows for that seq.
  RunResult log = Run({"log", "--after", std::to_string(approval["seq"].as_int64() - 1), "--limit", "1", "--format", "json"});
  EXPECT_NE(log.out.find(std::string(approval["hash"].as_string())), std::string::npos);
  // orders 2026Q1 is exactly 95.00: qualified, no money (config/demo/README.md).
  for (auto& v : r["scores"].as_array()) {
    auto& s = v.as_object();
    if (s["department"] == "orders") {
      EXPECT_EQ(s["total"].as_string(), "95.00");
      EXPECT_EQ(s["grade"].as_string(), "qualified");
      EXPECT_EQ(s["amount"].as_string(), "0.00");
    }
  }
}

TEST_F(ViewsTest, ReportRanksAndComparesWithThePreviousQuarter) {
  json::object r = Json({"report", "--quarter", "2026Q3", "--format", "json"}).as_object();
  auto& scores = r["scores"].as_array();
  ASSERT_EQ(scores.size(), 7u);
  for (auto& v : scores) {
    auto& s = v.as_object();
    if (s["department"] == "storage") {
      // storage: 96.28 in 2026Q3, 96.18 in 2026Q2 → +0.10; the highest? metrology 97.30 ranks 1.
      EXPECT_EQ(s["previous_total"].as_string(), "96.18");
      EXPECT_EQ(s["change"].as_string(), "0.10");
      EXPECT_EQ(s["rank"].as_int64(), 2);
    }
    if (s["department"] == "metrology") {
      EXPECT_EQ(s["rank"].as_int64(), 1);
    }
  }
  EXPECT_FALSE(r["spot_checks"].as_array().empty());
  EXPECT_TRUE(r["surveys"].as_object().contains("disputes"));
}

// A report as of a point compares with the previous quarter as of the same
// point, so that it says the same whenever it is made again. bidding 2026Q2
// stood at 96.25 until its rescoring ruling (seq 235) made it 97.00.
TEST_F(ViewsTest, ReportAsOfAPointComparesWithThePreviousQuarterAsOfThatPoint) {
  auto bidding = [](const json::value& rows) {
    for (const auto& v : rows.as_array()) {
      if (v.as_object().at("department") == "bidding") return v.as_object();
    }
    ADD_FAILURE() << "no bidding row";
    return json::object();
  };
  json::object then = Json({"report", "--quarter", "2026Q3", "--as-of", "230", "--format", "json"}).as_object();
  json::object q2_then = bidding(Json({"scores", "--quarter", "2026Q2", "--as-of", "230"}));
  EXPECT_EQ(q2_then["total"].as_string(), "96.25");
  EXPECT_EQ(bidding(then["scores"])["previous_total"], q2_then["total"]);
  json::object now = Json({"report", "--quarter", "2026Q3", "--format", "json"}).as_object();
  EXPECT_EQ(bidding(now["scores"])["previous_total"].as_string(), "97.00");
}

TEST_F(ViewsTest, ReportFormatsPrintTheHeadAndChineseNames) {
  RunResult html = Run({"report", "--quarter", "2026Q2", "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.Describe();
  EXPECT_NE(html.out.find("size: A4"), std::string::npos);
  EXPECT_NE(html.out.find("招标分公司"), std::string::npos);
  RunResult md = Run({"report", "--quarter", "2026Q2", "--format", "md"});
  EXPECT_NE(md.out.find("| 1 | 招标分公司 |"), std::string::npos) << md.out.substr(0, 2000);
  RunResult md_en = Run({"report", "--quarter", "2026Q2", "--format", "md", "--lang", "en"});
  EXPECT_NE(md_en.out.find("| 1 | 招标分公司 (bidding) |"), std::string::npos) << md_en.out.substr(0, 2000);
  RunResult csv = Run({"report", "--quarter", "2026Q2", "--format", "csv", "--lang", "en"});
  EXPECT_EQ(csv.out.rfind("\xEF\xBB\xBFquarter,status,rank,department", 0), 0u);
  RunResult csv_zh = Run({"report", "--quarter", "2026Q2", "--format", "csv"});
  EXPECT_EQ(csv_zh.out.rfind("\xEF\xBB\xBF季度,状态,名次,部门代码", 0), 0u);
  // One language at a time: the Chinese report has no English heading, the
  // English one no Chinese heading; both have the signature block and page
  // numbers for print.
  RunResult html_en = Run({"report", "--quarter", "2026Q2", "--format", "html", "--lang", "en"});
  for (const char* en : {"Scores and grades", "Survey statistics", "Complaints", "Ledger head"}) {
    EXPECT_EQ(html.out.find(en), std::string::npos) << en;
    EXPECT_NE(html_en.out.find(en), std::string::npos) << en;
  }
  for (const char* zh : {"考核结果", "问卷调查", "客户投诉", "账本头"}) {
    EXPECT_NE(html.out.find(zh), std::string::npos) << zh;
    EXPECT_EQ(html_en.out.find(zh), std::string::npos) << zh;
  }
  for (const char* sign : {"编制", "审核", "批准", "counter(page)"}) EXPECT_NE(html.out.find(sign), std::string::npos) << sign;
  for (const char* sign : {"Prepared by", "Reviewed by", "Approved by", "counter(pages)"}) {
    EXPECT_NE(html_en.out.find(sign), std::string::npos) << sign;
  }
  json::object j = Json({"report", "--quarter", "2026Q2", "--format", "json"}).as_object();
  EXPECT_NE(html.out.find(std::string(j["as_of_hash"].as_string())), std::string::npos);
  EXPECT_NE(md.out.find(std::string(j["as_of_hash"].as_string())), std::string::npos);
}

TEST_F(ViewsTest, ReportRejectsBadQuarterAndUnknownQuarter) {
  RunResult bad = Run({"report", "--quarter", "2026-Q5"});
  EXPECT_EQ(bad.exit_code, 3) << bad.Describe();
  EXPECT_NE(bad.err.find("2026-Q5"), std::string::npos);
  RunResult early = Run({"report", "--quarter", "2010Q1"});
  EXPECT_EQ(early.exit_code, 4) << early.Describe();
  EXPECT_NE(early.err.find("quarter 2010Q1 is not assessed: nothing was recorded for it (quarters with events: "),
            std::string::npos) << early.err;
}

TEST_F(ViewsTest, BackupIsAConsistentCopyWithTheSameHead) {
  RunResult b = Run({"backup", dir_.Sub("copy")});
  ASSERT_EQ(b.exit_code, 0) << b.Describe();
  RunResult original = Run({"verify"});
  RunResult copy = RunQledger({"verify", "--data", dir_.Sub("copy")});
  ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
  EXPECT_EQ(original.out, copy.out);
  RunResult again = Run({"backup", dir_.Sub("copy")});
  EXPECT_EQ(again.exit_code, 5) << again.Describe();
  EXPECT_NE(again.err.find("already exists"), std::string::npos);
}

TEST_F(ViewsTest, VerifyFailsWhenAnIndexEntryIsDeletedThoughEveryHashMatches) {
  // The complaint 2026Q3-logistics-complaint-01 is seq 223 in the demo; its
  // index entry is what puts it in logistics' 2026Q3 replay.
  std::string key = "x2026Q3/logistics/";
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((223ull >> (8 * i)) & 0xff));
  qledger::testing::WithRawLedger(data_, [&](rocksdb::DB& db) {
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), key).ok());
  });
  RunResult v = Run({"verify"});
  EXPECT_EQ(v.exit_code, 8) << v.Describe();
  EXPECT_NE(v.err.find("index entry \"x2026Q3/logistics/#223\" is missing"), std::string::npos) << v.err;
}

}  // namespace
