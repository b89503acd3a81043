#include "qledger/app/views.h"

#include <algorithm>
#include <map>
#include <set>

#include "qledger/app/queries.h"
#include "qledger/domain/policy.h"

namespace qledger::app {

using storage::EventStore;

using domain::Event;
using domain::EventType;
using domain::Quarter;

namespace {

std::string Str(const Event& e, const char* key) { return domain::DataString(e, key); }

std::optional<std::string> OptStr(const Event& e, const char* key) {
  auto it = e.data.find(key);
  if (it == e.data.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

std::optional<bool> OptBool(const Event& e, const char* key) {
  auto it = e.data.find(key);
  if (it == e.data.end() || !it->value().is_bool()) return std::nullopt;
  return it->value().get_bool();
}

// The events of (q, department) up to point, and the ids voided by then.
struct Facts {
  std::vector<Event> events;
  std::set<std::string> voided;
};

Result<Facts> LoadFacts(const EventStore& store, const Quarter& q, const std::string& department, int64_t point) {
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, department));
  Facts f;
  for (auto& e : input.events) {
    if (e.seq > point) break;
    if (e.type == EventType::kEntryVoided) f.voided.insert(Str(e, "target"));
    else if (domain::HasDepartment(e.type) && e.department == department) f.events.push_back(std::move(e));
  }
  return f;
}

// A recorded date-time as local time in tz, as people read it.
std::string LocalTime(const std::string& text, const domain::TimeZone& tz) {
  auto at = domain::ParseInstantIn(text, tz);
  if (!at) return text;
  std::string s = domain::FormatLocal(*at, tz);  // "2026-12-03 09:30:00 +08:00"
  return s.compare(16, 3, ":00") == 0 ? s.substr(0, 16) : s.substr(0, 19);
}

std::optional<std::string> LocalTime(const std::optional<std::string>& text, const domain::TimeZone& tz) {
  return text ? std::optional<std::string>(LocalTime(*text, tz)) : std::nullopt;
}

std::vector<ComplaintLine> ComplaintRegisterOf(const Facts& f, const std::string& quarter,
                                               const domain::Department& department, const domain::TimeZone& tz) {
  std::map<std::string, ComplaintLine> by_id;
  std::map<std::string, std::optional<bool>> ruled_valid;
  std::vector<std::string> order;
  for (const auto& e : f.events) {
    if (e.type == EventType::kComplaintRecorded) {
      ComplaintLine c;
      c.id = e.id;
      c.seq = e.seq;
      c.quarter = quarter;
      c.department = department.code;
      c.name = department.name;
      c.received_at = Str(e, "received_at");
      c.channel = Str(e, "channel");
      c.summary = Str(e, "summary");
      c.customer = OptStr(e, "customer");
      c.category = OptStr(e, "category");
      c.recorded_by = e.actor;
      c.voided = f.voided.count(e.id) > 0;
      by_id[e.id] = std::move(c);
      order.push_back(e.id);
      continue;
    }
    if (f.voided.count(e.id)) continue;
    auto it = by_id.find(Str(e, "complaint"));
    if (it == by_id.end()) continue;
    ComplaintLine& c = it->second;
    if (e.type == EventType::kComplaintRuled) {
      ruled_valid[c.id] = OptBool(e, "valid").value_or(false);
      c.ruling = Str(e, "ruling");
      c.ruling_reason = Str(e, "reason");
    } else if (e.type == EventType::kComplaintHandled) {
      if (Str(e, "stage") == "acknowledged") {
        c.acknowledged_at = Str(e, "at");
      } else {
        c.resolved_at = Str(e, "at");
        c.resolution = OptStr(e, "resolution");
        c.satisfied = OptBool(e, "satisfied");
      }
    }
  }
  std::vector<ComplaintLine> out;
  for (const auto& id : order) {
    ComplaintLine c = std::move(by_id[id]);
    std::optional<bool> valid = ruled_valid[id];
    c.valid = valid.value_or(true);
    c.counts = domain::ComplaintCounts(c.voided, valid);
    if (c.resolved_at) c.hours_to_resolve = domain::HoursBetween(c.received_at, *c.resolved_at, tz);
    c.received_local = LocalTime(c.received_at, tz);
    c.acknowledged_local = LocalTime(c.acknowledged_at, tz);
    c.resolved_local = LocalTime(c.resolved_at, tz);
    out.push_back(std::move(c));
  }
  return out;
}

Result<std::vector<ComplaintLine>> ComplaintsOf(const EventStore& store, const Quarter& q,
                                                const std::string& department, int64_t point) {
  // The quarter's policy as of the point (a published report's register
  // as it stood then), and its time zone for the complaints' hours.
  QLEDGER_ASSIGN_OR_RETURN(auto policy, PolicyInForce(store, q, point));
  const domain::TimeZone tz = policy.policy.Zone();
  std::vector<ComplaintLine> out;
  for (const auto& d : policy.policy.departments) {
    if (!department.empty() && d.code != department) continue;
    QLEDGER_ASSIGN_OR_RETURN(auto f, LoadFacts(store, q, d.code, point));
    for (auto& c : ComplaintRegisterOf(f, q.ToString(), d, tz)) out.push_back(std::move(c));
  }
  return out;
}

std::optional<std::string> Given(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace

ComplaintSummary Summarise(const std::vector<ComplaintLine>& complaints) {
  ComplaintSummary s;
  for (const auto& c : complaints) {
    ++s.recorded;
    if (c.voided) {
      ++s.voided;
      continue;
    }
    if (c.counts) ++s.valid;
    if (!c.valid) ++s.invalid;
    if (c.resolved_at) ++s.resolved;
    if (c.satisfied.value_or(false)) ++s.satisfied;
  }
  s.unresolved = s.recorded - s.voided - s.resolved;
  return s;
}

Result<ComplaintRegister> BuildComplaints(const EventStore& store, const ComplaintsQuery& query) {
  std::vector<Quarter> quarters;
  if (!query.quarter.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(auto q, ResolveQuarter(query.quarter));
    quarters.push_back(q);
  } else {
    QLEDGER_ASSIGN_OR_RETURN(auto all, store.Quarters());
    for (const auto& s : all) {
      QLEDGER_ASSIGN_OR_RETURN(auto q, StoredQuarter(s));
      quarters.push_back(q);
    }
  }
  QLEDGER_ASSIGN_OR_RETURN(
      std::string department,
      ResolveDepartment(store, query.department, domain::StatusCode::kInvalidArgument,
                        quarters.size() == 1 && !query.quarter.empty() ? std::optional<Quarter>(quarters[0]) : std::nullopt));
  ComplaintRegister r;
  r.quarter = quarters.size() == 1 && !query.quarter.empty() ? Given(quarters[0].ToString()) : Given(query.quarter);
  r.department = Given(department);
  r.as_of_seq = store.head().seq;
  r.as_of_hash = store.head().hash;
  for (const auto& q : quarters) {
    auto c = ComplaintsOf(store, q, department, store.head().seq);
    if (!c.ok()) {
      if (c.status().code() == domain::StatusCode::kNotFound && query.quarter.empty()) continue;  // no policy yet
      return c.status();
    }
    for (auto& v : *c) r.complaints.push_back(std::move(v));
  }
  r.summary = Summarise(r.complaints);
  return r;
}

Result<RewardLedger> BuildLedger(const EventStore& store, const LedgerQuery& query) {
  QLEDGER_ASSIGN_OR_RETURN(auto quarters, ListQuarters(store));
  RewardLedger l;
  l.year = query.year;
  if (l.year.empty()) {
    if (quarters.empty()) return domain::NotFound("the ledger has no quarters yet");
    l.year = quarters.back().quarter.substr(0, 4);
  } else if (!domain::IsYear(l.year)) {
    return domain::InvalidArgument("year: \"" + l.year + "\" is not a year (YYYY)");
  }
  QLEDGER_ASSIGN_OR_RETURN(const std::string department,
                           ResolveDepartment(store, query.department, domain::StatusCode::kNotFound));
  l.department = Given(department);
  l.as_of_seq = store.head().seq;
  l.as_of_hash = store.head().hash;

  std::map<std::string, LedgerTotal> totals;  // by department code
  std::vector<std::string> order;             // the codes in policy order, as first scored
  Decimal rewards_final, rewards_provisional;
  std::optional<domain::AdoptedPolicy> last_policy;
  for (const auto& qs : quarters) {
    if (qs.quarter.substr(0, 4) != l.year) continue;
    QLEDGER_ASSIGN_OR_RETURN(Quarter q, StoredQuarter(qs.quarter));
    auto scores = ScoreQuarter(store, q, {});
    if (!scores.ok()) {
      if (scores.status().code() == domain::StatusCode::kNotFound) continue;  // no policy in force
      return scores.status();
    }
    QLEDGER_ASSIGN_OR_RETURN(last_policy, PolicyInForce(store, q));
    bool final = qs.status == domain::QuarterStatus::kApproved;
    for (const auto& s : *scores) {
      bool reward = s.amount > Decimal();
      Decimal size = reward ? s.amount : -s.amount;
      (reward ? (final ? rewards_final : rewards_provisional) : (final ? l.penalties_final : l.penalties_provisional)) +=
          size;
      if (!department.empty() && s.department != department) continue;
      if (!totals.count(s.department)) order.push_back(s.department);
      LedgerTotal& t = totals[s.department];
      t.department = s.department;
      t.name = s.name;
      (reward ? t.rewards : t.penalties) += size;
      t.net += s.amount;
      if (!final) t.provisional_net += s.amount;
      l.entries.push_back(LedgerEntry{s.quarter, s.department, s.name, s.status, final, s.total, s.grade, s.amount,
                                      s.as_of_seq, s.as_of_hash});
    }
  }
  if (!department.empty() && totals.empty()) {
    return domain::NotFound("department \"" + department + "\" has no scored quarter in " + l.year);
  }
  for (const auto& code : order) l.totals.push_back(std::move(totals[code]));

  // The quota is the work group's (第十四条.4): all departments' rewards count.
  QLEDGER_ASSIGN_OR_RETURN(auto year_events, store.YearEvents(l.year));
  std::set<std::string> voided;
  for (const auto& e : year_events) {
    if (e.type == EventType::kEntryVoided) voided.insert(Str(e, "target"));
  }
  Decimal expenses;
  for (const auto& e : year_events) {
    if (e.type != EventType::kBudgetExpense) continue;
    BudgetExpenseLine x{e.id, e.seq, e.occurred_at, Str(e, "amount"), Str(e, "purpose"), voided.count(e.id) > 0};
    if (!x.voided) {
      QLEDGER_ASSIGN_OR_RETURN(Decimal amount, StoredDecimal(e, "amount"));
      expenses += amount;
    }
    l.expenses.push_back(std::move(x));
  }
  if (!last_policy) {
    // No quarter of the year is scored (yet), but expenses may be recorded
    // against its quota all the same: the quota of the policy in force for
    // the year's last quarter (a policy in force for an earlier quarter of
    // the year is in force for it too, unless a later one is).
    auto in_force = PolicyInForce(store, Quarter{std::stoi(l.year), 4});
    if (in_force.ok()) {
      last_policy = std::move(*in_force);
    } else if (in_force.status().code() != domain::StatusCode::kNotFound) {
      return in_force.status();
    }
  }
  if (last_policy) {
    l.quota = domain::ComputeQuotaUse(last_policy->policy.annual_quota, rewards_final, rewards_provisional, expenses);
  }
  return l;
}

Result<QuarterReport> BuildReport(const EventStore& store, const ReportQuery& query) {
  QLEDGER_ASSIGN_OR_RETURN(Quarter q, ResolveQuarter(query.quarter));
  QLEDGER_ASSIGN_OR_RETURN(int64_t point, ResolveQuarterPoint(store, q, query.as_of));
  QLEDGER_ASSIGN_OR_RETURN(auto scores, ScoreQuarter(store, q, {point, {}}));
  const domain::Score& first = scores.front();
  const int64_t at = first.as_of_seq;  // the approval event for an approved quarter

  QuarterReport r;
  r.quarter = q.ToString();
  r.status = first.status;
  r.as_of_seq = first.as_of_seq;
  r.as_of_hash = first.as_of_hash;
  r.policy_version = first.policy_version;
  r.meeting_date = domain::AnalysisMeetingDate(q);

  // Previous quarter as of the same point — as published then, or as it
  // stood then — so that a report is the same whenever it is made again
  // (SPEC §5: it is derived from the head it names); none when the previous
  // quarter was not assessed by then.
  std::map<std::string, Decimal> previous;
  auto prev = ScoreQuarter(store, q.Previous(), {at, {}});
  if (prev.ok()) {
    for (const auto& s : *prev) previous[s.department] = s.total;
  } else if (prev.status().code() != domain::StatusCode::kNotFound) {
    return prev.status();
  }

  std::vector<const domain::Score*> ranked;
  for (const auto& s : scores) ranked.push_back(&s);
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->total > b->total; });
  std::map<std::string, int64_t> rank;
  for (size_t i = 0; i < ranked.size(); ++i) {
    rank[ranked[i]->department] =
        i > 0 && ranked[i]->total == ranked[i - 1]->total ? rank[ranked[i - 1]->department] : static_cast<int64_t>(i + 1);
  }

