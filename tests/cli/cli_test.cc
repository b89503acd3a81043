// The real `qledger` binary end to end: the demo ledger's figures against
// the independent Python computation in config/demo/README.md, replay,
// as-of and what-if, export against tools/verify_export.py, tamper
// detection, and every rejection of SPEC §4 through `qledger append`.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "ledger_tamper.h"
#include "qledger_test_support.h"

namespace qledger::cli {
namespace {

namespace json = boost::json;
using qledger::testing::JoinLines;
using qledger::testing::RunProgram;
using qledger::testing::RunQledger;
using qledger::testing::RunResult;
using qledger::testing::SourcePath;
using qledger::testing::TempDir;
using qledger::testing::WriteFile;

constexpr int kOk = 0;
constexpr int kInvalidInput = 3;
constexpr int kNotFound = 4;
constexpr int kConflict = 5;
constexpr int kStaleHead = 6;
constexpr int kVerifyFailed = 8;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct LedgerHead {
  int64_t seq = -1;
  std::string hash;
  bool operator==(const LedgerHead&) const = default;
};

// One row of the components table of config/demo/README.md.
struct ExpectedScore {
  std::string quarter, department, selfcheck, survey /* "" when absent */, complaint, weighted, callbacks,
      adjustments, total, grade, amount;
};

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" *");
  size_t b = s.find_last_not_of(" *");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

std::string FirstWord(const std::string& s) { return s.substr(0, s.find(' ')); }

// The components table of config/demo/README.md, computed by make_demo.py in
// Python, independently of the C++ scorer:
// | quarter | department 名 | selfcheck | survey | complaint | weighted | callbacks | total adj. | **total** | grade 级 | amount |
std::vector<ExpectedScore> ReadmeComponents() {
  std::istringstream in(qledger::testing::ReadFile(SourcePath("config/demo/README.md")));
  std::vector<ExpectedScore> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| 202", 0) != 0) continue;
    std::vector<std::string> cells;
    size_t pos = 1;
    while (pos < line.size()) {
      size_t bar = line.find('|', pos);
      if (bar == std::string::npos) break;
      cells.push_back(Trim(line.substr(pos, bar - pos)));
      pos = bar + 1;
    }
    if (cells.size() != 11) continue;  // the per-department summary table has 6 cells
    ExpectedScore e;
    e.quarter = cells[0];
    e.department = FirstWord(cells[1]);
    e.selfcheck = cells[2];
    e.survey = cells[3] == "–" ? "" : cells[3];
    e.complaint = cells[4];
    e.weighted = cells[5];
    e.callbacks = cells[6];
    e.adjustments = cells[7];
    e.total = cells[8];
    e.grade = FirstWord(cells[9]);
    e.amount = cells[10][0] == '+' ? cells[10].substr(1) : cells[10];
    out.push_back(e);
  }
  return out;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = tmp_.Sub("ledger"); }

  // qledger CMD --data DIR args...
  RunResult Q(const std::string& cmd, std::vector<std::string> args = {}, const std::string& stdin_text = "") {
    args.insert(args.begin(), {cmd, "--data", dir_});
    return RunProgram(binary_, args, stdin_text);
  }

  void Init() {
    RunResult r = Q("init", {"--policy", SourcePath("config/policy.json")});
    ASSERT_EQ(r.exit_code, kOk) << r.Describe();
    ASSERT_TRUE(Contains(r.out, "\"head_seq\":1")) << r.out;
  }

  // init + the 309 demo events: seq 1 is the policy, the demo is seq 2..310.
  void InitDemo() {
    ASSERT_NO_FATAL_FAILURE(Init());
    RunResult r = Q("append", {SourcePath("config/demo/events.jsonl")});
    ASSERT_EQ(r.exit_code, kOk) << r.Describe();
    ASSERT_TRUE(Contains(r.out, "\"appended\":309")) << r.out;
    ASSERT_TRUE(Contains(r.out, "\"head_seq\":310")) << r.out;
  }

  // Appends lines through a file; returns the result.
  RunResult AppendLines(const std::vector<std::string>& lines, std::vector<std::string> flags = {}) {
    std::string file = tmp_.Sub("batch-" + std::to_string(++batches_) + ".jsonl");
    WriteFile(file, JoinLines(lines));
    flags.insert(flags.begin(), file);
    return Q("append", flags);
  }

  void AppendOk(const std::vector<std::string>& lines) {
    RunResult r = AppendLines(lines);
    ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  }

  // The head as `qledger verify` reports it; asserts the chain verifies.
  LedgerHead VerifiedHead() {
    RunResult r = Q("verify");
    EXPECT_EQ(r.exit_code, kOk) << r.Describe();
    std::smatch m;
    static const std::regex kLine("head seq ([0-9]+) hash ([0-9a-f]{64})");
    if (!std::regex_search(r.out, m, kLine)) {
      ADD_FAILURE() << "no head in verify output: " << r.Describe();
      return {};
    }
    return {std::stoll(m[1]), m[2]};
  }

  json::array ScoresJson(const std::string& quarter, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--quarter", quarter, "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = Q("scores", args);
    EXPECT_EQ(r.exit_code, kOk) << r.Describe();
    if (r.exit_code != kOk) return {};
    return json::parse(r.out).as_array();
  }

  // A copy: the array is often a temporary.
  static json::object Dept(const json::array& scores, const std::string& code) {
    for (const auto& s : scores) {
      if (s.as_object().at("department").as_string() == code) return s.as_object();
    }
    ADD_FAILURE() << "no department " << code;
    return {};
  }

  // Runs append with `lines` and asserts the rejection: the exit code, a
  // message naming `where` ("line 2") with every one of `fragments` on the
  // same line, and a ledger unchanged (verify's head before and after).
  void ExpectRejected(const std::vector<std::string>& lines, const std::string& where,
                      const std::vector<std::string>& fragments, int exit_code = kInvalidInput) {
    LedgerHead before = VerifiedHead();
    RunResult r = AppendLines(lines);
    EXPECT_EQ(r.exit_code, exit_code) << r.Describe();
    std::istringstream err(r.err);
    std::string line;
    bool found = false;
    while (std::getline(err, line)) {
      if (!Contains(line, where + ":")) continue;
      bool all = true;
      for (const auto& f : fragments) all &= Contains(line, f);
      found |= all;
    }
    EXPECT_TRUE(found) << "expected a message naming " << where << " with each of the fragments; got "
                       << r.Describe();
    EXPECT_TRUE(Contains(r.err, "nothing was appended")) << r.Describe();
    EXPECT_TRUE(r.out.empty()) << r.Describe();
    EXPECT_EQ(VerifiedHead(), before) << "the rejected batch changed the ledger";
  }

  TempDir tmp_;
  std::string dir_;
  int batches_ = 0;
  std::string binary_ = QLEDGER_BINARY;  // the release build unless a test needs its hooks
};

// ---- Event lines by hand (all valid against the demo ledger) ----

std::string SelfCheck(const std::string& id, const std::string& dept, const std::string& month,
                      const std::string& score_json) {
  return R"({"id": ")" + id + R"(", "type": "selfcheck.reported", "department": ")" + dept + R"(", "period": ")" +
         month + R"(", "occurred_at": "2026-12-20", "actor": "质量管理员", "data": {"score": )" + score_json + "}}";
}

std::string SpotCheck(const std::string& id, const std::string& dept, const std::string& month) {
  return R"({"id": ")" + id + R"(", "type": "spotcheck.recorded", "department": ")" + dept + R"(", "period": ")" +
         month + R"(", "occurred_at": "2026-12-21", "actor": "工作组", "data": {"score": "90.00", "inspector": "工作组/赵丽"}})";
}

std::string Survey(const std::string& id, const std::string& dept, const std::string& quarter) {
  return R"({"id": ")" + id + R"(", "type": "survey.responded", "department": ")" + dept + R"(", "period": ")" +
         quarter + R"(", "occurred_at": "2026-12-22", "actor": "工作组", "data": {"respondent": "某客户", "score": "96.00"}})";
}

std::string Callback(const std::string& id, const std::string& dept, const std::string& quarter,
                     const std::string& points) {
  return R"({"id": ")" + id + R"(", "type": "callback.finding", "department": ")" + dept + R"(", "period": ")" +
         quarter + R"(", "occurred_at": "2026-12-22", "actor": "工作组", "data": {"points": ")" + points +
         R"(", "reason": "回访记录不完整"}})";
}

std::string Void(const std::string& id, const std::string& target) {
  return R"({"id": ")" + id + R"(", "type": "entry.voided", "occurred_at": "2026-12-22", "actor": "工作组", "data": {"target": ")" +
         target + R"(", "reason": "录入错误"}})";
}

// A valid first line for rejection batches, so that "line 2" is the bad one
// and the good line proves the batch is all or nothing.
const std::string kGoodLine = Survey("t-good-survey", "storage", "2026Q4");

// ---- The demo's figures ----

TEST_F(CliTest, DemoScoresMatchTheIndependentPythonComputationForEveryQuarter) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  std::vector<ExpectedScore> expected = ReadmeComponents();
  ASSERT_EQ(expected.size(), 35u) << "README table: 5 quarters x 7 departments";
  std::map<std::string, json::array> by_quarter;
  for (const auto& e : expected) {
    SCOPED_TRACE(e.quarter + " " + e.department);
    if (!by_quarter.count(e.quarter)) {
      by_quarter[e.quarter] = ScoresJson(e.quarter);
      ASSERT_EQ(by_quarter[e.quarter].size(), 7u);
    }
    json::object s = Dept(by_quarter[e.quarter], e.department);
    EXPECT_EQ(s.at("selfcheck").at("score").as_string(), e.selfcheck);
    if (e.survey.empty()) {
      EXPECT_TRUE(s.at("survey").at("score").is_null());
      EXPECT_FALSE(s.at("survey").at("present").as_bool());
    } else {
      EXPECT_EQ(s.at("survey").at("score").as_string(), e.survey);
    }
    EXPECT_EQ(s.at("complaint").at("score").as_string(), e.complaint);
    EXPECT_EQ(s.at("weighted").as_string(), e.weighted);
    EXPECT_EQ(s.at("callback_deductions").as_string(), e.callbacks);
    EXPECT_EQ(s.at("adjustments").as_string(), e.adjustments);
    EXPECT_EQ(s.at("total").as_string(), e.total);
    EXPECT_EQ(s.at("grade").as_string(), e.grade);
    EXPECT_EQ(s.at("amount").as_string(), e.amount);
  }
}

