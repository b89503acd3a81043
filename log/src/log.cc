#include "qledger/log/log.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <variant>

#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <fmt/compile.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace qledger::log {

namespace {

std::atomic<Format> g_format{Format::kText};

// A line as spdlog's pattern "%Y-%m-%dT%H:%M:%S.%e%z %l %v" writes it, or in
// JSON as "{"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",%v}" (the message is
// the rest of the object: `"msg":"access","status":200`), without the
// pattern's ten formatters a line: the server writes one for every request,
// and spdlog's pattern formatter was about a third of the access line's
// cost. The local date and time to the second and the zone are made once a
// second. Called under the sink's lock, one instance a sink.
class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(Format format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using std::chrono::duration_cast;
    const auto since = msg.time.time_since_epoch();
    const auto second = duration_cast<std::chrono::seconds>(since);
    if (second_.empty() || second != cached_second_) {
      std::time_t t = static_cast<std::time_t>(second.count());
      std::tm tm{};
      localtime_r(&t, &tm);
      char buf[64];
      size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.", &tm);
      second_.assign(buf, n);
      long minutes = tm.tm_gmtoff / 60;  // as spdlog's %z: sign, hours, minutes
      zone_ = fmt::format("{}{:02}:{:02}", minutes < 0 ? '-' : '+', std::labs(minutes) / 60, std::labs(minutes) % 60);
      cached_second_ = second;
    }
    const auto ms = static_cast<int>(duration_cast<std::chrono::milliseconds>(since - second).count());
    const char millis[3] = {static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                            static_cast<char>('0' + ms % 10)};
    const spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    const bool json = format_ == Format::kJson;
    Append(dest, json ? "{\"time\":\"" : "");
    Append(dest, second_);
    dest.append(millis, millis + 3);
    Append(dest, zone_);
    Append(dest, json ? "\",\"level\":\"" : " ");
    dest.append(level.data(), level.data() + level.size());
    Append(dest, json ? "\"," : " ");
    dest.append(msg.payload.data(), msg.payload.data() + msg.payload.size());
    Append(dest, json ? "}\n" : "\n");
  }

  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(format_); }

 private:
  static void Append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

  const Format format_;
  std::chrono::seconds cached_second_{0};
  std::string second_;  // "2026-12-02T06:20:21."
  std::string zone_;    // "+00:00"
};

bool NeedsQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) return true;
  }
  return false;
}

// A double as JSON in its shortest form ("0.596", not Boost's "5.96E-1");
// null when it is not finite.
void AppendDouble(std::string& out, double v) {
  if (std::isfinite(v)) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}"), v);
  } else {
    out += "null";
  }
}

// A number as JSON, a double as AppendDouble writes it.
std::string Serialized(const boost::json::value& v) {
  if (!v.is_double()) return boost::json::serialize(v);
  std::string out;
  AppendDouble(out, v.get_double());
  return out;
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
  logger->set_formatter(std::make_unique<LineFormatter>(Format::kText));
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
  logger.set_formatter(std::make_unique<LineFormatter>(format));
  logger.set_level(level);
}

void BufferInfoLines(std::chrono::seconds interval) {
  spdlog::logger& logger = Logger();
  auto sink = std::make_shared<GatheringStderrSink>();
  sink->set_formatter(std::make_unique<LineFormatter>(g_format.load()));
  logger.sinks().assign(1, sink);
  logger.flush_on(Level::warn);
  spdlog::flush_every(std::max(interval, std::chrono::seconds(1)));
}

void Flush() { Logger().flush(); }

bool Enabled(Level level) { return Logger().should_log(level); }

std::unique_ptr<spdlog::formatter> NewLineFormatter(Format format) { return std::make_unique<LineFormatter>(format); }

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
          AppendDouble(out, v);
        } else if constexpr (std::is_same_v<V, boost::json::value>) {
          if (json) {
            out += Serialized(v);
          } else {
            AppendText(out, v);
          }
        } else {
          fmt::format_int digits(v);  // int64_t, uint64_t
          out.append(digits.data(), digits.size());
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
