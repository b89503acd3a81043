// The spreadsheet side of `qledger import`: CSV as RFC 4180 (UTF-8 checked
// line by line); the cell formats people type (dates, months, quarters,
// date-times in several spellings) are domain/spelling.h's. Pure functions of their text, linear in
// it whatever it holds (they read bytes from outside: fuzz/csv_fuzz.cc).
#ifndef QLEDGER_TOOLS_CSV_READER_H_
#define QLEDGER_TOOLS_CSV_READER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/domain/spelling.h"
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

// The cell formats are the spellings people type anywhere (domain/spelling.h).
using domain::NormalizeDate;
using domain::NormalizeDateTime;
using domain::NormalizeMonth;
using domain::NormalizeQuarter;

}  // namespace qledger::tools::csv

#endif  // QLEDGER_TOOLS_CSV_READER_H_
