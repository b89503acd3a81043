#include "qledger/domain/batch.h"

#include <functional>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <boost/json.hpp>

#include "qledger/domain/hash_chain.h"
#include "qledger/domain/helper_thread.h"
#include "qledger/domain/time_zone.h"

namespace json = boost::json;

namespace qledger::domain {

const char* QuarterStatusName(QuarterStatus s) {
  switch (s) {
    case QuarterStatus::kOpen: return "open";
    case QuarterStatus::kApproved: return "approved";
    case QuarterStatus::kReopened: return "reopened";
  }
  return "open";
}

namespace {

// The ledger as seen by the batch: the stored ledger overlaid with the
// batch's own accepted events.
class Overlay {
 public:
  // `accepted` is the batch's accepted events (BatchPlan::to_append); Accept
  // is called with the index of each as it is added there.
  Overlay(const LedgerView& base, const std::vector<Event>& accepted) : base_(base), accepted_(accepted) {}

  Status Init() {
    QLEDGER_ASSIGN_OR_RETURN(auto p, base_.Policies());
    policies_ = std::move(p);
    return Status::Ok();
  }

  Result<std::optional<KnownEvent>> Find(const std::string& id) const {
    auto it = events_.find(id);
    if (it != events_.end()) return Known(id, it->second);
    return WithVoids(id, base_.Find(id));
  }

  // The same, given what the stored ledger says of id (read ahead: it does
  // not change while a batch is planned).
  Result<std::optional<KnownEvent>> Find(const std::string& id, Result<std::optional<KnownEvent>> stored) const {
    auto it = events_.find(id);
    if (it != events_.end()) return Known(id, it->second);
    return WithVoids(id, std::move(stored));
  }

  // Computed on demand: an id repeated within one batch is rare, and
  // ContentKey of every accepted event up front costs as much as hashing it.
  Result<std::string> ContentKeyOf(const std::string& id) const {
    auto it = accepted_index_.find(id);
    if (it != accepted_index_.end()) return ContentKey(accepted_[it->second]);
    return base_.ContentKeyOf(id);
  }

  Result<std::string> DataStringOf(const std::string& id, const std::string& key) const {
    auto it = accepted_index_.find(id);
    if (it != accepted_index_.end()) return DataString(accepted_[it->second], key);
    return base_.DataStringOf(id, key);
  }

  Result<std::optional<std::string>> ActiveMonthly(EventType type, const std::string& dept, const std::string& month) const {
    auto it = monthly_.find({static_cast<int>(type), dept, month});
    if (it != monthly_.end()) return it->second;
    return base_.ActiveMonthly(type, dept, month);
  }

  Result<QuarterStatus> StatusOf(const Quarter& q) const {
    auto it = status_.find(q);
    if (it != status_.end()) return it->second;
    // The stored ledger does not change while a batch is planned: ask it
    // once per quarter, not once per event.
    if (auto cached = base_status_.find(q); cached != base_status_.end()) return cached->second;
    auto st = base_.StatusOf(q);
    if (st.ok()) base_status_.emplace(q, *st);
    return st;
  }

  const std::vector<AdoptedPolicy>& policies() const { return policies_; }

  void Accept(size_t index, const KnownEvent& known) {
    const Event& e = accepted_[index];
    events_[e.id] = known;
    accepted_index_[e.id] = index;
    switch (e.type) {
      case EventType::kSelfcheckReported:
      case EventType::kSpotcheckRecorded:
        monthly_[{static_cast<int>(e.type), e.department, e.period}] = e.id;
        break;
      case EventType::kEntryVoided: {
        std::string target = DataString(e, "target");
        voided_.insert(target);
        auto t = Find(target);
        if (t.ok() && t->has_value() &&
            ((*t)->type == EventType::kSelfcheckReported || (*t)->type == EventType::kSpotcheckRecorded)) {
          monthly_[{static_cast<int>((*t)->type), (*t)->department, (*t)->period}] = std::nullopt;
        }
        break;
      }
      case EventType::kQuarterApproved:
        status_[*e.quarter()] = QuarterStatus::kApproved;
        break;
      case EventType::kQuarterReopened:
        status_[*e.quarter()] = QuarterStatus::kReopened;
        break;
      case EventType::kPolicyAdopted: {
        // Normalised and checked just before, so it parses.
        AdoptedPolicy a = *AdoptedPolicyOf(e);
        a.seq = INT64_MAX;  // after everything stored
        policies_.push_back(std::move(a));
        break;
      }
      default:
        break;
    }
  }

