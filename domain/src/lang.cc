// The labels of lang.h.
#include "qledger/domain/lang.h"

namespace qledger::domain {

std::optional<Lang> ParseLang(std::string_view name) {
  if (name == "zh") return Lang::kZh;
  if (name == "en") return Lang::kEn;
  return std::nullopt;
}

const char* LangName(Lang lang) { return lang == Lang::kZh ? "zh" : "en"; }

std::string GradeLabel(std::string_view grade, Lang lang) {
  if (lang == Lang::kEn) return std::string(grade);
  if (grade == "excellent") return "优秀";
  if (grade == "qualified") return "合格";
  if (grade == "unqualified") return "不合格";
  return std::string(grade);
}

std::string StatusLabel(QuarterStatus status, Lang lang) {
  if (lang == Lang::kEn) return QuarterStatusName(status);
  switch (status) {
    case QuarterStatus::kApproved: return "已审定";
    case QuarterStatus::kReopened: return "已重新打开";
    default: return "未审定";
  }
}

std::string StatusLabel(std::string_view name, Lang lang) {
  for (QuarterStatus s : {QuarterStatus::kOpen, QuarterStatus::kApproved, QuarterStatus::kReopened}) {
    if (name == QuarterStatusName(s)) return StatusLabel(s, lang);
  }
  return std::string(name);
}

std::string EventTypeLabel(EventType type, Lang lang) {
  if (lang == Lang::kEn) return EventTypeName(type);
  switch (type) {
    case EventType::kPolicyAdopted: return "采用考核办法";
    case EventType::kSelfcheckReported: return "自查上报";
    case EventType::kSpotcheckRecorded: return "工作组抽查";
    case EventType::kSurveyResponded: return "问卷答复";
    case EventType::kSurveyDisputed: return "问卷异议";
    case EventType::kSurveyRuled: return "问卷异议审定";
    case EventType::kComplaintRecorded: return "投诉受理";
    case EventType::kComplaintRuled: return "投诉认定";
    case EventType::kComplaintHandled: return "投诉处理";
    case EventType::kDeductionDirect: return "主业直接扣分";
    case EventType::kCallbackFinding: return "电话回访扣分";
    case EventType::kScoreAdjusted: return "委员会调整";
    case EventType::kEntryVoided: return "作废";
    case EventType::kQuarterApproved: return "季度审定";
    case EventType::kQuarterReopened: return "季度重新打开";
    case EventType::kBudgetExpense: return "经费支出";
  }
  return EventTypeName(type);
}

std::string ComponentLabel(std::string_view component, Lang lang) {
  if (lang == Lang::kEn) return std::string(component);
  if (component == "selfcheck") return "自查";
  if (component == "survey") return "问卷";
  if (component == "complaint") return "投诉";
  if (component == "total") return "总分";
  return std::string(component);
}

std::string YesNo(bool b, Lang lang) { return lang == Lang::kZh ? (b ? "是" : "否") : (b ? "yes" : "no"); }

}  // namespace qledger::domain
