// The two front ends agree: each shared question asked of the real CLI
// binary and of the HTTP router, on one demo ledger, gets the same JSON, or
// the same error — the same message, and an exit code and an HTTP status
// that come from the same Status code (tools/exit_codes.h and
// server/http_errors.h, each the one mapping of its front end).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../../tools/exit_codes.h"
#include "demo_follower.h"
#include "demo_ledger.h"
#include "qledger/server/follower.h"
#include "qledger/server/http_errors.h"
#include "qledger/server/metrics.h"
#include "qledger/server/router.h"
#include "qledger_test_support.h"

namespace qledger::server {
namespace {

namespace json = boost::json;
using qledger::testing::RunQledger;
using qledger::testing::RunResult;
using qledger::testing::TempDir;

// For each exit code, the HTTP statuses of the Status codes it stands for.
std::map<int, std::set<int>> StatusesOfExitCodes() {
  std::map<int, std::set<int>> out;
  for (auto code : {domain::StatusCode::kOk, domain::StatusCode::kInvalidArgument, domain::StatusCode::kNotFound,
                    domain::StatusCode::kAlreadyExists, domain::StatusCode::kFailedPrecondition,
                    domain::StatusCode::kAborted, domain::StatusCode::kUnavailable, domain::StatusCode::kDataLoss,
                    domain::StatusCode::kInternal}) {
    out[tools::ExitCodeFor(code)].insert(HttpStatusFor(code));
  }
  return out;
}

struct Case {
  std::vector<std::string> cli;  // after `--data DIR`
  std::string target;            // the same question of the API
};

class AgreementTest : public ::testing::TestWithParam<Case> {
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

