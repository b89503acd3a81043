// `qledger import` of .xlsx workbooks: the real binary against a real ledger,
// workbooks written by libxlsxwriter the way Excel stores them (numbers as
// numbers, dates as serials in a date format, text as shared strings).
#include <xlsxwriter.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "csv_reader.h"
#include "import_fixture.h"
#include "qledger_test_support.h"
#include "xlsx_reader.h"

namespace qledger::testing {
namespace {

namespace json = boost::json;

// A cell of a test sheet: text, a number, or a date-time in a date format.
struct Cell {
  enum Kind { kText, kNumber, kDate, kDateTime } kind = kText;
  std::string text;
  double number = 0;
  lxw_datetime when{};
};
Cell T(std::string s) { return Cell{Cell::kText, std::move(s), 0, {}}; }
Cell N(double n) { return Cell{Cell::kNumber, "", n, {}}; }
Cell D(int y, int m, int d) { return Cell{Cell::kDate, "", 0, {y, m, d, 0, 0, 0}}; }
Cell DT(int y, int m, int d, int hh, int mm) { return Cell{Cell::kDateTime, "", 0, {y, m, d, hh, mm, 0}}; }

using Sheet = std::pair<std::string, std::vector<std::vector<Cell>>>;

void WriteWorkbook(const std::string& path, const std::vector<Sheet>& sheets) {
  lxw_workbook* wb = workbook_new(path.c_str());
  ASSERT_NE(wb, nullptr);
  lxw_format* date = workbook_add_format(wb);
  format_set_num_format(date, "yyyy-mm-dd");
  lxw_format* date_time = workbook_add_format(wb);
  format_set_num_format(date_time, "yyyy-mm-dd hh:mm");
  for (const auto& [name, rows] : sheets) {
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    for (size_t r = 0; r < rows.size(); ++r) {
      for (size_t c = 0; c < rows[r].size(); ++c) {
        const Cell& cell = rows[r][c];
        auto row = static_cast<lxw_row_t>(r);
        auto col = static_cast<lxw_col_t>(c);
        switch (cell.kind) {
          case Cell::kText:
            if (!cell.text.empty()) worksheet_write_string(ws, row, col, cell.text.c_str(), nullptr);
            break;
          case Cell::kNumber: worksheet_write_number(ws, row, col, cell.number, nullptr); break;
          case Cell::kDate: {
            lxw_datetime when = cell.when;
            worksheet_write_datetime(ws, row, col, &when, date);
            break;
          }
          case Cell::kDateTime: {
            lxw_datetime when = cell.when;
            worksheet_write_datetime(ws, row, col, &when, date_time);
            break;
          }
        }
      }
    }
  }
  ASSERT_EQ(workbook_close(wb), LXW_NO_ERROR);
}

std::vector<Cell> SelfcheckHeader() {
  return {T("部门"), T("月份"), T("自查得分"), T("填报人"), T("填报日期")};
}

using XlsxImportTest = ImportFixture;

TEST_F(XlsxImportTest, ASelfcheckWorkbookBecomesTheEventsItsCsvWouldAndRecordsSheetAndRow) {
  std::string file = dir_.Sub("自查2026Q3.xlsx");
  // A number cell and a real date cell, as Excel stores what a clerk types.
  WriteWorkbook(file, {{"自查", {SelfcheckHeader(),
                                 {T("储运中心"), T("2026-07"), N(96.5), T("储运中心/质量管理员"), D(2026, 8, 3)},
                                 {},  // an empty row is skipped, and row numbers stay the sheet's
                                 {T("storage"), T("2026年8月"), N(97), T("储运中心/质量管理员"), D(2026, 9, 3)}}}});
  RunResult r = ImportFile("selfcheck", file);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("read sheet 自查"), std::string::npos) << r.Describe();
  EXPECT_EQ(json::parse(r.out).at("appended"), 2);
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("id"), "import-selfcheck-storage-2026-07");
  EXPECT_EQ(events[0].at("occurred_at"), "2026-08-03");
  EXPECT_EQ(events[0].at("data"), (json::object{{"score", "96.50"}}));
  RunResult sum = RunProgram("/usr/bin/sha256sum", {file});
  ASSERT_EQ(sum.exit_code, 0) << sum.Describe();
  EXPECT_EQ(events[0].at("source"), (json::object{{"file", "自查2026Q3.xlsx"},
                                                  {"sha256", sum.out.substr(0, 64)},
                                                  {"sheet", "自查"},
                                                  {"row", 2}}));
  EXPECT_EQ(events[1].at("period"), "2026-08");
  EXPECT_EQ(events[1].at("source").at("row"), 4);
  // The derivation says where the fact came from, in the sheet's terms.
  RunResult d = RunQledger({"replay", "--data", ledger_, "--quarter", "2026Q3", "--department", "storage"});
  EXPECT_NE(d.out.find("来自 自查2026Q3.xlsx 自查 第2行"), std::string::npos) << d.out;
  // Importing the same workbook again appends nothing.
  RunResult again = ImportFile("selfcheck", file);
  ASSERT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_EQ(json::parse(again.out).at("appended"), 0);
  EXPECT_EQ(json::parse(again.out).at("duplicates"), 2);
}

