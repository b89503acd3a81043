// `qledger key generate`, `checkpoint`, `prove` and `check`: the
// transparency log's commands (app/tlog.h; docs/verification.md §3–§5).
#ifndef QLEDGER_TOOLS_TLOG_COMMANDS_H_
#define QLEDGER_TOOLS_TLOG_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"

namespace qledger::tools {

struct KeyFlags {
  std::string name;
  std::string out;
};

struct CheckpointFlags {
  std::optional<int64_t> at;
  std::string quarter;
  std::vector<std::string> sign;  // private key files
  double wait_seconds = 10;
};

struct ProveFlags {
  std::string event;
  std::optional<uint64_t> size;
  std::optional<uint64_t> from;
  std::optional<uint64_t> to;
  std::string out;  // "" for standard output
};

struct CheckFlags {
  std::string bundle;  // a file, or - for standard input
  std::vector<std::string> keys;
  std::string trusted;  // a checkpoint file the checker held before
};

int RunKeyGenerate(const KeyFlags& f);
int RunCheckpoint(const CommonFlags& c, const CheckpointFlags& f);
int RunProve(const CommonFlags& c, const ProveFlags& f);
int RunCheck(const CheckFlags& f);

}  // namespace qledger::tools

#endif  // QLEDGER_TOOLS_TLOG_COMMANDS_H_
