#include "qledger/domain/policy.h"

#include <algorithm>

#include <boost/json.hpp>

#include "object_reader.h"

namespace json = boost::json;

namespace qledger::domain {

using internal::ObjectReader;

const Department* Policy::FindDepartment(std::string_view code) const {
  for (const auto& d : departments) {
    if (d.code == code) return &d;
  }
  return nullptr;
}

namespace {

// A department code as typed in any case: codes are lowercase ASCII.
std::string AsCode(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return lower;
}

}  // namespace

const Department* FindDepartmentByCodeOrName(const std::vector<Department>& departments, std::string_view text) {
  const std::string lower = AsCode(text);
  for (const auto& d : departments) {
    if (d.code == lower || d.name == text) return &d;
  }
  return nullptr;
}

Decimal Policy::SpotDeduction(Decimal d) const {
  if (d <= Decimal()) return Decimal();
  for (const auto& tier : spotcheck_tiers) {
    if (!tier.max_difference || d <= *tier.max_difference) return tier.deduction;
  }
  return LargestSpotDeduction();
}

TimeZone Policy::Zone() const {
  auto tz = TimeZone::Load(time_zone);
  return tz.ok() ? *tz : TimeZone::Default();  // ParsePolicy admits only zones that load
}

Decimal Policy::LargestSpotDeduction() const {
  Decimal largest;
  for (const auto& tier : spotcheck_tiers) largest = std::max(largest, tier.deduction);
  return largest;
}

Result<Policy> ParsePolicy(const json::value& v, bool stored) {
  if (!v.is_object()) return InvalidArgument("policy: must be a JSON object");
  std::vector<std::string> errors;
  Policy p;
  ObjectReader r(v.get_object(), "policy", &errors, stored);

  if (const auto* deps = r.Raw("departments", true)) {
    if (!deps->is_array() || deps->get_array().empty()) {
      r.Fail("departments", "must be a non-empty array");
    } else {
      size_t i = 0;
      for (const auto& d : deps->get_array()) {
        std::string where = "policy.departments[" + std::to_string(i++) + "]";
        if (!d.is_object()) { errors.push_back(where + ": must be an object"); continue; }
        ObjectReader dr(d.get_object(), where, &errors, stored);
        auto code = dr.Text("code");
        auto name = dr.Text("name");
        dr.RejectUnknown();
        if (!code || !name) continue;
        bool ascii = true;
        for (char c : *code) ascii &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ascii) { dr.Fail("code", "\"" + *code + "\" must be lowercase ASCII letters, digits, - or _"); continue; }
        if (p.FindDepartment(*code)) { dr.Fail("code", "\"" + *code + "\" appears twice"); continue; }
        // A department is typed by its code or its name (SPEC §1): each must
        // name one department.
        auto same_name = std::find_if(p.departments.begin(), p.departments.end(),
                                      [&](const Department& o) { return o.name == *name; });
        if (same_name != p.departments.end() && !stored) {
          dr.Fail("name", "\"" + *name + "\" is also the name of " + same_name->code);
          continue;
        }
        p.departments.push_back({*code, *name});
      }
    }
  }

  if (const auto* w = r.Raw("weights", true)) {
    if (!w->is_object()) {
      r.Fail("weights", "must be an object");
    } else {
      ObjectReader wr(w->get_object(), "policy.weights", &errors, stored);
      // Basis points; bounded so that their sum cannot overflow.
      constexpr int64_t kMaxWeight = 1'000'000;
      auto sc = wr.IntAtMost("selfcheck", kMaxWeight), sv = wr.IntAtMost("survey", kMaxWeight),
           cp = wr.IntAtMost("complaint", kMaxWeight);
      wr.RejectUnknown();
      if (sc && sv && cp) {
        if (*sc < 0 || *sv < 0 || *cp < 0 || *sc + *sv + *cp <= 0) {
          r.Fail("weights", "must be non-negative basis points with a positive sum");
        } else if (*sc + *cp == 0 && !stored) {
          // The self-check and complaint components are always present; the
          // survey is absent in a quarter with no counted response, and its
          // weight is shared out over the others (SPEC §2), which needs one.
          r.Fail("weights", "selfcheck and complaint must not both be 0: a quarter with no counted survey response "
                            "would have no weight to share the survey's out to");
        }
        p.weight_selfcheck = *sc;
        p.weight_survey = *sv;
        p.weight_complaint = *cp;
      }
    }
  }

