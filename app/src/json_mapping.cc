#include "qledger/app/json_mapping.h"

#include <boost/json.hpp>

#include "qledger/domain/canonical_json.h"

namespace json = boost::json;

namespace qledger::app {
namespace {

json::value OrNull(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }
json::value OrNull(const std::optional<Decimal>& d) { return d ? json::value(d->ToString()) : json::value(nullptr); }
json::value OrNull(const std::optional<bool>& b) { return b ? json::value(*b) : json::value(nullptr); }

json::object SummaryJson(const ComplaintSummary& s) {
  return {{"recorded", s.recorded}, {"valid", s.valid},           {"invalid", s.invalid},
          {"voided", s.voided},     {"resolved", s.resolved},     {"unresolved", s.unresolved},
          {"satisfied", s.satisfied}};
}

json::array ComplaintsJson(const std::vector<ComplaintLine>& complaints) {
  json::array out;
  for (const auto& c : complaints) {
    out.push_back(json::object{{"id", c.id},
                               {"seq", c.seq},
                               {"quarter", c.quarter},
                               {"department", c.department},
                               {"name", c.name},
                               {"received_at", c.received_at},
                               {"channel", c.channel},
                               {"summary", c.summary},
                               {"customer", OrNull(c.customer)},
                               {"category", OrNull(c.category)},
                               {"recorded_by", c.recorded_by},
                               {"voided", c.voided},
                               {"valid", c.valid},
                               {"ruling", OrNull(c.ruling)},
                               {"ruling_reason", OrNull(c.ruling_reason)},
                               {"acknowledged_at", OrNull(c.acknowledged_at)},
                               {"resolved_at", OrNull(c.resolved_at)},
                               {"resolution", OrNull(c.resolution)},
                               {"satisfied", OrNull(c.satisfied)},
                               {"counts", c.counts},
                               {"hours_to_resolve", OrNull(c.hours_to_resolve)}});
  }
  return out;
}

// The event a report line is about, then the line's own fields in order.
json::object RefJson(const FactRef& f, const json::object& fields) {
  json::object o{{"department", f.department}, {"name", f.name}, {"id", f.id}, {"seq", f.seq},
                 {"occurred_at", f.occurred_at}};
  for (const auto& kv : fields) o[kv.key()] = kv.value();
  return o;
}

}  // namespace

json::object ToJson(const storage::Head& h) {
  return {{"seq", h.seq}, {"hash", h.hash}, {"recorded_at", h.recorded_at}};
}

json::object ToJson(const PolicyView& p) {
  return {{"seq", p.seq}, {"id", p.id}, {"version", p.version}, {"effective_from", p.effective_from},
          {"policy", p.policy}};
}

json::array DepartmentsToJson(const PolicyView& p) {
  json::array out;
  for (const auto& d : p.departments) out.push_back(json::object{{"code", d.code}, {"name", d.name}});
  return out;
}

json::array ToJson(const std::vector<QuarterSummary>& quarters) {
  json::array out;
  for (const auto& q : quarters) {
    json::object o{{"quarter", q.quarter}, {"status", domain::QuarterStatusName(q.status)}};
    if (q.approved_seq) o["approved_seq"] = q.approved_seq;
    out.push_back(std::move(o));
  }
  return out;
}

json::array ToJson(const std::vector<domain::Score>& scores) {
  json::array out;
  for (const auto& s : scores) out.push_back(domain::ScoreToJson(s));
  return out;
}

json::object ToJson(const domain::Derivation& d) { return domain::DerivationToJson(d); }

json::object ToJson(const domain::ScoreDiff& d) { return domain::DiffToJson(d); }

json::object ToJson(const ComplaintRegister& r) {
  json::object o;
  o["quarter"] = OrNull(r.quarter);
  o["department"] = OrNull(r.department);
  o["as_of_seq"] = r.as_of_seq;
  o["as_of_hash"] = r.as_of_hash;
  o["summary"] = SummaryJson(r.summary);
  o["complaints"] = ComplaintsJson(r.complaints);
  return o;
}

json::object ToJson(const RewardLedger& l) {
  json::array entries, totals, expenses;
  for (const auto& e : l.entries) {
    entries.push_back(json::object{{"quarter", e.quarter},
                                   {"department", e.department},
                                   {"name", e.name},
                                   {"status", domain::QuarterStatusName(e.status)},
                                   {"final", e.final},
                                   {"total", e.total.ToString()},
                                   {"grade", e.grade},
                                   {"amount", e.amount.ToString()},
                                   {"as_of_seq", e.as_of_seq},
                                   {"as_of_hash", e.as_of_hash}});
  }
  for (const auto& t : l.totals) {
    totals.push_back(json::object{{"department", t.department},
                                  {"name", t.name},
                                  {"rewards", t.rewards.ToString()},
                                  {"penalties", t.penalties.ToString()},
                                  {"net", t.net.ToString()},
                                  {"provisional_net", t.provisional_net.ToString()}});
  }
  for (const auto& x : l.expenses) {
    expenses.push_back(json::object{{"id", x.id},
                                    {"seq", x.seq},
                                    {"occurred_at", x.occurred_at},
                                    {"amount", x.amount},
                                    {"purpose", x.purpose},
                                    {"voided", x.voided}});
  }
  json::object quota;  // {} when no policy is in force
  if (l.quota) {
    const domain::QuotaUse& q = *l.quota;
    quota = json::object{{"annual_quota", q.annual_quota.ToString()},
                         {"rewards_final", q.rewards_final.ToString()},
                         {"rewards_provisional", q.rewards_provisional.ToString()},
                         {"expenses", q.expenses.ToString()},
                         {"used", q.used.ToString()},
                         {"used_including_provisional", q.used_including_provisional.ToString()},
                         {"remaining", q.remaining.ToString()},
                         {"over_quota", q.over_quota},
                         {"over_quota_including_provisional", q.over_quota_including_provisional}};
  }
  json::object o;
  o["year"] = l.year;
  o["department"] = OrNull(l.department);
  o["as_of_seq"] = l.as_of_seq;
  o["as_of_hash"] = l.as_of_hash;
  o["entries"] = std::move(entries);
  o["totals"] = std::move(totals);
  o["penalties_final"] = l.penalties_final.ToString();
  o["penalties_provisional"] = l.penalties_provisional.ToString();
  o["quota"] = std::move(quota);
  o["expenses"] = std::move(expenses);
  return o;
}

json::object ToJson(const QuarterReport& r) {
  json::array scores, spots, surveys, disputes, rulings, callbacks, directs, adjustments;
  for (const auto& s : r.scores) {
    json::object row = domain::ScoreToJson(s.score);
    row["rank"] = s.rank;
    row["previous_total"] = OrNull(s.previous_total);
    row["change"] = OrNull(s.change);
    scores.push_back(std::move(row));
  }
  for (const auto& m : r.spot_checks) {
    spots.push_back(json::object{{"department", m.department}, {"name", m.name}, {"month", m.month},
                                 {"self", OrNull(m.self)}, {"spot", m.spot.ToString()},
                                 {"deduction", m.deduction.ToString()}, {"difference", OrNull(m.difference)},
                                 {"consistent", m.consistent}});
  }
  for (const auto& s : r.surveys) {
    surveys.push_back(json::object{{"department", s.department}, {"name", s.name}, {"responses", s.responses},
                                   {"counted_as_100", s.counted_as_100}, {"score", OrNull(s.score)}});
  }
  for (const auto& d : r.disputes) disputes.push_back(RefJson(d, {{"response", d.response}, {"reason", d.reason}}));
  for (const auto& d : r.rulings) {
    rulings.push_back(RefJson(d, {{"response", d.response}, {"outcome", d.outcome}, {"score", OrNull(d.score)},
                                  {"ruling", d.ruling}}));
  }
  for (const auto& c : r.callback_findings) {
    callbacks.push_back(RefJson(c, {{"points", c.points}, {"reason", c.reason}, {"work_order", OrNull(c.work_order)}}));
  }
  for (const auto& c : r.direct_deductions) directs.push_back(RefJson(c, {{"points", c.points}, {"reason", c.reason}}));
  for (const auto& a : r.adjustments) {
    adjustments.push_back(RefJson(a, {{"component", a.component}, {"points", a.points}, {"reason", a.reason},
                                      {"ruling", a.ruling}}));
  }
  json::object o;
  o["quarter"] = r.quarter;
  o["status"] = domain::QuarterStatusName(r.status);
  o["as_of_seq"] = r.as_of_seq;
  o["as_of_hash"] = r.as_of_hash;
  o["policy_version"] = r.policy_version;
  o["meeting_date"] = r.meeting_date;
  if (r.approval) {
    o["approval"] = json::object{{"seq", r.approval->seq}, {"hash", r.approval->hash}, {"id", r.approval->id},
                                 {"approved_by", r.approval->approved_by},
                                 {"meeting_date", r.approval->meeting_date}};
  } else {
    o["approval"] = nullptr;
  }
  if (r.checkpoint) {
    json::array signers;
    for (const auto& s : r.checkpoint->signers) signers.emplace_back(s);
    o["checkpoint"] = json::object{{"size", r.checkpoint->size}, {"origin", r.checkpoint->origin},
                                   {"root", r.checkpoint->root}, {"signers", std::move(signers)},
                                   {"note", r.checkpoint->note}};
  } else {
    o["checkpoint"] = nullptr;
  }
  o["summary"] = json::object{{"departments", r.summary.departments}, {"excellent", r.summary.excellent},
                              {"qualified", r.summary.qualified},     {"unqualified", r.summary.unqualified},
                              {"rewards", r.summary.rewards.ToString()}, {"penalties", r.summary.penalties.ToString()},
                              {"net", r.summary.net.ToString()}};
  o["scores"] = std::move(scores);
  o["spot_checks"] = std::move(spots);
  o["surveys"] = json::object{{"departments", std::move(surveys)}, {"disputes", std::move(disputes)},
                              {"rulings", std::move(rulings)}};
  o["complaints"] = json::object{{"summary", SummaryJson(r.complaint_summary)},
                                 {"register", ComplaintsJson(r.complaints)}};
  o["callback_findings"] = std::move(callbacks);
  o["direct_deductions"] = std::move(directs);
  o["adjustments"] = std::move(adjustments);
  return o;
}

std::string EventLine(const domain::Event& e) { return domain::CanonicalJson(domain::ToExportJson(e, true)); }

std::string JsonBody(const json::value& v) {
  std::string body = json::serialize(v);
  body.push_back('\n');
  return body;
}

}  // namespace qledger::app
