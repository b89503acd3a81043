// The ledger's time zone (SPEC §1: the policy's `time_zone`, default
// Asia/Shanghai): how a date-time written without an offset — by a clerk in
// a spreadsheet, in an event, on the command line — is read, what a date
// given as a point in history means (the end of that day there), and how
// times are shown (local).
//
// Zones come from the system's tz database (/usr/share/zoneinfo, Debian's
// tzdata) through the C library. Asia/Shanghai and UTC are also known
// without it (China has kept UTC+8 without daylight saving since 1991), so a
// machine without tzdata still reads the default zone right; any other zone
// that the database does not hold is refused, never taken as UTC.
#ifndef QLEDGER_DOMAIN_TIME_ZONE_H_
#define QLEDGER_DOMAIN_TIME_ZONE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "qledger/domain/status.h"

namespace qledger::domain {

inline constexpr std::string_view kDefaultTimeZone = "Asia/Shanghai";

// Copyable; thread-safe (conversions through the C library are serialised).
class TimeZone {
 public:
  // kInvalidArgument naming the zone when the tz database does not hold it.
  static Result<TimeZone> Load(const std::string& name);
  // The default zone (Asia/Shanghai), which always loads.
  static TimeZone Default();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in force at the instant utc (seconds since 1970).
  int64_t OffsetAt(int64_t utc) const;
  // The instant of a local civil time given as seconds since 1970 read as
  // if it were UTC. A time skipped or repeated by a daylight-saving change
  // is read as the C library's mktime reads it.
  int64_t FromLocal(int64_t local) const;

 private:
  TimeZone(std::string name, std::optional<int64_t> fixed) : name_(std::move(name)), fixed_offset_(fixed) {}
  std::string name_;
  std::optional<int64_t> fixed_offset_;  // set when the zone has one offset (or tzdata is missing)
};

// Seconds since 1970 (UTC) of a date or date-time (period.h's shapes): one
// with an offset or Z as written; one without, and a bare date (its start),
// read in tz.
std::optional<int64_t> ParseInstantIn(std::string_view s, const TimeZone& tz);

// A point in history as typed (`--as-of 2026-09-30`, `as_of=...`): a bare
// date is the end of that day in tz (its last second); a date-time as
// ParseInstantIn reads it.
std::optional<int64_t> ParsePointIn(std::string_view s, const TimeZone& tz);

// The instant shown in tz: "2026-12-03 09:30:00 +08:00".
std::string FormatLocal(int64_t utc, const TimeZone& tz);

// Hours from `from` to `to`, each read in tz, rounded half up to 0.01 h;
// nullopt if either does not parse.
std::optional<int64_t> HundredthsOfHoursBetween(std::string_view from, std::string_view to, const TimeZone& tz);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_TIME_ZONE_H_
