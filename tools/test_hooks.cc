#include "test_hooks.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace qledger::tools {

namespace {
constexpr const char* kNowVariable = "QLEDGER_TEST_NOW";
constexpr const char* kMarkersVariable = "QLEDGER_TEST_MARKERS";
}  // namespace

#ifdef QLEDGER_TEST_HOOKS

bool TestHooksEnabled() { return true; }

std::string TestNow() {
  const char* now = std::getenv(kNowVariable);
  return now ? now : "";
}

std::function<void(std::string_view)> TestWriteObserver() {
  const char* dir = std::getenv(kMarkersVariable);
  if (dir == nullptr) return {};
  return [dir = std::string(dir)](std::string_view stage) {
    std::string path = dir + "/" + std::string(stage);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);  // the test looks for the file, not its content
  };
}

std::string RefusedTestHook() { return ""; }

#else

bool TestHooksEnabled() { return false; }

std::string TestNow() { return ""; }

std::function<void(std::string_view)> TestWriteObserver() { return {}; }

std::string RefusedTestHook() {
  for (const char* hook : {kNowVariable, kMarkersVariable}) {
    if (std::getenv(hook) != nullptr) {
      return std::string(hook) + " is set, but it is a test hook that only the test build honours; " +
             "this qledger records the real time and nothing else: unset it";
    }
  }
  return "";
}

#endif

}  // namespace qledger::tools
