#include "qledger/app/report_render.h"

#include <algorithm>

#include <boost/json.hpp>

namespace json = boost::json;

namespace qledger::app {
namespace {

using domain::Pick;

// A cell's text; an absent value is an empty cell (Table).
std::string S(const std::string& s) { return s; }
std::string S(int64_t n) { return std::to_string(n); }
std::string S(const Decimal& d) { return d.ToString(); }
template <typename T>
std::string S(const std::optional<T>& v) {
  return v ? S(*v) : "";
}
std::string B(bool b, Lang lang) { return domain::YesNo(b, lang); }
std::string B(const std::optional<bool>& b, Lang lang) { return b ? B(*b, lang) : ""; }

// The two forms of one label: the language picks.
struct L {
  const char* zh;
  const char* en;
  std::string operator()(Lang lang) const { return lang == Lang::kZh ? zh : en; }
};

Row Labels(std::initializer_list<L> labels, Lang lang) {
  Row out;
  for (const auto& l : labels) out.push_back(l(lang));
  return out;
}

std::vector<const ReportScore*> Ranked(const QuarterReport& r) {
  std::vector<const ReportScore*> ranked;
  for (const auto& s : r.scores) ranked.push_back(&s);
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->rank < b->rank; });
  return ranked;
}

std::string Validity(const ComplaintLine& c, Lang lang) {
  if (c.voided) return Pick(lang, "已作废", "voided");
  return c.valid ? Pick(lang, "有效", "valid") : Pick(lang, "无效", "invalid");
}

std::string Outcome(const std::string& outcome, Lang lang) {
  if (lang == Lang::kEn) return outcome;
  return outcome == "voided" ? "不计分" : outcome == "rescored" ? "改分" : outcome == "upheld" ? "维持" : outcome;
}

// The report's sections, shared by every form of it. The first is the
// scores table of the meeting (in rank order).
std::vector<Table> Sections(const QuarterReport& r, Lang lang) {
  std::vector<Table> out;
  Table scores{Pick(lang, "考核结果", "Scores and grades"),
               Labels({{"名次", "rank"}, {"部门", "department"}, {"自查", "selfcheck"}, {"问卷", "survey"},
                       {"投诉", "complaint"}, {"加权", "weighted"}, {"回访扣分", "callbacks"}, {"调整", "adjustments"},
                       {"总分", "total"}, {"等次", "grade"}, {"奖惩(元)", "amount (yuan)"}, {"上季", "previous"},
                       {"变化", "change"}},
                      lang),
               {},
               {0, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12}};
  for (const ReportScore* row : Ranked(r)) {
    const domain::Score& s = row->score;
    std::string change = row->change ? (*row->change > Decimal() ? "+" : "") + S(*row->change) : "";
    scores.rows.push_back({S(row->rank), lang == Lang::kZh ? s.name : s.name + " (" + s.department + ")",
                           S(s.selfcheck.score), S(s.survey.score), S(s.complaint.score), S(s.weighted),
                           S(s.callback_deductions), S(s.adjustments), S(s.total), domain::GradeLabel(s.grade, lang),
                           S(s.amount), S(row->previous_total), change});
  }
  out.push_back(std::move(scores));

  Table spot{Pick(lang, "自查与抽查差异", "Self-check against spot check"),
             Labels({{"部门", "department"}, {"月份", "month"}, {"自查", "self"}, {"抽查", "spot"},
                     {"差异", "difference"}, {"扣分", "deduction"}},
                    lang),
             {},
             {2, 3, 4, 5}};
  for (const auto& m : r.spot_checks) {
    spot.rows.push_back({m.name, m.month, S(m.self), S(m.spot), S(m.difference), S(m.deduction)});
  }
  out.push_back(std::move(spot));

  Table sv{Pick(lang, "问卷调查", "Survey statistics"),
           Labels({{"部门", "department"}, {"份数", "responses"}, {"按满分计", "counted as 100"}, {"得分", "score"}},
                  lang),
           {},
           {1, 2, 3}};
  for (const auto& s : r.surveys) sv.rows.push_back({s.name, S(s.responses), S(s.counted_as_100), S(s.score)});
  out.push_back(std::move(sv));

  Table disputes{Pick(lang, "问卷异议与审定", "Survey disputes and rulings"),
                 Labels({{"部门", "department"}, {"事件", "event"}, {"问卷", "response"}, {"内容", "detail"}}, lang),
                 {},
                 {}};
  for (const auto& d : r.disputes) {
    disputes.rows.push_back({d.name, d.id, d.response, Pick(lang, "异议：", "disputed: ") + d.reason});
  }
  for (const auto& d : r.rulings) {
    std::string what = Pick(lang, "审定：", "ruled ") + Outcome(d.outcome, lang);
    if (d.score) what += " → " + *d.score;
    disputes.rows.push_back({d.name, d.id, d.response, what + " (" + d.ruling + ")"});
  }
  out.push_back(std::move(disputes));

  Table cp{Pick(lang, "客户投诉", "Complaints"),
           Labels({{"部门", "department"}, {"受理时间", "received"}, {"渠道", "channel"}, {"内容", "summary"},
                   {"有效", "valid"}, {"计分", "counts"}, {"处理时间", "resolved"}, {"用时(小时)", "hours"}},
                  lang),
           {},
           {7}};
  for (const auto& c : r.complaints) {
    cp.rows.push_back({c.name, c.received_local, c.channel, c.summary, Validity(c, lang), B(c.counts, lang),
                       S(c.resolved_local), S(c.hours_to_resolve)});
  }
  out.push_back(std::move(cp));

  Table cb{Pick(lang, "电话回访与直接扣分", "Callback findings and direct deductions"),
           Labels({{"部门", "department"}, {"事件", "event"}, {"扣分", "points"}, {"原因", "reason"}}, lang),
           {},
           {2}};
  for (const auto& c : r.callback_findings) {
    cb.rows.push_back({c.name, c.id, c.points, Pick(lang, "电话回访：", "callback: ") + c.reason});
  }
  for (const auto& c : r.direct_deductions) {
    cb.rows.push_back({c.name, c.id, c.points, Pick(lang, "主业直接扣分：", "direct: ") + c.reason});
  }
  out.push_back(std::move(cb));

  Table adj{Pick(lang, "委员会调整", "Committee adjustments"),
            Labels({{"部门", "department"}, {"分项", "component"}, {"分值", "points"}, {"原因", "reason"},
                    {"决定", "ruling"}},
                   lang),
            {},
            {2}};
  for (const auto& a : r.adjustments) {
    adj.rows.push_back({a.name, domain::ComponentLabel(a.component, lang), a.points, a.reason, a.ruling});
  }
  out.push_back(std::move(adj));
  return out;
}

