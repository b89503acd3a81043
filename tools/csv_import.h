// `qledger import`: the work group's spreadsheets (CSV) as ledger events.
//
// A CSV file of one kind (selfcheck, spotcheck, survey, complaint) is read
// as RFC 4180 (UTF-8, BOM tolerated), its header matched against the kind's
// template (Chinese or English column names, docs/import.md), and each row
// mapped to one event that goes through the same validation and the same
// atomic, synced append as `qledger append`. Errors name the CSV line and the
// column; a file is all or nothing.
#ifndef QLEDGER_TOOLS_CSV_IMPORT_H_
#define QLEDGER_TOOLS_CSV_IMPORT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "commands.h"

namespace qledger::tools {

struct ImportFlags {
  std::string file;  // the CSV file, or - for standard input
  std::string kind;  // selfcheck | spotcheck | survey | complaint
  std::string encoding = "auto";  // auto | utf-8 | gb18030 (csv::ParseEncoding)
  std::string sheet;              // of an .xlsx workbook; "" = its first sheet
  std::optional<int64_t> expect_head;
  bool dry_run = false;
  double wait_seconds = 10;
  bool progress = false;  // --progress; also on when standard error is a terminal
};

// Imports f.file into the ledger c.data. Prints the append outcome
// ({"appended", "duplicates", "head_seq", "head_hash"}) on success; otherwise
// every error, one a line ("CSV line 4, column 自查得分: ..."), and appends
// nothing. Returns the exit code (3 for any problem with the file).
int RunImport(const CommonFlags& c, const ImportFlags& f);

}  // namespace qledger::tools

#endif  // QLEDGER_TOOLS_CSV_IMPORT_H_