  static TempDir* dir_;
  static Follower* follower_;
};

TempDir* AgreementTest::dir_ = nullptr;
Follower* AgreementTest::follower_ = nullptr;

// `qledger log --format json` prints JSON Lines; /v1/events wraps the same
// events in {"events": [...], "next_after": ...}. Both as arrays of values.
json::array CliEvents(const std::string& lines) {
  json::array out;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
  return out;
}

TEST_P(AgreementTest, TheCliAndTheApiGiveTheSameAnswerOrTheSameError) {
  const Case& c = GetParam();
  std::vector<std::string> args = {"--data", dir_->Sub("ledger")};
  args.insert(args.end(), c.cli.begin(), c.cli.end());
  RunResult cli = RunQledger(args);
  Metrics metrics;
  Router router(*follower_, metrics);
  Response api = router.Handle(Request{"GET", c.target, "", "", ""});

  ASSERT_GE(cli.exit_code, 0) << cli.Describe();
  EXPECT_TRUE(StatusesOfExitCodes()[cli.exit_code].count(api.status))
      << "exit " << cli.exit_code << " but HTTP " << api.status << "\n" << cli.Describe() << "\n" << api.body;
  if (cli.exit_code == 0 && c.cli[0] == "log") {
    json::value api_events = json::parse(api.body).at("events");
    EXPECT_EQ(json::value(CliEvents(cli.out)), api_events);
    EXPECT_FALSE(api_events.as_array().empty() && c.cli.size() == 5) << "the unfiltered listing is empty";
  } else if (cli.exit_code == 0) {
    EXPECT_EQ(cli.out, api.body);
  } else {
    std::string detail(json::parse(api.body).at("detail").as_string());
    EXPECT_EQ(cli.err, "qledger " + c.cli[0] + ": " + detail + "\n");
  }
}

std::vector<Case> Cases() {
  std::vector<Case> out;
  // Points in history: a seq, the approval, beyond the head, malformed.
  for (const std::string as_of : {"", "214", "1", "approved", "999999", "0", "abc", "2000-01-01", "2000-01-01T10:00:00Z",
                                  "2999-12-31", "2999-12-31T23:00:00+08:00"}) {
    std::vector<std::string> flags = as_of.empty() ? std::vector<std::string>{} : std::vector<std::string>{"--as-of", as_of};
    std::string query = as_of.empty() ? "" : "?as_of=" + as_of;
    for (const char* quarter : {"2026Q2", "2026Q3"}) {
      std::vector<std::string> scores = {"scores", "--quarter", quarter};
      scores.insert(scores.end(), flags.begin(), flags.end());
      out.push_back({scores, std::string("/v1/quarters/") + quarter + "/scores" + query});
    }
    std::vector<std::string> replay = {"replay", "--quarter", "2026Q2", "--department", "bidding", "--format", "json"};
    replay.insert(replay.end(), flags.begin(), flags.end());
    out.push_back({replay, "/v1/quarters/2026Q2/departments/bidding" + query});
  }
  // What if: an event left out, one that does not exist, two.
  out.push_back({{"scores", "--quarter", "2026Q2", "--without", "2026Q2-bidding-ruling-01"},
                 "/v1/quarters/2026Q2/scores?without=2026Q2-bidding-ruling-01"});
  out.push_back({{"replay", "--quarter", "2026Q2", "--department", "bidding", "--format", "json", "--without",
                  "no-such-event"},
                 "/v1/quarters/2026Q2/departments/bidding?without=no-such-event"});
  out.push_back({{"scores", "--quarter", "2026Q2", "--as-of", "approved", "--without", "2026Q2-bidding-ruling-01",
                  "--without", "2026Q2-storage-survey-02"},
                 "/v1/quarters/2026Q2/scores?as_of=approved&without=2026Q2-bidding-ruling-01&without=2026Q2-storage-survey-02"});
  // Quarters: malformed, never recorded.
  for (const char* quarter : {"2026Q5", "2026-07", "Q3", "2099Q1", "2026q3", "2026-Q3", "2026年第3季度"}) {
    out.push_back({{"scores", "--quarter", quarter}, std::string("/v1/quarters/") + quarter + "/scores"});
  }
  // Departments: unknown, or by the Chinese name.
  for (const char* dept : {"nosuch", "储运中心", "storage", "STORAGE", "储运"}) {
    out.push_back({{"replay", "--quarter", "2026Q3", "--department", dept, "--format", "json"},
                   std::string("/v1/quarters/2026Q3/departments/") + dept});
  }
  // Listings: type, department, quarter, after, limit.
  auto log = [&](std::vector<std::string> flags, const std::string& query) {
    std::vector<std::string> cli = {"log", "--format", "json", "--limit", "50"};
    cli.insert(cli.end(), flags.begin(), flags.end());
    out.push_back({cli, "/v1/events?limit=50" + query});
  };
  log({}, "");
  log({"--type", "survey.ruled"}, "&type=survey.ruled");
  log({"--type", "no.such"}, "&type=no.such");
  log({"--department", "storage"}, "&department=storage");
  log({"--department", "nosuch"}, "&department=nosuch");
  log({"--quarter", "2026Q3"}, "&quarter=2026Q3");
  log({"--quarter", "2026Q9"}, "&quarter=2026Q9");
  log({"--after", "300"}, "&after=300");
  log({"--type", "complaint.recorded", "--department", "logistics", "--quarter", "2026Q3"},
      "&type=complaint.recorded&department=logistics&quarter=2026Q3");
  // Paging: limit and after as counts, refused alike when they are not.
  for (const char* limit : {"1", "0", "abc", "-1"}) {
    out.push_back({{"log", "--format", "json", "--limit", limit}, std::string("/v1/events?limit=") + limit});
  }
  for (const char* after : {"abc", "999999", "310"}) {
    log({"--after", after}, std::string("&after=") + after);
  }
  // The reward/penalty ledger: the latest year, years with and without
  // scores, malformed; one department, an unknown one.
  for (const std::string year : {"", "2025", "2026", "2030", "26", "bad"}) {
    std::vector<std::string> cli = {"ledger", "--format", "json"};
    if (!year.empty()) cli.insert(cli.end(), {"--year", year});
    out.push_back({cli, "/v1/ledger" + (year.empty() ? "" : "?year=" + year)});
  }
  for (const char* dept : {"storage", "nosuch", "储运中心"}) {
    out.push_back({{"ledger", "--format", "json", "--year", "2026", "--department", dept},
                   std::string("/v1/ledger?year=2026&department=") + dept});
  }
  // The complaint register: every quarter, one, malformed, never recorded.
  for (const std::string quarter : {"", "2026Q2", "2026Q3", "2099Q1", "2026Q5"}) {
    std::vector<std::string> cli = {"complaints", "--format", "json"};
    if (!quarter.empty()) cli.insert(cli.end(), {"--quarter", quarter});
    out.push_back({cli, "/v1/complaints" + (quarter.empty() ? "" : "?quarter=" + quarter)});
  }
  for (const char* dept : {"logistics", "nosuch"}) {
    out.push_back({{"complaints", "--format", "json", "--quarter", "2026Q3", "--department", dept},
                   std::string("/v1/complaints?quarter=2026Q3&department=") + dept});
  }
  // The quarterly report: as published, as of a point, never approved,
  // malformed and unknown quarters.
  for (const std::string as_of : {"", "approved", "214", "abc"}) {
    for (const char* quarter : {"2026Q2", "2026Q3"}) {
      std::vector<std::string> cli = {"report", "--format", "json", "--quarter", quarter};
      if (!as_of.empty()) cli.insert(cli.end(), {"--as-of", as_of});
      out.push_back({cli, std::string("/v1/quarters/") + quarter + "/report" + (as_of.empty() ? "" : "?as_of=" + as_of)});
    }
  }
  for (const char* quarter : {"2099Q1", "2026Q5"}) {
    out.push_back({{"report", "--format", "json", "--quarter", quarter}, std::string("/v1/quarters/") + quarter + "/report"});
  }
  // The other formats: the same bytes by ?format= as by --format.
  for (const char* format : {"csv", "md", "html"}) {
    out.push_back({{"report", "--format", format, "--quarter", "2026Q2"},
                   std::string("/v1/quarters/2026Q2/report?format=") + format});
  }
  out.push_back({{"scores", "--quarter", "2026Q3", "--format", "csv"}, "/v1/quarters/2026Q3/scores?format=csv"});
  out.push_back({{"ledger", "--year", "2026", "--format", "csv"}, "/v1/ledger?year=2026&format=csv"});
  out.push_back({{"complaints", "--quarter", "2026Q3", "--format", "csv"}, "/v1/complaints?quarter=2026Q3&format=csv"});
  return out;
}

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  std::string name = std::to_string(info.index) + "_";
  for (const auto& a : info.param.cli) {
    for (char c : a) name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    name += '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(SharedParameters, AgreementTest, ::testing::ValuesIn(Cases()), CaseName);

}  // namespace
}  // namespace qledger::server
