// Listener: accepts connections, each onto its own strand, and starts an
// HttpSession for it; beyond Limits::max_connections it closes the new
// connection at once.
#ifndef QLEDGER_SERVER_LISTENER_H_
#define QLEDGER_SERVER_LISTENER_H_

#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>

#include "connection_limits.h"
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
  void do_accept();
  void on_accept(boost::beast::error_code ec, boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Router& router_;
  Metrics& metrics_;
  const Limits& limits_;
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_LISTENER_H_
