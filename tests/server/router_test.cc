// The router as a pure function from Request to Response, against a real
// RocksDB ledger (the demo ledger) opened as a follower. No socket.
#include "qledger/server/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "demo_follower.h"
#include "http_test_client.h"
#include "demo_ledger.h"
#include "qledger/server/follower.h"
#include "qledger/server/metrics.h"
#include "qledger_test_support.h"

namespace qledger::server {
namespace {

namespace json = boost::json;
using qledger::testing::kDemoHeadSeq;
using qledger::testing::TempDir;

Request Get(const std::string& target) { return Request{"GET", target, "", "", ""}; }

json::value Body(const Response& r) { return json::parse(r.body); }

class RouterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    follower_ = qledger::testing::OpenDemoFollower(*dir_).release();
    ASSERT_NE(follower_, nullptr);
  }
  static void TearDownTestSuite() {
    delete follower_;
    delete dir_;
  }
  void SetUp() override { router_ = std::make_unique<Router>(*follower_, metrics_); }

  // The problem's detail, after checking that r is a problem+json of status.
  static std::string ProblemDetail(const Response& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.content_type, "application/problem+json");
    json::object o = json::parse(r.body).as_object();
    EXPECT_EQ(o.at("status").as_int64(), status);
    EXPECT_EQ(o.at("type").as_string(), "about:blank");
    EXPECT_FALSE(o.at("title").as_string().empty());
    return std::string(o.at("detail").as_string());
  }

  static TempDir* dir_;
  static Follower* follower_;
  Metrics metrics_;
  std::unique_ptr<Router> router_;
};

TempDir* RouterTest::dir_ = nullptr;
Follower* RouterTest::follower_ = nullptr;

TEST_F(RouterTest, RouteTableEqualsThePathsOfTheOpenApiFile) {
  json::value spec = json::parse(qledger::testing::ReadFile(qledger::testing::SourcePath("docs/openapi.json")));
  EXPECT_EQ(std::string(spec.at("openapi").as_string()).substr(0, 2), "3.");
  std::set<std::string> documented;
  for (const auto& p : spec.at("paths").as_object()) documented.insert(std::string(p.key()));
  auto paths = Router::Paths();
  EXPECT_EQ(std::set<std::string>(paths.begin(), paths.end()), documented);
}

TEST_F(RouterTest, ScoresOfAQuarterFollowTheDemoTotals) {
  Response r = router_->Handle(Get("/v1/quarters/2026Q1/scores"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  json::array a = Body(r).as_array();
  ASSERT_EQ(a.size(), 7u);  // the seven departments of config/policy.json, in policy order
  // config/demo/README.md: orders 2026Q1 = 0.5×91.10 + 0.3×98.17 + 0.2×100.00
  // = 45.55 + 29.451 + 20.00 = 95.001 → 95.00, exactly the grade line: qualified, no money.
  json::object orders = a[3].as_object();
  EXPECT_EQ(orders.at("department").as_string(), "orders");
  EXPECT_EQ(orders.at("total").as_string(), "95.00");
  EXPECT_EQ(orders.at("grade").as_string(), "qualified");
  EXPECT_EQ(orders.at("amount").as_string(), "0.00");
  EXPECT_EQ(orders.at("status").as_string(), "approved");
  EXPECT_EQ(r.body.back(), '\n');  // like the CLI's output
}

TEST_F(RouterTest, DepartmentDerivationWithoutTheRulingReturnsThePublishedScore) {
  // 2026Q2 bidding: published 96.25 at approval; after reopening, response
  // 85.50 was rescored to 93.00 → 97.00 now. Leaving the ruling out undoes
  // only that (the dispute itself changes nothing): 96.25 again, reward
  // (96.25 − 95) × 2000 = 2500.00.
  Response now = router_->Handle(Get("/v1/quarters/2026Q2/departments/bidding"));
  ASSERT_EQ(now.status, 200) << now.body;
  json::object o = Body(now).as_object();
  EXPECT_FALSE(o.at("hypothetical").as_bool());
  EXPECT_EQ(o.at("score").at("total").as_string(), "97.00");
  EXPECT_FALSE(o.at("steps").as_array().empty());

  Response what_if = router_->Handle(Get("/v1/quarters/2026Q2/departments/bidding?without=2026Q2-bidding-ruling-01"));
  ASSERT_EQ(what_if.status, 200) << what_if.body;
  json::object w = Body(what_if).as_object();
  EXPECT_TRUE(w.at("hypothetical").as_bool());
  EXPECT_EQ(w.at("score").at("total").as_string(), "96.25");
  EXPECT_EQ(w.at("score").at("amount").as_string(), "2500.00");
}

TEST_F(RouterTest, AsOfASeqScoresTheLedgerAsItWasThen) {
  // as_of the approval of 2026Q2 (seq 214): bidding 96.25 as published.
  Response r = router_->Handle(Get("/v1/quarters/2026Q2/departments/bidding?as_of=214"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r).at("score").at("total").as_string(), "96.25");
  EXPECT_EQ(Body(r).at("score").at("as_of_seq").as_int64(), 214);
}

TEST_F(RouterTest, UnknownPathIs404ProblemNamingThePath) {
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/nothing")), 404), "no resource at /v1/nothing (see /v1/… in docs/api.md)");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1")), 404),
            "no resource at /v1/quarters/2026Q1 (see /v1/… in docs/api.md)");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters//scores")), 404),
            "no resource at /v1/quarters//scores (see /v1/… in docs/api.md)");
}

