// `qledger import`: the real binary, a real ledger in a fresh temporary
// directory, CSV files written by each test. What a row becomes is read back
// with `qledger log --format json`; "nothing was appended" is checked by
// comparing the whole export before and after.
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "import_fixture.h"
#include "qledger_test_support.h"

namespace qledger::testing {
namespace {

namespace json = boost::json;

constexpr const char* kBom = "\xEF\xBB\xBF";
constexpr const char* kSelfcheckHeader = "部门,月份,自查得分,填报人,填报日期\n";

using ImportTest = ImportFixture;

// --- each kind, and the samples under config/demo/import -------------------

TEST_F(ImportTest, SampleFilesOfEveryKindImportIntoTheDemoLedgerAndVerify) {
  LoadDemo();  // seq 1 policy + 309 demo events
  // Data rows counted in each sample file by hand.
  const std::vector<std::pair<std::string, int64_t>> samples = {
      {"selfcheck", 7}, {"spotcheck", 3}, {"survey", 4}, {"complaint", 2}};
  int64_t head = 310;
  for (const auto& [kind, rows] : samples) {
    RunResult r = ImportFile(kind, SourcePath("config/demo/import/" + kind + ".csv"));
    ASSERT_EQ(r.exit_code, 0) << kind << "\n" << r.Describe();
    json::object o = Outcome(r);
    EXPECT_EQ(o.at("appended").as_int64(), rows) << kind;
    EXPECT_EQ(o.at("duplicates").as_int64(), 0) << kind;
    head += rows;
    EXPECT_EQ(o.at("head_seq").as_int64(), head) << kind;
    EXPECT_EQ(o.at("head_hash").as_string().size(), 64u);
  }
  RunResult v = RunQledger({"verify", "--data", ledger_});
  EXPECT_EQ(v.exit_code, 0) << v.Describe();
}

TEST_F(ImportTest, ImportingTheSameFileTwiceAppendsNothingTheSecondTime) {
  LoadDemo();
  const std::vector<std::pair<std::string, int64_t>> samples = {
      {"selfcheck", 7}, {"spotcheck", 3}, {"survey", 4}, {"complaint", 2}};
  for (const auto& [kind, rows] : samples) {
    ASSERT_EQ(ImportFile(kind, SourcePath("config/demo/import/" + kind + ".csv")).exit_code, 0) << kind;
  }
  std::string before = Export();
  for (const auto& [kind, rows] : samples) {
    RunResult r = ImportFile(kind, SourcePath("config/demo/import/" + kind + ".csv"));
    ASSERT_EQ(r.exit_code, 0) << kind << "\n" << r.Describe();
    json::object o = Outcome(r);
    EXPECT_EQ(o.at("appended").as_int64(), 0) << kind;
    EXPECT_EQ(o.at("duplicates").as_int64(), rows) << kind;
    EXPECT_EQ(o.at("head_seq").as_int64(), 310 + 16) << kind;  // 7 + 3 + 4 + 2 imported the first time
  }
  EXPECT_EQ(Export(), before);
}

TEST_F(ImportTest, SelfcheckRowWithChineseHeadersAndBomBecomesTheEventItDescribes) {
  // Department by its Chinese name, month and date in Chinese and slashed forms.
  RunResult r = Import("selfcheck", std::string(kBom) + kSelfcheckHeader +
                                        "储运中心,2026年7月,96.5,储运中心/质量管理员,2026/8/3\n");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Outcome(r).at("appended").as_int64(), 1);
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 1u);
  const json::object& e = events[0];
  EXPECT_EQ(e.at("id"), "import-selfcheck-storage-2026-07");  // the natural key
  EXPECT_EQ(e.at("type"), "selfcheck.reported");
  EXPECT_EQ(e.at("department"), "storage");
  EXPECT_EQ(e.at("period"), "2026-07");
  EXPECT_EQ(e.at("occurred_at"), "2026-08-03");
  EXPECT_EQ(e.at("actor"), "储运中心/质量管理员");
  EXPECT_EQ(e.at("data"), (json::object{{"score", "96.50"}}));
}

