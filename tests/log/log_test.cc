// log::Write's lines, read back from the real stderr: each kind of field
// (string, signed, unsigned, double, bool, and a value only Boost.JSON
// converts) written as text and as JSON, with the quoting and escaping the
// operators' queries rely on.
#include "qledger/log/log.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

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

}  // namespace
}  // namespace qledger::log