// SPEC §6: "GET and HEAD only, anything else 405" — OPTIONS too, on any
// path, while CORS is off (the default).
TEST_F(RouterTest, EveryMethodButGetAndHeadIs405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    for (const char* path : {"/v1/head", "/v1/nothing"}) {
      Response r = router_->Handle(Request{method, path, "", "", ""});
      EXPECT_EQ(ProblemDetail(r, 405),
                std::string("method ") + method + " is not allowed: this API is read-only (GET, HEAD)");
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"Allow", "GET, HEAD"}));
    }
  }
  EXPECT_EQ(router_->Handle(Request{"HEAD", "/v1/head", "", "", ""}).status, 200);
}

// CORS is off until origins are allowed, and then only those get the
// Access-Control headers and a preflight (OPTIONS 204); OPTIONS from any
// other origin stays a 405.
TEST_F(RouterTest, OptionsAnswersAndCorsIsOnlyForTheOriginsAllowed) {
  auto header = [](const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return std::string();
  };
  Response options = router_->Handle(Request{"OPTIONS", "/v1/head", "", "https://dash.example.com", ""});
  EXPECT_EQ(options.status, 405);
  EXPECT_EQ(header(options, "Allow"), "GET, HEAD");
  EXPECT_EQ(header(options, "Access-Control-Allow-Methods"), "") << "CORS is off by default";
  EXPECT_EQ(header(router_->Handle(Request{"GET", "/v1/head", "", "https://dash.example.com", ""}),
                   "Access-Control-Allow-Origin"), "");

  router_->AllowOrigins({"https://dash.example.com"});
  Response preflight = router_->Handle(Request{"OPTIONS", "/v1/quarters/2026Q1/scores", "", "https://dash.example.com", ""});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.body, "");
  EXPECT_EQ(header(preflight, "Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(header(preflight, "Access-Control-Allow-Origin"), "https://dash.example.com");
  EXPECT_EQ(header(preflight, "Access-Control-Allow-Methods"), "GET, HEAD");
  EXPECT_EQ(header(preflight, "Access-Control-Allow-Headers"), "If-None-Match");
  Response get = router_->Handle(Request{"GET", "/v1/quarters/2026Q1/scores", "", "https://dash.example.com", ""});
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(header(get, "Access-Control-Allow-Origin"), "https://dash.example.com");
  EXPECT_EQ(header(get, "Access-Control-Expose-Headers"), "ETag");
  EXPECT_EQ(header(get, "Vary"), "Accept-Encoding, Origin");
  Response other = router_->Handle(Request{"GET", "/v1/quarters/2026Q1/scores", "", "https://evil.example.com", ""});
  EXPECT_EQ(header(other, "Access-Control-Allow-Origin"), "");
  EXPECT_EQ(header(other, "Vary"), "Accept-Encoding, Origin");
  Response foreign = router_->Handle(Request{"OPTIONS", "/v1/head", "", "https://evil.example.com", ""});
  EXPECT_EQ(foreign.status, 405);
  EXPECT_EQ(header(foreign, "Access-Control-Allow-Methods"), "");
  EXPECT_EQ(header(foreign, "Allow"), "GET, HEAD, OPTIONS");
  Response post = router_->Handle(Request{"POST", "/v1/head", "", "https://dash.example.com", ""});
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(header(post, "Allow"), "GET, HEAD, OPTIONS");
}

TEST_F(RouterTest, MalformedQuarterIs400NamingTheValue) {
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q5/scores")), 400),
            "quarter: \"2026Q5\" is not a quarter (YYYYQn: 2026Q3, also 2026q3, 2026-Q3 or 2026年第3季度)");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/July/departments/wuhan")), 400),
            "quarter: \"July\" is not a quarter (YYYYQn: 2026Q3, also 2026q3, 2026-Q3 or 2026年第3季度)");
}

