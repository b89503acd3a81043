// `qledger key generate`, `checkpoint`, `prove` and `check` — the real
// binary against the demo ledger in a fresh directory: a checkpoint signed
// by the log and cosigned by a committee member, bundles that check offline,
// bundles that were tampered with or checked against the wrong key, and a
// copy of the ledger whose history was rewritten and re-chained, which
// `verify` passes and only a checkpoint signed before can catch.
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "ledger_tamper.h"
#include "qledger_test_support.h"

namespace qledger::testing {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

class TlogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = dir_.Sub("ledger");
    ASSERT_EQ(RunQledger({"init", "--data", ledger_, "--policy", SourcePath("config/policy.json")}).exit_code, 0);
    ASSERT_EQ(RunQledger({"append", "--data", ledger_, SourcePath("config/demo/events.jsonl")}).exit_code, 0);
    log_pub_ = Key("qledger-log", "log.key");
    li_pub_ = Key("committee-li", "li.key");
  }

  std::string Key(const std::string& name, const std::string& file) {
    RunResult r = RunQledger({"key", "generate", "--name", name, "--out", dir_.Sub(file)});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out.substr(0, r.out.size() - 1);
  }

  RunResult Q(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--data", ledger_});
    return RunQledger(args);
  }

  std::string Bundle(const std::vector<std::string>& args, const std::string& name) {
    std::vector<std::string> all = {"prove"};
    all.insert(all.end(), args.begin(), args.end());
    RunResult r = Q(all);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    WriteFile(dir_.Sub(name), r.out);
    return dir_.Sub(name);
  }

  TempDir dir_;
  std::string ledger_;
  std::string log_pub_;
  std::string li_pub_;
};

