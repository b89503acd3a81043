#include "csv_rows.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include <boost/json.hpp>

#include "qledger/domain/canonical_json.h"
#include "qledger/domain/exact_json.h"
#include "qledger/domain/hash_chain.h"

namespace json = boost::json;

namespace qledger::tools::csv {

using domain::Result;

Result<std::vector<domain::Department>> KnownDepartments(const std::vector<domain::Event>& policy_events) {
  std::vector<domain::Department> out;
  for (const auto& e : policy_events) {
    QLEDGER_ASSIGN_OR_RETURN(auto adopted, domain::AdoptedPolicyOf(e));
    for (const auto& d : adopted.policy.departments) {
      bool known = std::any_of(out.begin(), out.end(),
                               [&](const domain::Department& k) { return k.code == d.code && k.name == d.name; });
      if (!known) out.push_back(d);
    }
  }
  return out;
}

std::optional<std::string> ResolveDepartment(const std::vector<domain::Department>& known, const std::string& cell) {
  const std::string code = AsciiLower(cell);
  std::vector<std::string> codes;
  for (const auto& d : known) {
    if ((d.code == code || d.name == cell) && std::find(codes.begin(), codes.end(), d.code) == codes.end()) {
      codes.push_back(d.code);
    }
  }
  if (codes.size() == 1) return codes.front();
  // A name that policies gave to more than one department: the ledger reads
  // it as the policy in force for the row's period names it (as append does).
  if (codes.size() > 1) return cell;
  return std::nullopt;
}

std::string Row::Cell(const std::string& key) const {
  auto it = cells.find(key);
  return it == cells.end() ? std::string() : it->second;
}

void Row::Fail(const std::string& field, const std::string& why) {
  auto it = field_columns.find(field);
  errors.push_back({line, At(line, it == field_columns.end() ? "" : it->second, why)});
  reported.insert(field);
}

void Row::FailOnField(const std::string& field, const std::string& why) {
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

void Row::FailWithDomainMessage(const std::string& message) {
  size_t colon = message.find(": ");
  if (colon == std::string::npos) return FailOnField("", message);
  FailOnField(message.substr(0, colon), message.substr(colon + 2));
}

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
  const std::string month = t.monthly ? row->Cell("month") : "";
  const bool dotted_one = month.ends_with(".1") && NormalizeMonth(month + "0");  // 2026.1: 2026.10 would be a month
  std::optional<std::string> period =
      t.monthly ? normalized("month", "period", NormalizeMonth,
                             dotted_one ? "a month that can be told apart: January or October? (a spreadsheet keeps "
                                          "2026.10, typed as a number, as 2026.1); write 2026-01 or 2026-10"
                                        : "a month (YYYY-MM, e.g. 2026-07 or 2026年7月)")
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

RowConverter::RowConverter(const Template& t, const Header& header, const std::vector<domain::Department>& departments,
                           const SourceFile& source)
    : t_(t), header_(header), departments_(departments), source_(source) {
  for (const auto& [key, spelled] : header.spelled) {
    std::string field = key == "department" || key == "occurred_at" || key == "actor" || key == "id" ? key
                        : key == "month" || key == "quarter"                                      ? "period"
                                                                                                   : "data." + key;
    field_columns_[field] = spelled;
  }
  // A spot check's actor defaults to its inspector: errors on it belong there.
  if (t.kind == "spotcheck" && !header.spelled.count("actor")) field_columns_["actor"] = header.spelled.at("inspector");
}

std::optional<domain::InputEvent> RowConverter::Convert(const CsvRecord& record, bool* derived_id,
                                                        std::vector<LineError>* errors) const {
  Row row;
  row.line = record.line;
  row.field_columns = field_columns_;
  bool trailing_only = record.fields.size() >= header_.keys.size() &&
                       std::all_of(record.fields.begin() + static_cast<std::ptrdiff_t>(header_.keys.size()),
                                   record.fields.end(), [](const std::string& f) { return Trim(f).empty(); });
  if (!trailing_only) {
    errors->push_back({row.line, At(row.line, "", std::to_string(record.fields.size()) +
                                                      " fields, but the header (line " +
                                                      std::to_string(header_.line) + ") has " +
                                                      std::to_string(header_.keys.size()) + " columns")});
    return std::nullopt;
  }
  for (size_t i = 0; i < header_.keys.size(); ++i) {
    std::string cell = Trim(record.fields[i]);
    if (header_.keys[i].empty()) {
      if (!cell.empty()) {
        row.errors.push_back({row.line, At(row.line, "", "field " + std::to_string(i + 1) +
                                                             " has a value but no column name in the header")});
      }
      continue;
    }
    row.cells[header_.keys[i]] = cell;
  }

  json::object event = BuildEvent(t_, departments_, &row);
  std::string own_id = row.Cell("id");
  row.derived_id = own_id.empty();
  *derived_id = row.derived_id;
  // Normalise once with a stand-in id: the derived id hashes the
  // normalised content (so "96.5" and "96.50" give the same id).
  event["id"] = own_id.empty() ? "import-pending" : own_id;
  domain::Event normalized;
  std::vector<std::string> problems;
  domain::NormalizeInputEvent(event, &normalized, &problems);
  for (const auto& p : problems) row.FailWithDomainMessage(p);
  if (!row.errors.empty()) {
    errors->insert(errors->end(), row.errors.begin(), row.errors.end());
    return std::nullopt;
  }
  std::string fallback_id;
  if (row.derived_id) {
    std::string id = "import-" + std::string(t_.kind) + "-" + normalized.department + "-" + normalized.period;
    if (!t_.monthly) {
      json::object content{{"type", t_.type},
                           {"department", normalized.department},
                           {"period", normalized.period},
                           {"occurred_at", normalized.occurred_at},
                           {"actor", normalized.actor},
                           {"data", normalized.data}};
      std::string digest = domain::Sha256Hex(domain::CanonicalJson(content));
      // 8 hex digits tell rows apart in all but about one file in a few
      // thousand of 10,000 rows; two rows that share them take 16.
      fallback_id = id + "-" + digest.substr(0, 16);
      id += "-" + digest.substr(0, 8);
    }
    event["id"] = id;
  }
  if (!source_.file.empty()) {
    json::object from{{"file", source_.file}, {"sha256", source_.sha256}, {"row", row.line}};
    if (!source_.sheet.empty()) from["sheet"] = source_.sheet;
    event["source"] = std::move(from);
  }
  return domain::InputEvent{"CSV line " + std::to_string(row.line), std::move(event), "", std::move(fallback_id)};
}

void RowConverter::AddLedgerError(const domain::BatchError& e, int line, bool derived_id,
                                  std::vector<LineError>* errors) const {
  Row row;
  row.line = line;
  row.field_columns = field_columns_;
  row.derived_id = derived_id;
  row.FailOnField(e.field, e.message);
  errors->insert(errors->end(), row.errors.begin(), row.errors.end());
}

Result<Converted> ConvertRows(const Template& t, const Header& header, const std::vector<CsvRecord>& records,
                              const std::vector<domain::Department>& departments, const SourceFile& source) {
  Converted out;
  RowConverter converter(t, header, departments, source);
  for (const auto& record : records) {
    bool derived = false;
    auto in = converter.Convert(record, &derived, &out.errors);
    if (!in) continue;
    out.batch.push_back(std::move(*in));
    out.derived.push_back(derived);
  }
  return out;
}

void AddLedgerErrors(const RowConverter& converter, const std::vector<domain::BatchError>& errors, Converted* c) {
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
    converter.AddLedgerError(e, LineOf(e.where), c->derived[found->second], &c->errors);
  }
}

int LineOf(std::string_view where) {
  constexpr std::string_view kPrefix = "CSV line ";
  if (where.substr(0, kPrefix.size()) != kPrefix) return 0;
  int line = 0;
  for (char ch : where.substr(kPrefix.size())) {
    if (ch < '0' || ch > '9' || line > 100'000'000) return 0;
    line = line * 10 + (ch - '0');
  }
  return line;
}

}  // namespace qledger::tools::csv
