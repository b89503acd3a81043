#include "qledger/domain/scoring.h"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "qledger/domain/regulation.h"

namespace json = boost::json;

namespace qledger::domain {
namespace {

const Decimal k0;
const Decimal k100 = Decimal::FromInt(100);

std::string Str(const Event& e, const char* key) { return DataString(e, key); }

Decimal Dec(const Event& e, const char* key) {
  auto it = e.data.find(key);
  if (it == e.data.end() || !it->value().is_string()) return Decimal();
  const auto& text = it->value().get_string();
  auto d = Decimal::Parse(std::string_view(text.data(), text.size()));
  return d.ok() ? *d : Decimal();  // stored events are normalised: always ok
}

json::value DecOrNull(const std::optional<Decimal>& d) {
  return d ? json::value(d->ToString()) : json::value(nullptr);
}

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

std::string DepartmentQuarter::Apply(const Event& e) {
  std::string change;
  Apply(e, &change);
  return change;
}

// The sentence is built only when asked for: a full rebuild folds every event
// of the ledger and throws the trace away, and building it (string
// concatenation, Decimal::ToString) cost as much as the fold itself.
void DepartmentQuarter::Apply(const Event& e, std::string* change) {
  switch (e.type) {
    case EventType::kSelfcheckReported: {
      Decimal score = Dec(e, "score");
      self_[e.period] = {e.id, score};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "self-check for " + e.period + " reported: " + score.ToString();
      return;
    }
    case EventType::kSpotcheckRecorded: {
      Decimal score = Dec(e, "score");
      spot_[e.period] = {e.id, score};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "spot check of " + e.period + " by " + Str(e, "inspector") + ": " + score.ToString();
      return;
    }
    case EventType::kSurveyResponded: {
      Decimal score = Dec(e, "score");
      responses_[e.id] = Response{score, {}, 0};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "survey response from " + Str(e, "respondent") + ": " + score.ToString();
      return;
    }
    case EventType::kSurveyDisputed: {
      std::string target = Str(e, "response");
      auto it = responses_.find(target);
      if (it == responses_.end()) {
        if (change) *change = "dispute of an unknown response " + target + " (no effect)";
        return;
      }
      ++it->second.disputes;
      kinds_[e.id] = {e.type, target};
      if (change) *change = "response " + target + " disputed: " + Str(e, "reason") + " (still counts until ruled)";
      return;
    }
    case EventType::kSurveyRuled: {
      std::string target = Str(e, "response");
      auto it = responses_.find(target);
      if (it == responses_.end()) {
        if (change) *change = "ruling on an unknown response " + target + " (no effect)";
        return;
      }
      std::string outcome = Str(e, "outcome");
      Decimal score = outcome == "rescored" ? Dec(e, "score") : it->second.score;
      it->second.rulings.push_back({e.id, outcome, score});
      kinds_[e.id] = {e.type, target};
      if (change) {
        std::string what = outcome == "voided" ? "no longer counted"
                           : outcome == "rescored" ? "rescored to " + score.ToString()
                                                   : "upheld, unchanged";
        *change = "response " + target + " ruled (" + Str(e, "ruling") + "): " + what;
      }
      return;
    }
    case EventType::kComplaintRecorded:
      complaints_[e.id] = Complaint{};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "complaint recorded (" + Str(e, "channel") + "): " + Str(e, "summary");
      return;
    case EventType::kComplaintRuled: {
      std::string target = Str(e, "complaint");
      auto it = complaints_.find(target);
      if (it == complaints_.end()) {
        if (change) *change = "ruling on an unknown complaint " + target + " (no effect)";
        return;
      }
      bool valid = e.data.contains("valid") && e.data.at("valid").is_bool() && e.data.at("valid").get_bool();
      it->second.rulings.push_back({e.id, valid ? "valid" : "invalid", Decimal()});
      kinds_[e.id] = {e.type, target};
      if (change) *change = "complaint " + target + " ruled " + (valid ? "valid" : "invalid") + " (" + Str(e, "ruling") + ")";
      return;
    }
    case EventType::kComplaintHandled:
      kinds_[e.id] = {e.type, Str(e, "complaint")};
      if (change) {
        *change = "complaint " + Str(e, "complaint") + " " + Str(e, "stage") + " (register only, no score effect)";
      }
      return;
    case EventType::kDeductionDirect: {
      Decimal p = Dec(e, "points");
      direct_[e.id] = p;
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "direct deduction " + p.ToString() + ": " + Str(e, "reason");
      return;
    }
    case EventType::kCallbackFinding: {
      Decimal p = Dec(e, "points");
      callbacks_[e.id] = p;
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "callback finding −" + p.ToString() + ": " + Str(e, "reason");
      return;
    }
    case EventType::kScoreAdjusted: {
      Decimal p = Dec(e, "points");
      adjustments_[e.id] = {Str(e, "component"), p};
      kinds_[e.id] = {e.type, {}};
      if (change) {
        *change = "adjustment of " + Str(e, "component") + " by " + (p > Decimal() ? "+" : "") + p.ToString() + " (" +
                  Str(e, "ruling") + ")";
      }
      return;
    }
    default:
      if (change) change->clear();
      return;
  }
}

std::string DepartmentQuarter::Void(const std::string& target) {
  auto k = kinds_.find(target);
  if (k == kinds_.end()) return "";
  auto [type, anchor] = k->second;
  kinds_.erase(k);
  auto erase_ruling = [&](std::vector<Ruling>& rulings) {
    rulings.erase(std::remove_if(rulings.begin(), rulings.end(), [&](const Ruling& r) { return r.id == target; }),
                  rulings.end());
  };
  switch (type) {
    case EventType::kSelfcheckReported:
    case EventType::kSpotcheckRecorded: {
      auto& m = type == EventType::kSelfcheckReported ? self_ : spot_;
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (it->second.first == target) {
          std::string month = it->first;
          m.erase(it);
          return std::string(type == EventType::kSelfcheckReported ? "self-check" : "spot check") + " of " + month +
                 " (" + target + ") voided";
        }
      }
      return "";
    }
    case EventType::kSurveyResponded: responses_.erase(target); return "survey response " + target + " voided";
    case EventType::kSurveyDisputed:
      if (auto it = responses_.find(anchor); it != responses_.end() && it->second.disputes > 0) --it->second.disputes;
      return "dispute " + target + " voided";
    case EventType::kSurveyRuled:
      if (auto it = responses_.find(anchor); it != responses_.end()) erase_ruling(it->second.rulings);
      return "ruling " + target + " on response " + anchor + " voided";
    case EventType::kComplaintRecorded: complaints_.erase(target); return "complaint " + target + " voided";
    case EventType::kComplaintRuled:
      if (auto it = complaints_.find(anchor); it != complaints_.end()) erase_ruling(it->second.rulings);
      return "ruling " + target + " on complaint " + anchor + " voided";
    case EventType::kComplaintHandled: return "handling record " + target + " voided (register only)";
    case EventType::kDeductionDirect: direct_.erase(target); return "direct deduction " + target + " voided";
    case EventType::kCallbackFinding: callbacks_.erase(target); return "callback finding " + target + " voided";
    case EventType::kScoreAdjusted: adjustments_.erase(target); return "adjustment " + target + " voided";
    default: return "";
  }
}

void DepartmentQuarter::Compute(const Policy& policy, const Quarter& q, Score* out) const {
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
        out->warnings.push_back("spot check of " + month + " has no self-check report: the largest deduction (" +
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
    out->warnings.push_back("no self-check report in " + q.ToString() + ": the self-check component is 0");
  }

  // Survey (第八条.2, 第十一条).
  auto& sv = out->survey;
  sv = {};
  std::vector<Decimal> counted;
  for (const auto& [id, r] : responses_) {
    Decimal score = r.score;
    if (!r.rulings.empty()) {
      const Ruling& ruling = r.rulings.back();
      if (ruling.outcome == "voided") continue;
      score = ruling.score;
    }
    if (score >= policy.survey_full_marks_from) {
      score = k100;
      ++sv.counted_as_100;
    }
    counted.push_back(score);
  }
  sv.responses = static_cast<int64_t>(counted.size());
  sv.present = !counted.empty();
  if (sv.present) {
    sv.score = Clamp(RoundedMean(counted) + adj_survey, k0, k100);
  } else {
    out->warnings.push_back("no counted survey response in " + q.ToString() +
                            ": the survey weight is shared over the other components");
    if (adj_survey != Decimal()) out->warnings.push_back("survey adjustments have no component to apply to");
  }

  // Complaints (第八条.3, 第十二条).
  auto& cp = out->complaint;
  cp = {};
  for (const auto& [id, c] : complaints_) {
    std::optional<bool> ruled_valid;
    if (!c.rulings.empty()) ruled_valid = c.rulings.back().outcome == "valid";
    if (ComplaintCounts(/*voided=*/false, ruled_valid)) ++cp.valid_complaints;  // a voided one is erased
  }
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

QuarterStatus StatusAt(const std::vector<Event>& events, const Quarter& q, int64_t point,
                       const std::vector<std::string>& without, int64_t* approved_seq) {
  QuarterStatus status = QuarterStatus::kOpen;
  const std::string period = q.ToString();
  for (const auto& e : events) {
    if (e.seq > point) break;
    if (e.period != period || std::find(without.begin(), without.end(), e.id) != without.end()) continue;
    if (e.type == EventType::kQuarterApproved) {
      status = QuarterStatus::kApproved;
      if (approved_seq) *approved_seq = e.seq;
    } else if (e.type == EventType::kQuarterReopened) {
      status = QuarterStatus::kReopened;
    }
  }
  return status;
}

Result<ReplayPoint> ResolveReplayPoint(const ReplayInput& in, const ReplayOptions& options) {
  ReplayPoint p;
  p.seq = options.as_of_seq ? std::min(*options.as_of_seq, in.head_seq) : in.head_seq;
  int64_t approved_seq = 0;
  p.status = StatusAt(in.events, in.quarter, p.seq, options.without, &approved_seq);
  // The published scores of an approved quarter are the replay as of its
  // approval (SPEC §5).
  if (p.status == QuarterStatus::kApproved) p.seq = approved_seq;
  QLEDGER_ASSIGN_OR_RETURN(auto policies, AdoptedPolicies(in.events, p.seq, options.without));
  const AdoptedPolicy* adopted = PolicyFor(policies, in.quarter, p.seq);
  if (!adopted) return NotFound("quarter " + in.quarter.ToString() + ": no policy is in force");
  p.policy = *adopted;
  return p;
}

Result<Derivation> Derive(const ReplayInput& in, const ReplayOptions& options) {
  Derivation d;
  d.without = options.without;
  auto at = ResolveReplayPoint(in, options);
  if (!at.ok()) return at.status();
  const int64_t point = at->seq;
  const QuarterStatus status = at->status;
  const AdoptedPolicy* adopted = &at->policy;
  const Department* dept = adopted->policy.FindDepartment(in.department);
  if (!dept) {
    return NotFound("department \"" + in.department + "\" is not in policy version " +
                    std::to_string(adopted->version));
  }

  std::set<std::string> without(options.without.begin(), options.without.end());
  DepartmentQuarter state;
  auto running = [&](Step* step) {
    Score s;
    state.Compute(adopted->policy, in.quarter, &s);
    // Without a report the component is 0 and weighs in as 0 (SPEC §2).
    step->selfcheck = s.selfcheck.score;
    step->survey = s.survey.score;
    step->complaint = s.complaint.score;
    step->weighted = s.weighted;
    step->callback_deductions = s.callback_deductions;
    step->adjustments = s.adjustments;
    step->total = s.total;
  };
  const std::string period = in.quarter.ToString();
  for (const auto& e : in.events) {
    if (e.seq > point) break;
    Step step;
    step.seq = e.seq;
    step.id = e.id;
    step.type = e.type;
    step.occurred_at = e.occurred_at;
    step.actor = e.actor;
    bool ours = HasDepartment(e.type) && e.department == in.department && e.quarter() == in.quarter;
    if (e.type == EventType::kPolicyAdopted) {
      step.change = "policy version " + std::to_string(e.data.at("version").as_int64()) + " adopted, effective from " +
                    std::string(e.data.at("effective_from").as_string()) +
                    (e.seq == adopted->seq ? " (the policy this quarter is scored with)" : "");
    } else if (e.type == EventType::kQuarterApproved || e.type == EventType::kQuarterReopened) {
      if (e.period != period) continue;
      step.change = e.type == EventType::kQuarterApproved ? "quarter approved by " + Str(e, "approved_by")
                                                          : "quarter reopened: " + Str(e, "reason");
    } else if (e.type == EventType::kEntryVoided) {
      if (!state.Owns(Str(e, "target")) && !without.count(Str(e, "target"))) {
        // A void of an event left out by --without, or of someone else's fact.
        bool targets_us = false;
        for (const auto& other : in.events) {
          if (other.id == Str(e, "target")) {
            targets_us = HasDepartment(other.type) && other.department == in.department && other.quarter() == in.quarter;
            break;
          }
        }
        if (!targets_us) continue;
      }
      if (without.count(e.id)) {
        step.left_out = true;
        step.change = "left out (what-if): void of " + Str(e, "target");
      } else {
        std::string what = state.Void(Str(e, "target"));
        step.change = (what.empty() ? "void of " + Str(e, "target") + " (already left out)" : what) + ": " +
                      Str(e, "reason");
      }
    } else if (ours) {
      if (without.count(e.id)) {
        step.left_out = true;
        step.change = "left out (what-if)";
      } else {
        step.change = state.Apply(e);
      }
    } else {
      continue;
    }
    running(&step);
    d.steps.push_back(std::move(step));
  }

  Score& s = d.score;
  s.quarter = period;
  s.department = in.department;
  s.name = dept->name;
  s.status = status;
  s.as_of_seq = point;
  s.policy_version = adopted->version;
  state.Compute(adopted->policy, in.quarter, &s);
  for (const auto& id : options.without) {
    s.warnings.push_back("hypothetical: event \"" + id + "\" is left out; the ledger is unchanged");
  }
  return d;
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
        {"selfcheck", DecOrNull(s.selfcheck)},
        {"survey", DecOrNull(s.survey)},
        {"complaint", s.complaint.ToString()},
        {"weighted", s.weighted.ToString()},
        {"callback_deductions", s.callback_deductions.ToString()},
        {"adjustments", s.adjustments.ToString()},
        {"total", s.total.ToString()},
    });
  }
  o["steps"] = std::move(steps);
  o["score"] = ScoreToJson(d.score);
  return o;
}

