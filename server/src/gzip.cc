#include "gzip.h"

#include <zlib.h>

#include <optional>
#include <stdexcept>
#include <string>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>

namespace qledger::server {

namespace {

// The q-value of an element's parameters: 1 when absent, 0 when malformed
// (an encoding the client did not ask for clearly is not used).
double QValue(const boost::beast::http::param_list& params) {
  for (const auto& [name, value] : params) {
    if (name.size() == 1 && (name[0] == 'q' || name[0] == 'Q')) {
      try {
        size_t used = 0;
        double q = std::stod(std::string(value), &used);
        return used == value.size() && q >= 0 && q <= 1 ? q : 0;
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
  return 1;
}

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<double> gzip;
  std::optional<double> any;
  for (const auto& [token, params] : boost::beast::http::ext_list(accept_encoding)) {
    if (boost::beast::iequals(token, "gzip") || boost::beast::iequals(token, "x-gzip")) gzip = QValue(params);
    if (token == "*") any = QValue(params);
  }
  if (gzip) return *gzip > 0;
  return any && *any > 0;
}

std::string Gzip(std::string_view data) {
  z_stream zs{};
  // 15 window bits, +16 for the gzip wrapper; level 6, zlib's default.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 18, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  out.resize(written);
  return out;
}

}  // namespace qledger::server