TEST_F(ImportTest, EnglishHeadersWithoutBomMatchIgnoringCaseAndSpacesAndTakeTheIdColumn) {
  RunResult r = Import("selfcheck",
                       " Department ,MONTH,Score, actor,occurred_at,ID\n"
                       "metrology,2026-08,94,计量检测中心/质量管理员,2026-09-02,sc-2026-08-metrology\n");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("id"), "sc-2026-08-metrology");
  EXPECT_EQ(events[0].at("department"), "metrology");
  EXPECT_EQ(events[0].at("data"), (json::object{{"score", "94.00"}}));
}

TEST_F(ImportTest, SpotcheckRecordedByItsInspectorWhenNoRecorderIsGiven) {
  RunResult r = Import("spotcheck",
                       "部门,月份,抽查得分,检查人,备注,检查日期,记录人\n"
                       "订单处理中心,2026-07,93.25,工作组/陈刚,,2026-08-06,\n"
                       "招标分公司,2026-07,90,工作组/陈刚,台账缺2处,2026-08-06,工作组/李娜\n");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("id"), "import-spotcheck-orders-2026-07");
  EXPECT_EQ(events[0].at("actor"), "工作组/陈刚");
  // An empty optional cell leaves the field out.
  EXPECT_EQ(events[0].at("data"), (json::object{{"score", "93.25"}, {"inspector", "工作组/陈刚"}}));
  EXPECT_EQ(events[1].at("actor"), "工作组/李娜");
  EXPECT_EQ(events[1].at("data"),
            (json::object{{"score", "90.00"}, {"inspector", "工作组/陈刚"}, {"note", "台账缺2处"}}));
}

TEST_F(ImportTest, SurveyIdIsTheFirstEightHexDigitsOfTheSha256OfTheNormalisedRow) {
  RunResult r = Import("survey",
                       "部门,季度,客户,得分,日期,填报人\n"
                       "储运中心,2026Q3,湖北长江航运物资有限公司,96.5,2026-10-08,工作组/李娜\n");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 1u);
  // Computed independently (python3, hashlib):
  //   sha256('{"actor":"工作组/李娜","data":{"respondent":"湖北长江航运物资有限公司",'
  //          '"score":"96.50"},"department":"storage","occurred_at":"2026-10-08",'
  //          '"period":"2026Q3","type":"survey.responded"}'.encode()) starts 1bb37c99
  EXPECT_EQ(events[0].at("id"), "import-survey-storage-2026Q3-1bb37c99");

  // The same response written differently (quarter in Chinese, 96.50, a
  // slashed date) is the same content: a duplicate, not a second response.
  RunResult again = Import("survey",
                           "季度,部门,填报人,日期,得分,客户\n"
                           "2026年第三季度,storage,工作组/李娜,2026/10/8,96.50,湖北长江航运物资有限公司\n");
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(Outcome(again).at("appended").as_int64(), 0);
  EXPECT_EQ(Outcome(again).at("duplicates").as_int64(), 1);
}

// Two different rows whose 8-digit digests agree (found by search with
// python3's hashlib: 客户58739 and 客户91479 both start 1ecf0f2b): the second
// takes 16 digits, in the same file and in a later one, and importing
// either file again appends nothing.
TEST_F(ImportTest, TwoRowsWhoseShortDigestsCollideBothImportAndReimportAsDuplicates) {
  const std::string header = "部门,季度,客户,得分,日期,填报人\n";
  const std::string a = "储运中心,2026Q3,客户58739,96,2026-08-03,工作组\n";
  const std::string b = "储运中心,2026Q3,客户91479,96,2026-08-03,工作组\n";
  RunResult r = Import("survey", header + a + b);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Outcome(r).at("appended").as_int64(), 2);
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("id"), "import-survey-storage-2026Q3-1ecf0f2b");
  EXPECT_EQ(events[1].at("id"), "import-survey-storage-2026Q3-1ecf0f2bece94374");
  RunResult again = Import("survey", header + b + a);
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(Outcome(again).at("appended").as_int64(), 0);
  EXPECT_EQ(Outcome(again).at("duplicates").as_int64(), 2);
}

