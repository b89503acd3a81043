// Internal: admission of connections, so that idle ones never lock a new
// one out. At most max_total connections are open, and at most max_per_peer
// from one remote address. A connection that would go over a bound takes
// the place of the connection (of the same peer, for the per-peer bound)
// that has waited longest for a request while none was being answered; the
// displaced one is closed. Only when every candidate is busy answering is
// the new connection refused.
//
// Thread safety: thread-safe. Close callbacks run outside the lock.
#ifndef QLEDGER_SERVER_CONNECTION_REGISTRY_H_
#define QLEDGER_SERVER_CONNECTION_REGISTRY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace qledger::server {

class ConnectionRegistry {
 public:
  // Asks the connection to close (from any thread; it must not block).
  using Closer = std::function<void()>;

  ConnectionRegistry(int64_t max_total, int64_t max_per_peer) : max_total_(max_total), max_per_peer_(max_per_peer) {}
  ConnectionRegistry(const ConnectionRegistry&) = delete;
  ConnectionRegistry& operator=(const ConnectionRegistry&) = delete;

  struct Admission {
    std::optional<uint64_t> id;  // nullopt: refused
    int64_t displaced = 0;       // idle connections closed to make room
  };
  // Admits a connection from peer (idle until MarkBusy), displacing idle
  // ones as needed; close is how to close it if it is displaced later.
  Admission Admit(const std::string& peer, Closer close);

  // The connection is answering a request (busy) or waiting for one (idle).
  void MarkBusy(uint64_t id, bool busy);
  // The connection has ended. Harmless for a displaced one.
  void Remove(uint64_t id);

  int64_t open() const;

 private:
  struct Entry {
    std::string peer;
    Closer close;
    bool busy = false;
    std::chrono::steady_clock::time_point idle_since;
  };
  // The connection idle longest (of peer, if given); end() if none. REQUIRES mu_.
  std::unordered_map<uint64_t, Entry>::iterator OldestIdle(const std::string* peer);
  // Removes it and returns its closer. REQUIRES mu_.
  Closer Displace(std::unordered_map<uint64_t, Entry>::iterator it);

  const int64_t max_total_;
  const int64_t max_per_peer_;
  mutable std::mutex mu_;
  // Protected by mu_.
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Entry> entries_;
  std::map<std::string, int64_t> per_peer_;
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_CONNECTION_REGISTRY_H_
