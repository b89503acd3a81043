// The templates and the row mapping of `qledger import` (tools/csv_templates.h,
// tools/csv_rows.h) as functions: a header matched against a template, rows
// mapped to input events, and the ledger's structured errors told in the
// spreadsheet's columns. No binary and no ledger: the departments come from
// the default policy.
#include "csv_rows.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "../domain/default_policy.h"
#include "csv_templates.h"
#include "qledger/domain/policy.h"

namespace qledger::tools::csv {
namespace {

namespace json = boost::json;

std::vector<domain::Department> Departments() {
  auto p = domain::ParsePolicy(domain::DefaultPolicyJson());
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? p->departments : std::vector<domain::Department>{};
}

CsvRecord Record(int line, std::vector<std::string> fields) { return CsvRecord{line, std::move(fields)}; }

Header HeaderOk(const std::string& kind, std::vector<std::string> names) {
  const Template* t = FindTemplate(kind);
  EXPECT_NE(t, nullptr) << kind;
  auto h = ReadHeader(*t, Record(1, std::move(names)));
  EXPECT_TRUE(h.ok()) << h.status().message();
  return h.ok() ? *h : Header{};
}

TEST(CsvTemplatesTest, MatchesChineseAndEnglishNamesInAnyOrder) {
  Header h = HeaderOk("selfcheck", {"月份", "Department", "自查得分", "填报人", "occurred_at"});
  EXPECT_EQ(h.keys, (std::vector<std::string>{"month", "department", "score", "actor", "occurred_at"}));
  EXPECT_EQ(h.spelled.at("department"), "Department");
  EXPECT_EQ(FindTemplate("nosuch"), nullptr);
}

TEST(CsvTemplatesTest, RefusesEveryHeaderProblemAtOnceNamingEachColumn) {
  auto h = ReadHeader(*FindTemplate("selfcheck"), Record(1, {"部门", "部门", "抽查得分", "填报人"}));
  ASSERT_FALSE(h.ok());
  const std::string& m = h.status().message();
  EXPECT_NE(m.find("CSV line 1, column 部门: appears twice"), std::string::npos) << m;
  EXPECT_NE(m.find("column 抽查得分: is not a column of the selfcheck template (it belongs to the spotcheck template"),
            std::string::npos) << m;
  EXPECT_NE(m.find("column 月份 (month) is missing"), std::string::npos) << m;
  EXPECT_NE(m.find("column 自查得分 (score) is missing"), std::string::npos) << m;
}

TEST(CsvRowsTest, MapsARowToTheEventOfItsTemplate) {
  Header h = HeaderOk("selfcheck", {"部门", "月份", "自查得分", "填报人", "填报日期", "编号"});
  auto c = ConvertRows(*FindTemplate("selfcheck"), h,
                       {Record(2, {"储运中心", "2026年7月", "96.5", "王芳", "2026/8/3", "sc-1"})}, Departments());
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_TRUE(c->errors.empty()) << c->errors[0].message;
  ASSERT_EQ(c->batch.size(), 1u);
  EXPECT_EQ(c->batch[0].where, "CSV line 2");
  EXPECT_EQ(c->batch[0].json, json::parse(R"({"type":"selfcheck.reported","department":"storage","period":"2026-07",
      "occurred_at":"2026-08-03","actor":"王芳","data":{"score":"96.5"},"id":"sc-1"})"));
}

TEST(CsvRowsTest, DerivesTheIdOfARowWithoutOneFromItsNormalisedContent) {
  Header h = HeaderOk("survey", {"部门", "季度", "客户", "得分", "日期", "填报人"});
  const Template& t = *FindTemplate("survey");
  auto a = ConvertRows(t, h, {Record(2, {"storage", "2026Q3", "客户甲", "96.5", "2026-08-03", "工作组"})}, Departments());
  auto b = ConvertRows(t, h, {Record(2, {"储运中心", "2026年第3季度", "客户甲", "96.50", "2026/8/3", "工作组"})}, Departments());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->batch.size(), 1u);
  ASSERT_EQ(b->batch.size(), 1u);
  std::string id(a->batch[0].json.at("id").as_string());
  EXPECT_TRUE(id.starts_with("import-survey-storage-2026Q3-")) << id;
  EXPECT_EQ(b->batch[0].json.at("id"), a->batch[0].json.at("id")) << "the same response spelled otherwise";
}

TEST(CsvRowsTest, AMonthThatCouldBeJanuaryOrOctoberIsRefusedSayingWhy) {
  Header h = HeaderOk("selfcheck", {"部门", "月份", "自查得分", "填报人", "填报日期"});
  auto c = ConvertRows(*FindTemplate("selfcheck"), h, {Record(2, {"storage", "2026.1", "96", "王芳", "2026-11-03"})},
                       Departments());
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->errors.size(), 1u);
  EXPECT_EQ(c->errors[0].message,
            "CSV line 2, column 月份: \"2026.1\" is not a month that can be told apart: January or October? (a "
            "spreadsheet keeps 2026.10, typed as a number, as 2026.1); write 2026-01 or 2026-10");
}

