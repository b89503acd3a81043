#include "qledger/domain/decimal.h"

#include <charconv>
#include <cstdlib>

#include <boost/json.hpp>

#include "qledger/domain/exact_json.h"

namespace qledger::domain {

Result<Decimal> Decimal::Parse(std::string_view text) {
  std::string_view s = text;
  if (s.empty()) return InvalidArgument("empty number");
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  auto all_digits = [](std::string_view d) {
    for (char c : d) if (c < '0' || c > '9') return false;
    return true;
  };
  if (whole.empty() || !all_digits(whole) || !all_digits(frac) ||
      (dot != std::string_view::npos && frac.empty())) {
    std::string quoted(1, '"');
    quoted.append(text);
    return InvalidArgument(quoted + "\" is not a decimal number");
  }
  if (frac.size() > 2) {
    return InvalidArgument(std::string(text) + " has more than two decimals");
  }
  if (whole.size() > 12) {
    return InvalidArgument(std::string(text) + " is too large");
  }
  int64_t h = 0;
  for (char c : whole) h = h * 10 + (c - '0');
  int64_t f = 0;
  for (size_t i = 0; i < 2; ++i) f = f * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  h = h * 100 + f;
  return Decimal(negative ? -h : h);
}

namespace {

// "9.65e1" -> "96.5": a JSON number's exponent applied by moving the decimal
// point in the text, so that no double is involved. Other text is returned
// as it is (and rejected by Parse if malformed).
std::string WithoutExponent(std::string_view s) {
  size_t e = s.find_first_of("eE");
  if (e == std::string_view::npos) return std::string(s);
  std::string_view mantissa = s.substr(0, e);
  int exponent = 0;
  auto [p, ec] = std::from_chars(s.data() + e + 1 + (s.size() > e + 1 && s[e + 1] == '+'), s.data() + s.size(), exponent);
  if (ec != std::errc() || p != s.data() + s.size() || exponent > 30 || exponent < -30) return std::string(s);
  std::string sign;
  if (!mantissa.empty() && mantissa.front() == '-') {
    sign = "-";
    mantissa.remove_prefix(1);
  }
  size_t dot = mantissa.find('.');
  std::string digits(mantissa.substr(0, dot));
  int point = static_cast<int>(digits.size());
  if (dot != std::string_view::npos) digits += mantissa.substr(dot + 1);
  point += exponent;
  if (point <= 0) {
    digits.insert(0, static_cast<size_t>(1 - point), '0');
    point = 1;
  }
  if (point >= static_cast<int>(digits.size())) digits.append(static_cast<size_t>(point) - digits.size(), '0');
  std::string whole = digits.substr(0, static_cast<size_t>(point));
  std::string frac = digits.substr(static_cast<size_t>(point));
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out = sign;
  out += whole;
  if (!frac.empty()) {
    out += '.';
    out += frac;
  }
  return out;
}

}  // namespace

Result<Decimal> Decimal::FromJson(const boost::json::value& v) {
  if (v.is_string()) {
    std::string_view s(v.get_string().data(), v.get_string().size());
    // A number kept as its source text by ParseExactJson.
    if (!s.empty() && s.front() == kNumberMarker) {
      s.remove_prefix(1);
      return Parse(WithoutExponent(s));
    }
    return Parse(s);
  }
  if (v.is_int64()) {
    int64_t i = v.get_int64();
    if (i > 1'000'000'000'000 || i < -1'000'000'000'000) return InvalidArgument(std::to_string(i) + " is too large");
    return Decimal(i * 100);
  }
  if (v.is_uint64()) return InvalidArgument(std::to_string(v.get_uint64()) + " is too large");
  if (v.is_double()) {
    // The parser gave us a double; its shortest round-trip text is the
    // literal the writer meant (up to 15 significant digits), which we then
    // read exactly. No arithmetic is done on the double.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double(), std::chars_format::fixed);
    if (ec != std::errc()) return InvalidArgument("number out of range");
    return Parse(std::string_view(buf, end - buf));
  }
  return InvalidArgument("expected a decimal number");
}

std::string Decimal::ToString() const {
  uint64_t a = h_ < 0 ? uint64_t(0) - uint64_t(h_) : uint64_t(h_);
  std::string out = std::to_string(a / 100);
  out += '.';
  out += char('0' + (a % 100) / 10);
  out += char('0' + a % 10);
  if (h_ < 0) out.insert(out.begin(), '-');
  return out;
}

int64_t DivRoundHalfUp(Int128 num, int64_t den) {
  bool negative = num < 0;
  Int128 a = negative ? -num : num;
  Int128 q = (a * 2 + den) / (2 * static_cast<Int128>(den));
  return static_cast<int64_t>(negative ? -q : q);
}

}  // namespace qledger::domain
