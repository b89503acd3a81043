// The real `qledger serve` on a loopback port, spoken to over raw sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>
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

  // An answer larger than one send to the socket: 200 events.
  static Reply LargeAnswer() {
    Reply r = Fetch(port(), "GET", "/v1/events?limit=200");
    EXPECT_EQ(r.status, 200);
    EXPECT_GT(r.body.size(), 50000u);
    return r;
  }

  static TempDir* dir_;
  static Server* server_;
};

TempDir* ServerTest::dir_ = nullptr;
Server* ServerTest::server_ = nullptr;

TEST_F(ServerTest, PostPutDeleteAndOptionsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
    Reply r = Fetch(port(), method, "/v1/quarters/2026Q3/scores", "Content-Length: 0\r\n");
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(r.headers["allow"], "GET, HEAD");
    EXPECT_EQ(r.headers["content-type"], "application/problem+json") << method;
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
  EXPECT_EQ(Detail(q), "quarter: \"2026Q0\" is not a quarter (YYYYQn: 2026Q3, also 2026q3, 2026-Q3 or 2026年第3季度)");
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

// A cached answer is sent from the cache's own copy of its body, not a
// copy per request: the same bytes every time, whole, also when the
// requests come pipelined in one write and the next request is read only
// once an answer is written.
TEST_F(ServerTest, ACachedAnswerIsSentWholeEveryTimeAlsoPipelined) {
  Reply first = LargeAnswer();
  Connection c(port());
  std::string three;
  for (int i = 0; i < 3; ++i) three += RequestText("GET", "/v1/events?limit=200", "", false);
  three += RequestText("HEAD", "/v1/events?limit=200", "", false);
  c.Send(three);
  for (int i = 0; i < 3; ++i) {
    Reply r = c.Read();
    ASSERT_EQ(r.status, 200) << i;
    EXPECT_EQ(r.headers["content-length"], std::to_string(first.body.size())) << i;
    EXPECT_EQ(r.body, first.body) << i;
    EXPECT_EQ(r.headers["etag"], first.headers["etag"]) << i;
  }
  Reply head = c.Read(true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-length"], std::to_string(first.body.size()));
  // Had the HEAD answer carried the body, it would be read here.
  c.Send(RequestText("GET", "/healthz"));
  EXPECT_EQ(c.Read().body, "{\"status\":\"ok\",\"head_seq\":310}\n");
}

// Answers are written at once as far as the socket takes them, the rest
// under the write timeout: a client that sends a hundred requests in one
// write and reads only later (the socket's buffers fill, the writes wait)
// gets every answer whole and in order — also past the point where the
// session stops answering pipelined requests one inside the other.
TEST_F(ServerTest, ManyPipelinedAnswersToAClientThatReadsLateArriveWholeAndInOrder) {
  Reply big = LargeAnswer();
  Connection c(port());
  std::string all;
  constexpr int kRequests = 100;
  for (int i = 0; i < kRequests; ++i) {
    all += RequestText("GET", i % 10 == 9 ? "/healthz" : "/v1/events?limit=200", "", false);
  }
  c.Send(all);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // One letter an answer: h for the health answer, e for the events, ? for
  // anything else, so that a failure shows the order at a glance.
  std::string expected, got;
  for (int i = 0; i < kRequests; ++i) {
    expected += i % 10 == 9 ? 'h' : 'e';
    Reply r = c.Read();
    got += r.status != 200                                           ? '?'
           : r.body == "{\"status\":\"ok\",\"head_seq\":310}\n" ? 'h'
           : r.body == big.body                                      ? 'e'
                                                                     : '?';
  }
  EXPECT_EQ(got, expected);
}

// A request that arrives in parts — its header cut in two, or its body
// after the header — is read on until it is whole, then answered once.
TEST_F(ServerTest, ARequestThatArrivesInPartsIsAnsweredWhenWhole) {
  {
    Connection c(port());
    std::string text = RequestText("GET", "/healthz");
    c.Send(text.substr(0, 7));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    c.Send(text.substr(7));
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "{\"status\":\"ok\",\"head_seq\":310}\n");
  }
  {
    Connection c(port());
    c.Send(RequestText("GET", "/healthz", "Content-Length: 10\r\n") + "12345");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    c.Send("67890" + RequestText("GET", "/v1/head"));
    Reply first = c.Read();
    EXPECT_EQ(first.status, 200);
    EXPECT_EQ(first.body, "{\"status\":\"ok\",\"head_seq\":310}\n");
    // The first request said "Connection: close": nothing more is answered.
    EXPECT_TRUE(c.ClosedByServer());
  }
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
  // A seq inside 2026Q3 (its first event is seq 216), the recorded time of
  // event 230 (all demo events are recorded when the test appends them),
  // and the head.
  std::string at_230(json::parse(Fetch(port(), "GET", "/v1/events/230").body).at("recorded_at").as_string());
  for (const std::string& as_of : {std::string("230"), at_230, std::string()}) {
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

TEST(ServeLifecycleTest, AppendsAndReadsWhileServingNeverLookLikeDamage) {
  // Each writer's open moves the log into a table file and deletes the log
  // while the server follows and other commands read: none of that may be
  // taken for a damaged ledger.
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0);
  constexpr int kAppends = 25;
  for (int i = 0; i < kAppends; ++i) {
    std::string line = R"({"id":"serve-expense-)" + std::to_string(i) +
                       R"(","type":"budget.expense","period":"2026","occurred_at":"2026-11-28","actor":"工作组",)"
                       R"("data":{"amount":"1.00","purpose":"测试"}})";
    qledger::testing::QledgerProcess reader({"--data", dir.Sub("ledger"), "scores", "--quarter", "2026Q3"},
                                            dir.Sub("reader.out"), dir.Sub("reader.err"));
    auto append = qledger::testing::RunQledger({"--data", dir.Sub("ledger"), "append", "-"}, line);
    ASSERT_EQ(append.exit_code, 0) << append.Describe();
    auto read = reader.Wait();
    EXPECT_EQ(read.exit_code, 0) << "a read beside an append: " << read.Describe();
    Reply health = Fetch(server.port(), "GET", "/healthz");
    ASSERT_EQ(health.status, 200) << "after append " << i << ": " << health.body;
  }
  int64_t seen = 0;
  for (int i = 0; i < 50 && seen != 310 + kAppends; ++i) {
    seen = json::parse(Fetch(server.port(), "GET", "/v1/head").body).at("seq").as_int64();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(seen, 310 + kAppends);
  // Long enough for kDamageAfter catch-ups: still healthy.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  Reply health = Fetch(server.port(), "GET", "/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
}

TEST(ServeLifecycleTest, SigintExitsZero) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0);
  ASSERT_GT(server.process().pid(), 0);  // never kill(-1, …): that signals every process
  ASSERT_EQ(::kill(server.process().pid(), SIGINT), 0);
  auto result = server.process().Wait();
  EXPECT_EQ(result.exit_code, 0) << result.Describe();
}