std::string Title(const QuarterReport& r, Lang lang) {
  return Pick(lang, "服务质量分析报告 — ", "Service-quality analysis report — ") + r.quarter;
}

// The lines under the title, in order: status, meeting, approval, policy,
// summary. The head and the checkpoint are set apart (HeadLine,
// CheckpointLine): the paper copy is checked against them.
std::vector<std::string> MetaLines(const QuarterReport& r, Lang lang) {
  const bool zh = lang == Lang::kZh;
  std::vector<std::string> out;
  out.push_back(Pick(lang, "状态：", "Status: ") + domain::StatusLabel(r.status, lang));
  out.push_back(zh ? "分析会：" + r.meeting_date + "（第十五条）" : "Analysis meeting: " + r.meeting_date + " (art. 15)");
  if (r.approval) {
    out.push_back(zh ? "审定：" + r.approval->approved_by + "，" + r.approval->meeting_date + "（事件 seq " +
                           S(r.approval->seq) + "）"
                     : "Approved by " + r.approval->approved_by + " on " + r.approval->meeting_date + " (event seq " +
                           S(r.approval->seq) + ")");
  }
  out.push_back(Pick(lang, "考核办法版本：", "Policy version: ") + S(r.policy_version));
  const ReportSummary& s = r.summary;
  out.push_back(zh ? "优秀 " + S(s.excellent) + "，合格 " + S(s.qualified) + "，不合格 " + S(s.unqualified) + "；奖励 " +
                         S(s.rewards) + " 元，处罚 " + S(s.penalties) + " 元，净额 " + S(s.net) + " 元"
                   : "excellent " + S(s.excellent) + ", qualified " + S(s.qualified) + ", unqualified " +
                         S(s.unqualified) + "; rewards " + S(s.rewards) + " yuan, penalties " + S(s.penalties) +
                         " yuan, net " + S(s.net) + " yuan");
  return out;
}

