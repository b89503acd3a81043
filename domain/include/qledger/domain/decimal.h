// Decimal: an exact fixed-point number with two decimals, stored as a count
// of hundredths. Scores are points, money is yuan (hundredths = fen).
// No floating point is ever used to compute with a Decimal.
#ifndef QLEDGER_DOMAIN_DECIMAL_H_
#define QLEDGER_DOMAIN_DECIMAL_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>

#include "qledger/domain/status.h"

namespace qledger::domain {

// 128-bit intermediate for weighted sums and money products.
__extension__ typedef __int128 Int128;

class Decimal {
 public:
  constexpr Decimal() = default;
  static constexpr Decimal FromHundredths(int64_t h) { return Decimal(h); }
  static constexpr Decimal FromInt(int64_t units) { return Decimal(units * 100); }

  // Parses "96.5", "96.50", "-1", "+2.25". Rejects more than two decimals,
  // exponents, empty or non-numeric text. The error says why, without naming
  // the field: the caller prefixes that.
  static Result<Decimal> Parse(std::string_view text);

  // Accepts a JSON string (as Parse) or a JSON number. A number is read back
  // through its shortest round-trip text, so 96.5 and "96.50" are the same
  // and 96.505 is rejected for its third decimal.
  static Result<Decimal> FromJson(const boost::json::value& v);

  constexpr int64_t hundredths() const { return h_; }

  // Always two decimals: "96.50", "-0.50", "0.00".
  std::string ToString() const;

  constexpr auto operator<=>(const Decimal&) const = default;
  constexpr Decimal operator+(Decimal o) const { return Decimal(h_ + o.h_); }
  constexpr Decimal operator-(Decimal o) const { return Decimal(h_ - o.h_); }
  constexpr Decimal operator-() const { return Decimal(-h_); }
  constexpr Decimal& operator+=(Decimal o) { h_ += o.h_; return *this; }
  constexpr Decimal& operator-=(Decimal o) { h_ -= o.h_; return *this; }
  constexpr Decimal operator*(int64_t k) const { return Decimal(h_ * k); }

 private:
  constexpr explicit Decimal(int64_t h) : h_(h) {}
  int64_t h_ = 0;
};

// num / den rounded half up (half away from zero for negatives) to an integer.
// REQUIRES: den > 0
int64_t DivRoundHalfUp(Int128 num, int64_t den);

constexpr Decimal Clamp(Decimal v, Decimal lo, Decimal hi) {
  return v < lo ? lo : (hi < v ? hi : v);
}

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_DECIMAL_H_
