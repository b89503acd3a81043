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

// "CSV line 4, column 自查得分: why", or "CSV line 4: why" without a column;
// for a worksheet (LocateInSheet) "自查!C7, column 自查得分: why" and
// "自查 row 7: why".
std::string At(int line, std::string_view column, std::string_view why);

// Makes At name the cells of worksheet `sheet`, whose header row holds
// `columns` as written (trimmed). One import runs per process: the CLI sets
// it once, before the rows are read.
void LocateInSheet(std::string sheet, std::vector<std::string> columns);

// A spreadsheet's column name: "A" for index 0, "C" for 2, "AA" for 26.
std::string ColumnLetters(size_t column);

// s without surrounding ASCII white space and ideographic spaces (U+3000),
// which Chinese input methods leave behind.
std::string Trim(std::string_view s);

std::string AsciiLower(std::string_view s);

// The encodings a spreadsheet's CSV comes in: UTF-8 (with or without a BOM)
// and GB18030 (what Excel on Chinese Windows saves as "CSV"; GBK is a subset).
enum class Encoding { kAuto, kUtf8, kGb18030 };

// "auto", "utf-8"/"utf8", "gb18030"/"gbk"/"gb2312" (any case); nullopt else.
std::optional<Encoding> ParseEncoding(std::string_view name);

struct Decoded {
  std::string utf8;   // the text as UTF-8, without a BOM
  std::string used;   // "UTF-8 (BOM)", "UTF-8" or "GB18030"
};

// The bytes of a file as UTF-8 text. kAuto: a UTF-8 BOM, else strict UTF-8,
// else GB18030. Forced UTF-8 that is not is refused naming the first bad
// line (CheckUtf8); GB18030 that does not convert is refused naming the line
// (iconv, glibc).
domain::Result<Decoded> Decode(std::string_view bytes, Encoding encoding);
// The same on *text itself (a large file is not copied when it is UTF-8
// already); returns the encoding used. *text is unchanged on an error.
domain::Result<std::string> DecodeInPlace(std::string* text, Encoding encoding);

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

// The same records one at a time, for a file too large to hold as records.
class CsvCursor {
 public:
  explicit CsvCursor(std::string_view text) : text_(text) {}
  // The next record into *out (true), or false at the end of the text.
  domain::Result<bool> Next(CsvRecord* out);

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
};

// The cell formats are the spellings people type anywhere (domain/spelling.h).
using domain::NormalizeDate;
using domain::NormalizeDateTime;
using domain::NormalizeMonth;
using domain::NormalizeQuarter;

}  // namespace qledger::tools::csv

#endif  // QLEDGER_TOOLS_CSV_READER_H_
