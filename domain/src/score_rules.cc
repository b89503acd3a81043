// The component rules and the grade/money rule: DepartmentQuarter::Compute
// and GradeAndAmount (fold.h, score.h).
#include "qledger/domain/fold.h"

#include <vector>

#include "qledger/domain/score.h"

namespace qledger::domain {
namespace {

const Decimal k0;
const Decimal k100 = Decimal::FromInt(100);

Decimal RoundedMean(const std::vector<Decimal>& values) {
  Int128 sum = 0;
  for (auto v : values) sum += v.hundredths();
  return Decimal::FromHundredths(DivRoundHalfUp(sum, static_cast<int64_t>(values.size())));
}

Decimal Abs(Decimal d) { return d < Decimal() ? -d : d; }

}  // namespace

void GradeAndAmount(const Policy& policy, Decimal total, std::string* grade, Decimal* amount) {
  // points (hundredths) x yuan-per-point (fen) / 100 = fen.
  if (total > policy.qualified) {
    *grade = "excellent";
    Int128 fen = static_cast<Int128>((total - policy.qualified).hundredths()) * policy.reward_per_point.hundredths();
    *amount = Decimal::FromHundredths(DivRoundHalfUp(fen, 100));
  } else if (total == policy.qualified) {
    *grade = "qualified";
    *amount = Decimal();
  } else {
    *grade = "unqualified";
    Decimal counted = std::max(total, policy.penalty_floor);
    Decimal short_by = policy.qualified - counted;
    if (short_by < Decimal()) short_by = Decimal();
    Int128 fen = static_cast<Int128>(short_by.hundredths()) * policy.penalty_per_point.hundredths();
    *amount = -Decimal::FromHundredths(DivRoundHalfUp(fen, 100));
  }
}


void DepartmentQuarter::Compute(const Policy& policy, const Quarter& q, Score* out, Lang lang) const {
  const bool zh = lang == Lang::kZh;
  Decimal adj_self, adj_survey, adj_complaint, adj_total;
  for (const auto& [id, a] : adjustments_) {
    if (a.component == "selfcheck") adj_self += a.points;
    else if (a.component == "survey") adj_survey += a.points;
    else if (a.component == "complaint") adj_complaint += a.points;
    else adj_total += a.points;
  }

  // Self-check (第八条.1, 第十条).
  auto& sc = out->selfcheck;
  sc = {};
  std::vector<Decimal> reported;
  for (const auto& month : q.Months()) {
    MonthLine line;
    line.month = month;
    if (auto it = self_.find(month); it != self_.end()) {
      line.self = it->second.second;
      reported.push_back(*line.self);
    }
    if (auto it = spot_.find(month); it != spot_.end()) {
      line.spot = it->second.second;
      if (line.self) {
        line.deduction = policy.SpotDeduction(Abs(*line.spot - *line.self));
      } else {
        line.deduction = policy.LargestSpotDeduction();
        out->warnings.push_back(zh ? month + " 有抽查而无自查上报：按最高扣分 " + line.deduction.ToString() + " 扣分"
                                   : "spot check of " + month + " has no self-check report: the largest deduction (" +
                                         line.deduction.ToString() + ") applies");
      }
    }
    sc.deductions += line.deduction;
    sc.months.push_back(line);
  }
  sc.present = !reported.empty();
  if (sc.present) {
    sc.average = RoundedMean(reported);
    sc.score = Clamp(*sc.average - sc.deductions + adj_self, k0, k100);
  } else {
    sc.score = Decimal();
    out->warnings.push_back(zh ? q.ToString() + " 无自查上报：自查得分计 0"
                               : "no self-check report in " + q.ToString() + ": the self-check component is 0");
    // SPEC §2 rule 4 sets it to 0: an adjustment to it is not applied, and
    // says so rather than vanish from the figure (as the survey's does).
    if (adj_self != Decimal()) {
      out->warnings.push_back(zh ? "自查调整 " + adj_self.ToString() + " 分未计入：无自查上报，自查得分计 0"
                                 : "self-check adjustments of " + adj_self.ToString() +
                                       " are not applied: with no self-check report the component is 0");
    }
  }

  // Survey (第八条.2, 第十一条).
  auto& sv = out->survey;
  sv = {};
  if (!survey_.ready || survey_.full_marks_from != policy.survey_full_marks_from) {
    survey_ = SurveyTally{true, policy.survey_full_marks_from, 0, 0, 0};
    for (const auto& [id, r] : responses_) TallyResponse(r, +1);
  }
  sv.responses = survey_.counted;
  sv.counted_as_100 = survey_.full;
  sv.present = survey_.counted > 0;
  if (sv.present) {
    Decimal mean = Decimal::FromHundredths(DivRoundHalfUp(survey_.sum, survey_.counted));
    sv.score = Clamp(mean + adj_survey, k0, k100);
  } else {
    out->warnings.push_back(zh ? q.ToString() + " 无计分的问卷：问卷权重按比例分摊到其他分项"
                               : "no counted survey response in " + q.ToString() +
                                     ": the survey weight is shared over the other components");
    if (adj_survey != Decimal()) {
      out->warnings.push_back(Pick(lang, "问卷调整无分项可用", "survey adjustments have no component to apply to"));
    }
  }

  // Complaints (第八条.3, 第十二条).
  auto& cp = out->complaint;
  cp = {};
  cp.valid_complaints = valid_complaints_;
  for (const auto& [id, p] : direct_) cp.direct_deductions += p;
  cp.score = Clamp(k100 - policy.complaint_deduction * cp.valid_complaints - cp.direct_deductions + adj_complaint,
                   k0, k100);

  // Weighted total (第九条), renormalised over the present components.
  Int128 num = static_cast<Int128>(policy.weight_selfcheck) * sc.score.hundredths() +
                 static_cast<Int128>(policy.weight_complaint) * cp.score.hundredths();
  int64_t den = policy.weight_selfcheck + policy.weight_complaint;
  if (sv.present) {
    num += static_cast<Int128>(policy.weight_survey) * sv.score->hundredths();
    den += policy.weight_survey;
  }
  out->weighted = den > 0 ? Decimal::FromHundredths(DivRoundHalfUp(num, den)) : Decimal();

  // Callback audits (第八条.4) and the total.
  out->callback_deductions = Decimal();
  for (const auto& [id, p] : callbacks_) out->callback_deductions += p;
  out->adjustments = adj_total;
  out->total = Clamp(out->weighted - out->callback_deductions + adj_total, k0, k100);
  GradeAndAmount(policy, out->total, &out->grade, &out->amount);
}

}  // namespace qledger::domain
