#include "qledger/app/report_render.h"

#include <boost/json.hpp>

#include "qledger/app/text_table.h"

namespace json = boost::json;

namespace qledger::app {
namespace {

const char* GradeZh(std::string_view g) {
  return g == "excellent" ? "优秀" : g == "qualified" ? "合格" : "不合格";
}

const char* StatusZh(std::string_view s) {
  return s == "approved" ? "已审定" : s == "reopened" ? "已重新打开" : "未审定";
}

// A cell's text: strings as they are, null as "—", others serialised.
std::string S(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_null()) return "—";
  if (v.is_bool()) return v.get_bool() ? "yes" : "no";
  return json::serialize(v);
}

std::string S(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it == o.end() ? "—" : S(it->value());
}

struct Section {
  std::string title;
  Row header;
  std::vector<Row> rows;
  std::vector<size_t> right;
};

// The report as titled tables, shared by the Markdown, HTML and CSV forms.
std::vector<Section> Sections(const json::object& r) {
  std::vector<Section> out;
  Section scores{"考核结果 Scores and grades", {"名次 rank", "部门 department", "自查 selfcheck", "问卷 survey",
                 "投诉 complaint", "加权 weighted", "回访扣分 callbacks", "调整 adj.", "总分 total", "等次 grade",
                 "奖惩 amount (yuan)", "上季 previous", "变化 change"}, {}, {0, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12}};
  for (const auto& v : r.at("scores").as_array()) {
    const auto& s = v.as_object();
    scores.rows.push_back({S(s, "rank"), S(s, "name") + " (" + S(s, "department") + ")",
                           S(s.at("selfcheck").as_object(), "score"), S(s.at("survey").as_object(), "score"),
                           S(s.at("complaint").as_object(), "score"), S(s, "weighted"), S(s, "callback_deductions"),
                           S(s, "adjustments"), S(s, "total"),
                           std::string(GradeZh(s.at("grade").as_string())) + " " + S(s, "grade"), S(s, "amount"),
                           S(s, "previous_total"), S(s, "change")});
  }
  std::sort(scores.rows.begin(), scores.rows.end(), [](const Row& a, const Row& b) { return std::stoi(a[0]) < std::stoi(b[0]); });
  out.push_back(std::move(scores));

  Section spot{"自查与抽查差异 Self-check against spot check", {"部门 department", "月份 month", "自查 self", "抽查 spot",
               "差异 difference", "扣分 deduction"}, {}, {2, 3, 4, 5}};
  for (const auto& v : r.at("spot_checks").as_array()) {
    const auto& s = v.as_object();
    spot.rows.push_back({S(s, "name"), S(s, "month"), S(s, "self"), S(s, "spot"), S(s, "difference"), S(s, "deduction")});
  }
  out.push_back(std::move(spot));

  const auto& surveys = r.at("surveys").as_object();
  Section sv{"问卷调查 Survey statistics", {"部门 department", "份数 responses", "按100分计 counted as 100", "得分 score"}, {}, {1, 2, 3}};
  for (const auto& v : surveys.at("departments").as_array()) {
    const auto& s = v.as_object();
    sv.rows.push_back({S(s, "name"), S(s, "responses"), S(s, "counted_as_100"), S(s, "score")});
  }
  out.push_back(std::move(sv));
  Section disputes{"问卷异议与审定 Survey disputes and rulings", {"部门 department", "事件 event", "问卷 response", "内容 detail"}, {}, {}};
  for (const auto& v : surveys.at("disputes").as_array()) {
    const auto& s = v.as_object();
    disputes.rows.push_back({S(s, "name"), S(s, "id"), S(s, "response"), "异议 disputed: " + S(s, "reason")});
  }
  for (const auto& v : surveys.at("rulings").as_array()) {
    const auto& s = v.as_object();
    std::string what = "审定 ruled " + S(s, "outcome");
    if (s.at("score").is_string()) what += " → " + S(s, "score");
    disputes.rows.push_back({S(s, "name"), S(s, "id"), S(s, "response"), what + " (" + S(s, "ruling") + ")"});
  }
  out.push_back(std::move(disputes));

  const auto& complaints = r.at("complaints").as_object();
  Section cp{"客户投诉 Complaints", {"部门 department", "受理 received", "渠道 channel", "内容 summary", "有效 valid",
             "计分 counts", "处理 resolved", "用时(小时) hours"}, {}, {7}};
  for (const auto& v : complaints.at("register").as_array()) {
    const auto& c = v.as_object();
    cp.rows.push_back({S(c, "name"), S(c, "received_at"), S(c, "channel"), S(c, "summary"),
                       c.at("voided").as_bool() ? "voided" : S(c, "valid"), S(c, "counts"), S(c, "resolved_at"),
                       S(c, "hours_to_resolve")});
  }
  out.push_back(std::move(cp));

  Section cb{"电话回访 Callback findings and direct deductions", {"部门 department", "事件 event", "扣分 points", "原因 reason"}, {}, {2}};
  for (const auto& v : r.at("callback_findings").as_array()) {
    const auto& c = v.as_object();
    cb.rows.push_back({S(c, "name"), S(c, "id"), S(c, "points"), "回访 callback: " + S(c, "reason")});
  }
  for (const auto& v : r.at("direct_deductions").as_array()) {
    const auto& c = v.as_object();
    cb.rows.push_back({S(c, "name"), S(c, "id"), S(c, "points"), "主业直接扣分 direct: " + S(c, "reason")});
  }
  out.push_back(std::move(cb));

  Section adj{"委员会调整 Committee adjustments", {"部门 department", "分项 component", "分值 points", "原因 reason", "决定 ruling"}, {}, {2}};
  for (const auto& v : r.at("adjustments").as_array()) {
    const auto& a = v.as_object();
    adj.rows.push_back({S(a, "name"), S(a, "component"), S(a, "points"), S(a, "reason"), S(a, "ruling")});
  }
  out.push_back(std::move(adj));
  return out;
}

std::string HeadLine(const json::object& r) {
  return "账本头 Ledger head: seq " + S(r, "as_of_seq") + ", hash " + S(r, "as_of_hash");
}

std::string SummaryLine(const json::object& r) {
  const auto& s = r.at("summary").as_object();
  return "优秀 excellent " + S(s, "excellent") + ", 合格 qualified " + S(s, "qualified") + ", 不合格 unqualified " +
         S(s, "unqualified") + "; 奖励 rewards " + S(s, "rewards") + " 元, 处罚 penalties " + S(s, "penalties") +
         " 元, 净额 net " + S(s, "net") + " 元";
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string MdCell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

}  // namespace

std::string ReportToMarkdown(const json::object& r) {
  std::string out = "# 服务质量分析报告 Service-quality analysis report — " + S(r, "quarter") + "\n\n";
  out += "- 状态 Status: " + std::string(StatusZh(r.at("status").as_string())) + " (" + S(r, "status") + ")\n";
  out += "- 分析会 Meeting: " + S(r, "meeting_date") + " (第十五条)\n";
  if (r.at("approval").is_object()) {
    const auto& a = r.at("approval").as_object();
    out += "- 审定 Approved by " + S(a, "approved_by") + " on " + S(a, "meeting_date") + " (event seq " + S(a, "seq") + ")\n";
  }
  out += "- 政策版本 Policy version: " + S(r, "policy_version") + "\n";
  out += "- " + HeadLine(r) + "\n";
  out += "- " + SummaryLine(r) + "\n";
  for (const auto& sec : Sections(r)) {
    out += "\n## " + sec.title + "\n\n";
    if (sec.rows.empty()) {
      out += "无 None.\n";
      continue;
    }
    out += "|";
    for (const auto& h : sec.header) out += " " + MdCell(h) + " |";
    out += "\n|";
    for (size_t i = 0; i < sec.header.size(); ++i) {
      bool right = std::find(sec.right.begin(), sec.right.end(), i) != sec.right.end();
      out += right ? "---:|" : "---|";
    }
    out += "\n";
    for (const auto& row : sec.rows) {
      out += "|";
      for (const auto& c : row) out += " " + MdCell(c) + " |";
      out += "\n";
    }
  }
  out += "\n---\n" + HeadLine(r) + ". Check with `qledger verify` and `qledger export`; see docs/verification.md.\n";
  return out;
}

std::string ReportToHtml(const json::object& r) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>服务质量分析报告 " +
      Escape(S(r, "quarter")) +
      "</title>\n<style>\n"
      "@page { size: A4; margin: 15mm 12mm; }\n"
      "body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif; font-size: 10pt; color: #111; }\n"
      "h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 12pt 0 4pt; break-after: avoid; }\n"
      "table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; break-inside: auto; }\n"
      "th, td { border: 0.5pt solid #888; padding: 2pt 4pt; vertical-align: top; }\n"
      "th { background: #eee; font-weight: 600; } tr { break-inside: avoid; } thead { display: table-header-group; }\n"
      "td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
      ".meta { margin: 0 0 6pt; padding: 0; list-style: none; } .head { font-family: monospace; font-size: 8pt; word-break: break-all; }\n"
      "footer { margin-top: 10pt; font-size: 8pt; color: #444; }\n"
      "</style></head><body>\n";
  out += "<h1>服务质量分析报告 — " + Escape(S(r, "quarter")) + "</h1>\n<ul class=\"meta\">\n";
  out += "<li>状态 Status: " + std::string(StatusZh(r.at("status").as_string())) + " (" + Escape(S(r, "status")) + ")</li>\n";
  out += "<li>分析会 Meeting: " + Escape(S(r, "meeting_date")) + "（第十五条）</li>\n";
  if (r.at("approval").is_object()) {
    const auto& a = r.at("approval").as_object();
    out += "<li>审定 Approved by " + Escape(S(a, "approved_by")) + " on " + Escape(S(a, "meeting_date")) +
           " (event seq " + Escape(S(a, "seq")) + ")</li>\n";
  }
  out += "<li>政策版本 Policy version: " + Escape(S(r, "policy_version")) + "</li>\n";
  out += "<li>" + Escape(SummaryLine(r)) + "</li>\n";
  out += "<li class=\"head\">" + Escape(HeadLine(r)) + "</li>\n</ul>\n";
  for (const auto& sec : Sections(r)) {
    out += "<h2>" + Escape(sec.title) + "</h2>\n";
    if (sec.rows.empty()) {
      out += "<p>无 None.</p>\n";
      continue;
    }
    out += "<table><thead><tr>";
    for (const auto& h : sec.header) out += "<th>" + Escape(h) + "</th>";
    out += "</tr></thead><tbody>\n";
    for (const auto& row : sec.rows) {
      out += "<tr>";
      for (size_t i = 0; i < row.size(); ++i) {
        bool right = std::find(sec.right.begin(), sec.right.end(), i) != sec.right.end();
        out += std::string(right ? "<td class=\"n\">" : "<td>") + Escape(row[i]) + "</td>";
      }
      out += "</tr>\n";
    }
    out += "</tbody></table>\n";
  }
  out += "<footer class=\"head\">" + Escape(HeadLine(r)) +
         ". 核对 Check: qledger verify; qledger export | python3 tools/verify_export.py</footer>\n</body></html>\n";
  return out;
}

