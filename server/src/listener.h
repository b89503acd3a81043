// Listener: accepts connections, each onto its own strand, and starts an
// HttpSession for it, which the ConnectionRegistry admits (Limits bound the
// connections in all and per peer). When accepting fails for want of
// resources (EMFILE: out of file descriptors) it waits kAcceptBackoff before
// accepting again, instead of spinning on the error.
#ifndef QLEDGER_SERVER_LISTENER_H_
#define QLEDGER_SERVER_LISTENER_H_

#include <chrono>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include "connection_limits.h"
#include "connection_registry.h"
#include "qledger/domain/status.h"

namespace qledger::server {

class Router;
class Metrics;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(boost::asio::io_context& ioc, Router& router, Metrics& metrics, const Limits& limits);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds and listens; fails with Unavailable naming the endpoint and why.
  domain::Status Open(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  void run();
  void stop();

 private:
  static constexpr std::chrono::milliseconds kAcceptBackoff{100};

  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;  // on the acceptor's strand
  Router& router_;
  Metrics& metrics_;
  const Limits& limits_;
  // Shared with every session: a session can outlive the listener (the
  // io_context destroys the handlers that hold it last, at shutdown), and
  // it leaves the registry when it goes.
  std::shared_ptr<ConnectionRegistry> registry_;
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_LISTENER_H_
