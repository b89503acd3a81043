#include "qledger/domain/policy.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "default_policy.h"

namespace json = boost::json;
using ::testing::HasSubstr;

namespace qledger::domain {
namespace {

Decimal D(std::string_view text) { return *Decimal::Parse(text); }

// The message ParsePolicy gives for a policy edited by `edit`.
template <typename Edit>
std::string ErrorAfter(Edit edit) {
  json::value v = DefaultPolicyJson();
  edit(v.as_object());
  auto p = ParsePolicy(v);
  EXPECT_FALSE(p.ok());
  if (p.ok()) return "";
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  return p.status().message();
}

TEST(PolicyTest, DefaultPolicyFileParsesToTheSpecDefaults) {
  auto p = ParsePolicy(DefaultPolicyJson());
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->departments.size(), 7u);
  const char* codes[] = {"marketing", "logistics", "wuhan", "orders", "storage", "bidding", "metrology"};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(p->departments[i].code, codes[i]);
  EXPECT_EQ(p->FindDepartment("storage")->name, "储运中心");
  EXPECT_EQ(p->FindDepartment("nowhere"), nullptr);
  EXPECT_EQ(p->weight_selfcheck, 5000);
  EXPECT_EQ(p->weight_survey, 3000);
  EXPECT_EQ(p->weight_complaint, 2000);
  ASSERT_EQ(p->spotcheck_tiers.size(), 3u);
  EXPECT_EQ(p->spotcheck_tiers[0].max_difference, D("3"));
  EXPECT_EQ(p->spotcheck_tiers[0].deduction, D("1"));
  EXPECT_EQ(p->spotcheck_tiers[1].max_difference, D("5"));
  EXPECT_EQ(p->spotcheck_tiers[1].deduction, D("3"));
  EXPECT_FALSE(p->spotcheck_tiers[2].max_difference.has_value());
  EXPECT_EQ(p->spotcheck_tiers[2].deduction, D("5"));
  EXPECT_EQ(p->survey_full_marks_from, D("95"));
  EXPECT_EQ(p->complaint_deduction, D("10"));
  EXPECT_EQ(p->callback_min, D("0.5"));
  EXPECT_EQ(p->callback_max, D("1"));
  EXPECT_EQ(p->qualified, D("95"));
  EXPECT_EQ(p->reward_per_point, D("2000"));
  EXPECT_EQ(p->penalty_per_point, D("1000"));
  EXPECT_EQ(p->penalty_floor, D("90"));
  EXPECT_EQ(p->annual_quota, D("30000"));
}

TEST(PolicyTest, SpotDeductionFollowsTheDefaultTiers) {
  auto p = ParsePolicy(DefaultPolicyJson());
  ASSERT_TRUE(p.ok());
  // SPEC §2: d = 0 -> 0; 0 < d <= 3 -> 1; 3 < d <= 5 -> 3; d > 5 -> 5.
  EXPECT_EQ(p->SpotDeduction(D("0")), D("0"));
  EXPECT_EQ(p->SpotDeduction(D("0.01")), D("1"));
  EXPECT_EQ(p->SpotDeduction(D("3.00")), D("1"));
  EXPECT_EQ(p->SpotDeduction(D("3.01")), D("3"));
  EXPECT_EQ(p->SpotDeduction(D("5.00")), D("3"));
  EXPECT_EQ(p->SpotDeduction(D("5.01")), D("5"));
  EXPECT_EQ(p->SpotDeduction(D("100")), D("5"));
  EXPECT_EQ(p->LargestSpotDeduction(), D("5"));
}

TEST(PolicyTest, RejectsWhatIsNotAnObject) {
  auto p = ParsePolicy(json::parse("[1]"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "policy: must be a JSON object");
}

TEST(PolicyTest, NamesAMissingField) {
  EXPECT_EQ(ErrorAfter([](json::object& o) { o.erase("departments"); }), "policy.departments: is required");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o.erase("annual_quota"); }), "policy.annual_quota: is required");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["grades"].as_object().erase("penalty_floor"); }),
            "policy.grades.penalty_floor: is required");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["weights"].as_object().erase("survey"); }),
            "policy.weights.survey: is required");
}

