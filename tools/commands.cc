#include "commands.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <boost/json.hpp>

#include "exit_codes.h"
#include "test_hooks.h"
#include "qledger/domain/canonical_json.h"
#include "qledger/domain/diff.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/exact_json.h"
#include "qledger/domain/policy.h"
#include "qledger/storage/event_store.h"
#include "qledger/app/queries.h"
#include "qledger/app/reports.h"
#include "qledger/app/report_render.h"
#include "qledger/app/text_table.h"

#ifndef QLEDGER_SOURCE_DIR
#define QLEDGER_SOURCE_DIR "."
#endif

namespace json = boost::json;

namespace qledger::tools {

using app::ComplaintsToCsv;
using app::ComplaintsToText;
using app::LedgerToText;
using app::RenderCsv;
using app::RenderTable;
using app::ReportToCsv;
using app::ReportToHtml;
using app::ReportToMarkdown;
using app::Row;

using domain::Result;
using domain::Status;
using storage::EventStore;

namespace {

int Fail(const char* cmd, const Status& s) {
  std::cerr << "qledger " << cmd << ": " << s.message() << "\n";
  return ExitCodeFor(s.code());
}

Result<std::string> ReadInput(const std::string& file) {
  if (file == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return domain::NotFound("cannot read " + file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::chrono::milliseconds WaitFor(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(std::max(0.0, seconds) * 1000));
}

int ReportAppend(const char* cmd, const Result<storage::AppendOutcome>& out, size_t batch_size,
                 const storage::AppendOptions& options) {
  if (!out.ok()) return Fail(cmd, out.status());
  if (!out->errors.empty()) {
    for (const auto& e : out->errors) std::cerr << "qledger " << cmd << ": " << e.ToString() << "\n";
    std::cerr << "qledger " << cmd << ": rejected: " << out->errors.size() << " error"
              << (out->errors.size() == 1 ? "" : "s") << " in " << batch_size
              << " events; nothing was appended\n";
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  json::object o;
  if (options.dry_run) {
    o["dry_run"] = true;
    o["appended"] = 0;
    o["would_append"] = out->appended;
  } else {
    o["appended"] = out->appended;
  }
  o["duplicates"] = out->duplicates;
  o["head_seq"] = out->head.seq;
  o["head_hash"] = out->head.hash;
  std::cout << json::serialize(o) << "\n";
  return 0;
}

namespace {

Result<std::unique_ptr<EventStore>> OpenReader(const CommonFlags& c) { return EventStore::OpenReader(c.data); }

std::string Opt(const std::optional<domain::Decimal>& d) { return d ? d->ToString() : "—"; }

}  // namespace

int RunInit(const CommonFlags& c, const InitFlags& f) {
  std::string file = f.policy_file;
  if (file.empty()) {
    file = std::filesystem::exists("config/policy.json") ? "config/policy.json"
                                                         : std::string(QLEDGER_SOURCE_DIR) + "/config/policy.json";
  }
  auto text = ReadInput(file);
  if (!text.ok()) return Fail("init", text.status());
  json::error_code ec;
  std::string problem;
  json::value v = domain::ParseExactJson(*text, ec, &problem);
  if (ec) return Fail("init", domain::InvalidArgument(file + ": malformed JSON: " + problem));
  // The file is a policy object, or a whole policy.adopted data object
  // {version, effective_from, policy}.
  json::object data;
  if (v.is_object() && v.get_object().contains("policy")) {
    data = v.get_object();
  } else {
    data = json::object{{"version", 1}, {"effective_from", f.effective_from}, {"policy", v}};
  }
  json::object event{{"id", "policy-v" + std::to_string(data.contains("version") && data.at("version").is_int64()
                                                                 ? data.at("version").get_int64() : 1)},
                     {"type", "policy.adopted"},
                     {"occurred_at", domain::NowUtc().substr(0, 10)},
                     {"actor", f.actor},
                     {"data", data}};
  // Validate before creating anything, so a bad policy leaves no ledger.
  domain::Event normalised;
  std::vector<std::string> errors;
  if (!domain::NormalizeInputEvent(event, &normalised, &errors)) {
    for (const auto& e : errors) std::cerr << "qledger init: " << file << ": " << e << "\n";
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  auto store = EventStore::Create(c.data);
  if (!store.ok()) return Fail("init", store.status());
  std::vector<domain::InputEvent> batch{domain::InputEvent{file, event, ""}};
  return ReportAppend("init", (*store)->Append(batch, {}), batch.size(), {});
}

int RunAppend(const CommonFlags& c, const AppendFlags& f) {
  auto text = ReadInput(f.file);
  if (!text.ok()) return Fail("append", text.status());
  auto batch = domain::ParseInputText(*text);
  if (batch.empty()) return Fail("append", domain::InvalidArgument(f.file + ": no events in the input"));
  storage::AppendOptions options;
  options.expect_head = f.expect_head;
  options.dry_run = f.dry_run;
  options.now = TestNow();
  options.observe = TestWriteObserver();
  return ReportAppend("append", EventStore::AppendTo(c.data, batch, options, WaitFor(f.wait_seconds)), batch.size(),
                      options);
}

int RunScores(const CommonFlags& c, const ScoresFlags& f) {
  auto q = app::ResolveQuarter(f.quarter);
  if (!q.ok()) return Fail("scores", q.status());
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("scores", store.status());
  auto options = app::ResolveReplayOptions(**store, *q, f.as_of, f.without);
  if (!options.ok()) return Fail("scores", options.status());
  auto scores = app::ScoreQuarter(**store, *q, *options);
  if (!scores.ok()) return Fail("scores", scores.status());

  if (f.format == "json") {
    json::array arr;
    for (const auto& s : *scores) arr.push_back(domain::ScoreToJson(s));
    std::cout << json::serialize(arr) << "\n";
    return 0;
  }
  Row header = {"department", "name", "status", "selfcheck", "survey", "complaint", "weighted",
                "callbacks", "adjustments", "total", "grade", "amount"};
  std::vector<Row> rows;
  for (const auto& s : *scores) {
    rows.push_back({s.department, s.name, domain::QuarterStatusName(s.status), s.selfcheck.score.ToString(),
                    Opt(s.survey.score), s.complaint.score.ToString(), s.weighted.ToString(),
                    s.callback_deductions.ToString(), s.adjustments.ToString(), s.total.ToString(), s.grade,
                    s.amount.ToString()});
  }
  if (f.format == "csv") {
    std::cout << RenderCsv(header, rows);
    return 0;
  }
  const auto& first = scores->front();
  std::cout << "Quarter " << first.quarter << " (" << domain::QuarterStatusName(first.status) << "), as of seq "
            << first.as_of_seq << " " << first.as_of_hash.substr(0, 16) << "…, policy version "
            << first.policy_version << (f.without.empty() ? "" : " — HYPOTHETICAL, events left out") << "\n\n";
  std::cout << RenderTable(header, rows, {3, 4, 5, 6, 7, 8, 9, 11});
  for (const auto& s : *scores) {
    for (const auto& w : s.warnings) std::cout << "warning: " << s.department << ": " << w << "\n";
  }
  return 0;
}

int RunReplay(const CommonFlags& c, const ReplayFlags& f) {
  auto q = app::ResolveQuarter(f.quarter);
  if (!q.ok()) return Fail("replay", q.status());
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("replay", store.status());
  auto options = app::ResolveReplayOptions(**store, *q, f.as_of, f.without);
  if (!options.ok()) return Fail("replay", options.status());
  auto d = app::DeriveDepartment(**store, *q, f.department, *options);
  if (!d.ok()) return Fail("replay", d.status());
  if (f.format == "json") std::cout << json::serialize(domain::DerivationToJson(*d)) << "\n";
  else std::cout << domain::DerivationToText(*d);
  return 0;
}

int RunDiff(const CommonFlags& c, const DiffFlags& f) {
  auto q = app::ResolveQuarter(f.quarter);
  if (!q.ok()) return Fail("diff", q.status());
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("diff", store.status());
  auto from = app::ResolveQuarterPoint(**store, *q, f.from);
  if (!from.ok()) return Fail("diff", Status(from.status().code(), "from: " + from.status().message()));
  auto to = app::ResolveQuarterPoint(**store, *q, f.to);
  if (!to.ok()) return Fail("diff", Status(to.status().code(), "to: " + to.status().message()));
  if (*to < *from) {
    return Fail("diff", domain::InvalidArgument("to (seq " + std::to_string(*to) + ") is before from (seq " +
                                                std::to_string(*from) + ")"));
  }
  Status st = app::CheckWithout(**store, f.without);
  if (!st.ok()) return Fail("diff", st);
  auto before = app::DeriveDepartment(**store, *q, f.department, {*from, f.without});
  if (!before.ok()) return Fail("diff", before.status());
  auto after = app::DeriveDepartment(**store, *q, f.department, {*to, f.without});
  if (!after.ok()) return Fail("diff", after.status());
  auto d = domain::DiffDerivations(std::move(*before), std::move(*after));
  if (f.format == "json") std::cout << json::serialize(domain::DiffToJson(d)) << "\n";
  else std::cout << domain::DiffToText(d);
  return 0;
}

int RunLedger(const CommonFlags& c, const ViewFlags& f) {
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("ledger", store.status());
  auto l = app::BuildLedger(**store, f.year, f.department);
  if (!l.ok()) return Fail("ledger", l.status());
  if (f.format == "json") std::cout << json::serialize(*l) << "\n";
  else std::cout << LedgerToText(*l);
  return 0;
}

int RunComplaints(const CommonFlags& c, const ViewFlags& f) {
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("complaints", store.status());
  auto r = app::BuildComplaints(**store, f.quarter, f.department);
  if (!r.ok()) return Fail("complaints", r.status());
  if (f.format == "json") std::cout << json::serialize(*r) << "\n";
  else if (f.format == "csv") std::cout << ComplaintsToCsv(*r);
  else std::cout << ComplaintsToText(*r);
  return 0;
}

int RunReport(const CommonFlags& c, const ViewFlags& f) {
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("report", store.status());
  auto r = app::BuildReport(**store, f.quarter, f.as_of);
  if (!r.ok()) return Fail("report", r.status());
  if (f.format == "json") std::cout << json::serialize(*r) << "\n";
  else if (f.format == "md") std::cout << ReportToMarkdown(*r);
  else if (f.format == "csv") std::cout << ReportToCsv(*r);
  else std::cout << ReportToHtml(*r);
  return 0;
}

int RunQuarters(const CommonFlags& c) {
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("quarters", store.status());
  auto list = app::ListQuarters(**store);
  if (!list.ok()) return Fail("quarters", list.status());
  std::vector<Row> rows;
  for (const auto& q : *list) {
    rows.push_back({q.quarter, domain::QuarterStatusName(q.status), q.approved_seq ? std::to_string(q.approved_seq) : ""});
  }
  std::cout << RenderTable({"quarter", "status", "approved_at_seq"}, rows, {2});
  return 0;
}

int RunLog(const CommonFlags& c, const LogFlags& f) {
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("log", store.status());
  auto filter = app::ResolveEventFilter(**store, f.type, f.department, f.quarter);
  if (!filter.ok()) return Fail("log", filter.status());
  int64_t shown = 0;
  Status st = (*store)->Scan(f.after + 1, INT64_MAX, [&](const domain::Event& e) {
    if (!filter->Matches(e)) return true;
    if (f.format == "json") {
      std::cout << domain::CanonicalJson(domain::ToExportJson(e, true)) << "\n";
    } else {
      std::cout << "#" << e.seq << "  " << e.recorded_at << "  " << domain::EventTypeName(e.type) << "  " << e.id;
      if (!e.department.empty()) std::cout << "  " << e.department;
      if (!e.period.empty()) std::cout << "  " << e.period;
      std::cout << "  (" << e.actor << ", " << e.occurred_at << ")  " << json::serialize(e.data) << "\n";
    }
    return f.limit <= 0 || ++shown < f.limit;
  });
  if (!st.ok()) return Fail("log", st);
  return 0;
}

int RunExport(const CommonFlags& c, const std::string& out_file) {
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("export", store.status());
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!out_file.empty()) {
    file.open(out_file, std::ios::binary | std::ios::trunc);
    if (!file) return Fail("export", domain::NotFound("cannot write " + out_file));
    out = &file;
  }
  std::string line;
  Status st = (*store)->Scan(1, INT64_MAX, [&](const domain::Event& e) {
    line.clear();
    domain::AppendCanonicalJson(domain::ToExportJson(e, true), &line);
    line.push_back('\n');
    out->write(line.data(), static_cast<std::streamsize>(line.size()));
    return true;
  });
  if (!st.ok()) return Fail("export", st);
  out->flush();
  if (!*out) return Fail("export", domain::Internal("writing the export failed"));
  return 0;
}

int RunVerify(const CommonFlags& c) {
  auto store = OpenReader(c);
  if (!store.ok()) return Fail("verify", store.status());
  auto r = (*store)->Verify();
  if (!r.ok()) return Fail("verify", r.status());
  if (r->bad_seq) {
    std::cerr << "qledger verify: FAILED at event " << *r->bad_seq << ": " << r->problem << "\n";
    std::cerr << "qledger verify: events 1.." << r->events << " verify; the chain is broken from event "
              << *r->bad_seq << " on\n";
    return ExitCodeFor(domain::StatusCode::kDataLoss);
  }
  if (!r->index_problem.empty()) {
    std::cerr << "qledger verify: FAILED: the chain of " << r->events << " events verifies, but "
              << r->index_problem << "; scores read through the indexes may be wrong "
              << "(rebuild the ledger from `qledger export`, see docs/verification.md)\n";
    return ExitCodeFor(domain::StatusCode::kDataLoss);
  }
  std::cout << "ok: " << r->events << " events verify, head seq " << r->head.seq << " hash " << r->head.hash << "\n";
  return 0;
}

int RunBackup(const CommonFlags& c, const std::string& dir, double wait_seconds) {
  auto store = EventStore::OpenWriter(c.data, WaitFor(wait_seconds));
  if (!store.ok()) return Fail("backup", store.status());
  Status st = (*store)->Backup(dir);
  if (!st.ok()) return Fail("backup", st);
  std::cout << json::serialize(json::object{{"backup", dir},
                                            {"head_seq", (*store)->head().seq},
                                            {"head_hash", (*store)->head().hash}})
            << "\n";
  return 0;
}

}  // namespace qledger::tools
