// Tables for people: plain text for the terminal (widths count CJK
// characters as two columns so that Chinese names line up) and CSV for
// Excel. The same Table is written as a worksheet by xlsx.h.
#ifndef QLEDGER_APP_TEXT_TABLE_H_
#define QLEDGER_APP_TEXT_TABLE_H_

#include <string>
#include <vector>

namespace qledger::app {

using Row = std::vector<std::string>;

// A titled table. An empty cell is a value that is absent (a missing number
// stays empty in CSV and xlsx, "—" in text). Cells of the numeric columns
// are numbers (right-aligned in text, typed as numbers in xlsx).
struct Table {
  std::string title;  // a section heading; the sheet name in xlsx
  Row header;
  std::vector<Row> rows;
  std::vector<size_t> numeric;
  bool IsNumeric(size_t column) const;
};

// Columns whose index is in right_aligned are right-aligned (numbers).
std::string RenderTable(const Row& header, const std::vector<Row>& rows, const std::vector<size_t>& right_aligned);
// The table without its title; empty cells as "—".
std::string RenderTable(const Table& table);
// RFC 4180 CSV, UTF-8 with a BOM (for Excel), CRLF line ends.
std::string RenderCsv(const Row& header, const std::vector<Row>& rows);
std::string RenderCsv(const Table& table);
size_t DisplayWidth(const std::string& utf8);

}  // namespace qledger::app

#endif  // QLEDGER_APP_TEXT_TABLE_H_
