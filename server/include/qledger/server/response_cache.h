// ResponseCache: rendered responses per request target, valid for one
// ledger head. A new head makes every entry stale; an entry is replaced on
// its next request. Bounded: when full, it is emptied (simple, and a burst
// of distinct targets cannot grow memory).
//
// Thread safety: thread-safe.
#ifndef QLEDGER_SERVER_RESPONSE_CACHE_H_
#define QLEDGER_SERVER_RESPONSE_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "qledger/server/message.h"

namespace qledger::server {

class ResponseCache {
 public:
  explicit ResponseCache(size_t max_entries, size_t max_body_bytes = 1 << 20)
      : max_entries_(max_entries), max_body_bytes_(max_body_bytes) {}
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The response cached for target at exactly this head, if any.
  std::shared_ptr<const Response> Get(const std::string& target, int64_t head_seq) const;
  // Caches r for target at head_seq (bodies above max_body_bytes are not kept).
  void Put(const std::string& target, int64_t head_seq, std::shared_ptr<const Response> r);
  size_t size() const;

 private:
  struct Entry {
    int64_t head_seq;
    std::shared_ptr<const Response> response;
  };
  const size_t max_entries_;
  const size_t max_body_bytes_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;  // protected by mu_
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_RESPONSE_CACHE_H_