TEST_F(CliTest, DemoQuarterStatusesAreOpenApprovedAndReopened) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  const std::map<std::string, std::string> status = {
      {"2025Q4", "approved"}, {"2026Q1", "approved"}, {"2026Q2", "reopened"}, {"2026Q3", "open"}, {"2026Q4", "open"}};
  for (const auto& [quarter, want] : status) {
    json::array scores = ScoresJson(quarter);
    ASSERT_FALSE(scores.empty()) << quarter;
    for (const auto& s : scores) EXPECT_EQ(s.at("status").as_string(), want) << quarter;
  }
  // An approved quarter is published as of its approval: 2025Q4's approval
  // is demo line 73, so seq 74.
  EXPECT_EQ(Dept(ScoresJson("2025Q4"), "storage").at("as_of_seq").as_int64(), 74);
  EXPECT_EQ(Dept(ScoresJson("2026Q3"), "storage").at("as_of_seq").as_int64(), 310);
}

TEST_F(CliTest, Demo2026Q2AsPublishedAtItsApprovalDiffersOnlyForBidding) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  // README: "published at approval (seq 214)": bidding 96.25 +2500.00; the
  // other departments unchanged. 2500 = (96.25 − 95) × 2000.
  json::array published = ScoresJson("2026Q2", {"--as-of", "214"});
  json::array now = ScoresJson("2026Q2");
  ASSERT_EQ(published.size(), 7u);
  for (size_t i = 0; i < published.size(); ++i) {
    const auto& p = published[i].as_object();
    EXPECT_EQ(p.at("status").as_string(), "approved");
    if (p.at("department").as_string() == "bidding") {
      EXPECT_EQ(p.at("total").as_string(), "96.25");
      EXPECT_EQ(p.at("amount").as_string(), "2500.00");
      EXPECT_EQ(now[i].at("total").as_string(), "97.00");
    } else {
      EXPECT_EQ(p.at("total"), now[i].at("total")) << p.at("department");
    }
  }
}

TEST_F(CliTest, ScoresTableAndCsvKeepTheChineseNamesIntact) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  RunResult table = Q("scores", {"--quarter", "2026Q3", "--format", "table"});
  ASSERT_EQ(table.exit_code, kOk) << table.Describe();
  RunResult csv = Q("scores", {"--quarter", "2026Q3", "--format", "csv", "--lang", "en"});
  ASSERT_EQ(csv.exit_code, kOk) << csv.Describe();
  for (const char* name : {"市场经营部", "物流业务部", "武汉业务部", "订单处理中心", "储运中心", "招标分公司", "计量检测中心"}) {
    EXPECT_TRUE(Contains(table.out, name)) << name << "\n" << table.out;
    EXPECT_TRUE(Contains(csv.out, name)) << name << "\n" << csv.out;
  }
  // README: storage 2026Q3 92.56 / 100.00 / 100.00, weighted 96.28, total 96.28, +2560.00.
  EXPECT_TRUE(Contains(csv.out, "storage,储运中心,open,92.56,100.00,100.00,96.28,0.00,0.00,96.28,excellent,2560.00"))
      << csv.out;
  EXPECT_TRUE(Contains(table.out, "2026Q3")) << table.out;
  // For Excel: a UTF-8 BOM first (SPEC §6), and a missing number is an empty
  // cell, never "—". In 2026Q4 no department has a survey yet.
  EXPECT_TRUE(csv.out.starts_with("\xEF\xBB\xBF" "department,name,status,")) << csv.out;
  // By default (zh) the headers, statuses and grades are Chinese; the
  // numbers are the same.
  RunResult zh = Q("scores", {"--quarter", "2026Q3", "--format", "csv"});
  ASSERT_EQ(zh.exit_code, kOk) << zh.Describe();
  EXPECT_TRUE(zh.out.starts_with("\xEF\xBB\xBF" "部门代码,部门,状态,自查,问卷,投诉,加权,回访扣分,调整,总分,等次,奖惩(元)\r\n"))
      << zh.out;
  EXPECT_TRUE(Contains(zh.out, "storage,储运中心,未审定,92.56,100.00,100.00,96.28,0.00,0.00,96.28,优秀,2560.00")) << zh.out;
  EXPECT_FALSE(Contains(zh.out, "excellent")) << zh.out;
  EXPECT_TRUE(Contains(table.out, "等次")) << table.out;
  for (const char* q : {"2025Q4", "2026Q1", "2026Q2", "2026Q3", "2026Q4"}) {
    RunResult other = Q("scores", {"--quarter", q, "--format", "csv"});
    ASSERT_EQ(other.exit_code, kOk) << other.Describe();
    EXPECT_FALSE(Contains(other.out, "—")) << q << "\n" << other.out;
  }
}

// ---- Replay, as-of, what-if ----

TEST_F(CliTest, ReplayEndsInTheScoreAndShowsEveryEventOfTheDepartmentAndQuarter) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  RunResult r = Q("replay", {"--quarter", "2026Q3", "--department", "storage", "--format", "json"});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  json::object d = json::parse(r.out).as_object();
  const json::array& steps = d.at("steps").as_array();
  ASSERT_FALSE(steps.empty());
  std::string total = Dept(ScoresJson("2026Q3"), "storage").at("total").as_string().c_str();
  EXPECT_EQ(total, "96.28");
  EXPECT_EQ(steps.back().at("total").as_string(), total);
  EXPECT_EQ(d.at("score").at("total").as_string(), total);
  EXPECT_FALSE(d.at("hypothetical").as_bool());

  std::set<int64_t> step_seqs;
  std::set<std::string> step_ids;
  for (const auto& s : steps) {
    step_seqs.insert(s.at("seq").as_int64());
    step_ids.insert(std::string(s.at("id").as_string()));
  }
  RunResult log = Q("log", {"--department", "storage", "--quarter", "2026Q3", "--format", "json"});
  ASSERT_EQ(log.exit_code, kOk) << log.Describe();
  std::istringstream lines(log.out);
  std::string line;
  int logged = 0;
  while (std::getline(lines, line)) {
    json::object e = json::parse(line).as_object();
    EXPECT_EQ(e.at("department").as_string(), "storage");
    EXPECT_TRUE(step_seqs.count(e.at("seq").as_int64())) << "replay misses " << line;
    ++logged;
  }
  // The demo's storage events of 2026Q3: self-checks of 07, 08 (mis-recorded),
  // 08 corrected and 09, one spot check, three survey responses and one
  // survey adjustment.
  EXPECT_EQ(logged, 9);
  // Replay shows those, the policy and the void: 11 steps.
  EXPECT_EQ(steps.size(), 11u);
  // The void of the mis-recorded August self-check has no department, so the
  // log filter does not show it, but it touched storage's score.
  EXPECT_TRUE(step_ids.count("2026-08-storage-selfcheck-void"));
  EXPECT_TRUE(step_ids.count("2026-08-storage-selfcheck-corrected"));

  RunResult text = Q("replay", {"--quarter", "2026Q3", "--department", "storage"});
  ASSERT_EQ(text.exit_code, kOk) << text.Describe();
  EXPECT_TRUE(Contains(text.out, "储运中心")) << text.out;
  for (const auto& id : step_ids) EXPECT_TRUE(Contains(text.out, id)) << id;
  EXPECT_TRUE(Contains(text.out, "总分：96.28  等次 优秀")) << text.out;
  EXPECT_TRUE(Contains(text.out, "自查上报")) << "event kinds in Chinese\n" << text.out;
  EXPECT_FALSE(Contains(text.out, "selfcheck.reported")) << text.out;
  RunResult en = Q("replay", {"--quarter", "2026Q3", "--department", "storage", "--lang", "en"});
  ASSERT_EQ(en.exit_code, kOk) << en.Describe();
  EXPECT_TRUE(Contains(en.out, "Total: 96.28  grade excellent")) << en.out;
  EXPECT_TRUE(Contains(en.out, "selfcheck.reported")) << en.out;
  EXPECT_FALSE(Contains(en.out, "自查上报")) << en.out;
}

TEST_F(CliTest, TheReleaseBuildRefusesTheTestClockAndAppendsNothing) {
  ASSERT_NO_FATAL_FAILURE(Init());
  LedgerHead before = VerifiedHead();
  ::setenv("QLEDGER_TEST_NOW", "2099-01-01T12:00:00Z", 1);
  RunResult r = AppendLines({Callback("t-storage-callback", "storage", "2026Q3", "0.50")});
  ::unsetenv("QLEDGER_TEST_NOW");
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "QLEDGER_TEST_NOW is set, but it is a test hook")) << r.err;
  EXPECT_EQ(VerifiedHead(), before);
}

TEST_F(CliTest, TheReleaseBuildRefusesTheWriteMarkersHook) {
  ASSERT_NO_FATAL_FAILURE(Init());
  ::setenv("QLEDGER_TEST_MARKERS", tmp_.path().c_str(), 1);
  RunResult r = Q("verify");
  ::unsetenv("QLEDGER_TEST_MARKERS");
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "QLEDGER_TEST_MARKERS is set, but it is a test hook")) << r.err;
}

