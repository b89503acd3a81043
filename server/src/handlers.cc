#include "qledger/server/handlers.h"

#include <boost/json.hpp>

#include "qledger/app/json_mapping.h"
#include "qledger/app/queries.h"
#include "qledger/app/report_render.h"
#include "qledger/app/tlog.h"
#include "qledger/app/views.h"
#include "qledger/app/xlsx.h"
#include "qledger/domain/lang.h"
#include "qledger/server/http_errors.h"
#include "qledger/storage/event_store.h"

namespace json = boost::json;

// Each endpoint is an adapter: it reads its parameters from the target,
// calls the use case of app/ that the CLI calls too, and maps the result to
// JSON (app/json_mapping.h) or its error to a problem (http_errors.h).
namespace qledger::server::handlers {

using domain::Result;
using storage::EventStore;

namespace {

// JSON bodies end with a newline, like the CLI's output, so that the bytes
// of /v1/quarters/{q}/scores equal those of `qledger scores --format json`.
Response Json(const json::value& v) {
  Response r;
  r.body = app::JsonBody(v);
  return r;
}

Response Served(Result<Response> r) { return r.ok() ? std::move(*r) : ProblemFor(r.status()); }

// ?format=: "" or json, or one of `others`; kInvalidArgument naming it.
Result<std::string> FormatOf(const Target& t, std::initializer_list<std::string_view> others) {
  QLEDGER_ASSIGN_OR_RETURN(std::string format, t.One("format"));
  if (format.empty() || format == "json") return std::string("json");
  std::string all = "json";
  for (std::string_view o : others) {
    if (format == o) return format;
    all += ", " + std::string(o);
  }
  return domain::InvalidArgument("format: \"" + format + "\" is not one of " + all);
}

// ?lang=: zh (the default) or en, the one language of headers, grades and
// sentences; kInvalidArgument naming it.
Result<domain::Lang> LangOf(const Target& t) {
  QLEDGER_ASSIGN_OR_RETURN(std::string lang, t.One("lang"));
  if (lang.empty()) return domain::Lang::kZh;
  auto parsed = domain::ParseLang(lang);
  if (!parsed) return domain::InvalidArgument("lang: \"" + lang + "\" is not one of zh, en");
  return *parsed;
}

// A file offered for download under its name (what a spreadsheet opens).
Response Attachment(std::string body, const char* content_type, const std::string& file) {
  Response r;
  r.content_type = content_type;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  return r;
}

Response Csv(std::string body, const std::string& stem) {
  return Attachment(std::move(body), "text/csv; charset=utf-8", stem + ".csv");
}

Result<Response> Xlsx(const std::vector<app::Table>& tables, const std::string& stem) {
  QLEDGER_ASSIGN_OR_RETURN(std::string bytes, app::TablesToXlsx(tables));
  return Attachment(std::move(bytes), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    stem + ".xlsx");
}

Result<Response> HeadOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({}));
  return Json(app::ToJson(store.head()));
}

Result<app::PolicyView> PolicyOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"quarter"}));
  QLEDGER_ASSIGN_OR_RETURN(std::string quarter, t.One("quarter"));
  return app::SelectPolicy(store, {quarter});
}

Result<Response> QuartersOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({}));
  QLEDGER_ASSIGN_OR_RETURN(auto quarters, app::ListQuarters(store));
  return Json(app::ToJson(quarters));
}

Result<Response> ScoresOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"as_of", "without", "format", "lang"}));
  QLEDGER_ASSIGN_OR_RETURN(std::string as_of, t.One("as_of"));
  QLEDGER_ASSIGN_OR_RETURN(std::string format, FormatOf(t, {"csv", "xlsx"}));
  app::ScoresQuery query{t.segments()[2], as_of, t.All("without")};
  QLEDGER_ASSIGN_OR_RETURN(query.lang, LangOf(t));
  QLEDGER_ASSIGN_OR_RETURN(auto scores, app::Scores(store, query));
  const std::string stem = "scores-" + scores.front().quarter;
  if (format == "csv") return Csv(app::ScoresToCsv(scores, query.lang), stem);
  if (format == "xlsx") return Xlsx(app::ScoresTables(scores, query.lang), stem);
  return Json(app::ToJson(scores));
}

Result<Response> DepartmentOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"as_of", "without", "lang"}));
  QLEDGER_ASSIGN_OR_RETURN(std::string as_of, t.One("as_of"));
  app::ReplayQuery query{t.segments()[2], t.segments()[4], as_of, t.All("without")};
  QLEDGER_ASSIGN_OR_RETURN(query.lang, LangOf(t));
  QLEDGER_ASSIGN_OR_RETURN(auto d, app::Replay(store, query));
  return Json(app::ToJson(d));
}

