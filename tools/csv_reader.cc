#include "csv_reader.h"

#include <iconv.h>

#include <algorithm>
#include <cerrno>

#include <algorithm>
#include <initializer_list>

#include "qledger/domain/event.h"
#include "qledger/domain/period.h"

namespace qledger::tools::csv {

using domain::Result;
using domain::Status;

namespace {

struct SheetLocation {
  std::string sheet;  // "" for CSV
  std::vector<std::string> columns;
};

SheetLocation& Location() {
  static SheetLocation location;
  return location;
}

}  // namespace

std::string ColumnLetters(size_t column) {
  std::string letters;
  for (size_t c = column + 1; c > 0; c = (c - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
  return letters;
}

void LocateInSheet(std::string sheet, std::vector<std::string> columns) {
  for (auto& c : columns) c = Trim(c);
  Location() = SheetLocation{std::move(sheet), std::move(columns)};
}

std::string At(int line, std::string_view column, std::string_view why) {
  const SheetLocation& in = Location();
  if (!in.sheet.empty()) {
    std::string out = in.sheet;
    size_t index = in.columns.size();
    for (size_t i = 0; !column.empty() && i < in.columns.size(); ++i) {
      if (in.columns[i] == column) {
        index = i;
        break;
      }
    }
    if (index < in.columns.size()) out += "!" + ColumnLetters(index) + std::to_string(line) + ", column " + std::string(column);
    else out += " row " + std::to_string(line) + (column.empty() ? "" : ", column " + std::string(column));
    return out + ": " + std::string(why);
  }
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

std::optional<Encoding> ParseEncoding(std::string_view name) {
  std::string n = AsciiLower(name);
  if (n == "auto") return Encoding::kAuto;
  if (n == "utf-8" || n == "utf8") return Encoding::kUtf8;
  if (n == "gb18030" || n == "gbk" || n == "gb2312" || n == "cp936") return Encoding::kGb18030;
  return std::nullopt;
}

namespace {

// GB18030 to UTF-8 with glibc's iconv; InvalidArgument naming the line of
// the first byte sequence that is not GB18030.
Result<std::string> FromGb18030(std::string_view bytes) {
  iconv_t cd = ::iconv_open("UTF-8", "GB18030");
  if (cd == reinterpret_cast<iconv_t>(-1)) return domain::Internal("iconv cannot convert from GB18030 on this system");
  std::string out(bytes.size() * 2 + 16, '\0');
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char* to = out.data();
  size_t to_left = out.size();
  while (in_left > 0) {
    if (::iconv(cd, &in, &in_left, &to, &to_left) != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      size_t used = static_cast<size_t>(to - out.data());
      out.resize(out.size() * 2);
      to = out.data() + used;
      to_left = out.size() - used;
      continue;
    }
    size_t at = static_cast<size_t>(in - bytes.data());
    ::iconv_close(cd);
    int line = 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    return domain::InvalidArgument(At(line, "", "not valid GB18030"));
  }
  ::iconv_close(cd);
  out.resize(static_cast<size_t>(to - out.data()));
  return out;
}

}  // namespace

Result<std::string> DecodeInPlace(std::string* text, Encoding encoding) {
  std::string_view bytes = *text;
  if (bytes.starts_with("\xEF\xBB\xBF") && encoding != Encoding::kGb18030) {
    QLEDGER_RETURN_IF_ERROR(CheckUtf8(bytes.substr(3)));
    text->erase(0, 3);
    return std::string("UTF-8 (BOM)");
  }
  Status utf8_status = encoding == Encoding::kGb18030 ? Status::Ok() : CheckUtf8(bytes);
  if (encoding == Encoding::kUtf8) {
    QLEDGER_RETURN_IF_ERROR(utf8_status);
    return std::string("UTF-8");
  }
  if (encoding == Encoding::kAuto && utf8_status.ok()) return std::string("UTF-8");
  auto gb = FromGb18030(bytes);
  if (!gb.ok() && encoding == Encoding::kAuto) {
    // Neither: name the first line that is not UTF-8, which is what a
    // spreadsheet saved on this side of the world should have been.
    return domain::InvalidArgument(utf8_status.message() + "; nor is the file GB18030");
  }
  QLEDGER_RETURN_IF_ERROR(gb.status());
  *text = std::move(*gb);
  return std::string("GB18030");
}

Result<Decoded> Decode(std::string_view bytes, Encoding encoding) {
  Decoded d{std::string(bytes), ""};
  QLEDGER_ASSIGN_OR_RETURN(d.used, DecodeInPlace(&d.utf8, encoding));
  return d;
}

Result<bool> CsvCursor::Next(CsvRecord* out) {
  CsvRecord record{line_, {}};
  std::string field;
  bool in_quotes = false;    // inside a quoted field
  bool after_quote = false;  // the current field was quoted and has been closed
  int quote_line = 0;        // where the open quoted field began
  bool any = false;          // anything of a record read

  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    after_quote = false;
  };
  // True when the record just ended is not blank (blank ones are skipped).
  auto end_record = [&]() -> bool {
    end_field();
    bool blank = std::all_of(record.fields.begin(), record.fields.end(),
                             [](const std::string& f) { return Trim(f).empty(); });
    if (!blank) {
      *out = std::move(record);
      return true;
    }
    record = CsvRecord{line_, {}};
    any = false;
    return false;
  };
  const std::string_view text = text_;
  // Length of the line break at text[i] (CRLF, LF or CR), or 0.
  auto line_break = [&](size_t i) -> size_t {
    if (text[i] == '\n') return 1;
    if (text[i] == '\r') return i + 1 < text.size() && text[i + 1] == '\n' ? 2 : 1;
    return 0;
  };

  size_t& i = pos_;
  while (i < text.size()) {
    char c = text[i];
    any = true;
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
        ++line_;
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
      ++line_;
      i += n;
      if (end_record()) return true;
    } else if (after_quote) {
      // Spaces between the closing quote and the comma are harmless.
      if (c != ' ' && c != '\t') {
        return domain::InvalidArgument(
            At(line_, "", "a quoted field must end at a comma or at the end of the line, not at '" + std::string(1, c) + "'"));
      }
      ++i;
    } else if (c == '"') {
      if (!Trim(field).empty()) {
        return domain::InvalidArgument(
            At(line_, "", "a quote (\") inside an unquoted field; quote the whole field and double the quote (\"\")"));
      }
      field.clear();
      in_quotes = true;
      quote_line = line_;
      ++i;
    } else {
      field += c;
      ++i;
    }
  }
  if (in_quotes) {
    return domain::InvalidArgument(At(quote_line, "", "the quoted field that begins here is never closed"));
  }
  if (any && end_record()) return true;
  return false;
}

Result<std::vector<CsvRecord>> ReadCsv(std::string_view text) {
  std::vector<CsvRecord> records;
  CsvCursor cursor(text);
  CsvRecord record;
  for (;;) {
    QLEDGER_ASSIGN_OR_RETURN(bool more, cursor.Next(&record));
    if (!more) return records;
    records.push_back(std::move(record));
  }
}

}  // namespace qledger::tools::csv
