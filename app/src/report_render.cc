#include "qledger/app/report_render.h"

#include <algorithm>

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

// A cell's text: "—" for an absent value, booleans as yes/no.
std::string S(const std::string& s) { return s; }
std::string S(int64_t n) { return std::to_string(n); }
std::string S(const Decimal& d) { return d.ToString(); }
std::string S(bool b) { return b ? "yes" : "no"; }
template <typename T>
std::string S(const std::optional<T>& v) {
  return v ? S(*v) : "—";
}
// The same, blank for an absent value (CSV).
template <typename T>
std::string Blank(const std::optional<T>& v) {
  return v ? S(*v) : "";
}

struct Section {
  std::string title;
  Row header;
  std::vector<Row> rows;
  std::vector<size_t> right;
};

// The report as titled tables, shared by the Markdown, HTML and CSV forms.
std::vector<Section> Sections(const QuarterReport& r) {
  std::vector<Section> out;
  Section scores{"考核结果 Scores and grades", {"名次 rank", "部门 department", "自查 selfcheck", "问卷 survey",
                 "投诉 complaint", "加权 weighted", "回访扣分 callbacks", "调整 adj.", "总分 total", "等次 grade",
                 "奖惩 amount (yuan)", "上季 previous", "变化 change"}, {}, {0, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12}};
  std::vector<const ReportScore*> ranked;
  for (const auto& s : r.scores) ranked.push_back(&s);
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->rank < b->rank; });
  for (const ReportScore* row : ranked) {
    const domain::Score& s = row->score;
    scores.rows.push_back({S(row->rank), s.name + " (" + s.department + ")", S(s.selfcheck.score), S(s.survey.score),
                           S(s.complaint.score), S(s.weighted), S(s.callback_deductions), S(s.adjustments),
                           S(s.total), std::string(GradeZh(s.grade)) + " " + s.grade, S(s.amount),
                           S(row->previous_total), S(row->change)});
  }
  out.push_back(std::move(scores));

  Section spot{"自查与抽查差异 Self-check against spot check", {"部门 department", "月份 month", "自查 self", "抽查 spot",
               "差异 difference", "扣分 deduction"}, {}, {2, 3, 4, 5}};
  for (const auto& m : r.spot_checks) {
    spot.rows.push_back({m.name, m.month, S(m.self), S(m.spot), S(m.difference), S(m.deduction)});
  }
  out.push_back(std::move(spot));

  Section sv{"问卷调查 Survey statistics", {"部门 department", "份数 responses", "按100分计 counted as 100", "得分 score"}, {}, {1, 2, 3}};
  for (const auto& s : r.surveys) sv.rows.push_back({s.name, S(s.responses), S(s.counted_as_100), S(s.score)});
  out.push_back(std::move(sv));
  Section disputes{"问卷异议与审定 Survey disputes and rulings", {"部门 department", "事件 event", "问卷 response", "内容 detail"}, {}, {}};
  for (const auto& d : r.disputes) disputes.rows.push_back({d.name, d.id, d.response, "异议 disputed: " + d.reason});
  for (const auto& d : r.rulings) {
    std::string what = "审定 ruled " + d.outcome;
    if (d.score) what += " → " + *d.score;
    disputes.rows.push_back({d.name, d.id, d.response, what + " (" + d.ruling + ")"});
  }
  out.push_back(std::move(disputes));

  Section cp{"客户投诉 Complaints", {"部门 department", "受理 received", "渠道 channel", "内容 summary", "有效 valid",
             "计分 counts", "处理 resolved", "用时(小时) hours"}, {}, {7}};
  for (const auto& c : r.complaints) {
    cp.rows.push_back({c.name, c.received_at, c.channel, c.summary, c.voided ? "voided" : S(c.valid), S(c.counts),
                       S(c.resolved_at), S(c.hours_to_resolve)});
  }
  out.push_back(std::move(cp));

  Section cb{"电话回访 Callback findings and direct deductions", {"部门 department", "事件 event", "扣分 points", "原因 reason"}, {}, {2}};
  for (const auto& c : r.callback_findings) cb.rows.push_back({c.name, c.id, c.points, "回访 callback: " + c.reason});
  for (const auto& c : r.direct_deductions) cb.rows.push_back({c.name, c.id, c.points, "主业直接扣分 direct: " + c.reason});
  out.push_back(std::move(cb));

  Section adj{"委员会调整 Committee adjustments", {"部门 department", "分项 component", "分值 points", "原因 reason", "决定 ruling"}, {}, {2}};
  for (const auto& a : r.adjustments) adj.rows.push_back({a.name, a.component, a.points, a.reason, a.ruling});
  out.push_back(std::move(adj));
  return out;
}