std::string HeadLine(const QuarterReport& r, Lang lang) {
  return Pick(lang, "账本头：seq ", "Ledger head: seq ") + S(r.as_of_seq) + Pick(lang, "，hash ", ", hash ") +
         r.as_of_hash;
}

// "qledger-log, committee-li".
std::string Signers(const CheckpointInfo& c) {
  std::string out;
  for (const auto& s : c.signers) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// The approved tree's checkpoint and who signed it (verification.md §9).
std::string CheckpointLine(const CheckpointInfo& c, Lang lang) {
  const std::string signers = Signers(c);
  return lang == Lang::kZh ? "检查点：" + c.origin + " 的前 " + S(static_cast<int64_t>(c.size)) + " 个事件，根 " +
                                 c.root + "，签名人 " + signers
                           : "Checkpoint: " + S(static_cast<int64_t>(c.size)) + " events of " + c.origin + ", root " +
                                 c.root + ", signed by " + signers;
}

std::string CheckHint(Lang lang) {
  return Pick(lang, "核对：qledger verify；qledger export | python3 tools/verify_export.py",
              "Check: qledger verify; qledger export | python3 tools/verify_export.py");
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
  return out.empty() ? "—" : out;
}

// Columns of free text that may wrap in print; every other cell is a value
// and is kept on one line.
bool IsText(const Table& t, size_t column) {
  static const char* kText[] = {"内容", "原因", "决定", "summary", "reason", "detail", "ruling"};
  for (const char* h : kText) {
    if (t.header[column] == h) return true;
  }
  return false;
}

}  // namespace

std::vector<Table> ReportTables(const QuarterReport& r, Lang lang) {
  std::vector<Table> out = Sections(r, lang);
  // The scores as data, in rank order: codes and names apart, the change
  // unsigned, the quarter and the head it was derived from in every row, so
  // that a file taken alone still says what it is.
  Table scores{out.front().title,
               Labels({{"季度", "quarter"}, {"状态", "status"}, {"名次", "rank"}, {"部门代码", "department"},
                       {"部门", "name"}, {"自查", "selfcheck"}, {"问卷", "survey"}, {"投诉", "complaint"},
                       {"加权", "weighted"}, {"回访扣分", "callback_deductions"}, {"调整", "adjustments"},
                       {"总分", "total"}, {"等次", "grade"}, {"奖惩(元)", "amount"}, {"上季总分", "previous_total"},
                       {"变化", "change"}, {"截至seq", "as_of_seq"}, {"截至hash", "as_of_hash"}},
                      lang),
               {},
               {2, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16}};
  for (const ReportScore* row : Ranked(r)) {
    const domain::Score& s = row->score;
    scores.rows.push_back({r.quarter, domain::StatusLabel(r.status, lang), S(row->rank), s.department, s.name,
                           S(s.selfcheck.score), S(s.survey.score), S(s.complaint.score), S(s.weighted),
                           S(s.callback_deductions), S(s.adjustments), S(s.total), domain::GradeLabel(s.grade, lang),
                           S(s.amount), S(row->previous_total), S(row->change), S(r.as_of_seq), r.as_of_hash});
  }
  out.front() = std::move(scores);
  // The approved tree's signed checkpoint, so that a file taken alone can be
  // checked against the ledger too (verification.md §9).
  if (r.checkpoint) {
    const CheckpointInfo& c = *r.checkpoint;
    Table cp{Pick(lang, "签名检查点", "Signed checkpoint"),
             Labels({{"来源", "origin"}, {"事件数", "tree_size"}, {"根", "root"}, {"签名人", "signers"},
                     {"签名文本", "note"}},
                    lang),
             {},
             {1}};
    cp.rows.push_back({c.origin, S(static_cast<int64_t>(c.size)), c.root, Signers(c), c.note});
    out.push_back(std::move(cp));
  }
  return out;
}