TEST_F(RouterTest, BadAsOfIs400NamingTheValue) {
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1/scores?as_of=311")), 400),
            "as-of: seq 311 is beyond the ledger head (seq 310)");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1/scores?as_of=yesterday")), 400),
            "as-of: \"yesterday\" is neither a seq nor a date or date-time");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1/scores?as_of=1&as_of=2")), 400),
            "as_of: given more than once");
}

TEST_F(RouterTest, UnknownDepartmentIs404) {
  std::string detail = ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1/departments/finance")), 404);
  EXPECT_NE(detail.find("finance"), std::string::npos) << detail;
}

TEST_F(RouterTest, UnknownWithoutIdIs404AndUnknownParameterIs400) {
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1/scores?without=no-such-event")), 404),
            "without: no event \"no-such-event\" in the ledger");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1/scores?asof=3")), 400),
            "query parameter \"asof\" is not known here (known: as_of, without, format, lang)");
}

TEST_F(RouterTest, TheHeadRefusesAnUnknownParameterAlsoWhenItsAnswerIsReused) {
  ASSERT_EQ(router_->Handle(Get("/v1/head")).status, 200);  // the answer kept for reuse
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/head?zz=1")), 400),
              "query parameter \"zz\" is not known here (this endpoint takes none)");
  }
  EXPECT_EQ(router_->Handle(Get("/v1/head")).status, 200);
}

// A detail may quote what the request sent; bytes that are not UTF-8 are
// written as %XX there and in `instance`, so that the problem is still JSON.
TEST_F(RouterTest, AProblemQuotingBytesThatAreNotUtf8IsStillJsonAndNamesItsRequest) {
  struct Case {
    const char* target;
    int status;
    const char* detail;
  };
  for (const Case& c : {Case{"/v1/events?type=%FF", 400, "\"%FF\" is not a known event type"},
                        Case{"/v1/events?type=%C0%AF", 400, "\"%C0%AF\" is not a known event type"},
                        Case{"/v1/quarters/2026Q1/departments/%FF", 404, "%FF"},
                        Case{"/v1/quarters/2026Q1/scores?as_of=%E0%A4", 400, "%E0%A4"}}) {
    Response r = router_->Handle(Get(c.target));
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);  // Boost.JSON refuses text that is not UTF-8
    ASSERT_FALSE(ec) << c.target << ": " << r.body;
    EXPECT_THAT(ProblemDetail(r, c.status), ::testing::HasSubstr(c.detail)) << c.target;
    EXPECT_EQ(v.as_object().at("instance").as_string(), c.target);
  }
  // A byte that is not UTF-8 sent as it is, not percent-escaped: `instance`
  // writes it as %XX too.
  Response raw = router_->Handle(Get("/v1/events?type=\xff"));
  boost::system::error_code ec;
  json::value v = json::parse(raw.body, ec);
  ASSERT_FALSE(ec) << raw.body;
  EXPECT_EQ(raw.status, 400) << raw.body;
  EXPECT_EQ(v.as_object().at("instance").as_string(), "/v1/events?type=%FF");
}

TEST_F(RouterTest, LedgerResponsesCarryTheHeadETagAndIfNoneMatchGives304) {
  Response head = router_->Handle(Get("/v1/head"));
  ASSERT_EQ(head.status, 200);
  std::string hash(Body(head).at("hash").as_string());
  EXPECT_EQ(Body(head).at("seq").as_int64(), kDemoHeadSeq);
  std::string etag = "\"310-" + hash.substr(0, 16) + "\"";
  EXPECT_EQ(head.etag, etag);

  Response scores = router_->Handle(Get("/v1/quarters/2026Q3/scores"));
  EXPECT_EQ(scores.etag, etag);
  Response again = router_->Handle(Request{"GET", "/v1/quarters/2026Q3/scores", "W/\"1-x\", " + etag, "", ""});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.etag, etag);
  EXPECT_EQ(router_->Handle(Request{"GET", "/v1/quarters/2026Q3/scores", "\"309-0000\"", "", ""}).status, 200);
  // A problem is never 304, even with "*".
  EXPECT_EQ(router_->Handle(Request{"GET", "/v1/quarters/2026Q9/scores", "*", "", ""}).status, 400);
}

TEST_F(RouterTest, RepeatedRequestsAreServedFromTheCache) {
  Response first = router_->Handle(Get("/v1/quarters/2025Q4/scores"));
  size_t entries = router_->cache_size();
  uint64_t hits = router_->cache_hits();
  Response second = router_->Handle(Get("/v1/quarters/2025Q4/scores"));
  EXPECT_EQ(router_->cache_size(), entries);
  EXPECT_EQ(router_->cache_hits(), hits + 1) << "the second answer was not taken from the cache";
  EXPECT_EQ(first.body, second.body);
}

