#include "csv_import.h"

#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "exit_codes.h"
#include "test_hooks.h"
#include "qledger/domain/canonical_json.h"
#include "qledger/domain/event.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/exact_json.h"
#include "qledger/domain/period.h"
#include "qledger/domain/policy.h"
#include "qledger/storage/event_store.h"

namespace json = boost::json;

namespace qledger::tools {

using domain::Result;
using domain::Status;

namespace {

// ---------------------------------------------------------------------------
// Messages

// "CSV line 4, column 自查得分: why" or "CSV line 4: why".
std::string At(int line, std::string_view column, std::string_view why) {
  std::string out = "CSV line " + std::to_string(line);
  if (!column.empty()) out += ", column " + std::string(column);
  return out + ": " + std::string(why);
}

struct LineError {
  int line = 0;
  std::string message;  // already located ("CSV line N, ...")
};

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

struct CsvRecord {
  int line = 0;  // the physical line the record starts on
  std::vector<std::string> fields;
};

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
// Templates (docs/import.md)

struct Column {
  std::string_view key;  // English name; also the name of the value below
  std::string_view zh;   // Chinese name
  bool required;
};

struct Template {
  std::string_view kind;
  std::string_view type;   // event type
  bool monthly;            // period is a month (else a quarter)
  std::vector<Column> columns;
};

const std::vector<Template>& Templates() {
  static const std::vector<Template> kTemplates = {
      {"selfcheck", "selfcheck.reported", true,
       {{"department", "部门", true},
        {"month", "月份", true},
        {"score", "自查得分", true},
        {"actor", "填报人", true},
        {"occurred_at", "填报日期", true},
        {"id", "编号", false}}},
      {"spotcheck", "spotcheck.recorded", true,
       {{"department", "部门", true},
        {"month", "月份", true},
        {"score", "抽查得分", true},
        {"inspector", "检查人", true},
        {"note", "备注", false},
        {"occurred_at", "检查日期", true},
        {"actor", "记录人", false},
        {"id", "编号", false}}},
      {"survey", "survey.responded", false,
       {{"department", "部门", true},
        {"quarter", "季度", true},
        {"respondent", "客户", true},
        {"score", "得分", true},
        {"occurred_at", "日期", true},
        {"actor", "填报人", true},
        {"id", "编号", false}}},
      {"complaint", "complaint.recorded", false,
       {{"department", "部门", true},
        {"quarter", "季度", true},
        {"received_at", "受理时间", true},
        {"channel", "渠道", true},
        {"summary", "投诉内容", true},
        {"customer", "客户", false},
        {"category", "类别", false},
        {"occurred_at", "记录日期", true},
        {"actor", "记录人", true},
        {"id", "编号", false}}},
  };
  return kTemplates;
}

const Template* FindTemplate(std::string_view kind) {
  for (const auto& t : Templates()) {
    if (t.kind == kind) return &t;
  }
  return nullptr;
}

const Column* MatchColumn(const Template& t, std::string_view header) {
  std::string lower = AsciiLower(header);
  for (const auto& c : t.columns) {
    if (header == c.zh || lower == c.key) return &c;
  }
  return nullptr;
}

// The header row, resolved: for each field position, the column key (or ""
// for an empty trailing header cell) and the header as the file spells it.
struct Header {
  int line = 0;
  std::vector<std::string> keys;
  std::map<std::string, std::string> spelled;  // key -> header as written
};

Result<Header> ReadHeader(const Template& t, const CsvRecord& record) {
  Header h;
  h.line = record.line;
  std::vector<std::string> problems;
  for (const auto& raw : record.fields) {
    std::string name = Trim(raw);
    if (name.empty()) {
      h.keys.emplace_back();  // an empty header cell: its column must stay empty
      continue;
    }
    const Column* c = MatchColumn(t, name);
    if (!c) {
      std::string why = "is not a column of the " + std::string(t.kind) + " template (";
      for (const auto& other : Templates()) {
        if (other.kind != t.kind && MatchColumn(other, name)) {
          why += "it belongs to the " + std::string(other.kind) + " template; is --kind right? ";
          break;
        }
      }
      why += "columns:";
      for (const auto& col : t.columns) why += " " + std::string(col.zh) + "/" + std::string(col.key);
      problems.push_back(At(h.line, name, why + ")"));
      h.keys.emplace_back();
      continue;
    }
    std::string key(c->key);
    if (h.spelled.count(key)) {
      problems.push_back(At(h.line, name, "appears twice (as \"" + h.spelled[key] + "\" too)"));
    }
    h.spelled[key] = name;
    h.keys.push_back(key);
  }
  for (const auto& c : t.columns) {
    if (c.required && !h.spelled.count(std::string(c.key))) {
      problems.push_back(At(h.line, "", "column " + std::string(c.zh) + " (" + std::string(c.key) + ") is missing"));
    }
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
    return domain::InvalidArgument(all);
  }
  return h;
}

// ---------------------------------------------------------------------------
// Cell formats. Each returns the canonical form, or nullopt when the cell has
// none of the accepted shapes.

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

// ---------------------------------------------------------------------------
// Departments: codes and Chinese names of every policy adopted so far. Which
// departments a quarter has is the ledger's rule (PlanBatch); here only the
// spreadsheet's name is turned into a code.

Result<std::vector<domain::Department>> KnownDepartments(const storage::EventStore& store) {
  // Every replay input carries every policy.adopted event, whatever the
  // quarter; the quarter here only selects (no) other events.
  auto input = store.LoadReplay(domain::Quarter{1970, 1}, "");
  if (!input.ok()) return input.status();
  std::vector<domain::Department> out;
  for (const auto& e : input->events) {
    if (e.type != domain::EventType::kPolicyAdopted) continue;
    const json::value* p = e.data.if_contains("policy");
    if (!p) continue;
    auto policy = domain::ParsePolicy(*p);
    if (!policy.ok()) return policy.status();
    for (const auto& d : policy->departments) {
      bool known = std::any_of(out.begin(), out.end(),
                               [&](const domain::Department& k) { return k.code == d.code && k.name == d.name; });
      if (!known) out.push_back(d);
    }
  }
  return out;
}

std::optional<std::string> ResolveDepartment(const std::vector<domain::Department>& known, const std::string& cell) {
  std::string lower = AsciiLower(cell);
  for (const auto& d : known) {
    if (d.code == lower || d.name == cell) return d.code;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Rows to events

Result<std::string> Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr) != 1) {
    return domain::Internal("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 0xF];
  }
  return out;
}

// One data row on its way to becoming an event.
struct Row {
  int line = 0;
  std::map<std::string, std::string> cells;          // column key -> trimmed cell (absent columns: none)
  std::map<std::string, std::string> field_columns;  // event field ("data.score") -> header as written
  std::set<std::string> reported;                    // event fields already reported as errors
  bool derived_id = false;
  std::vector<LineError> errors;

