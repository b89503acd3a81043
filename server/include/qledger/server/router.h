// Router: the request handling of the server as a function from Request to
// Response — method check, route match, ETag and If-None-Match, the
// rendered-response cache and the metrics. No socket: tests call Handle.
//
// Thread safety: thread-safe (Handle may run on several threads at once).
#ifndef QLEDGER_SERVER_ROUTER_H_
#define QLEDGER_SERVER_ROUTER_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/status.h"
#include "qledger/server/message.h"
#include "qledger/server/response_cache.h"
#include "qledger/storage/event_store.h"

namespace qledger::server {

class Follower;
class Metrics;

class Router {
 public:
  // follower and metrics must outlive the router.
  Router(const Follower& follower, Metrics& metrics, size_t cache_entries = 4096);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  Response Handle(const Request& req);
  // The same answer, but a cached body is shared (Response::shared_body),
  // not copied: what the session sends.
  Response Respond(const Request& req);

  // CORS (off by default): the origins ("https://dash.example.com") whose
  // pages may read the API from a browser. A request from one of them gets
  // Access-Control-Allow-Origin; an OPTIONS preflight from one of them gets
  // the methods (GET, HEAD) and headers (If-None-Match) it may use.
  void AllowOrigins(std::vector<std::string> origins) { cors_origins_ = std::move(origins); }

  // The route table: every path pattern the server answers
  // ("/v1/quarters/{q}/scores"), in the order they are matched.
  static std::vector<std::string> Paths();

  // The ETag for responses derived from the ledger at this head:
  // "\"<seq>-<first 16 hex digits of the head hash>\"".
  static std::string ETagFor(int64_t head_seq, const std::string& head_hash);

  // 8 hex digits that change with any stored checkpoint or signature (""
  // when none is stored): the report's cache key and ETag carry them
  // ("\"<seq>-<hash16>-c<tag>\""), since a cosignature changes the report
  // without changing the head.
  static domain::Result<std::string> CheckpointsTag(const storage::EventStore& store);

  // Whether an If-None-Match header value matches etag ("*", or a list of
  // entity tags; W/ is ignored: the weak comparison of RFC 9110 §13.1.2).
  static bool IfNoneMatchMatches(const std::string& header, const std::string& etag);

  size_t cache_size() const { return cache_.size(); }
  bool AllowsOrigin(const std::string& origin) const;
  size_t cache_bytes() const { return cache_.bytes(); }
  uint64_t cache_hits() const { return cache_.hits(); }
  uint64_t cache_misses() const { return cache_.misses(); }

 private:
  const Follower& follower_;
  Metrics& metrics_;
  ResponseCache cache_;
  std::vector<std::string> cors_origins_;

  // The last 200 of /v1/head in each encoding, with what it was made from:
  // the head, the chain's verification and the damage. While they hold,
  // a request copies it instead of rendering the body again.
  struct HeadAnswer {
    int64_t seq = -1;
    std::string hash;
    int64_t verified_seq = -1;
    bool broken = false;
    std::string damage;
    std::shared_ptr<const Response> response;
  };
  std::mutex head_mu_;
  HeadAnswer head_answers_[2];  // [gzip]

  // CheckpointsTag of the state a read sees, memoised per catch-up
  // (Follower::generation): it reads every stored checkpoint.
  // REQUIRES: called inside follower_.Read.
  domain::Result<std::string> SignedTag(const storage::EventStore& store);
  std::mutex tag_mu_;
  uint64_t tag_generation_ = 0;
  std::optional<std::string> tag_;  // for tag_generation_
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_ROUTER_H_
