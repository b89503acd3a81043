#include "qledger/domain/canonical_json.h"

#include <algorithm>
#include <vector>

#include <boost/json.hpp>

namespace qledger::domain {
namespace {

// Whether c is written as itself: everything but '"', '\\' and controls.
bool Plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; }

void AppendString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Copy the run of plain bytes at once; escape the byte that ends it.
    size_t run = i;
    while (run < s.size() && Plain(static_cast<unsigned char>(s[run]))) ++run;
    out->append(s.data() + i, run - i);
    if (run == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[run]);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xf]);
    }
    i = run + 1;
  }
  out->push_back('"');
}

}  // namespace

void AppendCanonicalJson(const boost::json::value& v, std::string* out) {
  switch (v.kind()) {
    case boost::json::kind::null: out->append("null"); break;
    case boost::json::kind::bool_: out->append(v.get_bool() ? "true" : "false"); break;
    case boost::json::kind::int64: out->append(std::to_string(v.get_int64())); break;
    case boost::json::kind::uint64: out->append(std::to_string(v.get_uint64())); break;
    case boost::json::kind::double_: out->append("null"); break;
    case boost::json::kind::string: {
      const auto& s = v.get_string();
      AppendString(std::string_view(s.data(), s.size()), out);
      break;
    }
    case boost::json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonicalJson(e, out);
      }
      out->push_back(']');
      break;
    }
    case boost::json::kind::object:
      AppendCanonicalObject(v.get_object(), out);
      break;
  }
}

void AppendCanonicalObject(const boost::json::object& obj, std::string* out) {
  std::vector<const boost::json::key_value_pair*> members;
  members.reserve(obj.size());
  for (const auto& kv : obj) members.push_back(&kv);
  // std::string_view compares as unsigned bytes via char_traits<char>::compare
  // (memcmp), which is UTF-8 byte order.
  std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  out->push_back('{');
  bool first = true;
  for (const auto* kv : members) {
    if (!first) out->push_back(',');
    first = false;
    AppendString(kv->key(), out);
    out->push_back(':');
    AppendCanonicalJson(kv->value(), out);
  }
  out->push_back('}');
}

void AppendCanonicalString(std::string_view s, std::string* out) { AppendString(s, out); }

std::string CanonicalJson(const boost::json::value& v) {
  std::string out;
  AppendCanonicalJson(v, &out);
  return out;
}

}  // namespace qledger::domain
