// Diff of one department's score between two points of replay: which events
// changed it, and every figure before and after (the committee's "what
// changed since we published").
#ifndef QLEDGER_DOMAIN_DIFF_H_
#define QLEDGER_DOMAIN_DIFF_H_

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "qledger/domain/lang.h"
#include "qledger/domain/scoring.h"

namespace qledger::domain {

struct FigureChange {
  std::string figure;  // "selfcheck", "survey", "complaint", "weighted", ..., "grade", "amount"
  std::string before;  // "" when absent
  std::string after;
};

struct ScoreDiff {
  Derivation before;
  Derivation after;
  std::vector<Step> changed_by;        // steps after `before`'s point that moved a figure
  std::vector<Step> other_events;      // steps after it that moved nothing
  std::vector<FigureChange> changes;   // figures that differ
};

// REQUIRES: both derivations are of the same quarter and department.
ScoreDiff DiffDerivations(Derivation before, Derivation after);

boost::json::object DiffToJson(const ScoreDiff& d);
std::string DiffToText(const ScoreDiff& d, Lang lang = Lang::kEn);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_DIFF_H_
