// Periods and dates: months "YYYY-MM", quarters "YYYYQn", years "YYYY",
// business dates "YYYY-MM-DD" and date-times (ISO 8601).
#ifndef QLEDGER_DOMAIN_PERIOD_H_
#define QLEDGER_DOMAIN_PERIOD_H_

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace qledger::domain {

struct Quarter {
  int year = 0;
  int q = 0;  // 1..4

  static std::optional<Quarter> Parse(std::string_view s);  // "2026Q3"
  std::string ToString() const;
  // The quarter's three months as "YYYY-MM".
  std::array<std::string, 3> Months() const;
  Quarter Previous() const { return q == 1 ? Quarter{year - 1, 4} : Quarter{year, q - 1}; }
  auto operator<=>(const Quarter&) const = default;
};

// "2026-07" -> 2026Q3; nullopt if malformed.
std::optional<Quarter> QuarterOfMonth(std::string_view month);
bool IsMonth(std::string_view s);
bool IsYear(std::string_view s);
bool IsDate(std::string_view s);  // "YYYY-MM-DD", a real calendar day
// "YYYY-MM-DDTHH:MM[:SS[.fff]]" with optional "Z" or "+HH:MM"/"-HH:MM";
// a space is accepted for the "T".
bool IsDateTime(std::string_view s);

// Seconds since the epoch (UTC) of a date-time as above; a missing zone is
// taken as UTC; a bare date is its start. nullopt if malformed.
std::optional<int64_t> ParseInstant(std::string_view s);

// Now as "YYYY-MM-DDTHH:MM:SSZ".
std::string NowUtc();
std::string FormatUtc(int64_t epoch_seconds);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_PERIOD_H_
