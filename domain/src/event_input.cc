#include "qledger/domain/event_input.h"

#include <boost/json.hpp>

#include "qledger/domain/exact_json.h"
#include "qledger/domain/policy.h"
#include "qledger/domain/spelling.h"
#include "object_reader.h"

namespace json = boost::json;

namespace qledger::domain {

using internal::ObjectReader;

namespace {

const Decimal k0;
const Decimal k100 = Decimal::FromInt(100);
const Decimal kMaxPoints = Decimal::FromInt(100);
constexpr int64_t kMaxPolicyVersion = 1'000'000;
constexpr size_t kMaxIdBytes = 200;

// A quarter as people type it (SPEC §1: 2026Q3, 2026q3, 2026-Q3, 2026年第3季度;
// spelling.h), as YYYYQn; nullopt if it is none.
std::optional<std::string> CanonicalQuarter(const std::string& s) {
  std::optional<std::string> q = NormalizeQuarter(s);
  if (!q || !Quarter::Parse(*q)) return std::nullopt;
  return q;
}

// What a code point of an id is that does not print, or nullptr: the
// format characters (Unicode category Cf: the soft hyphen, zero-width spaces
// and joiners, bidirectional controls, the BOM, tags) and the line and
// paragraph separators, which make two ids look alike; noncharacters;
// private-use characters.
const char* Unprintable(char32_t c) {
  if (c == 0xad || (c >= 0x600 && c <= 0x605) || c == 0x61c || c == 0x6dd || c == 0x70f || c == 0x890 || c == 0x891 ||
      c == 0x8e2 || c == 0x180e || (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
      (c >= 0x2060 && c <= 0x2064) || (c >= 0x2066 && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
      c == 0x110bd || c == 0x110cd || (c >= 0x13430 && c <= 0x1343f) || (c >= 0x1bca0 && c <= 0x1bca3) ||
      (c >= 0x1d173 && c <= 0x1d17a) || c == 0xe0001 || (c >= 0xe0020 && c <= 0xe007f)) {
    return "an invisible or separator character";
  }
  if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe) return "a noncharacter";
  if ((c >= 0xe000 && c <= 0xf8ff) || c >= 0xf0000) return "a private-use character";
  return nullptr;
}

// Why id is not an id (SPEC §4: printable characters, not only white
// space), or "".
std::string IdProblem(std::string_view id) {
  if (id.size() > kMaxIdBytes) return "must be at most " + std::to_string(kMaxIdBytes) + " bytes";
  if (auto c = ControlCharacterIn(id)) return "holds a control character (" + *c + ")";
  for (size_t i = 0; i < id.size();) {
    auto d = DecodeUtf8At(id, i);
    if (!d) return "is not UTF-8";
    i += d->second;
    if (const char* what = Unprintable(d->first)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(d->first));
      return std::string("holds ") + what + " (" + buf + ")";
    }
  }
  if (OnlyWhiteSpace(id)) return "must not be only white space";
  return "";
}

// Writes the normalised form of each field into `out` as it is read.
class DataNormalizer {
 public:
  DataNormalizer(const json::object& in, std::vector<std::string>* errors)
      : r_(in, "data", errors), errors_(errors) {}