std::string ReportToCsv(const json::object& r) {
  Row header = {"quarter", "status", "rank", "department", "name", "selfcheck", "survey", "complaint", "weighted",
                "callback_deductions", "adjustments", "total", "grade", "amount", "previous_total", "change",
                "as_of_seq", "as_of_hash"};
  std::vector<Row> rows;
  for (const auto& v : r.at("scores").as_array()) {
    const auto& s = v.as_object();
    auto blank = [](const std::string& x) { return x == "—" ? std::string() : x; };
    rows.push_back({S(r, "quarter"), S(r, "status"), S(s, "rank"), S(s, "department"), S(s, "name"),
                    S(s.at("selfcheck").as_object(), "score"), blank(S(s.at("survey").as_object(), "score")),
                    S(s.at("complaint").as_object(), "score"), S(s, "weighted"), S(s, "callback_deductions"),
                    S(s, "adjustments"), S(s, "total"), S(s, "grade"), S(s, "amount"), blank(S(s, "previous_total")),
                    blank(S(s, "change")), S(r, "as_of_seq"), S(r, "as_of_hash")});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return std::stoi(a[2]) < std::stoi(b[2]); });
  return RenderCsv(header, rows);
}

std::string LedgerToText(const json::object& l) {
  std::string out = "奖惩台账 Reward/penalty ledger " + S(l, "year") + " (as of seq " + S(l, "as_of_seq") + ")\n\n";
  std::vector<Row> rows;
  for (const auto& v : l.at("entries").as_array()) {
    const auto& e = v.as_object();
    rows.push_back({S(e, "quarter"), S(e, "department"), S(e, "name"), e.at("final").as_bool() ? "final" : "provisional",
                    S(e, "total"), S(e, "grade"), S(e, "amount")});
  }
  out += RenderTable({"quarter", "department", "name", "state", "total", "grade", "amount"}, rows, {4, 6});
  out += "\n";
  std::vector<Row> totals;
  for (const auto& v : l.at("totals").as_array()) {
    const auto& t = v.as_object();
    totals.push_back({S(t, "department"), S(t, "name"), S(t, "rewards"), S(t, "penalties"), S(t, "net"), S(t, "provisional_net")});
  }
  out += RenderTable({"department", "name", "rewards", "penalties", "net", "of which provisional"}, totals, {2, 3, 4, 5});
  if (l.at("quota").is_object() && !l.at("quota").as_object().empty()) {
    const auto& q = l.at("quota").as_object();
    out += "\n工作组额度 Work-group quota (第十四条.4): " + S(q, "annual_quota") + " yuan\n";
    out += "  rewards final " + S(q, "rewards_final") + " + expenses " + S(q, "expenses") + " = used " + S(q, "used") +
           ", remaining " + S(q, "remaining") + (q.at("over_quota").as_bool() ? "  ** OVER QUOTA **" : "") + "\n";
    out += "  including provisional rewards " + S(q, "rewards_provisional") + ": " + S(q, "used_including_provisional") +
           (q.at("over_quota_including_provisional").as_bool() ? "  ** would be OVER QUOTA **" : "") + "\n";
  }
  return out;
}

