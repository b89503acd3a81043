// ResponseCache: rendered responses per request (Target::CacheKey), valid
// for one ledger head. A new head makes every entry stale; an entry is
// replaced on its next request. Bounded in entries and in bytes (keys and
// bodies, 64 MiB by default): when a new entry would go over, the stale
// entries are dropped, and if that is not enough, all of them (simple, and
// a burst of distinct requests cannot grow memory).
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
  static constexpr size_t kDefaultMaxBytes = size_t{64} << 20;

  explicit ResponseCache(size_t max_entries, size_t max_bytes = kDefaultMaxBytes, size_t max_body_bytes = 1 << 20)
      : max_entries_(max_entries), max_bytes_(max_bytes), max_body_bytes_(max_body_bytes) {}
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  // The response cached for target at exactly this head, if any.
  std::shared_ptr<const Response> Get(const std::string& target, int64_t head_seq) const;
  // Caches r for target at head_seq (bodies above max_body_bytes are not kept).
  void Put(const std::string& target, int64_t head_seq, std::shared_ptr<const Response> r);
  size_t size() const;
  // Bytes held (keys, bodies and headers).
  size_t bytes() const;
  // Answers served from the cache so far.
  uint64_t hits() const;
  // Lookups that found nothing for their head (then rendered afresh).
  uint64_t misses() const;

 private:
  struct Entry {
    int64_t head_seq;
    std::shared_ptr<const Response> response;
    size_t bytes;
  };
  static size_t BytesOf(const std::string& key, const Response& r);

  const size_t max_entries_;
  const size_t max_bytes_;
  const size_t max_body_bytes_;
  mutable std::mutex mu_;
  // Protected by mu_.
  std::unordered_map<std::string, Entry> entries_;
  size_t bytes_ = 0;
  mutable uint64_t hits_ = 0;
  mutable uint64_t misses_ = 0;
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_RESPONSE_CACHE_H_
