#include "qledger/app/queries.h"

#include "qledger/app/snapshot.h"

#include <algorithm>
#include <unordered_map>

#include "qledger/domain/policy.h"
#include "qledger/domain/spelling.h"

namespace qledger::app {

using storage::EventStore;

using domain::Quarter;

namespace {

// The adopted policies among the policy.adopted events, in seq order.
Result<std::vector<domain::AdoptedPolicy>> Adopted(const std::vector<domain::Event>& events) {
  std::vector<domain::AdoptedPolicy> out;
  for (const auto& e : events) {
    QLEDGER_ASSIGN_OR_RETURN(auto a, domain::AdoptedPolicyOf(e));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

Result<int64_t> ResolvePoint(const EventStore& store, const std::string& as_of, const std::optional<Quarter>& quarter) {
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
  // A date means the end of that day, a date-time without an offset is
  // local: both in the ledger's time zone (SPEC §1) — the quarter's, when
  // the question is about one.
  QLEDGER_ASSIGN_OR_RETURN(domain::TimeZone tz, quarter ? QuarterTimeZone(store, *quarter) : LedgerTimeZone(store));
  auto instant = domain::ParsePointIn(as_of, tz);
  if (!instant) return domain::InvalidArgument("as-of: \"" + as_of + "\" is neither a seq nor a date or date-time");
  QLEDGER_ASSIGN_OR_RETURN(int64_t seq, store.SeqAtInstant(*instant));
  if (seq == 0) return domain::InvalidArgument("as-of: no event was recorded at or before " + as_of);
  return seq;
}

Result<int64_t> ResolveQuarterPoint(const EventStore& store, const Quarter& q, const std::string& as_of) {
  if (as_of != "approved") return ResolvePoint(store, as_of, q);
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, ""));
  int64_t approved = 0;
  for (const auto& e : input.events) {
    if (e.type == domain::EventType::kQuarterApproved && e.period == q.ToString()) approved = e.seq;
  }
  if (approved == 0) return domain::NotFound("quarter " + q.ToString() + " has never been approved");
  return approved;
}

Result<Quarter> ResolveQuarter(const std::string& text) {
  std::string_view typed = text;
  while (!typed.empty() && typed.front() == ' ') typed.remove_prefix(1);
  while (!typed.empty() && typed.back() == ' ') typed.remove_suffix(1);
  auto spelled = domain::NormalizeQuarter(std::string(typed));
  auto q = spelled ? Quarter::Parse(*spelled) : std::nullopt;
  if (!q) {
    return domain::InvalidArgument("quarter: \"" + text +
                                   "\" is not a quarter (YYYYQn: 2026Q3, also 2026q3, 2026-Q3 or 2026年第3季度)");
  }
  return *q;
}

Result<std::vector<domain::Department>> KnownDepartments(const EventStore& store) {
  QLEDGER_ASSIGN_OR_RETURN(auto events, AdoptedPolicyEvents(store));
  std::vector<domain::Department> known;
  for (const auto& e : events) {
    QLEDGER_ASSIGN_OR_RETURN(auto adopted, domain::AdoptedPolicyOf(e));
    for (const auto& d : adopted.policy.departments) {
      if (std::none_of(known.begin(), known.end(), [&](const domain::Department& k) { return k.code == d.code; })) {
        known.push_back(d);
      }
    }
  }
  return known;
}

Result<std::string> ResolveDepartment(const EventStore& store, const std::string& text, domain::StatusCode unknown,
                                      const std::optional<Quarter>& quarter) {
  if (text.empty()) return std::string();
  QLEDGER_ASSIGN_OR_RETURN(auto events, AdoptedPolicyEvents(store));
  QLEDGER_ASSIGN_OR_RETURN(auto adopted, Adopted(events));
  std::vector<std::string> ambiguous;
  if (auto code = domain::DepartmentCodeOf(adopted, quarter, text, &ambiguous)) return *code;
  if (!ambiguous.empty()) {
    std::string list;
    for (const auto& c : ambiguous) list += (list.empty() ? "" : ", ") + c;
    return Status(unknown, "department: \"" + text + "\" has named more than one department (" + list +
                               ") in the policies adopted; give its code");
  }
  QLEDGER_ASSIGN_OR_RETURN(auto known, KnownDepartments(store));
  std::string list;
  for (const auto& d : known) list += (list.empty() ? "" : ", ") + d.code + " " + d.name;
  return Status(unknown, "department: \"" + text + "\" is not a department (code or name: " + list + ")");
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
  QLEDGER_ASSIGN_OR_RETURN(f.department,
                           ResolveDepartment(store, department, domain::StatusCode::kInvalidArgument, f.quarter));
  return f;
}

Result<std::vector<domain::Event>> AdoptedPolicyEvents(const EventStore& store) { return store.PolicyEvents(); }

Result<Quarter> StoredQuarter(const std::string& text) {
  auto q = Quarter::Parse(text);
  if (!q) return domain::DataLoss("the quarter index holds \"" + text + "\", which is not a quarter");
  return *q;
}

Result<domain::Decimal> StoredDecimal(const domain::Event& e, const char* key) {
  auto d = domain::Decimal::Parse(domain::DataString(e, key));
  if (!d.ok()) {
    return domain::DataLoss("event " + std::to_string(e.seq) + " (" + e.id + "): stored " + key + " \"" +
                            domain::DataString(e, key) + "\" is not a decimal");
  }
  return d;
}

Result<domain::TimeZone> LedgerTimeZone(const EventStore& store) {
  QLEDGER_ASSIGN_OR_RETURN(auto events, AdoptedPolicyEvents(store));
  if (events.empty()) return domain::TimeZone::Default();
  QLEDGER_ASSIGN_OR_RETURN(auto latest, domain::AdoptedPolicyOf(events.back()));
  return latest.policy.Zone();
}

Result<domain::TimeZone> QuarterTimeZone(const EventStore& store, const Quarter& q) {
  QLEDGER_ASSIGN_OR_RETURN(auto events, AdoptedPolicyEvents(store));
  QLEDGER_ASSIGN_OR_RETURN(auto adopted, Adopted(events));
  return domain::ZoneFor(adopted, q);
}

Result<domain::AdoptedPolicy> PolicyInForce(const EventStore& store, const Quarter& q, int64_t point) {
  QLEDGER_ASSIGN_OR_RETURN(auto events, AdoptedPolicyEvents(store));
  QLEDGER_ASSIGN_OR_RETURN(auto adopted, Adopted(events));
  const domain::AdoptedPolicy* a = domain::PolicyFor(adopted, q, point > 0 ? point : store.head().seq);
  if (!a) return domain::NotFound("quarter " + q.ToString() + ": no policy is in force");
  return *a;
}

Result<PolicyView> SelectPolicy(const EventStore& store, const PolicyQuery& query) {
  QLEDGER_ASSIGN_OR_RETURN(auto events, AdoptedPolicyEvents(store));
  if (events.empty()) return domain::NotFound("no policy has been adopted: the ledger is empty");
  QLEDGER_ASSIGN_OR_RETURN(auto adopted, Adopted(events));
  size_t chosen = events.size() - 1;
  if (!query.quarter.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(Quarter q, ResolveQuarter(query.quarter));
    const domain::AdoptedPolicy* in_force = domain::PolicyFor(adopted, q, store.head().seq);
    if (!in_force) return domain::NotFound("quarter " + q.ToString() + ": no policy is in force");
    chosen = static_cast<size_t>(in_force - adopted.data());
  }
  const domain::Event& e = events[chosen];
  PolicyView v;
  v.seq = e.seq;
  v.id = e.id;
  v.version = adopted[chosen].version;
  v.effective_from = domain::DataString(e, "effective_from");
  auto policy = e.data.find("policy");
  if (policy == e.data.end() || !policy->value().is_object()) {
    return domain::DataLoss("event " + std::to_string(e.seq) + " (" + e.id + "): stored policy is not an object");
  }
  v.policy = policy->value().get_object();
  v.departments = adopted[chosen].policy.departments;
  return v;
}

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

Status CheckAssessed(const EventStore& store, const Quarter& q, int64_t point) {
  // A few seeks in the quarter's index; the list of quarters (a scan) only
  // to say which are assessed when this one is not.
  QLEDGER_ASSIGN_OR_RETURN(int64_t first, store.FirstSeqOf(q));
  if (first == 0) {
    QLEDGER_ASSIGN_OR_RETURN(auto quarters, store.Quarters());
    std::string known;
    for (const auto& s : quarters) known += (known.empty() ? "" : ", ") + s;
    known = known.empty() ? "the ledger has no quarter yet" : "quarters with events: " + known;
    return domain::NotFound("quarter " + q.ToString() + " is not assessed: nothing was recorded for it (" + known + ")");
  }
  if (point < store.head().seq) {
    if (first > point) {
      return domain::NotFound("quarter " + q.ToString() + " is not assessed as of seq " + std::to_string(point) +
                              ": nothing was recorded for it by then (its first event is seq " +
                              std::to_string(first) + ")");
    }
  }
  return Status::Ok();
}

namespace {

// DeriveDepartment once the quarter is known to be assessed.
Result<domain::Derivation> DeriveAssessed(const EventStore& store, const Quarter& q, const std::string& department,
                                          const domain::ReplayOptions& options) {
  // A score without trace and with nothing left out starts from the newest
  // valid snapshot at or before its point of replay (app/snapshot.h).
  if (!options.trace && options.without.empty()) {
    int64_t limit = std::min(options.as_of_seq.value_or(store.head().seq), store.head().seq);
    QLEDGER_ASSIGN_OR_RETURN(auto start, NewestSnapshot(store, q, department, limit));
    if (start) {
      QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplayAfter(q, department, start->seq));
      QLEDGER_ASSIGN_OR_RETURN(domain::ReplayPoint at, domain::ResolveReplayPoint(input, options));
      // An approved quarter is replayed as of its approval, which may be
      // before the snapshot: then the one at or before the approval.
      if (start->seq > at.seq) {
        QLEDGER_ASSIGN_OR_RETURN(start, NewestSnapshot(store, q, department, at.seq));
        if (start) {
          QLEDGER_ASSIGN_OR_RETURN(input, store.LoadReplayAfter(q, department, start->seq));
        }
      }
      if (start) {
        ++Snapshots().hits;
        QLEDGER_ASSIGN_OR_RETURN(domain::Derivation d, domain::Derive(input, options, &*start));
        QLEDGER_RETURN_IF_ERROR(FillHash(store, &d.score));
        return d;
      }
    }
    ++Snapshots().misses;
  }
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, department));
  QLEDGER_ASSIGN_OR_RETURN(domain::Derivation d, domain::Derive(input, options));
  QLEDGER_RETURN_IF_ERROR(FillHash(store, &d.score));
  return d;
}

}  // namespace