TEST_F(TlogTest, AKeyFileIsPrivateAndNeverReplaced) {
  struct stat st {};
  ASSERT_EQ(::stat(dir_.Sub("log.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(log_pub_.rfind("qledger-log+", 0), 0u) << log_pub_;
  std::string before = ReadFile(dir_.Sub("log.key"));
  RunResult again = RunQledger({"key", "generate", "--name", "other", "--out", dir_.Sub("log.key")});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("never replaced"), std::string::npos) << again.Describe();
  EXPECT_EQ(ReadFile(dir_.Sub("log.key")), before);
  EXPECT_NE(RunQledger({"key", "generate", "--name", "two words", "--out", dir_.Sub("x.key")}).exit_code, 0);
}

TEST_F(TlogTest, ACheckpointIsSignedThenCosignedAndBothSignaturesCheck) {
  RunResult one = Q({"checkpoint", "--quarter", "2025Q4", "--sign", dir_.Sub("log.key")});
  ASSERT_EQ(one.exit_code, 0) << one.Describe();
  RunResult two = Q({"checkpoint", "--quarter", "2025Q4", "--sign", dir_.Sub("li.key")});
  ASSERT_EQ(two.exit_code, 0) << two.Describe();
  EXPECT_EQ(two.out.rfind(one.out.substr(0, one.out.size()), 0), 0u) << "the cosignature is added to the same note";
  EXPECT_NE(two.out.find("\xE2\x80\x94 committee-li "), std::string::npos) << two.out;
  RunResult stored = Q({"checkpoint", "--quarter", "2025Q4"});
  EXPECT_EQ(stored.out, two.out);
  // Signing again adds nothing.
  EXPECT_EQ(Q({"checkpoint", "--quarter", "2025Q4", "--sign", dir_.Sub("li.key")}).out, two.out);
  // The approved quarter's report prints the checkpoint whole, with its
  // signers: the paper copy is enough to check the ledger later.
  for (const char* format : {"md", "html"}) {
    RunResult report = Q({"report", "--quarter", "2025Q4", "--format", format, "--lang", "en"});
    ASSERT_EQ(report.exit_code, 0) << report.Describe();
    EXPECT_NE(report.out.find("74 events of qledger/"), std::string::npos) << format;
    EXPECT_NE(report.out.find("signed by qledger-log, committee-li"), std::string::npos) << format;
    RunResult zh = Q({"report", "--quarter", "2025Q4", "--format", format});
    ASSERT_EQ(zh.exit_code, 0) << zh.Describe();
    EXPECT_NE(zh.out.find("的前 74 个事件"), std::string::npos) << format;
    EXPECT_NE(zh.out.find("签名人 qledger-log, committee-li"), std::string::npos) << format;
  }
  // The workbook carries it as a sheet of its own (the CSV is the scores
  // table alone, each row with the head it was derived from).
  RunResult xlsx = Q({"report", "--quarter", "2025Q4", "--format", "xlsx", "--lang", "en", "--out", dir_.Sub("r.xlsx")});
  ASSERT_EQ(xlsx.exit_code, 0) << xlsx.Describe();
  RunResult sheets = RunProgram("/usr/bin/python3",
                                {"-c",
                                 "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); "
                                 "print(z.read('xl/workbook.xml').decode()); "
                                 "print(z.read('xl/sharedStrings.xml').decode())",
                                 dir_.Sub("r.xlsx")});
  ASSERT_EQ(sheets.exit_code, 0) << sheets.Describe();
  EXPECT_NE(sheets.out.find("name=\"Signed checkpoint\""), std::string::npos) << sheets.out;
  EXPECT_NE(sheets.out.find("qledger-log, committee-li"), std::string::npos) << sheets.out;
  RunResult as_json = Q({"report", "--quarter", "2025Q4", "--format", "json"});
  ASSERT_EQ(as_json.exit_code, 0) << as_json.Describe();
  json::object cp = json::parse(as_json.out).at("checkpoint").as_object();
  EXPECT_EQ(cp.at("size"), 74);
  EXPECT_EQ(cp.at("signers").as_array().size(), 2u);
  EXPECT_EQ(std::string(cp.at("note").as_string()), two.out);
  RunResult md = Q({"report", "--quarter", "2025Q4", "--format", "md"});
  EXPECT_NE(md.out.find("```\n" + two.out + "```"), std::string::npos) << md.out.substr(md.out.size() - 800);
  RunResult open_quarter = Q({"report", "--quarter", "2026Q3", "--format", "json"});
  EXPECT_NE(open_quarter.out.find("\"checkpoint\":null"), std::string::npos);

  std::string b = Bundle({"--event", "2025Q4-logistics-direct-01"}, "b.json");
  RunResult ok = RunQledger({"check", b, "--key", log_pub_, "--key", li_pub_});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  EXPECT_NE(ok.out.find("is in the tree of"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("signed by qledger-log, committee-li"), std::string::npos) << ok.out;

  // The standard-library checker agrees, and refuses what check refuses.
  RunResult py = RunProgram("/usr/bin/python3", {SourcePath("tools/check_bundle.py"), b, "--key", log_pub_, "--key", li_pub_});
  EXPECT_EQ(py.exit_code, 0) << py.Describe();
  EXPECT_NE(py.out.find("ok: event '2025Q4-logistics-direct-01'"), std::string::npos) << py.out;
  json::object bundle = json::parse(ReadFile(b)).as_object();
  bundle["event"].as_object()["actor"] = "someone else";
  WriteFile(dir_.Sub("bad.json"), json::serialize(bundle));
  RunResult py_bad = RunProgram("/usr/bin/python3", {SourcePath("tools/check_bundle.py"), dir_.Sub("bad.json"), "--key", li_pub_});
  EXPECT_EQ(py_bad.exit_code, 1) << py_bad.Describe();
  EXPECT_NE(py_bad.out.find("FAILED: the proof does not lead to the root"), std::string::npos) << py_bad.out;
  RunResult py_key = RunProgram("/usr/bin/python3", {SourcePath("tools/check_bundle.py"), b, "--key", Key("other", "o.key")});
  EXPECT_EQ(py_key.exit_code, 1) << py_key.Describe();
  EXPECT_NE(py_key.out.find("is not signed by other"), std::string::npos) << py_key.out;
}

TEST_F(TlogTest, ATamperedBundleOrAnUnknownKeyFailsNamingWhat) {
  ASSERT_EQ(Q({"checkpoint", "--sign", dir_.Sub("log.key")}).exit_code, 0);
  std::string b = Bundle({"--event", "2025Q4-logistics-direct-01"}, "b.json");
  json::object bundle = json::parse(ReadFile(b)).as_object();

  auto check = [&](const json::object& o, const std::string& key) {
    WriteFile(dir_.Sub("t.json"), json::serialize(o));
    return RunQledger({"check", dir_.Sub("t.json"), "--key", key});
  };
  RunResult unsigned_by = check(bundle, li_pub_);
  EXPECT_EQ(unsigned_by.exit_code, 8) << unsigned_by.Describe();
  EXPECT_NE(unsigned_by.err.find("is not signed by committee-li"), std::string::npos) << unsigned_by.err;

  json::object flipped = bundle;
  std::string first(flipped["audit_path"].as_array()[0].as_string());
  first[0] = first[0] == 'A' ? 'B' : 'A';
  flipped["audit_path"].as_array()[0] = first;
  RunResult bad_path = check(flipped, log_pub_);
  EXPECT_EQ(bad_path.exit_code, 8) << bad_path.Describe();
  EXPECT_NE(bad_path.err.find("inclusion: the proof does not lead to the root"), std::string::npos) << bad_path.err;

  json::object other_event = bundle;
  other_event["event"].as_object()["actor"] = "someone else";
  RunResult bad_leaf = check(other_event, log_pub_);
  EXPECT_EQ(bad_leaf.exit_code, 8) << bad_leaf.Describe();

  json::object shifted = bundle;
  shifted["leaf_index"] = bundle["leaf_index"].as_int64() + 1;
  EXPECT_EQ(check(shifted, log_pub_).exit_code, 8);

  json::object missing = bundle;
  missing["audit_path"].as_array().pop_back();
  EXPECT_EQ(check(missing, log_pub_).exit_code, 8);

  // The rest of transparency-dev/merkle's categories, end to end: a hash
  // added, the leaf index one below, the tree size wrong or doubled (the
  // checkpoint's own size is signed and cannot move with it).
  json::object added = bundle;
  added["audit_path"].as_array().push_back(added["audit_path"].as_array()[0]);
  RunResult extra = check(added, log_pub_);
  EXPECT_EQ(extra.exit_code, 8) << extra.Describe();
  EXPECT_NE(extra.err.find("inclusion:"), std::string::npos) << extra.err;

  json::object below = bundle;
  below["leaf_index"] = bundle["leaf_index"].as_int64() - 1;
  RunResult index_below = check(below, log_pub_);
  EXPECT_EQ(index_below.exit_code, 8) << index_below.Describe();
  EXPECT_NE(index_below.err.find("seq is not leaf_index + 1"), std::string::npos) << index_below.err;

  for (int64_t size : {bundle["tree_size"].as_int64() - 1, bundle["tree_size"].as_int64() * 2}) {
    json::object resized = bundle;
    resized["tree_size"] = size;
    RunResult wrong_size = check(resized, log_pub_);
    EXPECT_EQ(wrong_size.exit_code, 8) << size << ": " << wrong_size.Describe();
    EXPECT_NE(wrong_size.err.find("is not the checkpoint's size"), std::string::npos) << wrong_size.err;
  }

  // A field of the wrong type is a malformed bundle, never a crash.
  WriteFile(dir_.Sub("held.note"), Q({"checkpoint"}).out);
  std::string c = Bundle({"--from", "100"}, "c.json");
  json::object consistency = json::parse(ReadFile(c)).as_object();
  for (json::value odd : {json::value(5), json::value(nullptr), json::value(json::array{})}) {
    json::object typed = consistency;
    typed["from_root"] = odd;
    WriteFile(dir_.Sub("t.json"), json::serialize(typed));
    RunResult r = RunQledger({"check", dir_.Sub("t.json"), "--key", log_pub_, "--trusted", dir_.Sub("held.note")});
    EXPECT_TRUE(r.exit_code == 3 || r.exit_code == 8) << r.Describe();
    EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
  }

  RunResult garbage = RunQledger({"check", dir_.Sub("log.key"), "--key", log_pub_});
  EXPECT_EQ(garbage.exit_code, 3) << garbage.Describe();
}

// With --trusted, an inclusion bundle must be of the very tree the checker
// holds: a proof against another (signed) tree says nothing of the one held.
TEST_F(TlogTest, AnInclusionBundleCheckedAgainstATrustedCheckpointMustBeOfItsTree) {
  ASSERT_EQ(Q({"checkpoint", "--quarter", "2025Q4", "--sign", dir_.Sub("log.key")}).exit_code, 0);
  ASSERT_EQ(Q({"checkpoint", "--sign", dir_.Sub("log.key")}).exit_code, 0);
  RunResult latest = Q({"checkpoint"});
  ASSERT_EQ(latest.exit_code, 0) << latest.Describe();
  WriteFile(dir_.Sub("held.note"), latest.out);
  const std::string size = latest.out.substr(latest.out.find('\n') + 1, latest.out.find('\n', latest.out.find('\n') + 1) -
                                                                             latest.out.find('\n') - 1);

  std::string early = Bundle({"--event", "2025Q4-logistics-direct-01"}, "early.json");
  EXPECT_EQ(RunQledger({"check", early, "--key", log_pub_}).exit_code, 0);
  RunResult other_tree = RunQledger({"check", early, "--key", log_pub_, "--trusted", dir_.Sub("held.note")});
  EXPECT_EQ(other_tree.exit_code, 8) << other_tree.Describe();
  EXPECT_NE(other_tree.err.find("the trusted one of size " + size), std::string::npos) << other_tree.err;
  EXPECT_NE(other_tree.err.find("--size " + size), std::string::npos) << other_tree.err;

  std::string at_held = Bundle({"--event", "2025Q4-logistics-direct-01", "--size", size}, "held.json");
  RunResult same_tree = RunQledger({"check", at_held, "--key", log_pub_, "--trusted", dir_.Sub("held.note")});
  EXPECT_EQ(same_tree.exit_code, 0) << same_tree.Describe();

  // The standard-library checker says the same.
  auto py = [&](const std::string& bundle) {
    return RunProgram("/usr/bin/python3", {SourcePath("tools/check_bundle.py"), bundle, "--key", log_pub_, "--trusted",
                                           dir_.Sub("held.note")});
  };
  RunResult py_other = py(early);
  EXPECT_EQ(py_other.exit_code, 1) << py_other.Describe();
  EXPECT_NE(py_other.out.find("FAILED: the bundle's checkpoint is of size"), std::string::npos) << py_other.out;
  EXPECT_EQ(py(at_held).exit_code, 0) << py(at_held).Describe();
  // A field of the wrong type fails naming it, with no traceback.
  json::object typed = json::parse(ReadFile(at_held)).as_object();
  typed["event"].as_object()["seq"] = typed["event"].as_object()["seq"].to_number<double>();
  WriteFile(dir_.Sub("typed.json"), json::serialize(typed));
  RunResult py_typed = py(dir_.Sub("typed.json"));
  EXPECT_EQ(py_typed.exit_code, 1) << py_typed.Describe();
  EXPECT_NE(py_typed.out.find("FAILED: "), std::string::npos) << py_typed.out;
  EXPECT_EQ(py_typed.err.find("Traceback"), std::string::npos) << py_typed.err;
  typed["tree_size"] = "310";
  WriteFile(dir_.Sub("typed.json"), json::serialize(typed));
  RunResult py_size = py(dir_.Sub("typed.json"));
  EXPECT_EQ(py_size.exit_code, 1) << py_size.Describe();
  EXPECT_NE(py_size.out.find("FAILED: tree_size: missing, or not a count"), std::string::npos) << py_size.out;
}

// The attack the tree is for: a copy of the ledger in which event 20 was
// rewritten and everything after it re-chained (and the tree rebuilt by the
// next writer). verify passes it; a checkpoint signed before catches it.
TEST_F(TlogTest, ARewrittenAndRechainedHistoryPassesVerifyButNotASignedCheckpoint) {
  RunResult signed_before = Q({"checkpoint", "--sign", dir_.Sub("li.key")});
  ASSERT_EQ(signed_before.exit_code, 0);
  WriteFile(dir_.Sub("held.note"), signed_before.out);
  std::string genuine_bundle = Bundle({"--event", "2025Q4-logistics-direct-01"}, "genuine.json");

  RewriteAndRechain(ledger_, 20);
  // With the genuine checkpoint still stored beside the events, verify
  // sees that the events are not the tree it signed.
  RunResult caught = Q({"verify"});
  EXPECT_EQ(caught.exit_code, 8) << caught.Describe();
  EXPECT_NE(caught.err.find("the signed checkpoint of size 310 is not the tree of the events"), std::string::npos)
      << caught.err;
  // A thorough forger removes it too: then verify passes...
  DeleteCheckpoints(ledger_);
  RunResult verify = Q({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << "the forgery is consistent in itself: " << verify.Describe();
  // ...and the forger signs the tree they rebuilt, with a key of their own.
  Key("qledger-log", "forger.key");
  ASSERT_EQ(Q({"checkpoint", "--sign", dir_.Sub("forger.key")}).exit_code, 0);
  // The committee member's key did not sign it.
  std::string forged = Bundle({"--event", "2025Q4-logistics-direct-01"}, "forged.json");
  RunResult inclusion = RunQledger({"check", forged, "--key", li_pub_});
  EXPECT_EQ(inclusion.exit_code, 8) << inclusion.Describe();
  EXPECT_NE(inclusion.err.find("is not signed by committee-li"), std::string::npos) << inclusion.err;
  // The genuine bundle, held from before, still checks (it needs no ledger).
  EXPECT_EQ(RunQledger({"check", genuine_bundle, "--key", li_pub_}).exit_code, 0);
  // Even with the forger's checkpoint signed by a key the auditor trusts, its
  // tree does not extend the checkpoint held from before.
  ASSERT_EQ(Q({"checkpoint", "--sign", dir_.Sub("li.key")}).exit_code, 0);
  std::string consistency = Bundle({"--from", "310"}, "c.json");
  RunResult extends = RunQledger({"check", consistency, "--key", li_pub_, "--trusted", dir_.Sub("held.note")});
  EXPECT_EQ(extends.exit_code, 8) << extends.Describe();
  EXPECT_NE(extends.err.find("the log was rewritten"), std::string::npos) << extends.err;
  RunResult py = RunProgram("/usr/bin/python3", {SourcePath("tools/check_bundle.py"), consistency, "--key", li_pub_,
                                                 "--trusted", dir_.Sub("held.note")});
  EXPECT_EQ(py.exit_code, 1) << py.Describe();
  EXPECT_NE(py.out.find("the log was rewritten"), std::string::npos) << py.out;
}

}  // namespace
}  // namespace qledger::testing