 private:
  const LedgerView& base_;
  const std::vector<Event>& accepted_;
  Result<std::optional<KnownEvent>> Known(const std::string& id, KnownEvent k) const {
    k.voided = k.voided || voided_.count(id);
    return std::optional<KnownEvent>(k);
  }
  Result<std::optional<KnownEvent>> WithVoids(const std::string& id, Result<std::optional<KnownEvent>> r) const {
    if (r.ok() && r->has_value() && voided_.count(id)) (*r)->voided = true;
    return r;
  }

  // By id: every event of the batch goes in, and nothing iterates them.
  std::unordered_map<std::string, KnownEvent> events_;
  std::unordered_map<std::string, size_t> accepted_index_;  // id -> index in accepted_
  mutable std::map<Quarter, QuarterStatus> base_status_;
  std::unordered_set<std::string> voided_;
  std::map<std::tuple<int, std::string, std::string>, std::optional<std::string>> monthly_;
  std::map<Quarter, QuarterStatus> status_;  // set by the batch's approvals and reopenings
  std::vector<AdoptedPolicy> policies_;
};

// A reference from one event to another (a ruling to its response, a void to
// its target) must name an existing, not voided event of the right kind, of
// the same department and quarter.
Status CheckReference(const Overlay& ledger, const Event& e, const char* field, EventType want,
                      std::vector<std::string>* errors) {
  std::string target = DataString(e, field);
  QLEDGER_ASSIGN_OR_RETURN(auto found, ledger.Find(target));
  std::string name = std::string("data.") + field;
  if (!found.has_value()) {
    errors->push_back(name + ": no event \"" + target + "\" in the ledger");
  } else if (found->type != want) {
    errors->push_back(name + ": event \"" + target + "\" is a " + EventTypeName(found->type) + ", not a " +
                      EventTypeName(want));
  } else if (found->department != e.department || found->period != e.period) {
    errors->push_back(name + ": event \"" + target + "\" is for " + found->department + " " +
                      found->period + ", not " + e.department + " " + e.period);
  } else if (found->voided) {
    errors->push_back(name + ": event \"" + target + "\" has been voided");
  }
  return Status::Ok();
}

Status CheckQuarterOpen(const Overlay& ledger, const Quarter& q, const char* what,
                        std::vector<std::string>* errors) {
  QLEDGER_ASSIGN_OR_RETURN(auto st, ledger.StatusOf(q));
  if (st == QuarterStatus::kApproved) {
    errors->push_back(std::string(what) + ": quarter " + q.ToString() +
                      " is approved; reopen it (quarter.reopened) before recording facts for it");
  }
  return Status::Ok();
}

// The rules that need the ledger. Appends to *errors; a non-OK status is a
// storage failure.
Status CheckAgainstLedger(const Overlay& ledger, const Event& e, std::vector<std::string>* errors) {
  auto quarter = e.quarter();
  if (HasDepartment(e.type) && quarter) {
    const AdoptedPolicy* policy = PolicyFor(ledger.policies(), *quarter, INT64_MAX);
    if (!policy) {
      errors->push_back("period: no policy is in force for " + quarter->ToString());
    } else {
      if (!policy->policy.FindDepartment(e.department)) {
        errors->push_back("department: \"" + e.department + "\" is not a department of policy version " +
                          std::to_string(policy->version));
      }
      if (e.type == EventType::kCallbackFinding) {
        auto points = Decimal::Parse(DataString(e, "points"));
        if (points.ok() && (*points < policy->policy.callback_min || policy->policy.callback_max < *points)) {
          errors->push_back("data.points: " + points->ToString() + " is outside " +
                            policy->policy.callback_min.ToString() + "–" + policy->policy.callback_max.ToString());
        }
      }
    }
    QLEDGER_RETURN_IF_ERROR(CheckQuarterOpen(ledger, *quarter, "period", errors));
  }

  switch (e.type) {
    case EventType::kSelfcheckReported:
    case EventType::kSpotcheckRecorded: {
      QLEDGER_ASSIGN_OR_RETURN(auto active, ledger.ActiveMonthly(e.type, e.department, e.period));
      if (active.has_value()) {
        errors->push_back(std::string("period: ") + e.department + " already has a " + EventTypeName(e.type) +
                          " for " + e.period + " (\"" + *active + "\"); void it first to correct it");
      }
      break;
    }
    case EventType::kSurveyDisputed:
    case EventType::kSurveyRuled:
      return CheckReference(ledger, e, "response", EventType::kSurveyResponded, errors);
    case EventType::kComplaintRuled:
      return CheckReference(ledger, e, "complaint", EventType::kComplaintRecorded, errors);
    case EventType::kComplaintHandled: {
      size_t before = errors->size();
      QLEDGER_RETURN_IF_ERROR(CheckReference(ledger, e, "complaint", EventType::kComplaintRecorded, errors));
      if (errors->size() != before) break;
      // Handled (acknowledged or resolved) before it was received: both
      // times read in the ledger's zone when they carry no offset (SPEC §1).
      QLEDGER_ASSIGN_OR_RETURN(std::string received, ledger.DataStringOf(DataString(e, "complaint"), "received_at"));
      TimeZone tz = ledger.policies().empty() ? TimeZone::Default() : ledger.policies().back().policy.Zone();
      auto at = ParseInstantIn(DataString(e, "at"), tz);
      auto from = ParseInstantIn(received, tz);
      if (at && from && *at < *from) {
        errors->push_back("data.at: " + DataString(e, "at") + " is before the complaint was received (" + received +
                          "; times without an offset are " + tz.name() + ")");
      }
      break;
    }
    case EventType::kEntryVoided: {
      std::string target = DataString(e, "target");
      QLEDGER_ASSIGN_OR_RETURN(auto found, ledger.Find(target));
      if (!found.has_value()) {
        errors->push_back("data.target: no event \"" + target + "\" in the ledger");
        break;
      }
      const KnownEvent& t = *found;
      if (t.voided) {
        errors->push_back("data.target: event \"" + target + "\" is already voided");
      } else if (t.type == EventType::kPolicyAdopted || t.type == EventType::kEntryVoided ||
                 t.type == EventType::kQuarterApproved || t.type == EventType::kQuarterReopened) {
        errors->push_back("data.target: a " + std::string(EventTypeName(t.type)) +
                          " cannot be voided (adopt a new policy or reopen the quarter instead)");
      } else {
        Event target_event;
        target_event.type = t.type;
        target_event.period = t.period;
        if (auto q = target_event.quarter()) {
          QLEDGER_RETURN_IF_ERROR(CheckQuarterOpen(ledger, *q, "data.target", errors));
        }
      }
      break;
    }
    case EventType::kQuarterApproved: {
      QLEDGER_ASSIGN_OR_RETURN(auto st, ledger.StatusOf(*quarter));
      if (st == QuarterStatus::kApproved) errors->push_back("period: quarter " + e.period + " is already approved");
      break;
    }
    case EventType::kQuarterReopened: {
      QLEDGER_ASSIGN_OR_RETURN(auto st, ledger.StatusOf(*quarter));
      if (st != QuarterStatus::kApproved) {
        errors->push_back("period: quarter " + e.period + " is not approved, so it cannot be reopened");
      }
      break;
    }
    case EventType::kPolicyAdopted: {
      int64_t version = e.data.at("version").as_int64();
      for (const auto& p : ledger.policies()) {
        if (p.version >= version) {
          errors->push_back("data.version: " + std::to_string(version) + " is not above the adopted version " +
                            std::to_string(p.version));
          break;
        }
      }
      break;
    }
    default:
      break;
  }
  return Status::Ok();
}

// An input event checked against its schema (NormalizeInputEvent) and,
// when valid, what the stored ledger says of its id.
struct NormalizedInput {
  Event event;
  std::vector<std::string> errors;
  bool valid = false;
  std::optional<Result<std::optional<KnownEvent>>> stored;  // LedgerView::Find(event.id)
};

// Below this many inputs a second thread costs more than it saves.
constexpr size_t kParallelNormalizeMin = 2000;

// NormalizeInputEvent of every input, and the stored ledger's answer for
// the id of each valid one (a RocksDB read each). Neither needs anything but
// the input and the stored ledger, which does not change while a batch is
// planned, so a large batch does both in two halves at once (they were half
// of planning); the rules then run in input order, one by one. A failed read
// is kept and reported where the rules would have made it. So a large batch
// calls base.Find from two threads at once (the storage's reads are
// thread-safe: EventStore may be read from several threads).
std::vector<NormalizedInput> NormalizeAll(const LedgerView& base, const std::vector<InputEvent>& inputs) {
  std::vector<NormalizedInput> out(inputs.size());
  auto normalize = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      if (!inputs[i].parse_error.empty()) continue;
      NormalizedInput& n = out[i];
      n.valid = NormalizeInputEvent(inputs[i].json, &n.event, &n.errors);
      if (n.valid) n.stored = base.Find(n.event.id);
    }
  };
  if (inputs.size() < kParallelNormalizeMin) {
    normalize(0, inputs.size());
  } else {
    size_t half = inputs.size() / 2;
    std::function<void()> second_half = [&] { normalize(half, inputs.size()); };
    std::thread helper = StartHelper(second_half);
    normalize(0, half);
    if (helper.joinable()) helper.join();
  }
  return out;
}

}  // namespace