TEST(CsvRowsTest, ReportsEachBadCellOnItsColumnAndLeavesTheRowOut) {
  Header h = HeaderOk("selfcheck", {"部门", "月份", "自查得分", "填报人", "填报日期"});
  auto c = ConvertRows(*FindTemplate("selfcheck"), h,
                       {Record(2, {"nosuch", "July", "101", "", "2026-02-30"}),
                        Record(3, {"storage", "2026-07", "96", "王芳", "2026-08-03", "extra"}),
                        Record(4, {"storage", "2026-08", "95", "王芳", "2026-09-03"})},
                       Departments());
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::vector<std::string> messages;
  for (const auto& e : c->errors) messages.push_back(e.message);
  auto has = [&](const std::string& text) {
    return std::any_of(messages.begin(), messages.end(), [&](const std::string& m) { return m.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("CSV line 2, column 部门: \"nosuch\" is not a department")) << testing::PrintToString(messages);
  EXPECT_TRUE(has("CSV line 2, column 月份: \"July\" is not a month")) << testing::PrintToString(messages);
  EXPECT_TRUE(has("CSV line 2, column 填报人: is required")) << testing::PrintToString(messages);
  EXPECT_TRUE(has("CSV line 2, column 填报日期: \"2026-02-30\" is not a date")) << testing::PrintToString(messages);
  EXPECT_TRUE(has("CSV line 2, column 自查得分: ")) << testing::PrintToString(messages);
  EXPECT_TRUE(has("CSV line 3: 6 fields, but the header (line 1) has 5 columns")) << testing::PrintToString(messages);
  ASSERT_EQ(c->batch.size(), 1u) << "only the good row goes on";
  EXPECT_EQ(c->batch[0].where, "CSV line 4");
}

TEST(CsvRowsTest, TellsTheLedgersStructuredErrorsInTheSpreadsheetsColumns) {
  Header h = HeaderOk("selfcheck", {"部门", "月份", "自查得分", "填报人", "填报日期", "编号"});
  auto departments = Departments();
  auto c = ConvertRows(*FindTemplate("selfcheck"), h,
                       {Record(2, {"storage", "2026-07", "96", "王芳", "2026-08-03", "a"}),
                        Record(5, {"storage", "2026-08", "95", "王芳", "2026-09-03", ""})},
                       departments);
  ASSERT_TRUE(c.ok() && c->errors.empty());
  csv::SourceFile no_source;
  csv::RowConverter converter(*FindTemplate("selfcheck"), h, departments, no_source);
  std::string derived(c->batch[1].json.at("id").as_string());
  AddLedgerErrors(converter, {domain::BatchError{"CSV line 2", true, "a", "period", "quarter 2026Q3 is approved"},
                              domain::BatchError{"CSV line 5", true, derived, "id", "\"" + derived + "\" is voided"},
                              domain::BatchError{"line 9", true, "x", "", "not one of the rows"}},
                  &*c);
  ASSERT_EQ(c->errors.size(), 3u);
  EXPECT_EQ(c->errors[0].message, "CSV line 2, column 月份: quarter 2026Q3 is approved");
  EXPECT_EQ(c->errors[1].message, "CSV line 5: derived id: \"" + derived +
                                      "\" is voided; to record a correction of a voided entry, give the row its own "
                                      "编号 (id)");
  EXPECT_EQ(c->errors[2].message, "line 9: event \"x\": not one of the rows");
}

TEST(CsvRowsTest, KnowsTheDepartmentsOfEveryAdoptedPolicyByCodeAndName) {
  domain::Event e;
  e.seq = 1;
  e.id = "policy-v1";
  e.type = domain::EventType::kPolicyAdopted;
  e.data = json::object{{"version", 1}, {"effective_from", "2013Q3"}, {"policy", domain::DefaultPolicyJson()}};
  auto known = KnownDepartments({e});
  ASSERT_TRUE(known.ok()) << known.status().message();
  EXPECT_EQ(known->size(), 7u);
  EXPECT_EQ(ResolveDepartment(*known, "储运中心"), "storage");
  EXPECT_EQ(ResolveDepartment(*known, "STORAGE"), "storage");
  EXPECT_EQ(ResolveDepartment(*known, "储运"), std::nullopt);
  e.data["policy"] = json::object{{"departments", "none"}};
  EXPECT_EQ(KnownDepartments({e}).status().code(), domain::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace qledger::tools::csv
