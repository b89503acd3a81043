#include "qledger/domain/exact_json.h"

#include <string>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace json = boost::json;

namespace qledger::domain {
namespace {

// The handler of boost::json::parser (detail/handler.hpp), except that a
// non-integer number is pushed as its marked source text.
struct ExactHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string number;  // the parts of a number split across buffers

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t n, json::error_code&) { st.push_object(n); return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) { st.push_array(n); return true; }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) { st.push_chars(s); return true; }
  bool on_key(json::string_view s, std::size_t, json::error_code&) { st.push_key(s); return true; }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) { st.push_chars(s); return true; }
  bool on_string(json::string_view s, std::size_t, json::error_code&) { st.push_string(s); return true; }
  bool on_number_part(json::string_view s, json::error_code&) { number.append(s.data(), s.size()); return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) { number.clear(); st.push_int64(i); return true; }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) { number.clear(); st.push_uint64(u); return true; }
  bool on_double(double, json::string_view s, json::error_code&) {
    std::string text(1, kNumberMarker);
    text += number;
    text.append(s.data(), s.size());
    number.clear();
    st.push_string(text);
    return true;
  }
  bool on_bool(bool b, json::error_code&) { st.push_bool(b); return true; }
  bool on_null(json::error_code&) { st.push_null(); return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

json::value ParseExactJson(std::string_view text, json::error_code& ec) {
  json::basic_parser<ExactHandler> p(json::parse_options{});
  p.handler().st.reset();
  std::size_t used = p.write_some(false, text.data(), text.size(), ec);
  if (ec) return nullptr;
  if (text.substr(used).find_first_not_of(" \t\r\n") != std::string_view::npos) {
    ec = json::error::extra_data;
    return nullptr;
  }
  if (!p.done()) {
    ec = json::error::incomplete;
    return nullptr;
  }
  return p.handler().st.release();
}

bool IsMarkedNumber(const json::value& v) {
  return v.is_string() && !v.get_string().empty() && v.get_string()[0] == kNumberMarker;
}

}  // namespace qledger::domain
