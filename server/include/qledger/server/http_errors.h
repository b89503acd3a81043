// The one place where a Status code becomes an HTTP status, and where
// errors become application/problem+json (RFC 9457) responses.
#ifndef QLEDGER_SERVER_HTTP_ERRORS_H_
#define QLEDGER_SERVER_HTTP_ERRORS_H_

#include <string>
#include <string_view>

#include "qledger/domain/status.h"
#include "qledger/server/message.h"

namespace qledger::server {

// kInvalidArgument 400, kNotFound 404, kAlreadyExists/kFailedPrecondition/
// kAborted 409, kUnavailable 503, kDataLoss and kInternal 500.
int HttpStatusFor(domain::StatusCode code);

// The reason phrase of an HTTP status ("Not Found").
const char* ReasonPhrase(int status);

// {type, title, status, detail} with Content-Type application/problem+json.
// type is "about:blank" per RFC 9457 and title the reason phrase.
Response Problem(int status, std::string detail);

// Problem(HttpStatusFor(s.code()), s.message()).
Response ProblemFor(const domain::Status& s);

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_HTTP_ERRORS_H_