  if (const auto* tiers = r.Raw("spotcheck_tiers", true)) {
    if (!tiers->is_array() || tiers->get_array().empty()) {
      r.Fail("spotcheck_tiers", "must be a non-empty array");
    } else {
      size_t i = 0;
      std::optional<Decimal> previous;
      for (const auto& t : tiers->get_array()) {
        std::string where = "policy.spotcheck_tiers[" + std::to_string(i++) + "]";
        if (!t.is_object()) { errors.push_back(where + ": must be an object"); continue; }
        ObjectReader tr(t.get_object(), where, &errors, stored);
        SpotTier tier;
        const auto* max = tr.Raw("max_difference", false);
        bool has_max_key = t.get_object().contains("max_difference");
        if (!has_max_key) tr.Fail("max_difference", "is required (null for the last, unbounded tier)");
        if (max && !max->is_null()) {
          auto d = Decimal::FromJson(*max);
          if (!d.ok()) tr.Fail("max_difference", d.status().message());
          else tier.max_difference = *d;
        }
        auto ded = tr.DecIn("deduction", Decimal(), Decimal::FromInt(100));
        tr.RejectUnknown();
        if (ded) tier.deduction = *ded;
        if (tier.max_difference && previous && *tier.max_difference <= *previous) {
          tr.Fail("max_difference", "tiers must be in ascending order");
        }
        if (!p.spotcheck_tiers.empty() && !p.spotcheck_tiers.back().max_difference) {
          tr.Fail("max_difference", "only the last tier may be unbounded");
        }
        previous = tier.max_difference;
        p.spotcheck_tiers.push_back(tier);
      }
    }
  }

  const Decimal k0, k100 = Decimal::FromInt(100);
  if (auto d = r.DecIn("survey_full_marks_from", k0, k100)) p.survey_full_marks_from = *d;
  if (auto d = r.DecIn("complaint_deduction", k0, k100)) p.complaint_deduction = *d;

  if (const auto* cb = r.Raw("callback_points", true)) {
    if (!cb->is_object()) {
      r.Fail("callback_points", "must be an object");
    } else {
      ObjectReader cr(cb->get_object(), "policy.callback_points", &errors, stored);
      auto lo = cr.DecIn("min", k0, k100), hi = cr.DecIn("max", k0, k100);
      cr.RejectUnknown();
      if (lo && hi) {
        if (*hi < *lo) cr.Fail("max", "is below min");
        p.callback_min = *lo;
        p.callback_max = *hi;
      }
    }
  }

