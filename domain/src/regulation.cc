#include "qledger/domain/regulation.h"

#include <cstdio>

namespace qledger::domain {

QuotaUse ComputeQuotaUse(Decimal annual_quota, Decimal rewards_final, Decimal rewards_provisional, Decimal expenses) {
  QuotaUse q;
  q.annual_quota = annual_quota;
  q.rewards_final = rewards_final;
  q.rewards_provisional = rewards_provisional;
  q.expenses = expenses;
  q.used = rewards_final + expenses;
  q.used_including_provisional = q.used + rewards_provisional;
  q.remaining = annual_quota - q.used;
  q.over_quota = annual_quota < q.used;
  q.over_quota_including_provisional = annual_quota < q.used_including_provisional;
  return q;
}

std::string AnalysisMeetingDate(const Quarter& q) {
  int month = q.q * 3 + 1, year = q.year;
  if (month > 12) {
    month = 1;
    ++year;
  }
  char date[48];
  std::snprintf(date, sizeof date, "%04d-%02d-10", year % 10000, month);
  return date;
}

std::optional<Decimal> HoursBetween(const std::string& from, const std::string& to, const TimeZone& tz) {
  auto hundredths = HundredthsOfHoursBetween(from, to, tz);
  if (!hundredths) return std::nullopt;
  return Decimal::FromHundredths(*hundredths);
}

}  // namespace qledger::domain
