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

#include "csv_reader.h"
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

using csv::AsciiLower;
using csv::At;
using csv::CheckUtf8;
using csv::CsvRecord;
using csv::NormalizeDate;
using csv::NormalizeDateTime;
using csv::NormalizeMonth;
using csv::NormalizeQuarter;
using csv::ReadCsv;
using csv::Trim;
using domain::Result;
using domain::Status;

namespace {

struct LineError {
  int line = 0;
  std::string message;  // already located ("CSV line N, ...")
};

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
// Departments: codes and Chinese names of every policy adopted so far. Which
// departments a quarter has is the ledger's rule (PlanBatch); here only the
// spreadsheet's name is turned into a code.

Result<std::vector<domain::Department>> KnownDepartments(const storage::EventStore& store) {
  // Every replay input carries every policy.adopted event, whatever the
  // quarter; the quarter here only selects (no) other events.
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(domain::Quarter{1970, 1}, ""));
  std::vector<domain::Department> out;
  for (const auto& e : input.events) {
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
  // A problem the domain or the ledger found with the event's field
  // ("" for the event as a whole), told in the spreadsheet's columns.
  void FailOnField(const std::string& field, const std::string& why) {
    if (reported.count(field)) return;  // said already, in the spreadsheet's terms
    std::string message = field.empty() ? why : field + ": " + why;
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
    errors.push_back({line, At(line, it->second, why)});
  }
  // The same for a message "field: why" of NormalizeInputEvent.
  void FailWithDomainMessage(const std::string& message) {
    size_t colon = message.find(": ");
    if (colon == std::string::npos) return FailOnField("", message);
    FailOnField(message.substr(0, colon), message.substr(colon + 2));
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
        QLEDGER_ASSIGN_OR_RETURN(auto digest, Sha256Hex(domain::CanonicalJson(content)));
        id += "-" + digest.substr(0, 8);
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
void AddLedgerErrors(const std::vector<domain::BatchError>& errors, Converted* c) {
  // Each error names its row ("CSV line N"): one lookup each.
  std::unordered_map<std::string_view, size_t> by_where;
  by_where.reserve(c->batch.size());
  for (size_t i = 0; i < c->batch.size(); ++i) by_where.emplace(c->batch[i].where, i);
  for (const auto& e : errors) {
    auto found = by_where.find(e.where);
    if (found == by_where.end()) {
      c->errors.push_back({0, e.ToString()});
      continue;
    }
    Row& row = c->rows[found->second];
    row.errors.clear();
    row.FailOnField(e.field, e.message);
    c->errors.insert(c->errors.end(), row.errors.begin(), row.errors.end());
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
  options.observe = TestWriteObserver();
  Result<storage::AppendOutcome> outcome = domain::Internal("not appended");
  size_t converted_rows = 0;
  Converted converted;
  {
    auto departments = [&]() -> Result<std::vector<domain::Department>> {
      QLEDGER_ASSIGN_OR_RETURN(auto store, storage::EventStore::OpenReader(c.data));
      return KnownDepartments(*store);
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
