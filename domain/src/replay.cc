// The point of replay and the derivation (replay.h).
#include "qledger/domain/replay.h"

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include <boost/json.hpp>

#include "qledger/domain/fold.h"

namespace qledger::domain {
namespace {

std::string Str(const Event& e, const char* key) { return DataString(e, key); }

// "from 自查2026Q3.csv row 7" (with the sheet of a workbook: "… sheet 自查 row 7").
std::string SourceText(const boost::json::object& source) {
  auto text = [&](const char* key) {
    auto it = source.find(key);
    return it != source.end() && it->value().is_string() ? std::string(it->value().get_string()) : std::string();
  };
  auto row = source.find("row");
  std::string out = "from " + text("file");
  if (!text("sheet").empty()) out += " sheet " + text("sheet");
  if (row != source.end() && row->value().is_int64()) out += " row " + std::to_string(row->value().get_int64());
  return out;
}

}  // namespace

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
  QLEDGER_ASSIGN_OR_RETURN(ReplayPoint at, ResolveReplayPoint(in, options));
  const int64_t point = at.seq;
  const QuarterStatus status = at.status;
  const AdoptedPolicy* adopted = &at.policy;
  const Department* dept = adopted->policy.FindDepartment(in.department);
  if (!dept) {
    return NotFound("department \"" + in.department + "\" is not in policy version " +
                    std::to_string(adopted->version));
  }

  std::set<std::string> without(options.without.begin(), options.without.end());
  // Events by id, built the first time a void's target is not one of ours.
  std::unordered_map<std::string_view, const Event*> by_id;
  auto find = [&](const std::string& id) -> const Event* {
    if (by_id.empty()) {
      by_id.reserve(in.events.size());
      for (const auto& other : in.events) by_id.emplace(other.id, &other);
    }
    auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
  };
  DepartmentQuarter state;
  bool any_fact = false;  // one of ours has been applied
  auto running = [&](Step* step) {
    step->running = any_fact;
    if (!any_fact) return;
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
        const Event* other = find(Str(e, "target"));
        bool targets_us = other && HasDepartment(other->type) && other->department == in.department &&
                          other->quarter() == in.quarter;
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
        state.Apply(e, options.trace ? &step.change : nullptr);
        if (options.trace && !e.source.empty()) step.change += " (" + SourceText(e.source) + ")";
        any_fact = true;
      }
    } else {
      continue;
    }
    if (!options.trace) continue;
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

}  // namespace qledger::domain