TEST_F(XlsxImportTest, ErrorsNameTheSheetAndTheCellAndNothingIsAppended) {
  std::string file = dir_.Sub("bad.xlsx");
  WriteWorkbook(file, {{"自查", {SelfcheckHeader(),
                                 {T("储运中心"), T("2026-07"), N(96), T("a"), D(2026, 8, 3)},
                                 {T("储运中心"), T("2026-08"), N(101), T("a"), D(2026, 9, 3)},
                                 {T("财务部"), T("2026-09"), N(90), T("a"), D(2026, 10, 3)}}}});
  std::string before = Export();
  RunResult r = ImportFile("selfcheck", file);
  ExpectRejected(r, "自查!C3, column 自查得分: 101.00 is above 100.00", before);
  EXPECT_NE(r.err.find("自查!A4, column 部门"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("nothing was appended"), std::string::npos) << r.Describe();
}

TEST_F(XlsxImportTest, SheetPicksTheSheetAndAnUnknownOneListsThem) {
  std::string file = dir_.Sub("book.xlsx");
  WriteWorkbook(file, {{"说明", {{T("填写说明")}}},
                       {"自查", {SelfcheckHeader(), {T("储运中心"), T("2026-07"), N(96), T("a"), D(2026, 8, 3)}}}});
  std::string before = Export();
  // The first sheet is the notes: its header is not the template's.
  RunResult first = ImportFile("selfcheck", file);
  EXPECT_EQ(first.exit_code, 3) << first.Describe();
  EXPECT_EQ(Export(), before);
  RunResult unknown = ImportFile("selfcheck", file, {"--sheet", "抽查"});
  ExpectRejected(unknown, "--sheet: the workbook has no sheet \"抽查\" (its sheets: 说明, 自查)", before);
  RunResult chosen = ImportFile("selfcheck", file, {"--sheet", "自查"});
  ASSERT_EQ(chosen.exit_code, 0) << chosen.Describe();
  EXPECT_EQ(EventsAfter(1).at(0).at("source").at("sheet"), "自查");
}

TEST_F(XlsxImportTest, AComplaintsDateTimeCellIsReadAsTheClerkTypedIt) {
  std::string file = dir_.Sub("投诉.xlsx");
  WriteWorkbook(file, {{"投诉", {{T("部门"), T("季度"), T("受理时间"), T("渠道"), T("投诉内容"), T("记录日期"), T("记录人")},
                                 {T("物流业务部"), T("2026Q4"), DT(2026, 12, 3, 9, 30), T("投诉电话"), T("车辆晚到"),
                                  D(2026, 12, 3), T("投诉受理")}}}});
  RunResult r = ImportFile("complaint", file);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto events = EventsAfter(1);
  ASSERT_EQ(events.size(), 1u);
  // Zoneless, as typed: read in the ledger's zone (Asia/Shanghai) wherever
  // it is used, and stored as the clerk's own spelling would be.
  EXPECT_EQ(events[0].at("data").at("received_at"), "2026-12-03T09:30");
  EXPECT_EQ(events[0].at("source").at("sheet"), "投诉");
}

TEST_F(XlsxImportTest, AFileThatIsNotAWorkbookOrASheetOptionOnCsvIsRefused) {
  std::string before = Export();
  std::string broken = dir_.Sub("broken.xlsx");
  WriteFile(broken, std::string("PK\x03\x04", 4) + "not really a zip file");
  ExpectRejected(ImportFile("selfcheck", broken), "broken.xlsx: not a readable .xlsx workbook", before);
  std::string csv = dir_.Sub("a.csv");
  WriteFile(csv, "部门,月份,自查得分,填报人,填报日期\n储运中心,2026-07,96,a,2026-08-03\n");
  ExpectRejected(ImportFile("selfcheck", csv, {"--sheet", "自查"}), "--sheet is for an .xlsx workbook", before);
  // A zip bomb: a part that would expand to 65 MiB is refused, not unpacked.
  std::string bomb = dir_.Sub("bomb.xlsx");
  RunResult made = RunProgram("/usr/bin/python3", {"-c",
      "import sys, zipfile\n"
      "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "    z.writestr('xl/workbook.xml', b'<workbook>' + b' ' * (65 << 20) + b'</workbook>')\n", bomb});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  ExpectRejected(ImportFile("selfcheck", bomb), "xl/workbook.xml: 68157461 bytes uncompressed, over the 64 MiB a part may have",
                 before);
  // Standard input is CSV only: a workbook needs its file.
  RunResult stdin_book = RunQledger({"import", "--data", ledger_, "--kind", "selfcheck", "-"}, std::string("PK\x03\x04", 4));
  EXPECT_EQ(stdin_book.exit_code, 3) << stdin_book.Describe();
  EXPECT_NE(stdin_book.err.find("not from standard input"), std::string::npos) << stdin_book.Describe();
}

// What the product writes as xlsx reads back as its CSV, cell for cell,
// with the numbers typed as numbers and the header frozen.
TEST_F(XlsxImportTest, ScoresWrittenAsXlsxReadBackAsTheirCsvWithTypedNumbers) {
  RunResult demo = RunQledger({"append", "--data", ledger_, SourcePath("config/demo/events.jsonl")});
  ASSERT_EQ(demo.exit_code, 0) << demo.Describe();
  for (const char* lang : {"zh", "en"}) {
    std::string book = dir_.Sub(std::string("scores-") + lang + ".xlsx");
    RunResult x = RunQledger({"scores", "--data", ledger_, "--quarter", "2026Q4", "--format", "xlsx", "--out", book,
                              "--lang", lang});
    ASSERT_EQ(x.exit_code, 0) << x.Describe();
    EXPECT_EQ(x.out, "");
    RunResult csv = RunQledger({"scores", "--data", ledger_, "--quarter", "2026Q4", "--format", "csv", "--lang", lang});
    ASSERT_EQ(csv.exit_code, 0) << csv.Describe();
    auto sheet = tools::xlsx::ReadSheet(book, "");
    ASSERT_TRUE(sheet.ok()) << sheet.status().message();
    auto records = tools::csv::ReadCsv(std::string_view(csv.out).substr(3));  // after the BOM
    ASSERT_TRUE(records.ok());
    ASSERT_EQ(sheet->records.size(), records->size());
    for (size_t i = 0; i < records->size(); ++i) {
      std::vector<std::string> cells = sheet->records[i].fields;
      cells.resize((*records)[i].fields.size());  // a missing survey is an empty cell at the end or inside
      // A typed 100.00 reads back as 100: compare the numbers as numbers.
      for (size_t c = 0; c < cells.size(); ++c) {
        const std::string& want = (*records)[i].fields[c];
        char* end = nullptr;
        double w = std::strtod(want.c_str(), &end);
        if (!want.empty() && *end == '\0' && i > 0) EXPECT_DOUBLE_EQ(std::strtod(cells[c].c_str(), nullptr), w) << want;
        else EXPECT_EQ(cells[c], want) << "row " << i << " column " << c;
      }
    }
  }
  std::string book = dir_.Sub("scores-zh.xlsx");
  RunResult xml = RunProgram("/usr/bin/python3", {"-c",
      "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode())", book});
  ASSERT_EQ(xml.exit_code, 0) << xml.Describe();
  EXPECT_NE(xml.out.find("<pane ySplit=\"1\""), std::string::npos) << "header row frozen\n" << xml.out;
  EXPECT_NE(xml.out.find("<c r=\"D2\" s=\""), std::string::npos) << xml.out;
  EXPECT_EQ(xml.out.find("<c r=\"D2\" t=\"s\""), std::string::npos) << "D2 (自查) is a number, not text";
  // A pipe gets the workbook's bytes; a terminal gets none: xlsx without
  // --out is refused there with a usage error, and nothing is written.
  RunResult piped = RunQledger({"scores", "--data", ledger_, "--quarter", "2026Q4", "--format", "xlsx"});
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_TRUE(piped.out.starts_with("PK")) << piped.Describe();
  RunResult tty = RunProgram("/usr/bin/python3", {"-c",
      "import os, pty, sys\n"
      "pid, fd = pty.fork()\n"
      "if pid == 0:\n"
      "    os.execv(sys.argv[1], sys.argv[1:])\n"
      "out = b''\n"
      "while True:\n"
      "    try:\n"
      "        chunk = os.read(fd, 4096)\n"
      "    except OSError:\n"
      "        break\n"
      "    if not chunk:\n"
      "        break\n"
      "    out += chunk\n"
      "_, status = os.waitpid(pid, 0)\n"
      "sys.stdout.write(out.decode(errors='replace'))\n"
      "sys.exit(os.waitstatus_to_exitcode(status))\n",
      QLEDGER_BINARY, "scores", "--data", ledger_, "--quarter", "2026Q4", "--format", "xlsx"});
  EXPECT_EQ(tty.exit_code, 2) << tty.Describe();
  EXPECT_NE(tty.out.find("an xlsx workbook is binary: give --out FILE.xlsx or redirect the output"), std::string::npos)
      << tty.Describe();
  EXPECT_EQ(tty.out.find("PK"), std::string::npos) << tty.Describe();
  // --out into a directory that is not there: refused, nothing left behind.
  std::string missing = dir_.Sub("no-such-dir/scores.xlsx");
  RunResult nowhere = RunQledger({"scores", "--data", ledger_, "--quarter", "2026Q4", "--format", "xlsx", "--out", missing});
  EXPECT_EQ(nowhere.exit_code, 1) << nowhere.Describe();
  EXPECT_NE(nowhere.err.find("cannot write " + missing + ".tmp"), std::string::npos) << nowhere.Describe();
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("no-such-dir"))) << "nothing is created";
}

}  // namespace
}  // namespace qledger::testing