// Opens a kept-alive connection and has one /healthz answered on it (from
// the loopback address `from`, if given); nullptr if that fails for 5 s.
std::unique_ptr<Connection> OpenServed(int port, const char* from = nullptr) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    auto c = std::make_unique<Connection>(port, from);
    c->Send(RequestText("GET", "/healthz", "", false));
    if (c->Read().status == 200) return c;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return nullptr;
}

TEST(ServeLifecycleTest, ANewConnectionBeyondTheBoundDisplacesTheLongestIdleOne) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"), {"--max-connections", "2"});
  ASSERT_NE(server.port(), 0);
  auto a = OpenServed(server.port());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a has been idle longer than b
  auto b = OpenServed(server.port());
  ASSERT_TRUE(a && b) << "two connections were not served under --max-connections 2";
  // A third is served: a, idle longest, makes room for it and is closed.
  Connection third(server.port());
  third.Send(RequestText("GET", "/healthz"));
  EXPECT_EQ(third.Read().status, 200) << "idle connections locked a new one out";
  EXPECT_TRUE(a->ClosedByServer()) << "the longest idle connection was not the one closed";
  b->Send(RequestText("GET", "/healthz", "", false));
  EXPECT_EQ(b->Read().status, 200);
  // The bound still holds (b is open, third may not be closed yet): the
  // request for the metrics may itself displace or be displaced, so it is
  // asked again until it is answered.
  Reply metrics;
  for (int i = 0; i < 100 && metrics.status != 200; ++i) {
    metrics = Fetch(server.port(), "GET", "/metrics");
    if (metrics.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("qledger_http_connections_displaced_total "), std::string::npos);
  EXPECT_EQ(metrics.body.find("qledger_http_connections_displaced_total 0\n"), std::string::npos) << metrics.body;
}

