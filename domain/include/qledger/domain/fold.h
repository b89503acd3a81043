// The fold of SPEC §2: the live facts of one department in one quarter,
// applied event by event (and taken back by entry.voided), and the rules that
// compute its Score from them under a policy: self-check and spot checks
// (第八条.1, 第十条), survey (第八条.2, 第十一条), complaints (第八条.3, 第十二条),
// the weighted total (第九条), callback audits (第八条.4), committee
// adjustments. Pure: no I/O, no clock, no globals.
#ifndef QLEDGER_DOMAIN_FOLD_H_
#define QLEDGER_DOMAIN_FOLD_H_

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qledger/domain/decimal.h"
#include "qledger/domain/event.h"
#include "qledger/domain/lang.h"
#include "qledger/domain/period.h"
#include "qledger/domain/policy.h"
#include "qledger/domain/score.h"

namespace qledger::domain {

// The version of the fold code: what a projection snapshot (app/snapshot.h)
// of a DepartmentQuarter was made by. Raise it with every change to Apply,
// Void or the members below; a snapshot of another version is not used.
constexpr uint32_t kFoldVersion = 1;

// The live facts of one department in one quarter.
// Thread-compatible: no internal synchronisation.
class DepartmentQuarter {
 public:
  DepartmentQuarter() = default;

  // Applies an event of this department and quarter. Returns what it
  // changed, in words (for the derivation trace).
  std::string Apply(const Event& e, Lang lang = Lang::kEn);
  // The same; sets *change to the words unless change is nullptr (a fold
  // that needs no trace, such as a full rebuild, skips building them).
  void Apply(const Event& e, std::string* change, Lang lang = Lang::kEn);

  // Takes back the effect of the event `target_id` (entry.voided).
  // Returns what that changed, or "" when the target is not one of ours.
  std::string Void(const std::string& target_id, Lang lang = Lang::kEn);

  bool Owns(const std::string& id) const { return kinds_.count(id) > 0 || responses_.count(id) > 0; }

  // Fills the component, total, grade and amount fields of *out.
  // Warnings are in `lang`.
  void Compute(const Policy& policy, const Quarter& q, Score* out, Lang lang = Lang::kEn) const;

  // The state as a cereal archive takes it (defined in app/src/snapshot.cc,
  // which includes cereal): every fact, the hash maps in key order so that
  // equal states give equal bytes. The running tallies are not saved but
  // recounted.
  template <class Archive>
  void save(Archive& ar) const;
  template <class Archive>
  void load(Archive& ar);

 private:
  struct Ruling {
    std::string id;
    std::string outcome;  // upheld / voided / rescored; for complaints "valid"/"invalid"
    Decimal score;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(id, outcome, score);
    }
  };
  struct Response {
    Decimal score;
    std::vector<Ruling> rulings;  // in seq order
    int disputes = 0;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(score, rulings, disputes);
    }
  };
  struct Complaint {
    std::vector<Ruling> rulings;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(rulings);
    }
  };
  struct Adjustment {
    std::string component;
    Decimal points;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(component, points);
    }
  };

  std::map<std::string, std::pair<std::string, Decimal>> self_;  // month -> (id, score)
  std::map<std::string, std::pair<std::string, Decimal>> spot_;
  // By id. Hash maps: Compute only sums and counts over them (exact
  // decimals, so the order does not matter), and a fold of the whole ledger
  // inserts every fact here.
  std::unordered_map<std::string, Response> responses_;
  std::unordered_map<std::string, Complaint> complaints_;
  std::unordered_map<std::string, Decimal> direct_;
  std::unordered_map<std::string, Decimal> callbacks_;
  std::unordered_map<std::string, Adjustment> adjustments_;
  // Every event id applied here -> the id it hangs on (the response or
  // complaint for rulings and disputes; "" for facts, which hang on
  // themselves), so that a void finds it. Except a survey response's: its
  // id is its key in responses_, and an id there with no entry here is a
  // response's (ids are unique in a ledger). Responses are most of a
  // ledger's events, and a fold of the whole ledger kept each id twice:
  // 40% of its memory (docs/performance.md, seventh session). The snapshot
  // bytes list the responses here as before (app/src/snapshot.cc).
  std::unordered_map<std::string, std::pair<EventType, std::string>> kinds_;

  // Running tallies, so that Compute does not walk every response and every
  // complaint: a derivation computes after each of its steps, and a quarter
  // may hold 100,000 responses. The survey's is for the full-marks line it
  // was last computed with (Compute recounts it when the line differs); each
  // change to a response takes its old contribution out and puts the new one
  // in. Exact integers, so the order of the changes does not matter.
  struct SurveyTally {
    bool ready = false;
    Decimal full_marks_from;
    Int128 sum = 0;          // hundredths of the counted scores (100 for those at the line or above)
    int64_t counted = 0;
    int64_t full = 0;        // counted as 100
  };
  mutable SurveyTally survey_;
  int64_t valid_complaints_ = 0;

  // The score a response counts with, or nullopt when a ruling voided it.
  static std::optional<Decimal> Effective(const Response& r);
  void TallyResponse(const Response& r, int sign) const;
  static bool Counts(const Complaint& c);
  void TallyComplaint(const Complaint& c, int sign) { valid_complaints_ += Counts(c) ? sign : 0; }
};

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_FOLD_H_
