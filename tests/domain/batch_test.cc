// PlanBatch (the ledger rules for a batch) against an in-memory ledger view:
// what the rules decide from what the ledger says, and that a ledger that
// cannot be read refuses the batch instead of being taken for an empty one.
#include "qledger/domain/batch.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "default_policy.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/hash_chain.h"

namespace qledger::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The ledger as plain maps; each lookup can be made to fail as a storage
// read would.
class MemoryLedger final : public LedgerView {
 public:
  MemoryLedger() {
    auto policy = ParsePolicy(DefaultPolicyJson());
    EXPECT_TRUE(policy.ok()) << policy.status().message();
    if (policy.ok()) policies_.push_back(AdoptedPolicy{1, 1, Quarter{2013, 3}, *policy});
  }

  std::map<std::string, KnownEvent> events;        // id -> what the rules know
  std::map<std::string, std::string> content;      // id -> ContentKey
  std::map<std::string, std::string> data;         // "id/key" -> data[key]
  std::map<std::string, std::string> monthly;      // type/dept/month -> id
  std::map<std::string, QuarterStatus> statuses;   // "2026Q2" -> status
  std::set<std::string> empty_quarters;             // "2026Q2": no fact recorded (others have some)
  bool fail_find = false;
  bool fail_status = false;

  Result<std::optional<KnownEvent>> Find(const std::string& id) const override {
    if (fail_find) return Internal("reading the id index: IO error");
    auto it = events.find(id);
    if (it == events.end()) return std::optional<KnownEvent>();
    return std::optional<KnownEvent>(it->second);
  }
  Result<std::string> ContentKeyOf(const std::string& id) const override { return content.at(id); }
  Result<std::string> DataStringOf(const std::string& id, const std::string& key) const override {
    auto it = data.find(id + "/" + key);
    return it == data.end() ? std::string() : it->second;
  }
  Result<std::optional<std::string>> ActiveMonthly(EventType type, const std::string& dept,
                                                   const std::string& month) const override {
    auto it = monthly.find(std::to_string(static_cast<int>(type)) + "/" + dept + "/" + month);
    if (it == monthly.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  Result<QuarterStatus> StatusOf(const Quarter& q) const override {
    if (fail_status) return Internal("reading the status of quarter " + q.ToString() + ": IO error");
    auto it = statuses.find(q.ToString());
    return it == statuses.end() ? QuarterStatus::kOpen : it->second;
  }
  Result<bool> HasFacts(const Quarter& q) const override { return !empty_quarters.count(q.ToString()); }
  Result<std::vector<AdoptedPolicy>> Policies() const override { return policies_; }

 private:
  std::vector<AdoptedPolicy> policies_;
};

std::vector<InputEvent> Batch(const std::string& jsonl) { return ParseInputText(jsonl); }

// The errors as the CLI prints them.
std::vector<std::string> Printed(const std::vector<BatchError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.ToString());
  return out;
}

const char* kSurvey2026Q2 =
    R"({"id":"s1","type":"survey.responded","department":"storage","period":"2026Q2","occurred_at":"2026-06-05",)"
    R"("actor":"工作组","data":{"respondent":"客户","score":"96.00"}})";

TEST(BatchPlanTest, AFactForAnOpenQuarterIsPlanned) {
  MemoryLedger ledger;
  auto plan = PlanBatch(ledger, Batch(kSurvey2026Q2));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_THAT(Printed(plan->errors), IsEmpty());
  ASSERT_EQ(plan->to_append.size(), 1u);
  EXPECT_EQ(plan->to_append[0].id, "s1");
}

TEST(BatchPlanTest, AFactForAnApprovedQuarterIsRejected) {
  MemoryLedger ledger;
  ledger.statuses["2026Q2"] = QuarterStatus::kApproved;
  auto plan = PlanBatch(ledger, Batch(kSurvey2026Q2));
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(Printed(plan->errors), ElementsAre(HasSubstr("period: quarter 2026Q2 is approved")));
  EXPECT_THAT(plan->to_append, IsEmpty());
  // As a value: where, which event, which field, what.
  ASSERT_EQ(plan->errors.size(), 1u);
  const BatchError& e = plan->errors[0];
  EXPECT_EQ(e.where, "line 1");
  EXPECT_TRUE(e.event);
  EXPECT_EQ(e.id, "s1");
  EXPECT_EQ(e.field, "period");
  EXPECT_THAT(e.message, ::testing::StartsWith("quarter 2026Q2 is approved"));
  EXPECT_EQ(e.ToString(), "line 1: event \"s1\": period: " + e.message);
}

const char* kApprove2026Q2 =
    R"({"id":"a1","type":"quarter.approved","period":"2026Q2","occurred_at":"2026-07-10",)"
    R"("actor":"质量委员会","data":{"approved_by":"质量委员会","meeting_date":"2026-07-10"}})";

// SPEC §1: a quarter with nothing recorded is not assessed, never a table of
// zeros; approving one would publish zeros and a penalty for every
// department. A fact earlier in the same batch counts.
TEST(BatchPlanTest, AQuarterWithNoFactCannotBeApprovedUnlessTheBatchRecordsOneFirst) {
  MemoryLedger ledger;
  ledger.empty_quarters.insert("2026Q2");
  auto alone = PlanBatch(ledger, Batch(kApprove2026Q2));
  ASSERT_TRUE(alone.ok());
  EXPECT_THAT(Printed(alone->errors),
              ElementsAre("line 1: event \"a1\": period: nothing was recorded for quarter 2026Q2 (no fact of any "
                          "department), so it is not assessed and there is nothing to approve"));
  EXPECT_THAT(alone->to_append, IsEmpty());

  auto after_a_fact = PlanBatch(ledger, Batch(std::string(kSurvey2026Q2) + "\n" + kApprove2026Q2));
  ASSERT_TRUE(after_a_fact.ok());
  EXPECT_THAT(Printed(after_a_fact->errors), IsEmpty());
  EXPECT_EQ(after_a_fact->to_append.size(), 2u);

  ledger.empty_quarters.clear();  // a fact of 2026Q2 is stored
  auto stored_fact = PlanBatch(ledger, Batch(kApprove2026Q2));
  ASSERT_TRUE(stored_fact.ok());
  EXPECT_THAT(Printed(stored_fact->errors), IsEmpty());
}

// SPEC §4, "report every error": a period that cannot be read names no
// policy, but a department that no adopted policy has is wrong whatever the
// period, and is told beside it; a known one (by code or name) is not.
TEST(BatchPlanTest, ADepartmentOfNoPolicyIsToldBesideAPeriodThatCannotBeRead) {
  MemoryLedger ledger;
  auto plan = PlanBatch(ledger, Batch(
      R"({"id":"k1","type":"selfcheck.reported","department":"hr2","period":"2026-13","occurred_at":"2026-09-20",)"
      R"("actor":"a","data":{"score":"90"}})" "\n"
      R"({"id":"k2","type":"selfcheck.reported","department":"储运中心","period":"2026-13","occurred_at":"2026-09-20",)"
      R"("actor":"a","data":{"score":"90"}})"));
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(Printed(plan->errors),
              ElementsAre(HasSubstr("line 1: event \"k1\": period: \"2026-13\" is not a month"),
                          "line 1: event \"k1\": department: \"hr2\" is not a department of any adopted policy",
                          HasSubstr("line 2: event \"k2\": period: \"2026-13\" is not a month")));
}

TEST(BatchPlanTest, MalformedJsonIsAnErrorThatIsNotAboutAnEvent) {
  MemoryLedger ledger;
  auto plan = PlanBatch(ledger, Batch(std::string(kSurvey2026Q2) + "\n{\"id\": \n"));
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->errors.size(), 1u);
  EXPECT_FALSE(plan->errors[0].event);
  EXPECT_EQ(plan->errors[0].where, "line 2");
  EXPECT_THAT(plan->errors[0].ToString(), ::testing::StartsWith("line 2: malformed JSON: "));
  EXPECT_THAT(plan->to_append, IsEmpty()) << "a batch is all or nothing";
}

