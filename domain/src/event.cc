#include "qledger/domain/event.h"

#include <array>
#include <cstring>
#include <memory>

#include <boost/json.hpp>
#include <openssl/evp.h>

#include "qledger/domain/canonical_json.h"

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

std::string GetString(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

}  // namespace

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
  if (with_hash) o["hash"] = e.hash;
  return o;
}

namespace {

// Canonical JSON of the envelope without building a json::object (which
// would deep-copy data): the members in byte order of their keys — actor,
// data, department, id, occurred_at, period, recorded_at, seq, type — the
// same bytes as CanonicalJson of the object ToExportJson / ContentKey used to
// build. with_ledger_fields adds recorded_at and seq (the hash input).
std::string EnvelopeJson(const Event& e, bool with_ledger_fields) {
  std::string out;
  out.reserve(256);
  // The keys are plain ASCII: nothing in them needs escaping.
  auto member = [&out](std::string_view key) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    out.append(key);
    out.append("\":");
  };
  out.push_back('{');
  member("actor");
  AppendCanonicalString(e.actor, &out);
  member("data");
  AppendCanonicalObject(e.data, &out);
  if (HasDepartment(e.type)) {
    member("department");
    AppendCanonicalString(e.department, &out);
  }
  member("id");
  AppendCanonicalString(e.id, &out);
  member("occurred_at");
  AppendCanonicalString(e.occurred_at, &out);
  if (PeriodKindOf(e.type) != PeriodKind::kNone) {
    member("period");
    AppendCanonicalString(e.period, &out);
  }
  if (with_ledger_fields) {
    member("recorded_at");
    AppendCanonicalString(e.recorded_at, &out);
    member("seq");
    out.append(std::to_string(e.seq));
  }
  member("type");
  AppendCanonicalString(EventTypeName(e.type), &out);
  out.push_back('}');
  return out;
}

}  // namespace

std::string HashInput(const Event& e) { return EnvelopeJson(e, true); }

std::string ContentKey(const Event& e) { return EnvelopeJson(e, false); }

std::string ChainHash(std::string_view prev_hash_hex, std::string_view hash_input) {
  unsigned char prev[32] = {0};
  if (prev_hash_hex.size() == 64) {
    auto nibble = [](char c) -> int { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (int i = 0; i < 32; ++i) prev[i] = static_cast<unsigned char>(nibble(prev_hash_hex[2 * i]) << 4 | nibble(prev_hash_hex[2 * i + 1]));
  }
  // One context per thread, reused: EVP_MD_CTX_new per event shows in profiles.
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char digest[32];
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), prev, sizeof prev);
  EVP_DigestUpdate(ctx.get(), hash_input.data(), hash_input.size());
  EVP_DigestFinal_ex(ctx.get(), digest, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

namespace {

// Everything of an exported event but data; checks in the order the messages
// promise (seq, then type).
Status EnvelopeFromExportJson(const json::object& o, Event* e) {
  auto seq = o.find("seq");
  if (seq == o.end() || !seq->value().is_int64() || seq->value().get_int64() < 1) {
    return InvalidArgument("exported event: seq missing or not a positive integer");
  }
  e->seq = seq->value().get_int64();
  e->id = GetString(o, "id");
  auto type = ParseEventType(GetString(o, "type"));
  if (!type) return InvalidArgument("exported event " + std::to_string(e->seq) + ": unknown type");
  e->type = *type;
  e->department = GetString(o, "department");
  e->period = GetString(o, "period");
  e->occurred_at = GetString(o, "occurred_at");
  e->actor = GetString(o, "actor");
  e->recorded_at = GetString(o, "recorded_at");
  e->hash = GetString(o, "hash");
  return Status::Ok();
}

Status DataMissing(const Event& e) {
  return InvalidArgument("exported event " + std::to_string(e.seq) + ": data missing");
}

}  // namespace

Result<Event> EventFromExportJson(const json::object& o) {
  Event e;
  QLEDGER_RETURN_IF_ERROR(EnvelopeFromExportJson(o, &e));
  auto data = o.find("data");
  if (data == o.end() || !data->value().is_object()) return DataMissing(e);
  e.data = data->value().get_object();
  return e;
}

Result<Event> ParseExportedEvent(std::string_view text) {
  // This runs for every event read from the ledger. The parsed document is
  // scratch: it lives in a monotonic arena (a stack buffer, then the heap),
  // freed at once on return, and only data is copied out into the Event's
  // own (default) storage.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, &arena);
  if (ec || !v.is_object()) return InvalidArgument("stored event is not a JSON object");
  const json::object& o = v.get_object();
  Event e;
  QLEDGER_RETURN_IF_ERROR(EnvelopeFromExportJson(o, &e));
  auto data = o.find("data");
  if (data == o.end() || !data->value().is_object()) return DataMissing(e);
  e.data = json::object(data->value().get_object(), json::storage_ptr());
  return e;
}

}  // namespace qledger::domain
