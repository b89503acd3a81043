// The use-case results for people: the quarterly analysis report as
// Markdown, printable HTML (A4) or CSV; scores, quarters, the ledger, the
// complaint register and events as text tables or CSV. Both front ends
// render with these (the CLI prints them, the API serves the report forms);
// json_mapping.h gives the JSON forms.
#ifndef QLEDGER_APP_REPORT_RENDER_H_
#define QLEDGER_APP_REPORT_RENDER_H_

#include <string>
#include <vector>

#include "qledger/app/queries.h"
#include "qledger/app/views.h"

namespace qledger::app {

std::string ReportToMarkdown(const QuarterReport& report);
std::string ReportToHtml(const QuarterReport& report);
std::string ReportToCsv(const QuarterReport& report);
std::string LedgerToText(const RewardLedger& ledger);
// The ledger's entries, one row per department and quarter.
std::string LedgerToCsv(const RewardLedger& ledger);
std::string ComplaintsToText(const ComplaintRegister& complaints);
std::string ComplaintsToCsv(const ComplaintRegister& complaints);
// REQUIRES: !scores.empty() (ScoreQuarter never answers an empty list).
std::string ScoresToText(const std::vector<domain::Score>& scores, bool hypothetical);
std::string ScoresToCsv(const std::vector<domain::Score>& scores);
std::string QuartersToText(const std::vector<QuarterSummary>& quarters);
// One line of `qledger log`, without the newline; recorded_at shown in tz.
std::string EventToText(const domain::Event& e, const domain::TimeZone& tz);

}  // namespace qledger::app

#endif  // QLEDGER_APP_REPORT_RENDER_H_
