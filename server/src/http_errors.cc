#include "qledger/server/http_errors.h"

#include <boost/json.hpp>

#include "qledger/domain/exact_json.h"

namespace qledger::server {

int HttpStatusFor(domain::StatusCode code) {
  switch (code) {
    case domain::StatusCode::kOk: return 200;
    case domain::StatusCode::kInvalidArgument: return 400;
    case domain::StatusCode::kNotFound: return 404;
    case domain::StatusCode::kAlreadyExists: return 409;
    case domain::StatusCode::kFailedPrecondition: return 409;
    case domain::StatusCode::kAborted: return 409;
    case domain::StatusCode::kUnavailable: return 503;
    case domain::StatusCode::kDataLoss: return 500;
    case domain::StatusCode::kInternal: return 500;
  }
  return 500;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

Response Problem(int status, std::string detail) {
  // A detail may quote what the request sent (a filter's value, a path
  // segment), which need not be UTF-8: JSON must be.
  detail = domain::EscapeMalformedUtf8(detail);
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = ReasonPhrase(status);
  o["status"] = status;
  o["detail"] = detail;
  Response r;
  r.status = status;
  r.detail = std::move(detail);
  r.content_type = "application/problem+json";
  r.body = boost::json::serialize(o) + "\n";
  return r;
}

Response ProblemFor(const domain::Status& s) { return Problem(HttpStatusFor(s.code()), s.message()); }

}  // namespace qledger::server