  std::string Cell(const std::string& key) const {
    auto it = cells.find(key);
    return it == cells.end() ? std::string() : it->second;
  }
  void Fail(const std::string& field, const std::string& why) {
    auto it = field_columns.find(field);
    errors.push_back({line, At(line, it == field_columns.end() ? "" : it->second, why)});
    reported.insert(field);
  }
  // A message from the domain or the ledger, "field: why", told in columns.
  void FailWithDomainMessage(const std::string& message) {
    size_t colon = message.find(": ");
    std::string field = colon == std::string::npos ? "" : message.substr(0, colon);
    if (reported.count(field)) return;  // said already, in the spreadsheet's terms
    if (field == "id" && derived_id) {
      // The row has no 编号: its id was derived (docs/import.md).
      errors.push_back({line, At(line, "", "derived " + message +
                                               "; to record a correction of a voided entry, give the row its own 编号 (id)")});
      return;
    }
    auto it = field_columns.find(field);
    if (it == field_columns.end()) {
      errors.push_back({line, At(line, "", message)});
      return;
    }
    errors.push_back({line, At(line, it->second, message.substr(colon + 2))});
  }
};

// Builds the event of one row. Cells that cannot be read are reported on
// their column and passed on as written (their domain errors are then
// suppressed), so that every other problem of the row is reported too.
json::object BuildEvent(const Template& t, const std::vector<domain::Department>& departments, Row* row) {
  json::object event;
  json::object data;
  event["type"] = t.type;

  auto required = [&](const std::string& key, const std::string& field) -> std::optional<std::string> {
    std::string v = row->Cell(key);
    if (v.empty()) {
      row->Fail(field, "is required");
      return std::nullopt;
    }
    return v;
  };
  auto normalized = [&](const std::string& key, const std::string& field, auto normalize,
                        const std::string& form) -> std::optional<std::string> {
    auto v = required(key, field);
    if (!v) return std::nullopt;
    if (auto n = normalize(*v)) return n;
    row->Fail(field, "\"" + *v + "\" is not " + form);
    return v;  // as written: the row is rejected anyway
  };

  if (auto d = required("department", "department")) {
    if (auto code = ResolveDepartment(departments, *d)) {
      event["department"] = *code;
    } else {
      std::string list;
      for (const auto& k : departments) list += (list.empty() ? "" : ", ") + k.code + " " + k.name;
      row->Fail("department", "\"" + *d + "\" is not a department (code or name: " + list + ")");
      event["department"] = *d;
    }
  }
  std::optional<std::string> period =
      t.monthly ? normalized("month", "period", NormalizeMonth, "a month (YYYY-MM, e.g. 2026-07 or 2026年7月)")
                : normalized("quarter", "period", NormalizeQuarter, "a quarter (YYYYQn, e.g. 2026Q3 or 2026年第3季度)");
  if (period) event["period"] = *period;
  if (auto d = normalized("occurred_at", "occurred_at", NormalizeDate, "a date (YYYY-MM-DD, e.g. 2026-08-03 or 2026/8/3)")) {
    event["occurred_at"] = *d;
  }
  // Spot checks are usually recorded by the inspector.
  std::string actor = row->Cell("actor");
  if (t.kind == "spotcheck" && actor.empty()) actor = row->Cell("inspector");
  if (!actor.empty()) event["actor"] = actor;
  else if (t.kind != "spotcheck") row->Fail("actor", "is required");
  else row->reported.insert("actor");  // the missing inspector is reported below

  auto text = [&](const char* key, bool is_required) {
    std::string v = row->Cell(key);
    if (!v.empty()) data[key] = v;
    else if (is_required) row->Fail(std::string("data.") + key, "is required");
  };
  auto score = [&] {
    std::string v = row->Cell("score");
    if (v.empty()) row->Fail("data.score", "is required");
    // A leading control character would pass for ParseExactJson's number
    // marker (exact_json.h); no decimal holds one anyway.
    else if (auto c = domain::ControlCharacterIn(v)) row->Fail("data.score", "holds a control character (" + *c + ")");
    else data["score"] = v;  // the domain reads and checks the decimal
  };
  if (t.kind == "selfcheck") {
    score();
  } else if (t.kind == "spotcheck") {
    score();
    text("inspector", true);
    text("note", false);
  } else if (t.kind == "survey") {
    text("respondent", true);
    score();
  } else {
    if (auto r = normalized("received_at", "data.received_at", NormalizeDateTime,
                            "a date-time (e.g. 2026-08-14 09:30 or 2026-08-14T09:30+08:00)")) {
      data["received_at"] = *r;
    }
    text("channel", true);
    text("summary", true);
    text("customer", false);
    text("category", false);
  }
  event["data"] = std::move(data);
  return event;
}

// Turns each data row into an input event; rows with errors are left out
// of the batch and their errors collected.
struct Converted {
  std::vector<domain::InputEvent> batch;
  std::vector<Row> rows;  // the rows of the batch, in the same order
  std::vector<LineError> errors;
};

Result<Converted> ConvertRows(const Template& t, const Header& header, const std::vector<CsvRecord>& records,
                              const std::vector<domain::Department>& departments) {
  Converted out;
  for (const auto& record : records) {
    Row row;
    row.line = record.line;
    for (const auto& [key, spelled] : header.spelled) {
      std::string field = key == "department" || key == "occurred_at" || key == "actor" || key == "id" ? key
                          : key == "month" || key == "quarter"                                      ? "period"
                                                                                                     : "data." + key;
      row.field_columns[field] = spelled;
    }
    // A spot check's actor defaults to its inspector: errors on it belong there.
    if (t.kind == "spotcheck" && !header.spelled.count("actor")) row.field_columns["actor"] = header.spelled.at("inspector");

    bool trailing_only = record.fields.size() >= header.keys.size() &&
                         std::all_of(record.fields.begin() + static_cast<std::ptrdiff_t>(header.keys.size()),
                                     record.fields.end(), [](const std::string& f) { return Trim(f).empty(); });
    if (!trailing_only) {
      out.errors.push_back({row.line, At(row.line, "", std::to_string(record.fields.size()) +
                                                           " fields, but the header (line " +
                                                           std::to_string(header.line) + ") has " +
                                                           std::to_string(header.keys.size()) + " columns")});
      continue;
    }
    for (size_t i = 0; i < header.keys.size(); ++i) {
      std::string cell = Trim(record.fields[i]);
      if (header.keys[i].empty()) {
        if (!cell.empty()) {
          out.errors.push_back({row.line, At(row.line, "", "field " + std::to_string(i + 1) +
                                                               " has a value but no column name in the header")});
        }
        continue;
      }
      row.cells[header.keys[i]] = cell;
    }

    json::object event = BuildEvent(t, departments, &row);
    std::string own_id = row.Cell("id");
    row.derived_id = own_id.empty();
    // Normalise once with a stand-in id: the derived id hashes the
    // normalised content (so "96.5" and "96.50" give the same id).
    event["id"] = own_id.empty() ? "import-pending" : own_id;
    domain::Event normalized;
    std::vector<std::string> problems;
    domain::NormalizeInputEvent(event, &normalized, &problems);
    for (const auto& p : problems) row.FailWithDomainMessage(p);
    if (!row.errors.empty()) {
      out.errors.insert(out.errors.end(), row.errors.begin(), row.errors.end());
      continue;
    }
    if (row.derived_id) {
      std::string id = "import-" + std::string(t.kind) + "-" + normalized.department + "-" + normalized.period;
      if (!t.monthly) {
        json::object content{{"type", t.type},
                             {"department", normalized.department},
                             {"period", normalized.period},
                             {"occurred_at", normalized.occurred_at},
                             {"actor", normalized.actor},
                             {"data", normalized.data}};
        auto digest = Sha256Hex(domain::CanonicalJson(content));
        if (!digest.ok()) return digest.status();
        id += "-" + digest->substr(0, 8);
      }
      event["id"] = id;
    }
    out.batch.push_back(domain::InputEvent{"CSV line " + std::to_string(row.line), std::move(event), ""});
    out.rows.push_back(std::move(row));
  }
  return out;
}

// The ledger's errors ("CSV line 4: event \"id\": period: ...") told in the
// spreadsheet's columns.
void AddLedgerErrors(const std::vector<std::string>& messages, Converted* c) {
  // Each message starts with the row's "CSV line N": one lookup per message.
  std::unordered_map<std::string_view, size_t> by_where;
  by_where.reserve(c->batch.size());
  for (size_t i = 0; i < c->batch.size(); ++i) by_where.emplace(c->batch[i].where, i);
  for (const auto& m : messages) {
    bool placed = false;
    auto found = by_where.find(std::string_view(m).substr(0, m.find(": ")));
    if (found != by_where.end()) {
      size_t i = found->second;
      const auto& in = c->batch[i];
      std::string id(in.json.as_object().at("id").as_string());
      for (const std::string& prefix : {in.where + ": event \"" + id + "\": ", in.where + ": event: "}) {
        if (m.starts_with(prefix)) {
          Row& row = c->rows[i];
          row.errors.clear();
          row.FailWithDomainMessage(m.substr(prefix.size()));
          c->errors.insert(c->errors.end(), row.errors.begin(), row.errors.end());
          placed = true;
          break;
        }
      }
    }
    if (!placed) c->errors.push_back({0, m});
  }
}

Result<std::string> ReadAll(const std::string& file) {
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(file, std::ios::binary);
  if (!in) return domain::NotFound("cannot read " + file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int Fail(const Status& s) {
  std::cerr << "qledger import: " << s.message() << "\n";
  return ExitCodeFor(s.code());
}

}  // namespace

int RunImport(const CommonFlags& c, const ImportFlags& f) {
  const Template* t = FindTemplate(f.kind);
  if (!t) {
    std::cerr << "qledger import: --kind must be selfcheck, spotcheck, survey or complaint\n";
    return kUsageExitCode;
  }
  auto text = ReadAll(f.file);
  if (!text.ok()) return Fail(text.status());
  std::string_view body = *text;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);
  auto in_file = [&](const Status& s) { return Status(s.code(), f.file + ": " + s.message()); };
  if (Status s = CheckUtf8(body); !s.ok()) return Fail(in_file(s));
  auto records = ReadCsv(body);
  if (!records.ok()) return Fail(in_file(records.status()));
  if (records->empty()) return Fail(domain::InvalidArgument(f.file + ": no header row"));
  auto header = ReadHeader(*t, records->front());
  if (!header.ok()) {
    // One line per problem, each naming the file.
    std::string msg = header.status().message();
    for (size_t pos = 0; pos <= msg.size();) {
      size_t nl = std::min(msg.find('\n', pos), msg.size());
      std::cerr << "qledger import: " << f.file << ": " << msg.substr(pos, nl - pos) << "\n";
      pos = nl + 1;
    }
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  records->erase(records->begin());
  if (records->empty()) return Fail(domain::InvalidArgument(f.file + ": no rows below the header"));

  storage::AppendOptions options;
  options.expect_head = f.expect_head;
  options.now = TestNow();
  Result<storage::AppendOutcome> outcome = domain::Internal("not appended");
  size_t converted_rows = 0;
  Converted converted;
  {
    auto departments = [&]() -> Result<std::vector<domain::Department>> {
      auto store = storage::EventStore::OpenReader(c.data);
      if (!store.ok()) return store.status();
      return KnownDepartments(**store);
    }();
    if (!departments.ok()) return Fail(departments.status());
    auto rows = ConvertRows(*t, *header, *records, *departments);
    if (!rows.ok()) return Fail(rows.status());
    converted = std::move(*rows);
    converted_rows = records->size();
  }
  // The ledger's rules (a second self-check for a month, an approved
  // quarter, an id reused) are checked with the rows' own, so that their
  // errors too can be told in columns: with a row already in error, only
  // planned (a dry run), never written.
  options.dry_run = f.dry_run || !converted.errors.empty();
  if (!converted.batch.empty()) {
    outcome = storage::EventStore::AppendTo(c.data, converted.batch, options, WaitFor(f.wait_seconds));
    if (!outcome.ok()) return Fail(outcome.status());
    AddLedgerErrors(outcome->errors, &converted);
  }
  if (!converted.errors.empty()) {
    std::stable_sort(converted.errors.begin(), converted.errors.end(),
                     [](const LineError& a, const LineError& b) { return a.line < b.line; });
    for (const auto& e : converted.errors) std::cerr << "qledger import: " << e.message << "\n";
    std::cerr << "qledger import: rejected: " << converted.errors.size() << " error"
              << (converted.errors.size() == 1 ? "" : "s") << " in " << converted_rows << " row"
              << (converted_rows == 1 ? "" : "s") << " of " << f.file << "; nothing was appended\n";
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  return ReportAppend("import", *outcome, converted.batch.size(), options);
}

}  // namespace qledger::tools
