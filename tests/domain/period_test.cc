#include "qledger/domain/period.h"

#include <gtest/gtest.h>

namespace qledger::domain {
namespace {

TEST(PeriodTest, QuarterParsesAndPrints) {
  auto q = Quarter::Parse("2026Q3");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->year, 2026);
  EXPECT_EQ(q->q, 3);
  EXPECT_EQ(q->ToString(), "2026Q3");
}

TEST(PeriodTest, QuarterPrintsFourDigitYearsAndOthersAlike) {
  EXPECT_EQ((Quarter{1000, 1}.ToString()), "1000Q1");
  EXPECT_EQ((Quarter{1900, 4}.ToString()), "1900Q4");
  EXPECT_EQ((Quarter{9999, 2}.ToString()), "9999Q2");
  // Outside four digits, the general path pads to four as before.
  EXPECT_EQ((Quarter{999, 3}.ToString()), "0999Q3");
  EXPECT_EQ((Quarter{10000, 1}.ToString()), "10000Q1");
}

TEST(PeriodTest, QuarterRejectsMalformedText) {
  for (const char* bad : {"", "2026Q0", "2026Q5", "2026q3", "2026-Q3", "26Q3", "2026Q33", "1899Q1", "2026-07"}) {
    EXPECT_FALSE(Quarter::Parse(bad).has_value()) << bad;
  }
}

TEST(PeriodTest, QuarterMonthsAreItsThreeMonths) {
  EXPECT_EQ(Quarter::Parse("2026Q3")->Months(), (std::array<std::string, 3>{"2026-07", "2026-08", "2026-09"}));
  EXPECT_EQ(Quarter::Parse("2026Q1")->Months(), (std::array<std::string, 3>{"2026-01", "2026-02", "2026-03"}));
  EXPECT_EQ(Quarter::Parse("2026Q4")->Months(), (std::array<std::string, 3>{"2026-10", "2026-11", "2026-12"}));
}

TEST(PeriodTest, PreviousQuarterCrossesTheYear) {
  EXPECT_EQ(Quarter::Parse("2026Q1")->Previous().ToString(), "2025Q4");
  EXPECT_EQ(Quarter::Parse("2026Q3")->Previous().ToString(), "2026Q2");
}

TEST(PeriodTest, QuartersOrderByYearThenQuarter) {
  EXPECT_LT(*Quarter::Parse("2025Q4"), *Quarter::Parse("2026Q1"));
  EXPECT_LT(*Quarter::Parse("2026Q1"), *Quarter::Parse("2026Q2"));
  EXPECT_EQ(*Quarter::Parse("2026Q2"), (Quarter{2026, 2}));
}

TEST(PeriodTest, MonthBelongsToItsQuarter) {
  EXPECT_EQ(QuarterOfMonth("2026-07")->ToString(), "2026Q3");
  EXPECT_EQ(QuarterOfMonth("2026-09")->ToString(), "2026Q3");
  EXPECT_EQ(QuarterOfMonth("2026-10")->ToString(), "2026Q4");
  EXPECT_EQ(QuarterOfMonth("2026-01")->ToString(), "2026Q1");
  EXPECT_EQ(QuarterOfMonth("2026-12")->ToString(), "2026Q4");
  EXPECT_FALSE(QuarterOfMonth("2026-13").has_value());
  EXPECT_FALSE(QuarterOfMonth("2026Q3").has_value());
}

TEST(PeriodTest, MonthYearAndDateFormats) {
  EXPECT_TRUE(IsMonth("2026-07"));
  EXPECT_FALSE(IsMonth("2026-7"));
  EXPECT_FALSE(IsMonth("2026-00"));
  EXPECT_FALSE(IsMonth("2026-07-01"));
  EXPECT_TRUE(IsYear("2026"));
  EXPECT_FALSE(IsYear("26"));
  EXPECT_FALSE(IsYear("2026Q1"));
  EXPECT_TRUE(IsDate("2026-08-03"));
  EXPECT_TRUE(IsDate("2024-02-29"));   // leap year
  EXPECT_FALSE(IsDate("2026-02-29"));  // not a leap year
  EXPECT_FALSE(IsDate("2026-04-31"));
  EXPECT_FALSE(IsDate("2026-8-3"));
  EXPECT_FALSE(IsDate("2026-08-03T10:00"));
}

TEST(PeriodTest, DateTimeAcceptsZonesAndSpace) {
  EXPECT_TRUE(IsDateTime("2026-08-14T09:30"));
  EXPECT_TRUE(IsDateTime("2026-08-14T09:30:00"));
  EXPECT_TRUE(IsDateTime("2026-08-14T09:30:00.123Z"));
  EXPECT_TRUE(IsDateTime("2026-08-14T09:30:00+08:00"));
  EXPECT_TRUE(IsDateTime("2026-08-14 09:30"));
  EXPECT_FALSE(IsDateTime("2026-08-14"));  // a bare date is not a date-time
  EXPECT_FALSE(IsDateTime("2026-08-14T24:00"));
  EXPECT_FALSE(IsDateTime("2026-08-14T09:30+0800"));
  EXPECT_FALSE(IsDateTime("2026-08-14T09:30:00X"));
}

TEST(PeriodTest, ParseInstantAppliesTheOffset) {
  // 2026-08-14T09:30:00+08:00 is 01:30 UTC.
  EXPECT_EQ(ParseInstant("2026-08-14T09:30:00+08:00"), ParseInstant("2026-08-14T01:30:00Z"));
  EXPECT_EQ(ParseInstant("2026-08-14T01:30:00"), ParseInstant("2026-08-14T01:30:00Z"));
  EXPECT_EQ(*ParseInstant("1970-01-02"), 86400);
  EXPECT_EQ(*ParseInstant("1970-01-01T00:01:01Z"), 61);
}

TEST(PeriodTest, FormatUtcRoundTripsParseInstant) {
  for (const char* t : {"2026-08-03T09:00:00Z", "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z"}) {
    auto s = ParseInstant(t);
    ASSERT_TRUE(s.has_value()) << t;
    EXPECT_EQ(FormatUtc(*s), t);
  }
  EXPECT_EQ(NowUtc().size(), std::string("2026-08-03T09:00:00Z").size());
}

}  // namespace
}  // namespace qledger::domain
