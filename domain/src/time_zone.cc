#include "qledger/domain/time_zone.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "qledger/domain/decimal.h"
#include "qledger/domain/period.h"

namespace qledger::domain {
namespace {

// The C library reads the zone from TZ: one conversion at a time, with TZ
// set to the zone and put back after.
std::mutex& TzMutex() {
  static std::mutex mu;
  return mu;
}

class ScopedTz {
 public:
  explicit ScopedTz(const std::string& name) {
    const char* old = std::getenv("TZ");
    if (old) old_ = old;
    had_ = old != nullptr;
    ::setenv("TZ", (":" + name).c_str(), 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (had_) ::setenv("TZ", old_.c_str(), 1);
    else ::unsetenv("TZ");
    ::tzset();
  }

 private:
  std::string old_;
  bool had_ = false;
};

bool InDatabase(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
  struct stat st;
  return ::stat(("/usr/share/zoneinfo/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

Result<TimeZone> TimeZone::Load(const std::string& name) {
  if (name == "UTC" || name == "Etc/UTC") return TimeZone(name, 0);
  if (name == kDefaultTimeZone) return TimeZone(name, 8 * 3600);  // UTC+8, no daylight saving since 1991
  if (!InDatabase(name)) {
    return InvalidArgument("time_zone: \"" + name + "\" is not a zone of the tz database (e.g. Asia/Shanghai)");
  }
  return TimeZone(name, std::nullopt);
}

TimeZone TimeZone::Default() { return TimeZone(std::string(kDefaultTimeZone), 8 * 3600); }

int64_t TimeZone::OffsetAt(int64_t utc) const {
  if (fixed_offset_) return *fixed_offset_;
  std::lock_guard<std::mutex> lock(TzMutex());
  ScopedTz tz(name_);
  std::time_t t = static_cast<std::time_t>(utc);
  std::tm tm{};
  if (!::localtime_r(&t, &tm)) return 0;
  return tm.tm_gmtoff;
}

int64_t TimeZone::FromLocal(int64_t local) const {
  if (fixed_offset_) return local - *fixed_offset_;
  // The offset at the instant the local time would be in UTC is right but
  // near a change; two steps settle it as mktime would.
  int64_t guess = local - OffsetAt(local);
  return local - OffsetAt(guess);
}

namespace {

bool HasOffset(std::string_view s) {
  if (s.size() <= 10) return false;
  if (s.back() == 'Z') return true;
  return s.size() >= 6 && (s[s.size() - 6] == '+' || s[s.size() - 6] == '-') && s[s.size() - 3] == ':';
}

}  // namespace

std::optional<int64_t> ParseInstantIn(std::string_view s, const TimeZone& tz) {
  auto t = ParseInstant(s);  // a zoneless time as if UTC
  if (!t) return std::nullopt;
  return HasOffset(s) ? *t : tz.FromLocal(*t);
}

std::optional<int64_t> ParsePointIn(std::string_view s, const TimeZone& tz) {
  auto t = ParseInstantIn(s, tz);
  if (!t) return std::nullopt;
  return s.size() == 10 ? tz.FromLocal(*ParseInstant(s) + 86399) : *t;
}

std::string FormatLocal(int64_t utc, const TimeZone& tz) {
  int64_t offset = tz.OffsetAt(utc);
  std::string local = FormatUtc(utc + offset);  // "YYYY-MM-DDTHH:MM:SSZ"
  char zone[16];
  int64_t a = offset < 0 ? -offset : offset;
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+', static_cast<int>(a / 3600),
                static_cast<int>(a / 60 % 60));
  return local.substr(0, 10) + " " + local.substr(11, 8) + " " + zone;
}

std::optional<int64_t> HundredthsOfHoursBetween(std::string_view from, std::string_view to, const TimeZone& tz) {
  auto a = ParseInstantIn(from, tz);
  auto b = ParseInstantIn(to, tz);
  if (!a || !b) return std::nullopt;
  return DivRoundHalfUp(static_cast<Int128>(*b - *a) * 100, 3600);
}

}  // namespace qledger::domain
