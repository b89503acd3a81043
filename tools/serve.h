// qledger serve: the read-only HTTP API (SPEC §6) over a ledger directory.
#ifndef QLEDGER_TOOLS_SERVE_H_
#define QLEDGER_TOOLS_SERVE_H_

#include <string>
#include <vector>

namespace qledger::tools {

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";  // ADDR:PORT; port 0 picks a free one
  int threads = 2;
  int max_connections = 1024;
  int max_connections_per_peer = 256;
  int idle_timeout_seconds = 5;
  std::vector<std::string> cors_origins;  // --cors-origin, repeatable; CORS off when none
};

// Serves until SIGINT or SIGTERM (exit 0). Exit 2 for a malformed --listen,
// otherwise the code of the failure (tools/exit_codes.h).
int RunServe(const std::string& data, const ServeFlags& f);

}  // namespace qledger::tools

#endif  // QLEDGER_TOOLS_SERVE_H_
