// The use-case results for people, in one language (SPEC §6 `--lang`): the
// quarterly analysis report as Markdown, printable HTML (A4) or CSV;
// scores, quarters, the ledger and the complaint register as text tables or
// CSV; and each of these as Tables, which xlsx.h writes as a workbook. Both
// front ends render with these (the CLI prints them, the API serves them);
// json_mapping.h gives the JSON forms.
#ifndef QLEDGER_APP_REPORT_RENDER_H_
#define QLEDGER_APP_REPORT_RENDER_H_

#include <string>
#include <vector>

#include "qledger/app/queries.h"
#include "qledger/app/text_table.h"
#include "qledger/app/views.h"
#include "qledger/domain/lang.h"

namespace qledger::app {

using domain::Lang;

// The report's tables: the scores first (its CSV), then each section.
std::vector<Table> ReportTables(const QuarterReport& report, Lang lang);
std::string ReportToMarkdown(const QuarterReport& report, Lang lang);
std::string ReportToHtml(const QuarterReport& report, Lang lang);
std::string ReportToCsv(const QuarterReport& report, Lang lang);

// The ledger's entries (one row per department and quarter; its CSV), the
// yearly totals, the budget expenses.
std::vector<Table> LedgerTables(const RewardLedger& ledger, Lang lang);
std::string LedgerToText(const RewardLedger& ledger, Lang lang);
std::string LedgerToCsv(const RewardLedger& ledger, Lang lang);

std::vector<Table> ComplaintsTables(const ComplaintRegister& complaints, Lang lang);
std::string ComplaintsToText(const ComplaintRegister& complaints, Lang lang);
std::string ComplaintsToCsv(const ComplaintRegister& complaints, Lang lang);

// REQUIRES: !scores.empty() (ScoreQuarter never answers an empty list).
std::vector<Table> ScoresTables(const std::vector<domain::Score>& scores, Lang lang);
std::string ScoresToText(const std::vector<domain::Score>& scores, bool hypothetical, Lang lang);
std::string ScoresToCsv(const std::vector<domain::Score>& scores, Lang lang);

std::string QuartersToText(const std::vector<QuarterSummary>& quarters, Lang lang);
// One line of `qledger log`, without the newline; recorded_at shown in tz,
// the event's kind in lang.
std::string EventToText(const domain::Event& e, const domain::TimeZone& tz, Lang lang);

}  // namespace qledger::app

#endif  // QLEDGER_APP_REPORT_RENDER_H_