Result<Response> EventsOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"after", "limit", "type", "department", "quarter"}));
  app::EventQuery q;
  QLEDGER_ASSIGN_OR_RETURN(q.after, t.One("after"));
  QLEDGER_ASSIGN_OR_RETURN(q.limit, t.One("limit"));
  QLEDGER_ASSIGN_OR_RETURN(q.type, t.One("type"));
  QLEDGER_ASSIGN_OR_RETURN(q.department, t.One("department"));
  QLEDGER_ASSIGN_OR_RETURN(q.quarter, t.One("quarter"));
  q.default_limit = kDefaultEventLimit;
  q.max_limit = kMaxEventLimit;
  q.scan_budget = kEventScanBudget;
  // Written as it is scanned: a page of events is not built as a JSON tree.
  std::string body = "{\"events\":[";
  QLEDGER_ASSIGN_OR_RETURN(auto page, app::ListEvents(store, q, [&](const domain::Event& e) {
    if (body.back() != '[') body.push_back(',');
    body += app::EventLine(e);
  }));
  body += "],\"next_after\":";
  body += page.next_after ? std::to_string(*page.next_after) : "null";
  body += "}\n";
  Response r;
  r.body = std::move(body);
  return r;
}

Result<Response> EventOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({}));
  QLEDGER_ASSIGN_OR_RETURN(auto e, app::EventAt(store, t.segments()[2]));
  Response r;
  r.body = app::EventLine(e) + "\n";
  return r;
}

Result<Response> LedgerOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"year", "department", "format", "lang"}));
  app::LedgerQuery q;
  QLEDGER_ASSIGN_OR_RETURN(q.year, t.One("year"));
  QLEDGER_ASSIGN_OR_RETURN(q.department, t.One("department"));
  QLEDGER_ASSIGN_OR_RETURN(std::string format, FormatOf(t, {"csv", "xlsx"}));
  QLEDGER_ASSIGN_OR_RETURN(domain::Lang lang, LangOf(t));
  QLEDGER_ASSIGN_OR_RETURN(auto ledger, app::BuildLedger(store, q));
  if (format == "csv") return Csv(app::LedgerToCsv(ledger, lang), "ledger-" + ledger.year);
  if (format == "xlsx") return Xlsx(app::LedgerTables(ledger, lang), "ledger-" + ledger.year);
  return Json(app::ToJson(ledger));
}

Result<Response> ComplaintsOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"quarter", "department", "format", "lang"}));
  app::ComplaintsQuery q;
  QLEDGER_ASSIGN_OR_RETURN(q.quarter, t.One("quarter"));
  QLEDGER_ASSIGN_OR_RETURN(q.department, t.One("department"));
  QLEDGER_ASSIGN_OR_RETURN(std::string format, FormatOf(t, {"csv", "xlsx"}));
  QLEDGER_ASSIGN_OR_RETURN(domain::Lang lang, LangOf(t));
  QLEDGER_ASSIGN_OR_RETURN(auto complaints, app::BuildComplaints(store, q));
  const std::string stem = "complaints" + (complaints.quarter ? "-" + *complaints.quarter : "");
  if (format == "csv") return Csv(app::ComplaintsToCsv(complaints, lang), stem);
  if (format == "xlsx") return Xlsx(app::ComplaintsTables(complaints, lang), stem);
  return Json(app::ToJson(complaints));
}

Result<Response> ReportOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"as_of", "format", "lang"}));
  QLEDGER_ASSIGN_OR_RETURN(std::string as_of, t.One("as_of"));
  QLEDGER_ASSIGN_OR_RETURN(std::string format, FormatOf(t, {"html", "md", "csv", "xlsx"}));
  QLEDGER_ASSIGN_OR_RETURN(domain::Lang lang, LangOf(t));
  QLEDGER_ASSIGN_OR_RETURN(auto report, app::BuildReport(store, {t.segments()[2], as_of}));
  if (format == "csv") return Csv(app::ReportToCsv(report, lang), "report-" + report.quarter);
  if (format == "xlsx") return Xlsx(app::ReportTables(report, lang), "report-" + report.quarter);
  if (format == "json") return Json(app::ToJson(report));
  Response res;
  if (format == "html") {
    res.content_type = "text/html; charset=utf-8";
    res.body = app::ReportToHtml(report, lang);
  } else {
    res.content_type = "text/markdown; charset=utf-8";
    res.body = app::ReportToMarkdown(report, lang);
  }
  return res;
}

