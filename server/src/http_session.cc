#include "http_session.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <boost/asio/dispatch.hpp>

#include "connection_registry.h"
#include "qledger/log/log.h"
#include "qledger/server/http_errors.h"
#include "qledger/server/metrics.h"
#include "qledger/server/router.h"

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace qledger::server {

namespace {

// RFC 9110 §5.6.7 IMF-fixdate: "Tue, 01 Dec 2026 23:35:27 GMT" (English
// names whatever the locale).
std::string HttpDate(std::time_t now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out;
}

// The Beast message for a router Response. HEAD and 304 carry no body; HEAD
// keeps the Content-Length the GET would have. One message type for all, so
// that http::async_write serializes it whole: a type-erased
// http::message_generator hands the socket at most 16 buffers at a time,
// and a response with one more header field went out in two sendmsg(2).
// The body is shared, not copied: a cached answer's stays where the cache
// holds it.
Message ToBeast(Response&& r, unsigned version, bool keep_alive, bool head) {
  Message res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "qledger/" QLEDGER_VERSION);
  // The date changes once a second: formatted once a second per thread.
  thread_local std::time_t date_of = -1;
  thread_local std::string date;
  if (std::time_t now = std::time(nullptr); now != date_of) date = HttpDate(date_of = now);
  res.set(http::field::date, date);
  if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
  if (!r.etag.empty()) res.set(http::field::etag, r.etag);
  for (const auto& [name, value] : r.headers) res.insert(name, value);  // Vary may come twice
  res.keep_alive(keep_alive);
  // 204 and 304 have no body and no Content-Length (RFC 9110 §8.6).
  if (r.status == 304 || r.status == 204) return res;
  if (head) {
    res.content_length(r.Body().size());
    return res;
  }
  res.body() = r.shared_body ? std::move(r.shared_body) : std::make_shared<const std::string>(std::move(r.body));
  res.prepare_payload();
  return res;
}

}  // namespace

HttpSession::HttpSession(net::ip::tcp::socket&& socket, Router& router, Metrics& metrics, const Limits& limits,
                         std::shared_ptr<ConnectionRegistry> registry)
    : stream_(std::move(socket)), router_(router), metrics_(metrics), limits_(limits), registry_(std::move(registry)) {
  ++metrics_.connections;
}

HttpSession::~HttpSession() {
  if (id_) registry_->Remove(*id_);
  --metrics_.connections;
}

void HttpSession::run() {
  // Start on the connection's strand (the socket was accepted onto one).
  net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::admit, shared_from_this()));
}

void HttpSession::admit() {
  beast::error_code ec;
  auto peer = stream_.socket().remote_endpoint(ec);
  if (ec) return do_close();
  // Displacing this session closes its socket on its own strand: the
  // pending read ends with operation_aborted, and the session with it.
  auto close = [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      net::post(self->stream_.get_executor(), [self] {
        beast::error_code ignored;
        self->stream_.socket().close(ignored);  // already closed: harmless
      });
    }
  };
  auto admission = registry_->Admit(peer.address().to_string(), close);
  metrics_.connections_displaced += admission.displaced;
  if (!admission.id) {
    ++metrics_.connections_refused;
    beast::error_code ignored;
    stream_.socket().close(ignored);  // every connection is busy answering: refuse this one
    return;
  }
  stream_.socket().non_blocking(true, ec);  // for do_write's first, synchronous attempt
  if (ec) return do_close();
  id_ = admission.id;
  peer_ = peer.address().to_string() + ":" + std::to_string(peer.port());
  do_read();
}

void HttpSession::do_read() {
  reading_ = true;
  // A fresh parser for each request: its limits apply per request.
  parser_.emplace();
  parser_->header_limit(limits_.header_limit);
  parser_->body_limit(limits_.body_limit);
  // Pipelined bytes are already here: that request is being read.
  if (buffer_.size() > 0) {
    request_started_ = std::chrono::steady_clock::now();
    // Pipelined requests answered synchronously are answered one inside
    // the other (on_write → do_read → parse_buffered → on_read → do_write):
    // every kMaxNested, the next is read through async_read instead, whose
    // completion unwinds the stack.
    if (++nested_ < kMaxNested) return parse_buffered();
    nested_ = 0;
    return read_request();
  }
  nested_ = 0;
  registry_->MarkBusy(*id_, false);
  stream_.expires_after(limits_.idle_timeout);
  stream_.async_read_some(buffer_.prepare(limits_.header_limit),
                          beast::bind_front_handler(&HttpSession::on_first_bytes, shared_from_this()));
}

void HttpSession::on_first_bytes(beast::error_code ec, std::size_t bytes) {
  if (ec) return do_close();  // idle too long, closed by the peer, or displaced
  buffer_.commit(bytes);
  request_started_ = std::chrono::steady_clock::now();
  parse_buffered();
}

