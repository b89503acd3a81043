// Test helper: the demo ledger (config/policy.json + config/demo/events.jsonl,
// seq 1..310), made with the real qledger binary in a fresh temporary dir.
#ifndef QLEDGER_TESTS_SERVER_DEMO_LEDGER_H_
#define QLEDGER_TESTS_SERVER_DEMO_LEDGER_H_

#include <gtest/gtest.h>

#include <string>

#include "qledger_test_support.h"

namespace qledger::testing {

// 1 policy.adopted + 309 demo events (config/demo/README.md).
constexpr int64_t kDemoHeadSeq = 310;

// Makes the demo ledger at dir (which must not exist yet); ADD_FAILURE on error.
inline void MakeDemoLedger(const std::string& dir) {
  RunResult init = RunQledger({"--data", dir, "init", "--policy", SourcePath("config/policy.json")});
  ASSERT_EQ(init.exit_code, 0) << init.Describe();
  RunResult append = RunQledger({"--data", dir, "append", SourcePath("config/demo/events.jsonl")});
  ASSERT_EQ(append.exit_code, 0) << append.Describe();
}

}  // namespace qledger::testing

#endif  // QLEDGER_TESTS_SERVER_DEMO_LEDGER_H_