std::string ComplaintsToText(const json::object& c) {
  std::vector<Row> rows;
  for (const auto& v : c.at("complaints").as_array()) {
    const auto& x = v.as_object();
    rows.push_back({S(x, "quarter"), S(x, "name"), S(x, "id"), S(x, "received_at"), S(x, "channel"), S(x, "summary"),
                    x.at("voided").as_bool() ? "voided" : (x.at("valid").as_bool() ? "valid" : "invalid"),
                    S(x, "ruling"), S(x, "acknowledged_at"), S(x, "resolved_at"), S(x, "hours_to_resolve"), S(x, "counts")});
  }
  std::string out = RenderTable({"quarter", "department", "id", "received", "channel", "summary", "validity", "ruling",
                                 "acknowledged", "resolved", "hours", "counts"}, rows, {10});
  const auto& s = c.at("summary").as_object();
  out += "\nrecorded " + S(s, "recorded") + ", counting " + S(s, "valid") + ", ruled invalid " + S(s, "invalid") +
         ", voided " + S(s, "voided") + ", resolved " + S(s, "resolved") + ", unresolved " + S(s, "unresolved") +
         ", customer satisfied " + S(s, "satisfied") + "\n";
  return out;
}

std::string ComplaintsToCsv(const json::object& c) {
  Row header = {"quarter", "department", "name", "id", "received_at", "channel", "summary", "customer", "category",
                "valid", "ruling", "ruling_reason", "acknowledged_at", "resolved_at", "resolution", "satisfied",
                "voided", "counts", "hours_to_resolve"};
  std::vector<Row> rows;
  for (const auto& v : c.at("complaints").as_array()) {
    const auto& x = v.as_object();
    Row row;
    for (const auto& h : header) {
      std::string cell = S(x, h.c_str());
      row.push_back(cell == "—" ? "" : cell);
    }
    rows.push_back(std::move(row));
  }
  return RenderCsv(header, rows);
}

}  // namespace qledger::app