// An optional count parameter: "" is none; else digits, naming the
// parameter when they are not.
Result<std::optional<uint64_t>> CountOf(const Target& t, const char* name) {
  QLEDGER_ASSIGN_OR_RETURN(std::string v, t.One(name));
  if (v.empty()) return std::optional<uint64_t>();
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9' || v.size() > 18) {
      return domain::InvalidArgument(std::string(name) + ": \"" + v + "\" is not a count");
    }
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return std::optional<uint64_t>(n);
}

Result<Response> CheckpointOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({}));
  QLEDGER_ASSIGN_OR_RETURN(std::string text, app::LatestCheckpoint(store));
  Response r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(text);
  return r;
}

Result<Response> CheckpointsOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"quarter"}));
  QLEDGER_ASSIGN_OR_RETURN(std::string quarter, t.One("quarter"));
  QLEDGER_ASSIGN_OR_RETURN(auto list, app::ListCheckpoints(store, quarter));
  json::array out;
  for (const auto& c : list) {
    json::array signers;
    for (const auto& s : c.signers) signers.emplace_back(s);
    out.push_back(json::object{{"size", c.size}, {"origin", c.origin}, {"root", c.root}, {"signers", std::move(signers)},
                               {"note", c.note}});
  }
  return Json(json::object{{"checkpoints", std::move(out)}});
}

Result<Response> Bundle(Result<std::string> text) {
  QLEDGER_RETURN_IF_ERROR(text.status());
  Response r;
  r.body = std::move(*text);
  return r;
}

Result<Response> InclusionProofOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"id", "seq", "size"}));
  QLEDGER_ASSIGN_OR_RETURN(std::string id, t.One("id"));
  QLEDGER_ASSIGN_OR_RETURN(auto seq, CountOf(t, "seq"));
  QLEDGER_ASSIGN_OR_RETURN(auto size, CountOf(t, "size"));
  if (id.empty() == !seq.has_value()) return domain::InvalidArgument("give id= or seq= (one of them)");
  if (!id.empty()) return Bundle(app::InclusionBundle(store, id, size));
  return Bundle(app::InclusionBundleAt(store, static_cast<int64_t>(*seq), size));
}

Result<Response> ConsistencyProofOf(const EventStore& store, const Target& t) {
  QLEDGER_RETURN_IF_ERROR(t.CheckAllowed({"from", "to"}));
  QLEDGER_ASSIGN_OR_RETURN(auto from, CountOf(t, "from"));
  QLEDGER_ASSIGN_OR_RETURN(auto to, CountOf(t, "to"));
  if (!from) return domain::InvalidArgument("from: the size of the tree you hold is required");
  return Bundle(app::ConsistencyBundle(store, *from, to));
}

}  // namespace

Response Head(const EventStore& store, const Target& t) { return Served(HeadOf(store, t)); }

Response Policy(const EventStore& store, const Target& t) {
  auto p = PolicyOf(store, t);
  return p.ok() ? Json(app::ToJson(*p)) : ProblemFor(p.status());
}

Response Departments(const EventStore& store, const Target& t) {
  auto p = PolicyOf(store, t);
  return p.ok() ? Json(app::DepartmentsToJson(*p)) : ProblemFor(p.status());
}

Response Quarters(const EventStore& store, const Target& t) { return Served(QuartersOf(store, t)); }
Response Scores(const EventStore& store, const Target& t) { return Served(ScoresOf(store, t)); }
Response Department(const EventStore& store, const Target& t) { return Served(DepartmentOf(store, t)); }
Response Events(const EventStore& store, const Target& t) { return Served(EventsOf(store, t)); }
Response Event(const EventStore& store, const Target& t) { return Served(EventOf(store, t)); }
Response Ledger(const EventStore& store, const Target& t) { return Served(LedgerOf(store, t)); }
Response Complaints(const EventStore& store, const Target& t) { return Served(ComplaintsOf(store, t)); }
Response Report(const EventStore& store, const Target& t) { return Served(ReportOf(store, t)); }

Response Checkpoint(const EventStore& store, const Target& t) { return Served(CheckpointOf(store, t)); }
Response Checkpoints(const EventStore& store, const Target& t) { return Served(CheckpointsOf(store, t)); }
Response InclusionProof(const EventStore& store, const Target& t) { return Served(InclusionProofOf(store, t)); }
Response ConsistencyProof(const EventStore& store, const Target& t) { return Served(ConsistencyProofOf(store, t)); }

}  // namespace qledger::server::handlers