TEST_F(RouterTest, EverySpellingOfOneRequestIsOneCacheEntry) {
  Metrics m;
  Router fresh(*follower_, m);
  ASSERT_EQ(fresh.Handle(Get("/v1/quarters/2026Q2/departments/bidding?as_of=214")).status, 200);
  size_t entries = fresh.cache_size();
  // Percent-encoded spellings of the same path and parameter.
  for (const char* spelling : {"/v1/quarters/%32026Q2/departments/bidding?as_of=214",
                               "/v1/%71uarters/2026Q2/departments/bidding?as_of=214",
                               "/v1/quarters/2026Q2/departments/%62%69dding?%61s_of=%32%31%34",
                               "/v1/quarters/2026%51%32/departments/bidding?as_of=21%34"}) {
    Response r = fresh.Handle(Get(spelling));
    EXPECT_EQ(r.status, 200) << spelling;
  }
  EXPECT_EQ(fresh.cache_size(), entries) << "a spelling of the same request took a cache entry of its own";
  EXPECT_EQ(fresh.cache_hits(), 4u);
}

TEST_F(RouterTest, TheCacheStaysWithinItsBytes) {
  ResponseCache cache(1000, /*max_bytes=*/64 * 1024);
  auto body = std::make_shared<Response>();
  body->body = std::string(10 * 1024, 'x');
  for (int i = 0; i < 100; ++i) {
    cache.Put("key-" + std::to_string(i), 7, body);
    EXPECT_LE(cache.bytes(), 64u * 1024) << "after " << i + 1 << " entries";
  }
  EXPECT_GT(cache.size(), 0u);
  EXPECT_NE(cache.Get("key-99", 7), nullptr) << "the newest entry is kept";
}

TEST_F(RouterTest, CacheStaysWithinItsBound) {
  Metrics m;
  Router small(*follower_, m, 2);
  for (const char* q : {"2025Q4", "2026Q1", "2026Q2", "2026Q3"}) {
    ASSERT_EQ(small.Handle(Get(std::string("/v1/quarters/") + q + "/scores")).status, 200);
    EXPECT_LE(small.cache_size(), 2u);
  }
}

TEST_F(RouterTest, QuartersListsStatusesOfTheDemo) {
  Response r = router_->Handle(Get("/v1/quarters"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::array a = Body(r).as_array();
  ASSERT_EQ(a.size(), 5u);  // 2025Q4 … 2026Q4 (config/demo/README.md)
  EXPECT_EQ(a[0].at("quarter").as_string(), "2025Q4");
  EXPECT_EQ(a[0].at("status").as_string(), "approved");
  EXPECT_TRUE(a[0].as_object().contains("approved_seq"));
  EXPECT_EQ(a[2].at("quarter").as_string(), "2026Q2");
  EXPECT_EQ(a[2].at("status").as_string(), "reopened");
  EXPECT_EQ(a[4].at("status").as_string(), "open");
  EXPECT_FALSE(a[4].as_object().contains("approved_seq"));
}

TEST_F(RouterTest, PolicyAndDepartmentsComeFromTheAdoptedPolicy) {
  Response p = router_->Handle(Get("/v1/policy"));
  ASSERT_EQ(p.status, 200) << p.body;
  EXPECT_EQ(Body(p).at("seq").as_int64(), 1);
  EXPECT_EQ(Body(p).at("version").as_int64(), 1);
  EXPECT_EQ(Body(p).at("effective_from").as_string(), "2013Q3");
  Response d = router_->Handle(Get("/v1/departments"));
  ASSERT_EQ(d.status, 200);
  json::array a = Body(d).as_array();
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a[0].at("code").as_string(), "marketing");
  EXPECT_EQ(a[0].at("name").as_string(), "市场经营部");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/policy?quarter=2012Q1")), 404),
            "quarter 2012Q1: no policy is in force");
}

