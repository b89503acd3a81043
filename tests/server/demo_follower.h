// Test helper: the demo ledger made in dir (demo_ledger.h) and opened as a
// follower, for the router's tests; ADD_FAILURE and nullptr on error.
#ifndef QLEDGER_TESTS_SERVER_DEMO_FOLLOWER_H_
#define QLEDGER_TESTS_SERVER_DEMO_FOLLOWER_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>

#include "demo_ledger.h"
#include "qledger/server/follower.h"

namespace qledger::testing {

inline std::unique_ptr<server::Follower> OpenDemoFollower(const TempDir& dir) {
  MakeDemoLedger(dir.Sub("ledger"));
  std::filesystem::create_directory(dir.Sub("secondary"));
  auto f = server::Follower::Open(dir.Sub("ledger"), dir.Sub("secondary"));
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? std::move(*f) : nullptr;
}

}  // namespace qledger::testing

#endif  // QLEDGER_TESTS_SERVER_DEMO_FOLLOWER_H_
