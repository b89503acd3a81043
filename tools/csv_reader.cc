#include "csv_reader.h"

#include <algorithm>
#include <initializer_list>

#include "qledger/domain/event.h"
#include "qledger/domain/period.h"

namespace qledger::tools::csv {

using domain::Result;
using domain::Status;

std::string At(int line, std::string_view column, std::string_view why) {
  std::string out = "CSV line " + std::to_string(line);
  if (!column.empty()) out += ", column " + std::string(column);
  return out + ": " + std::string(why);
}

// ---------------------------------------------------------------------------
// Text helpers

// Trims ASCII whitespace and the ideographic space U+3000 that Chinese input
// methods leave behind.
std::string Trim(std::string_view s) {
  static constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  for (bool changed = true; changed;) {
    changed = false;
    while (!s.empty() && std::string_view(" \t\r\n\v\f").find(s.front()) != std::string_view::npos) {
      s.remove_prefix(1);
      changed = true;
    }
    while (!s.empty() && std::string_view(" \t\r\n\v\f").find(s.back()) != std::string_view::npos) {
      s.remove_suffix(1);
      changed = true;
    }
    if (s.starts_with(kIdeographicSpace)) { s.remove_prefix(3); changed = true; }
    if (s.ends_with(kIdeographicSpace)) { s.remove_suffix(3); changed = true; }
  }
  return std::string(s);
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {

// Length of the well-formed UTF-8 sequence starting at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
  if (n == 0 || c > 0xF4 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  // Overlong three- and four-byte forms, surrogates, beyond U+10FFFF.
  unsigned char c1 = byte(i + 1);
  if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90)) {
    return 0;
  }
  return n;
}

}  // namespace

// Every physical line of the file is valid UTF-8; otherwise names the first
// bad line. Spreadsheets saved as plain "CSV" on a Chinese Windows are GBK.
Status CheckUtf8(std::string_view text) {
  int line = 1;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++line;
    size_t n = Utf8Length(text, i);
    if (n == 0) {
      return domain::InvalidArgument(At(line, "", "not valid UTF-8 (save the spreadsheet as \"CSV UTF-8\")"));
    }
    i += n;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180): fields separated by commas, records by CRLF or LF (or a
// lone CR); a field in double quotes may hold commas, line breaks and doubled
// quotes. Line breaks inside a quoted field are kept as LF, so that a file
// saved with CRLF and with LF reads the same. Blank records are skipped.

Result<std::vector<CsvRecord>> ReadCsv(std::string_view text) {
  std::vector<CsvRecord> records;
  int line = 1;
  CsvRecord record{line, {}};
  std::string field;
  bool in_quotes = false;    // inside a quoted field
  bool after_quote = false;  // the current field was quoted and has been closed
  int quote_line = 0;        // where the open quoted field began

  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  auto end_record = [&] {
    end_field();
    bool blank = std::all_of(record.fields.begin(), record.fields.end(),
                             [](const std::string& f) { return Trim(f).empty(); });
    if (!blank) records.push_back(std::move(record));
    record = CsvRecord{line, {}};
  };
  // Length of the line break at text[i] (CRLF, LF or CR), or 0.
  auto line_break = [&](size_t i) -> size_t {
    if (text[i] == '\n') return 1;
    if (text[i] == '\r') return i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
    return 0;
  };

  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
        } else {
          in_quotes = false;
          after_quote = true;
          ++i;
        }
      } else if (size_t n = line_break(i)) {
        field += '\n';
        ++line;
        i += n;
      } else {
        field += c;
        ++i;
      }
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
    } else if (size_t n = line_break(i)) {
      ++line;
      i += n;
      end_record();
    } else if (after_quote) {
      // Spaces between the closing quote and the comma are harmless.
      if (c != ' ' && c != '\t') {
        return domain::InvalidArgument(
            At(line, "", "a quoted field must end at a comma or at the end of the line, not at '" + std::string(1, c) + "'"));
      }
      ++i;
    } else if (c == '"') {
      if (!Trim(field).empty()) {
        return domain::InvalidArgument(
            At(line, "", "a quote (\") inside an unquoted field; quote the whole field and double the quote (\"\")"));
      }
      field.clear();
      in_quotes = true;
      quote_line = line;
      ++i;
    } else {
      field += c;
      ++i;
    }
  }
  if (in_quotes) {
    return domain::InvalidArgument(At(quote_line, "", "the quoted field that begins here is never closed"));
  }
  if (!record.fields.empty() || !field.empty() || after_quote) end_record();
  return records;
}

// ---------------------------------------------------------------------------
// Cell formats. Each returns the canonical form, or nullopt when the cell has
// none of the accepted shapes.

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
  if (!year || c.OneOf({"-", "/", ".", "年"}) < 0) return std::nullopt;
  c.Spaces();
  auto digits = c.Digits(1, 2);
  c.Spaces();
  c.OneOf({"月"});
  if (!digits || !c.Done()) return std::nullopt;
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
  if (!out || !c.Done() || !domain::IsDate(*out)) return std::nullopt;
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
  if (!c.Done() || !domain::IsDateTime(out)) return std::nullopt;
  return out;
}

}  // namespace qledger::tools::csv
