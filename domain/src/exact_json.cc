#include "qledger/domain/exact_json.h"

#include <algorithm>
#include <cstdio>
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

std::optional<std::pair<char32_t, size_t>> DecodeUtf8At(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return std::pair<char32_t, size_t>(c, 1);
  size_t len = 0;
  char32_t cp = 0, min = 0;
  if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; min = 0x80; }
  else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; min = 0x800; }
  else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; min = 0x10000; }
  else return std::nullopt;
  if (i + len > s.size()) return std::nullopt;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return std::nullopt;
    cp = cp << 6 | (byte(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  return std::pair<char32_t, size_t>(cp, len);
}

bool OnlyWhiteSpace(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size();) {
    auto d = DecodeUtf8At(s, i);
    if (!d) return false;
    const char32_t c = d->first;
    if (c != ' ' && c != 0xa0 && c != 0x1680 && !(c >= 0x2000 && c <= 0x200a) && c != 0x202f && c != 0x205f &&
        c != 0x3000) {
      return false;
    }
    i += d->second;
  }
  return true;
}

std::string EscapeMalformedUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (auto d = DecodeUtf8At(s, i)) {
      out.append(s.substr(i, d->second));
      i += d->second;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned char>(s[i]));
      out += buf;
      ++i;
    }
  }
  return out;
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
    bool in_key = false;       // objects: between members, where a key comes next
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
  // Where a bad character is, for its message: the member being read, or
  // the key after one; "" at the top level.
  std::string Where() const {
    if (frames.empty()) return "";
    const Frame& f = frames.back();
    if (!f.object || !f.in_key) return "in " + Path();
    if (!f.key.empty()) return "in the key after " + Path();
    if (frames.size() == 1) return "in the first key";
    std::string of = Path();  // the enclosing member, then "." and this object's key, still ""
    of.pop_back();
    return "in the first key of " + of;
  }
  bool Fail(json::error_code& ec, std::string why) {
    problem = std::move(why);
    ec = json::error::syntax;
    return false;
  }
  // A value of the current array, or of the current member, is complete.
  void ValueDone() {
    if (frames.empty()) return;
    if (frames.back().object) frames.back().in_key = true;
    else ++frames.back().index;
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
    frames.back().in_key = true;
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
    f.in_key = false;
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

// What stopped Boost.JSON at text[at], and where: "line 3, column 7" when
// text has more than one line (a JSON array over many lines, a policy
// file), else "column 7"; a column counts characters from 1.
// `where` says in which member or key (the handler's Where()), told for a
// bad character, which is in a string.
std::string SyntaxProblem(std::string_view text, size_t at, const json::error_code& ec, const std::string& where_in = "") {
  at = std::min(at, text.size());
  const size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  const size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
  size_t column = 1;
  for (size_t i = line_start; i < at;) {
    auto d = DecodeUtf8At(text, i);
    i += d ? d->second : 1;
    ++column;
  }
  std::string where = "column " + std::to_string(column);
  if (text.find('\n') != std::string_view::npos) {
    where = "line " + std::to_string(1 + std::count(text.begin(), text.begin() + at, '\n')) + ", " + where;
  }
  if (at == text.size()) return "the JSON text ends too early, at " + where;
  const auto c = static_cast<unsigned char>(text[at]);
  if (ec == json::error::extra_data) return "more after the JSON value, at " + where;
  if (c < 0x20 || c == 0x7f) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", c);
    return std::string("a control character (") + buf + ") at " + where + (where_in.empty() ? "" : ", " + where_in);
  }
  if (!DecodeUtf8At(text, at)) return "bytes that are not UTF-8 at " + where + (where_in.empty() ? "" : ", " + where_in);
  return ec.message() + " at " + where;
}

}  // namespace

json::value ParseExactJson(std::string_view text, json::error_code& ec, std::string* problem) {
  json::basic_parser<ExactHandler> p(json::parse_options{});
  p.handler().st.reset();
  std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (problem) *problem = p.handler().problem.empty() ? SyntaxProblem(text, used, ec, p.handler().Where())
                                                 : p.handler().problem;
    return nullptr;
  }
  if (size_t extra = text.find_first_not_of(" \t\r\n", used); extra != std::string_view::npos) {
    ec = json::error::extra_data;
    if (problem) *problem = SyntaxProblem(text, extra, ec);
    return nullptr;
  }
  if (!p.done()) {
    ec = json::error::incomplete;
    if (problem) *problem = SyntaxProblem(text, text.size(), ec);
    return nullptr;
  }
  return p.handler().st.release();
}

bool IsMarkedNumber(const json::value& v) {
  return v.is_string() && !v.get_string().empty() && v.get_string()[0] == kNumberMarker;
}

}  // namespace qledger::domain