// Across files: the first row is in the ledger when the second comes.
TEST_F(ImportTest, ARowWhoseShortDigestIsTakenInTheLedgerTakesTheLongForm) {
  const std::string header = "部门,季度,客户,得分,日期,填报人\n";
  ASSERT_EQ(Import("survey", header + "储运中心,2026Q3,客户91479,96,2026-08-03,工作组\n").exit_code, 0);
  RunResult r = Import("survey", header + "储运中心,2026Q3,客户58739,96,2026-08-03,工作组\n");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto events = EventsAfter(2);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("id"), "import-survey-storage-2026Q3-1ecf0f2b48f85cfa");
}

TEST_F(ImportTest, ALineBreakInsideATextCellIsRefusedNamingTheCellAndLineNumbersStayPhysical) {
  std::string before = Export();
  RunResult r = Import("complaint",
                       "部门,季度,受理时间,渠道,投诉内容,客户,类别,记录日期,记录人\r\n"
                       "物流业务部,2026Q3,2026-08-14 09:30,投诉电话,\"车辆晚到3小时,客户等待;\r\n"
                       "客户称\"\"很不满意\"\"\",\"湖北华中建材贸易有限公司\",运输时效,2026-08-14,人力资源部/投诉受理\r\n"
                       "wuhan,2026Q3,2026-08-20 14:05,邮件,\"短信\t未发送\",,,2026-08-20,人力资源部/投诉受理\r\n");
  ExpectRejected(r, "CSV line 2, column 投诉内容: holds a control character (U+000A)", before);
  EXPECT_NE(r.err.find("CSV line 4, column 投诉内容: holds a control character (U+0009)"), std::string::npos) << r.err;
}

TEST_F(ImportTest, ComplaintKeepsQuotedCommasAndDoubledQuotesFromACrlfFile) {
  RunResult r = Import("complaint",
                       "部门,季度,受理时间,渠道,投诉内容,客户,类别,记录日期,记录人\r\n"
                       "物流业务部,2026Q3,2026-08-14 09:30,投诉电话,\"车辆晚到3小时,客户等待;"
                       "客户称\"\"很不满意\"\"\",\"湖北华中建材贸易有限公司\",运输时效,2026-08-14,人力资源部/投诉受理\r\n"
                       "wuhan,2026年第3季度,2026/8/20 14:05+08:00,邮件,短信未发送,,,2026-08-20,人力资源部/投诉受理\r\n");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 2u);
  const json::object& first = events[0];
  EXPECT_EQ(first.at("type"), "complaint.recorded");
  EXPECT_EQ(first.at("department"), "logistics");
  EXPECT_EQ(first.at("period"), "2026Q3");
  EXPECT_EQ(first.at("data"), (json::object{{"received_at", "2026-08-14T09:30"},
                                            {"channel", "投诉电话"},
                                            {"summary", "车辆晚到3小时,客户等待;客户称\"很不满意\""},
                                            {"customer", "湖北华中建材贸易有限公司"},
                                            {"category", "运输时效"}}));
  EXPECT_TRUE(std::regex_match(std::string(first.at("id").as_string()),
                               std::regex("import-complaint-logistics-2026Q3-[0-9a-f]{8}")))
      << first.at("id");
  EXPECT_EQ(events[1].at("department"), "wuhan");
  EXPECT_EQ(events[1].at("data"), (json::object{{"received_at", "2026-08-20T14:05+08:00"},
                                                {"channel", "邮件"},
                                                {"summary", "短信未发送"}}));
}

TEST_F(ImportTest, DryRunReportsWhatWouldBeAppendedAndAppendsNothing) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) +
                                        "储运中心,2026-07,96,a,2026-08-03\n"
                                        "储运中心,2026-08,97,a,2026-09-03\n",
                       {"--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json::object o = Outcome(r);
  EXPECT_EQ(o.at("dry_run"), true);
  EXPECT_EQ(o.at("appended").as_int64(), 0);
  EXPECT_EQ(o.at("would_append").as_int64(), 2);
  EXPECT_EQ(o.at("head_seq").as_int64(), 1);
  EXPECT_EQ(Export(), before);
}

TEST_F(ImportTest, StaleExpectHeadIsRefusedWithExitSix) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,96,a,2026-08-03\n",
                       {"--expect-head", "5"});  // the head is 1 (the policy)
  EXPECT_EQ(r.exit_code, 6) << r.Describe();
  EXPECT_EQ(Export(), before);
}

