// The one place where a Status code becomes a process exit code.
#ifndef QLEDGER_TOOLS_EXIT_CODES_H_
#define QLEDGER_TOOLS_EXIT_CODES_H_

#include "qledger/domain/status.h"

namespace qledger::tools {

// 0 success, 1 internal error, 2 usage (bad flags), 3 invalid input,
// 4 not found, 5 conflict (id reused, approved quarter, ledger exists),
// 6 stale head (--expect-head), 7 ledger busy, 8 verification failed,
// 9 serve cannot listen on its address (in use, or not permitted).
inline int ExitCodeFor(domain::StatusCode code) {
  switch (code) {
    case domain::StatusCode::kOk: return 0;
    case domain::StatusCode::kInvalidArgument: return 3;
    case domain::StatusCode::kNotFound: return 4;
    case domain::StatusCode::kAlreadyExists: return 5;
    case domain::StatusCode::kFailedPrecondition: return 5;
    case domain::StatusCode::kAborted: return 6;
    case domain::StatusCode::kUnavailable: return 7;
    case domain::StatusCode::kDataLoss: return 8;
    case domain::StatusCode::kInternal: return 1;
  }
  return 1;
}

constexpr int kUsageExitCode = 2;
constexpr int kCannotListenExitCode = 9;

}  // namespace qledger::tools

#endif  // QLEDGER_TOOLS_EXIT_CODES_H_
