// Fuzzes the request-target and query parser of the HTTP API (Target): any
// bytes a client sends as the target. Besides not crashing: the cache key of
// a parsed target is that of its decoded parts, so parsing a re-encoded
// target gives the same key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "qledger/server/target.h"

using qledger::server::Target;

namespace {
std::string Encode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = Target::Parse(text);
  if (!t.ok()) return 0;
  (void)t->One("as_of");
  (void)t->All("without");
  (void)t->CheckAllowed({"as_of", "without", "format"});
  // Re-encode every decoded part: the same request, another spelling.
  std::string again = "/";
  for (size_t i = 0; i < t->segments().size(); ++i) again += (i ? "/" : "") + Encode(t->segments()[i]);
  if (!t->params().empty()) {
    again += "?";
    for (size_t i = 0; i < t->params().size(); ++i) {
      again += (i ? "&" : "") + Encode(t->params()[i].first) + "=" + Encode(t->params()[i].second);
    }
  }
  auto t2 = Target::Parse(again);
  if (!t2.ok()) __builtin_trap();
  // An empty parameter name re-encodes to "=v", which parses back the same;
  // a pair without '=' decodes to an empty value as well.
  if (t2->CacheKey() != t->CacheKey()) __builtin_trap();
  return 0;
}