namespace {

// A rule's message "data.score: 101.00 is above 100.00" as a field and a
// message; a message that does not start with a field path is all message.
BatchError ErrorOf(const InputEvent& in, const Event& e, const std::string& m) {
  BatchError err{in.where, true, e.id, "", m};
  size_t colon = m.find(": ");
  if (colon != std::string::npos && colon > 0) {
    bool path = true;
    for (size_t i = 0; i < colon; ++i) {
      char c = m[i];
      path &= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '[' || c == ']';
    }
    if (path) {
      err.field = m.substr(0, colon);
      err.message = m.substr(colon + 2);
    }
  }
  return err;
}

}  // namespace

std::string BatchError::ToString() const {
  if (!event) return where + ": " + message;
  return where + ": event" + (id.empty() ? "" : " \"" + id + "\"") + ": " + (field.empty() ? "" : field + ": ") +
         message;
}

Result<BatchPlan> PlanBatch(const LedgerView& base, const std::vector<InputEvent>& inputs) {
  BatchPlan plan;
  Overlay ledger(base, plan.to_append);
  QLEDGER_RETURN_IF_ERROR(ledger.Init());
  std::vector<NormalizedInput> normalized = NormalizeAll(base, inputs);
  plan.to_append.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputEvent& in = inputs[i];
    if (!in.parse_error.empty()) {
      plan.errors.push_back(BatchError{in.where, false, "", "", in.parse_error});
      continue;
    }
    Event& e = normalized[i].event;
    std::vector<std::string>& errors = normalized[i].errors;
    bool valid = normalized[i].valid;
    if (valid) {
      QLEDGER_ASSIGN_OR_RETURN(auto existing, ledger.Find(e.id, std::move(*normalized[i].stored)));
      if (existing.has_value()) {
        QLEDGER_ASSIGN_OR_RETURN(std::string key, ledger.ContentKeyOf(e.id));
        if (key == ContentKey(e)) {
          ++plan.duplicates;
        } else {
          errors.push_back("id: \"" + e.id + "\" is already in the ledger (seq " +
                           std::to_string(existing->seq) + ") with other content");
        }
        for (const auto& m : errors) plan.errors.push_back(ErrorOf(in, e, m));
        continue;
      }
      QLEDGER_RETURN_IF_ERROR(CheckAgainstLedger(ledger, e, &errors));
    }
    if (!errors.empty()) {
      for (const auto& m : errors) plan.errors.push_back(ErrorOf(in, e, m));
      continue;
    }
    KnownEvent known{0, e.type, e.department, e.period, false};
    plan.to_append.push_back(std::move(e));
    ledger.Accept(plan.to_append.size() - 1, known);
  }
  if (!plan.errors.empty()) plan.to_append.clear();
  return plan;
}

}  // namespace qledger::domain
