#include "qledger/domain/decimal.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace qledger::domain {
namespace {

Decimal D(std::string_view text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status().message();
  return d.ok() ? *d : Decimal();
}

TEST(DecimalTest, ParsesWholeOneAndTwoDecimalsAndSigns) {
  EXPECT_EQ(D("96").hundredths(), 9600);
  EXPECT_EQ(D("96.5").hundredths(), 9650);
  EXPECT_EQ(D("96.50").hundredths(), 9650);
  EXPECT_EQ(D("0.01").hundredths(), 1);
  EXPECT_EQ(D("-1").hundredths(), -100);
  EXPECT_EQ(D("+2.25").hundredths(), 225);
  EXPECT_EQ(D("-0.50").hundredths(), -50);
}

TEST(DecimalTest, RejectsMoreThanTwoDecimals) {
  auto d = Decimal::Parse("96.505");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().message(), "96.505 has more than two decimals");
}

TEST(DecimalTest, RejectsNonNumericText) {
  for (const char* bad : {"", "abc", "1e2", "1.", ".5", "1,5", "--1", "9 6", "0x10"}) {
    auto d = Decimal::Parse(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(Decimal::Parse("").status().message(), "empty number");
  EXPECT_EQ(Decimal::Parse("1e2").status().message(), "\"1e2\" is not a decimal number");
}

TEST(DecimalTest, ToStringAlwaysHasTwoDecimals) {
  EXPECT_EQ(Decimal::FromHundredths(9650).ToString(), "96.50");
  EXPECT_EQ(Decimal::FromHundredths(0).ToString(), "0.00");
  EXPECT_EQ(Decimal::FromHundredths(-50).ToString(), "-0.50");
  EXPECT_EQ(Decimal::FromHundredths(-1005).ToString(), "-10.05");
  EXPECT_EQ(Decimal::FromInt(10000).ToString(), "10000.00");
  EXPECT_EQ(Decimal::FromHundredths(7).ToString(), "0.07");
}

TEST(DecimalTest, FromJsonTreatsNumberAndStringAlike) {
  auto from_number = Decimal::FromJson(boost::json::parse("96.5"));
  auto from_string = Decimal::FromJson(boost::json::parse("\"96.50\""));
  auto from_int = Decimal::FromJson(boost::json::parse("96"));
  ASSERT_TRUE(from_number.ok());
  ASSERT_TRUE(from_string.ok());
  ASSERT_TRUE(from_int.ok());
  EXPECT_EQ(from_number->ToString(), "96.50");
  EXPECT_EQ(*from_number, *from_string);
  EXPECT_EQ(from_int->ToString(), "96.00");
  // 0.1 and 0.29 are not exact as doubles; the shortest round-trip text is.
  EXPECT_EQ(Decimal::FromJson(boost::json::parse("0.1"))->ToString(), "0.10");
  EXPECT_EQ(Decimal::FromJson(boost::json::parse("0.29"))->ToString(), "0.29");
  EXPECT_EQ(Decimal::FromJson(boost::json::parse("-0.5"))->ToString(), "-0.50");
}

TEST(DecimalTest, FromJsonRejectsANumberWithThreeDecimals) {
  auto d = Decimal::FromJson(boost::json::parse("96.505"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("more than two decimals"), std::string::npos) << d.status().message();
}

TEST(DecimalTest, FromJsonRejectsNonNumbers) {
  for (const char* bad : {"true", "null", "[]", "{}", "\"x\""}) {
    EXPECT_FALSE(Decimal::FromJson(boost::json::parse(bad)).ok()) << bad;
  }
  EXPECT_EQ(Decimal::FromJson(boost::json::parse("true")).status().message(), "expected a decimal number");
}

TEST(DecimalTest, ArithmeticAndOrderingAreExact) {
  EXPECT_EQ((D("0.10") + D("0.20")), D("0.30"));
  EXPECT_EQ((D("95.00") - D("94.99")).ToString(), "0.01");
  EXPECT_EQ((D("10.00") * 3).ToString(), "30.00");
  EXPECT_EQ((-D("1.25")).ToString(), "-1.25");
  EXPECT_LT(D("94.99"), D("95.00"));
  EXPECT_GT(D("95.01"), D("95"));
}

TEST(DecimalTest, DivRoundHalfUpRoundsHalvesAwayFromZero) {
  EXPECT_EQ(DivRoundHalfUp(5, 2), 3);    // 2.5 -> 3
  EXPECT_EQ(DivRoundHalfUp(7, 3), 2);    // 2.33 -> 2
  EXPECT_EQ(DivRoundHalfUp(8, 3), 3);    // 2.67 -> 3
  EXPECT_EQ(DivRoundHalfUp(4, 2), 2);
  EXPECT_EQ(DivRoundHalfUp(-5, 2), -3);  // -2.5 -> -3
  EXPECT_EQ(DivRoundHalfUp(-7, 3), -2);
  EXPECT_EQ(DivRoundHalfUp(0, 7), 0);
  // 27001 hundredths / 3 = 9000.333... -> 9000; 27002 / 3 = 9000.666... -> 9001.
  EXPECT_EQ(DivRoundHalfUp(27001, 3), 9000);
  EXPECT_EQ(DivRoundHalfUp(27002, 3), 9001);
}

TEST(DecimalTest, ClampKeepsWithinBounds) {
  EXPECT_EQ(Clamp(D("-3"), D("0"), D("100")), D("0"));
  EXPECT_EQ(Clamp(D("101"), D("0"), D("100")), D("100"));
  EXPECT_EQ(Clamp(D("50.5"), D("0"), D("100")), D("50.5"));
}

}  // namespace
}  // namespace qledger::domain