// --- rejected files: exit 3, the CSV line and column named, nothing appended --

TEST_F(ImportTest, ScoreAboveOneHundredRejectsTheWholeFileNamingLineAndColumn) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kBom) + kSelfcheckHeader +
                                        "储运中心,2026-07,96,a,2026-08-03\n"  // line 2: fine
                                        "储运中心,2026-08,101,a,2026-09-03\n");
  ExpectRejected(r, "CSV line 3, column 自查得分: 101.00 is above 100.00", before);
  EXPECT_NE(r.err.find("nothing was appended"), std::string::npos) << r.Describe();
  EXPECT_EQ(r.err.find("CSV line 2"), std::string::npos) << r.Describe();
}

TEST_F(ImportTest, ErrorsNameTheColumnAsTheFileSpellsIt) {
  std::string before = Export();
  RunResult r = Import("selfcheck", "department,month,score,actor,occurred_at\nstorage,2026-07,-1,a,2026-08-03\n");
  ExpectRejected(r, "CSV line 2, column score: -1.00 is below 0.00", before);
}

TEST_F(ImportTest, MalformedMonthIsRejectedOnTheMonthColumn) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-13,96,a,2026-08-03\n");
  ExpectRejected(r, "CSV line 2, column 月份: \"2026-13\" is not a month", before);
}

TEST_F(ImportTest, ImpossibleDateIsRejectedOnTheDateColumn) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-02,96,a,2026/2/30\n");
  ExpectRejected(r, "CSV line 2, column 填报日期: \"2026/2/30\" is not a date", before);
}

TEST_F(ImportTest, UnknownDepartmentIsRejectedOnTheDepartmentColumn) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "仓储部,2026-07,96,a,2026-08-03\n");
  ExpectRejected(r, "CSV line 2, column 部门: \"仓储部\" is not a department", before);
}

TEST_F(ImportTest, EveryProblemOfTheFileIsReported) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) +
                                        "储运中心,2026-07,9x,,2026-08-03\n"
                                        "仓储部,2026-13,96,a,2026-08-03\n");
  ExpectRejected(r, "CSV line 2, column 自查得分: \"9x\" is not a decimal number", before);
  EXPECT_NE(r.err.find("CSV line 2, column 填报人: is required"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("CSV line 3, column 部门:"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("CSV line 3, column 月份:"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("rejected: 4 errors in 2 rows"), std::string::npos) << r.Describe();
}

TEST_F(ImportTest, MissingRequiredColumnIsRejectedNamingTheHeaderLine) {
  std::string before = Export();
  RunResult r = Import("selfcheck", "部门,月份,填报人,填报日期\n储运中心,2026-07,a,2026-08-03\n");
  ExpectRejected(r, "CSV line 1: column 自查得分 (score) is missing", before);
}

TEST_F(ImportTest, UnknownColumnIsRejectedAndAColumnOfAnotherKindSuggestsTheKind) {
  std::string before = Export();
  RunResult r = Import("selfcheck", "部门,月份,自查得分,填报人,填报日期,备用\n储运中心,2026-07,96,a,2026-08-03,x\n");
  ExpectRejected(r, "CSV line 1, column 备用: is not a column of the selfcheck template", before);
  RunResult wrong_kind =
      Import("selfcheck", "部门,月份,抽查得分,检查人,检查日期\n储运中心,2026-07,96,a,2026-08-03\n");
  ExpectRejected(wrong_kind, "CSV line 1, column 抽查得分: is not a column of the selfcheck template (it belongs to the spotcheck template",
                 before);
}

TEST_F(ImportTest, LinesAreCountedPastLineBreaksInsideQuotedFields) {
  std::string before = Export();
  RunResult r = Import("complaint",
                       "部门,季度,受理时间,渠道,投诉内容,记录日期,记录人\n"
                       "物流业务部,2026Q3,2026-08-14 09:30,电话,\"第一行\n第二行\",2026-08-14,a\n"  // lines 2-3
                       "物流业务部,2026Q5,2026-08-15 09:30,电话,另一件,2026-08-15,a\n");           // line 4
  ExpectRejected(r, "CSV line 4, column 季度: \"2026Q5\" is not a quarter", before);
}

TEST_F(ImportTest, ComplaintWithoutATimeOfReceiptIsRejectedOnThatColumn) {
  std::string before = Export();
  RunResult r = Import("complaint",
                       "部门,季度,受理时间,渠道,投诉内容,记录日期,记录人\n"
                       "物流业务部,2026Q3,2026-08-14,电话,晚到,2026-08-14,a\n");
  ExpectRejected(r, "CSV line 2, column 受理时间: \"2026-08-14\" is not a date-time", before);
}

TEST_F(ImportTest, SecondSelfcheckForAMonthIsRejectedOnTheMonthColumn) {
  RunResult first = RunQledger(
      {"append", "--data", ledger_, "-"},
      R"({"id":"2026-07-storage-selfcheck","type":"selfcheck.reported","department":"storage","period":"2026-07","occurred_at":"2026-08-03","actor":"a","data":{"score":"96.00"}})"
      "\n");
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,96,a,2026-08-03\n");
  ExpectRejected(r, "CSV line 2, column 月份: storage already has a selfcheck.reported for 2026-07", before);
}

TEST_F(ImportTest, ChangedRowUnderTheSameDerivedIdIsRejectedAsAnIdConflict) {
  ASSERT_EQ(Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,96,a,2026-08-03\n").exit_code, 0);
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,97,a,2026-08-03\n");
  ExpectRejected(r, "CSV line 2: derived id: \"import-selfcheck-storage-2026-07\" is already in the ledger (seq 2) with other content",
                 before);
}

TEST_F(ImportTest, FactForAnApprovedQuarterIsRejectedOnTheQuarterColumn) {
  LoadDemo();  // 2025Q4 is approved and not reopened
  std::string before = Export();
  RunResult r = Import("survey", "部门,季度,客户,得分,日期,填报人\n储运中心,2025Q4,某客户,95,2026-01-05,a\n");
  ExpectRejected(r, "CSV line 2, column 季度: quarter 2025Q4 is approved", before);
}

TEST_F(ImportTest, UnclosedQuoteIsRejectedNamingTheLineWhereItOpens) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) +
                                        "储运中心,2026-07,96,a,2026-08-03\n"
                                        "储运中心,2026-08,\"97,a,2026-09-03\n");
  ExpectRejected(r, "CSV line 3: the quoted field that begins here is never closed", before);
}