std::string ReportToMarkdown(const QuarterReport& r, Lang lang) {
  std::string out = "# " + Title(r, lang) + "\n\n";
  for (const auto& line : MetaLines(r, lang)) out += "- " + line + "\n";
  out += "- " + HeadLine(r, lang) + "\n";
  if (r.checkpoint) out += "- " + CheckpointLine(*r.checkpoint, lang) + "\n";
  for (const auto& sec : Sections(r, lang)) {
    out += "\n## " + sec.title + "\n\n";
    if (sec.rows.empty()) {
      out += Pick(lang, "无。\n", "None.\n");
      continue;
    }
    out += "|";
    for (const auto& h : sec.header) out += " " + MdCell(h) + " |";
    out += "\n|";
    for (size_t i = 0; i < sec.header.size(); ++i) out += sec.IsNumeric(i) ? "---:|" : "---|";
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
    out += "\n## " + Pick(lang, "签名检查点", "Signed checkpoint") + "\n\n```\n" + r.checkpoint->note + "```\n";
  }
  out += "\n## " + Pick(lang, "签字", "Signatures") + "\n\n";
  out += Pick(lang, "| | 签字 | 日期 |\n|---|---|---|\n| 编制 | | |\n| 审核 | | |\n| 批准 | | |\n",
              "| | signature | date |\n|---|---|---|\n| Prepared by | | |\n| Reviewed by | | |\n| Approved by | | |\n");
  out += "\n---\n" + HeadLine(r, lang) + ". " + CheckHint(lang) + "\n";
  return out;
}

std::string ReportToHtml(const QuarterReport& r, Lang lang) {
  const bool zh = lang == Lang::kZh;
  // Page numbers in the page's bottom margin box (CSS Paged Media; Chromium
  // prints them), the head in the top one so that every sheet names the
  // ledger state it came from.
  std::string page_label = zh ? "\"第 \" counter(page) \" 页 / 共 \" counter(pages) \" 页\""
                              : "\"Page \" counter(page) \" of \" counter(pages)";
  std::string out = std::string("<!DOCTYPE html>\n<html lang=\"") + (zh ? "zh-CN" : "en") +
                    "\"><head><meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"data:,\">\n<title>" + Escape(Title(r, lang)) +
                    "</title>\n<style>\n"
                    "@page { size: A4; margin: 16mm 12mm 16mm;\n"
                    "  @bottom-center { content: " + page_label + "; font-size: 8pt; color: #444; }\n"
                    "  @top-right { content: \"" + Escape(r.quarter) + " · seq " + S(r.as_of_seq) + " · " +
                    r.as_of_hash.substr(0, 16) + "…\"; font-size: 7pt; color: #666; } }\n"
                    "body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', "
                    "'Microsoft YaHei', sans-serif; font-size: 9pt; color: #111; margin: 0; }\n"
                    "h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11pt; margin: 10pt 0 3pt; break-after: avoid; }\n"
                    "table { border-collapse: collapse; width: 100%; margin-bottom: 6pt; break-inside: auto; }\n"
                    "th, td { border: 0.5pt solid #888; padding: 1.5pt 3pt; vertical-align: top; white-space: nowrap; }\n"
                    "td.t { white-space: normal; } th { background: #eee; font-weight: 600; }\n"
                    "tr { break-inside: avoid; } thead { display: table-header-group; }\n"
                    "td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
                    ".meta { margin: 0 0 6pt; padding: 0; list-style: none; }\n"
                    ".head { font-family: 'DejaVu Sans Mono', monospace; font-size: 7.5pt; white-space: nowrap; }\n"
                    "pre.head { white-space: pre; }\n"
                    "table.sign { width: 70%; margin-top: 14pt; break-inside: avoid; }\n"
                    "table.sign td { height: 22pt; } table.sign td:first-child { width: 18%; font-weight: 600; }\n"
                    "footer { margin-top: 10pt; font-size: 8pt; color: #444; }\n"
                    "</style></head><body>\n";
  out += "<h1>" + Escape(Title(r, lang)) + "</h1>\n<ul class=\"meta\">\n";
  for (const auto& line : MetaLines(r, lang)) out += "<li>" + Escape(line) + "</li>\n";
  out += "<li class=\"head\">" + Escape(HeadLine(r, lang)) + "</li>\n";
  if (r.checkpoint) out += "<li>" + Escape(CheckpointLine(*r.checkpoint, lang)) + "</li>\n";
  out += "</ul>\n";
  for (const auto& sec : Sections(r, lang)) {
    out += "<h2>" + Escape(sec.title) + "</h2>\n";
    if (sec.rows.empty()) {
      out += "<p>" + Pick(lang, "无。", "None.") + "</p>\n";
      continue;
    }
    out += "<table><thead><tr>";
    for (const auto& h : sec.header) out += "<th>" + Escape(h) + "</th>";
    out += "</tr></thead><tbody>\n";
    for (const auto& row : sec.rows) {
      out += "<tr>";
      for (size_t i = 0; i < row.size(); ++i) {
        const char* cls = sec.IsNumeric(i) ? "<td class=\"n\">" : IsText(sec, i) ? "<td class=\"t\">" : "<td>";
        out += cls + Escape(row[i].empty() ? "—" : row[i]) + "</td>";
      }
      out += "</tr>\n";
    }
    out += "</tbody></table>\n";
  }
  if (r.checkpoint) {
    out += "<h2>" + Pick(lang, "签名检查点", "Signed checkpoint") + "</h2>\n<pre class=\"head\">" +
           Escape(r.checkpoint->note) + "</pre>\n";
  }
  out += "<table class=\"sign\"><thead><tr><th></th><th>" + Pick(lang, "签字", "Signature") + "</th><th>" +
         Pick(lang, "日期", "Date") + "</th></tr></thead><tbody>\n";
  for (const L& who : {L{"编制", "Prepared by"}, L{"审核", "Reviewed by"}, L{"批准", "Approved by"}}) {
    out += "<tr><td>" + who(lang) + "</td><td></td><td></td></tr>\n";
  }
  out += "</tbody></table>\n";
  out += "<footer><div class=\"head\">" + Escape(HeadLine(r, lang)) + "</div>" + Escape(CheckHint(lang)) +
         "</footer>\n</body></html>\n";
  return out;
}

