// The committee's and the work group's views of the ledger, as typed
// results: the complaint register (附件4), the reward/penalty ledger with
// the quota (第十四条.4), and the quarterly analysis report (第十五条). Both
// front ends call these; json_mapping.h gives each its one JSON form and
// report_render.h its text, Markdown, HTML and CSV forms.
#ifndef QLEDGER_APP_VIEWS_H_
#define QLEDGER_APP_VIEWS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qledger/app/tlog.h"
#include "qledger/domain/decimal.h"
#include "qledger/domain/regulation.h"
#include "qledger/domain/scoring.h"
#include "qledger/storage/event_store.h"

namespace qledger::app {

using domain::Decimal;
using domain::Result;
using domain::Status;

// --- The complaint register -------------------------------------------------

// One recorded complaint with what happened to it since.
struct ComplaintLine {
  std::string id;
  int64_t seq = 0;
  std::string quarter;
  std::string department;
  std::string name;  // the department's
  std::string received_at;
  std::string channel;
  std::string summary;
  std::optional<std::string> customer;
  std::optional<std::string> category;
  std::string recorded_by;
  bool voided = false;
  bool valid = true;  // the latest ruling in force; true when unruled
  std::optional<std::string> ruling;
  std::optional<std::string> ruling_reason;
  std::optional<std::string> acknowledged_at;
  std::optional<std::string> resolved_at;
  std::optional<std::string> resolution;
  std::optional<bool> satisfied;
  bool counts = false;  // domain::ComplaintCounts
  std::optional<Decimal> hours_to_resolve;
  // The three times as people read them: local time in the ledger's zone,
  // "2026-12-03 09:30" (seconds when there are any). Not in the JSON form,
  // which keeps the times as recorded.
  std::string received_local;
  std::optional<std::string> acknowledged_local;
  std::optional<std::string> resolved_local;
};

struct ComplaintSummary {
  int64_t recorded = 0;
  int64_t valid = 0;  // the complaints that count
  int64_t invalid = 0;
  int64_t voided = 0;
  int64_t resolved = 0;
  int64_t unresolved = 0;
  int64_t satisfied = 0;
};
ComplaintSummary Summarise(const std::vector<ComplaintLine>& complaints);

struct ComplaintsQuery {
  std::string quarter;     // "" = every quarter
  std::string department;  // "" = every department
};

struct ComplaintRegister {
  std::optional<std::string> quarter;
  std::optional<std::string> department;
  int64_t as_of_seq = 0;
  std::string as_of_hash;
  ComplaintSummary summary;
  std::vector<ComplaintLine> complaints;
};

// The register at the head. kInvalidArgument for a malformed quarter.
Result<ComplaintRegister> BuildComplaints(const storage::EventStore& store, const ComplaintsQuery& query);

// --- The reward/penalty ledger ----------------------------------------------

struct LedgerEntry {
  std::string quarter;
  std::string department;
  std::string name;
  domain::QuarterStatus status = domain::QuarterStatus::kOpen;
  bool final = false;  // the quarter is approved
  Decimal total;
  std::string grade;
  Decimal amount;
  int64_t as_of_seq = 0;
  std::string as_of_hash;
};

struct LedgerTotal {
  std::string department;
  std::string name;
  Decimal rewards;
  Decimal penalties;
  Decimal net;
  Decimal provisional_net;
};

struct BudgetExpenseLine {
  std::string id;
  int64_t seq = 0;
  std::string occurred_at;
  std::string amount;  // as recorded
  std::string purpose;
  bool voided = false;
};

struct LedgerQuery {
  std::string year;        // "" = the latest year with events
  std::string department;  // "" = every department
};

struct RewardLedger {
  std::string year;
  std::optional<std::string> department;
  int64_t as_of_seq = 0;
  std::string as_of_hash;
  std::vector<LedgerEntry> entries;
  std::vector<LedgerTotal> totals;
  Decimal penalties_final;
  Decimal penalties_provisional;
  std::optional<domain::QuotaUse> quota;  // nullopt when no policy is in force
  std::vector<BudgetExpenseLine> expenses;
};

// Every reward and penalty per department and quarter of the year: final for
// approved quarters, provisional for the others; yearly totals; the quota
// use. kNotFound for an empty ledger or a department with no scored quarter.
Result<RewardLedger> BuildLedger(const storage::EventStore& store, const LedgerQuery& query);

// --- The quarterly analysis report ------------------------------------------

struct ReportScore {
  domain::Score score;
  int64_t rank = 0;  // 1 = the highest total; equal totals share a rank
  std::optional<Decimal> previous_total;
  std::optional<Decimal> change;
};

struct SpotCheckLine {
  std::string department;
  std::string name;
  std::string month;
  std::optional<Decimal> self;
  Decimal spot;
  Decimal deduction;
  std::optional<Decimal> difference;  // |spot - self|; nullopt without a self-check
  bool consistent = false;
};

struct SurveyLine {
  std::string department;
  std::string name;
  int64_t responses = 0;
  int64_t counted_as_100 = 0;
  std::optional<Decimal> score;
};

// The event a report line is about.
struct FactRef {
  std::string department;
  std::string name;
  std::string id;
  int64_t seq = 0;
  std::string occurred_at;
};

struct SurveyDisputeLine : FactRef {
  std::string response;
  std::string reason;
};
struct SurveyRulingLine : FactRef {
  std::string response;
  std::string outcome;
  std::optional<std::string> score;
  std::string ruling;
};
struct CallbackLine : FactRef {
  std::string points;
  std::string reason;
  std::optional<std::string> work_order;
};
struct DirectDeductionLine : FactRef {
  std::string points;
  std::string reason;
};
struct AdjustmentLine : FactRef {
  std::string component;
  std::string points;
  std::string reason;
  std::string ruling;
};

struct Approval {
  int64_t seq = 0;
  std::string hash;
  std::string id;
  std::string approved_by;
  std::string meeting_date;
};

struct ReportSummary {
  int64_t departments = 0;
  int64_t excellent = 0;
  int64_t qualified = 0;
  int64_t unqualified = 0;
  Decimal rewards;
  Decimal penalties;
  Decimal net;
};

struct ReportQuery {
  std::string quarter;
  std::string as_of;  // "" = as published (approved) or the head
};

struct QuarterReport {
  std::string quarter;
  domain::QuarterStatus status = domain::QuarterStatus::kOpen;
  int64_t as_of_seq = 0;
  std::string as_of_hash;
  int64_t policy_version = 0;
  std::string meeting_date;  // domain::AnalysisMeetingDate
  std::optional<Approval> approval;
  // The signed checkpoint of the tree up to the approval, when one is
  // stored: printed whole, so that the paper copy can check the ledger.
  std::optional<CheckpointInfo> checkpoint;
  ReportSummary summary;
  std::vector<ReportScore> scores;  // in policy order
  std::vector<SpotCheckLine> spot_checks;
  std::vector<SurveyLine> surveys;
  std::vector<SurveyDisputeLine> disputes;
  std::vector<SurveyRulingLine> rulings;
  ComplaintSummary complaint_summary;
  std::vector<ComplaintLine> complaints;
  std::vector<CallbackLine> callback_findings;
  std::vector<DirectDeductionLine> direct_deductions;
  std::vector<AdjustmentLine> adjustments;
};

// The report of a quarter as published (an approved quarter as of its
// approval event) or as of query.as_of.
Result<QuarterReport> BuildReport(const storage::EventStore& store, const ReportQuery& query);

}  // namespace qledger::app

#endif  // QLEDGER_APP_VIEWS_H_
