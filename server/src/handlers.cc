#include "qledger/server/handlers.h"

#include <algorithm>
#include <set>

#include <boost/json.hpp>

#include "qledger/domain/canonical_json.h"
#include "qledger/domain/policy.h"
#include "qledger/domain/scoring.h"
#include "qledger/server/http_errors.h"
#include "qledger/storage/event_store.h"
#include "qledger/app/report_render.h"
#include "qledger/app/queries.h"
#include "qledger/app/reports.h"

namespace json = boost::json;

namespace qledger::server::handlers {

using domain::Result;
using domain::Status;
using storage::EventStore;

namespace {

// JSON bodies end with a newline, like the CLI's output, so that the bytes
// of /v1/quarters/{q}/scores equal those of `qledger scores --format json`.
Response Json(const json::value& v) {
  Response r;
  r.body = json::serialize(v);
  r.body.push_back('\n');
  return r;
}

Result<int64_t> ParseCount(const std::string& name, const std::string& text) {
  bool digits = !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return domain::InvalidArgument(name + ": \"" + text + "\" is not a non-negative integer");
  return std::stoll(text);
}

// The policy.adopted event that answers ?quarter= (in force for it at the
// head) or, without one, the latest adopted.
Result<domain::Event> SelectPolicy(const EventStore& store, const Target& t) {
  auto quarter = t.One("quarter");
  if (!quarter.ok()) return quarter.status();
  QLEDGER_ASSIGN_OR_RETURN(auto events, app::AdoptedPolicyEvents(store));
  if (events.empty()) return domain::NotFound("no policy has been adopted: the ledger is empty");
  if (quarter->empty()) return events.back();
  auto q = app::ResolveQuarter(*quarter);
  if (!q.ok()) return q.status();
  std::vector<domain::AdoptedPolicy> adopted;
  for (const auto& e : events) {
    auto a = domain::AdoptedPolicyOf(e);
    if (!a.ok()) return a.status();
    adopted.push_back(std::move(*a));
  }
  const domain::AdoptedPolicy* in_force = domain::PolicyFor(adopted, *q, store.head().seq);
  if (!in_force) return domain::NotFound("quarter " + q->ToString() + ": no policy is in force");
  for (const auto& e : events) {
    if (e.seq == in_force->seq) return e;
  }
  return domain::Internal("policy event " + std::to_string(in_force->seq) + " vanished");
}

// The point of replay from ?as_of= and the ids from ?without=, resolved as
// the CLI resolves --as-of and --without.
Result<domain::ReplayOptions> ReplayOptionsOf(const EventStore& store, const domain::Quarter& q, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"as_of", "without"}));
  QLEDGER_ASSIGN_OR_RETURN(std::string as_of, t.One("as_of"));
  return app::ResolveReplayOptions(store, q, as_of, t.All("without"));
}

}  // namespace

Response Head(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({}); !s.ok()) return ProblemFor(s);
  storage::Head h = store.head();
  return Json(json::object{{"seq", h.seq}, {"hash", h.hash}, {"recorded_at", h.recorded_at}});
}

Response Policy(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({"quarter"}); !s.ok()) return ProblemFor(s);
  auto e = SelectPolicy(store, t);
  if (!e.ok()) return ProblemFor(e.status());
  return Json(json::object{{"seq", e->seq},
                           {"id", e->id},
                           {"version", e->data.at("version")},
                           {"effective_from", e->data.at("effective_from")},
                           {"policy", e->data.at("policy")}});
}

Response Departments(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({"quarter"}); !s.ok()) return ProblemFor(s);
  auto e = SelectPolicy(store, t);
  if (!e.ok()) return ProblemFor(e.status());
  auto p = domain::ParsePolicy(e->data.at("policy"));
  if (!p.ok()) return ProblemFor(p.status());
  json::array out;
  for (const auto& d : p->departments) out.push_back(json::object{{"code", d.code}, {"name", d.name}});
  return Json(out);
}

Response Quarters(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({}); !s.ok()) return ProblemFor(s);
  auto list = app::ListQuarters(store);
  if (!list.ok()) return ProblemFor(list.status());
  json::array out;
  for (const auto& q : *list) {
    json::object o{{"quarter", q.quarter}, {"status", domain::QuarterStatusName(q.status)}};
    if (q.approved_seq) o["approved_seq"] = q.approved_seq;
    out.push_back(std::move(o));
  }
  return Json(out);
}

Response Scores(const EventStore& store, const Target& t) {
  // Exactly the steps of `qledger scores` (tools/commands.cc RunScores).
  auto q = app::ResolveQuarter(t.segments()[2]);
  if (!q.ok()) return ProblemFor(q.status());
  auto options = ReplayOptionsOf(store, *q, t);
  if (!options.ok()) return ProblemFor(options.status());
  auto scores = app::ScoreQuarter(store, *q, *options);
  if (!scores.ok()) return ProblemFor(scores.status());
  json::array arr;
  for (const auto& s : *scores) arr.push_back(domain::ScoreToJson(s));
  return Json(arr);
}

