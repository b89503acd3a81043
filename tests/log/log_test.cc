// log::Write's lines, read back from the real stderr: each kind of field
// (string, signed, unsigned, double, bool, and a value only Boost.JSON
// converts) written as text and as JSON, with the quoting and escaping the
// operators' queries rely on.
#include "qledger/log/log.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>

namespace qledger::log {
namespace {

std::string WriteOne(Format format) {
  Configure(format, Level::info);
  std::string temporary = "made for the call";
  ::testing::internal::CaptureStderr();
  Write(Level::info, "access",
        {{"target", "/v1/quarters/2026Q3/scores?format=csv"},
         {"plain", "/v1/head"},
         {"quoted", std::string("two words \"and\" a=sign")},
         {"temporary", temporary + "!"},
         {"empty", ""},
         {"status", 200},
         {"negative", int64_t{-5}},
         {"bytes", size_t{5559}},
         {"duration_ms", 0.596},
         {"whole", 2.0},
         {"cached", true},
         {"none", std::optional<int>()},
         {"list", std::vector<int>{1, 2}}});
  std::string out = ::testing::internal::GetCapturedStderr();
  Configure(Format::kText, Level::info);
  return out;
}

// '=' in a value is quoted too: `target=/a?b=c` would read as two fields.
TEST(LogTest, TextLinesQuoteOnlyTheStringsThatNeedItAndWriteNumbersShortest) {
  std::string line = WriteOne(Format::kText);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  const std::string want =
      " info access target=\"/v1/quarters/2026Q3/scores?format=csv\" plain=/v1/head quoted=\"two words \\\"and\\\" a=sign\""
      " temporary=\"made for the call!\" empty=\"\" status=200 negative=-5 bytes=5559 duration_ms=0.596"
      " whole=2 cached=true none=null list=[1,2]\n";
  ASSERT_GE(line.size(), want.size());
  EXPECT_EQ(line.substr(line.size() - want.size()), want) << line;
}

TEST(LogTest, JsonLinesHoldEachFieldWithItsType) {
  std::string line = WriteOne(Format::kJson);
  boost::json::error_code ec;
  boost::json::value v = boost::json::parse(line, ec);
  ASSERT_FALSE(ec) << line;
  const boost::json::object& o = v.as_object();
  EXPECT_EQ(o.at("level"), "info");
  EXPECT_EQ(o.at("msg"), "access");
  EXPECT_EQ(o.at("target"), "/v1/quarters/2026Q3/scores?format=csv");
  EXPECT_EQ(o.at("plain"), "/v1/head");
  EXPECT_EQ(o.at("quoted"), "two words \"and\" a=sign");
  EXPECT_EQ(o.at("temporary"), "made for the call!");
  EXPECT_EQ(o.at("empty"), "");
  EXPECT_EQ(o.at("status").as_int64(), 200);
  EXPECT_EQ(o.at("negative").as_int64(), -5);
  EXPECT_EQ(o.at("bytes").to_number<uint64_t>(), 5559u);
  EXPECT_DOUBLE_EQ(o.at("duration_ms").as_double(), 0.596);
  EXPECT_NE(line.find("\"duration_ms\":0.596,"), std::string::npos) << line;  // shortest, not 5.96E-1
  EXPECT_EQ(o.at("cached"), true);
  EXPECT_TRUE(o.at("none").is_null());
  EXPECT_EQ(o.at("list"), (boost::json::array{1, 2}));
}

// The line formatter writes what spdlog's own pattern formatter writes for
// the documented patterns: the same instant to the millisecond, the local
// zone, the level's name, the message, the end of line. One formatter is
// reused across seconds (it keeps the date of the last one), forwards and
// back, and in a zone east and one west of UTC.
TEST(LogTest, LinesAreWhatSpdlogsPatternWrites) {
  const std::string saved_tz = std::getenv("TZ") ? std::getenv("TZ") : "";
  const bool had_tz = std::getenv("TZ") != nullptr;
  for (const char* tz : {"UTC0", "CST-8", "NST3:30"}) {
    ::setenv("TZ", tz, 1);
    ::tzset();
    for (Format format : {Format::kText, Format::kJson}) {
      spdlog::pattern_formatter pattern(format == Format::kJson
                                            ? "{\"time\":\"%Y-%m-%dT%H:%M:%S.%e%z\",\"level\":\"%l\",%v}"
                                            : "%Y-%m-%dT%H:%M:%S.%e%z %l %v");
      std::unique_ptr<spdlog::formatter> ours = NewLineFormatter(format);
      const auto base = std::chrono::system_clock::time_point(std::chrono::seconds(1796203199));  // 2026-12-02T07:59:59Z
      const int64_t offsets_ms[] = {0, 7, 999, 1000, 1042, 61500, 999, 86400000 + 5, -3600000 - 1, 0};
      for (int64_t offset : offsets_ms) {
        for (Level level : {Level::info, Level::warn, Level::err}) {
          spdlog::details::log_msg msg(spdlog::source_loc{}, "qledger", level, "\"msg\":\"access\",\"status\":200");
          msg.time = base + std::chrono::milliseconds(offset);
          spdlog::memory_buf_t want, got;
          pattern.format(msg, want);
          ours->format(msg, got);
          EXPECT_EQ(fmt::to_string(got), fmt::to_string(want)) << "TZ=" << tz << " offset " << offset << " ms";
        }
      }
    }
  }
  if (had_tz) {
    ::setenv("TZ", saved_tz.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

}  // namespace
}  // namespace qledger::log