Result<domain::Derivation> DeriveDepartment(const EventStore& store, const Quarter& q, const std::string& department,
                                            const domain::ReplayOptions& options) {
  QLEDGER_RETURN_IF_ERROR(CheckAssessed(store, q, options.as_of_seq.value_or(store.head().seq)));
  return DeriveAssessed(store, q, department, options);
}

Result<std::vector<domain::Score>> ScoreQuarter(const EventStore& store, const Quarter& q,
                                                const domain::ReplayOptions& options) {
  // The quarter-wide events and the policies decide the point of replay and
  // the policy in force, and so the departments.
  QLEDGER_RETURN_IF_ERROR(CheckAssessed(store, q, options.as_of_seq.value_or(store.head().seq)));
  QLEDGER_ASSIGN_OR_RETURN(auto input, store.LoadReplay(q, ""));
  QLEDGER_ASSIGN_OR_RETURN(domain::ReplayPoint at, domain::ResolveReplayPoint(input, options));
  std::vector<domain::Score> out;
  domain::ReplayOptions score_only = options;
  score_only.trace = false;
  for (const auto& dept : at.policy.policy.departments) {
    QLEDGER_ASSIGN_OR_RETURN(domain::Derivation d, DeriveAssessed(store, q, dept.code, score_only));
    out.push_back(std::move(d.score));
  }
  return out;
}

