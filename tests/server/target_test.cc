#include "qledger/server/target.h"

#include <gtest/gtest.h>

namespace qledger::server {
namespace {

TEST(TargetTest, SplitsPathSegmentsAndRepeatedQueryParameters) {
  auto t = Target::Parse("/v1/quarters/2026Q3/scores?as_of=200&without=a&without=b");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path(), "/v1/quarters/2026Q3/scores");
  EXPECT_EQ(t->segments(), (std::vector<std::string>{"v1", "quarters", "2026Q3", "scores"}));
  EXPECT_EQ(t->All("without"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*t->One("as_of"), "200");
}

TEST(TargetTest, DecodesPercentEscapesAndKeepsPlus) {
  auto t = Target::Parse("/v1/x?as_of=2026-08-03T10%3A00%2B08:00&d=a+b");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t->One("as_of"), "2026-08-03T10:00+08:00");
  EXPECT_EQ(*t->One("d"), "a+b");
}

TEST(TargetTest, RejectsMalformedPercentEscapeNamingTheParameter) {
  auto t = Target::Parse("/v1/events?type=%zz");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), domain::StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message(), "query parameter \"type=%zz\" holds a malformed percent escape");
  EXPECT_FALSE(Target::Parse("/v1/events%4").ok());
}

TEST(TargetTest, RejectsTargetsThatAreNotOriginForm) {
  auto t = Target::Parse("http://example.com/v1/head");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), "request target \"http://example.com/v1/head\" is not a path starting with /");
}

TEST(TargetTest, OneRejectsARepeatedSingleValuedParameter) {
  auto t = Target::Parse("/v1/x?as_of=1&as_of=2");
  ASSERT_TRUE(t.ok());
  auto one = t->One("as_of");
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.status().message(), "as_of: given more than once");
}

TEST(TargetTest, CheckAllowedNamesTheUnknownParameter) {
  auto t = Target::Parse("/v1/x?as_off=1");
  ASSERT_TRUE(t.ok());
  domain::Status s = t->CheckAllowed({"as_of", "without"});
  EXPECT_EQ(s.code(), domain::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "query parameter \"as_off\" is not known here (known: as_of, without)");
}

}  // namespace
}  // namespace qledger::server