TEST(PolicyTest, NamesAnUnknownField) {
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["bonus"] = 1; }), "policy.bonus: is not a known field");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["grades"].as_object()["excellent"] = "96.00"; }),
            "policy.grades.excellent: is not a known field");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["departments"].as_array()[2].as_object()["head"] = "x"; }),
            "policy.departments[2].head: is not a known field");
}

TEST(PolicyTest, NamesABadDepartment) {
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["departments"] = json::array(); }),
            "policy.departments: must be a non-empty array");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["departments"].as_array()[0].as_object()["code"] = "Marketing"; }),
            "policy.departments[0].code: \"Marketing\" must be lowercase ASCII letters, digits, - or _");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["departments"].as_array()[1].as_object()["code"] = "marketing"; }),
            "policy.departments[1].code: \"marketing\" appears twice");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["departments"].as_array()[3].as_object().erase("name"); }),
            "policy.departments[3].name: is required");
  // A name names one department: input typed by it would go to either.
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["departments"].as_array()[1].as_object()["name"] = "市场经营部"; }),
            "policy.departments[1].name: \"市场经营部\" is also the name of marketing");
}

TEST(PolicyTest, NamesABadWeight) {
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["weights"].as_object()["survey"] = "3000"; }),
            "policy.weights.survey: must be an integer");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["weights"].as_object()["survey"] = 30.5; }),
            "policy.weights.survey: must be an integer");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["weights"].as_object()["complaint"] = -1; }),
            "policy.weights: must be non-negative basis points with a positive sum");
  // Bounded, so that the sum of the weights cannot overflow.
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["weights"].as_object()["survey"] = INT64_MAX; }),
            "policy.weights.survey: 9223372036854775807 is above 1000000");
  EXPECT_EQ(ErrorAfter([](json::object& o) {
              o["weights"] = json::object{{"selfcheck", 0}, {"survey", 0}, {"complaint", 0}};
            }),
            "policy.weights: must be non-negative basis points with a positive sum");
  // Only the survey can be absent, and then its weight goes to the others.
  EXPECT_EQ(ErrorAfter([](json::object& o) {
              o["weights"] = json::object{{"selfcheck", 0}, {"survey", 10000}, {"complaint", 0}};
            }),
            "policy.weights: selfcheck and complaint must not both be 0: a quarter with no counted survey response "
            "would have no weight to share the survey's out to");
  json::value one_point = DefaultPolicyJson();
  one_point.as_object()["weights"] = json::object{{"selfcheck", 0}, {"survey", 10000}, {"complaint", 1}};
  EXPECT_TRUE(ParsePolicy(one_point).ok());
}

// A rule added in a later release applies to a new policy only: a policy the
// ledger adopted before it is read as it was accepted, or the ledger would
// no longer open (docs/design.md §10).
TEST(PolicyTest, ARuleAddedLaterDoesNotRefuseAPolicyAdoptedBefore) {
  json::value old = DefaultPolicyJson();
  old.as_object()["weights"] = json::object{{"selfcheck", 0}, {"survey", 10000}, {"complaint", 0}};
  old.as_object()["departments"].as_array()[1].as_object()["name"] = "市场经营部";
  old.as_object()["departments"].as_array()[2].as_object()["name"] = "  ";
  EXPECT_FALSE(ParsePolicy(old).ok());
  auto stored = ParsePolicy(old, /*stored=*/true);
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->departments.size(), 7u);
  Event e;
  e.seq = 1;
  e.type = EventType::kPolicyAdopted;
  e.data = json::object{{"version", 1}, {"effective_from", "2026Q1"}, {"policy", old}};
  auto adopted = AdoptedPolicyOf(e);
  ASSERT_TRUE(adopted.ok()) << adopted.status().message();
  EXPECT_EQ(adopted->version, 1);
}