std::string ReportToCsv(const QuarterReport& r, Lang lang) { return RenderCsv(ReportTables(r, lang).front()); }

std::vector<Table> LedgerTables(const RewardLedger& l, Lang lang) {
  std::vector<Table> out;
  Table entries{Pick(lang, "奖惩台账 ", "Reward-penalty ledger ") + l.year,
                Labels({{"季度", "quarter"}, {"部门代码", "department"}, {"部门", "name"}, {"状态", "status"},
                        {"性质", "state"}, {"总分", "total"}, {"等次", "grade"}, {"奖惩(元)", "amount"},
                        {"截至seq", "as_of_seq"}, {"截至hash", "as_of_hash"}},
                       lang),
                {},
                {5, 7, 8}};
  for (const auto& e : l.entries) {
    entries.rows.push_back({e.quarter, e.department, e.name, domain::StatusLabel(e.status, lang),
                            e.final ? Pick(lang, "确定", "final") : Pick(lang, "暂定", "provisional"), S(e.total),
                            domain::GradeLabel(e.grade, lang), S(e.amount), S(e.as_of_seq), e.as_of_hash});
  }
  out.push_back(std::move(entries));
  Table totals{Pick(lang, "年度合计", "Totals"),
               Labels({{"部门代码", "department"}, {"部门", "name"}, {"奖励", "rewards"}, {"处罚", "penalties"},
                       {"净额", "net"}, {"其中暂定", "of which provisional"}},
                      lang),
               {},
               {2, 3, 4, 5}};
  for (const auto& t : l.totals) {
    totals.rows.push_back({t.department, t.name, S(t.rewards), S(t.penalties), S(t.net), S(t.provisional_net)});
  }
  out.push_back(std::move(totals));
  Table expenses{Pick(lang, "经费支出", "Budget expenses"),
                 Labels({{"编号", "id"}, {"seq", "seq"}, {"日期", "date"}, {"金额(元)", "amount"}, {"用途", "purpose"},
                         {"作废", "voided"}},
                        lang),
                 {},
                 {1, 3}};
  for (const auto& x : l.expenses) {
    expenses.rows.push_back({x.id, S(x.seq), x.occurred_at, x.amount, x.purpose, B(x.voided, lang)});
  }
  out.push_back(std::move(expenses));
  return out;
}

