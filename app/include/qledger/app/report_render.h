// Renders the JSON models of storage/reports.h for people: the quarterly
// analysis report as Markdown, printable HTML (A4) or CSV; the ledger and
// the complaint register as text tables.
#ifndef QLEDGER_APP_REPORT_RENDER_H_
#define QLEDGER_APP_REPORT_RENDER_H_

#include <string>

#include <boost/json/object.hpp>

namespace qledger::app {

std::string ReportToMarkdown(const boost::json::object& report);
std::string ReportToHtml(const boost::json::object& report);
std::string ReportToCsv(const boost::json::object& report);
std::string LedgerToText(const boost::json::object& ledger);
std::string ComplaintsToText(const boost::json::object& complaints);
std::string ComplaintsToCsv(const boost::json::object& complaints);

}  // namespace qledger::app

#endif  // QLEDGER_APP_REPORT_RENDER_H_
