#include "qledger/domain/batch.h"

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <map>
#include <set>
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

// The ids of a batch's accepted events, copied once into blocks that never
// move, so that the overlay's map can key on views of them. A block is not
// zeroed: a one-event append would touch all of its 1 MiB (256 page faults,
// ~7 ms of a CLI append on a VM) to use a few bytes.
class IdArena {
 public:
  std::string_view Add(std::string_view s) {
    if (s.size() > kBlock - used_) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(std::max(kBlock, s.size())));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    std::copy(s.begin(), s.end(), at);
    used_ += s.size();
    return std::string_view(at, s.size());
  }

 private:
  static constexpr size_t kBlock = 1 << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = kBlock;
};

}  // namespace

// The ledger as seen by the batch: the stored ledger overlaid with the
// batch's own accepted events. Of each it keeps only what a later rule asks
// (kind, department, period; its content, to tell a duplicate): a batch too
// large to hold as events (StreamPlanner) costs some tens of bytes an event.
class Overlay {
 public:
  // accepted: the batch's accepted events when the caller keeps them
  // (PlanBatch), read when a rule asks; null when it does not
  // (StreamPlanner), and then a digest of each one's content is kept.
  Overlay(const LedgerView& base, const std::vector<Event>* accepted) : base_(base), accepted_(accepted) {}

  Status Init() {
    QLEDGER_ASSIGN_OR_RETURN(auto p, base_.Policies());
    policies_ = std::move(p);
    return Status::Ok();
  }

  Result<std::optional<KnownEvent>> Find(const std::string& id) const {
    if (const Entry* entry = InBatch(id)) return Known(id, *entry);
    return WithVoids(id, base_.Find(id));
  }

  // The same, given what the stored ledger says of id (read ahead: it does
  // not change while a batch is planned).
  Result<std::optional<KnownEvent>> Find(const std::string& id, Result<std::optional<KnownEvent>> stored) const {
    if (const Entry* entry = InBatch(id)) return Known(id, *entry);
    return WithVoids(id, std::move(stored));
  }

  // Whether the event with this id (REQUIRES: Find found it) has e's
  // content (ContentKey). Computed on demand for a stored or kept event: an
  // id repeated within one batch is rare, and ContentKey of every accepted
  // event up front costs as much as hashing it.
  Result<bool> SameContent(const std::string& id, const Event& e) const {
    if (const Entry* entry = InBatch(id)) {
      if (accepted_) return ContentKey((*accepted_)[entry->index]) == ContentKey(e);
      return digests_[entry->index] == Digest(e);
    }
    QLEDGER_ASSIGN_OR_RETURN(std::string key, base_.ContentKeyOf(id));
    return key == ContentKey(e);
  }