std::string LedgerToText(const RewardLedger& l, Lang lang) {
  const bool zh = lang == Lang::kZh;
  std::vector<Table> tables = LedgerTables(l, lang);
  // The terminal shows the entries without the head columns.
  Table entries = tables[0];
  entries.header.resize(8);
  for (auto& row : entries.rows) row.resize(8);
  entries.numeric = {5, 7};
  std::string out = entries.title + Pick(lang, "（截至 seq ", " (as of seq ") + S(l.as_of_seq) + Pick(lang, "）", ")") +
                    "\n\n" + RenderTable(entries) + "\n" + RenderTable(tables[1]);
  if (l.quota) {
    const domain::QuotaUse& q = *l.quota;
    if (zh) {
      out += "\n工作组额度（第十四条.4）：" + S(q.annual_quota) + " 元\n";
      out += "  确定奖励 " + S(q.rewards_final) + " + 经费支出 " + S(q.expenses) + " = 已用 " + S(q.used) + "，剩余 " +
             S(q.remaining) + (q.over_quota ? "  ** 超出额度 **" : "") + "\n";
      out += "  计入暂定奖励 " + S(q.rewards_provisional) + " 后：" + S(q.used_including_provisional) +
             (q.over_quota_including_provisional ? "  ** 将超出额度 **" : "") + "\n";
    } else {
      out += "\nWork-group quota (art. 14.4): " + S(q.annual_quota) + " yuan\n";
      out += "  rewards final " + S(q.rewards_final) + " + expenses " + S(q.expenses) + " = used " + S(q.used) +
             ", remaining " + S(q.remaining) + (q.over_quota ? "  ** OVER QUOTA **" : "") + "\n";
      out += "  including provisional rewards " + S(q.rewards_provisional) + ": " + S(q.used_including_provisional) +
             (q.over_quota_including_provisional ? "  ** would be OVER QUOTA **" : "") + "\n";
    }
  }
  return out;
}

std::string LedgerToCsv(const RewardLedger& l, Lang lang) { return RenderCsv(LedgerTables(l, lang).front()); }

std::vector<Table> ComplaintsTables(const ComplaintRegister& c, Lang lang) {
  Table t{Pick(lang, "客户投诉登记", "Complaint register"),
          Labels({{"季度", "quarter"}, {"部门代码", "department"}, {"部门", "name"}, {"编号", "id"},
                  {"受理时间", "received_at"}, {"渠道", "channel"}, {"内容", "summary"}, {"客户", "customer"},
                  {"类别", "category"}, {"有效", "valid"}, {"认定", "ruling"}, {"认定理由", "ruling_reason"},
                  {"确认受理时间", "acknowledged_at"}, {"处理时间", "resolved_at"}, {"处理结果", "resolution"},
                  {"客户满意", "satisfied"}, {"作废", "voided"}, {"计分", "counts"},
                  {"处理用时(小时)", "hours_to_resolve"}},
                 lang),
          {},
          {18}};
  for (const auto& x : c.complaints) {
    t.rows.push_back({x.quarter, x.department, x.name, x.id, x.received_local, x.channel, x.summary, S(x.customer),
                      S(x.category), B(x.valid, lang), S(x.ruling), S(x.ruling_reason), S(x.acknowledged_local),
                      S(x.resolved_local), S(x.resolution), B(x.satisfied, lang), B(x.voided, lang), B(x.counts, lang),
                      S(x.hours_to_resolve)});
  }
  return {std::move(t)};
}

std::string ComplaintsToText(const ComplaintRegister& c, Lang lang) {
  Table t{"",
          Labels({{"季度", "quarter"}, {"部门", "department"}, {"编号", "id"}, {"受理时间", "received"},
                  {"渠道", "channel"}, {"内容", "summary"}, {"认定", "validity"}, {"认定依据", "ruling"},
                  {"确认受理", "acknowledged"}, {"处理时间", "resolved"}, {"用时(小时)", "hours"}, {"计分", "counts"}},
                 lang),
          {},
          {10}};
  for (const auto& x : c.complaints) {
    t.rows.push_back({x.quarter, x.name, x.id, x.received_local, x.channel, x.summary, Validity(x, lang), S(x.ruling),
                      S(x.acknowledged_local), S(x.resolved_local), S(x.hours_to_resolve), B(x.counts, lang)});
  }
  std::string out = RenderTable(t);
  const ComplaintSummary& s = c.summary;
  out += lang == Lang::kZh
             ? "\n登记 " + S(s.recorded) + "，计分 " + S(s.valid) + "，认定无效 " + S(s.invalid) + "，作废 " +
                   S(s.voided) + "，已处理 " + S(s.resolved) + "，未处理 " + S(s.unresolved) + "，客户满意 " +
                   S(s.satisfied) + "\n"
             : "\nrecorded " + S(s.recorded) + ", counting " + S(s.valid) + ", ruled invalid " + S(s.invalid) +
                   ", voided " + S(s.voided) + ", resolved " + S(s.resolved) + ", unresolved " + S(s.unresolved) +
                   ", customer satisfied " + S(s.satisfied) + "\n";
  return out;
}

