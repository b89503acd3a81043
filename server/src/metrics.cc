#include "qledger/server/metrics.h"

#include <cstdio>

namespace qledger::server {

namespace {

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// Label values are route patterns we choose; escape anyway (\ " newline).
std::string Label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::Observe(const std::string& route, int status, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, status}];
  Histogram& h = latency_[route];
  size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++h.counts[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render(const Gauges& g) const {
  std::string out;
  out += "# HELP qledger_http_requests_total HTTP requests answered, by route pattern and status.\n";
  out += "# TYPE qledger_http_requests_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, n] : requests_) {
    out += "qledger_http_requests_total{route=\"" + Label(key.first) + "\",status=\"" + std::to_string(key.second) +
           "\"} " + std::to_string(n) + "\n";
  }
  out += "# HELP qledger_http_request_duration_seconds Time to handle a request (routing to rendered response).\n";
  out += "# TYPE qledger_http_request_duration_seconds histogram\n";
  for (const auto& [route, h] : latency_) {
    uint64_t cumulative = 0;
    std::string r = Label(route);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out += "qledger_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"" + Num(kBuckets[i]) + "\"} " +
             std::to_string(cumulative) + "\n";
    }
    out += "qledger_http_request_duration_seconds_bucket{route=\"" + r + "\",le=\"+Inf\"} " +
           std::to_string(h.count) + "\n";
    out += "qledger_http_request_duration_seconds_sum{route=\"" + r + "\"} " + Num(h.sum) + "\n";
    out += "qledger_http_request_duration_seconds_count{route=\"" + r + "\"} " + std::to_string(h.count) + "\n";
  }
  out += "# HELP qledger_ledger_head_seq Seq of the ledger head the server sees.\n";
  out += "# TYPE qledger_ledger_head_seq gauge\n";
  out += "qledger_ledger_head_seq " + std::to_string(g.head_seq) + "\n";
  out += "# HELP qledger_ledger_healthy 1 while the chain verifies and the store holds every acknowledged event.\n";
  out += "# TYPE qledger_ledger_healthy gauge\n";
  out += "qledger_ledger_healthy " + std::string(g.damage.empty() ? "1" : "0") + "\n";
  if (!g.damage.empty()) {
    out += "# HELP qledger_ledger_damage_info Why the ledger is not healthy (the problem, cut to 200 bytes).\n";
    out += "# TYPE qledger_ledger_damage_info gauge\n";
    out += "qledger_ledger_damage_info{problem=\"" + Label(g.damage.substr(0, 200)) + "\"} 1\n";
  }
  out += "# HELP qledger_chain_verified_seq Events 1..N whose hashes the server has re-computed.\n";
  out += "# TYPE qledger_chain_verified_seq gauge\n";
  out += "qledger_chain_verified_seq " + std::to_string(g.verified_seq) + "\n";
  out += "# HELP qledger_follower_lag_seconds Seconds since the last successful catch-up with the writer.\n";
  out += "# TYPE qledger_follower_lag_seconds gauge\n";
  out += "qledger_follower_lag_seconds " + Num(g.catch_up_age_seconds) + "\n";
  out += "# HELP qledger_http_connections Open HTTP connections.\n";
  out += "# TYPE qledger_http_connections gauge\n";
  out += "qledger_http_connections " + std::to_string(g.connections) + "\n";
  out += "# HELP qledger_http_connections_displaced_total Idle connections closed to admit a newer one.\n";
  out += "# TYPE qledger_http_connections_displaced_total counter\n";
  out += "qledger_http_connections_displaced_total " + std::to_string(connections_displaced.load()) + "\n";
  out += "# HELP qledger_http_connections_refused_total Connections closed on accept because all others were busy.\n";
  out += "# TYPE qledger_http_connections_refused_total counter\n";
  out += "qledger_http_connections_refused_total " + std::to_string(connections_refused.load()) + "\n";
  out += "# HELP qledger_http_accept_errors_total Failed accepts (such as running out of file descriptors).\n";
  out += "# TYPE qledger_http_accept_errors_total counter\n";
  out += "qledger_http_accept_errors_total " + std::to_string(accept_errors.load()) + "\n";
  out += "# HELP qledger_response_cache_entries Rendered responses held in the cache.\n";
  out += "# TYPE qledger_response_cache_entries gauge\n";
  out += "qledger_response_cache_entries " + std::to_string(g.cache_entries) + "\n";
  out += "# HELP qledger_response_cache_bytes Bytes the cached responses hold (bounded, 64 MiB by default).\n";
  out += "# TYPE qledger_response_cache_bytes gauge\n";
  out += "qledger_response_cache_bytes " + std::to_string(g.cache_bytes) + "\n";
  return out;
}

}  // namespace qledger::server
