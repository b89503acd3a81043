// The spellings people type for periods and times, in a spreadsheet cell or
// on the command line, each turned into its canonical form (SPEC §1: "every
// input accepts each"). Pure functions of their text, linear in it whatever
// it holds (they read bytes from outside: fuzz/csv_fuzz.cc).
#ifndef QLEDGER_DOMAIN_SPELLING_H_
#define QLEDGER_DOMAIN_SPELLING_H_

#include <optional>
#include <string>

namespace qledger::domain {

// Cell formats: the canonical form, or nullopt when the cell has none of the
// accepted shapes (docs/import.md). Cells longer than 64 bytes have none.
// "2026-07", "2026-7", "2026/7", "2026.07", "2026年7月" -> "2026-07".
std::optional<std::string> NormalizeMonth(const std::string& s);
// "2026Q3", "2026q3", "2026-Q3", "2026年第3季度", "2026年第三季度", "2026年3季" -> "2026Q3".
std::optional<std::string> NormalizeQuarter(const std::string& s);
// "2026-08-03", "2026/8/3", "2026.8.3", "2026年8月3日" -> "2026-08-03" (a real date).
std::optional<std::string> NormalizeDate(const std::string& s);
// "2026-08-14 09:30", "2026/8/14 9:30:05", "2026-08-14T09:30+08:00" ->
// "2026-08-14T09:30", "2026-08-14T09:30:05", "2026-08-14T09:30+08:00".
std::optional<std::string> NormalizeDateTime(const std::string& s);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_SPELLING_H_