TEST_F(RouterTest, EventsPageWithACursor) {
  Response r = router_->Handle(Get("/v1/events?limit=2"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::object o = Body(r).as_object();
  ASSERT_EQ(o.at("events").as_array().size(), 2u);
  EXPECT_EQ(o.at("events").at(0).at("seq").as_int64(), 1);
  EXPECT_EQ(o.at("events").at(0).at("type").as_string(), "policy.adopted");
  EXPECT_EQ(o.at("events").at(1).at("seq").as_int64(), 2);
  EXPECT_EQ(o.at("next_after").as_int64(), 2);
  // The last page ends with a null cursor.
  Response last = router_->Handle(Get("/v1/events?after=308"));
  ASSERT_EQ(last.status, 200);
  EXPECT_EQ(Body(last).at("events").as_array().size(), 2u);
  EXPECT_TRUE(Body(last).at("next_after").is_null());
}

TEST_F(RouterTest, EventsFilterByTypeDepartmentAndQuarter) {
  // config/demo/README.md: 3 quarter.approved events in all.
  Response r = router_->Handle(Get("/v1/events?type=quarter.approved"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r).at("events").as_array().size(), 3u);
  Response s = router_->Handle(Get("/v1/events?type=spotcheck.recorded&department=storage&quarter=2026Q3&limit=1000"));
  ASSERT_EQ(s.status, 200) << s.body;
  json::value page = Body(s);
  for (const auto& e : page.at("events").as_array()) {
    EXPECT_EQ(e.at("department").as_string(), "storage");
    EXPECT_EQ(std::string(e.at("period").as_string()).substr(0, 4), "2026");
  }
  EXPECT_FALSE(page.at("events").as_array().empty());
}

TEST_F(RouterTest, BadEventQueriesAre400NamingTheParameter) {
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events?limit=0")), 400), "limit: 0 is less than 1");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events?limit=1001")), 400), "limit: 1001 is more than 1000, the most one page holds");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events?after=-1")), 400), "after: \"-1\" is not a non-negative integer");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events?type=selfcheck")), 400),
            "type: \"selfcheck\" is not a known event type");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events?department=finance")), 400),
            "department: \"finance\" is not a department (code or name: marketing 市场经营部, logistics 物流业务部, "
            "wuhan 武汉业务部, orders 订单处理中心, storage 储运中心, bidding 招标分公司, metrology 计量检测中心)");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events?quarter=2026-07")), 400),
            "quarter: \"2026-07\" is not a quarter (YYYYQn: 2026Q3, also 2026q3, 2026-Q3 or 2026年第3季度)");
}

TEST_F(RouterTest, OneEventBySeqIsItsCanonicalExportWithHash) {
  Response head = router_->Handle(Get("/v1/head"));
  Response e = router_->Handle(Get("/v1/events/310"));
  ASSERT_EQ(e.status, 200) << e.body;
  EXPECT_EQ(Body(e).at("hash"), Body(head).at("hash"));
  EXPECT_EQ(e.body.substr(0, 7), "{\"actor");  // keys sorted: canonical JSON
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events/311")), 404),
            "event 311: no such event (the ledger holds seq 1..310)");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events/0")), 404),
            "event 0: no such event (the ledger holds seq 1..310)");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/events/abc")), 400), "seq: \"abc\" is not a non-negative integer");
}

