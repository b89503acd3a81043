// The transparency log over HTTP: /v1/checkpoint, /v1/checkpoints and the
// proof routes on the real `qledger serve`, and `qledger audit` (the real
// binary) against it: it holds the first checkpoint, follows the log as it
// grows, and refuses a log that was rewritten, a checkpoint signed by
// another key, and a tree that shrank — keeping what it held.
#include <filesystem>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "http_test_client.h"
#include "ledger_tamper.h"
#include "qledger_test_support.h"

namespace qledger::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = dir_.Sub("ledger");
    ASSERT_EQ(RunQledger({"init", "--data", ledger_, "--policy", SourcePath("config/policy.json")}).exit_code, 0);
    ASSERT_EQ(RunQledger({"append", "--data", ledger_, SourcePath("config/demo/events.jsonl")}).exit_code, 0);
    RunResult k = RunQledger({"key", "generate", "--name", "committee-li", "--out", dir_.Sub("li.key")});
    ASSERT_EQ(k.exit_code, 0);
    li_pub_ = k.out.substr(0, k.out.size() - 1);
  }

  RunResult Sign(const std::string& ledger, const std::string& key = "li.key") {
    return RunQledger({"checkpoint", "--data", ledger, "--sign", dir_.Sub(key)});
  }

  // The state file is in a directory that is not there yet (as ~/.qledger
  // is the first time): audit makes it.
  RunResult Audit(int port) {
    return RunQledger({"audit", "--url", "http://127.0.0.1:" + std::to_string(port), "--key", li_pub_, "--state",
                       dir_.Sub("auditor/.qledger/held.note")});
  }

  void AppendOne(const std::string& id) {
    std::string line = R"({"id": ")" + id + R"(", "type": "survey.responded", "department": "storage", )"
                       R"("period": "2026Q4", "occurred_at": "2026-11-20", "actor": "工作组", )"
                       R"("data": {"respondent": "客户", "score": "96.00"}})";
    WriteFile(dir_.Sub(id + ".jsonl"), line + "\n");
    ASSERT_EQ(RunQledger({"append", "--data", ledger_, dir_.Sub(id + ".jsonl")}).exit_code, 0);
  }

  TempDir dir_;
  std::string ledger_;
  std::string li_pub_;
};

