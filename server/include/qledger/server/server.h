// Serve: the read-only HTTP API over a ledger directory, until SIGINT or
// SIGTERM. The ledger is opened as a follower (RocksDB secondary instance)
// with its own logs in a fresh temporary directory, removed on exit.
#ifndef QLEDGER_SERVER_SERVER_H_
#define QLEDGER_SERVER_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "qledger/domain/status.h"

namespace qledger::server {

struct ServerOptions {
  std::string data_dir;
  std::string address = "127.0.0.1";
  uint16_t port = 8080;                     // 0: any free port (printed when ready)
  int threads = 2;                          // io threads
  int64_t max_connections = 1024;           // lowered to what the file-descriptor limit allows
  int64_t max_connections_per_peer = 256;   // from one remote address
  uint32_t header_limit = 8192;             // bytes
  uint64_t body_limit = 1024;               // bytes
  std::chrono::seconds idle_timeout{5};     // waiting for a request
  std::chrono::seconds request_timeout{10}; // reading one
  std::chrono::seconds write_timeout{30};   // writing a response
  std::chrono::milliseconds catch_up_interval{200};
  size_t cache_entries = 4096;
  std::vector<std::string> cors_origins;    // CORS off when empty (Router::AllowOrigins)
};

// Serves until SIGINT or SIGTERM, then returns OK. Raises its limit of open
// files to the hard limit first, and keeps max_connections within it. Once listening, writes
// "qledger serve: listening on http://ADDR:PORT/ …" and a newline to out and
// flushes it. Fails (before serving) when the ledger cannot be opened or the
// address cannot be bound; for the latter, sets *cannot_listen if given.
domain::Status Serve(const ServerOptions& options, std::ostream& out, bool* cannot_listen = nullptr);

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_SERVER_H_
