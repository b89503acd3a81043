#include "qledger/server/server.h"

#include <stdlib.h>
#include <sys/resource.h>

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
      domain::Status s = follower_.CatchUp();
      // A failed catch-up is retried on the next tick; the lag metric grows.
      // A problem is told once, not five times a second.
      if (!s.ok() && s.message() != last_problem_) std::cerr << "qledger serve: catch-up failed: " << s.message() << "\n";
      last_problem_ = s.ok() ? "" : s.message();
      // Re-verify the chain a slice at a time, so that start-up and reads
      // are never held up by a long ledger.
      follower_.VerifyMore(kVerifySlice);
      Arm();
    });
  }
  net::steady_timer timer_;
  Follower& follower_;
  const std::chrono::milliseconds interval_;
  std::string last_problem_;  // of the last catch-up; only on the timer's strand
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

}  // namespace

domain::Status Serve(const ServerOptions& options, std::ostream& out) {
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
    std::cerr << "qledger serve: the limit of open files allows " << allowed << " connections, not "
              << limits.max_connections << "\n";
    limits.max_connections = allowed;
  }

  int threads = std::max(1, options.threads);
  net::io_context ioc(threads);
  auto listener = std::make_shared<Listener>(ioc, router, metrics, limits);
  QLEDGER_RETURN_IF_ERROR(listener->Open(net::ip::tcp::endpoint(address, options.port)));
  listener->run();

  CatchUpTimer catch_up(ioc, *follower, options.catch_up_interval);
  catch_up.Start();

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    // Stop accepting and catching up, then stop the loop: open connections
    // are dropped with it.
    listener->stop();
    catch_up.Stop();
    ioc.stop();
  });

  auto ep = listener->local_endpoint();
  out << "qledger serve: listening on http://" << ep.address().to_string() << ":" << ep.port() << "/ (ledger "
      << options.data_dir << ", head seq " << follower->head().seq << ")" << std::endl;

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  return domain::Status::Ok();
}

}  // namespace qledger::server
