// Canonical JSON (SPEC §5): UTF-8, object keys sorted by byte order, no
// whitespace outside strings, strings escaped minimally (only '"', '\\' and
// control characters below 0x20: \n \r \t \b \f in short form, the others as
// \u00xx in lowercase hex; everything else raw UTF-8), integers in plain
// decimal, true/false/null. Decimals are strings, so no float formatting is
// involved: a double anywhere in the value is a programming error and is
// written as null.
#ifndef QLEDGER_DOMAIN_CANONICAL_JSON_H_
#define QLEDGER_DOMAIN_CANONICAL_JSON_H_

#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

namespace qledger::domain {

std::string CanonicalJson(const boost::json::value& v);
void AppendCanonicalJson(const boost::json::value& v, std::string* out);
// The same bytes as AppendCanonicalJson of a value holding o (or s), without
// copying it into one: for writers of a fixed envelope (event.cc).
void AppendCanonicalObject(const boost::json::object& o, std::string* out);
void AppendCanonicalString(std::string_view s, std::string* out);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_CANONICAL_JSON_H_
