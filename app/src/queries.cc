#include "qledger/app/queries.h"

#include <algorithm>

#include "qledger/domain/policy.h"

namespace qledger::app {

using storage::EventStore;

using domain::Quarter;

Result<int64_t> ResolvePoint(const EventStore& store, const std::string& as_of) {
  int64_t head = store.head().seq;
  if (as_of.empty()) return head;
  bool digits = std::all_of(as_of.begin(), as_of.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && as_of.size() <= 18) {
    int64_t seq = std::stoll(as_of);
    if (seq < 1) return domain::InvalidArgument("as-of: seq must be 1 or more, not " + as_of);
    if (seq > head) {
      return domain::InvalidArgument("as-of: seq " + as_of + " is beyond the ledger head (seq " + std::to_string(head) + ")");
    }
    return seq;
  }
  auto seq = store.SeqAtTime(as_of);
  if (!seq.ok()) return domain::InvalidArgument("as-of: " + seq.status().message());
  if (*seq == 0) return domain::InvalidArgument("as-of: no event was recorded at or before " + as_of);
  return seq;
}

Result<int64_t> ResolveQuarterPoint(const EventStore& store, const Quarter& q, const std::string& as_of) {
  if (as_of != "approved") return ResolvePoint(store, as_of);
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, ""));
  int64_t approved = 0;
  for (const auto& e : input.events) {
    if (e.type == domain::EventType::kQuarterApproved && e.period == q.ToString()) approved = e.seq;
  }
  if (approved == 0) return domain::NotFound("quarter " + q.ToString() + " has never been approved");
  return approved;
}

Result<Quarter> ResolveQuarter(const std::string& text) {
  auto q = Quarter::Parse(text);
  if (!q) return domain::InvalidArgument("quarter: \"" + text + "\" is not a quarter (YYYYQn, e.g. 2026Q3)");
  return *q;
}

Status CheckWithout(const EventStore& store, const std::vector<std::string>& without) {
  for (const auto& id : without) {
    QLEDGER_ASSIGN_OR_RETURN(auto e, store.FindById(id));
    if (!e.has_value()) return domain::NotFound("without: no event \"" + id + "\" in the ledger");
  }
  return Status::Ok();
}

Result<domain::ReplayOptions> ResolveReplayOptions(const EventStore& store, const Quarter& q, const std::string& as_of,
                                                   const std::vector<std::string>& without) {
  QLEDGER_ASSIGN_OR_RETURN(int64_t point, ResolveQuarterPoint(store, q, as_of));
  QLEDGER_RETURN_IF_ERROR(CheckWithout(store, without));
  return domain::ReplayOptions{point, without};
}

bool EventFilter::Matches(const domain::Event& e) const {
  return (!type || e.type == *type) && (department.empty() || e.department == department) &&
         (!quarter || e.quarter() == quarter);
}

Result<EventFilter> ResolveEventFilter(const EventStore& store, const std::string& type, const std::string& department,
                                       const std::string& quarter) {
  EventFilter f;
  if (!type.empty()) {
    f.type = domain::ParseEventType(type);
    if (!f.type) return domain::InvalidArgument("type: \"" + type + "\" is not a known event type");
  }
  if (!quarter.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(f.quarter, ResolveQuarter(quarter));
  }
  if (!department.empty()) {
    // A department of any adopted policy (departments can be retired).
    QLEDGER_ASSIGN_OR_RETURN(auto policies, AdoptedPolicyEvents(store));
    bool known = false;
    for (const auto& e : policies) {
      QLEDGER_ASSIGN_OR_RETURN(auto adopted, domain::AdoptedPolicyOf(e));
      if (adopted.policy.FindDepartment(department)) known = true;
    }
    if (!known) {
      return domain::InvalidArgument("department: \"" + department + "\" is not a department of any adopted policy");
    }
    f.department = department;
  }
  return f;
}

Result<std::vector<domain::Event>> AdoptedPolicyEvents(const EventStore& store) { return store.PolicyEvents(); }

namespace {

Status FillHash(const EventStore& store, domain::Score* s) {
  if (s->as_of_seq == store.head().seq) {
    s->as_of_hash = store.head().hash;
    return Status::Ok();
  }
  QLEDGER_ASSIGN_OR_RETURN(auto e, store.Get(s->as_of_seq));
  s->as_of_hash = e.hash;
  return Status::Ok();
}

}  // namespace

Result<domain::Derivation> DeriveDepartment(const EventStore& store, const Quarter& q, const std::string& department,
                                            const domain::ReplayOptions& options) {
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, department));
  auto d = domain::Derive(input, options);
  if (!d.ok()) return d.status();
  QLEDGER_RETURN_IF_ERROR(FillHash(store, &d->score));
  return d;
}

Result<std::vector<domain::Score>> ScoreQuarter(const EventStore& store, const Quarter& q,
                                                const domain::ReplayOptions& options) {
  // The quarter-wide events and the policies decide the point of replay and
  // the policy in force, and so the departments.
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, ""));
  auto at = domain::ResolveReplayPoint(input, options);
  if (!at.ok()) return at.status();
  std::vector<domain::Score> out;
  for (const auto& dept : at->policy.policy.departments) {
    auto d = DeriveDepartment(store, q, dept.code, options);
    if (!d.ok()) return d.status();
    out.push_back(std::move(d->score));
  }
  return out;
}

Result<std::vector<QuarterSummary>> ListQuarters(const EventStore& store) {
  QLEDGER_ASSIGN_OR_RETURN(auto quarters, store.Quarters());
  std::vector<QuarterSummary> out;
  for (const auto& qs : quarters) {
    auto q = Quarter::Parse(qs);
    if (!q) continue;
    auto input = store.LoadReplay(*q, "");
    if (!input.ok()) return input.status();
    QuarterSummary s;
    s.quarter = qs;
    s.status = domain::StatusAt(input->events, *q, input->head_seq, {}, &s.approved_seq);
    out.push_back(s);
  }
  return out;
}

}  // namespace qledger::app