TEST_F(ImportTest, RowWithMoreFieldsThanTheHeaderIsRejected) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,96,a,2026-08-03,extra\n");
  ExpectRejected(r, "CSV line 2: 6 fields, but the header (line 1) has 5 columns", before);
}

// The header and a row in GB18030, as Excel's plain "CSV" writes them on a
// Chinese Windows: 部门,月份,自查得分,填报人,填报日期 / 储运中心,2026-07,96,王芳,2026-08-03.
constexpr const char* kGbkSelfcheck =
    "\xB2\xBF\xC3\xC5,\xD4\xC2\xB7\xDD,\xD7\xD4\xB2\xE9\xB5\xC3\xB7\xD6,\xCC\xEE\xB1\xA8\xC8\xCB,"
    "\xCC\xEE\xB1\xA8\xC8\xD5\xC6\xDA\n\xB4\xA2\xD4\xCB\xD6\xD0\xD0\xC4,2026-07,96,\xCD\xF5\xB7\xBC,2026-08-03\n";

TEST_F(ImportTest, AGb18030FileIsDetectedReadAndSaysSo) {
  RunResult r = Import("selfcheck", kGbkSelfcheck);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find(": read as GB18030"), std::string::npos) << r.err;
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("department"), "storage");
  EXPECT_EQ(events[0].at("actor"), "王芳");
  RunResult utf8 = Import("selfcheck", std::string(kBom) + kSelfcheckHeader + "储运中心,2026-08,96,王芳,2026-09-03\n");
  EXPECT_NE(utf8.err.find(": read as UTF-8 (BOM)"), std::string::npos) << utf8.err;
}