TEST_F(CliTest, AsOfAnEarlierHeadReproducesTheScoresCapturedThen) {
  ASSERT_NO_FATAL_FAILURE(Init());
  // Fixed recorded_at times (QLEDGER_TEST_NOW), in the future of init's real
  // clock: the store never lets recorded_at go backwards.
  binary_ = qledger::testing::kQledgerTestHooksBinary;
  ::setenv("QLEDGER_TEST_NOW", "2099-01-01T12:00:00Z", 1);
  RunResult demo = Q("append", {SourcePath("config/demo/events.jsonl")});
  ::unsetenv("QLEDGER_TEST_NOW");
  ASSERT_EQ(demo.exit_code, kOk) << demo.Describe();
  RunResult before = Q("scores", {"--quarter", "2026Q3"});
  ASSERT_EQ(before.exit_code, kOk) << before.Describe();

  // A callback finding of 0.50 for storage: 96.28 − 0.50 = 95.78, reward
  // (95.78 − 95) × 2000 = 1560.00.
  ::setenv("QLEDGER_TEST_NOW", "2099-01-02T09:00:00Z", 1);
  RunResult r = AppendLines({Callback("t-storage-callback", "storage", "2026Q3", "0.50")});
  ::unsetenv("QLEDGER_TEST_NOW");
  binary_ = QLEDGER_BINARY;
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  json::object now = Dept(ScoresJson("2026Q3"), "storage");
  EXPECT_EQ(now.at("total").as_string(), "95.78");
  EXPECT_EQ(now.at("amount").as_string(), "1560.00");
  EXPECT_EQ(now.at("as_of_seq").as_int64(), 311);

  RunResult by_seq = Q("scores", {"--quarter", "2026Q3", "--as-of", "310"});
  ASSERT_EQ(by_seq.exit_code, kOk) << by_seq.Describe();
  EXPECT_EQ(by_seq.out, before.out);
  RunResult by_time = Q("scores", {"--quarter", "2026Q3", "--as-of", "2099-01-01"});
  ASSERT_EQ(by_time.exit_code, kOk) << by_time.Describe();
  EXPECT_EQ(by_time.out, before.out);
}

TEST_F(CliTest, WithoutAnEventChangesTheFigureAndSaysHypothetical) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  LedgerHead head = VerifiedHead();
  // metrology 2026Q3: weighted 96.30 + committee adjustment 1.00 = 97.30.
  // Without the adjustment: 96.30, reward (96.30 − 95) × 2000 = 2600.00.
  RunResult r = Q("replay", {"--quarter", "2026Q3", "--department", "metrology", "--without",
                             "2026Q3-metrology-adjust-01", "--format", "json"});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  json::object d = json::parse(r.out).as_object();
  EXPECT_TRUE(d.at("hypothetical").as_bool());
  EXPECT_EQ(d.at("without").as_array().size(), 1u);
  EXPECT_EQ(d.at("score").at("total").as_string(), "96.30");
  EXPECT_EQ(d.at("score").at("amount").as_string(), "2600.00");

  RunResult text = Q("replay", {"--quarter", "2026Q3", "--department", "metrology", "--without",
                                "2026Q3-metrology-adjust-01"});
  ASSERT_EQ(text.exit_code, kOk) << text.Describe();
  EXPECT_TRUE(Contains(text.out, "HYPOTHETICAL")) << text.out;
  RunResult table = Q("scores", {"--quarter", "2026Q3", "--format", "table", "--without", "2026Q3-metrology-adjust-01"});
  ASSERT_EQ(table.exit_code, kOk) << table.Describe();
  EXPECT_TRUE(Contains(table.out, "HYPOTHETICAL")) << table.out;

  EXPECT_EQ(Dept(ScoresJson("2026Q3"), "metrology").at("total").as_string(), "97.30");
  EXPECT_EQ(VerifiedHead(), head) << "a what-if must not write";

  RunResult unknown = Q("replay", {"--quarter", "2026Q3", "--department", "metrology", "--without", "no-such-id"});
  EXPECT_EQ(unknown.exit_code, kNotFound) << unknown.Describe();
  EXPECT_TRUE(Contains(unknown.err, "no-such-id")) << unknown.Describe();
}

// ---- Export, verify, tampering ----

TEST_F(CliTest, ExportVerifiesWithTheIndependentPythonVerifierAtTheSameHead) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  LedgerHead head = VerifiedHead();
  RunResult exported = Q("export");
  ASSERT_EQ(exported.exit_code, kOk) << exported.Describe();
  RunResult py = qledger::testing::RunProgram("/usr/bin/python3", {SourcePath("tools/verify_export.py")}, exported.out);
  ASSERT_EQ(py.exit_code, 0) << py.Describe();
  EXPECT_TRUE(Contains(py.out, "ok: 310 events")) << py.out;
  EXPECT_TRUE(Contains(py.out, "head seq 310 hash " + head.hash)) << py.out << " vs " << head.hash;
}

TEST_F(CliTest, VerifyAfterTamperingExitsEightNamingTheEvent) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  // seq 2 is the demo's first line, "2025-10-bidding-selfcheck".
  qledger::testing::TamperScoreDigit(dir_, 2);
  RunResult r = Q("verify");
  EXPECT_EQ(r.exit_code, kVerifyFailed) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "FAILED at event 2")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "2025-10-bidding-selfcheck")) << r.Describe();

  // The independent verifier agrees on the export of the tampered ledger.
  RunResult exported = Q("export");
  ASSERT_EQ(exported.exit_code, kOk) << exported.Describe();
  RunResult py = qledger::testing::RunProgram("/usr/bin/python3", {SourcePath("tools/verify_export.py")}, exported.out);
  EXPECT_EQ(py.exit_code, 1) << py.Describe();
  EXPECT_TRUE(Contains(py.out + py.err, "seq 2")) << py.Describe();
}

TEST_F(CliTest, VerifyAfterDeletingAnEventExitsEightNamingTheGap) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  qledger::testing::DeleteStoredEvent(dir_, 150);
  RunResult r = Q("verify");
  EXPECT_EQ(r.exit_code, kVerifyFailed) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "FAILED at event 150")) << r.Describe();
}

// ---- Rejections of SPEC §4 through `qledger append` ----

TEST_F(CliTest, AppendRejectsMalformedJson) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine, R"({"id": "t-bad", "type": "survey.responded",)"}, "line 2", {"malformed JSON"});
}

TEST_F(CliTest, AppendRejectsAnUnknownType) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "selfcheck.reportd", "department": "storage", "period": "2026-12", "occurred_at": "2026-12-20", "actor": "a", "data": {"score": "90"}})"},
                 "line 2", {"t-bad", "type: \"selfcheck.reportd\" is not a known event type"});
}

TEST_F(CliTest, AppendRejectsEachMissingRequiredField) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  struct Case {
    std::string line, field;
  };
  const std::vector<Case> cases = {
      {R"({"type": "selfcheck.reported", "department": "storage", "period": "2026-12", "occurred_at": "2026-12-20", "actor": "a", "data": {"score": "90"}})",
       "id: is required"},
      {R"({"id": "t-bad", "type": "selfcheck.reported", "department": "storage", "period": "2026-12", "actor": "a", "data": {"score": "90"}})",
       "occurred_at: is required"},
      {R"({"id": "t-bad", "type": "selfcheck.reported", "department": "storage", "period": "2026-12", "occurred_at": "2026-12-20", "data": {"score": "90"}})",
       "actor: is required"},
      {R"({"id": "t-bad", "type": "selfcheck.reported", "department": "storage", "period": "2026-12", "occurred_at": "2026-12-20", "actor": "a", "data": {}})",
       "data.score: is required"},
      {R"({"id": "t-bad", "type": "selfcheck.reported", "period": "2026-12", "occurred_at": "2026-12-20", "actor": "a", "data": {"score": "90"}})",
       "department: is required"},
      {R"({"id": "t-bad", "type": "spotcheck.recorded", "department": "storage", "period": "2026-12", "occurred_at": "2026-12-20", "actor": "a", "data": {"score": "90"}})",
       "data.inspector: is required"},
      {R"({"id": "t-bad", "type": "survey.responded", "department": "storage", "period": "2026Q4", "occurred_at": "2026-12-20", "actor": "a", "data": {"score": "90"}})",
       "data.respondent: is required"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.field);
    ExpectRejected({kGoodLine, c.line}, "line 2", {c.field});
  }
}

TEST_F(CliTest, AppendRejectsAnUnknownDataFieldSoATypoNeverPasses) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "selfcheck.reported", "department": "storage", "period": "2026-12", "occurred_at": "2026-12-20", "actor": "a", "data": {"score": "90", "scroe": "91"}})"},
                 "line 2", {"data.scroe: is not a known field"});
}

TEST_F(CliTest, AppendRejectsAnUnknownDepartment) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine, SelfCheck("t-bad", "warehouse", "2026-12", "\"90\"")}, "line 2",
                 {"department: \"warehouse\" is not a department"});
}

TEST_F(CliTest, AppendRejectsMalformedPeriodsAndDates) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  // A month where the type takes a quarter.
  ExpectRejected({kGoodLine, Survey("t-bad", "storage", "2026-12")}, "line 2",
                 {"period: \"2026-12\" is not a quarter"});
  ExpectRejected({kGoodLine, SelfCheck("t-bad", "storage", "2026-13", "\"90\"")}, "line 2",
                 {"period: \"2026-13\" is not a month"});
  ExpectRejected({kGoodLine, SelfCheck("t-bad", "storage", "2026Q4", "\"90\"")}, "line 2",
                 {"period: \"2026Q4\" is not a month"});
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "selfcheck.reported", "department": "storage", "period": "2026-12", "occurred_at": "2026-02-30", "actor": "a", "data": {"score": "90"}})"},
                 "line 2", {"occurred_at: \"2026-02-30\" is not a date"});
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "complaint.recorded", "department": "storage", "period": "2026Q4", "occurred_at": "2026-12-20", "actor": "a", "data": {"received_at": "yesterday", "channel": "电话", "summary": "s"}})"},
                 "line 2", {"data.received_at: \"yesterday\" is not a date-time"});
}