void HttpSession::parse_buffered() {
  // A GET arrives whole in its first bytes: parsed here, it is answered at
  // once, where an http::async_read would arm the request timer and hand
  // the parsed request back through the scheduler. The parser is the one
  // async_read uses, with the same limits; a request not yet whole is read
  // on by async_read, from where this parse stopped.
  beast::error_code ec;
  parser_->eager(true);
  buffer_.consume(parser_->put(buffer_.data(), ec));
  if (ec == http::error::need_more) return read_request();
  on_read(ec, 0);
}

void HttpSession::read_request() {
  stream_.expires_after(limits_.request_timeout);
  http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  reading_ = false;
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset || ec == net::error::eof) {
    return do_close();
  }
  if (ec) {
    // The request cannot be parsed: answer once, then close, since the
    // stream cannot be resynchronised.
    int status = ec == http::error::header_limit ? 431 : ec == http::error::body_limit ? 413 : 400;
    std::string detail = ec == http::error::header_limit
                             ? "request line and headers exceed " + std::to_string(limits_.header_limit) + " bytes"
                         : ec == http::error::body_limit
                             ? "request body exceeds " + std::to_string(limits_.body_limit) + " bytes"
                             : "malformed HTTP request: " + ec.message();
    metrics_.Observe("malformed", status, 0);
    closing_ = true;
    Response problem = Problem(status, detail);
    LogRequest("-", "-", problem, false);
    queue_write(ToBeast(std::move(problem), 11, false, false));
    return;
  }
  registry_->MarkBusy(*id_, true);
  auto& req = parser_->get();
  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  if (auto it = req.find(http::field::if_none_match); it != req.end()) r.if_none_match = std::string(it->value());
  if (auto it = req.find(http::field::origin); it != req.end()) r.origin = std::string(it->value());
  if (auto it = req.find(http::field::accept_encoding); it != req.end()) r.accept_encoding = std::string(it->value());
  bool head = req.method() == http::verb::head;
  // After a "Connection: close" request, read no more: the session ends
  // once the response is written.
  if (!req.keep_alive()) closing_ = true;
  Response response = router_.Respond(r);
  LogRequest(r.method, r.target, response, head);
  queue_write(ToBeast(std::move(response), req.version(), req.keep_alive(), head));
  // A pipelined request already here is read at once. Otherwise the next
  // read waits for this answer to be written: a client sends its next
  // request after reading the answer, so a read now would find nothing and
  // cost a recvmsg(2) and a wait in epoll for every request. An answer
  // written at once has already started the next read (on_write).
  if (!reading_ && response_queue_.size() < kQueueLimit && !closing_ && buffer_.size() > 0) do_read();
}

void HttpSession::LogRequest(const std::string& method, const std::string& target, const Response& r,
                             bool head) const {
  if (log::Enabled(log::Level::info)) {
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_started_).count();
    log::Info("access", {{"method", method},
                         {"target", target},
                         {"status", r.status},
                         {"bytes", head || r.status == 304 || r.status == 204 ? 0 : r.Body().size()},
                         {"duration_ms", std::round(ms * 1000) / 1000},
                         {"peer", peer_}});
  }
  // A problem is told on its own line too, with what was wrong: a client's
  // mistake as a warning, the server's own failure as an error.
  if (r.status >= 400) {
    log::Write(r.status >= 500 ? log::Level::err : log::Level::warn, "problem",
               {{"method", method}, {"target", target}, {"status", r.status}, {"detail", r.detail}, {"peer", peer_}});
  }
}

void HttpSession::queue_write(Message response) {
  response_queue_.push(std::move(response));
  do_write();
}

void HttpSession::do_write() {
  // One write at a time, the queue's front: a write that completes at once
  // reads and answers the next pipelined request from inside on_write, which
  // may queue an answer and start its write before on_write's own call here.
  if (serializer_ || response_queue_.empty()) return;
  bool keep_alive = response_queue_.front().keep_alive();
  // The message stays in the queue (a deque: it does not move) until
  // on_write pops it; the serializer, which refers to it, as long.
  serializer_.emplace(response_queue_.front());
  // First as much as the socket takes now, without waiting (the socket is
  // non-blocking for synchronous calls, set in admit): an answer that fits
  // the socket's send buffer — almost every one — is written without a
  // timer armed or a round through the scheduler. What is left is written
  // by async_write under the write timeout.
  beast::error_code ec;
  http::write(stream_.socket(), *serializer_, ec);
  if (ec != net::error::would_block && ec != net::error::try_again) return on_write(keep_alive, ec, 0);
  stream_.expires_after(limits_.write_timeout);
  http::async_write(stream_, *serializer_,
                    beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), keep_alive));
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  serializer_.reset();  // the write is over (and it refers to the message popped next)
  if (ec) return do_close();
  if (!keep_alive) return do_close();
  response_queue_.pop();
  // Read on if no read is waiting: the queue had stopped it, or the read
  // was left until this answer was written (on_read).
  if (!reading_ && !closing_) do_read();
  do_write();
}

void HttpSession::do_close() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  // The peer may already be gone; nothing more to do either way.
}

}  // namespace qledger::server