TEST_F(ImportTest, AFileInNeitherEncodingOrNotInTheOneForcedIsRejectedNamingTheLine) {
  std::string before = Export();
  RunResult forced = Import("selfcheck", kGbkSelfcheck, {"--encoding", "utf-8"});
  ExpectRejected(forced, "CSV line 1: not valid UTF-8", before);
  // 0x81 0x20 is no character of GB18030, and not UTF-8.
  RunResult neither = Import("selfcheck", std::string(kSelfcheckHeader) + "\x81\x20,2026-07,96,a,2026-08-03\n");
  ExpectRejected(neither, "CSV line 2: not valid UTF-8 (save the spreadsheet as \"CSV UTF-8\"); nor is the file GB18030",
                 before);
  RunResult forced_gb = Import("selfcheck", std::string(kSelfcheckHeader) + "\x81\x20,2026-07,96,a,2026-08-03\n",
                               {"--encoding", "gb18030"});
  EXPECT_EQ(forced_gb.exit_code, 3) << forced_gb.Describe();
  EXPECT_NE(forced_gb.err.find(": not valid GB18030"), std::string::npos) << forced_gb.err;
  RunResult bad = Import("selfcheck", kSelfcheckHeader, {"--encoding", "latin1"});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
  EXPECT_NE(bad.err.find("--encoding must be auto, utf-8 or gb18030"), std::string::npos) << bad.err;
}

// --- hostile files: each is rejected in linear time, naming the cell -------

TEST_F(ImportTest, CellsOfFortyThousandSpacesAreRejectedOnTheirColumnsWithoutCrashing) {
  std::string before = Export();
  const std::string spaces(40000, ' ');
  RunResult month = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07" + spaces + "x,96,a,2026-08-03\n");
  ExpectRejected(month, "CSV line 2, column 月份:", before);
  RunResult date = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,96,a,2026" + spaces + "-08-03\n");
  ExpectRejected(date, "CSV line 2, column 填报日期:", before);
  RunResult quarter = Import("survey", "部门,季度,客户,得分,日期,填报人\n储运中心,2026" + spaces + "Q3x,某客户,95,2026-09-05,a\n");
  ExpectRejected(quarter, "CSV line 2, column 季度:", before);
  RunResult received = Import("complaint",
                              "部门,季度,受理时间,渠道,投诉内容,记录日期,记录人\n"
                              "储运中心,2026Q3,2026-08-03" + spaces + "09:30x,电话,货损,2026-08-03,a\n");
  ExpectRejected(received, "CSV line 2, column 受理时间:", before);
}

TEST_F(ImportTest, ControlCharactersInCellsAreRefusedAndNeverReadAsANumber) {
  std::string before = Export();
  // "\x01" + "1.5" was once read as the score 1.50.
  RunResult score = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,\x01" "1.5,a,2026-08-03\n");
  ExpectRejected(score, "CSV line 2, column 自查得分: holds a control character (U+0001)", before);
  RunResult actor = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,96,a\x7f" "b,2026-08-03\n");
  ExpectRejected(actor, "CSV line 2, column 填报人: holds a control character (U+007F)", before);
  RunResult nul = Import("selfcheck", std::string(kSelfcheckHeader) + "储运中心,2026-07,96,a" + std::string(1, '\0') +
                                          "b,2026-08-03\n");
  ExpectRejected(nul, "CSV line 2, column 填报人: holds a control character (U+0000)", before);
}

TEST_F(ImportTest, OneHundredThousandRowsForAnApprovedQuarterAreEachRejectedOnTheirQuarterColumn) {
  LoadDemo();  // 2025Q4 is approved and not reopened
  std::string before = Export();
  std::string csv = "部门,季度,客户,得分,日期,填报人\n";
  constexpr int kRows = 100000;
  for (int i = 0; i < kRows; ++i) csv += "储运中心,2025Q4,客户" + std::to_string(i) + ",95,2026-01-05,a\n";
  RunResult r = Import("survey", csv);
  ExpectRejected(r, "CSV line 100001, column 季度: quarter 2025Q4 is approved", before);
  EXPECT_NE(r.err.find("rejected: 100000 errors in 100000 rows"), std::string::npos) << r.err.substr(r.err.size() - 300);
}

TEST_F(ImportTest, HeaderWithoutRowsIsRejected) {
  std::string before = Export();
  RunResult r = Import("selfcheck", std::string(kSelfcheckHeader) + "\n,,,,\n");
  ExpectRejected(r, "no rows below the header", before);
}

}  // namespace
}  // namespace qledger::testing