TEST_F(CliTest, AppendRejectsScoresOutsideZeroToHundredOrWithThreeDecimals) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine, SelfCheck("t-bad", "storage", "2026-12", "\"100.01\"")}, "line 2",
                 {"data.score: 100.01 is above 100"});
  ExpectRejected({kGoodLine, SelfCheck("t-bad", "storage", "2026-12", "-1")}, "line 2",
                 {"data.score: -1.00 is below 0"});
  ExpectRejected({kGoodLine, SelfCheck("t-bad", "storage", "2026-12", "\"96.505\"")}, "line 2",
                 {"data.score: 96.505 has more than two decimals"});
  ExpectRejected({kGoodLine, SelfCheck("t-bad", "storage", "2026-12", "96.505")}, "line 2",
                 {"data.score", "more than two decimals"});
  // The bounds themselves are scores.
  AppendOk({SelfCheck("t-zero", "storage", "2026-12", "0"), SelfCheck("t-hundred", "orders", "2026-12", "\"100.00\"")});
}

TEST_F(CliTest, AppendAcceptsCallbackPointsFromHalfToOneOnly) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine, Callback("t-bad", "storage", "2026Q4", "0.49")}, "line 2",
                 {"data.points: 0.49 is outside 0.50–1.00"});
  ExpectRejected({kGoodLine, Callback("t-bad", "storage", "2026Q4", "1.01")}, "line 2",
                 {"data.points: 1.01 is outside 0.50–1.00"});
  LedgerHead before = VerifiedHead();
  AppendOk({Callback("t-half", "storage", "2026Q4", "0.50"), Callback("t-one", "storage", "2026Q4", "1.00")});
  EXPECT_EQ(VerifiedHead().seq, before.seq + 2);
}

TEST_F(CliTest, AppendRejectsASecondSelfCheckOrSpotCheckForTheSameMonthUntilTheFirstIsVoided) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  // The demo holds 2026-10-storage-selfcheck.
  ExpectRejected({kGoodLine, SelfCheck("t-second", "storage", "2026-10", "\"90\"")}, "line 2",
                 {"period: storage already has a selfcheck.reported for 2026-10", "2026-10-storage-selfcheck"});
  // Within one batch too, for spot checks.
  ExpectRejected({kGoodLine, SpotCheck("t-spot-1", "storage", "2026-12"), SpotCheck("t-spot-2", "storage", "2026-12")},
                 "line 3", {"already has a spotcheck.recorded for 2026-12", "t-spot-1"});
  // Void the first: a corrected one is accepted.
  AppendOk({Void("t-void-oct", "2026-10-storage-selfcheck"), SelfCheck("t-second", "storage", "2026-10", "\"90\"")});
  AppendOk({SpotCheck("t-spot-1", "storage", "2026-12")});
  ExpectRejected({kGoodLine, SpotCheck("t-spot-2", "storage", "2026-12")}, "line 2",
                 {"already has a spotcheck.recorded for 2026-12"});
  AppendOk({Void("t-void-spot", "t-spot-1"), SpotCheck("t-spot-2", "storage", "2026-12")});
}

TEST_F(CliTest, AppendRejectsRulingsHandlingAndVoidsPointingAtUnknownOrWrongKindEvents) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "survey.ruled", "department": "storage", "period": "2026Q3", "occurred_at": "2026-12-20", "actor": "a", "data": {"response": "no-such-response", "outcome": "upheld", "ruling": "r"}})"},
                 "line 2", {"data.response: no event \"no-such-response\""});
  // A survey ruling pointing at a self-check.
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "survey.ruled", "department": "storage", "period": "2026Q3", "occurred_at": "2026-12-20", "actor": "a", "data": {"response": "2026-07-storage-selfcheck", "outcome": "upheld", "ruling": "r"}})"},
                 "line 2", {"data.response: event \"2026-07-storage-selfcheck\" is a selfcheck.reported, not a survey.responded"});
  // Complaint handling pointing at a survey response.
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "complaint.handled", "department": "storage", "period": "2026Q3", "occurred_at": "2026-12-20", "actor": "a", "data": {"complaint": "2026Q3-storage-survey-01", "stage": "acknowledged", "at": "2026-12-20T10:00:00+08:00"}})"},
                 "line 2", {"data.complaint: event \"2026Q3-storage-survey-01\" is a survey.responded, not a complaint.recorded"});
  ExpectRejected({kGoodLine,
                  R"({"id": "t-bad", "type": "complaint.ruled", "department": "storage", "period": "2026Q3", "occurred_at": "2026-12-20", "actor": "a", "data": {"complaint": "nope", "valid": false, "reason": "r", "ruling": "r"}})"},
                 "line 2", {"data.complaint: no event \"nope\""});
  ExpectRejected({kGoodLine, Void("t-bad", "no-such-event")}, "line 2", {"data.target: no event \"no-such-event\""});
  ExpectRejected({kGoodLine, Void("t-bad", "2026Q2-reopened")}, "line 2",
                 {"data.target: a quarter.reopened cannot be voided"});
}

TEST_F(CliTest, AppendRejectsVoidingTwice) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  // The demo voids 2026-08-storage-selfcheck already.
  ExpectRejected({kGoodLine, Void("t-bad", "2026-08-storage-selfcheck")}, "line 2",
                 {"data.target: event \"2026-08-storage-selfcheck\" is already voided"});
  // And twice within one batch.
  ExpectRejected({kGoodLine, Void("t-void-a", "2026-07-storage-selfcheck"), Void("t-void-b", "2026-07-storage-selfcheck")},
                 "line 3", {"is already voided"});
}

TEST_F(CliTest, AppendRejectsFactsForAnApprovedQuarterUntilItIsReopened) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  ExpectRejected({kGoodLine, Survey("t-late", "storage", "2025Q4")}, "line 2",
                 {"period: quarter 2025Q4 is approved"});
  ExpectRejected({kGoodLine, SelfCheck("t-late-self", "storage", "2026-02", "\"90\"")}, "line 2",
                 {"quarter 2026Q1 is approved"});
  AppendOk({R"({"id": "t-reopen", "type": "quarter.reopened", "period": "2025Q4", "occurred_at": "2026-12-20", "actor": "秘书", "data": {"reason": "复核", "by": "质量管理委员会"}})",
            Survey("t-late", "storage", "2025Q4")});
  EXPECT_EQ(Dept(ScoresJson("2025Q4"), "storage").at("status").as_string(), "reopened");
}

TEST_F(CliTest, AppendRejectsAnIdReusedWithOtherContentNamingTheId) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  // 2026-12 is new for storage, so only the id clash can reject it.
  ExpectRejected({kGoodLine, SelfCheck("2026-07-storage-selfcheck", "storage", "2026-12", "\"90\"")}, "line 2",
                 {"id: \"2026-07-storage-selfcheck\" is already in the ledger", "with other content"});
}

// Every file of the ledger directory with its size and bytes.
std::map<std::string, std::string> DirectoryContents(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    out[e.path().filename().string()] = qledger::testing::ReadFile(e.path().string());
  }
  return out;
}

TEST_F(CliTest, DryRunsAndBatchesOfDuplicatesWriteNothingToTheLedgerDirectory) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  auto before = DirectoryContents(dir_);
  for (int i = 0; i < 5; ++i) {
    RunResult dry = Q("append", {"--dry-run", SourcePath("config/demo/events.jsonl")});
    ASSERT_EQ(dry.exit_code, kOk) << dry.Describe();
    RunResult again = Q("append", {SourcePath("config/demo/events.jsonl")});
    ASSERT_EQ(again.exit_code, kOk) << again.Describe();
    EXPECT_TRUE(Contains(again.out, "\"appended\":0,\"duplicates\":309")) << again.out;
    RunResult import_dry = Q("import", {"--kind", "survey", "--dry-run", SourcePath("config/demo/import/survey.csv")});
    ASSERT_EQ(import_dry.exit_code, kOk) << import_dry.Describe();
  }
  EXPECT_EQ(DirectoryContents(dir_), before) << "a dry run or a batch of duplicates wrote to the ledger directory";
}

TEST_F(CliTest, DryRunReportsEveryErrorOfABatchAndAppendsNothing) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  LedgerHead before = VerifiedHead();
  RunResult r = AppendLines({SelfCheck("t-a", "storage", "2026-12", "\"101\""), kGoodLine,
                             SelfCheck("t-b", "warehouse", "2026-12", "\"90\""), "{not json"},
                            {"--dry-run"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 1: event \"t-a\": data.score: 101.00 is above 100")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 3: event \"t-b\": department: \"warehouse\"")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 4: malformed JSON")) << r.Describe();
  EXPECT_FALSE(Contains(r.err, "line 2:")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "3 errors in 4 events")) << r.Describe();
  EXPECT_EQ(VerifiedHead(), before);

  RunResult ok = AppendLines({kGoodLine, SelfCheck("t-c", "storage", "2026-12", "\"90\"")}, {"--dry-run"});
  EXPECT_EQ(ok.exit_code, kOk) << ok.Describe();
  json::object o = json::parse(ok.out).as_object();
  EXPECT_EQ(o.at("would_append").as_int64(), 2);
  EXPECT_EQ(o.at("appended").as_int64(), 0);
  EXPECT_TRUE(o.at("dry_run").as_bool());
  EXPECT_EQ(o.at("head_seq").as_int64(), before.seq);
  EXPECT_EQ(VerifiedHead(), before);
}

// "report every error" within one event too: an event that fails its schema
// (a score, an unknown data field) is still held to the policy — its
// department, its callback points, its quarter's approval — and both are
// told; a department that itself failed is told once.
TEST_F(CliTest, DryRunReportsThePolicysErrorsBesideTheSchemasInOneEvent) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  LedgerHead before = VerifiedHead();
  std::string callback = Callback("t-cb", "storage", "2026Q4", "1.5");
  callback.replace(callback.find("\"reason\""), 0, "\"typo\": 1, ");
  RunResult r = AppendLines({SelfCheck("t-a", "warehouse", "2026-12", "\"101.001\""), callback,
                             Survey("t-q1", "storage", "2026Q1").replace(0, 1, "{\"extra\": 1, ")},
                            {"--dry-run"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 1: event \"t-a\": data.score: 101.001 has more than two decimals")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 1: event \"t-a\": department: \"warehouse\" is not a department")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 2: event \"t-cb\": data.typo: is not a known field")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 2: event \"t-cb\": data.points: 1.50 is outside 0.50–1.00")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 3: event \"t-q1\": extra: is not a known field")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "line 3: event \"t-q1\": period: quarter 2026Q1 is approved")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "6 errors in 3 events")) << r.Describe();
  EXPECT_EQ(VerifiedHead(), before);
  // A department that is itself malformed is told once, not again by the policy.
  RunResult once = AppendLines({SelfCheck("t-b", "", "2026-12", "\"101.001\"")}, {"--dry-run"});
  EXPECT_EQ(once.exit_code, kInvalidInput) << once.Describe();
  EXPECT_FALSE(Contains(once.err, "is not a department")) << once.Describe();
}

