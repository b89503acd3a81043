// The .xlsx side of `qledger import` (SPEC §6): one worksheet of an Office
// Open XML workbook read as the same records a CSV file gives, with minizip
// for the zip container and expat for its XML parts. Cells are their text
// as a person sees it: shared and inline strings, numbers in plain decimal
// (up to 15 significant digits), booleans as TRUE/FALSE, and numbers in a
// date or time format as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (the
// workbook's 1900 or 1904 date system; no zone: the ledger's applies).
#ifndef QLEDGER_TOOLS_XLSX_READER_H_
#define QLEDGER_TOOLS_XLSX_READER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "csv_reader.h"
#include "qledger/domain/status.h"

namespace qledger::tools::xlsx {

struct Sheet {
  std::string name;
  std::vector<csv::CsvRecord> records;  // line = the sheet's row number; empty rows skipped
};

// True when bytes begin like a zip file (an .xlsx is one).
bool LooksLikeZip(std::string_view bytes);

// The sheet called `sheet` of the workbook at path, or its first sheet when
// `sheet` is "". InvalidArgument naming the part when the file is not a
// workbook or a part is malformed, and listing the sheets when `sheet` is
// not one of them. Parts are bounded (64 MiB uncompressed each) so that a
// zip bomb is refused, not expanded.
domain::Result<Sheet> ReadSheet(const std::string& path, const std::string& sheet);

// A part of the workbook by its path in the zip ("xl/workbook.xml"); nullopt
// when there is none.
using PartReader = std::function<domain::Result<std::optional<std::string>>(const std::string& name)>;

// The same from the parts `read` gives (the zip container's, or a fuzz
// harness's): the XML side alone.
domain::Result<Sheet> ReadSheetFrom(const PartReader& read, const std::string& sheet);

// "C7" for row 7, column index 2.
std::string CellName(int row, size_t column);

}  // namespace qledger::tools::xlsx

#endif  // QLEDGER_TOOLS_XLSX_READER_H_
