// The rows of an import: each data row of a spreadsheet mapped to one input
// event of its template (csv_templates.h), with every problem of the row
// told in the spreadsheet's terms ("CSV line 4, column 自查得分: ..."), both
// the problems of its cells and those the domain or the ledger finds with
// the event's fields (mapped back through the columns, never by re-parsing
// messages). Pure: the departments come from the caller.
#ifndef QLEDGER_TOOLS_CSV_ROWS_H_
#define QLEDGER_TOOLS_CSV_ROWS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "csv_reader.h"
#include "csv_templates.h"
#include "qledger/domain/batch.h"
#include "qledger/domain/event.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/policy.h"

namespace qledger::tools::csv {

struct LineError {
  int line = 0;
  std::string message;  // already located ("CSV line N, ...")
};

// Every department of the policies adopted so far (policy_events: the
// ledger's policy.adopted events), codes and Chinese names: a spreadsheet
// may name a department either way. kDataLoss if a stored policy does not
// parse.
domain::Result<std::vector<domain::Department>> KnownDepartments(const std::vector<domain::Event>& policy_events);

// The code of the department a cell names (its code in any case, or its
// name), or nullopt.
std::optional<std::string> ResolveDepartment(const std::vector<domain::Department>& known, const std::string& cell);

// One data row on its way to becoming an event.
struct Row {
  int line = 0;
  std::map<std::string, std::string> cells;          // column key -> trimmed cell (absent columns: none)
  std::map<std::string, std::string> field_columns;  // event field ("data.score") -> header as written
  std::set<std::string> reported;                    // event fields already reported as errors
  bool derived_id = false;
  std::vector<LineError> errors;

  std::string Cell(const std::string& key) const;
  void Fail(const std::string& field, const std::string& why);
  // A problem the domain or the ledger found with the event's field
  // ("" for the event as a whole), told in the spreadsheet's columns.
  void FailOnField(const std::string& field, const std::string& why);
  // The same for a message "field: why" of NormalizeInputEvent.
  void FailWithDomainMessage(const std::string& message);
};

// Builds the event of one row. Cells that cannot be read are reported on
// their column and passed on as written (their domain errors are then
// suppressed), so that every other problem of the row is reported too.
boost::json::object BuildEvent(const Template& t, const std::vector<domain::Department>& departments, Row* row);

// Turns each data row into an input event; rows with errors are left out
// of the batch and their errors collected.
struct Converted {
  std::vector<domain::InputEvent> batch;
  std::vector<Row> rows;  // the rows of the batch, in the same order
  std::vector<LineError> errors;
};

// The file the rows come from, recorded on each event as its `source`
// (SPEC §4): the file's name and SHA-256, the sheet (none for CSV), and the
// row's line. No part of the content that tells a duplicate.
struct SourceFile {
  std::string file;
  std::string sha256;
  std::string sheet;  // "" for a CSV file
};

// The rows of records under header, mapped; the derived id of a row without
// 编号 hashes its normalised content (docs/import.md), never its source.
domain::Result<Converted> ConvertRows(const Template& t, const Header& header, const std::vector<CsvRecord>& records,
                                     const std::vector<domain::Department>& departments,
                                     const SourceFile& source = {});

// The ledger's errors ("CSV line 4: event \"id\": period: ...") told in the
// spreadsheet's columns.
void AddLedgerErrors(const std::vector<domain::BatchError>& errors, Converted* c);

}  // namespace qledger::tools::csv

#endif  // QLEDGER_TOOLS_CSV_ROWS_H_