TEST_F(CliTest, ExpectHeadThatIsStaleExitsSixAndAppendsNothing) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  LedgerHead before = VerifiedHead();
  ASSERT_EQ(before.seq, 310);
  RunResult r = AppendLines({kGoodLine}, {"--expect-head", "309"});
  EXPECT_EQ(r.exit_code, kStaleHead) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "head is seq 310, not the expected 309")) << r.Describe();
  EXPECT_EQ(VerifiedHead(), before);

  RunResult ok = AppendLines({kGoodLine}, {"--expect-head", "310"});
  EXPECT_EQ(ok.exit_code, kOk) << ok.Describe();
  EXPECT_EQ(VerifiedHead().seq, 311);
}

TEST_F(CliTest, TheSameBatchAppendedTwiceIsCountedAsDuplicatesTheSecondTime) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  std::vector<std::string> batch = {kGoodLine, SelfCheck("t-c", "storage", "2026-12", "\"96.50\"")};
  RunResult first = AppendLines(batch);
  ASSERT_EQ(first.exit_code, kOk) << first.Describe();
  json::object a = json::parse(first.out).as_object();
  EXPECT_EQ(a.at("appended").as_int64(), 2);
  EXPECT_EQ(a.at("duplicates").as_int64(), 0);
  EXPECT_EQ(a.at("head_seq").as_int64(), 312);

  // The retry writes the score as the number 96.5: the same after normalising.
  RunResult second = AppendLines({kGoodLine, SelfCheck("t-c", "storage", "2026-12", "96.5")});
  ASSERT_EQ(second.exit_code, kOk) << second.Describe();
  json::object b = json::parse(second.out).as_object();
  EXPECT_EQ(b.at("appended").as_int64(), 0);
  EXPECT_EQ(b.at("duplicates").as_int64(), 2);
  EXPECT_EQ(b.at("head_seq").as_int64(), 312);
  EXPECT_EQ(b.at("head_hash"), a.at("head_hash"));
}

// SPEC §1: "People type quarters as 2026Q3, 2026q3, 2026-Q3 or 2026年第3季度
// and departments by code or Chinese name; every input accepts each." An
// appended event typed either way is stored with the department's code and
// the quarter as YYYYQn, and the same fact typed the canonical way is a
// duplicate of it, not another fact.
TEST_F(CliTest, AppendStoresDepartmentsTypedByNameAndQuartersAsPeopleTypeThemInCanonicalForm) {
  ASSERT_NO_FATAL_FAILURE(Init());
  AppendOk({Survey("t-name", "储运中心", "2026q3"), Survey("t-upper", "WUHAN", "2026年第3季度"),
            Survey("t-dash", "市场经营部", "2026-Q3"), SelfCheck("t-month", "物流业务部", "2026-12", "\"90\"")});
  RunResult exported = Q("export");
  ASSERT_EQ(exported.exit_code, kOk) << exported.Describe();
  std::map<std::string, std::pair<std::string, std::string>> stored;  // id -> department, period
  std::istringstream lines(exported.out);
  for (std::string line; std::getline(lines, line);) {
    json::object e = json::parse(line).as_object();
    if (e.contains("department")) {
      stored[std::string(e.at("id").as_string())] = {std::string(e.at("department").as_string()),
                                                     std::string(e.at("period").as_string())};
    }
  }
  EXPECT_EQ(stored["t-name"], (std::pair<std::string, std::string>{"storage", "2026Q3"}));
  EXPECT_EQ(stored["t-upper"], (std::pair<std::string, std::string>{"wuhan", "2026Q3"}));
  EXPECT_EQ(stored["t-dash"], (std::pair<std::string, std::string>{"marketing", "2026Q3"}));
  EXPECT_EQ(stored["t-month"], (std::pair<std::string, std::string>{"logistics", "2026-12"}));
  RunResult again = AppendLines({Survey("t-name", "storage", "2026Q3"), Survey("t-upper", "武汉业务部", "2026Q3")});
  ASSERT_EQ(again.exit_code, kOk) << again.Describe();
  json::object out = json::parse(again.out).as_object();
  EXPECT_EQ(out.at("appended").as_int64(), 0);
  EXPECT_EQ(out.at("duplicates").as_int64(), 2);
  // A name no department has is still refused, naming the field.
  ExpectRejected({Survey("t-bad", "仓库", "2026q3")}, "line 1", {"department: \"仓库\" is not a department"});
}

// SPEC §1: a quarter in which nothing was recorded is not assessed, never
// a table of zeros. Approving one would publish zeros, a grade of
// unqualified and a penalty for every department: the approval is refused,
// and the quarter stays not found.
TEST_F(CliTest, AnApprovalOfAQuarterWithNothingRecordedIsRefusedAndTheQuarterStaysNotAssessed) {
  ASSERT_NO_FATAL_FAILURE(Init());
  auto approve = [](const std::string& id, const std::string& quarter) {
    return R"({"id": ")" + id + R"(", "type": "quarter.approved", "period": ")" + quarter +
           R"(", "occurred_at": "2026-12-22", "actor": "质量委员会", "data": {"approved_by": "质量委员会", "meeting_date": "2027-04-10"}})";
  };
  ExpectRejected({approve("t-approve-empty", "2027Q1")}, "line 1",
                 {"period: nothing was recorded for quarter 2027Q1", "nothing to approve"});
  RunResult scores = Q("scores", {"--quarter", "2027Q1"});
  EXPECT_EQ(scores.exit_code, kNotFound) << scores.Describe();
  RunResult ledger = Q("ledger", {"--year", "2027", "--format", "json"});
  EXPECT_FALSE(Contains(ledger.out, "-5000.00")) << ledger.Describe();
  // With a fact recorded first, in the same batch, it is approved.
  AppendOk({Survey("t-q1-survey", "storage", "2027Q1"), approve("t-approve", "2027Q1")});
  scores = Q("scores", {"--quarter", "2027Q1", "--format", "json"});
  EXPECT_EQ(scores.exit_code, kOk) << scores.Describe();
  EXPECT_TRUE(Contains(scores.out, "\"status\":\"approved\"")) << scores.out;
}

// SPEC §2: recorded expenses are tracked against the year's quota and
// going over is flagged — also in a year none of whose quarters is scored
// yet (the quota of the policy in force for the year).
TEST_F(CliTest, TheLedgerTracksTheQuotaOfAYearWithExpensesButNoScoredQuarter) {
  ASSERT_NO_FATAL_FAILURE(Init());
  AppendOk({R"({"id": "t-exp-2027", "type": "budget.expense", "period": "2027", "occurred_at": "2026-12-01", )"
            R"("actor": "工作组", "data": {"amount": "31000", "purpose": "会务"}})"});
  RunResult r = Q("ledger", {"--year", "2027", "--format", "json"});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  json::object quota = json::parse(r.out).as_object().at("quota").as_object();
  EXPECT_EQ(quota.at("annual_quota").as_string(), "30000.00");
  EXPECT_EQ(quota.at("expenses").as_string(), "31000.00");
  EXPECT_EQ(quota.at("remaining").as_string(), "-1000.00");
  EXPECT_TRUE(quota.at("over_quota").as_bool());
}

TEST_F(CliTest, AppendReadsStandardInput) {
  ASSERT_NO_FATAL_FAILURE(Init());
  RunResult r = Q("append", {"-"}, JoinLines({SelfCheck("t-stdin", "storage", "2026-12", "\"90\"")}));
  EXPECT_EQ(r.exit_code, kOk) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "\"head_seq\":2")) << r.out;
}

// ---- Other command errors ----

TEST_F(CliTest, InitOnAnExistingLedgerExitsFiveAndLeavesItAlone) {
  ASSERT_NO_FATAL_FAILURE(Init());
  LedgerHead before = VerifiedHead();
  RunResult r = Q("init", {"--policy", SourcePath("config/policy.json")});
  EXPECT_EQ(r.exit_code, kConflict) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "already exists")) << r.Describe();
  EXPECT_EQ(VerifiedHead(), before);
}

TEST_F(CliTest, CommandsOnAMissingLedgerExitFourNamingTheDirectory) {
  const std::vector<std::vector<std::string>> commands = {
      {"scores", "--quarter", "2026Q3"},
      {"replay", "--quarter", "2026Q3", "--department", "storage"},
      {"log"},
      {"export"},
      {"verify"},
      {"quarters"},
      {"append", SourcePath("config/demo/events.jsonl")},
  };
  for (const auto& c : commands) {
    SCOPED_TRACE(c[0]);
    RunResult r = Q(c[0], std::vector<std::string>(c.begin() + 1, c.end()));
    EXPECT_EQ(r.exit_code, kNotFound) << r.Describe();
    EXPECT_TRUE(Contains(r.err, dir_)) << r.Describe();
  }
  EXPECT_FALSE(std::filesystem::exists(dir_)) << "a read must not create a ledger";
}

