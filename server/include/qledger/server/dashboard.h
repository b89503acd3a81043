// The dashboard (SPEC §6): one self-contained HTML page (inline CSS and JS,
// nothing fetched from outside) that reads the /v1 API.
#ifndef QLEDGER_SERVER_DASHBOARD_H_
#define QLEDGER_SERVER_DASHBOARD_H_

#include <string_view>

namespace qledger::server {

// server/assets/dashboard.html, compiled in.
std::string_view DashboardHtml();

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_DASHBOARD_H_
