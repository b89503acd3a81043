// Event types and the exported form of an event (event.h).
#include "qledger/domain/event.h"

#include <array>

#include <boost/json.hpp>

namespace json = boost::json;

namespace qledger::domain {
namespace {

struct TypeInfo {
  EventType type;
  const char* name;
  bool department;
  PeriodKind period;
};

constexpr std::array<TypeInfo, 16> kTypes = {{
    {EventType::kPolicyAdopted, "policy.adopted", false, PeriodKind::kNone},
    {EventType::kSelfcheckReported, "selfcheck.reported", true, PeriodKind::kMonth},
    {EventType::kSpotcheckRecorded, "spotcheck.recorded", true, PeriodKind::kMonth},
    {EventType::kSurveyResponded, "survey.responded", true, PeriodKind::kQuarter},
    {EventType::kSurveyDisputed, "survey.disputed", true, PeriodKind::kQuarter},
    {EventType::kSurveyRuled, "survey.ruled", true, PeriodKind::kQuarter},
    {EventType::kComplaintRecorded, "complaint.recorded", true, PeriodKind::kQuarter},
    {EventType::kComplaintRuled, "complaint.ruled", true, PeriodKind::kQuarter},
    {EventType::kComplaintHandled, "complaint.handled", true, PeriodKind::kQuarter},
    {EventType::kDeductionDirect, "deduction.direct", true, PeriodKind::kQuarter},
    {EventType::kCallbackFinding, "callback.finding", true, PeriodKind::kQuarter},
    {EventType::kScoreAdjusted, "score.adjusted", true, PeriodKind::kQuarter},
    {EventType::kEntryVoided, "entry.voided", false, PeriodKind::kNone},
    {EventType::kQuarterApproved, "quarter.approved", false, PeriodKind::kQuarter},
    {EventType::kQuarterReopened, "quarter.reopened", false, PeriodKind::kQuarter},
    {EventType::kBudgetExpense, "budget.expense", false, PeriodKind::kYear},
}};

const TypeInfo& Info(EventType t) { return kTypes[static_cast<size_t>(t) - 1]; }

}  // namespace

std::string DataString(const Event& e, std::string_view key) {
  auto it = e.data.find(key);
  return it != e.data.end() && it->value().is_string() ? std::string(it->value().get_string()) : std::string();
}

std::optional<EventType> ParseEventType(std::string_view name) {
  for (const auto& t : kTypes) {
    if (name == t.name) return t.type;
  }
  return std::nullopt;
}

const char* EventTypeName(EventType type) { return Info(type).name; }
bool HasDepartment(EventType type) { return Info(type).department; }
PeriodKind PeriodKindOf(EventType type) { return Info(type).period; }

std::optional<Quarter> Event::quarter() const {
  switch (PeriodKindOf(type)) {
    case PeriodKind::kMonth: return QuarterOfMonth(period);
    case PeriodKind::kQuarter: return Quarter::Parse(period);
    default: return std::nullopt;
  }
}

json::object ToExportJson(const Event& e, bool with_hash) {
  json::object o;
  o["seq"] = e.seq;
  o["id"] = e.id;
  o["type"] = EventTypeName(e.type);
  if (HasDepartment(e.type)) o["department"] = e.department;
  if (PeriodKindOf(e.type) != PeriodKind::kNone) o["period"] = e.period;
  o["occurred_at"] = e.occurred_at;
  o["actor"] = e.actor;
  o["recorded_at"] = e.recorded_at;
  o["data"] = e.data;
  if (!e.source.empty()) o["source"] = e.source;
  if (with_hash) o["hash"] = e.hash;
  return o;
}

}  // namespace qledger::domain