TEST_F(CliTest, OnlyAMissingOrEmptyDirectoryGetsTheHintToCreateALedger) {
  RunResult missing = Q("verify");
  EXPECT_EQ(missing.exit_code, kNotFound) << missing.Describe();
  EXPECT_TRUE(Contains(missing.err, "create one with: qledger init")) << missing.err;
  std::filesystem::create_directories(dir_);
  RunResult empty = Q("verify");
  EXPECT_EQ(empty.exit_code, kNotFound) << empty.Describe();
  EXPECT_TRUE(Contains(empty.err, "create one with: qledger init")) << empty.err;
  WriteFile(dir_ + "/notes.txt", "not a ledger");
  RunResult other = Q("verify");
  EXPECT_EQ(other.exit_code, kNotFound) << other.Describe();
  EXPECT_TRUE(Contains(other.err, "a directory of other files")) << other.err;
  EXPECT_FALSE(Contains(other.err, "create one")) << other.err;
  // A file where the directory should be: named as such, and init leaves it.
  std::string file = tmp_.Sub("a-file");
  WriteFile(file, "kept");
  RunResult not_dir = RunQledger({"--data", file, "verify"});
  EXPECT_EQ(not_dir.exit_code, kNotFound) << not_dir.Describe();
  EXPECT_TRUE(Contains(not_dir.err, "it is a file, not a directory")) << not_dir.err;
  RunResult init = RunQledger({"--data", file, "init", "--policy", SourcePath("config/policy.json")});
  EXPECT_EQ(init.exit_code, kConflict) << init.Describe();
  EXPECT_TRUE(Contains(init.err, "is a file, not a directory")) << init.err;
  EXPECT_EQ(qledger::testing::ReadFile(file), "kept");
}

TEST_F(CliTest, InitRefusesADirectoryThatHoldsAnythingAndLeavesItAsItWas) {
  std::filesystem::create_directories(dir_);
  WriteFile(dir_ + "/000013.sst", "table bytes of a ledger that lost its CURRENT");
  WriteFile(dir_ + "/notes.txt", "kept");
  RunResult r = Q("init", {"--policy", SourcePath("config/policy.json")});
  EXPECT_EQ(r.exit_code, kConflict) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "is not empty (2 entries)")) << r.err;
  EXPECT_TRUE(Contains(r.err, "docs/recovery.md")) << r.err;
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"000013.sst", "notes.txt"}));
  EXPECT_EQ(qledger::testing::ReadFile(dir_ + "/000013.sst"), "table bytes of a ledger that lost its CURRENT");
}

TEST_F(CliTest, InitInAnEmptyDirectoryCreatesTheLedgerAndItsAcknowledgedHead) {
  std::filesystem::create_directories(dir_);
  ASSERT_NO_FATAL_FAILURE(Init());
  std::string acked = qledger::testing::ReadFile(dir_ + "/QLEDGER-HEAD");
  EXPECT_TRUE(acked.starts_with("qledger-acked-head v1 seq=1 hash=" + VerifiedHead().hash + " check=")) << acked;
}

TEST_F(CliTest, InitOfANewDirectoryCreatesItAndPrintsNoErrors) {
  dir_ += "/nested/ledger";  // neither exists yet
  RunResult r = Q("init", {"--policy", SourcePath("config/policy.json")});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(VerifiedHead().seq, 1);
}

TEST_F(CliTest, BadQuarterExitsThree) {
  ASSERT_NO_FATAL_FAILURE(Init());
  for (const char* q : {"2026Q5", "2026-07", "Q3"}) {
    RunResult r = Q("scores", {"--quarter", q});
    EXPECT_EQ(r.exit_code, kInvalidInput) << r.Describe();
    EXPECT_TRUE(Contains(r.err, std::string("\"") + q + "\" is not a quarter")) << r.Describe();
  }
}

TEST_F(CliTest, ReplayOfAnUnknownDepartmentExitsFour) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  RunResult r = Q("replay", {"--quarter", "2026Q3", "--department", "warehouse"});
  EXPECT_EQ(r.exit_code, kNotFound) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "\"warehouse\"")) << r.Describe();
}

TEST_F(CliTest, AsOfBeyondTheHeadExitsThree) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  RunResult r = Q("scores", {"--quarter", "2026Q3", "--as-of", "311"});
  EXPECT_EQ(r.exit_code, kInvalidInput) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "seq 311 is beyond the ledger head (seq 310)")) << r.Describe();
  RunResult replay = Q("replay", {"--quarter", "2026Q3", "--department", "storage", "--as-of", "999"});
  EXPECT_EQ(replay.exit_code, kInvalidInput) << replay.Describe();
  RunResult before_first = Q("scores", {"--quarter", "2026Q3", "--as-of", "2000-01-01"});
  EXPECT_EQ(before_first.exit_code, kInvalidInput) << before_first.Describe();
}

}  // namespace
}  // namespace qledger::cli

namespace qledger::cli {
namespace {

// SPEC §1: a quarter in which nothing was recorded is not assessed — never a
// table of zeros (28.57, 不合格, −5000.00 for every department).
TEST_F(CliTest, AQuarterWithNothingRecordedIsNotAssessedAndTheQuartersThatExistAreNamed) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  const std::string known = "(quarters with events: 2025Q4, 2026Q1, 2026Q2, 2026Q3, 2026Q4)";
  for (std::vector<std::string> args : {std::vector<std::string>{"scores", "--quarter", "2099Q1"},
                                        {"report", "--quarter", "2099Q1", "--format", "json"},
                                        {"replay", "--quarter", "2099Q1", "--department", "storage"},
                                        {"diff", "--quarter", "2099Q1", "--department", "storage", "--from", "1"}}) {
    std::string cmd = args[0];
    args.erase(args.begin());
    RunResult r = Q(cmd, args);
    EXPECT_EQ(r.exit_code, kNotFound) << r.Describe();
    EXPECT_EQ(r.out, "") << cmd;
    EXPECT_TRUE(Contains(r.err, "quarter 2099Q1 is not assessed: nothing was recorded for it " + known)) << r.err;
  }
  // Nor as of a point before the quarter's first event (2026Q3: seq 216).
  RunResult early = Q("scores", {"--quarter", "2026Q3", "--as-of", "215"});
  EXPECT_EQ(early.exit_code, kNotFound) << early.Describe();
  EXPECT_TRUE(Contains(early.err, "2026Q3 is not assessed as of seq 215: nothing was recorded for it by then (its "
                                  "first event is seq 216)")) << early.err;
  EXPECT_EQ(Q("scores", {"--quarter", "2026Q3", "--as-of", "216"}).exit_code, kOk);
}

TEST_F(CliTest, TheFirstQuartersReportHasNoPreviousQuarterAndADerivationNoTotalBeforeItsFirstFact) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  RunResult r = Q("report", {"--quarter", "2025Q4", "--format", "json"});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  json::value report = json::parse(r.out);
  for (const auto& s : report.at("scores").as_array()) {
    EXPECT_TRUE(s.at("previous_total").is_null()) << s;
    EXPECT_TRUE(s.at("change").is_null()) << s;
  }
  RunResult md = Q("report", {"--quarter", "2025Q4", "--format", "md"});
  EXPECT_FALSE(Contains(md.out, "28.57")) << "no score of an empty quarter is shown";

  RunResult d = Q("replay", {"--quarter", "2026Q3", "--department", "storage", "--format", "json"});
  ASSERT_EQ(d.exit_code, kOk) << d.Describe();
  json::value derivation = json::parse(d.out);
  const json::array& steps = derivation.at("steps").as_array();
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[0].at("type"), "policy.adopted");
  for (const char* figure : {"selfcheck", "survey", "complaint", "weighted", "callback_deductions", "adjustments", "total"}) {
    EXPECT_TRUE(steps[0].at(figure).is_null()) << figure;
  }
  EXPECT_EQ(steps[1].at("type"), "selfcheck.reported");
  EXPECT_TRUE(steps[1].at("total").is_string());
  RunResult text = Q("replay", {"--quarter", "2026Q3", "--department", "storage"});
  EXPECT_TRUE(Contains(text.out, "（本季度该部门第一条记录之前，没有累计得分）")) << text.out;
  RunResult en = Q("replay", {"--lang", "en", "--quarter", "2026Q3", "--department", "storage"});
  EXPECT_TRUE(Contains(en.out, "(no running total before the department's first fact of the quarter)")) << en.out;
}

}  // namespace
}  // namespace qledger::cli

namespace qledger::cli {
namespace {

// SPEC §1: people type quarters and departments in several ways; every input
// accepts each, and answers as if the canonical one was typed.
TEST_F(CliTest, QuartersAndDepartmentsAreTakenAsAClerkTypesThem) {
  ASSERT_NO_FATAL_FAILURE(InitDemo());
  RunResult canonical = Q("scores", {"--quarter", "2026Q3"});
  ASSERT_EQ(canonical.exit_code, kOk) << canonical.Describe();
  for (const char* spelled : {"2026q3", "2026-Q3", "2026年第3季度", "2026年第三季度", " 2026Q3 "}) {
    RunResult r = Q("scores", {"--quarter", spelled});
    EXPECT_EQ(r.exit_code, kOk) << r.Describe();
    EXPECT_EQ(r.out, canonical.out) << spelled;
  }
  RunResult by_code = Q("replay", {"--quarter", "2026Q3", "--department", "storage", "--format", "json"});
  ASSERT_EQ(by_code.exit_code, kOk) << by_code.Describe();
  for (const char* spelled : {"储运中心", "Storage", "STORAGE"}) {
    RunResult r = Q("replay", {"--quarter", "2026年第3季度", "--department", spelled, "--format", "json"});
    EXPECT_EQ(r.exit_code, kOk) << r.Describe();
    EXPECT_EQ(r.out, by_code.out) << spelled;
  }
  RunResult ledger = Q("ledger", {"--year", "2026", "--department", "储运中心", "--format", "json"});
  ASSERT_EQ(ledger.exit_code, kOk) << ledger.Describe();
  EXPECT_EQ(json::parse(ledger.out).at("department"), "storage");
  RunResult log = Q("log", {"--department", "储运中心", "--quarter", "2026q3", "--format", "json"});
  ASSERT_EQ(log.exit_code, kOk) << log.Describe();
  EXPECT_TRUE(Contains(log.out, "\"department\":\"storage\"")) << log.out;
  EXPECT_FALSE(Contains(log.out, "\"department\":\"orders\"")) << log.out;

  RunResult unknown = Q("replay", {"--quarter", "2026Q3", "--department", "储运"});
  EXPECT_EQ(unknown.exit_code, kNotFound) << unknown.Describe();
  EXPECT_TRUE(Contains(unknown.err, "department: \"储运\" is not a department (code or name: marketing 市场经营部, "
                                    "logistics 物流业务部, wuhan 武汉业务部, orders 订单处理中心, storage 储运中心, "
                                    "bidding 招标分公司, metrology 计量检测中心)")) << unknown.err;
  for (const char* bad : {"2026Q5", "2026-07", "2026年第5季度", "Q3"}) {
    EXPECT_EQ(Q("scores", {"--quarter", bad}).exit_code, kInvalidInput) << bad;
  }
}

TEST_F(CliTest, AnUnknownCommandSuggestsTheNearestOne) {
  for (auto [typed, meant] : std::vector<std::pair<std::string, std::string>>{
           {"score", "scores"}, {"scroes", "scores"}, {"rplay", "replay"}, {"verfy", "verify"}, {"improt", "import"}}) {
    RunResult r = RunProgram(binary_, {"--data", dir_, typed, "--quarter", "2026Q3"});
    EXPECT_EQ(r.exit_code, 2) << r.Describe();
    EXPECT_EQ(r.err, "qledger: \"" + typed + "\" is not a command; did you mean \"" + meant +
                         "\"? (qledger --help lists them)\n");
  }
}

}  // namespace
}  // namespace qledger::cli

