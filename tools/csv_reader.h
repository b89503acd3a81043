// The spreadsheet side of `qledger import`: CSV as RFC 4180 (UTF-8 checked
// line by line) and the cell formats people type (dates, months, quarters,
// date-times in several spellings). Pure functions of their text, linear in
// it whatever it holds (they read bytes from outside: fuzz/csv_fuzz.cc).
#ifndef QLEDGER_TOOLS_CSV_READER_H_
#define QLEDGER_TOOLS_CSV_READER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/domain/status.h"

namespace qledger::tools::csv {

// "CSV line 4, column 自查得分: why", or "CSV line 4: why" without a column.
std::string At(int line, std::string_view column, std::string_view why);

// s without surrounding ASCII white space and ideographic spaces (U+3000),
// which Chinese input methods leave behind.
std::string Trim(std::string_view s);

std::string AsciiLower(std::string_view s);

// OK if every physical line of text is valid UTF-8; else InvalidArgument
// naming the first bad line (spreadsheets saved as plain "CSV" on a Chinese
// Windows are GBK).
domain::Status CheckUtf8(std::string_view text);

struct CsvRecord {
  int line = 0;  // the physical line the record starts on
  std::vector<std::string> fields;
};

// The records of text (RFC 4180: commas, CRLF or LF or CR, double quotes
// with doubled quotes inside; a line break inside quotes is kept as LF).
// Blank records are skipped. InvalidArgument naming the line of a quote out
// of place or never closed.
domain::Result<std::vector<CsvRecord>> ReadCsv(std::string_view text);

// Cell formats: the canonical form, or nullopt when the cell has none of the
// accepted shapes (docs/import.md). Cells longer than 64 bytes have none.
// "2026-07", "2026-7", "2026/7", "2026.07", "2026年7月" -> "2026-07".
std::optional<std::string> NormalizeMonth(const std::string& s);
// "2026Q3", "2026q3", "2026-Q3", "2026年第3季度", "2026年第三季度", "2026年3季" -> "2026Q3".
std::optional<std::string> NormalizeQuarter(const std::string& s);
// "2026-08-03", "2026/8/3", "2026.8.3", "2026年8月3日" -> "2026-08-03" (a real date).
std::optional<std::string> NormalizeDate(const std::string& s);
// "2026-08-14 09:30", "2026/8/14 9:30:05", "2026-08-14T09:30+08:00" ->
// "2026-08-14T09:30", "2026-08-14T09:30:05", "2026-08-14T09:30+08:00".
std::optional<std::string> NormalizeDateTime(const std::string& s);

}  // namespace qledger::tools::csv

#endif  // QLEDGER_TOOLS_CSV_READER_H_