Result<std::vector<QuarterSummary>> ListQuarters(const EventStore& store) {
  QLEDGER_ASSIGN_OR_RETURN(auto names, store.Quarters());
  std::vector<Quarter> quarters;
  quarters.reserve(names.size());
  for (const auto& qs : names) {
    QLEDGER_ASSIGN_OR_RETURN(Quarter q, StoredQuarter(qs));
    quarters.push_back(q);
  }
  // Only the quarter-wide events decide a status: an open quarter, most of
  // a long history, has none, and costs one seek.
  QLEDGER_ASSIGN_OR_RETURN(auto events, store.QuarterWideEvents(quarters));
  std::unordered_map<std::string, std::vector<domain::Event>> by_quarter;
  for (auto& e : events) by_quarter[e.period].push_back(std::move(e));
  static const std::vector<domain::Event> kNone;
  std::vector<QuarterSummary> out;
  out.reserve(quarters.size());
  for (const Quarter& q : quarters) {
    QuarterSummary s;
    s.quarter = q.ToString();
    auto it = by_quarter.find(s.quarter);
    s.status = domain::StatusAt(it == by_quarter.end() ? kNone : it->second, q, store.head().seq, {}, &s.approved_seq);
    out.push_back(s);
  }
  return out;
}

Result<std::vector<domain::Score>> Scores(const EventStore& store, const ScoresQuery& query) {
  QLEDGER_ASSIGN_OR_RETURN(Quarter q, ResolveQuarter(query.quarter));
  QLEDGER_ASSIGN_OR_RETURN(auto options, ResolveReplayOptions(store, q, query.as_of, query.without));
  options.lang = query.lang;
  return ScoreQuarter(store, q, options);
}