TEST(ServeLifecycleTest, AnIdleKeptAliveConnectionIsClosedAfterTheIdleTimeout) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"), {"--idle-timeout", "1"});
  ASSERT_NE(server.port(), 0);
  auto c = OpenServed(server.port());
  ASSERT_TRUE(c);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c->ClosedByServer());  // blocks until the server closes it (5 s receive timeout)
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GT(waited, 0.5);
  EXPECT_LT(waited, 3.0) << "an idle connection was kept far past --idle-timeout 1";
}

TEST(ServeLifecycleTest, TwoThousandIdleConnectionsLeaveHealthzAnsweringWithinOneSecond) {
  // The test holds the connections, so it needs the descriptors.
  rlimit limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < 4200) GTEST_SKIP() << "the file-descriptor limit (" << limit.rlim_cur << ") is too low";
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0);
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.push_back(std::make_unique<Connection>(server.port()));
    ASSERT_TRUE(idle.back()->connected()) << "connection " << i;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the server accept them all
  for (const char* from : {"127.0.0.1", "127.0.0.2"}) {
    auto start = std::chrono::steady_clock::now();
    Connection probe(server.port(), from);
    probe.Send(RequestText("GET", "/healthz"));
    Reply r = probe.Read();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(r.status, 200) << "from " << from;
    EXPECT_LT(seconds, 1.0) << "/healthz from " << from << " took " << seconds << " s";
  }
  Reply metrics = Fetch(server.port(), "GET", "/metrics", "");
  EXPECT_EQ(metrics.status, 200);
}

// CPU seconds (user + system) that process pid has used.
double CpuSeconds(pid_t pid) {
  std::string stat = qledger::testing::ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string f;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stol(f);
    if (i == 15) stime = std::stol(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

int OpenDescriptors(pid_t pid) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    (void)entry;
    ++n;
  }
  return n;
}

