#include "qledger/server/router.h"

#include <algorithm>

#include <chrono>
#include <memory>

#include <boost/json.hpp>

#include "gzip.h"
#include "qledger/app/snapshot.h"
#include "qledger/domain/exact_json.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/server/dashboard.h"
#include "qledger/server/follower.h"
#include "qledger/server/handlers.h"
#include "qledger/server/http_errors.h"
#include "qledger/server/metrics.h"
#include "qledger/server/target.h"
#include "qledger/storage/event_store.h"

namespace qledger::server {

namespace {

// kLedger: derived from the events, cached under the head. kSigned: a
// kLedger answer that also prints the stored checkpoints (the report): a
// cosignature changes it without changing the head. kLog: the checkpoints
// and proofs themselves, cached like kSigned, named by their body.
enum class Kind { kDashboard, kHealth, kMetrics, kHead, kLedger, kSigned, kLog };

using Handler = Response (*)(const storage::EventStore&, const Target&);

struct Route {
  const char* pattern;
  Kind kind;
  Handler handler;  // for kHead, kLedger, kSigned, kLog
};

// The route table. Patterns match segment by segment; "{x}" matches any
// non-empty segment.
const Route kRoutes[] = {
    {"/", Kind::kDashboard, nullptr},
    {"/healthz", Kind::kHealth, nullptr},
    {"/metrics", Kind::kMetrics, nullptr},
    {"/v1/head", Kind::kHead, &handlers::Head},
    {"/v1/policy", Kind::kLedger, &handlers::Policy},
    {"/v1/departments", Kind::kLedger, &handlers::Departments},
    {"/v1/quarters", Kind::kLedger, &handlers::Quarters},
    {"/v1/quarters/{q}/scores", Kind::kLedger, &handlers::Scores},
    {"/v1/quarters/{q}/departments/{d}", Kind::kLedger, &handlers::Department},
    {"/v1/events", Kind::kLedger, &handlers::Events},
    {"/v1/events/{seq}", Kind::kLedger, &handlers::Event},
    {"/v1/ledger", Kind::kLedger, &handlers::Ledger},
    {"/v1/complaints", Kind::kLedger, &handlers::Complaints},
    {"/v1/quarters/{q}/report", Kind::kSigned, &handlers::Report},
    {"/v1/checkpoint", Kind::kLog, &handlers::Checkpoint},
    {"/v1/checkpoints", Kind::kLog, &handlers::Checkpoints},
    {"/v1/proofs/inclusion", Kind::kLog, &handlers::InclusionProof},
    {"/v1/proofs/consistency", Kind::kLog, &handlers::ConsistencyProof},
};

bool Matches(std::string_view pattern, const std::vector<std::string>& segments) {
  if (pattern == "/") return segments.empty() || (segments.size() == 1 && segments[0].empty());
  size_t i = 0;
  pattern.remove_prefix(1);
  while (true) {
    size_t slash = pattern.find('/');
    std::string_view p = pattern.substr(0, slash);
    if (i >= segments.size()) return false;
    const std::string& s = segments[i++];
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      if (s.empty()) return false;
    } else if (p != s) {
      return false;
    }
    if (slash == std::string_view::npos) return i == segments.size();
    pattern.remove_prefix(slash + 1);
  }
}

// 304 for a response the client already holds: no body, the same ETag and
// caching headers.
Response NotModified(const Response& r) {
  Response not_modified;
  not_modified.status = 304;
  not_modified.content_type.clear();
  not_modified.etag = r.etag;
  not_modified.headers = r.headers;
  return not_modified;
}

// Answers of this size and more are compressed for a client that accepts
// gzip: below it, the header and the work cost more than they save.
constexpr size_t kGzipFrom = 1024;

bool Compressible(const std::string& content_type) {
  return content_type.starts_with("application/json") || content_type.starts_with("text/");
}

bool HasHeader(const Response& r, std::string_view name, std::string_view value) {
  return std::any_of(r.headers.begin(), r.headers.end(),
                     [&](const auto& h) { return h.first == name && h.second == value; });
}

// A 200 of a compressible type says that it varies with Accept-Encoding;
// when the client accepts gzip and the body is large, it is compressed, and
// its ETag names the compressed representation ("…-gzip", as a strong ETag
// must differ between representations, RFC 9110 §8.8.3). Done once.
void Encode(Response& r, bool gzip) {
  // A cached answer was encoded before it was cached.
  if (r.shared_body) return;
  if (r.status != 200 || !Compressible(r.content_type) || HasHeader(r, "Vary", "Accept-Encoding")) return;
  r.headers.emplace_back("Vary", "Accept-Encoding");
  if (!gzip || r.body.size() < kGzipFrom) return;
  r.body = Gzip(r.body);
  r.headers.emplace_back("Content-Encoding", "gzip");
  if (r.etag.size() >= 2 && r.etag.back() == '"') r.etag.insert(r.etag.size() - 1, "-gzip");
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

Router::Router(const Follower& follower, Metrics& metrics, size_t cache_entries)
    : follower_(follower), metrics_(metrics), cache_(cache_entries) {}

std::vector<std::string> Router::Paths() {
  std::vector<std::string> out;
  for (const auto& r : kRoutes) out.emplace_back(r.pattern);
  return out;
}

domain::Result<std::string> Router::CheckpointsTag(const storage::EventStore& store) {
  QLEDGER_ASSIGN_OR_RETURN(auto sizes, store.CheckpointSizes());
  if (sizes.empty()) return std::string();
  std::string all;
  for (uint64_t size : sizes) {
    QLEDGER_ASSIGN_OR_RETURN(auto note, store.Checkpoint(size));
    all += std::to_string(size) + "\n" + note.value_or("") + "\n";
  }
  return domain::Sha256Hex(all).substr(0, 8);
}

domain::Result<std::string> Router::SignedTag(const storage::EventStore& store) {
  const uint64_t generation = follower_.generation();
  std::lock_guard<std::mutex> lock(tag_mu_);
  if (tag_ && tag_generation_ == generation) return *tag_;
  QLEDGER_ASSIGN_OR_RETURN(std::string tag, CheckpointsTag(store));
  tag_ = tag;
  tag_generation_ = generation;
  return tag;
}

std::string Router::ETagFor(int64_t head_seq, const std::string& head_hash) {
  return "\"" + std::to_string(head_seq) + "-" + head_hash.substr(0, 16) + "\"";
}

bool Router::IfNoneMatchMatches(const std::string& header, const std::string& etag) {
  std::string_view rest = header;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view tag = Trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (tag == "*") return true;
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
  }
  return false;
}

bool Router::AllowsOrigin(const std::string& origin) const {
  return !origin.empty() && std::find(cors_origins_.begin(), cors_origins_.end(), origin) != cors_origins_.end();
}

Response Router::Handle(const Request& req) {
  Response r = Respond(req);
  r.OwnBody();
  return r;
}

namespace {

// A cached answer without a copy of its body.
Response FromCache(const std::shared_ptr<const Response>& cached) {
  Response r;
  r.status = cached->status;
  r.content_type = cached->content_type;
  r.shared_body = std::shared_ptr<const std::string>(cached, &cached->body);
  r.etag = cached->etag;
  r.headers = cached->headers;
  r.route = cached->route;
  r.detail = cached->detail;
  return r;
}

}  // namespace

Response Router::Respond(const Request& req) {
  auto start = std::chrono::steady_clock::now();
  const bool gzip = AcceptsGzip(req.accept_encoding);
  Response res = [&]() -> Response {
    auto target = Target::Parse(req.target);
    const Route* route = nullptr;
    if (target.ok()) {
      for (const auto& r : kRoutes) {
        if (Matches(r.pattern, target->segments())) {
          route = &r;
          break;
        }
      }
    }
    std::string route_name = route ? route->pattern : "unmatched";
    // The CORS preflight of a page of an allowed origin (serve
    // --cors-origin): a browser asks before it sends If-None-Match from
    // another origin. OPTIONS is answered for those alone; otherwise it is a
    // method like any other but GET and HEAD (SPEC §6: "anything else 405").
    if (req.method == "OPTIONS" && AllowsOrigin(req.origin)) {
      Response r;
      r.status = 204;
      r.content_type.clear();
      r.headers.emplace_back("Allow", "GET, HEAD, OPTIONS");
      r.headers.emplace_back("Access-Control-Allow-Methods", "GET, HEAD");
      r.headers.emplace_back("Access-Control-Allow-Headers", "If-None-Match");
      r.headers.emplace_back("Access-Control-Max-Age", "600");
      r.route = route_name;
      return r;
    }
    // Read-only by construction: every resource is GET and HEAD only.
    if (req.method != "GET" && req.method != "HEAD") {
      Response r = Problem(405, "method " + req.method + " is not allowed: this API is read-only (GET, HEAD)");
      r.headers.emplace_back("Allow", cors_origins_.empty() ? "GET, HEAD" : "GET, HEAD, OPTIONS");
      r.route = route_name;
      return r;
    }
    if (!target.ok()) {
      Response r = ProblemFor(target.status());
      r.route = route_name;
      return r;
    }
    if (!route) {
      Response r = Problem(404, "no resource at " + target->path() + " (see /v1/… in docs/api.md)");
      r.route = route_name;
      return r;
    }
    Response r;
    switch (route->kind) {
      case Kind::kDashboard:
        r.content_type = "text/html; charset=utf-8";
        r.body = std::string(DashboardHtml());
        r.headers.emplace_back("Cache-Control", "no-cache");
        break;
      case Kind::kHead: {
        // Not in the response cache: the chain's verification moves on
        // without the head. The last answer is reused while what it was made
        // from holds, but a query it does not take is refused every time.
        if (domain::Status allowed = target->CheckAllowed({}); !allowed.ok()) {
          r = ProblemFor(allowed);
          break;
        }
        const storage::Head now = follower_.head();
        const ChainStatus chain = follower_.chain();
        const std::string damage = follower_.Damage();
        HeadAnswer& memo = head_answers_[gzip ? 1 : 0];
        std::shared_ptr<const Response> made;
        {
          std::lock_guard<std::mutex> lock(head_mu_);
          if (memo.response && memo.seq == now.seq && memo.hash == now.hash && memo.verified_seq == chain.verified_seq &&
              memo.broken == chain.broken && memo.damage == damage) {
            made = memo.response;
          }
        }
        bool settled = false;
        if (made) {
          r = *made;
          settled = chain.broken || !damage.empty() || chain.verified_seq == now.seq;
        } else {
          r = follower_.Read([&](const storage::EventStore& store) { return route->handler(store, *target); });
          if (r.status == 200) {
            boost::json::object o = boost::json::parse(r.body).as_object();
            const int64_t seq = o["seq"].as_int64();
            const std::string hash(o["hash"].as_string());
            o["verified_seq"] = chain.verified_seq;
            o["verified"] = chain.broken                  ? boost::json::value(false)
                            : chain.verified_seq == seq ? boost::json::value(true)
                                                        : boost::json::value(nullptr);
            if (!damage.empty()) o["verified"] = false;
            o["problem"] = damage.empty() ? boost::json::value(nullptr) : boost::json::value(damage);
            r.body = boost::json::serialize(o) + "\n";
            r.headers.emplace_back("Cache-Control", "no-cache");
            r.etag = ETagFor(seq, hash);
            Encode(r, gzip);
            settled = !o["verified"].is_null();
            std::lock_guard<std::mutex> lock(head_mu_);
            memo = HeadAnswer{seq, hash, chain.verified_seq, chain.broken, damage, std::make_shared<const Response>(r)};
          }
        }
        // While verification of this head is still running the body will
        // change under the same ETag, so only a settled answer is a 304.
        if (r.status == 200 && settled && !req.if_none_match.empty() && IfNoneMatchMatches(req.if_none_match, r.etag)) {
          r = NotModified(r);
        }
        break;
      }
      case Kind::kHealth: {
        storage::Head h = follower_.head();
        if (std::string damage = follower_.Damage(); !damage.empty()) {
          r = Problem(503, "the ledger is damaged and is not served: " + damage);
        } else {
          r.body = boost::json::serialize(boost::json::object{{"status", "ok"}, {"head_seq", h.seq}}) + "\n";
        }
        r.headers.emplace_back("Cache-Control", "no-store");
        break;
      }
      case Kind::kMetrics: {
        Gauges g;
        g.head_seq = follower_.head().seq;
        g.catch_up_age_seconds = follower_.SecondsSinceCatchUp();
        g.connections = metrics_.connections.load();
        g.cache_entries = static_cast<int64_t>(cache_.size());
        g.cache_bytes = static_cast<int64_t>(cache_.bytes());
        g.damage = follower_.Damage();
        g.verified_seq = follower_.chain().verified_seq;
        g.cache_hits = cache_.hits();
        g.cache_misses = cache_.misses();
        g.snapshot_hits = app::Snapshots().hits.load();
        g.snapshot_misses = app::Snapshots().misses.load();
        g.snapshot_rejected = app::Snapshots().rejected.load();
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics_.Render(g);
        r.headers.emplace_back("Cache-Control", "no-store");
        break;
      }
      case Kind::kLedger:
      case Kind::kSigned:
      case Kind::kLog: {
        // A damaged ledger's answers could miss or misstate events: none.
        if (std::string damage = follower_.Damage(); !damage.empty()) {
          r = Problem(503, "the ledger is damaged and is not served: " + damage);
          break;
        }
        // The head and the answer come from the same locked view, so the
        // ETag names exactly the ledger state the body was derived from.
        r = follower_.Read([&](const storage::EventStore& store) -> Response {
          storage::Head h = store.head();
          std::string etag = ETagFor(h.seq, h.hash);
          // Each encoding is cached as its own representation.
          std::string key = target->CacheKey() + (gzip ? "\n+gzip" : "");
          if (route->kind != Kind::kLedger) {
            // The stored checkpoints are part of the representation (the
            // report's signers; the log's checkpoints and proofs), and a
            // cosignature changes them without the head. A read that fails
            // leaves the answer to the handler, which reads them too and
            // says why.
            auto signed_by = SignedTag(store);
            if (!signed_by.ok()) return route->handler(store, *target);
            if (!signed_by->empty()) {
              key += "\n@" + *signed_by;
              etag.insert(etag.size() - 1, "-c" + *signed_by);
            }
          }
          if (auto cached = cache_.Get(key, h.seq)) return FromCache(cached);
          Response fresh = route->handler(store, *target);
          if (fresh.status == 200) {  // an error is no representation
            // The log's answers are named by their body itself.
            fresh.etag = route->kind == Kind::kLog ? "\"" + domain::Sha256Hex(fresh.body).substr(0, 32) + "\"" : etag;
          }
          fresh.headers.emplace_back("Cache-Control", "no-cache");
          Encode(fresh, gzip);
          cache_.Put(key, h.seq, std::make_shared<const Response>(fresh));
          return fresh;
        });
        if (r.status == 200 && !req.if_none_match.empty() && IfNoneMatchMatches(req.if_none_match, r.etag)) {
          r = NotModified(r);
        }
        break;
      }
    }
    Encode(r, gzip);  // the dashboard and the metrics
    r.route = route_name;
    return r;
  }();
  // CORS: the allowed origin may read the answer (and its ETag); Vary, so
  // that a shared cache keeps the answers per origin.
  if (!cors_origins_.empty()) {
    auto vary = std::find_if(res.headers.begin(), res.headers.end(), [](const auto& h) { return h.first == "Vary"; });
    if (vary == res.headers.end()) {
      res.headers.emplace_back("Vary", "Origin");
    } else {
      vary->second += ", Origin";  // one Vary: Accept-Encoding, Origin
    }
    if (AllowsOrigin(req.origin)) {
      res.headers.emplace_back("Access-Control-Allow-Origin", req.origin);
      res.headers.emplace_back("Access-Control-Expose-Headers", "ETag");
    }
  }
  // A problem names the request it answers (RFC 9457 `instance`).
  if (res.content_type == "application/problem+json") {
    res.OwnBody();
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(res.body, ec);
    if (!ec && v.is_object()) {
      v.as_object()["instance"] = domain::EscapeMalformedUtf8(req.target);
      res.body = boost::json::serialize(v) + "\n";
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  metrics_.Observe(res.route, res.status, seconds);
  return res;
}

}  // namespace qledger::server
