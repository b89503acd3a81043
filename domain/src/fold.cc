// Applying and voiding facts: DepartmentQuarter::Apply and ::Void (fold.h).
#include "qledger/domain/fold.h"

#include <algorithm>

#include <boost/json.hpp>

#include "qledger/domain/regulation.h"

namespace qledger::domain {
namespace {

std::string Str(const Event& e, const char* key) { return DataString(e, key); }

Decimal Dec(const Event& e, const char* key) {
  auto it = e.data.find(key);
  if (it == e.data.end() || !it->value().is_string()) return Decimal();
  const auto& text = it->value().get_string();
  auto d = Decimal::Parse(std::string_view(text.data(), text.size()));
  return d.ok() ? *d : Decimal();  // stored events are normalised: always ok
}

}  // namespace

std::string DepartmentQuarter::Apply(const Event& e, Lang lang) {
  std::string change;
  Apply(e, &change, lang);
  return change;
}

// The sentence is built only when asked for: a full rebuild folds every event
// of the ledger and throws the trace away, and building it (string
// concatenation, Decimal::ToString) cost as much as the fold itself.
void DepartmentQuarter::Apply(const Event& e, std::string* change, Lang lang) {
  const bool zh = lang == Lang::kZh;
  switch (e.type) {
    case EventType::kSelfcheckReported: {
      Decimal score = Dec(e, "score");
      self_[e.period] = {e.id, score};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = zh ? e.period + " 自查上报 " + score.ToString() + " 分"
                            : "self-check for " + e.period + " reported: " + score.ToString();
      return;
    }
    case EventType::kSpotcheckRecorded: {
      Decimal score = Dec(e, "score");
      spot_[e.period] = {e.id, score};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = zh ? e.period + " 工作组抽查（" + Str(e, "inspector") + "）" + score.ToString() + " 分"
                            : "spot check of " + e.period + " by " + Str(e, "inspector") + ": " + score.ToString();
      return;
    }
    case EventType::kSurveyResponded: {
      Decimal score = Dec(e, "score");
      if (auto old = responses_.find(e.id); old != responses_.end()) TallyResponse(old->second, -1);
      Response& r = responses_[e.id];
      r = Response{score, {}, 0};
      TallyResponse(r, +1);
      kinds_.erase(e.id);  // a response's kind is its place in responses_ (fold.h)
      if (change) *change = zh ? "客户 " + Str(e, "respondent") + " 问卷 " + score.ToString() + " 分"
                            : "survey response from " + Str(e, "respondent") + ": " + score.ToString();
      return;
    }
    case EventType::kSurveyDisputed: {
      std::string target = Str(e, "response");
      auto it = responses_.find(target);
      if (it == responses_.end()) {
        if (change) *change = zh ? "对未知问卷 " + target + " 的异议（无影响）" : "dispute of an unknown response " + target + " (no effect)";
        return;
      }
      ++it->second.disputes;
      kinds_[e.id] = {e.type, target};
      if (change) *change = zh ? "问卷 " + target + " 提出异议：" + Str(e, "reason") + "（审定前仍计分）"
                            : "response " + target + " disputed: " + Str(e, "reason") + " (still counts until ruled)";
      return;
    }
    case EventType::kSurveyRuled: {
      std::string target = Str(e, "response");
      auto it = responses_.find(target);
      if (it == responses_.end()) {
        if (change) *change = zh ? "对未知问卷 " + target + " 的审定（无影响）" : "ruling on an unknown response " + target + " (no effect)";
        return;
      }
      std::string outcome = Str(e, "outcome");
      Decimal score = outcome == "rescored" ? Dec(e, "score") : it->second.score;
      TallyResponse(it->second, -1);
      it->second.rulings.push_back({e.id, outcome, score});
      TallyResponse(it->second, +1);
      kinds_[e.id] = {e.type, target};
      if (change) {
        std::string what = outcome == "voided"     ? Pick(lang, "不再计分", "no longer counted")
                           : outcome == "rescored" ? Pick(lang, "改为 ", "rescored to ") + score.ToString()
                                                   : Pick(lang, "维持原分", "upheld, unchanged");
        *change = zh ? "问卷 " + target + " 审定（" + Str(e, "ruling") + "）：" + what
                     : "response " + target + " ruled (" + Str(e, "ruling") + "): " + what;
      }
      return;
    }
    case EventType::kComplaintRecorded:
      if (auto old = complaints_.find(e.id); old != complaints_.end()) TallyComplaint(old->second, -1);
      complaints_[e.id] = Complaint{};
      TallyComplaint(complaints_[e.id], +1);
      kinds_[e.id] = {e.type, {}};
      if (change) *change = zh ? "受理投诉（" + Str(e, "channel") + "）：" + Str(e, "summary")
                          : "complaint recorded (" + Str(e, "channel") + "): " + Str(e, "summary");
      return;
    case EventType::kComplaintRuled: {
      std::string target = Str(e, "complaint");
      auto it = complaints_.find(target);
      if (it == complaints_.end()) {
        if (change) *change = zh ? "对未知投诉 " + target + " 的认定（无影响）" : "ruling on an unknown complaint " + target + " (no effect)";
        return;
      }
      bool valid = e.data.contains("valid") && e.data.at("valid").is_bool() && e.data.at("valid").get_bool();
      TallyComplaint(it->second, -1);
      it->second.rulings.push_back({e.id, valid ? "valid" : "invalid", Decimal()});
      TallyComplaint(it->second, +1);
      kinds_[e.id] = {e.type, target};
      if (change) {
        *change = zh ? "投诉 " + target + " 认定为" + (valid ? "有效" : "无效") + "（" + Str(e, "ruling") + "）"
                     : "complaint " + target + " ruled " + (valid ? "valid" : "invalid") + " (" + Str(e, "ruling") + ")";
      }
      return;
    }
    case EventType::kComplaintHandled:
      kinds_[e.id] = {e.type, Str(e, "complaint")};
      if (change) {
        std::string stage = Str(e, "stage");
        *change = zh ? "投诉 " + Str(e, "complaint") + (stage == "resolved" ? " 已处理" : " 已受理") + "（仅登记，不影响得分）"
                     : "complaint " + Str(e, "complaint") + " " + stage + " (register only, no score effect)";
      }
      return;
    case EventType::kDeductionDirect: {
      Decimal p = Dec(e, "points");
      direct_[e.id] = p;
      kinds_[e.id] = {e.type, {}};
      if (change) *change = zh ? "主业直接扣 " + p.ToString() + " 分：" + Str(e, "reason")
                          : "direct deduction " + p.ToString() + ": " + Str(e, "reason");
      return;
    }
    case EventType::kCallbackFinding: {
      Decimal p = Dec(e, "points");
      callbacks_[e.id] = p;
      kinds_[e.id] = {e.type, {}};
      if (change) *change = zh ? "电话回访扣 " + p.ToString() + " 分：" + Str(e, "reason")
                          : "callback finding −" + p.ToString() + ": " + Str(e, "reason");
      return;
    }
    case EventType::kScoreAdjusted: {
      Decimal p = Dec(e, "points");
      adjustments_[e.id] = {Str(e, "component"), p};
      kinds_[e.id] = {e.type, {}};
      if (change) {
        std::string signed_points = (p > Decimal() ? "+" : "") + p.ToString();
        *change = zh ? "委员会调整" + ComponentLabel(Str(e, "component"), lang) + " " + signed_points + " 分（" +
                           Str(e, "ruling") + "）"
                     : "adjustment of " + Str(e, "component") + " by " + signed_points + " (" + Str(e, "ruling") + ")";
      }
      return;
    }
    default:
      if (change) change->clear();
      return;
  }
}

std::optional<Decimal> DepartmentQuarter::Effective(const Response& r) {
  if (r.rulings.empty()) return r.score;
  const Ruling& ruling = r.rulings.back();
  if (ruling.outcome == "voided") return std::nullopt;
  return ruling.score;
}

void DepartmentQuarter::TallyResponse(const Response& r, int sign) const {
  if (!survey_.ready) return;  // Compute counts them all when it first needs them
  std::optional<Decimal> score = Effective(r);
  if (!score) return;
  survey_.counted += sign;
  if (*score >= survey_.full_marks_from) {
    survey_.full += sign;
    survey_.sum += sign * Int128{10000};
  } else {
    survey_.sum += sign * static_cast<Int128>(score->hundredths());
  }
}

bool DepartmentQuarter::Counts(const Complaint& c) {
  std::optional<bool> ruled_valid;
  if (!c.rulings.empty()) ruled_valid = c.rulings.back().outcome == "valid";
  return ComplaintCounts(/*voided=*/false, ruled_valid);  // a voided one is erased
}

std::string DepartmentQuarter::Void(const std::string& target, Lang lang) {
  const bool zh = lang == Lang::kZh;
  EventType type = EventType::kSurveyResponded;
  std::string anchor;
  if (auto k = kinds_.find(target); k != kinds_.end()) {
    type = k->second.first;
    anchor = std::move(k->second.second);
    kinds_.erase(k);
  } else if (!responses_.contains(target)) {
    return "";
  }
  auto erase_ruling = [&](std::vector<Ruling>& rulings) {
    rulings.erase(std::remove_if(rulings.begin(), rulings.end(), [&](const Ruling& r) { return r.id == target; }),
                  rulings.end());
  };
  switch (type) {
    case EventType::kSelfcheckReported:
    case EventType::kSpotcheckRecorded: {
      auto& m = type == EventType::kSelfcheckReported ? self_ : spot_;
      for (auto it = m.begin(); it != m.end(); ++it) {
        if (it->second.first == target) {
          std::string month = it->first;
          m.erase(it);
          if (zh) return month + (type == EventType::kSelfcheckReported ? " 自查" : " 抽查") + "（" + target + "）作废";
          return std::string(type == EventType::kSelfcheckReported ? "self-check" : "spot check") + " of " + month +
                 " (" + target + ") voided";
        }
      }
      return "";
    }
    case EventType::kSurveyResponded:
      if (auto it = responses_.find(target); it != responses_.end()) {
        TallyResponse(it->second, -1);
        responses_.erase(it);
      }
      return zh ? "问卷 " + target + " 作废" : "survey response " + target + " voided";
    case EventType::kSurveyDisputed:
      if (auto it = responses_.find(anchor); it != responses_.end() && it->second.disputes > 0) --it->second.disputes;
      return zh ? "异议 " + target + " 作废" : "dispute " + target + " voided";
    case EventType::kSurveyRuled:
      if (auto it = responses_.find(anchor); it != responses_.end()) {
        TallyResponse(it->second, -1);
        erase_ruling(it->second.rulings);
        TallyResponse(it->second, +1);
      }
      return zh ? "问卷 " + anchor + " 的审定 " + target + " 作废" : "ruling " + target + " on response " + anchor + " voided";
    case EventType::kComplaintRecorded:
      if (auto it = complaints_.find(target); it != complaints_.end()) {
        TallyComplaint(it->second, -1);
        complaints_.erase(it);
      }
      return zh ? "投诉 " + target + " 作废" : "complaint " + target + " voided";
    case EventType::kComplaintRuled:
      if (auto it = complaints_.find(anchor); it != complaints_.end()) {
        TallyComplaint(it->second, -1);
        erase_ruling(it->second.rulings);
        TallyComplaint(it->second, +1);
      }
      return zh ? "投诉 " + anchor + " 的认定 " + target + " 作废" : "ruling " + target + " on complaint " + anchor + " voided";
    case EventType::kComplaintHandled:
      return zh ? "投诉处理记录 " + target + " 作废（仅登记）" : "handling record " + target + " voided (register only)";
    case EventType::kDeductionDirect:
      direct_.erase(target);
      return zh ? "直接扣分 " + target + " 作废" : "direct deduction " + target + " voided";
    case EventType::kCallbackFinding:
      callbacks_.erase(target);
      return zh ? "回访扣分 " + target + " 作废" : "callback finding " + target + " voided";
    case EventType::kScoreAdjusted:
      adjustments_.erase(target);
      return zh ? "调整 " + target + " 作废" : "adjustment " + target + " voided";
    default: return "";
  }
}

}  // namespace qledger::domain