TEST(ServeLifecycleTest, WithFewFileDescriptorsTheServerStaysWithinThemAndKeepsAnswering) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  int used = 0;
  {
    TempDir probe_dir;  // its own serve.out: the next server's must not be read for it
    Server probe(probe_dir, dir.Sub("ledger"));
    ASSERT_NE(probe.port(), 0);
    used = OpenDescriptors(probe.process().pid());
  }
  // A few descriptors to spare (opening the ledger takes a few more for a
  // moment). The server keeps its connections within them (one here), so
  // that an accept does not fail for want of one; if one does, it waits
  // before accepting again instead of spinning.
  const int limit = used + 6;
  Server server(dir, dir.Sub("ledger"), {"--idle-timeout", "1"}, true, static_cast<rlim_t>(limit));
  ASSERT_NE(server.port(), 0) << "serve did not start with " << limit << " descriptors";
  std::vector<std::unique_ptr<Connection>> held;
  for (int i = 0; i < 10; ++i) held.push_back(std::make_unique<Connection>(server.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Connection waiting(server.port());  // in the listen backlog: accept fails
  waiting.Send(RequestText("GET", "/healthz"));
  double before = CpuSeconds(server.process().pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  double spent = CpuSeconds(server.process().pid()) - before;
  EXPECT_LT(spent, 0.3) << "the accept loop spun: " << spent << " CPU seconds in 1.5 s";
  // Once the held connection idles out, the waiting one is answered.
  Reply r = waiting.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_LE(OpenDescriptors(server.process().pid()), limit);
  EXPECT_NE(qledger::testing::ReadFile(dir.Sub("serve.err")).find("connections limited by the open-file limit max_connections=1 "),
            std::string::npos);
}

TEST(ServeLifecycleTest, MissingLedgerFailsWithNotFoundExitCode) {
  TempDir dir;
  auto r = qledger::testing::RunQledger({"--data", dir.Sub("none"), "serve", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 4) << r.Describe();  // tools/exit_codes.h: kNotFound
  EXPECT_NE(r.err.find("qledger serve: no ledger at " + dir.Sub("none")), std::string::npos) << r.Describe();
}

// --listen takes the forms an operator types.
TEST(ServeLifecycleTest, ListenTakesLocalhostAndEveryInterface) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  for (const char* listen : {"localhost:0", ":0", "0.0.0.0:0"}) {
    TempDir run;  // its own serve.out and serve.err
    Server server(run, dir.Sub("ledger"), {}, true, 0, listen);
    ASSERT_NE(server.port(), 0) << listen << ": " << server.Stderr();
    EXPECT_EQ(Fetch(server.port(), "GET", "/healthz").status, 200) << listen;
  }
}

// RFC 9110 and RFC 9457 manners: a Date on every response; a problem names
// the request it answers (instance) and carries no ETag.
TEST(ServeLifecycleTest, EveryResponseHasADateAndAProblemNamesItsRequestWithoutAnETag) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0) << server.Stderr();
  for (const char* target : {"/healthz", "/v1/head", "/v1/quarters/2099Q1/scores", "/nowhere"}) {
    Reply r = Fetch(server.port(), "GET", target);
    std::string date = r.headers["date"];
    // "Tue, 01 Dec 2026 23:35:27 GMT"
    EXPECT_EQ(date.size(), 29u) << target << ": " << date;
    EXPECT_TRUE(date.ends_with(" GMT")) << date;
  }
  Reply missing = Fetch(server.port(), "GET", "/v1/quarters/2099Q1/scores?as_of=1");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body).at("instance"), "/v1/quarters/2099Q1/scores?as_of=1");
  EXPECT_EQ(missing.headers.count("etag"), 0u) << missing.headers["etag"];
  Reply ok = Fetch(server.port(), "GET", "/v1/quarters/2026Q3/scores");
  EXPECT_EQ(ok.status, 200);
  EXPECT_FALSE(ok.headers["etag"].empty());
}

// --cors-origin reaches the router: a browser preflight from that origin is
// answered (204, no body, no Content-Length), one from another is not.
TEST(ServeLifecycleTest, CorsOriginLetsThatOriginsPagesPreflightAndRead) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"), {"--cors-origin", "https://dash.example.com"});
  ASSERT_NE(server.port(), 0) << server.Stderr();
  Reply pre = Fetch(server.port(), "OPTIONS", "/v1/head",
                    "Origin: https://dash.example.com\r\nAccess-Control-Request-Method: GET\r\n");
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.headers["access-control-allow-origin"], "https://dash.example.com");
  EXPECT_EQ(pre.headers["access-control-allow-methods"], "GET, HEAD");
  EXPECT_EQ(pre.headers.count("content-length"), 0u);
  Reply get = Fetch(server.port(), "GET", "/v1/head", "Origin: https://dash.example.com\r\n");
  EXPECT_EQ(get.headers["access-control-allow-origin"], "https://dash.example.com");
  Reply other = Fetch(server.port(), "GET", "/v1/head", "Origin: https://other.example.com\r\n");
  EXPECT_EQ(other.headers.count("access-control-allow-origin"), 0u);
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