TEST(PolicyTest, NamesABadSpotCheckTier) {
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["spotcheck_tiers"] = json::array(); }),
            "policy.spotcheck_tiers: must be a non-empty array");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["spotcheck_tiers"].as_array()[1].as_object()["max_difference"] = "2.00"; }),
            "policy.spotcheck_tiers[1].max_difference: tiers must be in ascending order");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["spotcheck_tiers"].as_array()[0].as_object()["max_difference"] = nullptr; }),
            "policy.spotcheck_tiers[1].max_difference: only the last tier may be unbounded");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["spotcheck_tiers"].as_array()[2].as_object().erase("max_difference"); }),
            "policy.spotcheck_tiers[2].max_difference: is required (null for the last, unbounded tier)");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["spotcheck_tiers"].as_array()[0].as_object()["deduction"] = "1.005"; }),
            "policy.spotcheck_tiers[0].deduction: 1.005 has more than two decimals");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["spotcheck_tiers"].as_array()[0].as_object()["deduction"] = "-1"; }),
            "policy.spotcheck_tiers[0].deduction: -1.00 is below 0.00");
}

TEST(PolicyTest, NamesABadDecimal) {
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["survey_full_marks_from"] = "101"; }),
            "policy.survey_full_marks_from: 101.00 is above 100.00");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["complaint_deduction"] = "ten"; }),
            "policy.complaint_deduction: \"ten\" is not a decimal number");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["callback_points"].as_object()["max"] = "0.40"; }),
            "policy.callback_points.max: is below min");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["grades"].as_object()["qualified"] = "95.001"; }),
            "policy.grades.qualified: 95.001 has more than two decimals");
  EXPECT_EQ(ErrorAfter([](json::object& o) { o["annual_quota"] = "-1"; }),
            "policy.annual_quota: -1.00 is below 0.00");
}

TEST(PolicyTest, ReportsEveryBadFieldAtOnce) {
  std::string msg = ErrorAfter([](json::object& o) {
    o["survey_full_marks_from"] = "101";
    o["weights"].as_object()["survey"] = "x";
    o["typo"] = true;
  });
  EXPECT_THAT(msg, HasSubstr("policy.survey_full_marks_from: 101.00 is above 100.00"));
  EXPECT_THAT(msg, HasSubstr("policy.weights.survey: must be an integer"));
  EXPECT_THAT(msg, HasSubstr("policy.typo: is not a known field"));
}

AdoptedPolicy Adopted(int64_t seq, int64_t version, const char* effective_from) {
  AdoptedPolicy a;
  a.seq = seq;
  a.version = version;
  a.effective_from = *Quarter::Parse(effective_from);
  return a;
}

TEST(PolicyTest, PolicyForPicksTheLatestAdoptedInForceForTheQuarter) {
  std::vector<AdoptedPolicy> adopted = {Adopted(1, 1, "2026Q1"), Adopted(50, 2, "2026Q4"), Adopted(60, 3, "2026Q3")};
  Quarter q2{2026, 2}, q3{2026, 3}, q4{2026, 4};
  // 2026Q2: only v1 is effective by then.
  ASSERT_NE(PolicyFor(adopted, q2, 100), nullptr);
  EXPECT_EQ(PolicyFor(adopted, q2, 100)->version, 1);
  // 2026Q4: v2 (from Q4) and v3 (from Q3) are both effective; v3 was adopted later.
  EXPECT_EQ(PolicyFor(adopted, q4, 100)->version, 3);
  // As of seq 55, v3 is not yet adopted: v2 applies to Q4, v1 to Q3.
  EXPECT_EQ(PolicyFor(adopted, q4, 55)->version, 2);
  EXPECT_EQ(PolicyFor(adopted, q3, 55)->version, 1);
  // as_of_seq equal to the adoption counts it.
  EXPECT_EQ(PolicyFor(adopted, q3, 60)->version, 3);
  EXPECT_EQ(PolicyFor(adopted, q3, 59)->version, 1);
}

TEST(PolicyTest, PolicyForIsNullWhenNothingIsInForce) {
  std::vector<AdoptedPolicy> adopted = {Adopted(1, 1, "2026Q3")};
  EXPECT_EQ(PolicyFor(adopted, Quarter{2026, 2}, 100), nullptr);  // effective only from Q3
  EXPECT_EQ(PolicyFor(adopted, Quarter{2026, 3}, 0), nullptr);    // before its adoption
  EXPECT_EQ(PolicyFor({}, Quarter{2026, 3}, 100), nullptr);
  EXPECT_NE(PolicyFor(adopted, Quarter{2027, 1}, 1), nullptr);
}

}  // namespace
}  // namespace qledger::domain