  // data[key] of the event with this id (REQUIRES: Find found it); of an
  // accepted event not kept, only the key a rule asks (received_at).
  Result<std::string> DataStringOf(const std::string& id, const std::string& key) const {
    if (const Entry* entry = InBatch(id)) {
      if (accepted_) return DataString((*accepted_)[entry->index], key);
      auto it = received_at_.find(entry->index);
      return key == "received_at" && it != received_at_.end() ? it->second : std::string();
    }
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

  Result<bool> HasFacts(const Quarter& q) const {
    if (fact_quarters_.count(q)) return true;
    if (auto cached = base_facts_.find(q); cached != base_facts_.end()) return cached->second;
    auto has = base_.HasFacts(q);
    if (has.ok()) base_facts_.emplace(q, *has);
    return has;
  }

  const std::vector<AdoptedPolicy>& policies() const { return policies_; }

  // e is accepted, after those accepted before (with a caller that keeps
  // them: (*accepted)[count so far]).
  void Accept(const Event& e) {
    uint32_t index = count_++;
    events_[ids_.Add(e.id)] = Entry{index, Intern(e.department), Intern(e.period), e.type};
    if (HasDepartment(e.type)) {
      if (auto q = e.quarter()) fact_quarters_.insert(*q);
    }
    if (!accepted_) {
      digests_.push_back(Digest(e));
      if (e.type == EventType::kComplaintRecorded) received_at_[index] = DataString(e, "received_at");
    }
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
  // An accepted event: its place among them, department and period (as
  // indexes into names_: a batch has few of each) and type.
  struct Entry {
    uint32_t index;
    uint32_t department;
    uint32_t period;
    EventType type;
  };
  using ContentDigest = std::array<unsigned char, 16>;  // the first 128 bits of SHA-256(ContentKey)

  static ContentDigest Digest(const Event& e) {
    std::string hex = Sha256Hex(ContentKey(e));
    ContentDigest d;
    auto nibble = [](char c) { return static_cast<unsigned char>(c <= '9' ? c - '0' : c - 'a' + 10); };
    for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<unsigned char>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    return d;
  }

  uint32_t Intern(const std::string& name) {
    auto [it, added] = name_index_.emplace(name, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back(name);
    return it->second;
  }

  const Entry* InBatch(const std::string& id) const {
    auto it = events_.find(std::string_view(id));
    return it == events_.end() ? nullptr : &it->second;
  }

  // seq 0: not stored yet.
  Result<std::optional<KnownEvent>> Known(const std::string& id, const Entry& entry) const {
    KnownEvent k{0, entry.type, names_[entry.department], names_[entry.period], voided_.count(id) > 0};
    return std::optional<KnownEvent>(k);
  }
  Result<std::optional<KnownEvent>> WithVoids(const std::string& id, Result<std::optional<KnownEvent>> r) const {
    if (r.ok() && r->has_value() && voided_.count(id)) (*r)->voided = true;
    return r;
  }

  const LedgerView& base_;
  const std::vector<Event>* accepted_;
  uint32_t count_ = 0;
  IdArena ids_;
  // By id: every event of the batch goes in, and nothing iterates them.
  std::unordered_map<std::string_view, Entry> events_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> name_index_;
  std::deque<ContentDigest> digests_;                    // without accepted_: by Entry::index
  std::unordered_map<uint32_t, std::string> received_at_;  // without accepted_: of complaint.recorded
  mutable std::map<Quarter, QuarterStatus> base_status_;
  mutable std::map<Quarter, bool> base_facts_;  // HasFacts of the stored ledger, once asked
  std::set<Quarter> fact_quarters_;             // quarters of the batch's accepted facts
  std::unordered_set<std::string> voided_;
  std::map<std::tuple<int, std::string, std::string>, std::optional<std::string>> monthly_;
  std::map<Quarter, QuarterStatus> status_;  // set by the batch's approvals and reopenings
  std::vector<AdoptedPolicy> policies_;
};

namespace {

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

// The rules of the policy in force for e's period and of its quarter's
// status (approved): they read no more of e than its type, department and
// period, and a data field only once it was read well. Appends to *errors;
// a non-OK status is a storage failure.
Status CheckAgainstPolicy(const Overlay& ledger, const Event& e, std::vector<std::string>* errors) {
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
  return Status::Ok();
}

// The rules that need the ledger. Appends to *errors; a non-OK status is a
// storage failure.
Status CheckAgainstLedger(const Overlay& ledger, const Event& e, std::vector<std::string>* errors) {
  QLEDGER_RETURN_IF_ERROR(CheckAgainstPolicy(ledger, e, errors));
  auto quarter = e.quarter();
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
      // times read in the quarter's zone (its policy's, SPEC §1 and §3)
      // when they carry no offset.
      QLEDGER_ASSIGN_OR_RETURN(std::string received, ledger.DataStringOf(DataString(e, "complaint"), "received_at"));
      const TimeZone tz = ZoneFor(ledger.policies(), e.quarter());
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
      if (st == QuarterStatus::kApproved) {
        errors->push_back("period: quarter " + e.period + " is already approved");
        break;
      }
      // SPEC §1: a quarter with nothing recorded is not assessed, never a
      // table of zeros — which approving it would publish, with a penalty
      // for every department.
      QLEDGER_ASSIGN_OR_RETURN(bool has_facts, ledger.HasFacts(*quarter));
      if (!has_facts) {
        errors->push_back("period: nothing was recorded for quarter " + e.period +
                          " (no fact of any department), so it is not assessed and there is nothing to approve");
      }
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
    std::vector<size_t> valid;
    std::vector<std::string> ids;
    for (size_t i = from; i < to; ++i) {
      if (!inputs[i].parse_error.empty()) continue;
      NormalizedInput& n = out[i];
      n.valid = NormalizeInputEvent(inputs[i].json, &n.event, &n.errors);
      if (!n.valid) continue;
      valid.push_back(i);
      ids.push_back(n.event.id);
    }
    // The ids looked up together (one MultiGet over the store's files).
    auto found = base.FindMany(ids);
    for (size_t k = 0; k < valid.size(); ++k) out[valid[k]].stored = std::move(found[k]);
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

namespace {

enum class Step { kAccepted, kDuplicate, kRejected };

// The rules for one input (n: it normalised, and what the stored ledger says
// of its id), in the batch's order: a duplicate, an id taken with other
// content, then the rules that need the ledger. Its errors are appended to
// *errors. The caller accepts it into the overlay.
// SPEC §1: a department is typed by its code or its Chinese name, in every
// input. An event's is stored as the code, in the policy in force for its
// period; one that names no department of it is left for CheckAgainstLedger
// to refuse. Before the id's stored event is compared with it, so that the
// same fact typed either way is the same fact.
void ToDepartmentCode(const Overlay& ledger, Event* e) {
  if (!HasDepartment(e->type)) return;
  auto quarter = e->quarter();
  if (!quarter) return;
  const AdoptedPolicy* policy = PolicyFor(ledger.policies(), *quarter, INT64_MAX);
  if (!policy || policy->policy.FindDepartment(e->department)) return;
  if (const Department* d = FindDepartmentByCodeOrName(policy->policy.departments, e->department)) e->department = d->code;
}

Result<Step> PlanOne(const Overlay& ledger, const InputEvent& in, NormalizedInput& n, std::vector<BatchError>* errors) {
  if (!in.parse_error.empty()) {
    errors->push_back(BatchError{in.where, false, "", "", in.parse_error});
    return Step::kRejected;
  }
  Event& e = n.event;
  std::vector<std::string>& problems = n.errors;
  if (n.valid) {
    ToDepartmentCode(ledger, &e);
    QLEDGER_ASSIGN_OR_RETURN(auto existing, ledger.Find(e.id, std::move(*n.stored)));
    if (existing.has_value() && !in.fallback_id.empty()) {
      // A derived id taken by other content: its longer form.
      QLEDGER_ASSIGN_OR_RETURN(bool same, ledger.SameContent(e.id, e));
      if (!same) {
        e.id = in.fallback_id;
        QLEDGER_ASSIGN_OR_RETURN(existing, ledger.Find(e.id));
      }
    }
    if (existing.has_value()) {
      QLEDGER_ASSIGN_OR_RETURN(bool same, ledger.SameContent(e.id, e));
      if (!same) {
        problems.push_back("id: \"" + e.id + "\" is already " +
                           (existing->seq == 0 ? std::string("in this batch")
                                               : "in the ledger (seq " + std::to_string(existing->seq) + ")") +
                           " with other content");
      }
      for (const auto& m : problems) errors->push_back(ErrorOf(in, e, m));
      return problems.empty() ? Step::kDuplicate : Step::kRejected;
    }
    QLEDGER_RETURN_IF_ERROR(CheckAgainstLedger(ledger, e, &problems));
  } else if (!e.department.empty() && !e.period.empty()) {
    // SPEC §4, --dry-run: "report every error". An event that failed its
    // schema elsewhere (a score, a date, an unknown data field) but whose
    // type, department and period were read well (NormalizeInputEvent sets
    // them only then) is still held to the policy, whose rules read only
    // what was read well: a department not in it is told beside the bad
    // score. (The rules that
    // look other events up wait for a valid event: an id or a reference
    // that failed would only echo its own error.)
    ToDepartmentCode(ledger, &e);
    QLEDGER_RETURN_IF_ERROR(CheckAgainstPolicy(ledger, e, &problems));
  } else if (!e.department.empty() && HasDepartment(e.type)) {
    // Its period was not read, so no one policy is in force for it: a
    // department that no adopted policy has is wrong whatever the period.
    const auto& policies = ledger.policies();
    bool known = std::any_of(policies.begin(), policies.end(), [&](const AdoptedPolicy& p) {
      return FindDepartmentByCodeOrName(p.policy.departments, e.department) != nullptr;
    });
    if (!known && !policies.empty()) {
      problems.push_back("department: \"" + e.department + "\" is not a department of any adopted policy");
    }
  }
  if (!problems.empty()) {
    for (const auto& m : problems) errors->push_back(ErrorOf(in, e, m));
    return Step::kRejected;
  }
  return Step::kAccepted;
}

}  // namespace

Result<BatchPlan> PlanBatch(const LedgerView& base, const std::vector<InputEvent>& inputs) {
  BatchPlan plan;
  Overlay ledger(base, &plan.to_append);
  QLEDGER_RETURN_IF_ERROR(ledger.Init());
  std::vector<NormalizedInput> normalized = NormalizeAll(base, inputs);
  plan.to_append.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    QLEDGER_ASSIGN_OR_RETURN(Step step, PlanOne(ledger, inputs[i], normalized[i], &plan.errors));
    if (step == Step::kDuplicate) ++plan.duplicates;
    if (step != Step::kAccepted) continue;
    plan.to_append.push_back(std::move(normalized[i].event));
    ledger.Accept(plan.to_append.back());
  }
  if (!plan.errors.empty()) plan.to_append.clear();
  return plan;
}

StreamPlanner::StreamPlanner(const LedgerView& ledger) : base_(ledger), overlay_(std::make_unique<Overlay>(ledger, nullptr)) {}

StreamPlanner::~StreamPlanner() = default;

Status StreamPlanner::Init() { return overlay_->Init(); }

Result<bool> StreamPlanner::Next(const InputEvent& in, Event* accepted, std::vector<BatchError>* errors) {
  NormalizedInput n;
  if (in.parse_error.empty()) {
    n.valid = NormalizeInputEvent(in.json, &n.event, &n.errors);
    if (n.valid) n.stored = base_.Find(n.event.id);
  }
  QLEDGER_ASSIGN_OR_RETURN(Step step, PlanOne(*overlay_, in, n, errors));
  if (step == Step::kDuplicate) ++duplicates_;
  if (step == Step::kRejected) ++rejected_;
  if (step != Step::kAccepted) return false;
  overlay_->Accept(n.event);
  ++accepted_;
  *accepted = std::move(n.event);
  return true;
}

Result<std::optional<KnownEvent>> StreamPlanner::Find(const std::string& id) const { return overlay_->Find(id); }

}  // namespace qledger::domain
