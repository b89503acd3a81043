// Log: the one logger of the server and the CLI, over spdlog's default
// logger. Lines go to stderr (journald takes them from there), one per
// event, as text or as JSON lines:
//
//   2026-12-02T06:20:21.412+00:00 info access method=GET target="/v1/quarters" status=200 ...
//   {"time":"2026-12-02T06:20:21.412+00:00","level":"info","msg":"access","method":"GET",...}
//
// A line is a message (a short fixed word: "access", "started") and fields,
// so that a query on the JSON ("select(.msg==\"access\" and .status>=500)")
// needs no parsing of prose.
//
// Thread safety: Write may be called from any thread; Configure before the
// threads start.
#ifndef QLEDGER_LOG_LOG_H_
#define QLEDGER_LOG_LOG_H_

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <spdlog/common.h>
#include <spdlog/formatter.h>

namespace qledger::log {

enum class Format { kText, kJson };

using Level = spdlog::level::level_enum;

// "text" or "json"; nullopt otherwise.
std::optional<Format> ParseFormat(std::string_view name);

// "trace", "debug", "info", "warn" (or "warning"), "error", "critical",
// "off"; nullopt otherwise.
std::optional<Level> ParseLevel(std::string_view name);

// Makes the default logger write to stderr in format, at level and above.
void Configure(Format format, Level level);

// For a long-running server: info and lower lines (the access lines) are
// gathered in memory and written to stderr together — when 64 KiB have
// gathered, every `interval`, and at Flush — instead of one write(2) a
// request; a warning or worse writes them and itself at once. What a crash
// can lose is the last interval's info lines. Call before the threads start;
// the interval is at least a second (spdlog's periodic flusher).
void BufferInfoLines(std::chrono::seconds interval);

// Writes whatever is gathered (at exit).
void Flush();

// Whether a line at level would be written.
bool Enabled(Level level);

// The formatter of every line (for tests): what spdlog's pattern
// "%Y-%m-%dT%H:%M:%S.%e%z %l %v" writes, or its JSON object.
std::unique_ptr<spdlog::formatter> NewLineFormatter(Format format);

// A field of a line: a name and any value Boost.JSON converts (numbers,
// strings, bools). Strings and numbers are held as they are (a string as a
// view: a Field lives only as long as the call it is written in), so that
// the server's access line, written for every request, allocates nothing
// for them; anything else is converted to a boost::json::value.
struct Field {
  using Value = std::variant<std::string_view, int64_t, uint64_t, double, bool, boost::json::value>;

  template <typename T>
  Field(std::string_view n, T&& v) : name(n), value(Hold(std::forward<T>(v))) {}

  std::string_view name;
  Value value;

 private:
  template <typename T>
  static Value Hold(T&& v) {
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, bool>) {
      return Value(std::in_place_type<bool>, v);
    } else if constexpr (std::is_integral_v<D> && std::is_signed_v<D>) {
      return Value(std::in_place_type<int64_t>, v);
    } else if constexpr (std::is_integral_v<D>) {
      return Value(std::in_place_type<uint64_t>, v);
    } else if constexpr (std::is_floating_point_v<D>) {
      return Value(std::in_place_type<double>, v);
    } else if constexpr (std::is_convertible_v<const D&, std::string_view>) {
      return Value(std::in_place_type<std::string_view>, std::string_view(v));
    } else {
      return Value(std::in_place_type<boost::json::value>, boost::json::value_from(std::forward<T>(v)));
    }
  }
};

// One line. In text, a field's string value is quoted (JSON-escaped) when
// it holds a space, a quote, '=' or a control character.
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});

inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::debug, msg, fields);
}
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) { Write(Level::info, msg, fields); }
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) { Write(Level::warn, msg, fields); }
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::err, msg, fields);
}

}  // namespace qledger::log

#endif  // QLEDGER_LOG_LOG_H_
