// The score and the derivation as JSON and as text (derivation_render.h).
#include "qledger/domain/derivation_render.h"

#include <boost/json.hpp>

namespace qledger::domain {
namespace {

namespace json = boost::json;

json::value DecOrNull(const std::optional<Decimal>& d) {
  return d ? json::value(d->ToString()) : json::value(nullptr);
}

}  // namespace

json::object ScoreToJson(const Score& s) {
  json::object o;
  o["quarter"] = s.quarter;
  o["department"] = s.department;
  o["name"] = s.name;
  o["status"] = QuarterStatusName(s.status);
  o["as_of_seq"] = s.as_of_seq;
  o["as_of_hash"] = s.as_of_hash;
  o["policy_version"] = s.policy_version;
  json::array months;
  for (const auto& m : s.selfcheck.months) {
    months.push_back(json::object{{"month", m.month},
                                  {"self", DecOrNull(m.self)},
                                  {"spot", DecOrNull(m.spot)},
                                  {"deduction", m.deduction.ToString()}});
  }
  o["selfcheck"] = json::object{{"score", s.selfcheck.score.ToString()},
                                {"average", DecOrNull(s.selfcheck.average)},
                                {"deductions", s.selfcheck.deductions.ToString()},
                                {"months", std::move(months)},
                                {"present", s.selfcheck.present}};
  o["survey"] = json::object{{"score", DecOrNull(s.survey.score)},
                             {"responses", s.survey.responses},
                             {"counted_as_100", s.survey.counted_as_100},
                             {"present", s.survey.present}};
  o["complaint"] = json::object{{"score", s.complaint.score.ToString()},
                                {"valid_complaints", s.complaint.valid_complaints},
                                {"direct_deductions", s.complaint.direct_deductions.ToString()}};
  o["weighted"] = s.weighted.ToString();
  o["callback_deductions"] = s.callback_deductions.ToString();
  o["adjustments"] = s.adjustments.ToString();
  o["total"] = s.total.ToString();
  o["grade"] = s.grade;
  o["amount"] = s.amount.ToString();
  json::array warnings;
  for (const auto& w : s.warnings) warnings.push_back(json::value(w));
  o["warnings"] = std::move(warnings);
  return o;
}


json::object DerivationToJson(const Derivation& d) {
  json::object o;
  o["quarter"] = d.score.quarter;
  o["department"] = d.score.department;
  o["hypothetical"] = d.hypothetical();
  json::array without;
  for (const auto& id : d.without) without.push_back(json::value(id));
  o["without"] = std::move(without);
  json::array steps;
  for (const auto& s : d.steps) {
    steps.push_back(json::object{
        {"seq", s.seq},
        {"id", s.id},
        {"type", EventTypeName(s.type)},
        {"occurred_at", s.occurred_at},
        {"actor", s.actor},
        {"change", s.change},
        {"left_out", s.left_out},
        {"selfcheck", s.running ? DecOrNull(s.selfcheck) : nullptr},
        {"survey", s.running ? DecOrNull(s.survey) : nullptr},
        {"complaint", s.running ? json::value(s.complaint.ToString()) : nullptr},
        {"weighted", s.running ? json::value(s.weighted.ToString()) : nullptr},
        {"callback_deductions", s.running ? json::value(s.callback_deductions.ToString()) : nullptr},
        {"adjustments", s.running ? json::value(s.adjustments.ToString()) : nullptr},
        {"total", s.running ? json::value(s.total.ToString()) : nullptr},
    });
  }
  o["steps"] = std::move(steps);
  o["score"] = ScoreToJson(d.score);
  return o;
}

std::string DerivationToText(const Derivation& d, Lang lang) {
  const Score& s = d.score;
  const bool zh = lang == Lang::kZh;
  auto n = [](int64_t v) { return std::to_string(v); };
  std::string out;
  if (zh) {
    out += s.name + "（" + s.department + "）" + s.quarter + " 得分推导（" + StatusLabel(s.status, lang) + "），截至 seq " +
           n(s.as_of_seq) + "，考核办法第 " + n(s.policy_version) + " 版\n";
  } else {
    out += "Derivation of " + s.department + " " + s.name + ", " + s.quarter + " (" + QuarterStatusName(s.status) +
           "), as of seq " + n(s.as_of_seq) + ", policy version " + n(s.policy_version) + "\n";
  }
  if (d.hypothetical()) {
    out += zh ? "假设（HYPOTHETICAL）：不计" : "HYPOTHETICAL: leaves out";
    for (const auto& id : d.without) out += " " + id;
    out += zh ? "——账本本身不变\n" : " — the ledger is unchanged\n";
  }
  out += "\n";
  auto opt = [](const std::optional<Decimal>& v) { return v ? v->ToString() : std::string("—"); };
  for (const auto& st : d.steps) {
    char head[64];
    std::snprintf(head, sizeof head, "#%-6lld ", static_cast<long long>(st.seq));
    out += head + st.occurred_at + "  " + EventTypeLabel(st.type, lang) + "  " + st.id + "  (" + st.actor + ")\n";
    out += "        " + st.change + "\n";
    if (!st.running) {
      out += zh ? "        （本季度该部门第一条记录之前，没有累计得分）\n"
                : "        (no running total before the department's first fact of the quarter)\n";
      continue;
    }
    if (zh) {
      out += "        自查 " + opt(st.selfcheck) + "  问卷 " + opt(st.survey) + "  投诉 " + st.complaint.ToString() +
             "  加权 " + st.weighted.ToString() + "  回访扣分 " + st.callback_deductions.ToString() + "  调整 " +
             st.adjustments.ToString() + "  总分 " + st.total.ToString() + "\n";
    } else {
      out += "        selfcheck " + opt(st.selfcheck) + "  survey " + opt(st.survey) + "  complaint " +
             st.complaint.ToString() + "  weighted " + st.weighted.ToString() + "  callback deductions " +
             st.callback_deductions.ToString() + "  adjustments " + st.adjustments.ToString() + "  total " +
             st.total.ToString() + "\n";
    }
  }
  if (zh) {
    out += "\n自查：平均 " + opt(s.selfcheck.average) + " − 扣分 " + s.selfcheck.deductions.ToString() + " = " +
           s.selfcheck.score.ToString() + "\n";
    for (const auto& m : s.selfcheck.months) {
      out += "  " + m.month + "  自查 " + opt(m.self) + "  抽查 " + opt(m.spot) + "  扣分 " + m.deduction.ToString() + "\n";
    }
    out += "问卷：" + opt(s.survey.score) + "，共 " + n(s.survey.responses) + " 份（" + n(s.survey.counted_as_100) +
           " 份按满分计）\n";
    out += "投诉：" + s.complaint.score.ToString() + "（有效投诉 " + n(s.complaint.valid_complaints) + " 件，直接扣分 " +
           s.complaint.direct_deductions.ToString() + "）\n";
    out += "加权：" + s.weighted.ToString() + "  回访扣分 " + s.callback_deductions.ToString() + "  调整 " +
           s.adjustments.ToString() + "\n";
    out += "总分：" + s.total.ToString() + "  等次 " + GradeLabel(s.grade, lang) + "  奖惩 " + s.amount.ToString() +
           " 元\n";
    for (const auto& w : s.warnings) out += "提示：" + w + "\n";
    return out;
  }
  out += "\nSelf-check: average " + opt(s.selfcheck.average) + " − deductions " + s.selfcheck.deductions.ToString() +
         " = " + s.selfcheck.score.ToString() + "\n";
  for (const auto& m : s.selfcheck.months) {
    out += "  " + m.month + "  self " + opt(m.self) + "  spot " + opt(m.spot) + "  deduction " +
           m.deduction.ToString() + "\n";
  }
  out += "Survey: " + opt(s.survey.score) + " from " + n(s.survey.responses) + " responses (" +
         n(s.survey.counted_as_100) + " counted as 100)\n";
  out += "Complaint: " + s.complaint.score.ToString() + " (" + n(s.complaint.valid_complaints) +
         " valid complaints, direct deductions " + s.complaint.direct_deductions.ToString() + ")\n";
  out += "Weighted: " + s.weighted.ToString() + "  callback deductions " + s.callback_deductions.ToString() +
         "  adjustments " + s.adjustments.ToString() + "\n";
  out += "Total: " + s.total.ToString() + "  grade " + s.grade + "  amount " + s.amount.ToString() + " yuan\n";
  for (const auto& w : s.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace qledger::domain
