// Plain-text tables and CSV for terminal output; widths count CJK characters
// as two columns so that Chinese names line up.
#ifndef QLEDGER_APP_TEXT_TABLE_H_
#define QLEDGER_APP_TEXT_TABLE_H_

#include <string>
#include <vector>

namespace qledger::app {

using Row = std::vector<std::string>;

// Columns whose index is in right_aligned are right-aligned (numbers).
std::string RenderTable(const Row& header, const std::vector<Row>& rows, const std::vector<size_t>& right_aligned);
// RFC 4180 CSV, UTF-8 with a BOM (for Excel), CRLF line ends.
std::string RenderCsv(const Row& header, const std::vector<Row>& rows);
size_t DisplayWidth(const std::string& utf8);

}  // namespace qledger::app

#endif  // QLEDGER_APP_TEXT_TABLE_H_