namespace qledger::cli {
namespace {

// SPEC §1: the ledger's time zone (the policy's time_zone, default
// Asia/Shanghai, UTC+8) reads every date-time written without an offset, and
// a date given as a point in history is the end of that day there.
TEST_F(CliTest, DatesAndZonelessTimesAreReadInTheLedgersTimeZone) {
  ASSERT_NO_FATAL_FAILURE(Init());
  binary_ = qledger::testing::kQledgerTestHooksBinary;
  ::setenv("QLEDGER_TEST_NOW", "2099-01-01T12:00:00Z", 1);  // 20:00 in Shanghai
  RunResult demo = Q("append", {SourcePath("config/demo/events.jsonl")});
  ::setenv("QLEDGER_TEST_NOW", "2099-01-01T17:00:00Z", 1);  // 2099-01-02 01:00 in Shanghai
  RunResult late = AppendLines({Callback("tz-callback", "storage", "2026Q3", "0.50")});
  ::unsetenv("QLEDGER_TEST_NOW");
  binary_ = QLEDGER_BINARY;
  ASSERT_EQ(demo.exit_code, kOk) << demo.Describe();
  ASSERT_EQ(late.exit_code, kOk) << late.Describe();
  RunResult before = Q("scores", {"--quarter", "2026Q3", "--as-of", "310"});
  RunResult after = Q("scores", {"--quarter", "2026Q3", "--as-of", "311"});
  ASSERT_NE(before.out, after.out);
  // 2099-01-01 ends at 15:59:59Z in Shanghai: the 17:00Z event is the next day.
  EXPECT_EQ(Q("scores", {"--quarter", "2026Q3", "--as-of", "2099-01-01"}).out, before.out);
  EXPECT_EQ(Q("scores", {"--quarter", "2026Q3", "--as-of", "2099-01-02"}).out, after.out);
  EXPECT_EQ(Q("scores", {"--quarter", "2026Q3", "--as-of", "2099-01-02T00:59"}).out, before.out);
  EXPECT_EQ(Q("scores", {"--quarter", "2026Q3", "--as-of", "2099-01-02T01:00"}).out, after.out);
  EXPECT_EQ(Q("scores", {"--quarter", "2026Q3", "--as-of", "2099-01-01T17:00:00Z"}).out, after.out);

  // A complaint received at 09:30 as a clerk types it (no offset) and
  // resolved at 11:30+08:00 took 2 hours, not −6.
  RunResult c = AppendLines({
      R"({"id": "tz-c1", "type": "complaint.recorded", "department": "orders", "period": "2026Q4", "occurred_at": "2026-12-03", "actor": "工作组", "data": {"received_at": "2026-12-03T09:30", "channel": "投诉电话", "summary": "s"}})",
      R"({"id": "tz-c1-done", "type": "complaint.handled", "department": "orders", "period": "2026Q4", "occurred_at": "2026-12-03", "actor": "工作组", "data": {"complaint": "tz-c1", "stage": "resolved", "at": "2026-12-03T11:30+08:00"}})"});
  ASSERT_EQ(c.exit_code, kOk) << c.Describe();
  json::value reg = json::parse(Q("complaints", {"--quarter", "2026Q4", "--format", "json"}).out);
  bool found = false;
  for (const auto& x : reg.at("complaints").as_array()) {
    if (x.at("id") != "tz-c1") continue;
    found = true;
    EXPECT_EQ(x.at("hours_to_resolve"), "2.00");
  }
  EXPECT_TRUE(found);

  // Handled before it was received: refused, naming the field; nothing appended.
  int64_t head = VerifiedHead().seq;
  RunResult early = AppendLines({
      R"({"id": "tz-c2", "type": "complaint.recorded", "department": "orders", "period": "2026Q4", "occurred_at": "2026-12-03", "actor": "工作组", "data": {"received_at": "2026-12-03T09:30", "channel": "投诉电话", "summary": "s"}})",
      R"({"id": "tz-c2-ack", "type": "complaint.handled", "department": "orders", "period": "2026Q4", "occurred_at": "2026-12-03", "actor": "工作组", "data": {"complaint": "tz-c2", "stage": "acknowledged", "at": "2026-12-03T09:00+08:00"}})"});
  EXPECT_EQ(early.exit_code, kInvalidInput) << early.Describe();
  EXPECT_TRUE(Contains(early.err, "event \"tz-c2-ack\": data.at: 2026-12-03T09:00+08:00 is before the complaint was "
                                  "received (2026-12-03T09:30; times without an offset are Asia/Shanghai)"))
      << early.err;
  EXPECT_EQ(VerifiedHead().seq, head);
}

// A department renamed by a later policy answers to its new name and its
// old one; a name that a later policy gives to another department is read
// as the policy in force for the quarter asked about names it.
TEST_F(CliTest, ARenamedDepartmentAnswersToBothNamesAndANameIsReadAsTheQuartersPolicyNamesIt) {
  ASSERT_NO_FATAL_FAILURE(Init());
  json::object v2 = json::parse(qledger::testing::ReadFile(SourcePath("config/policy.json"))).as_object();
  for (auto& d : v2["departments"].as_array()) {
    if (d.as_object()["code"] == "storage") d.as_object()["name"] = "仓储中心";
  }
  json::object v3 = v2;
  v3["departments"].as_array().push_back(json::object{{"code", "finance"}, {"name", "储运中心"}});
  auto adopt = [](const std::string& id, int version, const std::string& from, const json::object& policy) {
    return json::serialize(json::object{{"id", id}, {"type", "policy.adopted"}, {"occurred_at", "2026-12-01"},
                                        {"actor", "质量管理委员会"},
                                        {"data", {{"version", version}, {"effective_from", from}, {"policy", policy}}}});
  };
  AppendOk({adopt("policy-v2", 2, "2026Q1", v2), adopt("policy-v3", 3, "2027Q1", v3),
            SelfCheck("t-storage-q2", "仓储中心", "2026-04", "\"96\""),
            SelfCheck("t-finance-q1", "储运中心", "2027-01", "\"91\"")});
  for (const char* name : {"仓储中心", "储运中心", "STORAGE"}) {
    RunResult r = Q("replay", {"--quarter", "2026Q2", "--department", name, "--format", "json"});
    ASSERT_EQ(r.exit_code, kOk) << name << ": " << r.Describe();
    EXPECT_EQ(json::parse(r.out).at("department"), "storage") << name;
  }
  RunResult q1 = Q("replay", {"--quarter", "2027Q1", "--department", "储运中心", "--format", "json"});
  ASSERT_EQ(q1.exit_code, kOk) << q1.Describe();
  EXPECT_EQ(json::parse(q1.out).at("department"), "finance");
  // Without a quarter, a name given to two departments is not guessed.
  RunResult ledger = Q("ledger", {"--year", "2026", "--department", "储运中心"});
  EXPECT_EQ(ledger.exit_code, kNotFound) << ledger.Describe();
  EXPECT_TRUE(Contains(ledger.err, "\"储运中心\" has named more than one department (storage, finance)")) << ledger.err;
  RunResult by_new_name = Q("ledger", {"--year", "2026", "--department", "仓储中心", "--format", "json"});
  ASSERT_EQ(by_new_name.exit_code, kOk) << by_new_name.Describe();
  EXPECT_EQ(json::parse(by_new_name.out).at("department"), "storage");
  // A spreadsheet's row is read by its period too, as append reads it.
  WriteFile(tmp_.Sub("q1.csv"), "部门,月份,自查得分,填报人,填报日期\n储运中心,2027-02,93,质量管理员,2027-03-01\n");
  RunResult import = Q("import", {"--kind", "selfcheck", tmp_.Sub("q1.csv")});
  ASSERT_EQ(import.exit_code, kOk) << import.Describe();
  RunResult log = Q("log", {"--quarter", "2027Q1", "--type", "selfcheck.reported", "--format", "json"});
  ASSERT_EQ(log.exit_code, kOk) << log.Describe();
  EXPECT_TRUE(Contains(log.out, R"("id":"import-selfcheck-储运中心-2027-02")")) << log.out;
  EXPECT_FALSE(Contains(log.out, R"("department":"storage")")) << log.out;
}

// A published report says the same when it is made again: a later policy —
// even one effective from that quarter, dropping a department, renaming
// another and moving to another time zone — changes neither its scores nor
// its complaint register nor the hours a complaint took.
TEST_F(CliTest, AnApprovedReportsComplaintRegisterStaysAsPublishedAfterALaterPolicy) {
  ASSERT_NO_FATAL_FAILURE(Init());
  auto complaint = [](const std::string& id, const std::string& dept) {
    return R"({"id": ")" + id + R"(", "type": "complaint.recorded", "department": ")" + dept +
           R"(", "period": "2026Q1", "occurred_at": "2026-03-07", "actor": "工作组", )"
           R"("data": {"received_at": "2026-03-07T12:00", "channel": "电话", "summary": "晚到"}})";
  };
  AppendOk({SelfCheck("t-s1", "storage", "2026-01", "\"96\""), SelfCheck("t-m1", "metrology", "2026-01", "\"96\""),
            complaint("t-c-storage", "storage"), complaint("t-c-metrology", "metrology"),
            R"({"id": "t-c-storage-done", "type": "complaint.handled", "department": "storage", "period": "2026Q1", )"
            R"("occurred_at": "2026-03-08", "actor": "工作组", "data": {"complaint": "t-c-storage", "stage": "resolved", )"
            R"("at": "2026-03-08T12:00+08:00"}})",
            R"({"id": "t-approve", "type": "quarter.approved", "period": "2026Q1", "occurred_at": "2026-04-10", )"
            R"("actor": "质量管理委员会", "data": {"approved_by": "质量管理委员会", "meeting_date": "2026-04-10"}})"});
  RunResult before = Q("report", {"--quarter", "2026Q1", "--format", "json"});
  ASSERT_EQ(before.exit_code, kOk) << before.Describe();
  json::object published = json::parse(before.out).as_object();
  ASSERT_EQ(published.at("complaints").at("summary").at("recorded").as_int64(), 2);
  ASSERT_EQ(published.at("complaints").at("register").at(0).at("hours_to_resolve"), "24.00");