TEST_F(AuditTest, TheRoutesServeTheStoredCheckpointsAndBundles) {
  Server server(dir_, ledger_);
  ASSERT_NE(server.port(), 0) << server.Stderr();
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/checkpoint").status, 404);
  RunResult signed_note = Sign(ledger_);
  ASSERT_EQ(signed_note.exit_code, 0) << signed_note.Describe();
  // The follower catches up with the checkpoint (not an event) too.
  Reply cp;
  for (int i = 0; i < 100 && cp.status != 200; ++i) {
    cp = Fetch(server.port(), "GET", "/v1/checkpoint");
    if (cp.status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(cp.status, 200) << cp.body;
  EXPECT_EQ(cp.body, signed_note.out);
  EXPECT_NE(cp.headers["content-type"].find("text/plain"), std::string::npos);
  Reply list = Fetch(server.port(), "GET", "/v1/checkpoints");
  ASSERT_EQ(list.status, 200) << list.body;
  auto checkpoints = json::parse(list.body).at("checkpoints").as_array();
  ASSERT_EQ(checkpoints.size(), 1u);
  EXPECT_EQ(checkpoints[0].at("signers").as_array()[0], "committee-li");

  Reply inclusion = Fetch(server.port(), "GET", "/v1/proofs/inclusion?id=2025Q4-logistics-direct-01");
  ASSERT_EQ(inclusion.status, 200) << inclusion.body;
  WriteFile(dir_.Sub("b.json"), inclusion.body);
  RunResult checked = RunQledger({"check", dir_.Sub("b.json"), "--key", li_pub_});
  EXPECT_EQ(checked.exit_code, 0) << checked.Describe();
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/proofs/inclusion?seq=41").body, inclusion.body);
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/proofs/inclusion").status, 400);
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/proofs/inclusion?seq=abc").status, 400);
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/proofs/inclusion?id=nope").status, 404);
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/proofs/consistency").status, 400);
  Reply consistency = Fetch(server.port(), "GET", "/v1/proofs/consistency?from=74");
  ASSERT_EQ(consistency.status, 200) << consistency.body;
  WriteFile(dir_.Sub("c.json"), consistency.body);
  EXPECT_EQ(RunQledger({"check", dir_.Sub("c.json"), "--key", li_pub_}).exit_code, 0);
}

// A checkpoint signed or cosigned after the report was first served changes
// the report without changing the head: the served report follows, under an
// ETag of its own.
TEST_F(AuditTest, TheServedReportFollowsEverySignatureOfItsCheckpoint) {
  Server server(dir_, ledger_);
  ASSERT_NE(server.port(), 0) << server.Stderr();
  const std::string target = "/v1/quarters/2025Q4/report?lang=en&format=md";
  Reply before = Fetch(server.port(), "GET", target);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_EQ(before.body.find("signed by"), std::string::npos);
  const std::string etag_before = before.headers["etag"];

  auto report_until = [&](const std::string& text) {
    Reply r;
    for (int i = 0; i < 100; ++i) {
      r = Fetch(server.port(), "GET", target);
      if (r.body.find(text) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return r;
  };
  ASSERT_EQ(RunQledger({"checkpoint", "--data", ledger_, "--quarter", "2025Q4", "--sign", dir_.Sub("li.key")}).exit_code,
            0);
  Reply signed_once = report_until("signed by committee-li");
  EXPECT_NE(signed_once.body.find("signed by committee-li"), std::string::npos) << signed_once.body;
  EXPECT_NE(signed_once.headers["etag"], etag_before);
  // The old ETag no longer matches: the client gets the new report.
  EXPECT_EQ(Fetch(server.port(), "GET", target, "If-None-Match: " + etag_before + "\r\n").status, 200);

  RunResult other = RunQledger({"key", "generate", "--name", "committee-wang", "--out", dir_.Sub("wang.key")});
  ASSERT_EQ(other.exit_code, 0) << other.Describe();
  ASSERT_EQ(
      RunQledger({"checkpoint", "--data", ledger_, "--quarter", "2025Q4", "--sign", dir_.Sub("wang.key")}).exit_code, 0);
  Reply cosigned = report_until("signed by committee-li, committee-wang");
  EXPECT_NE(cosigned.body.find("signed by committee-li, committee-wang"), std::string::npos) << cosigned.body;
  EXPECT_NE(cosigned.headers["etag"], signed_once.headers["etag"]);
  EXPECT_EQ(Fetch(server.port(), "GET", target, "If-None-Match: " + cosigned.headers["etag"] + "\r\n").status, 304);
}

// The log's routes are cached under the head and the stored checkpoints:
// a proof refused before anything is signed, and a checkpoint cosigned
// while served, are answered anew once the server has caught up.
TEST_F(AuditTest, TheServedCheckpointAndProofsFollowSignaturesMadeWhileServing) {
  Server server(dir_, ledger_);
  ASSERT_NE(server.port(), 0) << server.Stderr();
  Reply unsigned_proof = Fetch(server.port(), "GET", "/v1/proofs/inclusion?seq=1");
  EXPECT_EQ(unsigned_proof.status, 404) << unsigned_proof.body;
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/proofs/inclusion?seq=1").status, 404);  // from the cache

  auto until = [&](const std::string& target, auto done) {
    Reply r;
    for (int i = 0; i < 100; ++i) {
      r = Fetch(server.port(), "GET", target);
      if (done(r)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return r;
  };
  ASSERT_EQ(Sign(ledger_).exit_code, 0);
  Reply proof = until("/v1/proofs/inclusion?seq=1", [](const Reply& r) { return r.status == 200; });
  EXPECT_EQ(proof.status, 200) << proof.body;
  Reply once = until("/v1/checkpoint", [](const Reply& r) { return r.status == 200; });
  ASSERT_EQ(once.status, 200) << once.body;
  EXPECT_EQ(once.body.find("committee-wang"), std::string::npos) << once.body;

  RunResult other = RunQledger({"key", "generate", "--name", "committee-wang", "--out", dir_.Sub("wang.key")});
  ASSERT_EQ(other.exit_code, 0) << other.Describe();
  ASSERT_EQ(RunQledger({"checkpoint", "--data", ledger_, "--sign", dir_.Sub("wang.key")}).exit_code, 0);
  Reply cosigned =
      until("/v1/checkpoint", [](const Reply& r) { return r.body.find("committee-wang") != std::string::npos; });
  EXPECT_NE(cosigned.body.find("committee-wang"), std::string::npos) << cosigned.body;
  EXPECT_NE(cosigned.headers["etag"], once.headers["etag"]);
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/checkpoint", "If-None-Match: " + once.headers["etag"] + "\r\n").status,
            200);
  EXPECT_EQ(
      Fetch(server.port(), "GET", "/v1/checkpoint", "If-None-Match: " + cosigned.headers["etag"] + "\r\n").status,
      304);
}

TEST_F(AuditTest, TheAuditorHoldsTheFirstCheckpointAndFollowsTheLogAsItGrows) {
  ASSERT_EQ(Sign(ledger_).exit_code, 0);
  Server server(dir_, ledger_);
  ASSERT_NE(server.port(), 0) << server.Stderr();
  RunResult first = Audit(server.port());
  ASSERT_EQ(first.exit_code, 0) << first.Describe();
  EXPECT_NE(first.out.find("first checkpoint held"), std::string::npos) << first.out;
  std::string held = ReadFile(dir_.Sub("auditor/.qledger/held.note"));
  RunResult again = Audit(server.port());
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_NE(again.out.find("unchanged"), std::string::npos) << again.out;

  AppendOne("later-1");
  AppendOne("later-2");
  ASSERT_EQ(Sign(ledger_).exit_code, 0);
  RunResult grown;
  for (int i = 0; i < 100; ++i) {
    grown = Audit(server.port());
    if (grown.out.find("consistent") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(grown.exit_code, 0) << grown.Describe();
  EXPECT_NE(grown.out.find("consistent: "), std::string::npos) << grown.out;
  EXPECT_NE(ReadFile(dir_.Sub("auditor/.qledger/held.note")), held);
}

TEST_F(AuditTest, TheAuditorRefusesARewrittenLogAnotherKeyAndAShrunkTreeAndKeepsWhatItHeld) {
  ASSERT_EQ(Sign(ledger_).exit_code, 0);
  {
    Server server(dir_, ledger_);
    ASSERT_NE(server.port(), 0) << server.Stderr();
    ASSERT_EQ(Audit(server.port()).exit_code, 0);
  }
  std::string held = ReadFile(dir_.Sub("auditor/.qledger/held.note"));

  // A forged copy: event 20 rewritten, re-chained, the tree rebuilt, the
  // stored checkpoint removed, one more event appended, and signed again
  // with the committee key (stolen, or a member deceived).
  std::string forged = dir_.Sub("forged");
  fs::copy(ledger_, forged, fs::copy_options::recursive);
  RewriteAndRechain(forged, 20);
  DeleteCheckpoints(forged);
  std::string line = R"({"id": "forged-1", "type": "survey.responded", "department": "storage", "period": "2026Q4", )"
                     R"("occurred_at": "2026-11-20", "actor": "工作组", "data": {"respondent": "客户", "score": "96.00"}})";
  WriteFile(dir_.Sub("f.jsonl"), line + "\n");
  ASSERT_EQ(RunQledger({"append", "--data", forged, dir_.Sub("f.jsonl")}).exit_code, 0);
  ASSERT_EQ(Sign(forged).exit_code, 0);
  {
    TempDir other;
    Server server(other, forged);
    ASSERT_NE(server.port(), 0) << server.Stderr();
    RunResult audit = Audit(server.port());
    EXPECT_EQ(audit.exit_code, 8) << audit.Describe();
    EXPECT_NE(audit.err.find("the log was rewritten"), std::string::npos) << audit.err;
    EXPECT_EQ(ReadFile(dir_.Sub("auditor/.qledger/held.note")), held) << "a failed audit must keep what it held";
  }

  // A checkpoint signed by another key only.
  std::string other_key_ledger = dir_.Sub("other-key");
  fs::copy(ledger_, other_key_ledger, fs::copy_options::recursive);
  DeleteCheckpoints(other_key_ledger);
  ASSERT_EQ(RunQledger({"key", "generate", "--name", "committee-li", "--out", dir_.Sub("impostor.key")}).exit_code, 0);
  ASSERT_EQ(Sign(other_key_ledger, "impostor.key").exit_code, 0);
  {
    TempDir other;
    Server server(other, other_key_ledger);
    ASSERT_NE(server.port(), 0) << server.Stderr();
    RunResult audit = Audit(server.port());
    EXPECT_EQ(audit.exit_code, 8) << audit.Describe();
    EXPECT_NE(audit.err.find("is not signed by committee-li"), std::string::npos) << audit.err;
  }

  // A log that answers with a smaller tree than the one held.
  std::string smaller = dir_.Sub("smaller");
  ASSERT_EQ(RunQledger({"init", "--data", smaller, "--policy", SourcePath("config/policy.json")}).exit_code, 0);
  ASSERT_EQ(Sign(smaller).exit_code, 0);
  {
    TempDir other;
    Server server(other, smaller);
    ASSERT_NE(server.port(), 0) << server.Stderr();
    RunResult audit = Audit(server.port());
    EXPECT_EQ(audit.exit_code, 8) << audit.Describe();
    EXPECT_TRUE(audit.err.find("origin") != std::string::npos || audit.err.find("shrank") != std::string::npos)
        << audit.err;
  }
  EXPECT_EQ(ReadFile(dir_.Sub("auditor/.qledger/held.note")), held);
  RunResult unreachable = RunQledger({"audit", "--url", "http://127.0.0.1:1", "--key", li_pub_, "--state",
                                      dir_.Sub("auditor/.qledger/held.note"), "--timeout", "2"});
  EXPECT_EQ(unreachable.exit_code, 7) << unreachable.Describe();
}

}  // namespace
}  // namespace qledger::testing
