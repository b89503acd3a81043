// The ceiling for bench/http: a minimal Beast HTTP/1.1 server that answers
// every request with a fixed body of the given size, with the same threading
// (N io threads, a strand per connection) and keep-alive as qledger serve.
// Build: c++ -std=c++20 -O2 hello_server.cc -o hello_server -pthread
// Run:   hello_server PORT THREADS BODY_BYTES
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& s, const std::string& body) : stream_(std::move(s)), body_(body) {}
  void run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::do_read, shared_from_this())); }

 private:
  void do_read() {
    req_ = {};
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, req_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }
  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return;
    res_ = {};
    res_.result(http::status::ok);
    res_.version(req_.version());
    res_.set(http::field::content_type, "application/json");
    res_.keep_alive(req_.keep_alive());
    res_.body() = body_;
    res_.prepare_payload();
    http::async_write(stream_, res_, beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }
  void on_write(beast::error_code ec, std::size_t) {
    if (ec || !res_.keep_alive()) return;
    do_read();
  }
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  const std::string& body_;
};

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: hello_server PORT THREADS BODY_BYTES\n";
    return 2;
  }
  auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  int threads = std::atoi(argv[2]);
  static const std::string body(static_cast<size_t>(std::atol(argv[3])), 'x');
  net::io_context ioc(threads);
  tcp::acceptor acceptor(net::make_strand(ioc), {net::ip::make_address("127.0.0.1"), port});
  std::function<void()> accept = [&] {
    acceptor.async_accept(net::make_strand(ioc), [&](beast::error_code ec, tcp::socket s) {
      if (!ec) {
        s.set_option(tcp::no_delay(true));
        std::make_shared<Session>(std::move(s), body)->run();
      }
      accept();
    });
  };
  accept();
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { ioc.stop(); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
}