namespace qledger::server {
namespace {

// The lines of a JSON-lines log, parsed; a line that is not JSON fails.
std::vector<json::object> JsonLines(const std::string& text) {
  std::vector<json::object> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    EXPECT_FALSE(ec) << "not a JSON line: " << line;
    if (!ec && v.is_object()) lines.push_back(v.as_object());
  }
  return lines;
}

const json::object* Find(const std::vector<json::object>& lines, std::string_view msg, std::string_view target = "") {
  for (const auto& l : lines) {
    if (!l.at("msg").is_string() || l.at("msg").get_string() != msg) continue;
    if (!target.empty() && (!l.contains("target") || l.at("target").as_string() != target)) continue;
    return &l;
  }
  return nullptr;
}

// Issue 10, item 1: the operator's log tells what the server did.
TEST(ServeLogTest, JsonLinesTellTheStartEveryRequestItsProblemAndTheStop) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"), {"--log-format", "json"});
  ASSERT_NE(server.port(), 0) << server.Stderr();
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/head").status, 200);
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/quarters/2026Q9/scores").status, 400);
  // The chain is verified at the first catch-up, a moment after the start.
  for (int i = 0; i < 250 && server.Stderr().find("\"chain verified\"") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(server.process().pid(), SIGTERM);
  EXPECT_EQ(server.process().Wait().exit_code, 0);
  std::vector<json::object> lines = JsonLines(server.Stderr());

  const json::object* started = Find(lines, "started");
  ASSERT_NE(started, nullptr) << server.Stderr();
  EXPECT_EQ(started->at("level"), "info");
  EXPECT_EQ(std::string(started->at("ledger").as_string()), dir.Sub("ledger"));
  EXPECT_GT(started->at("head_seq").as_int64(), 0);
  EXPECT_EQ(started->at("head_hash").as_string().size(), 64u);
  EXPECT_EQ(started->at("policy_version"), 1);
  EXPECT_EQ(std::string(started->at("listen").as_string()), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(started->at("version"), QLEDGER_VERSION);
  EXPECT_EQ(started->at("time").as_string().size(), 29u) << started->at("time");  // 2026-12-02T06:34:54.011+00:00

  const json::object* access = Find(lines, "access", "/v1/head");
  ASSERT_NE(access, nullptr) << server.Stderr();
  EXPECT_EQ(access->at("method"), "GET");
  EXPECT_EQ(access->at("status"), 200);
  EXPECT_GT(access->at("bytes").to_number<int64_t>(), 0);
  EXPECT_GE(access->at("duration_ms").to_number<double>(), 0.0);
  EXPECT_TRUE(access->at("peer").as_string().starts_with("127.0.0.1:")) << access->at("peer");

  const json::object* refused = Find(lines, "access", "/v1/quarters/2026Q9/scores");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->at("status"), 400);
  const json::object* problem = Find(lines, "problem", "/v1/quarters/2026Q9/scores");
  ASSERT_NE(problem, nullptr) << server.Stderr();
  EXPECT_EQ(problem->at("level"), "warning");
  EXPECT_EQ(problem->at("status"), 400);
  EXPECT_NE(problem->at("detail").as_string().find("\"2026Q9\" is not a quarter"), std::string_view::npos);

  EXPECT_NE(Find(lines, "chain verified"), nullptr) << server.Stderr();
  const json::object* stopping = Find(lines, "stopping");
  ASSERT_NE(stopping, nullptr);
  EXPECT_EQ(stopping->at("signal"), "SIGTERM");
  EXPECT_NE(Find(lines, "stopped"), nullptr);
}

// The access lines are gathered and written together, not one write(2) a
// request: still, a running server's log shows them within about a second
// (the periodic flush), and a problem at once, after the lines before it.
TEST(ServeLogTest, AccessLinesReachTheLogWithinASecondAndAProblemAtOnceInOrder) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0) << server.Stderr();
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/policy").status, 200);
  auto waited_for = [&](const std::string& text) {
    auto start = std::chrono::steady_clock::now();
    while (server.Stderr().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() - start > std::chrono::seconds(5)) return -1.0;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  double access = waited_for("access method=GET target=/v1/policy status=200");
  EXPECT_GE(access, 0.0) << server.Stderr();
  EXPECT_LT(access, 3.0);
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/events/1").status, 200);
  ASSERT_EQ(Fetch(server.port(), "GET", "/nowhere").status, 404);
  // The warning writes what was gathered before it, then itself.
  double problem = waited_for("warning problem method=GET target=/nowhere status=404");
  EXPECT_GE(problem, 0.0) << server.Stderr();
  EXPECT_LT(problem, 0.5);
  std::string log = server.Stderr();
  size_t before = log.find("access method=GET target=/v1/events/1 status=200");
  ASSERT_NE(before, std::string::npos) << log;
  EXPECT_LT(before, log.find("warning problem method=GET target=/nowhere")) << log;
  ::kill(server.process().pid(), SIGTERM);
  EXPECT_EQ(server.process().Wait().exit_code, 0);
  EXPECT_NE(server.Stderr().find("info stopped head_seq="), std::string::npos) << server.Stderr();
}