  r.summary.departments = static_cast<int64_t>(scores.size());
  for (const auto& s : scores) {
    ReportScore row{s, rank[s.department], std::nullopt, std::nullopt};
    if (auto p = previous.find(s.department); p != previous.end()) {
      row.previous_total = p->second;
      row.change = s.total - p->second;
    }
    r.scores.push_back(std::move(row));
    (s.amount > Decimal() ? r.summary.rewards : r.summary.penalties) += s.amount > Decimal() ? s.amount : -s.amount;
    (s.grade == "excellent" ? r.summary.excellent : s.grade == "qualified" ? r.summary.qualified : r.summary.unqualified)++;

    for (const auto& m : s.selfcheck.months) {
      if (!m.spot) continue;
      SpotCheckLine line{s.department, s.name, m.month, m.self, *m.spot, m.deduction, std::nullopt, false};
      if (m.self) {
        Decimal d = *m.spot - *m.self;
        line.difference = d < Decimal() ? -d : d;
        line.consistent = d == Decimal();
      }
      r.spot_checks.push_back(std::move(line));
    }
    r.surveys.push_back(SurveyLine{s.department, s.name, s.survey.responses, s.survey.counted_as_100, s.survey.score});

    QLEDGER_ASSIGN_OR_RETURN(auto f, LoadFacts(store, q, s.department, at));
    for (const auto& e : f.events) {
      if (f.voided.count(e.id)) continue;
      FactRef ref{s.department, s.name, e.id, e.seq, e.occurred_at};
      switch (e.type) {
        case EventType::kSurveyDisputed:
          r.disputes.push_back({ref, Str(e, "response"), Str(e, "reason")});
          break;
        case EventType::kSurveyRuled:
          r.rulings.push_back({ref, Str(e, "response"), Str(e, "outcome"), OptStr(e, "score"), Str(e, "ruling")});
          break;
        case EventType::kCallbackFinding:
          r.callback_findings.push_back({ref, Str(e, "points"), Str(e, "reason"), OptStr(e, "work_order")});
          break;
        case EventType::kDeductionDirect:
          r.direct_deductions.push_back({ref, Str(e, "points"), Str(e, "reason")});
          break;
        case EventType::kScoreAdjusted:
          r.adjustments.push_back({ref, Str(e, "component"), Str(e, "points"), Str(e, "reason"), Str(e, "ruling")});
          break;
        default:
          break;
      }
    }
  }
  r.summary.net = r.summary.rewards - r.summary.penalties;
  QLEDGER_ASSIGN_OR_RETURN(r.complaints, ComplaintsOf(store, q, "", at));
  r.complaint_summary = Summarise(r.complaints);

  if (first.status == domain::QuarterStatus::kApproved) {
    QLEDGER_ASSIGN_OR_RETURN(auto e, store.Get(at));
    r.approval = Approval{e.seq, e.hash, e.id, Str(e, "approved_by"), Str(e, "meeting_date")};
    QLEDGER_ASSIGN_OR_RETURN(auto checkpoints, ListCheckpoints(store, r.quarter));
    if (!checkpoints.empty()) r.checkpoint = std::move(checkpoints.front());
  }
  return r;
}

}  // namespace qledger::app