std::string HeadLine(const QuarterReport& r) {
  return "账本头 Ledger head: seq " + S(r.as_of_seq) + ", hash " + r.as_of_hash;
}

// The approved tree's checkpoint and who signed it (verification.md §9).
std::string CheckpointLine(const CheckpointInfo& c) {
  std::string signers;
  for (const auto& s : c.signers) signers += (signers.empty() ? "" : ", ") + s;
  return "检查点 Checkpoint: " + S(static_cast<int64_t>(c.size)) + " events of " + c.origin + ", root " + c.root +
         ", signed by " + signers;
}

std::string SummaryLine(const QuarterReport& r) {
  const ReportSummary& s = r.summary;
  return "优秀 excellent " + S(s.excellent) + ", 合格 qualified " + S(s.qualified) + ", 不合格 unqualified " +
         S(s.unqualified) + "; 奖励 rewards " + S(s.rewards) + " 元, 处罚 penalties " + S(s.penalties) +
         " 元, 净额 net " + S(s.net) + " 元";
}

std::string StatusLine(const QuarterReport& r) {
  std::string name = domain::QuarterStatusName(r.status);
  return "状态 Status: " + std::string(StatusZh(name)) + " (" + name + ")";
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

Row ScoreHeader() {
  return {"department", "name", "status", "selfcheck", "survey", "complaint", "weighted",
          "callbacks", "adjustments", "total", "grade", "amount"};
}

std::vector<Row> ScoreRows(const std::vector<domain::Score>& scores) {
  std::vector<Row> rows;
  for (const auto& s : scores) {
    rows.push_back({s.department, s.name, domain::QuarterStatusName(s.status), S(s.selfcheck.score),
                    S(s.survey.score), S(s.complaint.score), S(s.weighted), S(s.callback_deductions),
                    S(s.adjustments), S(s.total), s.grade, S(s.amount)});
  }
  return rows;
}

}  // namespace

std::string ReportToMarkdown(const QuarterReport& r) {
  std::string out = "# 服务质量分析报告 Service-quality analysis report — " + r.quarter + "\n\n";
  out += "- " + StatusLine(r) + "\n";
  out += "- 分析会 Meeting: " + r.meeting_date + " (第十五条)\n";
  if (r.approval) {
    out += "- 审定 Approved by " + r.approval->approved_by + " on " + r.approval->meeting_date + " (event seq " +
           S(r.approval->seq) + ")\n";
  }
  out += "- 政策版本 Policy version: " + S(r.policy_version) + "\n";
  out += "- " + HeadLine(r) + "\n";
  if (r.checkpoint) out += "- " + CheckpointLine(*r.checkpoint) + "\n";
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
  if (r.checkpoint) {
    // The whole note: with it and a committee member's verifier key, the
    // paper copy checks the ledger later (qledger check, verification.md §10).
    out += "\n## 检查点 Signed checkpoint\n\n```\n" + r.checkpoint->note + "```\n";
  }
  out += "\n---\n" + HeadLine(r) + ". Check with `qledger verify` and `qledger export`; see docs/verification.md.\n";
  return out;
}

