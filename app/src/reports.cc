#include "qledger/app/reports.h"

#include <algorithm>
#include <map>
#include <set>

#include <boost/json.hpp>

#include "qledger/domain/policy.h"
#include "qledger/app/queries.h"

namespace json = boost::json;

namespace qledger::app {

using storage::EventStore;

using domain::Decimal;
using domain::Event;
using domain::EventType;
using domain::Quarter;

namespace {

std::string Str(const Event& e, const char* key) { return domain::DataString(e, key); }

json::value StrOrNull(const Event& e, const char* key) {
  auto it = e.data.find(key);
  return it != e.data.end() ? it->value() : json::value(nullptr);
}

// The policy in force for q at the head (nullptr-safe: NotFound if none).
Result<domain::AdoptedPolicy> PolicyInForce(const EventStore& store, const Quarter& q) {
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, ""));
  auto policies = domain::AdoptedPolicies(input.events, input.head_seq, {});
  if (!policies.ok()) return policies.status();
  const auto* a = domain::PolicyFor(*policies, q, input.head_seq);
  if (!a) return domain::NotFound("quarter " + q.ToString() + ": no policy is in force");
  return *a;
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

json::array ComplaintRegister(const Facts& f, const std::string& quarter, const std::string& department,
                              const std::string& name) {
  std::map<std::string, json::object> by_id;
  std::vector<std::string> order;
  for (const auto& e : f.events) {
    if (e.type == EventType::kComplaintRecorded) {
      json::object c{{"id", e.id},
                     {"seq", e.seq},
                     {"quarter", quarter},
                     {"department", department},
                     {"name", name},
                     {"received_at", Str(e, "received_at")},
                     {"channel", Str(e, "channel")},
                     {"summary", Str(e, "summary")},
                     {"customer", StrOrNull(e, "customer")},
                     {"category", StrOrNull(e, "category")},
                     {"recorded_by", e.actor},
                     {"voided", f.voided.count(e.id) > 0},
                     {"valid", true},
                     {"ruling", nullptr},
                     {"ruling_reason", nullptr},
                     {"acknowledged_at", nullptr},
                     {"resolved_at", nullptr},
                     {"resolution", nullptr},
                     {"satisfied", nullptr}};
      by_id[e.id] = std::move(c);
      order.push_back(e.id);
      continue;
    }
    if (f.voided.count(e.id)) continue;
    auto it = by_id.find(Str(e, "complaint"));
    if (it == by_id.end()) continue;
    json::object& c = it->second;
    if (e.type == EventType::kComplaintRuled) {
      c["valid"] = e.data.at("valid").as_bool();
      c["ruling"] = Str(e, "ruling");
      c["ruling_reason"] = Str(e, "reason");
    } else if (e.type == EventType::kComplaintHandled) {
      if (Str(e, "stage") == "acknowledged") {
        c["acknowledged_at"] = Str(e, "at");
      } else {
        c["resolved_at"] = Str(e, "at");
        c["resolution"] = StrOrNull(e, "resolution");
        c["satisfied"] = StrOrNull(e, "satisfied");
      }
    }
  }
  json::array out;
  for (const auto& id : order) {
    json::object c = std::move(by_id[id]);
    bool counts = !c["voided"].as_bool() && c["valid"].as_bool();
    c["counts"] = counts;
    c["hours_to_resolve"] = nullptr;
    if (c["resolved_at"].is_string()) {
      auto from = domain::ParseInstant(std::string(c["received_at"].as_string()));
      auto to = domain::ParseInstant(std::string(c["resolved_at"].as_string()));
      if (from && to) {
        c["hours_to_resolve"] = Decimal::FromHundredths(domain::DivRoundHalfUp(static_cast<domain::Int128>(*to - *from) * 100, 3600)).ToString();
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

Result<json::array> ComplaintsOf(const EventStore& store, const Quarter& q, const std::string& department, int64_t point) {
  auto policy = PolicyInForce(store, q);
  if (!policy.ok()) return policy.status();
  json::array out;
  for (const auto& d : policy->policy.departments) {
    if (!department.empty() && d.code != department) continue;
    QLEDGER_ASSIGN_OR_RETURN(auto f, LoadFacts(store, q, d.code, point));
    for (auto& c : ComplaintRegister(f, q.ToString(), d.code, d.name)) out.push_back(std::move(c));
  }
  return out;
}

json::object ComplaintSummary(const json::array& complaints) {
  int64_t recorded = 0, counted = 0, invalid = 0, voided = 0, resolved = 0, satisfied = 0;
  for (const auto& v : complaints) {
    const auto& c = v.as_object();
    ++recorded;
    if (c.at("voided").as_bool()) { ++voided; continue; }
    if (c.at("counts").as_bool()) ++counted;
    if (!c.at("valid").as_bool()) ++invalid;
    if (c.at("resolved_at").is_string()) ++resolved;
    if (c.at("satisfied").is_bool() && c.at("satisfied").as_bool()) ++satisfied;
  }
  return {{"recorded", recorded}, {"valid", counted},      {"invalid", invalid},
          {"voided", voided},     {"resolved", resolved}, {"unresolved", recorded - voided - resolved},
          {"satisfied", satisfied}};
}

}  // namespace

Result<json::object> BuildComplaints(const EventStore& store, const std::string& quarter, const std::string& department) {
  std::vector<Quarter> quarters;
  if (!quarter.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(auto q, ResolveQuarter(quarter));
    quarters.push_back(q);
  } else {
    QLEDGER_ASSIGN_OR_RETURN(auto all, store.Quarters());
    for (const auto& s : all) quarters.push_back(*Quarter::Parse(s));
  }
  json::array complaints;
  for (const auto& q : quarters) {
    auto c = ComplaintsOf(store, q, department, store.head().seq);
    if (!c.ok()) {
      if (c.status().code() == domain::StatusCode::kNotFound && quarter.empty()) continue;  // no policy yet
      return c.status();
    }
    for (auto& v : *c) complaints.push_back(std::move(v));
  }
  json::object o;
  o["quarter"] = quarter.empty() ? json::value(nullptr) : json::value(quarter);
  o["department"] = department.empty() ? json::value(nullptr) : json::value(department);
  o["as_of_seq"] = store.head().seq;
  o["as_of_hash"] = store.head().hash;
  o["summary"] = ComplaintSummary(complaints);
  o["complaints"] = std::move(complaints);
  return o;
}

Result<json::object> BuildLedger(const EventStore& store, const std::string& year_in, const std::string& department) {
  auto quarters = ListQuarters(store);
  if (!quarters.ok()) return quarters.status();
  std::string year = year_in;
  if (year.empty()) {
    if (quarters->empty()) return domain::NotFound("the ledger has no quarters yet");
    year = quarters->back().quarter.substr(0, 4);
  } else if (!domain::IsYear(year)) {
    return domain::InvalidArgument("year: \"" + year + "\" is not a year (YYYY)");
  }
  json::array entries;
  std::map<std::string, std::map<std::string, Decimal>> totals;  // dept -> figure -> yuan
  std::map<std::string, std::string> names;
  Decimal rewards_final, rewards_provisional, penalties_final, penalties_provisional;
  std::optional<domain::AdoptedPolicy> last_policy;
  for (const auto& qs : *quarters) {
    if (qs.quarter.substr(0, 4) != year) continue;
    Quarter q = *Quarter::Parse(qs.quarter);
    auto scores = ScoreQuarter(store, q, {});
    if (!scores.ok()) {
      if (scores.status().code() == domain::StatusCode::kNotFound) continue;
      return scores.status();
    }
    auto policy = PolicyInForce(store, q);
    if (policy.ok()) last_policy = *policy;
    bool final = qs.status == domain::QuarterStatus::kApproved;
    for (const auto& s : *scores) {
      bool reward = s.amount > Decimal();
      (reward ? (final ? rewards_final : rewards_provisional) : (final ? penalties_final : penalties_provisional)) +=
          reward ? s.amount : -s.amount;
      if (!department.empty() && s.department != department) continue;
      names[s.department] = s.name;
      auto& t = totals[s.department];
      t[reward ? "rewards" : "penalties"] += reward ? s.amount : -s.amount;
      t["net"] += s.amount;
      if (!final) t["provisional"] += s.amount;
      entries.push_back(json::object{{"quarter", s.quarter},
                                     {"department", s.department},
                                     {"name", s.name},
                                     {"status", domain::QuarterStatusName(s.status)},
                                     {"final", final},
                                     {"total", s.total.ToString()},
                                     {"grade", s.grade},
                                     {"amount", s.amount.ToString()},
                                     {"as_of_seq", s.as_of_seq},
                                     {"as_of_hash", s.as_of_hash}});
    }
  }
  if (!department.empty() && names.empty()) {
    return domain::NotFound("department \"" + department + "\" has no scored quarter in " + year);
  }
  json::array total_rows;
  for (const auto& [dept, t] : totals) {
    auto get = [&](const char* k) { auto it = t.find(k); return (it == t.end() ? Decimal() : it->second).ToString(); };
    total_rows.push_back(json::object{{"department", dept},
                                      {"name", names[dept]},
                                      {"rewards", get("rewards")},
                                      {"penalties", get("penalties")},
                                      {"net", get("net")},
                                      {"provisional_net", get("provisional")}});
  }
  // The quota is the work group's (第十四条.4): all departments' rewards count.
  QLEDGER_ASSIGN_OR_RETURN(auto year_events, store.YearEvents(year));
  std::set<std::string> voided;
  for (const auto& e : year_events) {
    if (e.type == EventType::kEntryVoided) voided.insert(Str(e, "target"));
  }
  Decimal expenses_total;
  json::array expenses;
  for (const auto& e : year_events) {
    if (e.type != EventType::kBudgetExpense) continue;
    bool is_voided = voided.count(e.id) > 0;
    auto amount = Decimal::Parse(Str(e, "amount"));
    if (!is_voided && amount.ok()) expenses_total += *amount;
    expenses.push_back(json::object{{"id", e.id},
                                    {"seq", e.seq},
                                    {"occurred_at", e.occurred_at},
                                    {"amount", Str(e, "amount")},
                                    {"purpose", Str(e, "purpose")},
                                    {"voided", is_voided}});
  }
  json::object quota;
  if (last_policy) {
    Decimal annual = last_policy->policy.annual_quota;
    Decimal used = rewards_final + expenses_total;
    Decimal projected = used + rewards_provisional;
    quota = json::object{{"annual_quota", annual.ToString()},
                         {"rewards_final", rewards_final.ToString()},
                         {"rewards_provisional", rewards_provisional.ToString()},
                         {"expenses", expenses_total.ToString()},
                         {"used", used.ToString()},
                         {"used_including_provisional", projected.ToString()},
                         {"remaining", (annual - used).ToString()},
                         {"over_quota", annual < used},
                         {"over_quota_including_provisional", annual < projected}};
  }
  json::object o;
  o["year"] = year;
  o["department"] = department.empty() ? json::value(nullptr) : json::value(department);
  o["as_of_seq"] = store.head().seq;
  o["as_of_hash"] = store.head().hash;
  o["entries"] = std::move(entries);
  o["totals"] = std::move(total_rows);
  o["penalties_final"] = penalties_final.ToString();
  o["penalties_provisional"] = penalties_provisional.ToString();
  o["quota"] = std::move(quota);
  o["expenses"] = std::move(expenses);
  return o;
}

Result<json::object> BuildReport(const EventStore& store, const std::string& quarter, const std::string& as_of) {
  auto q = ResolveQuarter(quarter);
  if (!q.ok()) return q.status();
  QLEDGER_ASSIGN_OR_RETURN(auto point, ResolveQuarterPoint(store, *q, as_of));
  auto scores = ScoreQuarter(store, *q, {point, {}});
  if (!scores.ok()) return scores.status();
  const domain::Score& first = scores->front();
  const int64_t at = first.as_of_seq;  // the approval event for an approved quarter

  // Previous quarter, as published or as it stands.
  std::map<std::string, Decimal> previous;
  auto prev = ScoreQuarter(store, q->Previous(), {});
  if (prev.ok()) {
    for (const auto& s : *prev) previous[s.department] = s.total;
  }

  std::vector<const domain::Score*> ranked;
  for (const auto& s : *scores) ranked.push_back(&s);
  std::stable_sort(ranked.begin(), ranked.end(), [](auto* a, auto* b) { return a->total > b->total; });
  std::map<std::string, int64_t> rank;
  for (size_t i = 0; i < ranked.size(); ++i) {
    rank[ranked[i]->department] =
        i > 0 && ranked[i]->total == ranked[i - 1]->total ? rank[ranked[i - 1]->department] : static_cast<int64_t>(i + 1);
  }

  json::array score_rows, spot_rows, survey_rows, disputes, rulings, callbacks, directs, adjustments;
  Decimal rewards, penalties;
  int64_t excellent = 0, qualified = 0, unqualified = 0;
  for (const auto& s : *scores) {
    json::object row = domain::ScoreToJson(s);
    row["rank"] = rank[s.department];
    auto p = previous.find(s.department);
    row["previous_total"] = p == previous.end() ? json::value(nullptr) : json::value(p->second.ToString());
    row["change"] = p == previous.end() ? json::value(nullptr) : json::value((s.total - p->second).ToString());
    score_rows.push_back(std::move(row));
    (s.amount > Decimal() ? rewards : penalties) += s.amount > Decimal() ? s.amount : -s.amount;
    (s.grade == "excellent" ? excellent : s.grade == "qualified" ? qualified : unqualified)++;

    for (const auto& m : s.selfcheck.months) {
      if (!m.spot) continue;
      json::object r{{"department", s.department}, {"name", s.name}, {"month", m.month},
                     {"self", m.self ? json::value(m.self->ToString()) : json::value(nullptr)},
                     {"spot", m.spot->ToString()}, {"deduction", m.deduction.ToString()}};
      if (m.self) {
        Decimal d = *m.spot - *m.self;
        r["difference"] = (d < Decimal() ? -d : d).ToString();
        r["consistent"] = d == Decimal();
      } else {
        r["difference"] = nullptr;
        r["consistent"] = false;
      }
      spot_rows.push_back(std::move(r));
    }
    survey_rows.push_back(json::object{{"department", s.department}, {"name", s.name},
                                       {"responses", s.survey.responses}, {"counted_as_100", s.survey.counted_as_100},
                                       {"score", s.survey.score ? json::value(s.survey.score->ToString()) : json::value(nullptr)}});

    auto f = LoadFacts(store, *q, s.department, at);
    if (!f.ok()) return f.status();
    for (const auto& e : f->events) {
      if (f->voided.count(e.id)) continue;
      json::object base{{"department", s.department}, {"name", s.name}, {"id", e.id}, {"seq", e.seq},
                        {"occurred_at", e.occurred_at}};
      switch (e.type) {
        case EventType::kSurveyDisputed:
          base["response"] = Str(e, "response");
          base["reason"] = Str(e, "reason");
          disputes.push_back(std::move(base));
          break;
        case EventType::kSurveyRuled:
          base["response"] = Str(e, "response");
          base["outcome"] = Str(e, "outcome");
          base["score"] = StrOrNull(e, "score");
          base["ruling"] = Str(e, "ruling");
          rulings.push_back(std::move(base));
          break;
        case EventType::kCallbackFinding:
          base["points"] = Str(e, "points");
          base["reason"] = Str(e, "reason");
          base["work_order"] = StrOrNull(e, "work_order");
          callbacks.push_back(std::move(base));
          break;
        case EventType::kDeductionDirect:
          base["points"] = Str(e, "points");
          base["reason"] = Str(e, "reason");
          directs.push_back(std::move(base));
          break;
        case EventType::kScoreAdjusted:
          base["component"] = Str(e, "component");
          base["points"] = Str(e, "points");
          base["reason"] = Str(e, "reason");
          base["ruling"] = Str(e, "ruling");
          adjustments.push_back(std::move(base));
          break;
        default:
          break;
      }
    }
  }
  auto complaints = ComplaintsOf(store, *q, "", at);
  if (!complaints.ok()) return complaints.status();

  // The analysis meeting is on the 10th of the following month (第十五条).
  char meeting[48];
  int month = q->q * 3 + 1, year = q->year;
  if (month > 12) { month = 1; ++year; }
  std::snprintf(meeting, sizeof meeting, "%04d-%02d-10", year % 10000, month);

  json::value approval = nullptr;
  if (first.status == domain::QuarterStatus::kApproved) {
    auto e = store.Get(at);
    if (e.ok()) approval = json::object{{"seq", e->seq}, {"hash", e->hash}, {"id", e->id},
                                        {"approved_by", Str(*e, "approved_by")}, {"meeting_date", Str(*e, "meeting_date")}};
  }

  json::object o;
  o["quarter"] = q->ToString();
  o["status"] = domain::QuarterStatusName(first.status);
  o["as_of_seq"] = first.as_of_seq;
  o["as_of_hash"] = first.as_of_hash;
  o["policy_version"] = first.policy_version;
  o["meeting_date"] = meeting;
  o["approval"] = std::move(approval);
  o["summary"] = json::object{{"departments", static_cast<int64_t>(scores->size())}, {"excellent", excellent},
                              {"qualified", qualified}, {"unqualified", unqualified},
                              {"rewards", rewards.ToString()}, {"penalties", penalties.ToString()},
                              {"net", (rewards - penalties).ToString()}};
  o["scores"] = std::move(score_rows);
  o["spot_checks"] = std::move(spot_rows);
  o["surveys"] = json::object{{"departments", std::move(survey_rows)}, {"disputes", std::move(disputes)},
                              {"rulings", std::move(rulings)}};
  o["complaints"] = json::object{{"summary", ComplaintSummary(*complaints)}, {"register", std::move(*complaints)}};
  o["callback_findings"] = std::move(callbacks);
  o["direct_deductions"] = std::move(directs);
  o["adjustments"] = std::move(adjustments);
  return o;
}

}  // namespace qledger::app
