// The CSV reader and the cell formats (tools/csv_reader.h), as functions of
// their text.
#include "csv_reader.h"

#include <gtest/gtest.h>

#include <string>

namespace qledger::tools::csv {
namespace {

TEST(CsvReaderTest, ReadsQuotedFieldsDoubledQuotesAndEveryLineBreak) {
  auto r = ReadCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\nd,\"e\nf\",g\rh,i,j\n");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].fields, (std::vector<std::string>{"a", "b,c", "say \"hi\""}));
  EXPECT_EQ((*r)[1].line, 2);
  EXPECT_EQ((*r)[1].fields, (std::vector<std::string>{"d", "e\nf", "g"}));
  EXPECT_EQ((*r)[2].line, 4) << "the line after a quoted line break is counted";
}

TEST(CsvReaderTest, SkipsBlankRecordsAndKeepsATrailingRecordWithoutNewline) {
  auto r = ReadCsv("\n , ,\nx,y");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].line, 3);
  EXPECT_EQ((*r)[0].fields, (std::vector<std::string>{"x", "y"}));
}

TEST(CsvReaderTest, RefusesQuotesOutOfPlaceNamingTheLine) {
  auto unclosed = ReadCsv("a,b\nc,\"d\n");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_EQ(unclosed.status().message(), "CSV line 2: the quoted field that begins here is never closed");
  auto inside = ReadCsv("a,b\"c\n");
  ASSERT_FALSE(inside.ok());
  EXPECT_NE(inside.status().message().find("CSV line 1: a quote (\") inside an unquoted field"), std::string::npos);
  auto after = ReadCsv("\"a\"x,b\n");
  ASSERT_FALSE(after.ok());
  EXPECT_NE(after.status().message().find("must end at a comma"), std::string::npos);
}

TEST(CsvReaderTest, CheckUtf8NamesTheFirstBadLine) {
  EXPECT_TRUE(CheckUtf8("部门\n储运中心\n").ok());
  domain::Status bad = CheckUtf8("部门\r\nok\r\n\xB4\xA2\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("CSV line 3: not valid UTF-8"), std::string::npos) << bad.message();
  EXPECT_FALSE(CheckUtf8("\xED\xA0\x80").ok()) << "a surrogate";
  EXPECT_FALSE(CheckUtf8("\xC0\xAF").ok()) << "an overlong form";
}

TEST(CsvReaderTest, TrimRemovesAsciiAndIdeographicSpaces) {
  EXPECT_EQ(Trim(" \t\u3000储运中心\u3000 \r"), "储运中心");
  EXPECT_EQ(Trim("\u3000"), "");
}

TEST(CellFormatsTest, MonthsInTheirSpellings) {
  for (const char* s : {"2026-07", "2026-7", "2026/7", "2026.07", "2026年7月", "2026 年 7 月", "2026 - 07"}) {
    EXPECT_EQ(NormalizeMonth(s), "2026-07") << s;
  }
  // January, or October kept by a spreadsheet as the number 2026.1: not guessed.
  EXPECT_EQ(NormalizeMonth("2026.1"), std::nullopt);
  EXPECT_EQ(NormalizeMonth("2026.01"), "2026-01");
  EXPECT_EQ(NormalizeMonth("2026.10"), "2026-10");
  EXPECT_EQ(NormalizeMonth("2026-1"), "2026-01");
  for (const char* s : {"2026-13", "2026-0", "26-07", "2026-007", "2026-07x", "2026年7", "", "2026 07"}) {
    if (std::string(s) == "2026年7") {
      EXPECT_EQ(NormalizeMonth(s), "2026-07") << "月 is optional";
      continue;
    }
    EXPECT_EQ(NormalizeMonth(s), std::nullopt) << s;
  }
}

TEST(CellFormatsTest, QuartersInTheirSpellings) {
  for (const char* s : {"2026Q3", "2026q3", "2026-Q3", "2026 - q 3", "2026年第3季度", "2026年第三季度", "2026年3季",
                        "2026年三季度", "2026年 第 3 季度"}) {
    EXPECT_EQ(NormalizeQuarter(s), "2026Q3") << s;
  }
  EXPECT_EQ(NormalizeQuarter("2026年第一季度"), "2026Q1");
  EXPECT_EQ(NormalizeQuarter("2026年四季"), "2026Q4");
  for (const char* s : {"2026Q5", "2026Q", "Q3", "2026年第五季度", "2026Q3季度", "2026-Q3-", "2026 Q3 x"}) {
    EXPECT_EQ(NormalizeQuarter(s), std::nullopt) << s;
  }
}

TEST(CellFormatsTest, DatesAndDateTimesInTheirSpellings) {
  EXPECT_EQ(NormalizeDate("2026-08-03"), "2026-08-03");
  EXPECT_EQ(NormalizeDate("2026/8/3"), "2026-08-03");
  EXPECT_EQ(NormalizeDate("2026.8.3"), "2026-08-03");
  EXPECT_EQ(NormalizeDate("2026年8月3日"), "2026-08-03");
  EXPECT_EQ(NormalizeDate("2026-02-30"), std::nullopt) << "not a real date";
  EXPECT_EQ(NormalizeDate("2026-08-03 09:30"), std::nullopt);
  EXPECT_EQ(NormalizeDateTime("2026-08-14 09:30"), "2026-08-14T09:30");
  EXPECT_EQ(NormalizeDateTime("2026/8/14 9:30:05"), "2026-08-14T09:30:05");
  EXPECT_EQ(NormalizeDateTime("2026-08-14T09:30+08:00"), "2026-08-14T09:30+08:00");
  EXPECT_EQ(NormalizeDateTime("2026-08-14 09:30 +0800"), "2026-08-14T09:30+08:00");
  EXPECT_EQ(NormalizeDateTime("2026-08-14T09:30Z"), "2026-08-14T09:30Z");
  EXPECT_EQ(NormalizeDateTime("2026年8月14日 09:30"), "2026-08-14T09:30");
  EXPECT_EQ(NormalizeDateTime("2026-08-1409:30"), std::nullopt) << "no separator";
  EXPECT_EQ(NormalizeDateTime("2026-08-14 9:3"), std::nullopt);
  EXPECT_EQ(NormalizeDateTime("2026-08-14 25:00"), std::nullopt);
}

TEST(CellFormatsTest, LongCellsAreNoneOfTheFormatsAndAreReadInLinearTime) {
  // A cell of 40,000 spaces once overflowed the stack of std::regex.
  const std::string spaces(40000, ' ');
  EXPECT_EQ(NormalizeMonth("2026" + spaces + "-07"), std::nullopt);
  EXPECT_EQ(NormalizeQuarter("2026" + spaces + "Q3"), std::nullopt);
  EXPECT_EQ(NormalizeDate("2026" + spaces + "-08-03"), std::nullopt);
  EXPECT_EQ(NormalizeDateTime("2026-08-03" + spaces + "09:30"), std::nullopt);
  auto r = ReadCsv(std::string(1'000'000, ' ') + "\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace qledger::tools::csv
