// Applying and voiding facts: DepartmentQuarter::Apply and ::Void (fold.h).
#include "qledger/domain/fold.h"

#include <algorithm>

#include <boost/json.hpp>

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

std::string DepartmentQuarter::Apply(const Event& e) {
  std::string change;
  Apply(e, &change);
  return change;
}

// The sentence is built only when asked for: a full rebuild folds every event
// of the ledger and throws the trace away, and building it (string
// concatenation, Decimal::ToString) cost as much as the fold itself.
void DepartmentQuarter::Apply(const Event& e, std::string* change) {
  switch (e.type) {
    case EventType::kSelfcheckReported: {
      Decimal score = Dec(e, "score");
      self_[e.period] = {e.id, score};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "self-check for " + e.period + " reported: " + score.ToString();
      return;
    }
    case EventType::kSpotcheckRecorded: {
      Decimal score = Dec(e, "score");
      spot_[e.period] = {e.id, score};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "spot check of " + e.period + " by " + Str(e, "inspector") + ": " + score.ToString();
      return;
    }
    case EventType::kSurveyResponded: {
      Decimal score = Dec(e, "score");
      responses_[e.id] = Response{score, {}, 0};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "survey response from " + Str(e, "respondent") + ": " + score.ToString();
      return;
    }
    case EventType::kSurveyDisputed: {
      std::string target = Str(e, "response");
      auto it = responses_.find(target);
      if (it == responses_.end()) {
        if (change) *change = "dispute of an unknown response " + target + " (no effect)";
        return;
      }
      ++it->second.disputes;
      kinds_[e.id] = {e.type, target};
      if (change) *change = "response " + target + " disputed: " + Str(e, "reason") + " (still counts until ruled)";
      return;
    }
    case EventType::kSurveyRuled: {
      std::string target = Str(e, "response");
      auto it = responses_.find(target);
      if (it == responses_.end()) {
        if (change) *change = "ruling on an unknown response " + target + " (no effect)";
        return;
      }
      std::string outcome = Str(e, "outcome");
      Decimal score = outcome == "rescored" ? Dec(e, "score") : it->second.score;
      it->second.rulings.push_back({e.id, outcome, score});
      kinds_[e.id] = {e.type, target};
      if (change) {
        std::string what = outcome == "voided" ? "no longer counted"
                           : outcome == "rescored" ? "rescored to " + score.ToString()
                                                   : "upheld, unchanged";
        *change = "response " + target + " ruled (" + Str(e, "ruling") + "): " + what;
      }
      return;
    }
    case EventType::kComplaintRecorded:
      complaints_[e.id] = Complaint{};
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "complaint recorded (" + Str(e, "channel") + "): " + Str(e, "summary");
      return;
    case EventType::kComplaintRuled: {
      std::string target = Str(e, "complaint");
      auto it = complaints_.find(target);
      if (it == complaints_.end()) {
        if (change) *change = "ruling on an unknown complaint " + target + " (no effect)";
        return;
      }
      bool valid = e.data.contains("valid") && e.data.at("valid").is_bool() && e.data.at("valid").get_bool();
      it->second.rulings.push_back({e.id, valid ? "valid" : "invalid", Decimal()});
      kinds_[e.id] = {e.type, target};
      if (change) *change = "complaint " + target + " ruled " + (valid ? "valid" : "invalid") + " (" + Str(e, "ruling") + ")";
      return;
    }
    case EventType::kComplaintHandled:
      kinds_[e.id] = {e.type, Str(e, "complaint")};
      if (change) {
        *change = "complaint " + Str(e, "complaint") + " " + Str(e, "stage") + " (register only, no score effect)";
      }
      return;
    case EventType::kDeductionDirect: {
      Decimal p = Dec(e, "points");
      direct_[e.id] = p;
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "direct deduction " + p.ToString() + ": " + Str(e, "reason");
      return;
    }
    case EventType::kCallbackFinding: {
      Decimal p = Dec(e, "points");
      callbacks_[e.id] = p;
      kinds_[e.id] = {e.type, {}};
      if (change) *change = "callback finding −" + p.ToString() + ": " + Str(e, "reason");
      return;
    }
    case EventType::kScoreAdjusted: {
      Decimal p = Dec(e, "points");
      adjustments_[e.id] = {Str(e, "component"), p};
      kinds_[e.id] = {e.type, {}};
      if (change) {
        *change = "adjustment of " + Str(e, "component") + " by " + (p > Decimal() ? "+" : "") + p.ToString() + " (" +
                  Str(e, "ruling") + ")";
      }
      return;
    }
    default:
      if (change) change->clear();
      return;
  }
}

std::string DepartmentQuarter::Void(const std::string& target) {
  auto k = kinds_.find(target);
  if (k == kinds_.end()) return "";
  auto [type, anchor] = k->second;
  kinds_.erase(k);
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
          return std::string(type == EventType::kSelfcheckReported ? "self-check" : "spot check") + " of " + month +
                 " (" + target + ") voided";
        }
      }
      return "";
    }
    case EventType::kSurveyResponded: responses_.erase(target); return "survey response " + target + " voided";
    case EventType::kSurveyDisputed:
      if (auto it = responses_.find(anchor); it != responses_.end() && it->second.disputes > 0) --it->second.disputes;
      return "dispute " + target + " voided";
    case EventType::kSurveyRuled:
      if (auto it = responses_.find(anchor); it != responses_.end()) erase_ruling(it->second.rulings);
      return "ruling " + target + " on response " + anchor + " voided";
    case EventType::kComplaintRecorded: complaints_.erase(target); return "complaint " + target + " voided";
    case EventType::kComplaintRuled:
      if (auto it = complaints_.find(anchor); it != complaints_.end()) erase_ruling(it->second.rulings);
      return "ruling " + target + " on complaint " + anchor + " voided";
    case EventType::kComplaintHandled: return "handling record " + target + " voided (register only)";
    case EventType::kDeductionDirect: direct_.erase(target); return "direct deduction " + target + " voided";
    case EventType::kCallbackFinding: callbacks_.erase(target); return "callback finding " + target + " voided";
    case EventType::kScoreAdjusted: adjustments_.erase(target); return "adjustment " + target + " voided";
    default: return "";
  }
}

}  // namespace qledger::domain
