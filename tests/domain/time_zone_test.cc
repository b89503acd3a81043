// The ledger's time zone (domain/time_zone.h): zoneless times read in it,
// dates as points in history ending with the day there, local display.
#include "qledger/domain/time_zone.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "qledger/domain/period.h"

namespace qledger::domain {
namespace {

int64_t Utc(const char* s) { return *ParseInstant(s); }

TEST(TimeZoneTest, ShanghaiReadsZonelessTimesAsUtcPlusEight) {
  TimeZone tz = TimeZone::Default();
  EXPECT_EQ(tz.name(), "Asia/Shanghai");
  EXPECT_EQ(ParseInstantIn("2026-12-03T09:30", tz), Utc("2026-12-03T01:30:00Z"));
  EXPECT_EQ(ParseInstantIn("2026-12-03 09:30:15", tz), Utc("2026-12-03T01:30:15Z"));
  EXPECT_EQ(ParseInstantIn("2026-12-03T09:30+09:00", tz), Utc("2026-12-03T00:30:00Z")) << "an offset is as written";
  EXPECT_EQ(ParseInstantIn("2026-12-03T09:30Z", tz), Utc("2026-12-03T09:30:00Z"));
  EXPECT_EQ(ParseInstantIn("2026-12-03", tz), Utc("2026-12-02T16:00:00Z")) << "a date is its start there";
  EXPECT_EQ(ParsePointIn("2026-09-30", tz), Utc("2026-09-30T15:59:59Z")) << "as a point: the end of the day there";
  EXPECT_EQ(ParsePointIn("2026-09-30T10:00", tz), Utc("2026-09-30T02:00:00Z"));
  EXPECT_EQ(ParseInstantIn("yesterday", tz), std::nullopt);
  EXPECT_EQ(FormatLocal(Utc("2026-12-01T23:35:27Z"), tz), "2026-12-02 07:35:27 +08:00");
  EXPECT_EQ(HundredthsOfHoursBetween("2026-12-03 09:30", "2026-12-03T11:30+08:00", tz), 200);
}

TEST(TimeZoneTest, AZoneOutsideTheTzDatabaseIsRefusedNeverTakenAsUtc) {
  for (const char* name : {"Mars/Olympus_Mons", "", "../../etc/passwd", "/etc/localtime", "Asia"}) {
    auto tz = TimeZone::Load(name);
    EXPECT_FALSE(tz.ok()) << name;
    EXPECT_EQ(tz.status().code(), StatusCode::kInvalidArgument);
  }
  ASSERT_TRUE(TimeZone::Load("UTC").ok());
  EXPECT_EQ(ParseInstantIn("2026-12-03T09:30", *TimeZone::Load("UTC")), Utc("2026-12-03T09:30:00Z"));
}

TEST(TimeZoneTest, AZoneWithDaylightSavingTakesTheOffsetOfEachDate) {
  if (!std::filesystem::exists("/usr/share/zoneinfo/Europe/Berlin")) GTEST_SKIP() << "no tzdata on this machine";
  auto berlin = TimeZone::Load("Europe/Berlin");
  ASSERT_TRUE(berlin.ok()) << berlin.status().message();
  EXPECT_EQ(ParseInstantIn("2026-01-15T12:00", *berlin), Utc("2026-01-15T11:00:00Z"));  // CET, +1
  EXPECT_EQ(ParseInstantIn("2026-07-15T12:00", *berlin), Utc("2026-07-15T10:00:00Z"));  // CEST, +2
  EXPECT_EQ(FormatLocal(Utc("2026-07-15T10:00:00Z"), *berlin), "2026-07-15 12:00:00 +02:00");
}

}  // namespace
}  // namespace qledger::domain