TEST(ServeLogTest, TextIsTheDefaultAndTheLevelFromTheEnvironmentDropsAccessLines) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  {
    TempDir run;
    Server server(run, dir.Sub("ledger"));
    ASSERT_NE(server.port(), 0) << server.Stderr();
    ASSERT_EQ(Fetch(server.port(), "GET", "/v1/head").status, 200);
    ::kill(server.process().pid(), SIGTERM);
    server.process().Wait();
    std::string log = server.Stderr();
    EXPECT_NE(log.find(" info access method=GET target=/v1/head status=200 bytes="), std::string::npos) << log;
    EXPECT_NE(log.find(" info started version=" QLEDGER_VERSION " ledger=" + dir.Sub("ledger")), std::string::npos)
        << log;
  }
  ::setenv("QLEDGER_LOG_LEVEL", "warn", 1);
  TempDir run;
  Server server(run, dir.Sub("ledger"));
  ::unsetenv("QLEDGER_LOG_LEVEL");
  ASSERT_NE(server.port(), 0) << server.Stderr();
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/head").status, 200);
  ASSERT_EQ(Fetch(server.port(), "GET", "/nowhere").status, 404);
  ::kill(server.process().pid(), SIGTERM);
  server.process().Wait();
  std::string log = server.Stderr();
  EXPECT_EQ(log.find(" access "), std::string::npos) << log;
  EXPECT_EQ(log.find(" started "), std::string::npos) << log;
  EXPECT_NE(log.find(" warning problem method=GET target=/nowhere status=404 detail=\""), std::string::npos) << log;
}

TEST(ServeLogTest, AnUnknownLogFormatOrLevelIsAUsageError) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  auto format = qledger::testing::RunQledger({"--data", dir.Sub("ledger"), "serve", "--log-format", "xml"});
  EXPECT_EQ(format.exit_code, 2) << format.Describe();
  EXPECT_NE(format.err.find("--log-format"), std::string::npos) << format.Describe();
  auto level = qledger::testing::RunQledger({"--log-level", "loud", "--data", dir.Sub("ledger"), "quarters"});
  EXPECT_EQ(level.exit_code, 2) << level.Describe();
  EXPECT_NE(level.err.find("--log-level"), std::string::npos) << level.Describe();
  // Either place works for a command's user.
  auto quiet = qledger::testing::RunQledger({"--data", dir.Sub("ledger"), "quarters", "--log-level", "error"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.Describe();
}

// Issue 10, item 4: an address in use has its own exit code (9), not the
// "ledger busy" of 7, and says so.
TEST(ServeLifecycleTest, AnAddressInUseExitsNineAndSaysSo) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server first(dir, dir.Sub("ledger"));
  ASSERT_NE(first.port(), 0) << first.Stderr();
  auto second = qledger::testing::RunQledger(
      {"--data", dir.Sub("ledger"), "serve", "--listen", "127.0.0.1:" + std::to_string(first.port())});
  EXPECT_EQ(second.exit_code, 9) << second.Describe();
  EXPECT_NE(second.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": the address is in use"),
            std::string::npos)
      << second.Describe();
  EXPECT_EQ(Fetch(first.port(), "GET", "/healthz").status, 200);
}

}  // namespace
}  // namespace qledger::server

