// Parsing JSON input without ever turning a decimal into a double.
//
// boost::json::parse reads 96.5 as a double. Input events must keep the
// writer's decimal exactly (SPEC §2: no floating point from input to score),
// so ParseExactJson keeps every non-integer number as its source text, marked
// by a leading kNumberMarker, in a JSON string. Decimal::FromJson reads such
// a marked string exactly; a text field refuses it ("must be a string").
// Integers stay JSON integers.
//
// It is also strict where Boost.JSON is lenient (SPEC §4): a key repeated in
// an object, and a control character in any key or string, fail the parse.
// So no string of the input can start with kNumberMarker.
#ifndef QLEDGER_DOMAIN_EXACT_JSON_H_
#define QLEDGER_DOMAIN_EXACT_JSON_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/json/error.hpp>
#include <boost/json/value.hpp>

namespace qledger::domain {

inline constexpr char kNumberMarker = '\x01';

// Parses one JSON text. On error returns null, sets ec and, if problem is
// given, says what is wrong where ("data.score: the key \"score\" appears
// twice in one object", or Boost.JSON's message).
boost::json::value ParseExactJson(std::string_view text, boost::json::error_code& ec, std::string* problem = nullptr);

// The first control character in s ("U+0001"): C0 (U+0000–U+001F), DEL or
// C1 (U+0080–U+009F). nullopt if there is none. REQUIRES: s is UTF-8.
std::optional<std::string> ControlCharacterIn(std::string_view s);

// True if s is not empty and holds nothing but white space: ASCII spaces,
// NBSP, the ideographic space and the other Unicode spaces (Zs).
// REQUIRES: s is UTF-8.
bool OnlyWhiteSpace(std::string_view s);

// The code point of the UTF-8 sequence that starts at s[i], and its length
// in bytes; nullopt if the bytes there are not well-formed UTF-8 (RFC 3629:
// no overlong form, no surrogate, nothing above U+10FFFF, none cut short).
// REQUIRES: i < s.size().
std::optional<std::pair<char32_t, size_t>> DecodeUtf8At(std::string_view s, size_t i);

// s with each byte that is not part of well-formed UTF-8 written as %XX (the
// way a URL carries it), so that it can be quoted in a JSON string.
std::string EscapeMalformedUtf8(std::string_view s);

// True if v is a number that ParseExactJson kept as marked text.
bool IsMarkedNumber(const boost::json::value& v);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_EXACT_JSON_H_
