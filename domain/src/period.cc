#include "qledger/domain/period.h"

#include <chrono>
#include <cstdio>

namespace qledger::domain {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's algorithm.
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool ParseDate(std::string_view s, int* y, int* m, int* d) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  if (!Digits(s, 0, 4, y) || !Digits(s, 5, 2, m) || !Digits(s, 8, 2, d)) return false;
  return *y >= 1900 && *m >= 1 && *m <= 12 && *d >= 1 && *d <= DaysInMonth(*y, *m);
}

}  // namespace

std::optional<Quarter> Quarter::Parse(std::string_view s) {
  int y = 0, q = 0;
  if (s.size() != 6 || s[4] != 'Q' || !Digits(s, 0, 4, &y) || !Digits(s, 5, 1, &q)) return std::nullopt;
  if (y < 1900 || q < 1 || q > 4) return std::nullopt;
  return Quarter{y, q};
}

std::string Quarter::ToString() const {
  // Every quarter a ledger holds has a four-digit year: built directly (a
  // listing of thousands of quarters spent a tenth of its time in snprintf).
  if (year >= 1000 && year <= 9999 && q >= 0 && q <= 9) {
    return std::string{static_cast<char>('0' + year / 1000), static_cast<char>('0' + year / 100 % 10),
                       static_cast<char>('0' + year / 10 % 10), static_cast<char>('0' + year % 10), 'Q',
                       static_cast<char>('0' + q)};
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04dQ%d", year, q);
  return buf;
}

std::array<std::string, 3> Quarter::Months() const {
  std::array<std::string, 3> out;
  for (int i = 0; i < 3; ++i) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d", year, (q - 1) * 3 + i + 1);
    out[i] = buf;
  }
  return out;
}

bool IsMonth(std::string_view s) {
  int y = 0, m = 0;
  return s.size() == 7 && s[4] == '-' && Digits(s, 0, 4, &y) && Digits(s, 5, 2, &m) &&
         y >= 1900 && m >= 1 && m <= 12;
}

std::optional<Quarter> QuarterOfMonth(std::string_view month) {
  if (!IsMonth(month)) return std::nullopt;
  int y = 0, m = 0;
  Digits(month, 0, 4, &y);
  Digits(month, 5, 2, &m);
  return Quarter{y, (m - 1) / 3 + 1};
}

bool IsYear(std::string_view s) {
  int y = 0;
  return s.size() == 4 && Digits(s, 0, 4, &y) && y >= 1900;
}

bool IsDate(std::string_view s) {
  int y, m, d;
  return s.size() == 10 && ParseDate(s, &y, &m, &d);
}

std::optional<int64_t> ParseInstant(std::string_view s) {
  int y, mo, d;
  if (!ParseDate(s, &y, &mo, &d)) return std::nullopt;
  int64_t seconds = DaysFromCivil(y, mo, d) * 86400;
  if (s.size() == 10) return seconds;
  if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  if (s.size() < 16 || s[13] != ':' || !Digits(s, 11, 2, &hh) || !Digits(s, 14, 2, &mm)) return std::nullopt;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &ss)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  seconds += hh * 3600 + mm * 60 + ss;
  if (pos == s.size()) return seconds;
  if (s[pos] == 'Z' && pos + 1 == s.size()) return seconds;
  if ((s[pos] == '+' || s[pos] == '-') && s.size() == pos + 6 && s[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!Digits(s, pos + 1, 2, &oh) || !Digits(s, pos + 4, 2, &om) || oh > 14 || om > 59) return std::nullopt;
    int64_t offset = oh * 3600 + om * 60;
    return s[pos] == '+' ? seconds - offset : seconds + offset;
  }
  return std::nullopt;
}

bool IsDateTime(std::string_view s) { return s.size() > 10 && ParseInstant(s).has_value(); }

std::string FormatUtc(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t rem = t - days * 86400;
  // civil_from_days (Hinnant).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", int(y), int(m), int(d),
                int(rem / 3600), int(rem / 60 % 60), int(rem % 60));
  return buf;
}

std::string NowUtc() {
  auto now = std::chrono::system_clock::now();
  return FormatUtc(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

}  // namespace qledger::domain
