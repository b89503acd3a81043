#include "commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <boost/json.hpp>

#include "exit_codes.h"
#include "qledger/log/log.h"
#include "test_hooks.h"
#include "qledger/domain/canonical_json.h"
#include "qledger/domain/diff.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/exact_json.h"
#include "qledger/domain/policy.h"
#include "qledger/storage/event_store.h"
#include "qledger/app/json_mapping.h"
#include "qledger/app/queries.h"
#include "qledger/app/report_render.h"
#include "qledger/app/snapshot.h"
#include "qledger/app/views.h"
#include "qledger/app/xlsx.h"

#ifndef QLEDGER_SOURCE_DIR
#define QLEDGER_SOURCE_DIR "."
#endif

namespace json = boost::json;

namespace qledger::tools {

using domain::Result;
using domain::Status;
using storage::EventStore;

std::string InstalledPolicyFile() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  // bin/qledger -> share/qledger/policy.json, wherever the prefix is.
  return (exe.parent_path().parent_path() / "share" / "qledger" / "policy.json").string();
}

std::string DefaultPolicyFile() {
  std::error_code ec;
  for (const std::string& candidate : {InstalledPolicyFile(), std::string(QLEDGER_SOURCE_DIR) + "/config/policy.json",
                                       std::string("config/policy.json")}) {
    if (!candidate.empty() && std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return "";
}

int Fail(const char* cmd, const Status& s) {
  // What the user asked for is refused with a message to them; a failure of
  // qledger itself (RocksDB, the disk) is an error for the log.
  if (s.code() == domain::StatusCode::kInternal) {
    log::Error("internal error", {{"command", std::string("qledger ") + cmd}, {"detail", s.message()}});
  } else {
    std::cerr << "qledger " << cmd << ": " << s.message() << "\n";
  }
  return ExitCodeFor(s.code());
}

Status ReplaceFile(const std::string& file, const std::string& bytes) {
  std::string tmp = file + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return domain::Internal("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return domain::Internal("cannot replace " + file);
  }
  std::string dir = std::filesystem::path(file).parent_path().string();
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

int Emit(const char* cmd, const std::string& out_file, const std::string& bytes, bool binary) {
  if (!out_file.empty()) {
    Status written = ReplaceFile(out_file, bytes);
    if (!written.ok()) return Fail(cmd, written);
    return 0;
  }
  if (binary && ::isatty(STDOUT_FILENO)) {
    std::cerr << "qledger " << cmd << ": an xlsx workbook is binary: give --out FILE.xlsx or redirect the output\n";
    return kUsageExitCode;
  }
  std::cout << bytes;
  std::cout.flush();
  return std::cout ? 0 : Fail(cmd, domain::Internal("cannot write to standard output"));
}


Result<std::string> ReadInput(const std::string& file) {
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(file, std::ios::binary);
  if (!in) return domain::NotFound("cannot read " + file);
  // At its size at once (reading by characters grows it by doubling).
  std::string text;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) text.resize(static_cast<size_t>(size));
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) return domain::NotFound("cannot read " + file);
  // Anything written since it was sized.
  text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return text;
}

Progress::Progress(const char* cmd, bool wanted)
    : cmd_(cmd), on_(wanted || ::isatty(STDERR_FILENO)), start_(std::chrono::steady_clock::now()) {}

void Progress::Note(const std::string& what) const {
  if (!on_) return;
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  char at[32];
  std::snprintf(at, sizeof at, "%.1f s", s);
  std::cerr << "qledger " << cmd_ << ": " << what << " (" << at << ")\n";
}

std::function<void(std::string_view)> Progress::Observer(size_t events,
                                                         std::function<void(std::string_view)> then) const {
  if (!on_) return then;
  return [this, events, then = std::move(then)](std::string_view stage) {
    if (stage == "writing") {
      Note(events ? "checked; writing " + std::to_string(events) + " events and syncing" : "checked; writing and syncing");
    }
    if (stage == "written") Note("written and synced");
    if (then) then(stage);
  };
}

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

void SaveDueSnapshots(const std::string& dir, const Result<storage::AppendOutcome>& outcome,
                      const storage::AppendOptions& options, bool has_approval, double wait_seconds) {
  if (!outcome.ok() || !outcome->errors.empty() || options.dry_run) return;
  const int64_t after = outcome->head.seq;
  const int64_t before = after - outcome->appended;
  if (!app::SnapshotsDue(before, after, has_approval)) return;
  auto saved = [&]() -> Result<int64_t> {
    QLEDGER_ASSIGN_OR_RETURN(auto writer, EventStore::OpenWriter(dir, WaitFor(wait_seconds)));
    return app::SaveSnapshots(*writer, before, has_approval);
  }();
  if (!saved.ok()) {
    log::Warn("snapshots not saved", {{"ledger", dir}, {"detail", saved.status().message()}});
  } else {
    log::Debug("snapshots saved", {{"ledger", dir}, {"count", *saved}, {"head_seq", after}});
  }
}

namespace {

Result<std::unique_ptr<EventStore>> OpenReader(const CommonFlags& c) { return EventStore::OpenReader(c.data); }


}  // namespace

int RunInit(const CommonFlags& c, const InitFlags& f) {
  std::string file = f.policy_file.empty() ? DefaultPolicyFile() : f.policy_file;
  if (file.empty()) {
    return Fail("init", domain::NotFound("no policy file: give --policy FILE (none installed at " +
                                         InstalledPolicyFile() + ", and no config/policy.json here)"));
  }
  QLEDGER_ASSIGN_OR_FAIL("init", std::string text, ReadInput(file));
  json::error_code ec;
  std::string problem;
  json::value v = domain::ParseExactJson(text, ec, &problem);
  if (ec) return Fail("init", domain::InvalidArgument(file + ": malformed JSON: " + problem));
  // The file is a policy object, or a whole policy.adopted data object
  // {version, effective_from, policy}.
  json::object data;
  if (v.is_object() && v.get_object().contains("policy")) {
    data = v.get_object();
  } else {
    data = json::object{{"version", 1}, {"effective_from", f.effective_from}, {"policy", v}};
  }
  // Today in the policy's zone (a bad zone is refused just below).
  domain::TimeZone zone = domain::TimeZone::Default();
  if (const json::value* p = data.if_contains("policy"); p && p->is_object()) {
    if (const json::value* z = p->get_object().if_contains("time_zone"); z && z->is_string()) {
      if (auto loaded = domain::TimeZone::Load(std::string(z->get_string())); loaded.ok()) zone = *loaded;
    }
  }
  std::string today = domain::FormatLocal(*domain::ParseInstant(domain::NowUtc()), zone).substr(0, 10);
  json::object event{{"id", "policy-v" + std::to_string(data.contains("version") && data.at("version").is_int64()
                                                                 ? data.at("version").get_int64() : 1)},
                     {"type", "policy.adopted"},
                     {"occurred_at", today},
                     {"actor", f.actor},
                     {"data", data}};
  // Validate before creating anything, so a bad policy leaves no ledger.
  domain::Event normalised;
  std::vector<std::string> errors;
  if (!domain::NormalizeInputEvent(event, &normalised, &errors)) {
    for (const auto& e : errors) std::cerr << "qledger init: " << file << ": " << e << "\n";
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  QLEDGER_ASSIGN_OR_FAIL("init", auto store, EventStore::Create(c.data));
  std::vector<domain::InputEvent> batch{domain::InputEvent{file, event, "", ""}};
  return ReportAppend("init", store->Append(batch, {}), batch.size(), {});
}

int RunAppend(const CommonFlags& c, const AppendFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("append", std::string text, ReadInput(f.file));
  auto batch = domain::ParseInputText(text);
  if (batch.empty()) return Fail("append", domain::InvalidArgument(f.file + ": no events in the input"));
  Progress progress("append", f.progress);
  progress.Note("read " + std::to_string(batch.size()) + " events from " + f.file + "; checking them");
  storage::AppendOptions options;
  options.expect_head = f.expect_head;
  options.dry_run = f.dry_run;
  options.now = TestNow();
  options.observe = progress.Observer(batch.size(), TestWriteObserver());
  auto outcome = EventStore::AppendTo(c.data, batch, options, WaitFor(f.wait_seconds));
  int rc = ReportAppend("append", outcome, batch.size(), options);
  bool has_approval = std::any_of(batch.begin(), batch.end(), [](const domain::InputEvent& in) {
    const auto* o = in.json.if_object();
    const auto* type = o ? o->if_contains("type") : nullptr;
    return type && type->is_string() && type->get_string() == "quarter.approved";
  });
  if (rc == 0) SaveDueSnapshots(c.data, outcome, options, has_approval, f.wait_seconds);
  return rc;
}

namespace {

// The xlsx form of a table-shaped answer, or the error naming why not.
int EmitXlsx(const char* cmd, const std::string& out_file, const std::vector<app::Table>& tables) {
  QLEDGER_ASSIGN_OR_FAIL(cmd, std::string bytes, app::TablesToXlsx(tables));
  return Emit(cmd, out_file, bytes, /*binary=*/true);
}

}  // namespace

int RunScores(const CommonFlags& c, const ScoresFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("scores", auto store, OpenReader(c));
  app::ScoresQuery query{f.quarter, f.as_of, f.without};
  query.lang = c.lang;
  QLEDGER_ASSIGN_OR_FAIL("scores", auto scores, app::Scores(*store, query));
  if (f.format == "xlsx") return EmitXlsx("scores", f.out, app::ScoresTables(scores, c.lang));
  if (f.format == "json") return Emit("scores", f.out, app::JsonBody(app::ToJson(scores)));
  if (f.format == "csv") return Emit("scores", f.out, app::ScoresToCsv(scores, c.lang));
  return Emit("scores", f.out, app::ScoresToText(scores, !f.without.empty(), c.lang));
}

int RunReplay(const CommonFlags& c, const ReplayFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("replay", auto store, OpenReader(c));
  app::ReplayQuery query{f.quarter, f.department, f.as_of, f.without};
  query.lang = c.lang;
  QLEDGER_ASSIGN_OR_FAIL("replay", auto d, app::Replay(*store, query));
  if (f.format == "json") std::cout << app::JsonBody(app::ToJson(d));
  else std::cout << domain::DerivationToText(d, c.lang);
  return 0;
}

int RunDiff(const CommonFlags& c, const DiffFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("diff", auto store, OpenReader(c));
  app::DiffQuery query{f.quarter, f.department, f.from, f.to, f.without};
  query.lang = c.lang;
  QLEDGER_ASSIGN_OR_FAIL("diff", auto d, app::Diff(*store, query));
  if (f.format == "json") std::cout << app::JsonBody(app::ToJson(d));
  else std::cout << domain::DiffToText(d, c.lang);
  return 0;
}

int RunLedger(const CommonFlags& c, const ViewFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("ledger", auto store, OpenReader(c));
  QLEDGER_ASSIGN_OR_FAIL("ledger", auto l, app::BuildLedger(*store, {f.year, f.department}));
  if (f.format == "xlsx") return EmitXlsx("ledger", f.out, app::LedgerTables(l, c.lang));
  if (f.format == "json") return Emit("ledger", f.out, app::JsonBody(app::ToJson(l)));
  if (f.format == "csv") return Emit("ledger", f.out, app::LedgerToCsv(l, c.lang));
  return Emit("ledger", f.out, app::LedgerToText(l, c.lang));
}

int RunComplaints(const CommonFlags& c, const ViewFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("complaints", auto store, OpenReader(c));
  QLEDGER_ASSIGN_OR_FAIL("complaints", auto r, app::BuildComplaints(*store, {f.quarter, f.department}));
  if (f.format == "xlsx") return EmitXlsx("complaints", f.out, app::ComplaintsTables(r, c.lang));
  if (f.format == "json") return Emit("complaints", f.out, app::JsonBody(app::ToJson(r)));
  if (f.format == "csv") return Emit("complaints", f.out, app::ComplaintsToCsv(r, c.lang));
  return Emit("complaints", f.out, app::ComplaintsToText(r, c.lang));
}

int RunReport(const CommonFlags& c, const ViewFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("report", auto store, OpenReader(c));
  QLEDGER_ASSIGN_OR_FAIL("report", auto r, app::BuildReport(*store, {f.quarter, f.as_of}));
  if (f.format == "xlsx") return EmitXlsx("report", f.out, app::ReportTables(r, c.lang));
  if (f.format == "json") return Emit("report", f.out, app::JsonBody(app::ToJson(r)));
  if (f.format == "md") return Emit("report", f.out, app::ReportToMarkdown(r, c.lang));
  if (f.format == "csv") return Emit("report", f.out, app::ReportToCsv(r, c.lang));
  return Emit("report", f.out, app::ReportToHtml(r, c.lang));
}

int RunQuarters(const CommonFlags& c) {
  QLEDGER_ASSIGN_OR_FAIL("quarters", auto store, OpenReader(c));
  QLEDGER_ASSIGN_OR_FAIL("quarters", auto list, app::ListQuarters(*store));
  std::cout << app::QuartersToText(list, c.lang);
  return 0;
}

int RunLog(const CommonFlags& c, const LogFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("log", auto store, OpenReader(c));
  QLEDGER_ASSIGN_OR_FAIL("log", domain::TimeZone tz, app::LedgerTimeZone(*store));
  app::EventQuery q{f.type, f.department, f.quarter, f.after, f.limit, /*default_limit=*/0, /*max_limit=*/0,
                    /*scan_budget=*/0};
  auto page = app::ListEvents(*store, q, [&](const domain::Event& e) {
    std::cout << (f.format == "json" ? app::EventLine(e) : app::EventToText(e, tz, c.lang)) << "\n";
  });
  if (!page.ok()) return Fail("log", page.status());
  return 0;
}

int RunExport(const CommonFlags& c, const std::string& out_file) {
  QLEDGER_ASSIGN_OR_FAIL("export", auto store, OpenReader(c));
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!out_file.empty()) {
    file.open(out_file, std::ios::binary | std::ios::trunc);
    if (!file) return Fail("export", domain::NotFound("cannot write " + out_file));
    out = &file;
  }
  std::string line;
  Status st = store->Scan(1, INT64_MAX, [&](const domain::Event& e) {
    line = app::EventLine(e);
    line.push_back('\n');
    out->write(line.data(), static_cast<std::streamsize>(line.size()));
    return true;
  });
  if (!st.ok()) return Fail("export", st);
  out->flush();
  if (!*out) return Fail("export", domain::Internal("writing the export failed"));
  return 0;
}

int RunVerify(const CommonFlags& c, bool rebuild_snapshots) {
  if (rebuild_snapshots) {
    auto rebuilt = [&]() -> Result<std::pair<int64_t, int64_t>> {
      QLEDGER_ASSIGN_OR_RETURN(auto writer, EventStore::OpenWriter(c.data, WaitFor(10)));
      QLEDGER_ASSIGN_OR_RETURN(int64_t dropped, writer->DropSnapshots());
      QLEDGER_ASSIGN_OR_RETURN(int64_t saved, app::SaveSnapshots(*writer, 0, true));
      return std::make_pair(dropped, saved);
    }();
    if (!rebuilt.ok()) return Fail("verify", rebuilt.status());
    std::cout << "snapshots: removed " << rebuilt->first << ", made " << rebuilt->second << " from the events\n";
  }
  QLEDGER_ASSIGN_OR_FAIL("verify", auto store, OpenReader(c));
  // The projection snapshots are checked in the same pass as the chain.
  app::SnapshotPassCheck snapshot_check(*store);
  QLEDGER_ASSIGN_OR_FAIL("verify", storage::VerifyReport r,
                         store->Verify([&](const domain::Event& e, const std::string& hash) { snapshot_check.Add(e, hash); }));
  if (r.bad_seq) {
    std::cerr << "qledger verify: FAILED at event " << *r.bad_seq << ": " << r.problem << "\n";
    std::cerr << "qledger verify: " << (r.events > 0 ? "events 1.." + std::to_string(r.events) + " verify" : std::string("no event verifies"))
              << "; the chain is broken from event " << *r.bad_seq << " on\n";
    return ExitCodeFor(domain::StatusCode::kDataLoss);
  }
  if (!r.index_problem.empty()) {
    std::cerr << "qledger verify: FAILED: the chain of " << r.events << " events verifies, but "
              << r.index_problem << "; scores read through the indexes may be wrong "
              << "(rebuild the ledger from `qledger export`, see docs/verification.md)\n";
    return ExitCodeFor(domain::StatusCode::kDataLoss);
  }
  // The projection snapshots, each re-derived from the events: a cache, but
  // one that a replay would start from.
  QLEDGER_ASSIGN_OR_FAIL("verify", app::SnapshotCheck snapshots, snapshot_check.Finish());
  if (!snapshots.problem.empty()) {
    std::cerr << "qledger verify: FAILED: the chain of " << r.events << " events verifies, but " << snapshots.problem
              << "; replays that start from it may be wrong (remove the snapshots with "
              << "`qledger verify --rebuild-snapshots`; they are a cache, made again from the events)\n";
    return ExitCodeFor(domain::StatusCode::kDataLoss);
  }
  std::cout << "ok: " << r.events << " events verify, head seq " << r.head.seq << " hash " << r.head.hash << "\n";
  if (snapshots.checked > 0) {
    std::cout << "ok: " << snapshots.checked << " projection snapshots re-derive from the events\n";
  }
  return 0;
}

int RunBackup(const CommonFlags& c, const std::string& dir, double wait_seconds) {
  QLEDGER_ASSIGN_OR_FAIL("backup", auto store, EventStore::OpenWriter(c.data, WaitFor(wait_seconds)));
  Status st = store->Backup(dir);
  if (!st.ok()) return Fail("backup", st);
  std::cout << json::serialize(json::object{{"backup", dir},
                                            {"head_seq", store->head().seq},
                                            {"head_hash", store->head().hash}})
            << "\n";
  return 0;
}

}  // namespace qledger::tools