  json::object v2 = json::parse(qledger::testing::ReadFile(SourcePath("config/policy.json"))).as_object();
  json::array kept;
  for (auto& d : v2["departments"].as_array()) {
    if (d.as_object()["code"] == "metrology") continue;
    if (d.as_object()["code"] == "storage") d.as_object()["name"] = "仓储中心";
    kept.push_back(d);
  }
  v2["departments"] = kept;
  v2["time_zone"] = "America/New_York";
  AppendOk({json::serialize(json::object{
      {"id", "policy-v2"}, {"type", "policy.adopted"}, {"occurred_at", "2026-12-01"}, {"actor", "质量管理委员会"},
      {"data", {{"version", 2}, {"effective_from", "2026Q1"}, {"policy", v2}}}})});
  RunResult after = Q("report", {"--quarter", "2026Q1", "--format", "json"});
  ASSERT_EQ(after.exit_code, kOk) << after.Describe();
  json::object again = json::parse(after.out).as_object();
  EXPECT_EQ(again.at("scores"), published.at("scores"));
  EXPECT_EQ(again.at("complaints"), published.at("complaints"));
}

// A quarter's times without an offset are read in its own policy's zone,
// not the latest policy's: a policy moving to New York from 2027Q1 leaves
// 2026Q2 in Shanghai.
TEST_F(CliTest, AQuartersTimesAreReadInTheZoneOfItsOwnPolicy) {
  ASSERT_NO_FATAL_FAILURE(Init());
  json::object v2 = json::parse(qledger::testing::ReadFile(SourcePath("config/policy.json"))).as_object();
  v2["time_zone"] = "America/New_York";
  AppendOk({json::serialize(json::object{
      {"id", "policy-v2"}, {"type", "policy.adopted"}, {"occurred_at", "2026-12-01"}, {"actor", "质量管理委员会"},
      {"data", {{"version", 2}, {"effective_from", "2027Q1"}, {"policy", v2}}}})});
  // 09:00 in Shanghai is before 09:30+08:00; 09:00 in New York is after it.
  AppendOk({R"({"id": "tz-q2", "type": "complaint.recorded", "department": "orders", "period": "2026Q2", )"
            R"("occurred_at": "2026-04-05", "actor": "工作组", "data": {"received_at": "2026-04-05T09:00", )"
            R"("channel": "电话", "summary": "晚到"}})",
            R"({"id": "tz-q2-ack", "type": "complaint.handled", "department": "orders", "period": "2026Q2", )"
            R"("occurred_at": "2026-04-05", "actor": "工作组", "data": {"complaint": "tz-q2", )"
            R"("stage": "resolved", "at": "2026-04-05T09:30+08:00"}})"});
  RunResult c = Q("complaints", {"--quarter", "2026Q2", "--format", "json"});
  ASSERT_EQ(c.exit_code, kOk) << c.Describe();
  EXPECT_EQ(json::parse(c.out).at("complaints").at(0).at("hours_to_resolve"), "0.50") << c.out;
}

// A policy adopted on the way that the quarter is scored with from then on
// is what changed the score: replay's running figures move at its step, as
// they stand then, and diff names it.
TEST_F(CliTest, APolicyThatChangesAQuartersScoreIsTheEventThatChangedIt) {
  ASSERT_NO_FATAL_FAILURE(Init());
  AppendOk({SelfCheck("t-s7", "storage", "2026-07", "\"90\"")});
  const int64_t before = VerifiedHead().seq;
  json::object v2 = json::parse(qledger::testing::ReadFile(SourcePath("config/policy.json"))).as_object();
  v2["weights"] = json::object{{"selfcheck", 8000}, {"survey", 1000}, {"complaint", 1000}};
  AppendOk({json::serialize(json::object{
      {"id", "policy-v2"}, {"type", "policy.adopted"}, {"occurred_at", "2026-12-01"}, {"actor", "质量管理委员会"},
      {"data", {{"version", 2}, {"effective_from", "2026Q3"}, {"policy", v2}}}})});
  // selfcheck 90, complaint 100, no survey: 5000:2000 → 92.86; 8000:1000 → 91.11.
  RunResult d = Q("diff", {"--quarter", "2026Q3", "--department", "storage", "--from", std::to_string(before),
                           "--format", "json"});
  ASSERT_EQ(d.exit_code, kOk) << d.Describe();
  json::object diff = json::parse(d.out).as_object();
  EXPECT_EQ(diff.at("before").at("total"), "92.86");
  EXPECT_EQ(diff.at("after").at("total"), "91.11");
  ASSERT_EQ(diff.at("events").as_array().size(), 1u) << d.out;
  EXPECT_EQ(diff.at("events").at(0).at("id"), "policy-v2");
  RunResult r = Q("replay", {"--quarter", "2026Q3", "--department", "storage", "--format", "json"});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  json::array steps = json::parse(r.out).at("steps").as_array();
  ASSERT_GE(steps.size(), 2u);
  EXPECT_EQ(steps[steps.size() - 2].at("id"), "t-s7");
  EXPECT_EQ(steps[steps.size() - 2].at("total"), "92.86") << "the self-check's step, as it stood then";
  EXPECT_EQ(steps.back().at("total"), "91.11");
}

// The open's check of the logs' events (docs/recovery.md) on a sound ledger
// whose events are in logs, then in table files a spreadsheet's import
// ingested, then in logs again, written by one writer after another.
TEST_F(CliTest, ALedgerOfLogsAndIngestedTablesOpensWhole) {
  ASSERT_NO_FATAL_FAILURE(Init());
  AppendOk({SelfCheck("t-log-1", "storage", "2026-10", "\"90\"")});
  AppendOk({SelfCheck("t-log-2", "orders", "2026-10", "\"91\"")});
  RunResult import = Q("import", {"--kind", "selfcheck", SourcePath("config/demo/import/selfcheck.csv")});
  ASSERT_EQ(import.exit_code, kOk) << import.Describe();
  AppendOk({SelfCheck("t-log-3", "storage", "2026-11", "\"92\"")});
  AppendOk({SelfCheck("t-log-4", "orders", "2026-11", "\"93\"")});
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"verify"}, {"scores", "--quarter", "2026Q4"}, {"export"}}) {
    RunResult r = Q(args[0], std::vector<std::string>(args.begin() + 1, args.end()));
    EXPECT_EQ(r.exit_code, kOk) << args[0] << ": " << r.Describe();
  }
}

TEST_F(CliTest, APolicyNamesItsTimeZoneFromTheTzDatabaseOrIsRefused) {
  json::value policy = json::parse(qledger::testing::ReadFile(SourcePath("config/policy.json")));
  policy.as_object()["time_zone"] = "Mars/Olympus_Mons";
  std::string file = tmp_.Sub("mars.json");
  WriteFile(file, json::serialize(policy));
  RunResult bad = Q("init", {"--policy", file});
  EXPECT_EQ(bad.exit_code, kInvalidInput) << bad.Describe();
  EXPECT_TRUE(Contains(bad.err, "policy.time_zone: \"Mars/Olympus_Mons\" is not a zone of the tz database")) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/CURRENT")) << "a bad policy leaves no ledger";

  policy.as_object()["time_zone"] = "UTC";
  WriteFile(file, json::serialize(policy));
  RunResult utc = Q("init", {"--policy", file});
  ASSERT_EQ(utc.exit_code, kOk) << utc.Describe();
}

}  // namespace
}  // namespace qledger::cli

namespace qledger::cli {
namespace {

// Long work shows where it is, on standard error (with --progress, or when it
// is a terminal); standard output stays the outcome's JSON alone.
TEST_F(CliTest, AppendWithProgressSaysWhereItIsOnStandardError) {
  ASSERT_NO_FATAL_FAILURE(Init());
  RunResult r = Q("append", {SourcePath("config/demo/events.jsonl"), "--progress"});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "qledger append: read 309 events from ")) << r.err;
  EXPECT_TRUE(Contains(r.err, "qledger append: checked; writing 309 events and syncing (")) << r.err;
  EXPECT_TRUE(Contains(r.err, "qledger append: written and synced (")) << r.err;
  EXPECT_TRUE(json::parse(r.out).is_object()) << r.out;
  RunResult quiet = AppendLines({Callback("p-callback", "storage", "2026Q3", "0.50")});
  EXPECT_EQ(quiet.err, "") << "no terminal, no --progress: nothing on standard error";
}

}  // namespace
}  // namespace qledger::cli
