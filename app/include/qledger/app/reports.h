// The committee's and the work group's views, built from the ledger as JSON
// (the model the CLI renders as text/Markdown/HTML/CSV and the server serves):
// the reward/penalty ledger with the quota (第十四条), the complaint register
// (附件4), and the quarterly analysis report (第十五条).
#ifndef QLEDGER_APP_REPORTS_H_
#define QLEDGER_APP_REPORTS_H_

#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "qledger/storage/event_store.h"

namespace qledger::app {

using domain::Result;
using domain::Status;

// Every reward and penalty per department and quarter of `year` ("" = the
// latest year with events): final for approved quarters, provisional for
// open or reopened ones; yearly totals; the quota: rewards plus
// budget.expense against the policy's annual quota, over-quota flagged.
Result<boost::json::object> BuildLedger(const storage::EventStore& store, const std::string& year,
                                        const std::string& department);

// The complaint register: each complaint with validity and ruling,
// acknowledgement and resolution, whether it counts, time to resolve.
// Empty quarter/department: all.
Result<boost::json::object> BuildComplaints(const storage::EventStore& store, const std::string& quarter,
                                            const std::string& department);

// The quarterly analysis report for quarter q, as published (an approved
// quarter as of its approval event) or as of `as_of` ("" = the head).
Result<boost::json::object> BuildReport(const storage::EventStore& store, const std::string& quarter,
                                        const std::string& as_of);

}  // namespace qledger::app

#endif  // QLEDGER_APP_REPORTS_H_
