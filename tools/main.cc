// qledger: the command line of the audit ledger. A thin shell: parses flags
// (CLI11), calls storage and domain, prints, and maps Status to exit codes.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "audit.h"
#include "commands.h"
#include "csv_import.h"
#include "exit_codes.h"
#include "qledger/log/log.h"
#include "serve.h"
#include "test_hooks.h"
#include "tlog_commands.h"

namespace qt = qledger::tools;

namespace {

// The first word of the command line that should have been a subcommand and
// is not one ("" if there is none: the error is another).
std::string UnknownCommand(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--data" || arg == "--log-format" || arg == "--log-level" || arg == "--lang") {
      ++i;  // its value
      continue;
    }
    if (arg.starts_with("-")) continue;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (sub->get_name() == arg) return "";
    }
    return arg;
  }
  return "";
}

// The subcommand nearest to word by edit distance (Levenshtein).
std::string NearestCommand(CLI::App& app, const std::string& word) {
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    return row[b.size()];
  };
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    size_t d = distance(word, sub->get_name());
    if (d < best_distance) {
      best = sub->get_name();
      best_distance = d;
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"qledger — tamper-evident audit ledger for the quarterly service-quality assessment"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "qledger " QLEDGER_VERSION);
  qt::CommonFlags common;
  const char* env_data = std::getenv("QLEDGER_DATA");
  if (env_data) common.data = env_data;
  app.add_option("--data", common.data, "ledger directory (default: $QLEDGER_DATA)")->envname("QLEDGER_DATA");
  // The log (qledger/log/log.h): the server's lines, and the CLI's warnings
  // and internal errors. Given before or after the command.
  std::string log_format = "text";
  std::string log_level = "info";
  app.add_option("--log-format", log_format, "log lines as text or json (default text)")
      ->envname("QLEDGER_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", log_level, "trace, debug, info (default), warn, error or off")
      ->envname("QLEDGER_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "warning", "error", "critical", "off"}));
  std::string lang = "zh";
  app.add_option("--lang", lang, "zh (default) or en: the one language of headers, grades and sentences")
      ->envname("QLEDGER_LANG")
      ->check(CLI::IsMember({"zh", "en"}));
  app.fallthrough();

  auto add_data = [&](CLI::App* sub) {
    sub->add_option("--data", common.data, "ledger directory (default: $QLEDGER_DATA)");
  };

  // init
  qt::InitFlags init;
  auto* c_init = app.add_subcommand("init", "create a ledger; its first event adopts the policy");
  add_data(c_init);
  c_init->add_option("--policy", init.policy_file, "policy JSON (default: the installed PREFIX/share/qledger/policy.json)");
  c_init->add_option("--effective-from", init.effective_from, "first quarter the policy applies to (default 2013Q3, 第十七条)");
  c_init->add_option("--actor", init.actor, "who adopts it");

  // append
  qt::AppendFlags append;
  auto* c_append = app.add_subcommand("append", "append events (JSON Lines or a JSON array); atomic and synced");
  add_data(c_append);
  c_append->add_option("file", append.file, "input file, or - for standard input")->required();
  c_append->add_option("--expect-head", append.expect_head, "refuse unless the ledger head is this seq");
  c_append->add_flag("--dry-run", append.dry_run, "validate everything, report every error, append nothing");
  c_append->add_option("--wait", append.wait_seconds, "seconds to wait for another writer (default 10)");
  c_append->add_flag("--progress", append.progress, "show progress on standard error (default when it is a terminal)");

  // import
  qt::ImportFlags import_flags;
  auto* c_import = app.add_subcommand("import", "import a spreadsheet (CSV or .xlsx) of one kind as events; all or nothing");
  add_data(c_import);
  c_import->add_option("file", import_flags.file, "CSV file (UTF-8 or GB18030), .xlsx workbook, or - for CSV on standard input")
      ->required();
  c_import->add_option("--sheet", import_flags.sheet, "the sheet of an .xlsx workbook (default: its first)");
  c_import->add_option("--encoding", import_flags.encoding,
                       "auto (default: a BOM, else UTF-8, else GB18030), utf-8 or gb18030");
  c_import->add_option("--kind", import_flags.kind, "selfcheck, spotcheck, survey or complaint")
      ->required()
      ->check(CLI::IsMember({"selfcheck", "spotcheck", "survey", "complaint"}));
  c_import->add_option("--expect-head", import_flags.expect_head, "refuse unless the ledger head is this seq");
  c_import->add_flag("--dry-run", import_flags.dry_run, "validate everything, report every error, append nothing");
  c_import->add_option("--wait", import_flags.wait_seconds, "seconds to wait for another writer (default 10)");
  c_import->add_flag("--progress", import_flags.progress, "show progress on standard error (default when it is a terminal)");

  // scores
  qt::ScoresFlags scores;
  auto* c_scores = app.add_subcommand("scores", "every department's score for a quarter");
  add_data(c_scores);
  c_scores->add_option("--quarter", scores.quarter, "quarter, e.g. 2026Q3")->required();
  c_scores->add_option("--as-of", scores.as_of, "a seq, a date/date-time, or 'approved' (default: the head)");
  c_scores->add_option("--without", scores.without, "leave this event out (what-if); repeatable");
  c_scores->add_option("--format", scores.format, "json (default), table, csv or xlsx")
      ->check(CLI::IsMember({"json", "table", "csv", "xlsx"}));
  c_scores->add_option("--out", scores.out, "write to FILE instead of standard output");

  // replay
  qt::ReplayFlags replay;
  auto* c_replay = app.add_subcommand("replay", "one department's derivation, step by step");
  add_data(c_replay);
  c_replay->add_option("--quarter", replay.quarter, "quarter, e.g. 2026Q3")->required();
  c_replay->add_option("--department", replay.department, "department code")->required();
  c_replay->add_option("--as-of", replay.as_of, "a seq, a date/date-time, or 'approved' (default: the head)");
  c_replay->add_option("--without", replay.without, "leave this event out (what-if); repeatable");
  c_replay->add_option("--format", replay.format, "text or json")->check(CLI::IsMember({"text", "json"}));

  // diff
  qt::DiffFlags diff;
  auto* c_diff = app.add_subcommand("diff", "which events changed a department's score between two points");
  add_data(c_diff);
  c_diff->add_option("--quarter", diff.quarter, "quarter, e.g. 2026Q2")->required();
  c_diff->add_option("--department", diff.department, "department code")->required();
  c_diff->add_option("--from", diff.from, "a seq, a date/date-time, or 'approved' (what was published)")->required();
  c_diff->add_option("--to", diff.to, "a seq, a date/date-time, or 'approved' (default: the head)");
  c_diff->add_option("--without", diff.without, "leave this event out (what-if); repeatable");
  c_diff->add_option("--format", diff.format, "text or json")->check(CLI::IsMember({"text", "json"}));

  // ledger, complaints, report
  qt::ViewFlags ledger;
  ledger.format = "text";
  auto* c_ledger = app.add_subcommand("ledger", "the reward/penalty ledger of a year and the work group's quota");
  add_data(c_ledger);
  c_ledger->add_option("--year", ledger.year, "year, e.g. 2026 (default: the latest)");
  c_ledger->add_option("--department", ledger.department, "only this department");
  c_ledger->add_option("--format", ledger.format, "text, json, csv or xlsx")
      ->check(CLI::IsMember({"text", "json", "csv", "xlsx"}));
  c_ledger->add_option("--out", ledger.out, "write to FILE instead of standard output");
  qt::ViewFlags complaints;
  complaints.format = "text";
  auto* c_complaints = app.add_subcommand("complaints", "the complaint register (附件4)");
  add_data(c_complaints);
  c_complaints->add_option("--quarter", complaints.quarter, "only this quarter");
  c_complaints->add_option("--department", complaints.department, "only this department");
  c_complaints->add_option("--format", complaints.format, "text, json, csv or xlsx")
      ->check(CLI::IsMember({"text", "json", "csv", "xlsx"}));
  c_complaints->add_option("--out", complaints.out, "write to FILE instead of standard output");
  qt::ViewFlags report;
  report.format = "html";
  auto* c_report = app.add_subcommand("report", "the quarterly analysis report (第十五条)");
  add_data(c_report);
  c_report->add_option("--quarter", report.quarter, "quarter, e.g. 2026Q3")->required();
  c_report->add_option("--as-of", report.as_of, "a seq, a date/date-time, or 'approved' (default: as published or the head)");
  c_report->add_option("--format", report.format, "html, md, csv, xlsx or json")
      ->check(CLI::IsMember({"html", "md", "csv", "xlsx", "json"}));
  c_report->add_option("--out", report.out, "write to FILE instead of standard output");

  // quarters
  auto* c_quarters = app.add_subcommand("quarters", "every quarter in the ledger with its status");
  add_data(c_quarters);

  // log
  qt::LogFlags log;
  auto* c_log = app.add_subcommand("log", "list events, oldest first");
  add_data(c_log);
  c_log->add_option("--type", log.type, "only this event type");
  c_log->add_option("--department", log.department, "only this department");
  c_log->add_option("--quarter", log.quarter, "only events of this quarter");
  c_log->add_option("--after", log.after, "only events after this seq");
  c_log->add_option("--limit", log.limit, "at most this many events");
  c_log->add_option("--format", log.format, "text or json (JSON Lines)")->check(CLI::IsMember({"text", "json"}));

  // export, verify, backup
  std::string export_out;
  auto* c_export = app.add_subcommand("export", "write every event as JSON Lines, exactly as hashed, with its hash");
  add_data(c_export);
  c_export->add_option("--out", export_out, "output file (default: standard output)");
  auto* c_verify = app.add_subcommand("verify", "re-compute the hash chain; exit 8 and name the first bad event");
  add_data(c_verify);
  bool rebuild_snapshots = false;
  c_verify->add_flag("--rebuild-snapshots", rebuild_snapshots,
                     "first remove every projection snapshot and make them again from the events (a cache)");
  std::string backup_dir;
  double backup_wait = 10;
  auto* c_backup = app.add_subcommand("backup", "write a consistent copy of the ledger to DIR");
  add_data(c_backup);
  c_backup->add_option("dir", backup_dir, "target directory (must not exist)")->required();
  c_backup->add_option("--wait", backup_wait, "seconds to wait for another writer (default 10)");

  // serve
  qt::ServeFlags serve;
  auto* c_serve = app.add_subcommand("serve", "serve the read-only HTTP API (GET/HEAD) over the ledger");
  add_data(c_serve);
  c_serve->add_option("--listen", serve.listen,
                      "ADDR:PORT to listen on: 127.0.0.1:8080 (default), localhost:8080, :8080 (every interface), "
                      "[::1]:8080; port 0: any free port (default: $QLEDGER_LISTEN)")
      ->envname("QLEDGER_LISTEN");
  c_serve->add_option("--threads", serve.threads, "I/O threads (default 2)")->check(CLI::Range(1, 64));
  c_serve->add_option("--max-connections", serve.max_connections, "open connections at most (default 1024)")->check(CLI::Range(1, 100000));
  c_serve->add_option("--max-connections-per-peer", serve.max_connections_per_peer,
                      "open connections from one address at most (default 256); beyond it, or beyond "
                      "--max-connections, the connection idle longest is closed to make room")
      ->check(CLI::Range(1, 100000));
  c_serve->add_option("--idle-timeout", serve.idle_timeout_seconds,
                      "seconds a connection may wait for its next request (default 5)")
      ->check(CLI::Range(1, 3600));
  c_serve->add_option("--cors-origin", serve.cors_origins,
                      "let pages of this origin (https://host[:port]) read the API from a browser; repeatable "
                      "(default: CORS off)");

  // the transparency log: keys, checkpoints, proofs (docs/verification.md)
  qt::KeyFlags key;
  auto* c_key = app.add_subcommand("key", "signing keys for checkpoints");
  c_key->require_subcommand(1);
  auto* c_key_generate = c_key->add_subcommand("generate", "write a new Ed25519 private key; print its verifier key");
  c_key_generate->add_option("--name", key.name, "the signer's name, as it appears on signatures")->required();
  c_key_generate->add_option("--out", key.out, "the private key file to create (mode 0600; never replaced)")->required();
  qt::CheckpointFlags checkpoint;
  auto* c_checkpoint = app.add_subcommand("checkpoint", "sign (or cosign) the tree at a size; print the signed note");
  add_data(c_checkpoint);
  c_checkpoint->add_option("--at", checkpoint.at, "tree size: the events up to this seq (default: the head)");
  c_checkpoint->add_option("--quarter", checkpoint.quarter, "tree size: up to the approval of this quarter");
  c_checkpoint->add_option("--sign", checkpoint.sign, "private key file to sign with (repeat for more); "
                                                      "without it, print the stored checkpoint");
  c_checkpoint->add_option("--wait", checkpoint.wait_seconds, "seconds to wait for another writer (default 10)");
  qt::ProveFlags prove;
  auto* c_prove = app.add_subcommand("prove", "write a proof bundle: an event's inclusion, or the tree's consistency");
  add_data(c_prove);
  c_prove->add_option("--event", prove.event, "the id of the event to prove included");
  c_prove->add_option("--size", prove.size, "in the checkpoint of this size (default: the first that holds it)");
  c_prove->add_option("--from", prove.from, "consistency: from the tree of this size");
  c_prove->add_option("--to", prove.to, "consistency: to the checkpoint of this size (default: the latest checkpoint)");
  c_prove->add_option("--out", prove.out, "output file (default: standard output)");
  qt::CheckFlags check;
  auto* c_check = app.add_subcommand("check", "check a proof bundle offline against verifier keys");
  c_check->add_option("bundle", check.bundle, "the bundle file, or - for standard input")->required();
  c_check->add_option("--key", check.keys, "a verifier key (name+keyid+base64) that must have signed; repeat for more")
      ->required();
  c_check->add_option("--trusted", check.trusted, "a signed checkpoint you held before: a consistency proof must start from it");

  qt::AuditFlags audit;
  auto* c_audit = app.add_subcommand("audit", "fetch the log's latest checkpoint; check its signatures and its "
                                               "consistency with the one held; then hold it");
  c_audit->add_option("--url", audit.url, "the log's server: http://host:port")->required();
  c_audit->add_option("--key", audit.keys, "a verifier key that must have signed; repeat for more")->required();
  c_audit->add_option("--state", audit.state, "the file of the checkpoint held (created the first time)")->required();
  c_audit->add_option("--timeout", audit.timeout_seconds, "seconds for each request (default 10)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (std::string word = UnknownCommand(app, argc, argv); !word.empty()) {
      std::cerr << "qledger: \"" << word << "\" is not a command; did you mean \"" << NearestCommand(app, word)
                << "\"? (qledger --help lists them)\n";
      return qt::kUsageExitCode;
    }
    int rc = app.exit(e);
    return rc == 0 ? 0 : qt::kUsageExitCode;
  }

  qledger::log::Configure(*qledger::log::ParseFormat(log_format), *qledger::log::ParseLevel(log_level));
  common.lang = *qledger::domain::ParseLang(lang);

  if (std::string hook = qt::RefusedTestHook(); !hook.empty()) {
    std::cerr << "qledger: " << hook << "\n";
    return qt::kUsageExitCode;
  }
  if (c_key_generate->parsed()) return qt::RunKeyGenerate(key);
  if (c_check->parsed()) return qt::RunCheck(check);
  if (c_audit->parsed()) return qt::RunAudit(audit);
  if (common.data.empty()) {
    std::cerr << "qledger: --data DIR is required (or set QLEDGER_DATA)\n";
    return qt::kUsageExitCode;
  }
  if (c_init->parsed()) return qt::RunInit(common, init);
  if (c_append->parsed()) return qt::RunAppend(common, append);
  if (c_import->parsed()) return qt::RunImport(common, import_flags);
  if (c_scores->parsed()) return qt::RunScores(common, scores);
  if (c_replay->parsed()) return qt::RunReplay(common, replay);
  if (c_ledger->parsed()) return qt::RunLedger(common, ledger);
  if (c_complaints->parsed()) return qt::RunComplaints(common, complaints);
  if (c_report->parsed()) return qt::RunReport(common, report);
  if (c_diff->parsed()) return qt::RunDiff(common, diff);
  if (c_quarters->parsed()) return qt::RunQuarters(common);
  if (c_log->parsed()) return qt::RunLog(common, log);
  if (c_export->parsed()) return qt::RunExport(common, export_out);
  if (c_verify->parsed()) return qt::RunVerify(common, rebuild_snapshots);
  if (c_backup->parsed()) return qt::RunBackup(common, backup_dir, backup_wait);
  if (c_serve->parsed()) return qt::RunServe(common.data, serve);
  if (c_checkpoint->parsed()) return qt::RunCheckpoint(common, checkpoint);
  if (c_prove->parsed()) return qt::RunProve(common, prove);
  return qt::kUsageExitCode;
}
