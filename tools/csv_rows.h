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
// name), or nullopt. A name that policies gave to more than one department
// comes back as it is, for the ledger to read by the row's period.
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

// The file the rows come from, recorded on each event as its `source`
// (SPEC §4): the file's name and SHA-256, the sheet (none for CSV), and the
// row's line. No part of the content that tells a duplicate.
struct SourceFile {
  std::string file;
  std::string sha256;
  std::string sheet;  // "" for a CSV file
};

// Maps the data rows of one sheet to input events, one at a time. The
// derived id of a row without 编号 hashes its normalised content
// (docs/import.md), never its source.
class RowConverter {
 public:
  // All four must outlive the converter.
  RowConverter(const Template& t, const Header& header, const std::vector<domain::Department>& departments,
               const SourceFile& source);

  // The input event of record, or nullopt when its cells do not make one
  // (the errors appended to *errors). *derived_id: its id was derived.
  std::optional<domain::InputEvent> Convert(const CsvRecord& record, bool* derived_id,
                                            std::vector<LineError>* errors) const;

  // The ledger's error e on the row at `line` told in the spreadsheet's
  // columns ("CSV line 4, column 季度: quarter 2026Q3 is approved").
  void AddLedgerError(const domain::BatchError& e, int line, bool derived_id, std::vector<LineError>* errors) const;

 private:
  const Template& t_;
  const Header& header_;
  const std::vector<domain::Department>& departments_;
  const SourceFile& source_;
  std::map<std::string, std::string> field_columns_;  // event field -> header as written
};

// Every row at once (for small sheets and tests).
struct Converted {
  std::vector<domain::InputEvent> batch;
  std::vector<bool> derived;  // of each event of the batch: its id was derived
  std::vector<LineError> errors;
};
domain::Result<Converted> ConvertRows(const Template& t, const Header& header, const std::vector<CsvRecord>& records,
                                     const std::vector<domain::Department>& departments,
                                     const SourceFile& source = {});

// The ledger's errors ("CSV line 4: event \"id\": period: ...") told in the
// spreadsheet's columns.
void AddLedgerErrors(const RowConverter& converter, const std::vector<domain::BatchError>& errors, Converted* c);

// N of "CSV line N"; 0 for anything else.
int LineOf(std::string_view where);

}  // namespace qledger::tools::csv

#endif  // QLEDGER_TOOLS_CSV_ROWS_H_
