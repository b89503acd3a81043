// The rules of the regulation (附件1) that decide figures outside the score
// fold of scoring.h: which complaints count (第十二条), the work group's
// quota (第十四条.4) and the date of the analysis meeting (第十五条). Each
// rule is here once; the CLI, the API and the reports call it. Pure.
#ifndef QLEDGER_DOMAIN_REGULATION_H_
#define QLEDGER_DOMAIN_REGULATION_H_

#include <optional>
#include <string>

#include "qledger/domain/decimal.h"
#include "qledger/domain/period.h"
#include "qledger/domain/time_zone.h"

namespace qledger::domain {

// 第十二条: a recorded complaint counts against its department unless it
// was voided or its latest ruling in force found it invalid. An unruled
// complaint counts (latest_ruling_valid == nullopt).
inline bool ComplaintCounts(bool voided, std::optional<bool> latest_ruling_valid) {
  return !voided && latest_ruling_valid.value_or(true);
}

// 第十四条.4: the work group's annual quota pays the year's rewards and its
// budget expenses. Provisional rewards (of quarters not yet approved) are
// shown beside, not counted as used.
struct QuotaUse {
  Decimal annual_quota;
  Decimal rewards_final;
  Decimal rewards_provisional;
  Decimal expenses;
  Decimal used;                        // rewards_final + expenses
  Decimal used_including_provisional;  // used + rewards_provisional
  Decimal remaining;                   // annual_quota - used
  bool over_quota = false;
  bool over_quota_including_provisional = false;
};
QuotaUse ComputeQuotaUse(Decimal annual_quota, Decimal rewards_final, Decimal rewards_provisional, Decimal expenses);

// 第十五条: the quarter's analysis meeting is on the 10th of the month after
// it ("2026-10-10" for 2026Q3), as YYYY-MM-DD.
std::string AnalysisMeetingDate(const Quarter& q);

// Hours from `from` to `to` (date-times; one without an offset is read in
// tz, SPEC §1), rounded half up to 0.01 h; nullopt if either does not parse.
std::optional<Decimal> HoursBetween(const std::string& from, const std::string& to, const TimeZone& tz);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_REGULATION_H_
