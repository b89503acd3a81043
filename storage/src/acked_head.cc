#include "acked_head.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include "qledger/domain/event.h"
#include "qledger/domain/hash_chain.h"

namespace qledger::storage::internal {

namespace {

constexpr std::string_view kPrefix = "qledger-acked-head v1 seq=";
constexpr size_t kMaxFileBytes = 256;  // the line is ~130 bytes

std::string Check(std::string_view body) { return domain::ChainHash("", body).substr(0, 16); }

std::string Body(const AckedHead& head) {
  return std::string(kPrefix) + std::to_string(head.seq) + " hash=" + head.hash;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// write(2) all of data, retrying on EINTR and short writes.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

std::string AckedHeadPath(const std::string& dir) { return dir + "/" + kAckedHeadFile; }

std::string FormatAckedHead(const AckedHead& head) {
  std::string body = Body(head);
  return body + " check=" + Check(body) + "\n";
}

domain::Result<std::optional<AckedHead>> ReadAckedHead(const std::string& dir) {
  const std::string path = AckedHeadPath(dir);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<AckedHead>();
    return domain::Internal(Errno("reading the acknowledged head " + path));
  }
  std::string text;
  char buf[kMaxFileBytes + 1];
  while (text.size() <= kMaxFileBytes) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return domain::Internal(Errno("reading the acknowledged head " + path));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  QLEDGER_ASSIGN_OR_RETURN(auto head, ParseAckedHead(text, path));
  return std::optional<AckedHead>(std::move(head));
}

domain::Result<AckedHead> ParseAckedHead(std::string_view text, const std::string& path) {
  auto damaged = [&](const std::string& why) {
    return domain::DataLoss("the acknowledged-head record " + path + " is damaged (" + why +
                            "): the ledger cannot be checked against what it acknowledged; see docs/recovery.md");
  };
  if (text.size() > kMaxFileBytes) return damaged("it is longer than one record");
  if (text.empty() || text.back() != '\n') return damaged("it is truncated");
  std::string_view line = text.substr(0, text.size() - 1);
  if (!line.starts_with(kPrefix)) return damaged("it does not start with \"" + std::string(kPrefix) + "\"");
  size_t check_at = line.rfind(" check=");
  if (check_at == std::string_view::npos) return damaged("it has no check field");
  std::string_view body = line.substr(0, check_at);
  if (line.substr(check_at + 7) != Check(body)) return damaged("its check field does not match its content");
  std::string_view rest = body.substr(kPrefix.size());
  AckedHead head;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), head.seq);
  if (ec != std::errc() || head.seq < 0 || end == rest.data()) return damaged("its seq is not a number");
  rest.remove_prefix(static_cast<size_t>(end - rest.data()));
  if (!rest.starts_with(" hash=")) return damaged("it has no hash field");
  rest.remove_prefix(6);
  if (rest.size() != 64 || !IsLowerHex(rest)) return damaged("its hash is not 64 hex digits");
  head.hash = std::string(rest);
  return head;
}

domain::Status WriteAckedHead(const std::string& dir, const AckedHead& head) {
  const std::string path = AckedHeadPath(dir);
  const std::string tmp = path + ".tmp";
  const std::string text = FormatAckedHead(head);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return domain::Internal(Errno("recording the acknowledged head in " + tmp));
  bool ok = WriteAll(fd, text) && ::fsync(fd) == 0;
  int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    errno = saved;
    domain::Status st = domain::Internal(Errno("recording the acknowledged head in " + tmp));
    ::unlink(tmp.c_str());  // best effort: a stale .tmp is never read
    return st;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return domain::Internal(Errno("recording the acknowledged head in " + path));
  }
  // The rename is durable only once the directory is synced.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return domain::Internal(Errno("syncing " + dir));
  bool synced = ::fsync(dfd) == 0;
  saved = errno;
  ::close(dfd);
  errno = saved;
  if (!synced) return domain::Internal(Errno("syncing " + dir));
  return domain::Status::Ok();
}

}  // namespace qledger::storage::internal
