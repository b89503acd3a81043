// Test support: temporary directories, files, and running the real `qledger`
// binary (QLEDGER_BINARY) as a child process. Header-only, POSIX.
//
// Nothing here fakes the product: RunQledger fork/execs the built binary and
// returns what it really printed and its real exit status.
#ifndef QLEDGER_TESTS_SUPPORT_QLEDGER_TEST_SUPPORT_H_
#define QLEDGER_TESTS_SUPPORT_QLEDGER_TEST_SUPPORT_H_

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace qledger::testing {

// A fresh directory under /tmp (mkdtemp), removed recursively when the
// object is destroyed. Not copyable.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/qledger-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
      throw std::runtime_error(std::string("mkdtemp failed: ") + std::strerror(errno));
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);  // best effort: a leftover temp dir is not a test failure
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path()/name (not created).
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes content to path (truncating). Throws on failure.
inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

// The whole content of path. Throws if it cannot be read.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Path of a file in the source tree ("config/policy.json").
inline std::string SourcePath(const std::string& relative) {
  return std::string(QLEDGER_SOURCE_DIR) + "/" + relative;
}

struct RunResult {
  int exit_code = -1;  // the exit status; -N when killed by signal N
  std::string out;     // standard output
  std::string err;     // standard error

  // For assertion messages.
  std::string Describe() const {
    return "exit " + std::to_string(exit_code) + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
  }
};

namespace internal {

inline int DecodeWaitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1000;
}

inline std::vector<char*> Argv(const std::string& program, const std::vector<std::string>& args,
                               std::vector<std::string>* storage) {
  storage->clear();
  storage->push_back(program);
  storage->insert(storage->end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : *storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return argv;
}

}  // namespace internal

// Runs `program args...`, feeding stdin_text on its standard input, and
// collects its output. Blocks until it exits.
inline RunResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                            const std::string& stdin_text = "") {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) {
    throw std::runtime_error(std::string("pipe failed: ") + std::strerror(errno));
  }
  std::vector<std::string> storage;
  std::vector<char*> argv = internal::Argv(program, args, &storage);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  // The child may fill a pipe while we still write its input: interleave.
  ::signal(SIGPIPE, SIG_IGN);
  RunResult r;
  size_t written = 0;
  int in_fd = in_pipe[1];
  if (stdin_text.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, ::fcntl(in_fd, F_GETFL) | O_NONBLOCK);
  }
  int out_fd = out_pipe[0], err_fd = err_pipe[0];
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0 || in_fd >= 0) {
    std::vector<pollfd> fds;
    if (in_fd >= 0) fds.push_back({in_fd, POLLOUT, 0});
    if (out_fd >= 0) fds.push_back({out_fd, POLLIN, 0});
    if (err_fd >= 0) fds.push_back({err_fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
    }
    for (const auto& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in_fd) {
        ssize_t n = ::write(in_fd, stdin_text.data() + written, stdin_text.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if (n < 0 && errno != EAGAIN && errno != EINTR) written = stdin_text.size();  // reader went away
        if (written == stdin_text.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
      } else {
        ssize_t n = ::read(p.fd, buf, sizeof buf);
        if (n > 0) {
          (p.fd == out_fd ? r.out : r.err).append(buf, static_cast<size_t>(n));
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
          ::close(p.fd);
          (p.fd == out_fd ? out_fd : err_fd) = -1;
        }
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = internal::DecodeWaitStatus(status);
  return r;
}

// Runs the built qledger with args (e.g. {"--data", dir, "verify"}).
inline RunResult RunQledger(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  return RunProgram(QLEDGER_BINARY, args, stdin_text);
}

// The test build of the command (qledger-test-hooks), which honours test
// hooks such as QLEDGER_TEST_NOW; the release build refuses them.
inline const char* const kQledgerTestHooksBinary = QLEDGER_TEST_HOOKS_BINARY;

// A qledger process running in the background, its output going to files.
// The destructor kills (SIGKILL) and reaps it if it is still running.
class QledgerProcess {
 public:
  // Starts qledger with args; stdout and stderr go to out_file / err_file.
  // With open_files > 0, the child's limit of open files (soft and hard);
  // binary is the build to run (the test build, kQledgerTestHooksBinary,
  // for a test hook).
  QledgerProcess(const std::vector<std::string>& args, const std::string& out_file, const std::string& err_file,
                 rlim_t open_files = 0, const char* binary = QLEDGER_BINARY)
      : out_file_(out_file), err_file_(err_file) {
    std::vector<std::string> storage;
    std::vector<char*> argv = internal::Argv(binary, args, &storage);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid_ == 0) {
      int devnull = ::open("/dev/null", O_RDONLY);
      int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (devnull < 0 || out < 0 || err < 0) ::_exit(126);
      ::dup2(devnull, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      // Nothing else of the test's reaches the child (its descriptors would
      // count against the child's limit).
      ::close_range(3, ~0U, 0);
      if (open_files > 0) {
        rlimit limit{open_files, open_files};
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) ::_exit(125);
      }
      ::execv(binary, argv.data());
      ::_exit(127);
    }
  }
  ~QledgerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  QledgerProcess(const QledgerProcess&) = delete;
  QledgerProcess& operator=(const QledgerProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Sends SIGKILL (no effect if it has already exited but not been reaped).
  void Kill() {
    if (pid_ > 0) ::kill(pid_, SIGKILL);
  }

  // Waits for it to end; returns its exit status and output. Idempotent.
  RunResult Wait() {
    if (pid_ > 0) {
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      result_.exit_code = internal::DecodeWaitStatus(status);
      pid_ = -1;
      std::error_code ec;
      if (std::filesystem::exists(out_file_, ec)) result_.out = ReadFile(out_file_);
      if (std::filesystem::exists(err_file_, ec)) result_.err = ReadFile(err_file_);
    }
    return result_;
  }

 private:
  pid_t pid_ = -1;
  const std::string out_file_;
  const std::string err_file_;
  RunResult result_;
};

// JSON Lines text: each line followed by a newline.
inline std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace qledger::testing

#endif  // QLEDGER_TESTS_SUPPORT_QLEDGER_TEST_SUPPORT_H_
