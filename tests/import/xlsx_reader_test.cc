// The XML side of the .xlsx reader as a function (no zip, no binary): what a
// cell reads as, for the kinds of cells Excel writes.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "xlsx_reader.h"

namespace qledger::tools::xlsx {
namespace {

constexpr const char* kWorkbook =
    R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" )"
    R"(xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">%PR%)"
    R"(<sheets><sheet name="说明" sheetId="1" r:id="rId1"/><sheet name="自查" sheetId="2" r:id="rId2"/></sheets></workbook>)";
constexpr const char* kRels =
    R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)"
    R"(<Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>)";
constexpr const char* kStrings =
    R"(<sst><si><t>部门</t></si><si><r><t>储运</t></r><r><t>中心</t></r><rPh><t>chuyun</t></rPh></si></sst>)";
constexpr const char* kStyles =
    R"(<styleSheet><numFmts><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;"/>)"
    R"(<numFmt numFmtId="165" formatCode="[Red]0.00"/><numFmt numFmtId="166" formatCode="yyyy-mm-dd hh:mm"/></numFmts>)"
    R"(<cellStyleXfs><xf numFmtId="14"/></cellStyleXfs>)"
    R"(<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/></cellXfs></styleSheet>)";
constexpr const char* kSheet2 =
    R"(<worksheet><sheetData>)"
    R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="inlineStr"><is><t>备注</t></is></c></row>)"
    R"(<row r="2"/>)"
    R"(<row r="4"><c r="A4" t="s"><v>1</v></c><c r="B4" s="1"><v>46270</v></c><c r="C4" s="2"><v>46270</v></c>)"
    R"(<c r="D4" s="3"><v>96.499999999999986</v></c><c r="E4" s="4"><v>46270.395833333336</v></c><c t="b"><v>1</v></c></row>)"
    R"(</sheetData></worksheet>)";

std::string WithPr(const std::string& pr) {
  std::string wb = kWorkbook;
  return wb.replace(wb.find("%PR%"), 4, pr);
}

