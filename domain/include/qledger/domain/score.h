// A department's score for a quarter (SPEC §2, §6): its components, the
// weighted total, the grade and the signed amount, and the rule that turns a
// total into a grade and money (第十三条, 第十四条). Pure.
#ifndef QLEDGER_DOMAIN_SCORE_H_
#define QLEDGER_DOMAIN_SCORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/batch.h"  // QuarterStatus
#include "qledger/domain/decimal.h"
#include "qledger/domain/event.h"
#include "qledger/domain/policy.h"

namespace qledger::domain {

struct MonthLine {
  std::string month;
  std::optional<Decimal> self;
  std::optional<Decimal> spot;
  Decimal deduction;
};

struct Score {
  std::string quarter;
  std::string department;
  std::string name;
  QuarterStatus status = QuarterStatus::kOpen;
  int64_t as_of_seq = 0;
  std::string as_of_hash;
  int64_t policy_version = 0;

  struct {
    Decimal score;
    std::optional<Decimal> average;
    Decimal deductions;
    std::vector<MonthLine> months;
    bool present = false;
  } selfcheck;
  struct {
    std::optional<Decimal> score;
    int64_t responses = 0;
    int64_t counted_as_100 = 0;
    bool present = false;
  } survey;
  struct {
    Decimal score;
    int64_t valid_complaints = 0;
    Decimal direct_deductions;
  } complaint;

  Decimal weighted;
  Decimal callback_deductions;
  Decimal adjustments;  // committee adjustments to the total
  Decimal total;
  std::string grade;    // excellent / qualified / unqualified
  Decimal amount;       // yuan; reward positive, penalty negative
  std::vector<std::string> warnings;
};

// Grade and signed amount for a total under a policy (第十三条, 第十四条).
void GradeAndAmount(const Policy& policy, Decimal total, std::string* grade, Decimal* amount);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_SCORE_H_
