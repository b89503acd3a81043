// The real `qledger serve` on a loopback port, spoken to over raw sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "demo_ledger.h"
#include "http_test_client.h"
#include "qledger_test_support.h"

namespace qledger::server {
namespace {

namespace json = boost::json;
using qledger::testing::Connection;
using qledger::testing::Fetch;
using qledger::testing::QledgerProcess;
using qledger::testing::Reply;
using qledger::testing::RequestText;
using qledger::testing::Server;
using qledger::testing::TempDir;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    qledger::testing::MakeDemoLedger(dir_->Sub("ledger"));
    server_ = new Server(*dir_, dir_->Sub("ledger"));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  void SetUp() override { ASSERT_NE(server_->port(), 0) << "qledger serve did not come up"; }
  static int port() { return server_->port(); }

  static std::string Detail(const Reply& r) {
    EXPECT_EQ(r.headers.at("content-type"), "application/problem+json");
    return std::string(json::parse(r.body).at("detail").as_string());
  }

  static TempDir* dir_;
  static Server* server_;
};

TempDir* ServerTest::dir_ = nullptr;
Server* ServerTest::server_ = nullptr;

TEST_F(ServerTest, PostPutAndDeleteAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    Reply r = Fetch(port(), method, "/v1/quarters/2026Q3/scores", "Content-Length: 0\r\n");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.headers["allow"], "GET, HEAD");
    EXPECT_EQ(json::parse(r.body).at("status").as_int64(), 405);
  }
}

TEST_F(ServerTest, UnknownPathIs404ProblemJson) {
  Reply r = Fetch(port(), "GET", "/v2/scores");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Detail(r), "no resource at /v2/scores (see /v1/… in docs/api.md)");
}

TEST_F(ServerTest, BadQuarterAndBadAsOfAre400) {
  Reply q = Fetch(port(), "GET", "/v1/quarters/2026Q0/scores");
  EXPECT_EQ(q.status, 400);
  EXPECT_EQ(Detail(q), "quarter: \"2026Q0\" is not a quarter (YYYYQn, e.g. 2026Q3)");
  Reply a = Fetch(port(), "GET", "/v1/quarters/2026Q3/scores?as_of=2020-01-01");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(Detail(a), "as-of: no event was recorded at or before 2020-01-01");
}

TEST_F(ServerTest, UnknownDepartmentIs404) {
  Reply r = Fetch(port(), "GET", "/v1/quarters/2026Q3/departments/finance");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(Detail(r).find("finance"), std::string::npos);
}

TEST_F(ServerTest, MalformedRequestLineIs400AndTheServerStaysUp) {
  Connection c(port());
  c.Send("THIS IS NOT HTTP\r\n\r\n");
  Reply r = c.Read();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Detail(r).rfind("malformed HTTP request: ", 0), 0u) << r.body;
  EXPECT_TRUE(c.ClosedByServer());
  EXPECT_EQ(Fetch(port(), "GET", "/healthz").status, 200);
}

