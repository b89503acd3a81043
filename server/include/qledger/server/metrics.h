// Metrics: request counts and latencies for /metrics, in the Prometheus
// text exposition format (version 0.0.4).
//
// Thread safety: thread-safe.
#ifndef QLEDGER_SERVER_METRICS_H_
#define QLEDGER_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace qledger::server {

struct Gauges {
  int64_t head_seq = 0;
  double catch_up_age_seconds = 0;
  int64_t connections = 0;
  int64_t cache_entries = 0;
  int64_t cache_bytes = 0;
  std::string damage;         // Follower::Damage(): "" while healthy
  int64_t verified_seq = 0;   // the chain re-computed up to here
  uint64_t cache_hits = 0;
  uint64_t cache_misses = 0;
  uint64_t snapshot_hits = 0;      // app::Snapshots()
  uint64_t snapshot_misses = 0;
  uint64_t snapshot_rejected = 0;
};

// What /proc says of this process, for the standard process_* metrics.
struct ProcessStats {
  double cpu_seconds = 0;        // user + system
  int64_t resident_bytes = 0;
  int64_t virtual_bytes = 0;
  int64_t open_fds = 0;
  int64_t max_fds = 0;           // the soft RLIMIT_NOFILE
  double start_time_seconds = 0; // since the Unix epoch
};
ProcessStats ReadProcessStats();

class Metrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets; +Inf is implied.
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One request answered: route is the route pattern ("/v1/events/{seq}"),
  // "unmatched" or "malformed".
  void Observe(const std::string& route, int status, double seconds);

  // The exposition text, with the gauges given.
  std::string Render(const Gauges& g) const;

  std::atomic<int64_t> connections{0};            // open HTTP connections
  std::atomic<int64_t> connections_displaced{0};  // idle ones closed to admit a newer one
  std::atomic<int64_t> connections_refused{0};    // closed on accept: all others busy
  std::atomic<int64_t> accept_errors{0};          // e.g. out of file descriptors (EMFILE)

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};  // non-cumulative
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  // Protected by mu_.
  std::map<std::pair<std::string, int>, uint64_t> requests_;
  std::map<std::string, Histogram> latency_;
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_METRICS_H_
