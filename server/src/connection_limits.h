// Internal: the limits every connection is held to.
#ifndef QLEDGER_SERVER_CONNECTION_LIMITS_H_
#define QLEDGER_SERVER_CONNECTION_LIMITS_H_

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace qledger::server {

struct Limits {
  uint32_t header_limit = 8192;              // bytes of request line and headers (else 431)
  uint64_t body_limit = 1024;                // bytes of request body (else 413); GET needs none
  std::chrono::seconds idle_timeout{5};      // for the first byte of a request (new or kept-alive)
  std::chrono::seconds request_timeout{10};  // from its first byte to the whole request
  std::chrono::seconds write_timeout{30};    // for writing each response
  int64_t max_connections = 1024;            // open at once (ConnectionRegistry)
  int64_t max_connections_per_peer = 256;    // from one remote address
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_CONNECTION_LIMITS_H_