TEST(BatchPlanTest, AQuarterStatusThatCannotBeReadRefusesTheBatchInsteadOfTakingItAsOpen) {
  MemoryLedger ledger;
  ledger.statuses["2026Q2"] = QuarterStatus::kApproved;
  ledger.fail_status = true;
  auto plan = PlanBatch(ledger, Batch(kSurvey2026Q2));
  ASSERT_FALSE(plan.ok()) << "a failed read was taken for an open quarter";
  EXPECT_EQ(plan.status().code(), StatusCode::kInternal);
  EXPECT_THAT(plan.status().message(), HasSubstr("reading the status of quarter 2026Q2"));
}

TEST(BatchPlanTest, AnIdLookupThatCannotBeReadRefusesTheBatchInsteadOfTakingTheIdAsNew) {
  MemoryLedger ledger;
  ledger.fail_find = true;
  auto plan = PlanBatch(ledger, Batch(kSurvey2026Q2));
  ASSERT_FALSE(plan.ok()) << "a failed read was taken for a new id";
  EXPECT_THAT(plan.status().message(), HasSubstr("reading the id index"));
}

TEST(BatchPlanTest, AStoredIdWithTheSameContentIsADuplicateAndWithOtherContentAnError) {
  MemoryLedger ledger;
  auto first = PlanBatch(ledger, Batch(kSurvey2026Q2));
  ASSERT_TRUE(first.ok() && first->to_append.size() == 1);
  ledger.events["s1"] = KnownEvent{5, EventType::kSurveyResponded, "storage", "2026Q2", false};
  ledger.content["s1"] = ContentKey(first->to_append[0]);
  auto again = PlanBatch(ledger, Batch(kSurvey2026Q2));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 1);
  EXPECT_THAT(again->to_append, IsEmpty());
  std::string changed = kSurvey2026Q2;
  changed.replace(changed.find("96.00"), 5, "90.00");
  auto other = PlanBatch(ledger, Batch(changed));
  ASSERT_TRUE(other.ok());
  EXPECT_THAT(Printed(other->errors), ElementsAre(HasSubstr("s1")));
}

TEST(BatchPlanTest, ASecondSelfcheckForAMonthIsRejectedUnlessTheFirstIsVoided) {
  MemoryLedger ledger;
  ledger.monthly[std::to_string(static_cast<int>(EventType::kSelfcheckReported)) + "/storage/2026-07"] = "old";
  auto plan = PlanBatch(ledger, Batch(R"({"id":"new","type":"selfcheck.reported","department":"storage",)"
                                      R"("period":"2026-07","occurred_at":"2026-08-03","actor":"a","data":{"score":"96.00"}})"));
  ASSERT_TRUE(plan.ok());
  EXPECT_THAT(Printed(plan->errors),
              ElementsAre(HasSubstr("storage already has a selfcheck.reported for 2026-07 (\"old\")")));
}

}  // namespace
}  // namespace qledger::domain
