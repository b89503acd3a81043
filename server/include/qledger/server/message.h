// The request and response as the router sees them: plain values, so that
// request handling is a pure function testable without a socket. The
// session converts from and to Beast messages.
#ifndef QLEDGER_SERVER_MESSAGE_H_
#define QLEDGER_SERVER_MESSAGE_H_

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qledger::server {

struct Request {
  std::string method = "GET";   // as sent: "GET", "HEAD", "POST", …
  std::string target = "/";     // origin-form: path and query, still encoded
  std::string if_none_match;    // the If-None-Match header, "" if absent
  std::string origin;           // the Origin header (CORS), "" if absent
  std::string accept_encoding;  // the Accept-Encoding header, "" if absent
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;             // for HEAD the session sends none but keeps its length
  // When set, the body instead (and `body` is empty): a cached answer's,
  // shared with the cache rather than copied for every request
  // (Router::Respond). Body() reads either.
  std::shared_ptr<const std::string> shared_body;
  std::string etag;             // "" for responses not derived from the ledger
  std::vector<std::pair<std::string, std::string>> headers;  // extra: Allow, Cache-Control
  std::string route;            // the route pattern that answered, for metrics
  std::string detail;           // of a problem (Problem()): what the log's error line says

  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : std::string_view(body); }
  // Makes `body` hold the body (a copy of a shared one).
  void OwnBody() {
    if (shared_body) body = *shared_body;
    shared_body.reset();
  }
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_MESSAGE_H_