std::string DerivationToText(const Derivation& d) {
  const Score& s = d.score;
  std::string out;
  out += "Derivation of " + s.department + " " + s.name + ", " + s.quarter + " (" + QuarterStatusName(s.status) +
         "), as of seq " + std::to_string(s.as_of_seq) + ", policy version " + std::to_string(s.policy_version) + "\n";
  if (d.hypothetical()) {
    out += "HYPOTHETICAL: leaves out";
    for (const auto& id : d.without) out += " " + id;
    out += " — the ledger is unchanged\n";
  }
  out += "\n";
  auto opt = [](const std::optional<Decimal>& v) { return v ? v->ToString() : std::string("—"); };
  for (const auto& st : d.steps) {
    char head[64];
    std::snprintf(head, sizeof head, "#%-6lld ", static_cast<long long>(st.seq));
    out += head + st.occurred_at + "  " + EventTypeName(st.type) + "  " + st.id + "  (" + st.actor + ")\n";
    out += "        " + st.change + "\n";
    out += "        selfcheck " + opt(st.selfcheck) + "  survey " + opt(st.survey) + "  complaint " +
           st.complaint.ToString() + "  weighted " + st.weighted.ToString() + "  callback deductions " +
           st.callback_deductions.ToString() + "  adjustments " + st.adjustments.ToString() + "  total " +
           st.total.ToString() + "\n";
  }
  out += "\nSelf-check: average " + opt(s.selfcheck.average) + " − deductions " + s.selfcheck.deductions.ToString() +
         " = " + s.selfcheck.score.ToString() + "\n";
  for (const auto& m : s.selfcheck.months) {
    out += "  " + m.month + "  self " + opt(m.self) + "  spot " + opt(m.spot) + "  deduction " +
           m.deduction.ToString() + "\n";
  }
  out += "Survey: " + opt(s.survey.score) + " from " + std::to_string(s.survey.responses) + " responses (" +
         std::to_string(s.survey.counted_as_100) + " counted as 100)\n";
  out += "Complaint: " + s.complaint.score.ToString() + " (" + std::to_string(s.complaint.valid_complaints) +
         " valid complaints, direct deductions " + s.complaint.direct_deductions.ToString() + ")\n";
  out += "Weighted: " + s.weighted.ToString() + "  callback deductions " + s.callback_deductions.ToString() +
         "  adjustments " + s.adjustments.ToString() + "\n";
  out += "Total: " + s.total.ToString() + "  grade " + s.grade + "  amount " + s.amount.ToString() + " yuan\n";
  for (const auto& w : s.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace qledger::domain