TEST_F(ServerTest, OversizeHeaderIs431) {
  Connection c(port());
  c.Send(RequestText("GET", "/healthz", "X-Padding: " + std::string(10000, 'a') + "\r\n"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(Detail(r), "request line and headers exceed 8192 bytes");
  EXPECT_EQ(Fetch(port(), "GET", "/healthz").status, 200);
}

TEST_F(ServerTest, OversizeBodyIs413) {
  Connection c(port());
  c.Send(RequestText("GET", "/healthz", "Content-Length: 5000\r\n") + std::string(5000, 'x'));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Detail(r), "request body exceeds 1024 bytes");
}

TEST_F(ServerTest, IfNoneMatchWithTheETagGives304WithoutBody) {
  Reply first = Fetch(port(), "GET", "/v1/quarters/2026Q3/scores");
  ASSERT_EQ(first.status, 200);
  std::string etag = first.headers["etag"];
  ASSERT_EQ(etag.substr(0, 5), "\"310-");
  Reply again = Fetch(port(), "GET", "/v1/quarters/2026Q3/scores", "If-None-Match: " + etag + "\r\n");
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(again.headers["etag"], etag);
  EXPECT_EQ(again.headers.count("content-length"), 0u);
}

TEST_F(ServerTest, HeadSendsTheHeadersOfGetWithoutTheBody) {
  Reply get = Fetch(port(), "GET", "/v1/quarters/2026Q3/scores");
  ASSERT_EQ(get.status, 200);
  Connection c(port());
  c.Send(RequestText("HEAD", "/v1/quarters/2026Q3/scores", "", false));
  Reply head = c.Read(true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-length"], std::to_string(get.body.size()));
  EXPECT_EQ(head.headers["etag"], get.headers["etag"]);
  // Had the server sent a body, it would be read here as the next response.
  c.Send(RequestText("GET", "/healthz"));
  Reply next = c.Read();
  EXPECT_EQ(next.status, 200);
  EXPECT_EQ(next.body, "{\"status\":\"ok\",\"head_seq\":310}\n");
}

TEST_F(ServerTest, KeepAliveAnswersSeveralRequestsOnOneConnection) {
  Connection c(port());
  for (int i = 0; i < 3; ++i) {
    c.Send(RequestText("GET", "/v1/head", "", false));
    Reply r = c.Read();
    ASSERT_EQ(r.status, 200) << i;
    EXPECT_EQ(json::parse(r.body).at("seq").as_int64(), 310);
  }
}

TEST_F(ServerTest, ScoresJsonIsByteIdenticalToTheCli) {
  // A seq, the recorded time of event 200 (all demo events are recorded
  // when the test appends them), and the head.
  std::string at_200(json::parse(Fetch(port(), "GET", "/v1/events/200").body).at("recorded_at").as_string());
  for (const std::string& as_of : {std::string("200"), at_200, std::string()}) {
    std::vector<std::string> args = {"--data", dir_->Sub("ledger"), "scores", "--quarter", "2026Q3", "--format", "json"};
    if (!as_of.empty()) args.insert(args.end(), {"--as-of", as_of});
    auto cli = qledger::testing::RunQledger(args);
    ASSERT_EQ(cli.exit_code, 0) << cli.Describe();
    Reply api = Fetch(port(), "GET", "/v1/quarters/2026Q3/scores" + (as_of.empty() ? "" : "?as_of=" + as_of));
    ASSERT_EQ(api.status, 200);
    EXPECT_EQ(api.body, cli.out) << "as_of=" << as_of;
  }
}

TEST_F(ServerTest, DerivationJsonIsByteIdenticalToCliReplay) {
  auto cli = qledger::testing::RunQledger({"--data", dir_->Sub("ledger"), "replay", "--quarter", "2026Q2", "--department",
                                           "bidding", "--without", "2026Q2-bidding-ruling-01", "--format", "json"});
  ASSERT_EQ(cli.exit_code, 0) << cli.Describe();
  Reply api = Fetch(port(), "GET", "/v1/quarters/2026Q2/departments/bidding?without=2026Q2-bidding-ruling-01");
  ASSERT_EQ(api.status, 200);
  EXPECT_EQ(api.body, cli.out);
}

TEST(ServeLifecycleTest, AnAppendShowsWithinOneSecondAndSigtermExitsZero) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0);
  auto append = qledger::testing::RunQledger(
      {"--data", dir.Sub("ledger"), "append", "-"},
      R"({"id":"2026Q4-wuhan-callback-test","type":"callback.finding","department":"wuhan","period":"2026Q4","occurred_at":"2026-11-28","actor":"工作组/测试","data":{"points":"1.00","reason":"回访记录不完整"}})");
  ASSERT_EQ(append.exit_code, 0) << append.Describe();
  auto appended = std::chrono::steady_clock::now();
  int64_t seen = 0;
  while (std::chrono::steady_clock::now() - appended < std::chrono::seconds(1)) {
    seen = json::parse(Fetch(server.port(), "GET", "/v1/head").body).at("seq").as_int64();
    if (seen == 311) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(seen, 311) << "the append was not visible through the API within one second";
  // Its effect: 2026Q4 wuhan 93.21 − 1.00 callback deduction = 92.21.
  Reply d = Fetch(server.port(), "GET", "/v1/quarters/2026Q4/departments/wuhan");
  EXPECT_EQ(json::parse(d.body).at("score").at("total").as_string(), "92.21");

  ASSERT_GT(server.process().pid(), 0);  // never kill(-1, …): that signals every process
  ASSERT_EQ(::kill(server.process().pid(), SIGTERM), 0);
  auto result = server.process().Wait();
  EXPECT_EQ(result.exit_code, 0) << result.Describe();
  EXPECT_NE(result.out.find("qledger serve: stopped"), std::string::npos) << result.Describe();
}

TEST(ServeLifecycleTest, SigintExitsZero) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0);
  ASSERT_GT(server.process().pid(), 0);  // never kill(-1, …): that signals every process
  ASSERT_EQ(::kill(server.process().pid(), SIGINT), 0);
  EXPECT_EQ(server.process().Wait().exit_code, 0);
}

TEST(ServeLifecycleTest, ConnectionsBeyondTheBoundAreClosed) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"), {"--max-connections", "2"});
  ASSERT_NE(server.port(), 0);
  // Two kept-alive connections are served. A start-up probe's session may
  // still be counted for a moment after its reply, so retry briefly.
  auto open_served = [&]() -> std::unique_ptr<Connection> {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      auto c = std::make_unique<Connection>(server.port());
      c->Send(RequestText("GET", "/healthz", "", false));
      if (c->Read().status == 200) return c;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return nullptr;
  };
  auto a = open_served();
  auto b = open_served();
  ASSERT_TRUE(a && b) << "two connections were not served under --max-connections 2";
  Connection third(server.port());
  third.Send(RequestText("GET", "/healthz"));
  EXPECT_EQ(third.Read().status, 0) << "a third connection was served";
  // With a and b open, a third is closed unanswered; a still works.
  a->Send(RequestText("GET", "/healthz", "", false));
  EXPECT_EQ(a->Read().status, 200);
}

TEST(ServeLifecycleTest, MissingLedgerFailsWithNotFoundExitCode) {
  TempDir dir;
  auto r = qledger::testing::RunQledger({"--data", dir.Sub("none"), "serve", "--listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("qledger serve: "), std::string::npos) << r.Describe();
}

TEST(ServeLifecycleTest, MalformedListenIsAUsageError) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  auto r = qledger::testing::RunQledger({"--data", dir.Sub("ledger"), "serve", "--listen", "localhost"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_EQ(r.err, "qledger serve: --listen \"localhost\" is not ADDR:PORT (e.g. 127.0.0.1:8080)\n");
}

}  // namespace
}  // namespace qledger::server