PartReader Parts(std::map<std::string, std::string> parts) {
  return [parts](const std::string& name) -> domain::Result<std::optional<std::string>> {
    auto it = parts.find(name);
    if (it == parts.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  };
}

std::map<std::string, std::string> Book(const std::string& pr = "") {
  return {{"xl/workbook.xml", WithPr(pr)},
          {"xl/_rels/workbook.xml.rels", kRels},
          {"xl/sharedStrings.xml", kStrings},
          {"xl/styles.xml", kStyles},
          {"xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>"},
          {"xl/worksheets/sheet2.xml", kSheet2}};
}

// The sheet 自查 of the workbook Book() with its XML replaced by sheet_xml.
domain::Result<Sheet> ReadSheetXml(const std::string& sheet_xml) {
  auto book = Book();
  book["xl/worksheets/sheet2.xml"] = sheet_xml;
  return ReadSheetFrom(Parts(book), "自查");
}

TEST(XlsxReaderTest, CellsReadAsExcelShowsThem) {
  auto sheet = ReadSheetFrom(Parts(Book()), "自查");
  ASSERT_TRUE(sheet.ok()) << sheet.status().message();
  EXPECT_EQ(sheet->name, "自查");
  ASSERT_EQ(sheet->records.size(), 2u);  // the empty row 2 is skipped
  EXPECT_EQ(sheet->records[0].line, 1);
  // Every row as wide as the widest (row 4's six cells): the cells Excel
  // did not write are empty.
  EXPECT_EQ(sheet->records[0].fields, (std::vector<std::string>{"部门", "", "备注", "", "", ""}));
  EXPECT_EQ(sheet->records[1].line, 4);  // the sheet's own row number
  // Rich text joined, the phonetic guide left out; serial 46270 = 2026-09-05
  // as a date, as a month (yyyy年m月), a float's noise rounded to 15
  // digits, a date-time to the minute, a boolean after the last addressed cell.
  EXPECT_EQ(sheet->records[1].fields,
            (std::vector<std::string>{"储运中心", "2026-09-05", "2026-09", "96.5", "2026-09-05 09:30", "TRUE"}));
}

// Excel writes no element for an empty cell: a row whose last cells are
// empty is as wide as its header all the same, and a row of nothing but
// spaces is blank, as in a CSV file.
TEST(XlsxReaderTest, ARowWithoutItsLastCellsIsAsWideAsTheSheetAndARowOfSpacesIsBlank) {
  auto sheet = ReadSheetXml(
      "<worksheet><sheetData>"
      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>b</t></is></c>"
      "<c r=\"C1\" t=\"inlineStr\"><is><t>c</t></is></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>x</t></is></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t xml:space=\"preserve\"> </t></is></c>"
      "<c r=\"B3\" t=\"inlineStr\"><is><t>\u3000</t></is></c></row>"
      "</sheetData></worksheet>");
  ASSERT_TRUE(sheet.ok()) << sheet.status().message();
  ASSERT_EQ(sheet->records.size(), 2u);
  EXPECT_EQ(sheet->records[1].line, 2);
  EXPECT_EQ(sheet->records[1].fields, (std::vector<std::string>{"x", "", ""}));
}

// Strict Open XML writes a date as an ISO 8601 cell (t="d"): read as Excel
// shows it, a date at midnight as the date.
TEST(XlsxReaderTest, IsoDateCellsAreReadAsDatesOrDateTimes) {
  auto sheet = ReadSheetXml(
      "<worksheet><sheetData><row r=\"1\">"
      "<c r=\"A1\" t=\"d\"><v>2026-08-03T00:00:00</v></c>"
      "<c r=\"B1\" t=\"d\"><v>2026-08-03T00:00:00.000</v></c>"
      "<c r=\"C1\" t=\"d\"><v>2026-08-14T09:30:00</v></c>"
      "<c r=\"D1\" t=\"d\"><v>2026-08-14T09:30:05.000Z</v></c>"
      "<c r=\"E1\" t=\"d\"><v>2026-08-03</v></c>"
      "<c r=\"F1\" t=\"d\"><v>2026-08-03T00:00:00Z</v></c>"
      "</row></sheetData></worksheet>");
  ASSERT_TRUE(sheet.ok()) << sheet.status().message();
  ASSERT_EQ(sheet->records.size(), 1u);
  EXPECT_EQ(sheet->records[0].fields, (std::vector<std::string>{"2026-08-03", "2026-08-03", "2026-08-14T09:30:00",
                                                                 "2026-08-14T09:30:05Z", "2026-08-03", "2026-08-03"}));
  EXPECT_EQ(csv::NormalizeDate(sheet->records[0].fields[0]), "2026-08-03");
  EXPECT_TRUE(csv::NormalizeDateTime(sheet->records[0].fields[3]).has_value());
}

// A workbook never declares a document type; one that does (entities, an
// external one left out of a cell without a word) is refused.
TEST(XlsxReaderTest, ADocumentTypeDeclarationIsRefused) {
  auto sheet = ReadSheetXml(
      "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY e SYSTEM \"file:///etc/hostname\">]>"
      "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id-&e;-x</t></is></c></row>"
      "</sheetData></worksheet>");
  ASSERT_FALSE(sheet.ok());
  EXPECT_EQ(sheet.status().message(),
            "xl/worksheets/sheet2.xml: has a document type declaration (<!DOCTYPE>, entities) at line 1, which a "
            "workbook never has; it is not read");
}

TEST(XlsxReaderTest, TheFirstSheetByDefaultAndThe1904DateSystem) {
  auto first = ReadSheetFrom(Parts(Book()), "");
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_EQ(first->name, "说明");
  EXPECT_TRUE(first->records.empty());
  auto mac = ReadSheetFrom(Parts(Book(R"(<workbookPr date1904="1"/>)")), "自查");
  ASSERT_TRUE(mac.ok()) << mac.status().message();
  EXPECT_EQ(mac->records[1].fields[1], "2030-09-06");  // 46270 days after 1904-01-01
}

TEST(XlsxReaderTest, DamageIsRefusedNamingThePartOrTheCell) {
  auto book = Book();
  book["xl/worksheets/sheet2.xml"] = "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row>";
  auto truncated = ReadSheetFrom(Parts(book), "自查");
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("xl/worksheets/sheet2.xml: not well-formed XML"), std::string::npos)
      << truncated.status().message();

  book["xl/worksheets/sheet2.xml"] = "<worksheet><sheetData><row r=\"3\"><c r=\"B3\" t=\"s\"><v>7</v></c></row></sheetData></worksheet>";
  auto dangling = ReadSheetFrom(Parts(book), "自查");
  ASSERT_FALSE(dangling.ok());
  EXPECT_EQ(dangling.status().message(), "自查: cell B3 points at shared string 7, which is not there");

  book["xl/worksheets/sheet2.xml"] = "<worksheet><sheetData><row r=\"3\"><c r=\"ZZZZ3\"><v>1</v></c></row></sheetData></worksheet>";
  auto wide = ReadSheetFrom(Parts(book), "自查");
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("outside Excel's columns"), std::string::npos) << wide.status().message();

  auto no_workbook = Book();
  no_workbook.erase("xl/workbook.xml");
  auto none = ReadSheetFrom(Parts(no_workbook), "");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().message(), "not an .xlsx workbook: it has no xl/workbook.xml");

  auto unknown = ReadSheetFrom(Parts(Book()), "抽查");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "--sheet: the workbook has no sheet \"抽查\" (its sheets: 说明, 自查)");
}

}  // namespace
}  // namespace qledger::tools::xlsx
