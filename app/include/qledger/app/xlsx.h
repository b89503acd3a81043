// Tables as an Excel workbook (SPEC §6 `--format xlsx`), written with
// libxlsxwriter: one worksheet per table, the header row bold and frozen,
// the numeric columns' cells typed as numbers (two decimals where the value
// has them), absent values left empty, widths fitted to the content.
#ifndef QLEDGER_APP_XLSX_H_
#define QLEDGER_APP_XLSX_H_

#include <string>
#include <vector>

#include "qledger/app/text_table.h"
#include "qledger/domain/status.h"

namespace qledger::app {

// The .xlsx file's bytes. kInternal naming libxlsxwriter's error when the
// workbook cannot be written (its scratch files go to TMPDIR or /tmp).
// libxlsxwriter is loaded by the first workbook written (dlopen of the
// soname the build found); kInternal naming the library when it cannot be.
domain::Result<std::string> TablesToXlsx(const std::vector<Table>& tables);

// Whether `library` loads and has every libxlsxwriter function the writer
// calls: OK, or kInternal naming the library or the missing function. For
// tests and diagnostics; TablesToXlsx loads the installed library itself.
domain::Status CheckXlsxWriterLibrary(const std::string& library);

}  // namespace qledger::app

#endif  // QLEDGER_APP_XLSX_H_
