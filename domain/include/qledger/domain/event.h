// Events: the immutable facts of the ledger (SPEC §4), their types, and how
// they are exported and hashed (SPEC §5).
#ifndef QLEDGER_DOMAIN_EVENT_H_
#define QLEDGER_DOMAIN_EVENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "qledger/domain/period.h"
#include "qledger/domain/status.h"

namespace qledger::domain {

enum class EventType : uint8_t {
  kPolicyAdopted = 1,
  kSelfcheckReported,
  kSpotcheckRecorded,
  kSurveyResponded,
  kSurveyDisputed,
  kSurveyRuled,
  kComplaintRecorded,
  kComplaintRuled,
  kComplaintHandled,
  kDeductionDirect,
  kCallbackFinding,
  kScoreAdjusted,
  kEntryVoided,
  kQuarterApproved,
  kQuarterReopened,
  kBudgetExpense,
};

enum class PeriodKind { kNone, kMonth, kQuarter, kYear };

std::optional<EventType> ParseEventType(std::string_view name);
const char* EventTypeName(EventType type);
bool HasDepartment(EventType type);
PeriodKind PeriodKindOf(EventType type);

struct Event {
  int64_t seq = 0;           // 0 until stored
  std::string id;
  EventType type = EventType::kPolicyAdopted;
  std::string department;    // "" when the type has none
  std::string period;        // "" when the type has none
  std::string occurred_at;   // business date YYYY-MM-DD
  std::string actor;
  std::string recorded_at;   // UTC, set by the ledger; "" until stored
  boost::json::object data;  // normalised: decimals as two-decimal strings
  // Where an imported event came from (SPEC §4): {file, sha256, sheet?,
  // row}; empty when it was not imported. Exported and hashed like the
  // rest, but no part of the content that tells a duplicate (ContentKey).
  boost::json::object source;
  std::string hash;          // 64 lowercase hex; "" until stored

  // The quarter the event's period falls in (a month's or the quarter
  // itself); nullopt for types without a month or quarter period.
  std::optional<Quarter> quarter() const;
};

// data[key] when it is a string, else "" (stored events are normalised, so a
// field of the type's schema is there with its type).
std::string DataString(const Event& e, std::string_view key);

// The exported object: seq, id, type, department?, period?, occurred_at,
// actor, recorded_at, data, source? and, when with_hash, hash.
boost::json::object ToExportJson(const Event& e, bool with_hash);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_EVENT_H_
