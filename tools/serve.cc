#include "serve.h"

#include <charconv>
#include <iostream>

#include "exit_codes.h"
#include "qledger/server/server.h"

namespace qledger::tools {

int RunServe(const std::string& data, const ServeFlags& f) {
  server::ServerOptions o;
  o.data_dir = data;
  size_t colon = f.listen.rfind(':');
  unsigned port = 0;
  const char* end = f.listen.data() + f.listen.size();
  if (colon == std::string::npos ||
      std::from_chars(f.listen.data() + colon + 1, end, port).ptr != end || colon + 1 == f.listen.size() ||
      port > 65535) {
    std::cerr << "qledger serve: --listen \"" << f.listen << "\" is not ADDR:PORT (e.g. 127.0.0.1:8080)\n";
    return kUsageExitCode;
  }
  o.address = f.listen.substr(0, colon);
  if (o.address.size() > 2 && o.address.front() == '[' && o.address.back() == ']') {
    o.address = o.address.substr(1, o.address.size() - 2);  // [::1]:8080
  }
  if (o.address.empty()) o.address = "0.0.0.0";             // :8080, every interface
  if (o.address == "localhost") o.address = "127.0.0.1";  // localhost:8080
  o.port = static_cast<uint16_t>(port);
  o.threads = f.threads;
  o.max_connections = f.max_connections;
  o.max_connections_per_peer = f.max_connections_per_peer;
  o.idle_timeout = std::chrono::seconds(f.idle_timeout_seconds);
  o.cors_origins = f.cors_origins;
  bool cannot_listen = false;
  domain::Status s = server::Serve(o, std::cout, &cannot_listen);
  if (!s.ok()) {
    std::cerr << "qledger serve: " << s.message() << "\n";
    return cannot_listen ? kCannotListenExitCode : ExitCodeFor(s.code());
  }
  std::cout << "qledger serve: stopped\n";
  return 0;
}

}  // namespace qledger::tools
