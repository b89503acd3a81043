#include "listener.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "http_session.h"
#include "qledger/server/metrics.h"

namespace net = boost::asio;

namespace qledger::server {

Listener::Listener(net::io_context& ioc, Router& router, Metrics& metrics, const Limits& limits)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      backoff_(acceptor_.get_executor()),
      router_(router),
      metrics_(metrics),
      limits_(limits),
      registry_(std::make_shared<ConnectionRegistry>(limits.max_connections, limits.max_connections_per_peer)) {}

domain::Status Listener::Open(const net::ip::tcp::endpoint& endpoint) {
  boost::beast::error_code ec;
  std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec == net::error::address_in_use) {
    return domain::Unavailable("cannot listen on " + where + ": the address is in use (another process listens "
                               "there: stop it, or choose another --listen)");
  }
  if (ec) return domain::Unavailable("cannot listen on " + where + ": " + ec.message());
  return domain::Status::Ok();
}

void Listener::run() { do_accept(); }

void Listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::beast::error_code ec;
    self->acceptor_.close(ec);  // closing a closed acceptor is harmless
    self->backoff_.cancel();
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
    boost::beast::error_code ignored;
    socket.set_option(net::ip::tcp::no_delay(true), ignored);  // a latency hint; fine without
    std::make_shared<HttpSession>(std::move(socket), router_, metrics_, limits_, registry_)->run();
    return do_accept();
  }
  // Out of file descriptors or memory: the pending connection stays in the
  // backlog, so accepting again at once fails again at once. Wait a little
  // (connections closing meanwhile free descriptors), then accept again.
  ++metrics_.accept_errors;
  backoff_.expires_after(kAcceptBackoff);
  backoff_.async_wait([self = shared_from_this()](boost::beast::error_code wait_ec) {
    if (!wait_ec && self->acceptor_.is_open()) self->do_accept();
  });
}

}  // namespace qledger::server