  void Score(const char* key, bool required = true) {
    if (auto d = r_.DecIn(key, k0, k100, required)) out_[key] = d->ToString();
  }
  void Points(const char* key, Decimal lo, Decimal hi) {
    if (auto d = r_.DecIn(key, lo, hi)) out_[key] = d->ToString();
  }
  void NonZeroPoints(const char* key) {
    if (auto d = r_.DecIn(key, -kMaxPoints, kMaxPoints)) {
      if (*d == Decimal()) r_.Fail(key, "must not be zero");
      else out_[key] = d->ToString();
    }
  }
  void Text(const char* key, bool required = true) {
    if (auto s = r_.Text(key, required)) out_[key] = *s;
  }
  void Bool(const char* key, bool required = true) {
    if (auto b = r_.Bool(key, required)) out_[key] = *b;
  }
  void Int(const char* key) {
    if (auto i = r_.Int(key)) out_[key] = *i;
  }
  void OneOf(const char* key, std::initializer_list<const char*> values) {
    auto s = r_.Text(key);
    if (!s) return;
    for (const char* v : values) {
      if (*s == v) { out_[key] = *s; return; }
    }
    std::string list;
    for (const char* v : values) list += (list.empty() ? "" : ", ") + std::string(v);
    r_.Fail(key, "\"" + *s + "\" is not one of " + list);
  }
  void QuarterField(const char* key) {
    if (auto s = r_.Text(key)) {
      if (auto q = CanonicalQuarter(*s)) out_[key] = *q;
      else r_.Fail(key, "\"" + *s + "\" is not a quarter (YYYYQn)");
    }
  }
  void Date(const char* key) {
    if (auto s = r_.Text(key)) {
      if (IsDate(*s)) out_[key] = *s;
      else r_.Fail(key, "\"" + *s + "\" is not a date (YYYY-MM-DD)");
    }
  }
  void DateTime(const char* key, bool required = true) {
    if (auto s = r_.Text(key, required)) {
      if (IsDateTime(*s)) out_[key] = *s;
      else r_.Fail(key, "\"" + *s + "\" is not a date-time (YYYY-MM-DDTHH:MM[:SS][Z|+08:00])");
    }
  }
  // Optional [{name, score}] breakdown of a score.
  void Items() {
    const auto* v = r_.Raw("items", false);
    if (!v) return;
    if (!v->is_array()) { r_.Fail("items", "must be an array of {name, score}"); return; }
    json::array items;
    size_t i = 0;
    for (const auto& item : v->get_array()) {
      std::string where = "data.items[" + std::to_string(i++) + "]";
      if (!item.is_object()) { errors_->push_back(where + ": must be an object {name, score}"); continue; }
      ObjectReader ir(item.get_object(), where, errors_);
      auto name = ir.Text("name");
      auto score = ir.DecIn("score", k0, k100);
      ir.RejectUnknown();
      if (name && score) items.push_back(json::object{{"name", *name}, {"score", score->ToString()}});
    }
    out_["items"] = std::move(items);
  }
  void PolicyObject(const char* key) {
    const auto* v = r_.Raw(key, true);
    if (!v) return;
    auto p = ParsePolicy(*v);
    if (!p.ok()) { errors_->push_back("data." + p.status().message()); return; }
    json::value normalised = *v;
    NormalisePolicyDecimals(&normalised);
    out_[key] = std::move(normalised);
  }
  // In a policy that ParsePolicy accepted, every number or string outside
  // "departments" (names) and "weights" (integer basis points) is a decimal:
  // store it as a two-decimal string (SPEC §4), as for any other decimal.
  // A raw JSON double would otherwise be hashed as null (canonical_json.h).
  static void NormalisePolicyDecimals(json::value* v) {
    if (v->is_object()) {
      for (auto& kv : v->get_object()) {
        if (kv.key() != "departments" && kv.key() != "weights") NormalisePolicyDecimals(&kv.value());
      }
    } else if (v->is_array()) {
      for (auto& e : v->get_array()) NormalisePolicyDecimals(&e);
    } else if (v->is_number() || v->is_string()) {
      if (auto d = Decimal::FromJson(*v); d.ok()) *v = d->ToString();
    }
  }
  ObjectReader& reader() { return r_; }
  json::object Finish() {
    r_.RejectUnknown();
    return std::move(out_);
  }

