#include "qledger/server/metrics.h"

#include "qledger/storage/event_store.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>
#include <fstream>
#include <sstream>

#include <boost/version.hpp>

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

// Seconds since the epoch, to the hundredth (%.9g would round to 10 s).
std::string Seconds(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// One metric with its HELP and TYPE lines.
void Add(std::string& out, const char* name, const char* type, const char* help, const std::string& value) {
  out += std::string("# HELP ") + name + " " + help + "\n";
  out += std::string("# TYPE ") + name + " " + type + "\n";
  out += std::string(name) + " " + value + "\n";
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats p;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  // /proc/self/stat: after "(comm)", field 3 is the state; utime is field
  // 14, stime 15, starttime 22, vsize 23, rss 24 (proc(5)).
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    size_t close = line.rfind(')');
    std::istringstream fields(close == std::string::npos ? "" : line.substr(close + 2));
    std::vector<std::string> f;
    for (std::string x; fields >> x;) f.push_back(x);
    auto at = [&](size_t field) { return field - 3 < f.size() ? std::stod(f[field - 3]) : 0.0; };
    if (f.size() >= 22) {
      p.cpu_seconds = (at(14) + at(15)) / ticks;
      p.virtual_bytes = static_cast<int64_t>(at(23));
      p.resident_bytes = static_cast<int64_t>(at(24) * page);
      std::ifstream boot("/proc/stat");
      for (std::string key; boot >> key;) {
        if (key == "btime") {
          double btime = 0;
          boot >> btime;
          p.start_time_seconds = btime + at(22) / ticks;
          break;
        }
      }
    }
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
    ++p.open_fds;
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) p.max_fds = static_cast<int64_t>(limit.rlim_cur);
  return p;
}

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
  Add(out, "qledger_ledger_head_seq", "gauge", "Seq of the ledger head the server sees.", std::to_string(g.head_seq));
  Add(out, "qledger_ledger_healthy", "gauge",
      "1 while the chain verifies and the store holds every acknowledged event.",
      std::string(g.damage.empty() ? "1" : "0"));
  if (!g.damage.empty()) {
    out += "# HELP qledger_ledger_damage_info Why the ledger is not healthy (the problem, cut to 200 bytes).\n";
    out += "# TYPE qledger_ledger_damage_info gauge\n";
    out += "qledger_ledger_damage_info{problem=\"" + Label(g.damage.substr(0, 200)) + "\"} 1\n";
  }
  Add(out, "qledger_chain_verified", "gauge",
      "1 once the server has re-computed every hash up to the head and found no damage; 0 while it has not yet, "
      "or found a problem.",
      g.damage.empty() && g.verified_seq >= g.head_seq ? "1" : "0");
  Add(out, "qledger_chain_verified_seq", "gauge", "Events 1..N whose hashes the server has re-computed.",
      std::to_string(g.verified_seq));
  Add(out, "qledger_follower_lag_seconds", "gauge", "Seconds since the last successful catch-up with the writer.",
      Num(g.catch_up_age_seconds));
  Add(out, "qledger_http_connections", "gauge", "Open HTTP connections.", std::to_string(g.connections));
  Add(out, "qledger_http_connections_displaced_total", "counter", "Idle connections closed to admit a newer one.",
      std::to_string(connections_displaced.load()));
  Add(out, "qledger_http_connections_refused_total", "counter",
      "Connections closed on accept because all others were busy.",
      std::to_string(connections_refused.load()));
  Add(out, "qledger_http_accept_errors_total", "counter", "Failed accepts (such as running out of file descriptors).",
      std::to_string(accept_errors.load()));
  Add(out, "qledger_response_cache_entries", "gauge", "Rendered responses held in the cache.",
      std::to_string(g.cache_entries));
  Add(out, "qledger_response_cache_bytes", "gauge", "Bytes the cached responses hold (bounded, 64 MiB by default).",
      std::to_string(g.cache_bytes));
  Add(out, "qledger_response_cache_hits_total", "counter", "Answers served from the response cache.",
      std::to_string(g.cache_hits));
  Add(out, "qledger_response_cache_misses_total", "counter", "Lookups of the response cache that found nothing.",
      std::to_string(g.cache_misses));
  Add(out, "qledger_snapshot_hits_total", "counter", "Replays that started from a projection snapshot.",
      std::to_string(g.snapshot_hits));
  Add(out, "qledger_snapshot_misses_total", "counter",
      "Replays that could have started from a projection snapshot and found none valid.",
      std::to_string(g.snapshot_misses));
  Add(out, "qledger_snapshot_rejected_total", "counter",
      "Projection snapshots that failed a check and were passed over (see the log).",
      std::to_string(g.snapshot_rejected));
  out += "# HELP qledger_build_info The qledger release and the library versions it was built with.\n";
  out += "# TYPE qledger_build_info gauge\n";
  out += "qledger_build_info{version=\"" QLEDGER_VERSION "\",rocksdb=\"" + storage::RocksDbVersion() + "\",boost=\"" +
         std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
         std::to_string(BOOST_VERSION % 100) + "\"} 1\n";
  ProcessStats p = ReadProcessStats();
  Add(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
      Num(p.cpu_seconds));
  Add(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
      std::to_string(p.resident_bytes));
  Add(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", std::to_string(p.virtual_bytes));
  Add(out, "process_open_fds", "gauge", "Number of open file descriptors.", std::to_string(p.open_fds));
  Add(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", std::to_string(p.max_fds));
  Add(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
      Seconds(p.start_time_seconds));
  return out;
}

}  // namespace qledger::server