Response Department(const EventStore& store, const Target& t) {
  // Exactly the steps of `qledger replay --format json`.
  auto q = app::ResolveQuarter(t.segments()[2]);
  if (!q.ok()) return ProblemFor(q.status());
  auto options = ReplayOptionsOf(store, *q, t);
  if (!options.ok()) return ProblemFor(options.status());
  auto d = app::DeriveDepartment(store, *q, t.segments()[4], *options);
  if (!d.ok()) return ProblemFor(d.status());
  return Json(domain::DerivationToJson(*d));
}

Response Events(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({"after", "limit", "type", "department", "quarter"}); !s.ok()) return ProblemFor(s);
  auto after_text = t.One("after"), limit_text = t.One("limit"), type = t.One("type"),
       department = t.One("department"), quarter_text = t.One("quarter");
  for (const auto* r : {&after_text, &limit_text, &type, &department, &quarter_text}) {
    if (!r->ok()) return ProblemFor(r->status());
  }
  int64_t after = 0, limit = kDefaultEventLimit;
  if (!after_text->empty()) {
    auto v = ParseCount("after", *after_text);
    if (!v.ok()) return ProblemFor(v.status());
    after = *v;
  }
  if (!limit_text->empty()) {
    auto v = ParseCount("limit", *limit_text);
    if (!v.ok()) return ProblemFor(v.status());
    if (*v < 1 || *v > kMaxEventLimit) {
      return ProblemFor(domain::InvalidArgument("limit: " + *limit_text + " is outside 1.." + std::to_string(kMaxEventLimit)));
    }
    limit = *v;
  }
  auto filter = app::ResolveEventFilter(store, *type, *department, *quarter_text);
  if (!filter.ok()) return ProblemFor(filter.status());

  int64_t head = store.head().seq;
  int64_t examined_to = after, last_taken = 0, taken = 0;
  std::string body = "{\"events\":[";
  Status st = store.Scan(after + 1, INT64_MAX, [&](const domain::Event& e) {
    examined_to = e.seq;
    if (filter->Matches(e)) {
      if (taken++) body.push_back(',');
      domain::AppendCanonicalJson(domain::ToExportJson(e, true), &body);
      last_taken = e.seq;
    }
    return taken < limit && e.seq - after < kEventScanBudget;
  });
  if (!st.ok()) return ProblemFor(st);
  // The cursor: where the next page starts, or null at the head.
  body += "],\"next_after\":";
  int64_t next = taken >= limit ? last_taken : examined_to;
  body += next < head ? std::to_string(next) : "null";
  body += "}\n";
  Response r;
  r.body = std::move(body);
  return r;
}

Response Event(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({}); !s.ok()) return ProblemFor(s);
  const std::string& text = t.segments()[2];
  auto seq = ParseCount("seq", text);
  if (!seq.ok()) return ProblemFor(seq.status());
  int64_t head = store.head().seq;
  if (*seq < 1 || *seq > head) {
    return ProblemFor(domain::NotFound("event " + text + ": no such event (the ledger holds seq 1.." + std::to_string(head) + ")"));
  }
  auto e = store.Get(*seq);
  if (!e.ok()) return ProblemFor(e.status());
  Response r;
  r.body = domain::CanonicalJson(domain::ToExportJson(*e, true));
  r.body.push_back('\n');
  return r;
}

Response Ledger(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({"year", "department"}); !s.ok()) return ProblemFor(s);
  auto year = t.One("year"), department = t.One("department");
  if (!year.ok()) return ProblemFor(year.status());
  if (!department.ok()) return ProblemFor(department.status());
  auto l = app::BuildLedger(store, *year, *department);
  if (!l.ok()) return ProblemFor(l.status());
  return Json(*l);
}

Response Complaints(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({"quarter", "department"}); !s.ok()) return ProblemFor(s);
  auto quarter = t.One("quarter"), department = t.One("department");
  if (!quarter.ok()) return ProblemFor(quarter.status());
  if (!department.ok()) return ProblemFor(department.status());
  auto c = app::BuildComplaints(store, *quarter, *department);
  if (!c.ok()) return ProblemFor(c.status());
  return Json(*c);
}

Response Report(const EventStore& store, const Target& t) {
  if (Status s = t.CheckAllowed({"as_of", "format"}); !s.ok()) return ProblemFor(s);
  auto as_of = t.One("as_of"), format = t.One("format");
  if (!as_of.ok()) return ProblemFor(as_of.status());
  if (!format.ok()) return ProblemFor(format.status());
  std::string f = format->empty() ? "json" : *format;
  if (f != "json" && f != "html" && f != "md" && f != "csv") {
    return ProblemFor(domain::InvalidArgument("format: \"" + f + "\" is not one of json, html, md, csv"));
  }
  // The same steps as `qledger report`.
  auto r = app::BuildReport(store, t.segments()[2], *as_of);
  if (!r.ok()) return ProblemFor(r.status());
  if (f == "json") return Json(*r);
  Response res;
  if (f == "html") {
    res.content_type = "text/html; charset=utf-8";
    res.body = app::ReportToHtml(*r);
  } else if (f == "md") {
    res.content_type = "text/markdown; charset=utf-8";
    res.body = app::ReportToMarkdown(*r);
  } else {
    res.content_type = "text/csv; charset=utf-8";
    res.body = app::ReportToCsv(*r);
  }
  return res;
}

}  // namespace qledger::server::handlers
