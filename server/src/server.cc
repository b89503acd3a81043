#include "qledger/server/server.h"

#include <stdlib.h>
#include <sys/resource.h>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "connection_limits.h"
#include "listener.h"
#include "qledger/log/log.h"
#include "qledger/server/follower.h"
#include "qledger/server/metrics.h"
#include "qledger/server/router.h"

namespace net = boost::asio;

namespace qledger::server {

namespace {

// A fresh directory for the follower's own logs; removed by the destructor.
class SecondaryDir {
 public:
  SecondaryDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qledger-follower-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~SecondaryDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);  // best effort on exit
  }
  SecondaryDir(const SecondaryDir&) = delete;
  SecondaryDir& operator=(const SecondaryDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Events whose hashes the follower re-computes per catch-up tick.
constexpr int64_t kVerifySlice = 50000;

// Catches up with the writer every interval, on its own strand.
class CatchUpTimer {
 public:
  CatchUpTimer(net::io_context& ioc, Follower& follower, std::chrono::milliseconds interval)
      : timer_(net::make_strand(ioc)), follower_(follower), interval_(interval) {}
  void Start() { Arm(); }
  void Stop() {
    net::post(timer_.get_executor(), [this] { timer_.cancel(); });
  }

 private:
  void Arm() {
    timer_.expires_after(interval_);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // cancelled: shutting down
      int64_t before = follower_.head().seq;
      domain::Status s = follower_.CatchUp();
      // A failed catch-up is retried on the next tick; the lag metric grows.
      // A problem is told once, not five times a second.
      if (!s.ok() && s.message() != last_problem_) {
        log::Write(s.code() == domain::StatusCode::kDataLoss ? log::Level::err : log::Level::warn, "catch-up failed",
                   {{"detail", s.message()}, {"head_seq", before}});
      }
      if (s.ok() && !last_problem_.empty()) log::Info("catch-up recovered", {{"head_seq", follower_.head().seq}});
      if (s.ok() && follower_.head().seq != before) {
        log::Debug("caught up", {{"from_seq", before}, {"head_seq", follower_.head().seq}});
      }
      last_problem_ = s.ok() ? "" : s.message();
      // Re-verify the chain a slice at a time, so that start-up and reads
      // are never held up by a long ledger.
      Verify();
      Arm();
    });
  }

  // One slice of the chain's verification, and what it found.
  void Verify() {
    bool more = follower_.VerifyMore(kVerifySlice);
    ChainStatus chain = follower_.chain();
    if (chain.broken) {
      if (!told_broken_) log::Error("chain broken", {{"detail", chain.problem}, {"verified_seq", chain.verified_seq}});
      told_broken_ = true;
      return;
    }
    if (more) {
      log::Info("verifying", {{"verified_seq", chain.verified_seq}, {"head_seq", follower_.head().seq}});
    } else if (!told_verified_) {
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
      log::Info("chain verified",
                {{"verified_seq", chain.verified_seq}, {"seconds", std::round(seconds * 1000) / 1000}});
      told_verified_ = true;
    } else if (chain.verified_seq != last_verified_) {
      log::Debug("chain verified", {{"verified_seq", chain.verified_seq}});
    }
    last_verified_ = chain.verified_seq;
  }

  net::steady_timer timer_;
  Follower& follower_;
  const std::chrono::milliseconds interval_;
  // Only on the timer's strand:
  std::string last_problem_;  // of the last catch-up
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool told_verified_ = false;
  bool told_broken_ = false;
  int64_t last_verified_ = 0;
};

// Raises RLIMIT_NOFILE to its hard limit and returns how many connections
// fit under it: the follower keeps every table file of the ledger open, and
// the process needs some descriptors of its own.
int64_t ConnectionsTheFileLimitAllows(const std::string& data_dir) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return INT64_MAX;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  if (limit.rlim_cur == RLIM_INFINITY) return INT64_MAX;
  int64_t ledger_files = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(data_dir, ec), end; !ec && it != end; it.increment(ec)) ++ledger_files;
  constexpr int64_t kOwnDescriptors = 64;  // logs, the follower's files, the acceptor, epoll
  return static_cast<int64_t>(limit.rlim_cur) - 2 * ledger_files - kOwnDescriptors;
}

// The version of the policy in force at the head (its latest adoption), or
// 0 when it cannot be read.
int64_t PolicyVersion(const Follower& follower) {
  return follower.Read([](const storage::EventStore& store) -> int64_t {
    auto policies = store.PolicyEvents();
    if (!policies.ok() || policies->empty()) return 0;
    const auto* version = policies->back().data.if_contains("version");
    return version && version->is_int64() ? version->as_int64() : 0;
  });
}

}  // namespace

domain::Status Serve(const ServerOptions& options, std::ostream& out, bool* cannot_listen) {
  boost::system::error_code ec;
  auto address = net::ip::make_address(options.address, ec);
  if (ec) return domain::InvalidArgument("listen: \"" + options.address + "\" is not an IP address");

  SecondaryDir secondary;
  if (secondary.path().empty()) return domain::Internal("cannot create a temporary directory for the follower");
  QLEDGER_ASSIGN_OR_RETURN(auto follower, Follower::Open(options.data_dir, secondary.path()));

  Metrics metrics;
  Router router(*follower, metrics, options.cache_entries);
  router.AllowOrigins(options.cors_origins);
  Limits limits;
  limits.header_limit = options.header_limit;
  limits.body_limit = options.body_limit;
  limits.idle_timeout = options.idle_timeout;
  limits.request_timeout = options.request_timeout;
  limits.write_timeout = options.write_timeout;
  limits.max_connections = options.max_connections;
  limits.max_connections_per_peer = options.max_connections_per_peer;
  if (int64_t allowed = std::max<int64_t>(1, ConnectionsTheFileLimitAllows(options.data_dir));
      allowed < limits.max_connections) {
    log::Warn("connections limited by the open-file limit",
              {{"max_connections", allowed}, {"asked", limits.max_connections}});
    limits.max_connections = allowed;
  }

  int threads = std::max(1, options.threads);
  net::io_context ioc(threads);
  auto listener = std::make_shared<Listener>(ioc, router, metrics, limits);
  if (domain::Status open = listener->Open(net::ip::tcp::endpoint(address, options.port)); !open.ok()) {
    if (cannot_listen) *cannot_listen = true;
    return open;
  }
  listener->run();

  CatchUpTimer catch_up(ioc, *follower, options.catch_up_interval);
  catch_up.Start();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int signal) {
    log::Info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    // Stop accepting and catching up, then stop the loop: open connections
    // are dropped with it.
    listener->stop();
    catch_up.Stop();
    ioc.stop();
  });

  auto ep = listener->local_endpoint();
  out << "qledger serve: listening on http://" << ep.address().to_string() << ":" << ep.port() << "/ (ledger "
      << options.data_dir << ", head seq " << follower->head().seq << ")" << std::endl;

  log::Info("started", {{"version", QLEDGER_VERSION},
                        {"ledger", options.data_dir},
                        {"head_seq", follower->head().seq},
                        {"head_hash", follower->head().hash},
                        {"policy_version", PolicyVersion(*follower)},
                        {"listen", ep.address().to_string() + ":" + std::to_string(ep.port())},
                        {"threads", threads},
                        {"max_connections", limits.max_connections}});
  // From here an access line a request: gathered, not one write(2) each
  // (a quarter of the throughput; docs/performance.md).
  log::BufferInfoLines(std::chrono::seconds(1));

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  log::Info("stopped", {{"head_seq", follower->head().seq}});
  log::Flush();
  return domain::Status::Ok();
}

}  // namespace qledger::server
