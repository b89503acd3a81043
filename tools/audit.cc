#include "audit.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "commands.h"
#include "exit_codes.h"
#include "qledger/app/tlog.h"
#include "qledger/domain/signed_note.h"

namespace qledger::tools {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using domain::Result;
using domain::Status;

namespace {

// The log's address: scheme http, a host, a port (80 by default), and a
// path prefix the API sits under.
struct LogAddress {
  std::string host;
  std::string port;
  std::string prefix;  // "" or "/something", without a trailing slash
};

Result<LogAddress> ParseLogUrl(const std::string& text) {
  auto u = boost::urls::parse_absolute_uri(text);
  if (!u) return domain::InvalidArgument("--url: \"" + text + "\" is not an absolute URL (http://host:port)");
  if (u->scheme() != "http") {
    return domain::InvalidArgument("--url: only http:// is spoken (put a TLS proxy in front, or run it on the same host)");
  }
  if (u->host().empty()) return domain::InvalidArgument("--url: \"" + text + "\" names no host");
  if (u->has_query() || u->has_fragment()) return domain::InvalidArgument("--url: give the server's address, without ? or #");
  LogAddress a{std::string(u->host()), u->has_port() ? std::string(u->port()) : "80", std::string(u->path())};
  while (!a.prefix.empty() && a.prefix.back() == '/') a.prefix.pop_back();
  return a;
}

// GET prefix + target; the body of a 200, else an error naming the status
// (kUnavailable for a log that cannot be reached or answers 5xx).
Result<std::string> Get(const LogAddress& a, const std::string& target, std::chrono::seconds timeout) {
  try {
    net::io_context ioc;
    net::ip::tcp::resolver resolver(ioc);
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(a.host, a.port));
    http::request<http::empty_body> req{http::verb::get, a.prefix + target, 11};
    req.set(http::field::host, a.host);
    req.set(http::field::user_agent, "qledger-audit");
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    auto& res = parser.get();
    if (res.result_int() == 200) return std::string(res.body());
    std::string what = "GET " + a.prefix + target + " answered " + std::to_string(res.result_int()) + ": " +
                       res.body().substr(0, 300);
    if (res.result_int() >= 500) return domain::Unavailable(what);
    return domain::NotFound(what);
  } catch (const std::exception& e) {
    return domain::Unavailable("cannot reach the log at " + a.host + ":" + a.port + ": " + e.what());
  }
}

Result<std::string> ReadState(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::string();
  std::ifstream in(file, std::ios::binary);
  if (!in) return domain::Internal("cannot read the state file " + file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}


}  // namespace

int RunAudit(const AuditFlags& f) {
  std::vector<domain::note::Verifier> keys;
  for (const auto& k : f.keys) {
    auto v = domain::note::ParseVerifier(k);
    if (!v.ok()) return Fail("audit", domain::InvalidArgument("--key: " + v.status().message()));
    keys.push_back(std::move(*v));
  }
  QLEDGER_ASSIGN_OR_FAIL("audit", LogAddress address, ParseLogUrl(f.url));
  auto timeout = std::chrono::seconds(static_cast<int64_t>(std::max(1.0, f.timeout_seconds)));
  QLEDGER_ASSIGN_OR_FAIL("audit", std::string held, ReadState(f.state));
  QLEDGER_ASSIGN_OR_FAIL("audit", std::string fetched, Get(address, "/v1/checkpoint", timeout));
  auto fetch_proof = [&](uint64_t from, uint64_t to) {
    return Get(address, "/v1/proofs/consistency?from=" + std::to_string(from) + "&to=" + std::to_string(to), timeout);
  };
  auto outcome = app::AuditStep(held, fetched, keys, fetch_proof);
  if (!outcome.ok()) {
    std::cerr << "qledger audit: FAILED: " << outcome.status().message() << " (the held checkpoint in " << f.state
              << " is kept)\n";
    return ExitCodeFor(outcome.status().code());
  }
  // The state file is created the first time, and its directory with it
  // (the default, ~/.qledger/, may not be there yet).
  if (auto parent = std::filesystem::path(f.state).parent_path(); !parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Fail("audit", domain::Internal("cannot create " + parent.string() + " for --state: " + ec.message()));
  }
  Status written = ReplaceFile(f.state, outcome->store);
  if (!written.ok()) return Fail("audit", written);
  std::cout << "ok: " << outcome->summary << "\n";
  return 0;
}

}  // namespace qledger::tools
