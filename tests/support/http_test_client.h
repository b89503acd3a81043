// Test support: a tiny HTTP/1.1 client over raw sockets, and the real
// `qledger serve` on a loopback port. Header-only, POSIX.
#ifndef QLEDGER_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
#define QLEDGER_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "qledger_test_support.h"

namespace qledger::testing {

struct Reply {
  int status = 0;  // 0: the connection closed before a status line
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// One TCP connection to 127.0.0.1:port, with a 5 s receive timeout; from
// the loopback address `from` (e.g. "127.0.0.2": another peer) if given.
class Connection {
 public:
  explicit Connection(int port, const char* from = nullptr) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (from) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      ::inet_pton(AF_INET, from, &local.sin_addr);
      if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool connected() const { return connected_; }

  void Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server closed; the reply read will tell
      sent += static_cast<size_t>(n);
    }
  }

  // Reads one response; no body for HEAD requests and 304.
  Reply Read(bool head_request = false) {
    Reply r;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return r;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    r.status = std::stoi(status_line.substr(9, 3));
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = colon + 1;
      while (v < line.size() && line[v] == ' ') ++v;
      r.headers[name] = line.substr(v);
      pos = next + 2;
    }
    if (head_request || r.status == 304) return r;
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (buffer_.size() < length) {
      if (!Fill()) break;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, std::min(length, buffer_.size()));
    return r;
  }

  // True when the server has closed the connection (read returns 0 or reset).
  bool ClosedByServer() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

inline std::string RequestText(const std::string& method, const std::string& target, const std::string& extra = "",
                        bool close = true) {
  return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (close ? "Connection: close\r\n" : "") + extra +
         "\r\n";
}

inline Reply Fetch(int port, const std::string& method, const std::string& target, const std::string& extra = "") {
  Connection c(port);
  c.Send(RequestText(method, target, extra));
  return c.Read(method == "HEAD");
}

// A gzip stream inflated (the server's Content-Encoding: gzip).
inline std::string Gunzip(const std::string& data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "(inflateInit2 failed)";
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof chunk;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "(not a whole gzip stream)";
}

// `qledger serve --listen 127.0.0.1:0` on a ledger; knows its port once the
// server has printed it and /healthz answers 200 (with want_healthy; else
// any answer). port() stays 0 if that does not happen within 20 s, or the
// server exits (process().Wait() then tells how).
class Server {
 public:
  Server(const TempDir& dir, const std::string& ledger, std::vector<std::string> extra = {}, bool want_healthy = true,
         rlim_t open_files = 0, const std::string& listen = "127.0.0.1:0")
      : out_(dir.Sub("serve.out")), err_(dir.Sub("serve.err")) {
    std::vector<std::string> args = {"--data", ledger, "serve", "--listen", listen};
    args.insert(args.end(), extra.begin(), extra.end());
    process_ = std::make_unique<QledgerProcess>(args, out_, err_, open_files);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    // "listening on http://ADDR:PORT/": the port after the last ':' of the
    // address (which may be IPv6 in brackets).
    const std::string marker = "listening on http://";
    while (std::chrono::steady_clock::now() < deadline && port_ == 0 && !Exited()) {
      std::error_code ec;
      if (std::filesystem::exists(out_, ec)) {
        std::string text = qledger::testing::ReadFile(out_);
        if (auto at = text.find(marker); at != std::string::npos && text.find('\n', at) != std::string::npos) {
          size_t slash = text.find('/', at + marker.size());
          size_t colon = text.rfind(':', slash);
          if (slash != std::string::npos && colon != std::string::npos && colon > at) {
            port_ = std::stoi(text.substr(colon + 1, slash - colon - 1));
          }
        }
      }
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    while (port_ != 0 && std::chrono::steady_clock::now() < deadline) {
      int status = Fetch(port_, "GET", "/healthz").status;
      if (status == 200 || (!want_healthy && status != 0)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    port_ = 0;
  }
  // Stops it as an operator would (SIGTERM), so that it removes its
  // follower directory; QledgerProcess would SIGKILL it.
  ~Server() {
    // pid() is -1 once a test has waited for it: never kill(-1, …).
    if (process_->pid() > 0) {
      ::kill(process_->pid(), SIGTERM);
      process_->Wait();
    }
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  // What it wrote to standard error so far.
  std::string Stderr() const {
    std::error_code ec;
    return std::filesystem::exists(err_, ec) ? qledger::testing::ReadFile(err_) : std::string();
  }
  // True once the process has ended (it is not reaped here).
  bool Exited() {
    siginfo_t info{};
    return ::waitid(P_PID, process_->pid(), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0;
  }
  QledgerProcess& process() { return *process_; }

 private:
  std::string out_;
  std::string err_;
  std::unique_ptr<QledgerProcess> process_;
  int port_ = 0;
};

}  // namespace qledger::testing

#endif  // QLEDGER_TESTS_SUPPORT_HTTP_TEST_CLIENT_H_
