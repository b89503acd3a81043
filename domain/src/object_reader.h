// Internal: reads the fields of a JSON object strictly, collecting one error
// message per bad field ("data.score: 101.00 is above 100"), and finally
// rejects every field that was not asked for.
#ifndef QLEDGER_DOMAIN_OBJECT_READER_H_
#define QLEDGER_DOMAIN_OBJECT_READER_H_

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "qledger/domain/decimal.h"
#include "qledger/domain/exact_json.h"

namespace qledger::domain::internal {

class ObjectReader {
 public:
  // `prefix` names the object in messages ("data", "policy.grades").
  // `stored`: the object is in the ledger already, read under the rules it
  // was accepted by — a rule added since (text of only white space) is not
  // applied to it, so that a ledger of an earlier release still reads.
  ObjectReader(const boost::json::object& obj, std::string prefix, std::vector<std::string>* errors,
               bool stored = false)
      : obj_(obj), prefix_(std::move(prefix)), errors_(errors), stored_(stored) {
    seen_.reserve(obj.size() + 4);
  }

  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;

  std::string Name(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  void Fail(std::string_view key, const std::string& why) { errors_->push_back(Name(key) + ": " + why); }

  // The raw value, or nullptr (with an error when required and missing).
  const boost::json::value* Raw(const char* key, bool required) {
    MarkSeen(key);
    auto it = obj_.find(key);
    if (it == obj_.end() || (it->value().is_null() && required)) {
      if (required) Fail(key, "is required");
      return nullptr;
    }
    return &it->value();
  }

  std::optional<std::string> Text(const char* key, bool required = true) {
    const auto* v = Raw(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string() || IsMarkedNumber(*v)) { Fail(key, "must be a string"); return std::nullopt; }
    std::string s(v->get_string());
    if (s.empty()) { Fail(key, "must not be empty"); return std::nullopt; }
    if (!stored_ && OnlyWhiteSpace(s)) { Fail(key, "must not be only white space"); return std::nullopt; }
    // The parser refuses these in JSON input; events built from a
    // spreadsheet's cells come here without it.
    if (auto c = ControlCharacterIn(s)) {
      Fail(key, "holds a control character (" + *c + ")");
      return std::nullopt;
    }
    return s;
  }

  std::optional<Decimal> Dec(const char* key, bool required = true) {
    const auto* v = Raw(key, required);
    if (!v) return std::nullopt;
    auto d = Decimal::FromJson(*v);
    if (!d.ok()) { Fail(key, d.status().message()); return std::nullopt; }
    return *d;
  }

  // A decimal within [lo, hi], both inclusive.
  std::optional<Decimal> DecIn(const char* key, Decimal lo, Decimal hi, bool required = true) {
    auto d = Dec(key, required);
    if (!d) return d;
    if (*d < lo) { Fail(key, d->ToString() + " is below " + lo.ToString()); return std::nullopt; }
    if (hi < *d) { Fail(key, d->ToString() + " is above " + hi.ToString()); return std::nullopt; }
    return d;
  }

  std::optional<int64_t> Int(const char* key, bool required = true) {
    const auto* v = Raw(key, required);
    if (!v) return std::nullopt;
    if (!v->is_int64()) { Fail(key, "must be an integer"); return std::nullopt; }
    return v->get_int64();
  }

  // An integer of at most max (and then any lower bound is the caller's).
  std::optional<int64_t> IntAtMost(const char* key, int64_t max, bool required = true) {
    auto i = Int(key, required);
    if (i && *i > max) {
      Fail(key, std::to_string(*i) + " is above " + std::to_string(max));
      return std::nullopt;
    }
    return i;
  }


  std::optional<bool> Bool(const char* key, bool required = true) {
    const auto* v = Raw(key, required);
    if (!v) return std::nullopt;
    if (!v->is_bool()) { Fail(key, "must be true or false"); return std::nullopt; }
    return v->get_bool();
  }

  // Reports every field present that no accessor asked for.
  void RejectUnknown() {
    for (const auto& kv : obj_) {
      if (!Seen(kv.key())) Fail(kv.key(), "is not a known field");
    }
  }

 private:
  const boost::json::object& obj_;
  const std::string prefix_;
  std::vector<std::string>* errors_;
  const bool stored_;
  // The keys asked for. A handful per object, and this runs for every
  // field of every input event: a flat list (short keys need no allocation)
  // instead of a std::set node per key.
  std::vector<std::string> seen_;

  bool Seen(std::string_view key) const { return std::find(seen_.begin(), seen_.end(), key) != seen_.end(); }
  void MarkSeen(std::string_view key) {
    if (!Seen(key)) seen_.emplace_back(key);
  }
};

}  // namespace qledger::domain::internal

#endif  // QLEDGER_DOMAIN_OBJECT_READER_H_