 private:
  ObjectReader r_;
  std::vector<std::string>* errors_;
  json::object out_;
};

void NormalizeData(EventType type, const json::object& in, json::object* out, std::vector<std::string>* errors) {
  DataNormalizer n(in, errors);
  switch (type) {
    case EventType::kPolicyAdopted:
      // A committee revises its rules a few times a decade.
      if (auto v = n.reader().IntAtMost("version", kMaxPolicyVersion)) {
        if (*v < 1) n.reader().Fail("version", "must be a positive integer");
        else (*out)["version"] = *v;
      }
      n.QuarterField("effective_from");
      n.PolicyObject("policy");
      break;
    case EventType::kSelfcheckReported:
      n.Score("score");
      n.Items();
      break;
    case EventType::kSpotcheckRecorded:
      n.Score("score");
      n.Text("inspector");
      n.Text("note", false);
      break;
    case EventType::kSurveyResponded:
      n.Text("respondent");
      n.Score("score");
      n.Items();
      break;
    case EventType::kSurveyDisputed:
      n.Text("response");
      n.Text("reason");
      break;
    case EventType::kSurveyRuled: {
      n.Text("response");
      n.OneOf("outcome", {"upheld", "voided", "rescored"});
      n.Text("ruling");
      auto outcome = in.find("outcome");
      bool rescored = outcome != in.end() && outcome->value() == "rescored";
      if (rescored) {
        n.Score("score");
      } else {
        n.reader().Raw("score", false);  // marks it known: one error, not two
        if (in.contains("score")) n.reader().Fail("score", "is only given when the outcome is rescored");
      }
      break;
    }
    case EventType::kComplaintRecorded:
      n.DateTime("received_at");
      n.Text("channel");
      n.Text("summary");
      n.Text("customer", false);
      n.Text("category", false);
      break;
    case EventType::kComplaintRuled:
      n.Text("complaint");
      n.Bool("valid");
      n.Text("reason");
      n.Text("ruling");
      break;
    case EventType::kComplaintHandled:
      n.Text("complaint");
      n.OneOf("stage", {"acknowledged", "resolved"});
      n.DateTime("at");
      n.Text("resolution", false);
      n.Bool("satisfied", false);
      break;
    case EventType::kDeductionDirect:
      n.Points("points", Decimal::FromHundredths(1), kMaxPoints);
      n.Text("reason");
      break;
    case EventType::kCallbackFinding:
      // The policy's bounds (0.5–1 by default) are checked against the
      // policy in force, in the batch rules; here only the form.
      n.Points("points", Decimal::FromHundredths(1), kMaxPoints);
      n.Text("reason");
      n.Text("work_order", false);
      n.Text("callee", false);
      n.Text("caller", false);
      break;
    case EventType::kScoreAdjusted:
      n.OneOf("component", {"selfcheck", "survey", "complaint", "total"});
      n.NonZeroPoints("points");
      n.Text("reason");
      n.Text("ruling");
      break;
    case EventType::kEntryVoided:
      n.Text("target");
      n.Text("reason");
      break;
    case EventType::kQuarterApproved:
      n.Text("approved_by");
      n.Date("meeting_date");
      break;
    case EventType::kQuarterReopened:
      n.Text("reason");
      n.Text("by");
      break;
    case EventType::kBudgetExpense:
      n.Points("amount", Decimal::FromHundredths(1), Decimal::FromInt(1'000'000'000));
      n.Text("purpose");
      break;
  }
  json::object normalised = n.Finish();
  if (out->empty()) {
    *out = std::move(normalised);  // the usual case: no member-by-member copy
    return;
  }
  for (auto& kv : normalised) (*out)[kv.key()] = std::move(kv.value());
}

}  // namespace

std::vector<InputEvent> ParseInputText(std::string_view text) {
  std::vector<InputEvent> out;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '[') {
    json::error_code ec;
    std::string problem;
    json::value v = ParseExactJson(text, ec, &problem);
    if (ec) {
      out.push_back({"input", nullptr, "malformed JSON array: " + problem, ""});
      return out;
    }
    size_t i = 0;
    for (auto& e : v.get_array()) out.push_back({"element " + std::to_string(++i), std::move(e), "", ""});
    return out;
  }
  size_t line_no = 0, pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    ++line_no;
    pos = end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      if (end == text.size()) break;
      continue;
    }
    json::error_code ec;
    std::string problem;
    json::value v = ParseExactJson(line, ec, &problem);
    InputEvent ev{"line " + std::to_string(line_no), nullptr, "", ""};
    if (ec) ev.parse_error = "malformed JSON: " + problem;
    else ev.json = std::move(v);
    out.push_back(std::move(ev));
    if (end == text.size()) break;
  }
  return out;
}

