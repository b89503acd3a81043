// Test hooks: what only the test build of the command (qledger-test-hooks,
// compiled with QLEDGER_TEST_HOOKS) honours. The release build `qledger`
// compiles them out and refuses to run with one set, so that no writer can
// pin recorded_at (say, in the future) with an environment variable.
#ifndef QLEDGER_TOOLS_TEST_HOOKS_H_
#define QLEDGER_TOOLS_TEST_HOOKS_H_

#include <functional>
#include <string>
#include <string_view>

namespace qledger::tools {

// True in the test build.
bool TestHooksEnabled();

// The test build: QLEDGER_TEST_NOW (a date-time for recorded_at), or "" when
// it is not set. The release build: always "".
std::string TestNow();

// The test build: with QLEDGER_TEST_MARKERS=DIR, an observer for
// storage::AppendOptions::observe that creates the file DIR/<stage> at each
// stage of a write; else empty. The release build: always empty.
std::function<void(std::string_view)> TestWriteObserver();

// The release build: a message naming a test hook set in the environment,
// which it refuses to run with; "" when none is set. The test build: "".
std::string RefusedTestHook();

}  // namespace qledger::tools

#endif  // QLEDGER_TOOLS_TEST_HOOKS_H_
