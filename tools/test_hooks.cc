#include "test_hooks.h"

#include <cstdlib>

namespace qledger::tools {

namespace {
constexpr const char* kNowVariable = "QLEDGER_TEST_NOW";
}  // namespace

#ifdef QLEDGER_TEST_HOOKS

bool TestHooksEnabled() { return true; }

std::string TestNow() {
  const char* now = std::getenv(kNowVariable);
  return now ? now : "";
}

std::string RefusedTestHook() { return ""; }

#else

bool TestHooksEnabled() { return false; }

std::string TestNow() { return ""; }

std::string RefusedTestHook() {
  if (std::getenv(kNowVariable) == nullptr) return "";
  return std::string(kNowVariable) + " is set, but it is a test hook that only the test build honours; " +
         "this qledger records the real time: unset it";
}

#endif

}  // namespace qledger::tools