  if (const auto* g = r.Raw("grades", true)) {
    if (!g->is_object()) {
      r.Fail("grades", "must be an object");
    } else {
      ObjectReader gr(g->get_object(), "policy.grades", &errors, stored);
      if (auto d = gr.DecIn("qualified", k0, k100)) p.qualified = *d;
      if (auto d = gr.DecIn("reward_per_point", k0, Decimal::FromInt(1'000'000))) p.reward_per_point = *d;
      if (auto d = gr.DecIn("penalty_per_point", k0, Decimal::FromInt(1'000'000))) p.penalty_per_point = *d;
      if (auto d = gr.DecIn("penalty_floor", k0, k100)) p.penalty_floor = *d;
      gr.RejectUnknown();
    }
  }
  if (auto d = r.DecIn("annual_quota", k0, Decimal::FromInt(1'000'000'000))) p.annual_quota = *d;
  if (auto zone = r.Text("time_zone", false)) {
    if (auto tz = TimeZone::Load(*zone); tz.ok()) p.time_zone = *zone;
    else r.Fail("time_zone", "\"" + *zone + "\" is not a zone of the tz database (e.g. Asia/Shanghai)");
  }
  r.RejectUnknown();

  if (!errors.empty()) {
    std::string msg = errors.front();
    for (size_t i = 1; i < errors.size(); ++i) msg += "; " + errors[i];
    return InvalidArgument(msg);
  }
  return p;
}

Result<AdoptedPolicy> AdoptedPolicyOf(const Event& e) {
  auto p = ParsePolicy(e.data.at("policy"), /*stored=*/true);
  if (!p.ok()) return DataLoss("event " + std::to_string(e.seq) + ": stored policy is invalid: " + p.status().message());
  auto effective = Quarter::Parse(DataString(e, "effective_from"));
  if (!effective) return DataLoss("event " + std::to_string(e.seq) + ": stored effective_from is not a quarter");
  return AdoptedPolicy{e.seq, e.data.at("version").as_int64(), *effective, std::move(*p)};
}

Result<std::vector<AdoptedPolicy>> AdoptedPolicies(const std::vector<Event>& events, int64_t point,
                                                   const std::vector<std::string>& without) {
  std::vector<AdoptedPolicy> out;
  for (const auto& e : events) {
    if (e.type != EventType::kPolicyAdopted || e.seq > point) continue;
    if (std::find(without.begin(), without.end(), e.id) != without.end()) continue;
    QLEDGER_ASSIGN_OR_RETURN(auto a, AdoptedPolicyOf(e));
    out.push_back(std::move(a));
  }
  return out;
}

const AdoptedPolicy* PolicyFor(const std::vector<AdoptedPolicy>& adopted, const Quarter& q, int64_t as_of_seq) {
  const AdoptedPolicy* best = nullptr;
  for (const auto& a : adopted) {
    if (a.seq > as_of_seq) break;
    if (!(q < a.effective_from)) best = &a;
  }
  return best;
}

TimeZone ZoneFor(const std::vector<AdoptedPolicy>& adopted, const std::optional<Quarter>& quarter) {
  const AdoptedPolicy* in_force = quarter ? PolicyFor(adopted, *quarter, INT64_MAX) : nullptr;
  if (in_force) return in_force->policy.Zone();
  return adopted.empty() ? TimeZone::Default() : adopted.back().policy.Zone();
}

std::optional<std::string> DepartmentCodeOf(const std::vector<AdoptedPolicy>& adopted,
                                            const std::optional<Quarter>& quarter, std::string_view text,
                                            std::vector<std::string>* ambiguous) {
  const std::string lower = AsCode(text);
  for (const auto& a : adopted) {
    if (a.policy.FindDepartment(lower)) return lower;
  }
  const AdoptedPolicy* in_force = quarter ? PolicyFor(adopted, *quarter, INT64_MAX) : nullptr;
  if (in_force) {
    if (const Department* d = FindDepartmentByCodeOrName(in_force->policy.departments, text)) return d->code;
  }
  std::vector<std::string> codes;  // every department ever given the name
  for (const auto& a : adopted) {
    for (const auto& d : a.policy.departments) {
      if (d.name == text && std::find(codes.begin(), codes.end(), d.code) == codes.end()) codes.push_back(d.code);
    }
  }
  if (codes.size() == 1) return codes.front();
  if (codes.size() > 1 && in_force) {
    std::vector<std::string> of_quarter;
    for (const auto& c : codes) {
      if (in_force->policy.FindDepartment(c)) of_quarter.push_back(c);
    }
    if (of_quarter.size() == 1) return of_quarter.front();
  }
  if (ambiguous && codes.size() > 1) *ambiguous = std::move(codes);
  return std::nullopt;
}

}  // namespace qledger::domain
