#include "listener.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "http_session.h"
#include "qledger/server/metrics.h"

namespace net = boost::asio;

namespace qledger::server {

Listener::Listener(net::io_context& ioc, Router& router, Metrics& metrics, const Limits& limits)
    : ioc_(ioc), acceptor_(net::make_strand(ioc)), router_(router), metrics_(metrics), limits_(limits) {}

domain::Status Listener::Open(const net::ip::tcp::endpoint& endpoint) {
  boost::beast::error_code ec;
  std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return domain::Unavailable("cannot listen on " + where + ": " + ec.message());
  return domain::Status::Ok();
}

void Listener::run() { do_accept(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::beast::error_code ec;
    self->acceptor_.close(ec);  // closing a closed acceptor is harmless
  });
}

void Listener::do_accept() {
  // Each connection gets its own strand.
  acceptor_.async_accept(net::make_strand(ioc_),
                         boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::beast::error_code ec, net::ip::tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;  // stopped
  if (!ec) {
    if (metrics_.connections.load() >= limits_.max_connections) {
      boost::beast::error_code ignored;
      socket.close(ignored);  // over the bound: refuse by closing
    } else {
      socket.set_option(net::ip::tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), router_, metrics_, limits_)->run();
    }
  }
  // Accept errors (e.g. too many open files) are transient: keep accepting.
  do_accept();
}

}  // namespace qledger::server