namespace qledger::server {
namespace {

// Over the wire: Content-Encoding, Vary, and a body that inflates to the
// plain one; HEAD tells the compressed length.
TEST(ServeLifecycleTest, GzipIsSentToAClientThatAcceptsIt) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0) << server.Stderr();
  Reply plain = Fetch(server.port(), "GET", "/v1/events?limit=200");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  EXPECT_EQ(plain.headers["vary"], "Accept-Encoding");
  Reply gz = Fetch(server.port(), "GET", "/v1/events?limit=200", "Accept-Encoding: gzip\r\n");
  ASSERT_EQ(gz.status, 200);
  EXPECT_EQ(gz.headers["content-encoding"], "gzip");
  EXPECT_EQ(gz.headers["vary"], "Accept-Encoding");
  EXPECT_EQ(qledger::testing::Gunzip(gz.body), plain.body);
  EXPECT_LT(gz.body.size(), plain.body.size());
  Reply head = Fetch(server.port(), "HEAD", "/v1/events?limit=200", "Accept-Encoding: gzip\r\n");
  EXPECT_EQ(head.headers["content-length"], std::to_string(gz.body.size()));
  EXPECT_EQ(head.body, "");
}

}  // namespace
}  // namespace qledger::server

namespace qledger::server {
namespace {

// The value of an unlabelled sample ("name value"), or nullopt.
std::optional<double> Sample(const std::string& exposition, const std::string& name) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return std::nullopt;
}

// Issue 10, item 3: what an operator alerts on, and promtool accepts it.
TEST(ServeLifecycleTest, MetricsTellTheChainTheCacheTheBuildAndTheProcessAndPromtoolAcceptsThem) {
  TempDir dir;
  qledger::testing::MakeDemoLedger(dir.Sub("ledger"));
  Server server(dir, dir.Sub("ledger"));
  ASSERT_NE(server.port(), 0) << server.Stderr();
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/quarters").status, 200);
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/quarters").status, 200);
  // An approved quarter's scores start from the snapshots of its approval.
  ASSERT_EQ(Fetch(server.port(), "GET", "/v1/quarters/2026Q1/scores").status, 200);
  Reply m;
  for (int i = 0; i < 250; ++i) {
    m = Fetch(server.port(), "GET", "/metrics");
    if (Sample(m.body, "qledger_chain_verified") == 1.0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(Sample(m.body, "qledger_chain_verified"), 1.0) << m.body;
  EXPECT_EQ(Sample(m.body, "qledger_chain_verified_seq"), Sample(m.body, "qledger_ledger_head_seq"));
  EXPECT_GE(Sample(m.body, "qledger_response_cache_hits_total").value_or(0), 1.0);
  EXPECT_GE(Sample(m.body, "qledger_response_cache_misses_total").value_or(0), 1.0);
  EXPECT_LT(Sample(m.body, "qledger_follower_lag_seconds").value_or(99), 5.0);
  EXPECT_GE(Sample(m.body, "qledger_snapshot_hits_total").value_or(0), 7.0);  // each department of 2026Q1
  EXPECT_EQ(Sample(m.body, "qledger_snapshot_rejected_total"), 0.0);
  EXPECT_NE(m.body.find("qledger_build_info{version=\"" QLEDGER_VERSION "\",rocksdb=\""), std::string::npos);
  EXPECT_GT(Sample(m.body, "process_resident_memory_bytes").value_or(0), 1e6);
  EXPECT_GT(Sample(m.body, "process_virtual_memory_bytes").value_or(0), 1e6);
  EXPECT_GE(Sample(m.body, "process_cpu_seconds_total").value_or(-1), 0.0);
  double fds = Sample(m.body, "process_open_fds").value_or(0);
  EXPECT_GT(fds, 3);
  EXPECT_LE(fds, Sample(m.body, "process_max_fds").value_or(0));
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  double started = Sample(m.body, "process_start_time_seconds").value_or(0);
  EXPECT_GT(started, now - 300);
  EXPECT_LT(started, now + 5);

  std::string file = dir.Sub("metrics.txt");
  qledger::testing::WriteFile(file, m.body);
  std::string out = dir.Sub("promtool.out");
  int rc = std::system(("promtool check metrics < " + file + " > " + out + " 2>&1").c_str());
  ASSERT_NE(rc, -1);
  EXPECT_EQ(WEXITSTATUS(rc), 0) << "promtool check metrics (installed by scripts/setup.sh): "
                                << qledger::testing::ReadFile(out);
}

}  // namespace
}  // namespace qledger::server
