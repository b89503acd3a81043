// HttpSession: one HTTP/1.1 connection, in the shape of Beast's advanced
// server: run() → do_read → (on_first_bytes → parse_buffered →) (read_request →) on_read →
// (Router) → queue_write → do_write → on_write → do_read. All handlers run on
// the connection's strand (the socket's executor). Every read sets body and
// header limits; waiting for a request has the idle timeout, reading it the
// request timeout, writing the write timeout. At most kQueueLimit pipelined
// responses wait to be written. The session is admitted by the
// ConnectionRegistry in run(), and tells it when it is busy answering; an
// idle session may be displaced (closed) by a newer connection.
#ifndef QLEDGER_SERVER_HTTP_SESSION_H_
#define QLEDGER_SERVER_HTTP_SESSION_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "connection_limits.h"
#include "qledger/server/message.h"

namespace qledger::server {

class Router;
class Metrics;
class ConnectionRegistry;

// A Beast body written from a string it shares (a cached answer's body),
// not a copy of it.
struct SharedStringBody {
  using value_type = std::shared_ptr<const std::string>;

  static std::uint64_t size(const value_type& body) { return body ? body->size() : 0; }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;

    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}

    void init(boost::beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
      ec = {};
      if (!body_ || body_->empty()) return boost::none;
      return std::make_pair(const_buffers_type(body_->data(), body_->size()), false);
    }

   private:
    const value_type& body_;
  };
};

using Message = boost::beast::http::response<SharedStringBody>;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // Counts itself in metrics.connections for its lifetime.
  HttpSession(boost::asio::ip::tcp::socket&& socket, Router& router, Metrics& metrics, const Limits& limits,
              std::shared_ptr<ConnectionRegistry> registry);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void run();

 private:
  static constexpr size_t kQueueLimit = 8;
  static constexpr int kMaxNested = 16;

  void admit();
  void do_read();
  void on_first_bytes(boost::beast::error_code ec, std::size_t bytes);
  void parse_buffered();
  void read_request();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  // The access line of a request, and the problem line of an error.
  void LogRequest(const std::string& method, const std::string& target, const Response& r, bool head) const;
  void queue_write(Message response);
  void do_write();
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void do_close();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::queue<Message> response_queue_;
  // Writes the front of response_queue_; set while a write is under way
  // (one at a time).
  std::optional<boost::beast::http::serializer<false, SharedStringBody>> serializer_;
  bool closing_ = false;  // an error response is queued; read no more
  bool reading_ = false;  // a read of the next request is under way
  int nested_ = 0;        // pipelined requests parsed in a row from the buffer (do_read)
  Router& router_;
  Metrics& metrics_;
  const Limits& limits_;
  const std::shared_ptr<ConnectionRegistry> registry_;  // shared: a session may outlive the listener
  std::optional<uint64_t> id_;  // in registry_, once admitted
  std::string peer_;            // "address:port", for the log
  std::chrono::steady_clock::time_point request_started_;  // first bytes of the request being read
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_HTTP_SESSION_H_
