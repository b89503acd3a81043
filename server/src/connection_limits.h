// Internal: the limits every connection is held to.
#ifndef QLEDGER_SERVER_CONNECTION_LIMITS_H_
#define QLEDGER_SERVER_CONNECTION_LIMITS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace qledger::server {

struct Limits {
  uint32_t header_limit = 8192;          // bytes of request line and headers (else 431)
  uint64_t body_limit = 1024;            // bytes of request body (else 413); GET needs none
  std::chrono::seconds read_timeout{30}; // for each request, and idle keep-alive
  int64_t max_connections = 1024;        // beyond: closed on accept
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_CONNECTION_LIMITS_H_