namespace qledger::testing {
namespace {

// SPEC §4: each imported event records where it came from — the file's name
// and SHA-256, and the row — exported and hashed; and `source` takes no part
// in judging a duplicate, so an updated file appends only its new rows and
// the first recording's source stands.
TEST_F(ImportTest, EachImportedEventRecordsTheFileAndRowItCameFrom) {
  std::string first = std::string(kSelfcheckHeader) + "储运中心,2026-07,96.5,王芳,2026-08-03\n";
  std::string file = dir_.Sub("自查2026Q3.csv");
  WriteFile(file, first);
  RunResult r = ImportFile("selfcheck", file);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  RunResult sum = RunProgram("/usr/bin/sha256sum", {file});
  ASSERT_EQ(sum.exit_code, 0) << sum.Describe();
  std::string first_sha = sum.out.substr(0, 64);
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("source"), (json::object{{"file", "自查2026Q3.csv"}, {"sha256", first_sha}, {"row", 2}}));

  // The same file, updated: one more row. Only it is appended; the first
  // row keeps the source of its first recording.
  WriteFile(file, first + "储运中心,2026-08,95,王芳,2026-09-03\n");
  RunResult again = ImportFile("selfcheck", file);
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(Outcome(again).at("appended").as_int64(), 1);
  EXPECT_EQ(Outcome(again).at("duplicates").as_int64(), 1);
  events = EventsAfter(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("source").at("sha256"), json::value(first_sha));
  EXPECT_NE(events[1].at("source").at("sha256"), json::value(first_sha));
  EXPECT_EQ(events[1].at("source").at("row"), 3);

  // The source is hashed: the independent verifier accepts the export.
  RunResult verified = RunProgram("/usr/bin/python3", {SourcePath("tools/verify_export.py")}, Export());
  EXPECT_EQ(verified.exit_code, 0) << verified.Describe();
  // And the derivation says where the fact came from.
  RunResult d = RunQledger({"replay", "--data", ledger_, "--quarter", "2026Q3", "--department", "storage"});
  EXPECT_NE(d.out.find("来自 自查2026Q3.csv 第2行"), std::string::npos) << d.out;
  RunResult en = RunQledger({"replay", "--data", ledger_, "--quarter", "2026Q3", "--department", "storage", "--lang", "en"});
  EXPECT_NE(en.out.find("from 自查2026Q3.csv row 2"), std::string::npos) << en.out;
}

TEST_F(ImportTest, AnAppendedSourceMustNameTheFileItsHashAndTheRow) {
  std::string before = Export();
  auto append = [&](const std::string& source) {
    std::string line = R"({"id": "s1", "type": "selfcheck.reported", "department": "storage", "period": "2026-07", )"
                       R"("occurred_at": "2026-08-03", "actor": "王芳", "data": {"score": "96.50"}, "source": )" +
                       source + "}";
    return RunQledger({"append", "--data", ledger_, "-"}, line + "\n");
  };
  RunResult bad_hash = append(R"({"file": "a.csv", "sha256": "abc", "row": 2})");
  EXPECT_EQ(bad_hash.exit_code, 3) << bad_hash.Describe();
  EXPECT_NE(bad_hash.err.find("source.sha256: must be 64 lowercase hex digits"), std::string::npos) << bad_hash.err;
  RunResult unknown = append(R"({"file": "a.csv", "sha256": ")" + std::string(64, 'a') + R"(", "row": 2, "cell": "C7"})");
  EXPECT_NE(unknown.err.find("source.cell"), std::string::npos) << unknown.err;
  RunResult row0 = append(R"({"file": "a.csv", "sha256": ")" + std::string(64, 'a') + R"(", "row": 0})");
  EXPECT_NE(row0.err.find("source.row: must be 1 or more"), std::string::npos) << row0.err;
  RunResult not_object = append(R"("a.csv")");
  EXPECT_NE(not_object.err.find("source: must be an object"), std::string::npos) << not_object.err;
  EXPECT_EQ(Export(), before);
  RunResult ok = append(R"({"file": "a.xlsx", "sha256": ")" + std::string(64, 'a') + R"(", "sheet": "自查", "row": 7})");
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
}

}  // namespace
}  // namespace qledger::testing
