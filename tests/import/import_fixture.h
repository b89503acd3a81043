// The fixture of the import tests: a fresh ledger in a temporary directory,
// the real binary, and what a test reads back (the export, the events after
// a seq, an import's outcome) or asserts (a rejection that changed nothing).
#ifndef QLEDGER_TESTS_IMPORT_IMPORT_FIXTURE_H_
#define QLEDGER_TESTS_IMPORT_IMPORT_FIXTURE_H_

#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "qledger_test_support.h"

namespace qledger::testing {

class ImportFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = dir_.Sub("ledger");
    RunResult r = RunQledger({"init", "--data", ledger_, "--policy", SourcePath("config/policy.json")});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  void LoadDemo() {
    RunResult r = RunQledger({"append", "--data", ledger_, SourcePath("config/demo/events.jsonl")});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
  }

  // Writes csv to a file and imports it.
  RunResult Import(const std::string& kind, const std::string& csv, std::vector<std::string> extra = {}) {
    std::string file = dir_.Sub("input-" + std::to_string(++files_) + ".csv");
    WriteFile(file, csv);
    return ImportFile(kind, file, std::move(extra));
  }
  RunResult ImportFile(const std::string& kind, const std::string& file, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"import", "--data", ledger_, "--kind", kind, file};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunQledger(args);
  }

  std::string Export() {
    RunResult r = RunQledger({"export", "--data", ledger_});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }

  // Every event after seq `after`, as exported.
  std::vector<boost::json::object> EventsAfter(int64_t after) {
    RunResult r = RunQledger({"log", "--data", ledger_, "--format", "json", "--after", std::to_string(after)});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    std::vector<boost::json::object> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back(boost::json::parse(line).as_object());
    }
    return out;
  }

  static boost::json::object Outcome(const RunResult& r) { return boost::json::parse(r.out).as_object(); }

  // Asserts an invalid-input rejection that names `message` and left the
  // ledger exactly as `before`.
  void ExpectRejected(const RunResult& r, const std::string& message, const std::string& before) {
    EXPECT_EQ(r.exit_code, 3) << r.Describe();
    EXPECT_NE(r.err.find(message), std::string::npos) << "expected: " << message << "\n" << r.Describe();
    EXPECT_EQ(r.out, "") << r.Describe();
    EXPECT_EQ(Export(), before) << "the ledger changed";
  }

  TempDir dir_;
  std::string ledger_;
  int files_ = 0;
};

}  // namespace qledger::testing

#endif  // QLEDGER_TESTS_IMPORT_IMPORT_FIXTURE_H_
