#include "csv_templates.h"

namespace qledger::tools::csv {

using domain::Result;

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

}  // namespace qledger::tools::csv
