// The spreadsheet templates of `qledger import` (docs/import.md): for each
// kind (selfcheck, spotcheck, survey, complaint) the event type it records
// and its columns, each with its English and Chinese name; and the header
// row of a file matched against them.
#ifndef QLEDGER_TOOLS_CSV_TEMPLATES_H_
#define QLEDGER_TOOLS_CSV_TEMPLATES_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "csv_reader.h"
#include "qledger/domain/status.h"

namespace qledger::tools::csv {

struct Column {
  std::string_view key;  // English name; also the name of the value below
  std::string_view zh;   // Chinese name
  bool required;
};

struct Template {
  std::string_view kind;
  std::string_view type;   // event type
  bool monthly;            // period is a month (else a quarter)
  std::vector<Column> columns;
};

// Every template, in the order docs/import.md lists them.
const std::vector<Template>& Templates();

// The template of a kind, or nullptr.
const Template* FindTemplate(std::string_view kind);

// The column a header cell names (its Chinese name, or its English name in
// any case), or nullptr.
const Column* MatchColumn(const Template& t, std::string_view header);

// The header row, resolved: for each field position, the column key (or ""
// for an empty trailing header cell) and the header as the file spells it.
struct Header {
  int line = 0;
  std::vector<std::string> keys;
  std::map<std::string, std::string> spelled;  // key -> header as written
};

// Matches the header row against t. kInvalidArgument with one line per
// problem ("CSV line 1, column X: ..."): a column of no template (or of
// another kind's), a column given twice, a required column missing.
domain::Result<Header> ReadHeader(const Template& t, const CsvRecord& record);

}  // namespace qledger::tools::csv

#endif  // QLEDGER_TOOLS_CSV_TEMPLATES_H_
