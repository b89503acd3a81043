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

// "来自 自查2026Q3.xlsx 自查 第7行", or "from 自查2026Q3.csv row 7" (with the
// sheet of a workbook: "… sheet 自查 row 7").
std::string SourceText(const boost::json::object& source, Lang lang) {
  auto text = [&](const char* key) {
    auto it = source.find(key);
    return it != source.end() && it->value().is_string() ? std::string(it->value().get_string()) : std::string();
  };
  auto row = source.find("row");
  const bool zh = lang == Lang::kZh;
  std::string out = (zh ? "来自 " : "from ") + text("file");
  if (!text("sheet").empty()) out += (zh ? " " : " sheet ") + text("sheet");
  if (row != source.end() && row->value().is_int64()) {
    std::string n = std::to_string(row->value().get_int64());
    out += zh ? " 第" + n + "行" : " row " + n;
  }
  return out;
}

}  // namespace

QuarterStatus StatusAt(const std::vector<Event>& events, const Quarter& q, int64_t point,
                       const std::vector<std::string>& without, int64_t* approved_seq) {
  QuarterStatus status = QuarterStatus::kOpen;
  if (events.empty()) return status;  // most quarters of a listing
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

namespace {

// What one event does to the fold of (in.quarter, in.department): a fact of
// the department is applied, a void that targets one takes it back, and an
// event left out (what-if) does neither. Shared by Derive and FoldTo, so a
// snapshot holds exactly what a replay would have folded.
class Folder {
 public:
  enum class Effect { kNone, kApplied, kVoided, kLeftOut };

  Folder(const ReplayInput& in, const std::set<std::string>& without, Lang lang = Lang::kEn)
      : in_(in), without_(without), lang_(lang) {}

  // Applies e to *state; *change gets the words unless change is nullptr.
  Effect Apply(const Event& e, DepartmentQuarter* state, std::string* change) {
    if (e.type == EventType::kEntryVoided) {
      const std::string target = Str(e, "target");
      if (!state->Owns(target) && !without_.count(target)) {
        // A void of an event left out by --without, or of someone else's fact.
        const Event* other = Find(target);
        bool targets_us = other && HasDepartment(other->type) && other->department == in_.department &&
                          other->quarter() == in_.quarter;
        if (!targets_us) return Effect::kNone;
      }
      if (without_.count(e.id)) {
        if (change) *change = Pick(lang_, "假设不计（what-if）：作废 ", "left out (what-if): void of ") + target;
        return Effect::kLeftOut;
      }
      std::string what = state->Void(target, lang_);
      if (change) {
        if (what.empty()) what = Pick(lang_, "作废 " + target + "（已假设不计）", "void of " + target + " (already left out)");
        *change = what + Pick(lang_, "：", ": ") + Str(e, "reason");
      }
      return Effect::kVoided;
    }
    if (!HasDepartment(e.type) || e.department != in_.department || e.quarter() != in_.quarter) return Effect::kNone;
    if (without_.count(e.id)) {
      if (change) *change = Pick(lang_, "假设不计（what-if）", "left out (what-if)");
      return Effect::kLeftOut;
    }
    state->Apply(e, change, lang_);
    if (change && !e.source.empty()) {
      *change += lang_ == Lang::kZh ? "（" + SourceText(e.source, lang_) + "）" : " (" + SourceText(e.source, lang_) + ")";
    }
    return Effect::kApplied;
  }

 private:
  // Events by id, built the first time a void's target is not one of ours.
  const Event* Find(const std::string& id) {
    if (by_id_.empty()) {
      by_id_.reserve(in_.events.size());
      for (const auto& other : in_.events) by_id_.emplace(other.id, &other);
    }
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }

  const ReplayInput& in_;
  const std::set<std::string>& without_;
  const Lang lang_;
  std::unordered_map<std::string_view, const Event*> by_id_;
};

}  // namespace

FoldState FoldTo(const ReplayInput& in, int64_t to, FoldState* start) {
  FoldState out;
  if (start) out = std::move(*start);
  const std::set<std::string> none;
  Folder folder(in, none);
  for (const auto& e : in.events) {
    if (e.seq <= out.seq) continue;
    if (e.seq > to) break;
    if (folder.Apply(e, &out.state, nullptr) == Folder::Effect::kApplied) out.any_fact = true;
  }
  out.seq = std::max(out.seq, to);
  return out;
}

void FoldEvent(const Quarter& quarter, const std::string& department, const Event& e, const Event* target,
               FoldState* state) {
  if (e.seq <= state->seq) return;
  ReplayInput in;
  in.quarter = quarter;
  in.department = department;
  if (target) in.events.push_back(*target);  // only a void's: rare
  static const std::set<std::string> kNone;
  Folder folder(in, kNone);
  if (folder.Apply(e, &state->state, nullptr) == Folder::Effect::kApplied) state->any_fact = true;
  state->seq = e.seq;
}

Result<Derivation> Derive(const ReplayInput& in, const ReplayOptions& options, FoldState* start) {
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
  Folder folder(in, without, options.lang);
  DepartmentQuarter state;
  bool any_fact = false;  // one of ours has been applied
  int64_t folded = 0;     // the events up to here are in the state already (a snapshot)
  if (start && start->seq <= point && without.empty() && !options.trace) {
    state = std::move(start->state);
    any_fact = start->any_fact;
    folded = start->seq;
  }
  // Each step's running figures are under the policy in force for the
  // quarter as of that step: a policy adopted on the way that the quarter is
  // scored with from then on moves them at its own step (and `diff` names
  // it among the events that changed the score).
  std::vector<AdoptedPolicy> policies;
  if (options.trace) {
    QLEDGER_ASSIGN_OR_RETURN(policies, AdoptedPolicies(in.events, point, options.without));
  }
  auto running = [&](Step* step) {
    step->running = any_fact;
    if (!any_fact) return;
    Score s;
    const AdoptedPolicy* then = PolicyFor(policies, in.quarter, step->seq);
    state.Compute((then ? then : adopted)->policy, in.quarter, &s, options.lang);
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
    if (e.seq <= folded) continue;
    if (e.seq > point) break;
    Step step;
    step.seq = e.seq;
    step.id = e.id;
    step.type = e.type;
    step.occurred_at = e.occurred_at;
    step.actor = e.actor;
    if (e.type == EventType::kPolicyAdopted) {
      const std::string version = std::to_string(e.data.at("version").as_int64());
      const std::string from(e.data.at("effective_from").as_string());
      const bool ours = e.seq == adopted->seq;
      step.change = options.lang == Lang::kZh
                        ? "采用考核办法第 " + version + " 版，自 " + from + " 起执行" + (ours ? "（本季度按此版计分）" : "")
                        : "policy version " + version + " adopted, effective from " + from +
                              (ours ? " (the policy this quarter is scored with)" : "");
    } else if (e.type == EventType::kQuarterApproved || e.type == EventType::kQuarterReopened) {
      if (e.period != period) continue;
      const bool zh = options.lang == Lang::kZh;
      step.change = e.type == EventType::kQuarterApproved
                        ? (zh ? "季度审定（" + Str(e, "approved_by") + "）" : "quarter approved by " + Str(e, "approved_by"))
                        : (zh ? "季度重新打开：" : "quarter reopened: ") + Str(e, "reason");
    } else {
      Folder::Effect effect = folder.Apply(e, &state, options.trace ? &step.change : nullptr);
      if (effect == Folder::Effect::kNone) continue;
      step.left_out = effect == Folder::Effect::kLeftOut;
      if (effect == Folder::Effect::kApplied) any_fact = true;
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
  state.Compute(adopted->policy, in.quarter, &s, options.lang);
  for (const auto& id : options.without) {
    s.warnings.push_back(options.lang == Lang::kZh
                             ? "假设（hypothetical）：不计事件 \"" + id + "\"；账本本身不变"
                             : "hypothetical: event \"" + id + "\" is left out; the ledger is unchanged");
  }
  return d;
}

}  // namespace qledger::domain
