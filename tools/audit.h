// `qledger audit`: an auditor that remembers (docs/verification.md §12). It
// fetches the log's latest checkpoint over HTTP, checks its signatures and
// its consistency with the checkpoint it stored last, and only then stores
// the new one (replaced atomically). Meant for cron on a committee member's
// machine: exit 0 when all holds, 8 naming the failure, 7 when the log
// cannot be reached.
#ifndef QLEDGER_TOOLS_AUDIT_H_
#define QLEDGER_TOOLS_AUDIT_H_

#include <string>
#include <vector>

namespace qledger::tools {

struct AuditFlags {
  std::string url;                // http://host:port[/prefix]
  std::vector<std::string> keys;  // verifier keys that must have signed
  std::string state;              // the file of the checkpoint held
  double timeout_seconds = 10;
};

int RunAudit(const AuditFlags& f);

}  // namespace qledger::tools

#endif  // QLEDGER_TOOLS_AUDIT_H_
