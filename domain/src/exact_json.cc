#include "qledger/domain/exact_json.h"

#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace json = boost::json;

namespace qledger::domain {

std::optional<std::string> ControlCharacterIn(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    unsigned code = 0;
    if (c < 0x20 || c == 0x7f) {
      code = c;
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      code = static_cast<unsigned char>(s[i + 1]);  // C1: U+0080..U+009F
    } else {
      continue;
    }
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", code);
    return std::string(buf);
  }
  return std::nullopt;
}

namespace {

// The handler of boost::json::parser (detail/handler.hpp), except that
//  * a non-integer number is pushed as its marked source text;
//  * a key repeated in one object fails the parse (Boost.JSON would keep
//    the last one silently);
//  * a key or string holding a control character fails the parse — which
//    also keeps kNumberMarker, itself a control character, from ever
//    starting a real string.
// A failure leaves what and where in `problem`.
struct ExactHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  // One open object or array, for the path in messages and the keys seen.
  struct Frame {
    bool object = false;
    size_t index = 0;          // arrays: the element being read
    std::string key;           // objects: the member being read
    std::vector<std::string> keys;            // objects: the keys so far...
    std::unordered_set<std::string> many;     // ...or, past kFlatKeys, here
  };
  static constexpr size_t kFlatKeys = 16;

  json::value_stack st;
  std::string number;  // the parts of a number split across buffers
  std::string key;     // the parts of a key split across buffers
  std::vector<Frame> frames;
  std::string problem;

  std::string Path() const {
    std::string p;
    for (const auto& f : frames) {
      if (f.object) p += (p.empty() ? "" : ".") + f.key;
      else p += "[" + std::to_string(f.index) + "]";
    }
    return p.empty() ? "the document" : p;
  }
  bool Fail(json::error_code& ec, std::string why) {
    problem = std::move(why);
    ec = json::error::syntax;
    return false;
  }
  // A value of the current array is complete.
  void ValueDone() {
    if (!frames.empty() && !frames.back().object) ++frames.back().index;
  }
  bool CheckText(std::string_view s, const char* what, json::error_code& ec) {
    if (auto c = ControlCharacterIn(s)) return Fail(ec, Path() + ": a control character (" + *c + ") in a " + what);
    return true;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    frames.emplace_back();
    frames.back().object = true;
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    frames.pop_back();
    st.push_object(n);
    ValueDone();
    return true;
  }
  bool on_array_begin(json::error_code&) {
    frames.emplace_back();
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code&) {
    frames.pop_back();
    st.push_array(n);
    ValueDone();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code& ec) {
    if (!CheckText(s, "key", ec)) return false;
    key.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    if (!CheckText(s, "key", ec)) return false;
    key.append(s.data(), s.size());
    Frame& f = frames.back();
    bool repeated = false;
    if (f.many.empty() && f.keys.size() < kFlatKeys) {
      for (const auto& k : f.keys) repeated |= k == key;
      if (!repeated) f.keys.push_back(key);
    } else {
      if (f.many.empty()) f.many.insert(f.keys.begin(), f.keys.end());
      repeated = !f.many.insert(key).second;
    }
    f.key = std::move(key);
    key.clear();
    if (repeated) return Fail(ec, Path() + ": the key \"" + f.key + "\" appears twice in one object");
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) {
    if (!CheckText(s, "string", ec)) return false;
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    if (!CheckText(s, "string", ec)) return false;
    st.push_string(s);
    ValueDone();
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) { number.append(s.data(), s.size()); return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number.clear();
    st.push_int64(i);
    ValueDone();
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number.clear();
    st.push_uint64(u);
    ValueDone();
    return true;
  }
  bool on_double(double, json::string_view s, json::error_code&) {
    std::string text(1, kNumberMarker);
    text += number;
    text.append(s.data(), s.size());
    number.clear();
    st.push_string(text);
    ValueDone();
    return true;
  }
  bool on_bool(bool b, json::error_code&) { st.push_bool(b); ValueDone(); return true; }
  bool on_null(json::error_code&) { st.push_null(); ValueDone(); return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

json::value ParseExactJson(std::string_view text, json::error_code& ec, std::string* problem) {
  json::basic_parser<ExactHandler> p(json::parse_options{});
  p.handler().st.reset();
  std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (problem) *problem = p.handler().problem.empty() ? ec.message() : p.handler().problem;
    return nullptr;
  }
  if (text.substr(used).find_first_not_of(" \t\r\n") != std::string_view::npos) {
    ec = json::error::extra_data;
  } else if (!p.done()) {
    ec = json::error::incomplete;
  }
  if (ec) {
    if (problem) *problem = ec.message();
    return nullptr;
  }
  return p.handler().st.release();
}

bool IsMarkedNumber(const json::value& v) {
  return v.is_string() && !v.get_string().empty() && v.get_string()[0] == kNumberMarker;
}

}  // namespace qledger::domain