TEST_F(RouterTest, MetricsCountRequestsByRouteAndStatus) {
  ASSERT_EQ(router_->Handle(Get("/v1/head")).status, 200);
  ASSERT_EQ(router_->Handle(Get("/v1/events/abc")).status, 400);
  ASSERT_EQ(router_->Handle(Get("/nope")).status, 404);
  Response m = router_->Handle(Get("/metrics"));
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(m.body.find("qledger_http_requests_total{route=\"/v1/head\",status=\"200\"} 1\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("qledger_http_requests_total{route=\"/v1/events/{seq}\",status=\"400\"} 1\n"), std::string::npos);
  EXPECT_NE(m.body.find("qledger_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(m.body.find("qledger_http_request_duration_seconds_count{route=\"/v1/head\"} 1\n"), std::string::npos);
  EXPECT_NE(m.body.find("qledger_http_request_duration_seconds_bucket{route=\"/v1/head\",le=\"+Inf\"} 1\n"), std::string::npos);
  EXPECT_NE(m.body.find("qledger_ledger_head_seq 310\n"), std::string::npos);
  EXPECT_NE(m.body.find("qledger_follower_lag_seconds "), std::string::npos);
}

TEST_F(RouterTest, HealthzAnswersWithoutTouchingTheCache) {
  Response r = router_->Handle(Get("/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\",\"head_seq\":310}\n");
  EXPECT_TRUE(r.etag.empty());
}

TEST_F(RouterTest, DashboardIsOneSelfContainedPage) {
  Response r = router_->Handle(Get("/"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(r.body.find("/v1/quarters"), std::string::npos);
  // Nothing is fetched from outside: no absolute URLs to other hosts.
  EXPECT_EQ(r.body.find("http://"), std::string::npos);
  EXPECT_EQ(r.body.find("https://"), std::string::npos);
  EXPECT_EQ(router_->Handle(Request{"POST", "/", "", "", ""}).status, 405);
}

TEST_F(RouterTest, HeadReportsTheChainVerifiedByTheServer) {
  // Before any verification slice: verified is null (still running).
  Response before = router_->Handle(Get("/v1/head"));
  ASSERT_EQ(before.status, 200);
  json::object b = Body(before).as_object();
  EXPECT_EQ(b.at("seq").as_int64(), kDemoHeadSeq);
  while (follower_->VerifyMore(100)) {
  }
  Response after = router_->Handle(Get("/v1/head"));
  json::object a = Body(after).as_object();
  EXPECT_EQ(a.at("verified_seq").as_int64(), kDemoHeadSeq);
  EXPECT_TRUE(a.at("verified").as_bool());
  EXPECT_TRUE(a.at("problem").is_null());
  EXPECT_EQ(router_->Handle(Request{"GET", "/v1/head", after.etag, "", ""}).status, 304);
}

TEST_F(RouterTest, LedgerHasFinalAndProvisionalAmountsAndTheQuota) {
  Response r = router_->Handle(Get("/v1/ledger?year=2026&department=bidding"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::object l = Body(r).as_object();
  // bidding 2026 (config/demo/README.md): Q1 −940 final; Q2 +4000, Q3 −1240, Q4 +720 provisional.
  ASSERT_EQ(l.at("entries").as_array().size(), 4u);
  json::object q1 = l.at("entries").as_array()[0].as_object();
  EXPECT_EQ(q1.at("amount").as_string(), "-940.00");
  EXPECT_TRUE(q1.at("final").as_bool());
  json::object totals = l.at("totals").as_array()[0].as_object();
  EXPECT_EQ(totals.at("net").as_string(), "2540.00");  // −940 + 4000 − 1240 + 720
  EXPECT_EQ(l.at("quota").at("annual_quota").as_string(), "30000.00");
  EXPECT_NE(ProblemDetail(router_->Handle(Get("/v1/ledger?year=20x6")), 400).find("20x6"), std::string::npos);
  EXPECT_NE(ProblemDetail(router_->Handle(Get("/v1/ledger?month=1")), 400).find("month"), std::string::npos);
}

TEST_F(RouterTest, ComplaintRegisterFiltersByQuarterAndDepartment) {
  Response r = router_->Handle(Get("/v1/complaints?quarter=2026Q3&department=logistics"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::object c = Body(r).as_object();
  for (const auto& v : c.at("complaints").as_array()) {
    EXPECT_EQ(v.at("quarter").as_string(), "2026Q3");
    EXPECT_EQ(v.at("department").as_string(), "logistics");
  }
  EXPECT_FALSE(c.at("complaints").as_array().empty());
  EXPECT_NE(ProblemDetail(router_->Handle(Get("/v1/complaints?quarter=Q3")), 400).find("Q3"), std::string::npos);
}

TEST_F(RouterTest, ReportOfAnApprovedQuarterIsAsPublishedInEveryFormat) {
  Response r = router_->Handle(Get("/v1/quarters/2026Q1/report"));
  ASSERT_EQ(r.status, 200) << r.body;
  json::object rep = Body(r).as_object();
  EXPECT_EQ(rep.at("status").as_string(), "approved");
  EXPECT_EQ(rep.at("as_of_seq").as_int64(), rep.at("approval").at("seq").as_int64());
  Response html = router_->Handle(Get("/v1/quarters/2026Q1/report?format=html"));
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_NE(html.body.find(std::string(rep.at("as_of_hash").as_string())), std::string::npos);
  EXPECT_EQ(router_->Handle(Get("/v1/quarters/2026Q1/report?format=md")).content_type, "text/markdown; charset=utf-8");
  EXPECT_EQ(router_->Handle(Get("/v1/quarters/2026Q1/report?format=csv")).content_type, "text/csv; charset=utf-8");
  EXPECT_NE(ProblemDetail(router_->Handle(Get("/v1/quarters/2026Q1/report?format=pdf")), 400).find("pdf"),
            std::string::npos);
  EXPECT_NE(ProblemDetail(router_->Handle(Get("/v1/quarters/2010Q1/report")), 404).find("2010Q1 is not assessed"),
            std::string::npos);
}

TEST(RouterFollowTest, AnAppendShowsAfterCatchUpWithANewETag) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  std::filesystem::create_directory(dir.Sub("secondary"));
  auto follower = Follower::Open(dir.Sub("ledger"), dir.Sub("secondary"));
  ASSERT_TRUE(follower.ok()) << follower.status().message();
  Metrics metrics;
  Router router(**follower, metrics);
  Response before = router.Handle(Get("/v1/quarters/2026Q4/departments/wuhan"));
  ASSERT_EQ(before.status, 200);
  // 2026Q4 wuhan is 93.21 before; a 1.00 callback finding takes 1.00 off: 92.21.
  EXPECT_EQ(Body(before).at("score").at("total").as_string(), "93.21");
  auto append = qledger::testing::RunQledger(
      {"--data", dir.Sub("ledger"), "append", "-"},
      R"({"id":"2026Q4-wuhan-callback-test","type":"callback.finding","department":"wuhan","period":"2026Q4","occurred_at":"2026-11-28","actor":"工作组/测试","data":{"points":"1.00","reason":"回访记录不完整"}})");
  ASSERT_EQ(append.exit_code, 0) << append.Describe();
  // Not caught up yet: the cached answer at head 310 stands.
  EXPECT_EQ(router.Handle(Get("/v1/quarters/2026Q4/departments/wuhan")).body, before.body);
  ASSERT_TRUE((*follower)->CatchUp().ok());
  Response after = router.Handle(Get("/v1/quarters/2026Q4/departments/wuhan"));
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(Body(after).at("score").at("total").as_string(), "92.21");
  EXPECT_NE(after.etag, before.etag);
  EXPECT_EQ(after.etag.substr(0, 5), "\"311-");
  EXPECT_EQ(router.Handle(Request{"GET", "/v1/quarters/2026Q4/departments/wuhan", before.etag, "", ""}).status, 200);
}

}  // namespace
}  // namespace qledger::server

namespace qledger::server {
namespace {

// Table-shaped answers come as CSV too, offered as a file a spreadsheet opens.
TEST_F(RouterTest, ScoresLedgerAndComplaintsComeAsCsvFilesByFormat) {
  for (auto [target, file] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/quarters/2026Q1/scores?format=csv", "scores-2026Q1.csv"},
           {"/v1/ledger?format=csv", "ledger-"},
           {"/v1/complaints?format=csv", "complaints.csv"},
           {"/v1/quarters/2026Q1/report?format=csv", "report-2026Q1.csv"}}) {
    Response r = router_->Handle(Get(target));
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.content_type, "text/csv; charset=utf-8") << target;
    EXPECT_TRUE(r.body.starts_with("\xEF\xBB\xBF")) << target;
    std::string disposition;
    for (const auto& [name, value] : r.headers) {
      if (name == "Content-Disposition") disposition = value;
    }
    EXPECT_TRUE(disposition.starts_with("attachment; filename=\"" + file)) << target << ": " << disposition;
  }
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/ledger?format=xml")), 400),
            "format: \"xml\" is not one of json, csv, xlsx");
  EXPECT_EQ(ProblemDetail(router_->Handle(Get("/v1/ledger?format=csv&lang=fr")), 400),
            "lang: \"fr\" is not one of zh, en");
  // Chinese headers by default, English with ?lang=en.
  EXPECT_TRUE(router_->Handle(Get("/v1/quarters/2026Q1/scores?format=csv")).body.starts_with("\xEF\xBB\xBF部门代码,部门,"));
  EXPECT_TRUE(
      router_->Handle(Get("/v1/quarters/2026Q1/scores?format=csv&lang=en")).body.starts_with("\xEF\xBB\xBF" "department,name,"));
}

// And as Excel workbooks: a zip file (the xlsx container) offered by name.
TEST_F(RouterTest, TableShapedAnswersComeAsXlsxWorkbooksByFormat) {
  for (auto [target, file] : std::vector<std::pair<std::string, std::string>>{
           {"/v1/quarters/2026Q1/scores?format=xlsx", "scores-2026Q1.xlsx"},
           {"/v1/ledger?format=xlsx&lang=en", "ledger-"},
           {"/v1/complaints?format=xlsx", "complaints.xlsx"},
           {"/v1/quarters/2026Q1/report?format=xlsx", "report-2026Q1.xlsx"}}) {
    Response r = router_->Handle(Get(target));
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") << target;
    EXPECT_TRUE(r.body.starts_with("PK\x03\x04")) << target;
    std::string disposition;
    for (const auto& [name, value] : r.headers) {
      if (name == "Content-Disposition") disposition = value;
    }
    EXPECT_TRUE(disposition.starts_with("attachment; filename=\"" + file)) << target << ": " << disposition;
  }
}

}  // namespace
}  // namespace qledger::server

namespace qledger::server {
namespace {

std::string HeaderOf(const Response& r, const std::string& name) {
  std::string all;
  for (const auto& [n, v] : r.headers) {
    if (n == name) all += (all.empty() ? "" : ", ") + v;
  }
  return all;
}

Request WithEncoding(const std::string& target, const std::string& accept, const std::string& if_none_match = "") {
  Request r{"GET", target, if_none_match, "", accept};
  return r;
}

// Issue 10, item 4: the larger answers are compressed for a client that
// accepts gzip, as their own representation (ETag), and only for it.
TEST_F(RouterTest, AClientThatAcceptsGzipGetsTheLargerAnswersCompressedUnderTheirOwnETag) {
  Response plain = router_->Handle(Get("/v1/quarters/2026Q3/scores"));
  ASSERT_EQ(plain.status, 200);
  ASSERT_GE(plain.body.size(), 1024u);
  EXPECT_EQ(HeaderOf(plain, "Vary"), "Accept-Encoding");
  EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");

  Response gz = router_->Handle(WithEncoding("/v1/quarters/2026Q3/scores", "gzip, deflate, br"));
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(HeaderOf(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(gz, "Vary"), "Accept-Encoding");
  EXPECT_LT(gz.body.size(), plain.body.size() / 3);
  EXPECT_EQ(qledger::testing::Gunzip(gz.body), plain.body);
  EXPECT_EQ(gz.etag, plain.etag.substr(0, plain.etag.size() - 1) + "-gzip\"");
  // From the cache, the same.
  Response again = router_->Handle(WithEncoding("/v1/quarters/2026Q3/scores", "gzip"));
  EXPECT_EQ(again.body, gz.body);
  EXPECT_EQ(again.etag, gz.etag);
  EXPECT_EQ(router_->Handle(Get("/v1/quarters/2026Q3/scores")).body, plain.body);
  // Each representation's ETag revalidates it.
  EXPECT_EQ(router_->Handle(WithEncoding("/v1/quarters/2026Q3/scores", "gzip", gz.etag)).status, 304);
  EXPECT_EQ(router_->Handle(WithEncoding("/v1/quarters/2026Q3/scores", "", plain.etag)).status, 304);
  EXPECT_EQ(router_->Handle(WithEncoding("/v1/quarters/2026Q3/scores", "gzip", plain.etag)).status, 200);

  // What does not accept gzip gets the plain answer.
  for (const char* accept : {"gzip;q=0", "identity", "br", "*;q=0", "gzip;q=abc", "*, gzip;q=0"}) {
    Response r = router_->Handle(WithEncoding("/v1/quarters/2026Q3/scores", accept));
    EXPECT_EQ(r.body, plain.body) << accept;
    EXPECT_EQ(HeaderOf(r, "Content-Encoding"), "") << accept;
  }
  for (const char* accept : {"*", "GZIP", "x-gzip", "br;q=1.0, gzip;q=0.5"}) {
    EXPECT_EQ(HeaderOf(router_->Handle(WithEncoding("/v1/quarters/2026Q3/scores", accept)), "Content-Encoding"),
              "gzip")
        << accept;
  }
  // The dashboard page too; a small answer and a problem are not.
  Response page = router_->Handle(WithEncoding("/", "gzip"));
  EXPECT_EQ(HeaderOf(page, "Content-Encoding"), "gzip");
  EXPECT_EQ(qledger::testing::Gunzip(page.body), router_->Handle(Get("/")).body);
  Response head = router_->Handle(WithEncoding("/v1/head", "gzip"));
  EXPECT_LT(head.body.size(), 1024u);
  EXPECT_EQ(HeaderOf(head, "Content-Encoding"), "");
  EXPECT_EQ(json::parse(head.body).at("seq").as_int64(), follower_->head().seq);
  Response problem = router_->Handle(WithEncoding("/v1/quarters/2026Q9/scores", "gzip"));
  EXPECT_EQ(problem.status, 400);
  EXPECT_EQ(HeaderOf(problem, "Content-Encoding"), "");
  EXPECT_EQ(HeaderOf(problem, "Vary"), "");
}

// /v1/head is answered again from its last rendering while the head and the
// chain's verification stay: the same bytes, the same ETag, a 304 once it
// is settled; each request still counts in the metrics.
TEST_F(RouterTest, RepeatedHeadRequestsGiveTheSameAnswer) {
  Response first = router_->Handle(Get("/v1/head"));
  ASSERT_EQ(first.status, 200);
  for (int i = 0; i < 3; ++i) {
    Response again = router_->Handle(Get("/v1/head"));
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.etag, first.etag);
    EXPECT_EQ(HeaderOf(again, "Cache-Control"), "no-cache");
  }
  Response plain_after_gzip = (router_->Handle(WithEncoding("/v1/head", "gzip")), router_->Handle(Get("/v1/head")));
  EXPECT_EQ(plain_after_gzip.body, first.body);
  json::object o = json::parse(first.body).as_object();
  if (o.at("verified") == json::value(true)) {
    EXPECT_EQ(router_->Handle(Request{"GET", "/v1/head", first.etag, "", ""}).status, 304);
  }
  Response m = router_->Handle(Get("/metrics"));
  EXPECT_NE(m.body.find("qledger_http_requests_total{route=\"/v1/head\",status=\"200\"}"), std::string::npos);
}

}  // namespace
}  // namespace qledger::server
