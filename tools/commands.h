// The qledger subcommands. Each returns the process exit code; output goes
// to stdout, errors to stderr as "qledger CMD: message".
#ifndef QLEDGER_TOOLS_COMMANDS_H_
#define QLEDGER_TOOLS_COMMANDS_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/lang.h"
#include "qledger/domain/status.h"
#include "qledger/storage/event_store.h"

namespace qledger::tools {

struct CommonFlags {
  std::string data;
  domain::Lang lang = domain::Lang::kZh;  // --lang: of headers, grades and sentences
};

struct InitFlags {
  std::string policy_file;
  std::string effective_from = "2013Q3";
  std::string actor = "质量管理委员会";
};

struct AppendFlags {
  std::string file;
  std::optional<int64_t> expect_head;
  bool dry_run = false;
  double wait_seconds = 10;
  bool progress = false;  // --progress; also on when standard error is a terminal
};

struct ScoresFlags {
  std::string quarter;
  std::string as_of;
  std::vector<std::string> without;
  std::string format = "json";
  std::string out;  // --out FILE: write there instead of standard output
};

struct ReplayFlags {
  std::string quarter;
  std::string department;
  std::string as_of;
  std::vector<std::string> without;
  std::string format = "text";
};

struct DiffFlags {
  std::string quarter;
  std::string department;
  std::string from;
  std::string to;
  std::vector<std::string> without;
  std::string format = "text";
};

struct LogFlags {
  std::string type;
  std::string department;
  std::string quarter;
  std::string after;  // as typed: app::ListEvents parses both
  std::string limit;
  std::string format = "text";
};

// Prints what an append of batch_size events did: {"appended",
// "duplicates", "head_seq", "head_hash"} (on a dry run also "dry_run" and
// "would_append"); or every error as "qledger CMD: ..." (nothing was
// appended). Returns the exit code. Shared by init, append and import.
int ReportAppend(const char* cmd, const domain::Result<storage::AppendOutcome>& outcome, size_t batch_size,
                 const storage::AppendOptions& options);

// After a successful append (not a dry run) from `before` to outcome's
// head: saves the projection snapshots it calls for (app/snapshot.h). They
// are a cache: a failure is a warning in the log, and the append stands.
void SaveDueSnapshots(const std::string& dir, const domain::Result<storage::AppendOutcome>& outcome,
                      const storage::AppendOptions& options, bool has_approval, double wait_seconds);

// How long a writer waits for another to finish (--wait SECONDS).
std::chrono::milliseconds WaitFor(double seconds);

// Progress of a long append on standard error ("qledger CMD: writing 100000
// events…", "… written and synced in 1.8 s"), when `wanted` or standard
// error is a terminal; nothing otherwise. Note() prints a stage; Observer()
// chains onto `then` (the test hooks' observer) for AppendOptions::observe.
class Progress {
 public:
  Progress(const char* cmd, bool wanted);
  void Note(const std::string& what) const;
  std::function<void(std::string_view)> Observer(size_t events, std::function<void(std::string_view)> then) const;

 private:
  const char* cmd_;
  bool on_;
  std::chrono::steady_clock::time_point start_;
};

// The bytes of file, or of standard input for "-"; kNotFound "cannot read
// FILE".
domain::Result<std::string> ReadInput(const std::string& file);

// Prints `qledger cmd: message` and returns the exit code of s's code.
int Fail(const char* cmd, const domain::Status& s);

// Replaces file with bytes: a temporary file beside it, synced, renamed, so
// that a reader never sees half of it.
domain::Status ReplaceFile(const std::string& file, const std::string& bytes);

// Writes a command's answer to out_file (replaced whole) or, when it is
// empty, to standard output; a binary answer (xlsx) is refused on a
// terminal with a usage error asking for --out. Returns the exit code.
int Emit(const char* cmd, const std::string& out_file, const std::string& bytes, bool binary = false);

// PREFIX/share/qledger/policy.json for the binary at PREFIX/bin/qledger.
std::string InstalledPolicyFile();
// The policy `init` adopts without --policy: the installed one, else the
// source tree's config/policy.json (a binary in the build tree), else
// ./config/policy.json; "" when there is none.
std::string DefaultPolicyFile();

// `QLEDGER_ASSIGN_OR_FAIL("cmd", auto x, Compute());` declares x as the
// value of the Result, or prints its error as `qledger cmd: ...` and
// returns the exit code of its Status code from the command.
#define QLEDGER_ASSIGN_OR_FAIL(cmd, lhs, expr) \
  QLEDGER_ASSIGN_OR_FAIL_IMPL_(QLEDGER_STATUS_CONCAT_(_result_, __LINE__), cmd, lhs, expr)
#define QLEDGER_ASSIGN_OR_FAIL_IMPL_(result, cmd, lhs, expr) \
  auto result = (expr);                                      \
  if (!result.ok()) return Fail(cmd, result.status());      \
  lhs = std::move(result).value()

int RunInit(const CommonFlags& c, const InitFlags& f);
int RunAppend(const CommonFlags& c, const AppendFlags& f);
int RunScores(const CommonFlags& c, const ScoresFlags& f);
int RunReplay(const CommonFlags& c, const ReplayFlags& f);
struct ViewFlags {
  std::string year;
  std::string quarter;
  std::string department;
  std::string as_of;
  std::string format;
  std::string out;  // --out FILE
};

int RunLedger(const CommonFlags& c, const ViewFlags& f);
int RunComplaints(const CommonFlags& c, const ViewFlags& f);
int RunReport(const CommonFlags& c, const ViewFlags& f);
int RunDiff(const CommonFlags& c, const DiffFlags& f);
int RunQuarters(const CommonFlags& c);
int RunLog(const CommonFlags& c, const LogFlags& f);
int RunExport(const CommonFlags& c, const std::string& out_file);
// With rebuild_snapshots, first drops every projection snapshot and saves
// them again from the events (app::SaveSnapshots from seq 0).
int RunVerify(const CommonFlags& c, bool rebuild_snapshots = false);
int RunBackup(const CommonFlags& c, const std::string& dir, double wait_seconds);

}  // namespace qledger::tools

#endif  // QLEDGER_TOOLS_COMMANDS_H_