std::string ReportToHtml(const QuarterReport& r) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n<title>服务质量分析报告 " +
      Escape(r.quarter) +
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
  out += "<h1>服务质量分析报告 — " + Escape(r.quarter) + "</h1>\n<ul class=\"meta\">\n";
  out += "<li>" + Escape(StatusLine(r)) + "</li>\n";
  out += "<li>分析会 Meeting: " + Escape(r.meeting_date) + "（第十五条）</li>\n";
  if (r.approval) {
    out += "<li>审定 Approved by " + Escape(r.approval->approved_by) + " on " + Escape(r.approval->meeting_date) +
           " (event seq " + S(r.approval->seq) + ")</li>\n";
  }
  out += "<li>政策版本 Policy version: " + S(r.policy_version) + "</li>\n";
  out += "<li>" + Escape(SummaryLine(r)) + "</li>\n";
  out += "<li class=\"head\">" + Escape(HeadLine(r)) + "</li>\n";
  if (r.checkpoint) out += "<li class=\"head\">" + Escape(CheckpointLine(*r.checkpoint)) + "</li>\n";
  out += "</ul>\n";
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
  if (r.checkpoint) {
    out += "<h2>检查点 Signed checkpoint</h2>\n<pre class=\"head\">" + Escape(r.checkpoint->note) + "</pre>\n";
  }
  out += "<footer class=\"head\">" + Escape(HeadLine(r)) +
         ". 核对 Check: qledger verify; qledger export | python3 tools/verify_export.py</footer>\n</body></html>\n";
  return out;
}

std::string ReportToCsv(const QuarterReport& r) {
  Row header = {"quarter", "status", "rank", "department", "name", "selfcheck", "survey", "complaint", "weighted",
                "callback_deductions", "adjustments", "total", "grade", "amount", "previous_total", "change",
                "as_of_seq", "as_of_hash"};
  std::vector<const ReportScore*> ranked;
  for (const auto& s : r.scores) ranked.push_back(&s);
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->rank < b->rank; });
  std::vector<Row> rows;
  for (const ReportScore* row : ranked) {
    const domain::Score& s = row->score;
    rows.push_back({r.quarter, domain::QuarterStatusName(r.status), S(row->rank), s.department, s.name,
                    S(s.selfcheck.score), Blank(s.survey.score), S(s.complaint.score), S(s.weighted),
                    S(s.callback_deductions), S(s.adjustments), S(s.total), s.grade, S(s.amount),
                    Blank(row->previous_total), Blank(row->change), S(r.as_of_seq), r.as_of_hash});
  }
  return RenderCsv(header, rows);
}

std::string LedgerToText(const RewardLedger& l) {
  std::string out = "奖惩台账 Reward/penalty ledger " + l.year + " (as of seq " + S(l.as_of_seq) + ")\n\n";
  std::vector<Row> rows;
  for (const auto& e : l.entries) {
    rows.push_back({e.quarter, e.department, e.name, e.final ? "final" : "provisional", S(e.total), e.grade, S(e.amount)});
  }
  out += RenderTable({"quarter", "department", "name", "state", "total", "grade", "amount"}, rows, {4, 6});
  out += "\n";
  std::vector<Row> totals;
  for (const auto& t : l.totals) {
    totals.push_back({t.department, t.name, S(t.rewards), S(t.penalties), S(t.net), S(t.provisional_net)});
  }
  out += RenderTable({"department", "name", "rewards", "penalties", "net", "of which provisional"}, totals, {2, 3, 4, 5});
  if (l.quota) {
    const domain::QuotaUse& q = *l.quota;
    out += "\n工作组额度 Work-group quota (第十四条.4): " + S(q.annual_quota) + " yuan\n";
    out += "  rewards final " + S(q.rewards_final) + " + expenses " + S(q.expenses) + " = used " + S(q.used) +
           ", remaining " + S(q.remaining) + (q.over_quota ? "  ** OVER QUOTA **" : "") + "\n";
    out += "  including provisional rewards " + S(q.rewards_provisional) + ": " + S(q.used_including_provisional) +
           (q.over_quota_including_provisional ? "  ** would be OVER QUOTA **" : "") + "\n";
  }
  return out;
}

std::string LedgerToCsv(const RewardLedger& l) {
  std::vector<Row> rows;
  for (const auto& e : l.entries) {
    rows.push_back({e.quarter, e.department, e.name, domain::QuarterStatusName(e.status), e.final ? "final" : "provisional",
                    S(e.total), e.grade, S(e.amount), S(e.as_of_seq), e.as_of_hash});
  }
  return RenderCsv({"quarter", "department", "name", "status", "state", "total", "grade", "amount", "as_of_seq",
                    "as_of_hash"},
                   rows);
}

