// The spellings people type (spelling.h).
#include "qledger/domain/spelling.h"

#include <initializer_list>

#include "qledger/domain/period.h"

namespace qledger::domain {

namespace {

// A cursor over one cell for the formats below. Each step consumes what it
// matches, or nothing; there is no backtracking, so reading a cell is linear
// in its length whatever it holds (std::regex recursed once per character of
// a long run of spaces, and overflowed the stack).
class CellScanner {
 public:
  explicit CellScanner(std::string_view s) : s_(s) {}

  // Skips white space; returns how much.
  size_t Spaces() {
    size_t from = pos_;
    while (pos_ < s_.size() && (s_[pos_] == ' ' || (s_[pos_] >= '\t' && s_[pos_] <= '\r'))) ++pos_;
    return pos_ - from;
  }
  // From min to max ASCII digits (as many as there are, up to max).
  std::optional<std::string> Digits(size_t min, size_t max) {
    size_t from = pos_;
    while (pos_ < s_.size() && pos_ - from < max && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    if (pos_ - from < min) {
      pos_ = from;
      return std::nullopt;
    }
    return std::string(s_.substr(from, pos_ - from));
  }
  // The index of the first option the cell continues with (consumed), or -1.
  int OneOf(std::initializer_list<std::string_view> options) {
    int i = 0;
    for (std::string_view o : options) {
      if (s_.substr(pos_).starts_with(o)) {
        pos_ += o.size();
        return i;
      }
      ++i;
    }
    return -1;
  }
  bool Done() const { return pos_ == s_.size(); }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Longer cells are none of the formats below: refused before they are read.
constexpr size_t kMaxFormattedCell = 64;

std::string TwoDigits(const std::string& digits) { return digits.size() == 1 ? "0" + digits : digits; }

// The date part shared by dates and date-times: 2026-08-03, 2026/8/3,
// 2026.8.3, 2026年8月3日. Leaves c after the day (and 日, if any); *spaces_after
// is the white space that followed (after 日 when there is one).
std::optional<std::string> ScanDate(CellScanner& c, size_t* spaces_after) {
  auto year = c.Digits(4, 4);
  c.Spaces();
  if (!year || c.OneOf({"-", "/", ".", "年"}) < 0) return std::nullopt;
  c.Spaces();
  auto month = c.Digits(1, 2);
  c.Spaces();
  if (!month || c.OneOf({"-", "/", ".", "月"}) < 0) return std::nullopt;
  c.Spaces();
  auto day = c.Digits(1, 2);
  if (!day) return std::nullopt;
  *spaces_after = c.Spaces();
  if (c.OneOf({"日"}) == 0) *spaces_after = c.Spaces();
  return *year + "-" + TwoDigits(*month) + "-" + TwoDigits(*day);
}

}  // namespace

// "2026-07", "2026-7", "2026/7", "2026.07", "2026年7月" -> "2026-07".
std::optional<std::string> NormalizeMonth(const std::string& s) {
  if (s.size() > kMaxFormattedCell) return std::nullopt;
  CellScanner c(s);
  auto year = c.Digits(4, 4);
  c.Spaces();
  const int separator = year ? c.OneOf({"-", "/", ".", "年"}) : -1;
  if (separator < 0) return std::nullopt;
  c.Spaces();
  auto digits = c.Digits(1, 2);
  c.Spaces();
  c.OneOf({"月"});
  if (!digits || !c.Done()) return std::nullopt;
  // "2026.1" is January, or October typed as 2026.10 and kept by a
  // spreadsheet as the number 2026.1: neither is guessed.
  if (separator == 2 && *digits == "1") return std::nullopt;
  int month = std::stoi(*digits);
  if (month < 1 || month > 12) return std::nullopt;
  return *year + "-" + (month < 10 ? "0" : "") + std::to_string(month);
}

// "2026Q3", "2026q3", "2026-Q3", "2026年第3季度", "2026年第三季度", "2026年3季" -> "2026Q3".
std::optional<std::string> NormalizeQuarter(const std::string& s) {
  if (s.size() > kMaxFormattedCell) return std::nullopt;
  CellScanner c(s);
  auto year = c.Digits(4, 4);
  if (!year) return std::nullopt;
  c.Spaces();
  int q = -1;
  if (c.OneOf({"年"}) == 0) {
    c.Spaces();
    if (c.OneOf({"第"}) == 0) c.Spaces();
    q = c.OneOf({"1", "2", "3", "4", "一", "二", "三", "四"});
    if (q < 0) return std::nullopt;
    c.Spaces();
    c.OneOf({"季度", "季"});
  } else {
    c.OneOf({"-"});
    c.Spaces();
    if (c.OneOf({"Q", "q"}) < 0) return std::nullopt;
    c.Spaces();
    q = c.OneOf({"1", "2", "3", "4"});
  }
  if (q < 0 || !c.Done()) return std::nullopt;
  return *year + "Q" + std::to_string(q % 4 + 1);
}

std::optional<std::string> NormalizeDate(const std::string& s) {
  if (s.size() > kMaxFormattedCell) return std::nullopt;
  CellScanner c(s);
  size_t spaces = 0;
  auto out = ScanDate(c, &spaces);
  if (!out || !c.Done() || !IsDate(*out)) return std::nullopt;
  return out;
}

// "2026-08-14 09:30", "2026/8/14 9:30:05", "2026-08-14T09:30+08:00"
// -> "2026-08-14T09:30", "2026-08-14T09:30:05", "2026-08-14T09:30+08:00".
// A time without a zone is kept without one.
std::optional<std::string> NormalizeDateTime(const std::string& s) {
  if (s.size() > kMaxFormattedCell) return std::nullopt;
  CellScanner c(s);
  size_t spaces = 0;
  auto date = ScanDate(c, &spaces);
  if (!date) return std::nullopt;
  if (c.OneOf({"T"}) < 0 && spaces == 0) return std::nullopt;
  auto hour = c.Digits(1, 2);
  if (!hour || c.OneOf({":"}) < 0) return std::nullopt;
  auto minute = c.Digits(2, 2);
  if (!minute) return std::nullopt;
  std::string out = *date + "T" + TwoDigits(*hour) + ":" + *minute;
  if (c.OneOf({":"}) == 0) {
    auto second = c.Digits(2, 2);
    if (!second) return std::nullopt;
    out += ":" + *second;
  }
  c.Spaces();
  if (c.OneOf({"Z"}) == 0) {
    out += "Z";
  } else if (int sign = c.OneOf({"+", "-"}); sign >= 0) {
    auto hh = c.Digits(2, 2);
    c.OneOf({":"});
    auto mm = c.Digits(2, 2);
    if (!hh || !mm) return std::nullopt;
    out += std::string(sign == 0 ? "+" : "-") + *hh + ":" + *mm;
  }
  if (!c.Done() || !IsDateTime(out)) return std::nullopt;
  return out;
}

}  // namespace qledger::domain