Result<domain::Derivation> Replay(const EventStore& store, const ReplayQuery& query) {
  QLEDGER_ASSIGN_OR_RETURN(Quarter q, ResolveQuarter(query.quarter));
  QLEDGER_ASSIGN_OR_RETURN(std::string department,
                           ResolveDepartment(store, query.department, domain::StatusCode::kNotFound, q));
  QLEDGER_ASSIGN_OR_RETURN(auto options, ResolveReplayOptions(store, q, query.as_of, query.without));
  options.lang = query.lang;
  return DeriveDepartment(store, q, department, options);
}

Result<domain::ScoreDiff> Diff(const EventStore& store, const DiffQuery& query) {
  QLEDGER_ASSIGN_OR_RETURN(Quarter q, ResolveQuarter(query.quarter));
  auto from = ResolveQuarterPoint(store, q, query.from);
  if (!from.ok()) return Status(from.status().code(), "from: " + from.status().message());
  auto to = ResolveQuarterPoint(store, q, query.to);
  if (!to.ok()) return Status(to.status().code(), "to: " + to.status().message());
  if (*to < *from) {
    return domain::InvalidArgument("to (seq " + std::to_string(*to) + ") is before from (seq " +
                                   std::to_string(*from) + ")");
  }
  QLEDGER_RETURN_IF_ERROR(CheckWithout(store, query.without));
  QLEDGER_ASSIGN_OR_RETURN(std::string department,
                           ResolveDepartment(store, query.department, domain::StatusCode::kNotFound, q));
  domain::ReplayOptions options{*from, query.without};
  options.lang = query.lang;
  QLEDGER_ASSIGN_OR_RETURN(auto before, DeriveDepartment(store, q, department, options));
  options.as_of_seq = *to;
  QLEDGER_ASSIGN_OR_RETURN(auto after, DeriveDepartment(store, q, department, options));
  return domain::DiffDerivations(std::move(before), std::move(after));
}

Result<int64_t> ParseCount(const std::string& name, const std::string& text) {
  bool digits = !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return domain::InvalidArgument(name + ": \"" + text + "\" is not a non-negative integer");
  return std::stoll(text);
}

Result<EventPage> ListEvents(const EventStore& store, const EventQuery& query,
                             const std::function<void(const domain::Event&)>& emit) {
  int64_t after = 0, limit = query.default_limit;
  if (!query.after.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(after, ParseCount("after", query.after));
  }
  if (!query.limit.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(limit, ParseCount("limit", query.limit));
    if (limit < 1) return domain::InvalidArgument("limit: " + query.limit + " is less than 1");
    if (query.max_limit > 0 && limit > query.max_limit) {
      return domain::InvalidArgument("limit: " + query.limit + " is more than " + std::to_string(query.max_limit) +
                                     ", the most one page holds");
    }
  }
  QLEDGER_ASSIGN_OR_RETURN(auto filter, ResolveEventFilter(store, query.type, query.department, query.quarter));
  const int64_t head = store.head().seq;
  EventPage page;
  int64_t examined_to = after, last_taken = 0;
  QLEDGER_RETURN_IF_ERROR(store.Scan(after + 1, INT64_MAX, [&](const domain::Event& e) {
    examined_to = e.seq;
    if (filter.Matches(e)) {
      emit(e);
      ++page.taken;
      last_taken = e.seq;
    }
    bool more = limit <= 0 || page.taken < limit;
    return more && (query.scan_budget <= 0 || e.seq - after < query.scan_budget);
  }));
  int64_t next = limit > 0 && page.taken >= limit ? last_taken : examined_to;
  if (next < head) page.next_after = next;
  return page;
}

Result<domain::Event> EventAt(const EventStore& store, const std::string& text) {
  QLEDGER_ASSIGN_OR_RETURN(int64_t seq, ParseCount("seq", text));
  int64_t head = store.head().seq;
  if (seq < 1 || seq > head) {
    return domain::NotFound("event " + text + ": no such event (the ledger holds seq 1.." + std::to_string(head) + ")");
  }
  return store.Get(seq);
}

}  // namespace qledger::app