std::string ComplaintsToCsv(const ComplaintRegister& c, Lang lang) {
  return RenderCsv(ComplaintsTables(c, lang).front());
}

std::vector<Table> ScoresTables(const std::vector<domain::Score>& scores, Lang lang) {
  Table t{Pick(lang, "考核结果 ", "Scores ") + scores.front().quarter,
          Labels({{"部门代码", "department"}, {"部门", "name"}, {"状态", "status"}, {"自查", "selfcheck"},
                  {"问卷", "survey"}, {"投诉", "complaint"}, {"加权", "weighted"}, {"回访扣分", "callbacks"},
                  {"调整", "adjustments"}, {"总分", "total"}, {"等次", "grade"}, {"奖惩(元)", "amount"}},
                 lang),
          {},
          {3, 4, 5, 6, 7, 8, 9, 11}};
  for (const auto& s : scores) {
    t.rows.push_back({s.department, s.name, domain::StatusLabel(s.status, lang), S(s.selfcheck.score),
                      S(s.survey.score), S(s.complaint.score), S(s.weighted), S(s.callback_deductions),
                      S(s.adjustments), S(s.total), domain::GradeLabel(s.grade, lang), S(s.amount)});
  }
  return {std::move(t)};
}

std::string ScoresToText(const std::vector<domain::Score>& scores, bool hypothetical, Lang lang) {
  const domain::Score& first = scores.front();
  std::string head = first.as_of_hash.substr(0, 16) + "…";
  std::string out =
      lang == Lang::kZh
          ? first.quarter + " 季度（" + domain::StatusLabel(first.status, lang) + "），截至 seq " + S(first.as_of_seq) +
                " " + head + "，考核办法第 " + S(first.policy_version) + " 版" +
                (hypothetical ? "——假设（HYPOTHETICAL），有事件不计" : "") + "\n\n"
          : "Quarter " + first.quarter + " (" + domain::QuarterStatusName(first.status) + "), as of seq " +
                S(first.as_of_seq) + " " + head + ", policy version " + S(first.policy_version) +
                (hypothetical ? " — HYPOTHETICAL, events left out" : "") + "\n\n";
  out += RenderTable(ScoresTables(scores, lang).front());
  for (const auto& s : scores) {
    for (const auto& w : s.warnings) out += Pick(lang, "提示：", "warning: ") + s.department + ": " + w + "\n";
  }
  return out;
}

std::string ScoresToCsv(const std::vector<domain::Score>& scores, Lang lang) {
  return RenderCsv(ScoresTables(scores, lang).front());
}

std::string QuartersToText(const std::vector<QuarterSummary>& quarters, Lang lang) {
  Table t{"", Labels({{"季度", "quarter"}, {"状态", "status"}, {"审定事件seq", "approved_at_seq"}}, lang), {}, {2}};
  t.rows.reserve(quarters.size());
  for (const auto& q : quarters) {
    t.rows.push_back({q.quarter, domain::StatusLabel(q.status, lang), q.approved_seq ? S(q.approved_seq) : ""});
  }
  return RenderTable(t);
}

std::string EventToText(const domain::Event& e, const domain::TimeZone& tz, Lang lang) {
  auto recorded = domain::ParseInstant(e.recorded_at);
  std::string when = recorded ? domain::FormatLocal(*recorded, tz) : e.recorded_at;
  std::string out = "#" + S(e.seq) + "  " + when + "  " + domain::EventTypeLabel(e.type, lang) + "  " + e.id;
  if (!e.department.empty()) out += "  " + e.department;
  if (!e.period.empty()) out += "  " + e.period;
  out += "  (" + e.actor + ", " + e.occurred_at + ")  " + json::serialize(e.data);
  return out;
}

}  // namespace qledger::app