std::string ComplaintsToText(const ComplaintRegister& c) {
  std::vector<Row> rows;
  for (const auto& x : c.complaints) {
    rows.push_back({x.quarter, x.name, x.id, x.received_at, x.channel, x.summary,
                    x.voided ? "voided" : (x.valid ? "valid" : "invalid"), S(x.ruling), S(x.acknowledged_at),
                    S(x.resolved_at), S(x.hours_to_resolve), S(x.counts)});
  }
  std::string out = RenderTable({"quarter", "department", "id", "received", "channel", "summary", "validity", "ruling",
                                 "acknowledged", "resolved", "hours", "counts"}, rows, {10});
  const ComplaintSummary& s = c.summary;
  out += "\nrecorded " + S(s.recorded) + ", counting " + S(s.valid) + ", ruled invalid " + S(s.invalid) +
         ", voided " + S(s.voided) + ", resolved " + S(s.resolved) + ", unresolved " + S(s.unresolved) +
         ", customer satisfied " + S(s.satisfied) + "\n";
  return out;
}

std::string ComplaintsToCsv(const ComplaintRegister& c) {
  Row header = {"quarter", "department", "name", "id", "received_at", "channel", "summary", "customer", "category",
                "valid", "ruling", "ruling_reason", "acknowledged_at", "resolved_at", "resolution", "satisfied",
                "voided", "counts", "hours_to_resolve"};
  std::vector<Row> rows;
  for (const auto& x : c.complaints) {
    rows.push_back({x.quarter, x.department, x.name, x.id, x.received_at, x.channel, x.summary, Blank(x.customer),
                    Blank(x.category), S(x.valid), Blank(x.ruling), Blank(x.ruling_reason), Blank(x.acknowledged_at),
                    Blank(x.resolved_at), Blank(x.resolution), Blank(x.satisfied), S(x.voided), S(x.counts),
                    Blank(x.hours_to_resolve)});
  }
  return RenderCsv(header, rows);
}

std::string ScoresToText(const std::vector<domain::Score>& scores, bool hypothetical) {
  const domain::Score& first = scores.front();
  std::string out = "Quarter " + first.quarter + " (" + domain::QuarterStatusName(first.status) + "), as of seq " +
                    S(first.as_of_seq) + " " + first.as_of_hash.substr(0, 16) + "…, policy version " +
                    S(first.policy_version) + (hypothetical ? " — HYPOTHETICAL, events left out" : "") + "\n\n";
  out += RenderTable(ScoreHeader(), ScoreRows(scores), {3, 4, 5, 6, 7, 8, 9, 11});
  for (const auto& s : scores) {
    for (const auto& w : s.warnings) out += "warning: " + s.department + ": " + w + "\n";
  }
  return out;
}

std::string ScoresToCsv(const std::vector<domain::Score>& scores) {
  std::vector<Row> rows = ScoreRows(scores);
  for (auto& row : rows) {
    for (auto& cell : row) {
      if (cell == "—") cell.clear();  // a missing number is an empty cell
    }
  }
  return RenderCsv(ScoreHeader(), rows);
}

std::string QuartersToText(const std::vector<QuarterSummary>& quarters) {
  std::vector<Row> rows;
  for (const auto& q : quarters) {
    rows.push_back({q.quarter, domain::QuarterStatusName(q.status), q.approved_seq ? S(q.approved_seq) : ""});
  }
  return RenderTable({"quarter", "status", "approved_at_seq"}, rows, {2});
}

std::string EventToText(const domain::Event& e, const domain::TimeZone& tz) {
  auto recorded = domain::ParseInstant(e.recorded_at);
  std::string when = recorded ? domain::FormatLocal(*recorded, tz) : e.recorded_at;
  std::string out = "#" + S(e.seq) + "  " + when + "  " + domain::EventTypeName(e.type) + "  " + e.id;
  if (!e.department.empty()) out += "  " + e.department;
  if (!e.period.empty()) out += "  " + e.period;
  out += "  (" + e.actor + ", " + e.occurred_at + ")  " + json::serialize(e.data);
  return out;
}

}  // namespace qledger::app
