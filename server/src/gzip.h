// Content-Encoding: gzip for the larger answers (RFC 9110 §8.4.1.3), with
// zlib.
#ifndef QLEDGER_SERVER_SRC_GZIP_H_
#define QLEDGER_SERVER_SRC_GZIP_H_

#include <string>
#include <string_view>

namespace qledger::server {

// Whether an Accept-Encoding header value accepts gzip: "gzip", "x-gzip" or
// "*", with a q-value that is not 0 (and gzip not refused by name when "*"
// accepts it).
bool AcceptsGzip(std::string_view accept_encoding);

// data as a gzip member (RFC 1952).
std::string Gzip(std::string_view data);

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_SRC_GZIP_H_
