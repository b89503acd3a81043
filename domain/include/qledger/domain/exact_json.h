// Parsing JSON input without ever turning a decimal into a double.
//
// boost::json::parse reads 96.5 as a double. Input events must keep the
// writer's decimal exactly (SPEC §2: no floating point from input to score),
// so ParseExactJson keeps every non-integer number as its source text, marked
// by a leading kNumberMarker, in a JSON string. Decimal::FromJson reads such
// a marked string exactly; a text field refuses it ("must be a string").
// Integers stay JSON integers.
#ifndef QLEDGER_DOMAIN_EXACT_JSON_H_
#define QLEDGER_DOMAIN_EXACT_JSON_H_

#include <string_view>

#include <boost/json/error.hpp>
#include <boost/json/value.hpp>

namespace qledger::domain {

inline constexpr char kNumberMarker = '\x01';

// Parses one JSON text. On error returns null and sets ec.
boost::json::value ParseExactJson(std::string_view text, boost::json::error_code& ec);

// True if v is a number that ParseExactJson kept as marked text.
bool IsMarkedNumber(const boost::json::value& v);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_EXACT_JSON_H_
