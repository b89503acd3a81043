#include "qledger/log/log.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <variant>

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace qledger::log {

namespace {

std::atomic<Format> g_format{Format::kText};

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e%z %l %v";
// The message is the rest of the object: `"msg":"access","status":200`.
constexpr const char* kJsonPattern = "{\"time\":\"%Y-%m-%dT%H:%M:%S.%e%z\",\"level\":\"%l\",%v}";

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) return true;
  }
  return false;
}

// A number as JSON, a double in its shortest form ("0.596", not Boost's
// "5.96E-1").
std::string Serialized(const boost::json::value& v) {
  if (v.is_double()) return std::isfinite(v.get_double()) ? fmt::format("{}", v.get_double()) : "null";
  return boost::json::serialize(v);
}

void AppendText(std::string& out, const boost::json::value& v) {
  if (v.is_string()) {
    std::string_view s = v.get_string();
    if (NeedsQuotes(s)) {
      out += boost::json::serialize(v);
    } else {
      out += s;
    }
    return;
  }
  out += Serialized(v);
}

// The default logger: stderr, unbuffered by the C library, one write per
// line under spdlog's mutex.
std::shared_ptr<spdlog::logger> MakeLogger() {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>("qledger", sink);
  logger->set_pattern(kTextPattern);
  logger->set_level(Level::info);
  logger->flush_on(Level::trace);
  return logger;
}

// Lines gathered and written to fd 2 in one write(2) (BufferInfoLines).
class GatheringStderrSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  ~GatheringStderrSink() override { WriteOut(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    buffer_.append(formatted.data(), formatted.size());
    if (buffer_.size() >= kWriteAt || msg.level >= Level::warn) WriteOut();
  }
  void flush_() override { WriteOut(); }

 private:
  static constexpr size_t kWriteAt = 64 * 1024;
  void WriteOut() {
    size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = ::write(STDERR_FILENO, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // stderr is gone: nothing else to tell it to
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
  }
  std::string buffer_;
};

spdlog::logger& Logger() {
  static const bool installed = [] {
    spdlog::set_default_logger(MakeLogger());
    return true;
  }();
  (void)installed;
  return *spdlog::default_logger_raw();
}

}  // namespace

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return std::nullopt;
}

std::optional<Level> ParseLevel(std::string_view name) {
  if (name == "trace") return Level::trace;
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warn" || name == "warning") return Level::warn;
  if (name == "error") return Level::err;
  if (name == "critical") return Level::critical;
  if (name == "off") return Level::off;
  return std::nullopt;
}

void Configure(Format format, Level level) {
  spdlog::logger& logger = Logger();
  g_format.store(format);
  logger.set_pattern(format == Format::kJson ? kJsonPattern : kTextPattern);
  logger.set_level(level);
}

void BufferInfoLines(std::chrono::seconds interval) {
  spdlog::logger& logger = Logger();
  auto sink = std::make_shared<GatheringStderrSink>();
  sink->set_pattern(g_format.load() == Format::kJson ? kJsonPattern : kTextPattern);
  logger.sinks().assign(1, sink);
  logger.flush_on(Level::warn);
  spdlog::flush_every(std::max(interval, std::chrono::seconds(1)));
}

void Flush() { Logger().flush(); }

bool Enabled(Level level) { return Logger().should_log(level); }

namespace {

// A field's value as JSON (a string JSON-escaped, a double in its shortest
// form); in text, a string is left bare unless NeedsQuotes.
void AppendValue(std::string& out, const Field& f, bool json) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string_view>) {
          if (!json && !NeedsQuotes(v)) {
            out += v;
          } else {
            out += boost::json::serialize(boost::json::string_view(v.data(), v.size()));
          }
        } else if constexpr (std::is_same_v<V, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<V, double>) {
          out += Serialized(boost::json::value(v));
        } else if constexpr (std::is_same_v<V, boost::json::value>) {
          if (json) {
            out += Serialized(v);
          } else {
            AppendText(out, v);
          }
        } else {
          fmt::format_to(std::back_inserter(out), "{}", v);  // int64_t, uint64_t
        }
      },
      f.value);
}

}  // namespace

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  spdlog::logger& logger = Logger();
  if (!logger.should_log(level)) return;
  thread_local std::string line;
  line.clear();
  const bool json = g_format.load() == Format::kJson;
  if (json) {
    line += "\"msg\":";
    line += boost::json::serialize(boost::json::string_view(msg.data(), msg.size()));
    for (const Field& f : fields) {
      line += ',';
      line += boost::json::serialize(boost::json::string_view(f.name.data(), f.name.size()));
      line += ':';
      AppendValue(line, f, true);
    }
  } else {
    line += msg;
    for (const Field& f : fields) {
      line += ' ';
      line += f.name;
      line += '=';
      AppendValue(line, f, false);
    }
  }
  logger.log(level, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace qledger::log