bool NormalizeInputEvent(const json::value& in, Event* out, std::vector<std::string>* errors) {
  size_t before = errors->size();
  if (!in.is_object()) {
    errors->push_back("event must be a JSON object");
    return false;
  }
  const json::object& o = in.get_object();
  ObjectReader r(o, "", errors);
  auto id = r.Text("id");
  auto type_name = r.Text("type");
  if (id) {
    out->id = *id;
    if (std::string why = IdProblem(*id); !why.empty()) r.Fail("id", why);
  }
  std::optional<EventType> type;
  if (type_name) {
    type = ParseEventType(*type_name);
    if (!type) r.Fail("type", "\"" + *type_name + "\" is not a known event type");
  }
  if (auto d = r.Text("occurred_at")) {
    if (IsDate(*d)) out->occurred_at = *d;
    else r.Fail("occurred_at", "\"" + *d + "\" is not a date (YYYY-MM-DD)");
  }
  if (auto a = r.Text("actor")) out->actor = *a;
  // The ledger sets these; an input may carry them (a re-import of an
  // export) but they are not the writer's to choose.
  r.Raw("seq", false);
  r.Raw("recorded_at", false);
  r.Raw("hash", false);
  // Where an imported event came from (SPEC §4): optional.
  if (const auto* source = r.Raw("source", false)) {
    if (!source->is_object()) {
      r.Fail("source", "must be an object {file, sha256, sheet, row}");
    } else {
      ObjectReader sr(source->get_object(), "source", errors);
      json::object s;
      if (auto file = sr.Text("file")) s["file"] = *file;
      if (auto sha = sr.Text("sha256")) {
        bool hex = sha->size() == 64 && std::all_of(sha->begin(), sha->end(), [](char c) {
          return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
        });
        if (hex) s["sha256"] = *sha;
        else sr.Fail("sha256", "must be 64 lowercase hex digits (the file's SHA-256)");
      }
      if (auto sheet = sr.Text("sheet", false)) s["sheet"] = *sheet;
      if (auto row = sr.IntAtMost("row", 100'000'000)) {
        if (*row >= 1) s["row"] = *row;
        else sr.Fail("row", "must be 1 or more");
      }
      sr.RejectUnknown();
      out->source = std::move(s);
    }
  }

  if (type) {
    out->type = *type;
    if (HasDepartment(*type)) {
      if (auto d = r.Text("department")) out->department = *d;
    } else if (o.contains("department")) {
      r.Fail("department", "is not a field of " + std::string(EventTypeName(*type)));
      r.Raw("department", false);
    }
    PeriodKind pk = PeriodKindOf(*type);
    if (pk != PeriodKind::kNone) {
      if (auto p = r.Text("period")) {
        // A quarter in any of the spellings people type, stored as YYYYQn.
        std::optional<std::string> quarter = pk == PeriodKind::kQuarter ? CanonicalQuarter(*p) : std::nullopt;
        bool ok = (pk == PeriodKind::kMonth && IsMonth(*p)) || quarter.has_value() ||
                  (pk == PeriodKind::kYear && IsYear(*p));
        const char* form = pk == PeriodKind::kMonth ? "a month (YYYY-MM)"
                           : pk == PeriodKind::kQuarter ? "a quarter (YYYYQn)" : "a year (YYYY)";
        if (ok) out->period = quarter.value_or(*p);
        else r.Fail("period", "\"" + *p + "\" is not " + form);
      }
    } else if (o.contains("period")) {
      r.Fail("period", "is not a field of " + std::string(EventTypeName(*type)));
      r.Raw("period", false);
    }
    if (const auto* data = r.Raw("data", true)) {
      if (!data->is_object()) r.Fail("data", "must be an object");
      else NormalizeData(*type, data->get_object(), &out->data, errors);
    }
  } else {
    r.Raw("department", false);
    r.Raw("period", false);
    r.Raw("data", false);
  }
  r.RejectUnknown();
  return errors->size() == before;
}

}  // namespace qledger::domain
