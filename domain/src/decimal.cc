#include "qledger/domain/decimal.h"

#include <charconv>
#include <cstdlib>

#include <boost/json.hpp>

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
    return InvalidArgument("\"" + std::string(text) + "\" is not a decimal number");
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

Result<Decimal> Decimal::FromJson(const boost::json::value& v) {
  if (v.is_string()) {
    const auto& s = v.get_string();
    return Parse(std::string_view(s.data(), s.size()));
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
  return h_ < 0 ? "-" + out : out;
}

int64_t DivRoundHalfUp(Int128 num, int64_t den) {
  bool negative = num < 0;
  Int128 a = negative ? -num : num;
  Int128 q = (a * 2 + den) / (2 * static_cast<Int128>(den));
  return static_cast<int64_t>(negative ? -q : q);
}

}  // namespace qledger::domain
