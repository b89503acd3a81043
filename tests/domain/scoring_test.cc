// Scoring as SPEC §2 states it: each test is a list of events and numbers
// worked out by hand from the rules (the arithmetic is in the comments).
// Default policy (config/policy.json): weights selfcheck 5000, survey 3000,
// complaint 2000 basis points; spot tiers 0<d<=3 -> 1, 3<d<=5 -> 3, d>5 -> 5;
// responses >= 95 count as 100; 10 points a valid complaint; grade line 95,
// reward 2000 yuan a point above, penalty 1000 a point below, floor 90.
#include "qledger/domain/scoring.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "default_policy.h"

namespace json = boost::json;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace qledger::domain {
namespace {

Policy DefaultPolicy() {
  auto p = ParsePolicy(DefaultPolicyJson());
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : Policy{};
}

Decimal D(std::string_view text) {
  auto d = Decimal::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : Decimal();
}

const Quarter kQ3{2026, 3};
const Quarter kQ4{2026, 4};
const char* const kDept = "storage";

// Builds a ledger's events in seq order, as storage would hand them to the
// replay: seq 1 adopts the default policy, effective from 2026Q1.
class ScoringTest : public ::testing::Test {
 protected:
  ScoringTest() { AdoptPolicy(1, "2026Q1", DefaultPolicyJson()); }

  // Appends an event; ids default to "e<seq>".
  Event Add(EventType type, const std::string& department, const std::string& period, json::object data,
            std::string id = "") {
    Event e;
    e.seq = static_cast<int64_t>(events_.size()) + 1;
    e.id = id.empty() ? "e" + std::to_string(e.seq) : id;
    e.type = type;
    e.department = department;
    e.period = period;
    e.occurred_at = "2026-08-03";
    e.actor = "test";
    e.recorded_at = "2026-08-03T00:00:00Z";
    e.data = std::move(data);
    events_.push_back(e);
    return e;
  }

  Event AdoptPolicy(int64_t version, const char* effective_from, json::value policy) {
    return Add(EventType::kPolicyAdopted, "", "",
               json::object{{"version", version}, {"effective_from", effective_from}, {"policy", std::move(policy)}});
  }
  Event Self(const char* month, const char* score, const std::string& dept = kDept) {
    return Add(EventType::kSelfcheckReported, dept, month, json::object{{"score", score}});
  }
  Event Spot(const char* month, const char* score, const std::string& dept = kDept) {
    return Add(EventType::kSpotcheckRecorded, dept, month, json::object{{"score", score}, {"inspector", "工作组/王敏"}});
  }
  // The three months of 2026Q3 reported with one score each.
  void SelfQ3(const char* m7, const char* m8, const char* m9) {
    Self("2026-07", m7);
    Self("2026-08", m8);
    Self("2026-09", m9);
  }
  Event Survey(const char* score, const std::string& period = "2026Q3", const std::string& dept = kDept) {
    return Add(EventType::kSurveyResponded, dept, period, json::object{{"respondent", "客户"}, {"score", score}});
  }
  Event Dispute(const Event& response) {
    return Add(EventType::kSurveyDisputed, kDept, response.period,
               json::object{{"response", response.id}, {"reason", "not a key client"}});
  }
  Event SurveyRuling(const Event& response, const char* outcome, const char* score = nullptr) {
    json::object data{{"response", response.id}, {"outcome", outcome}, {"ruling", "质委会决定〔2026〕5号"}};
    if (score) data["score"] = score;
    return Add(EventType::kSurveyRuled, kDept, response.period, std::move(data));
  }
  Event Complaint(const std::string& period = "2026Q3", const std::string& dept = kDept) {
    return Add(EventType::kComplaintRecorded, dept, period,
               json::object{{"received_at", "2026-08-14T09:30:00+08:00"}, {"channel", "投诉电话"}, {"summary", "s"}});
  }
  Event ComplaintRuling(const Event& complaint, bool valid) {
    return Add(EventType::kComplaintRuled, kDept, complaint.period,
               json::object{{"complaint", complaint.id}, {"valid", valid}, {"reason", "r"}, {"ruling", "R"}});
  }
  Event Direct(const char* points) {
    return Add(EventType::kDeductionDirect, kDept, "2026Q3", json::object{{"points", points}, {"reason", "r"}});
  }
  Event Callback(const char* points) {
    return Add(EventType::kCallbackFinding, kDept, "2026Q3", json::object{{"points", points}, {"reason", "r"}});
  }
  Event Adjust(const char* component, const char* points, const std::string& period = "2026Q3") {
    return Add(EventType::kScoreAdjusted, kDept, period,
               json::object{{"component", component}, {"points", points}, {"reason", "r"}, {"ruling", "R"}});
  }
  Event Void(const Event& target) {
    return Add(EventType::kEntryVoided, "", "", json::object{{"target", target.id}, {"reason", "mis-recorded"}});
  }
  Event Approve(const char* quarter) {
    return Add(EventType::kQuarterApproved, "", quarter,
               json::object{{"approved_by", "质量管理委员会"}, {"meeting_date", "2026-10-10"}});
  }
  Event Reopen(const char* quarter) {
    return Add(EventType::kQuarterReopened, "", quarter, json::object{{"reason", "dispute"}, {"by", "委员会"}});
  }

  int64_t head() const { return static_cast<int64_t>(events_.size()); }

  Result<Derivation> DeriveWith(const ReplayOptions& options, const Quarter& q = kQ3,
                                const std::string& dept = kDept) const {
    return Derive(ReplayInput{q, dept, events_, head()}, options);
  }

  // The score at the head (or as of `as_of`), failing the test if there is none.
  Score ScoreOf(const Quarter& q = kQ3, std::optional<int64_t> as_of = std::nullopt) const {
    auto d = DeriveWith(ReplayOptions{as_of, {}}, q);
    EXPECT_TRUE(d.ok()) << d.status().message();
    return d.ok() ? d->score : Score{};
  }

  std::vector<Event> events_;
};

// --- Self-check component: spot-check tiers (SPEC §2 self-check step 2) ---

// One month (2026-07) with a self-check and a spot check of it; no other
// month reported, so selfcheck = self - deduction.
Score SelfcheckWithSpot(const char* self, const char* spot) {
  auto policy = DefaultPolicy();
  DepartmentQuarter state;
  Event s;
  s.id = "s";
  s.type = EventType::kSelfcheckReported;
  s.department = kDept;
  s.period = "2026-07";
  s.data = json::object{{"score", self}};
  Event c = s;
  c.id = "c";
  c.type = EventType::kSpotcheckRecorded;
  c.data = json::object{{"score", spot}, {"inspector", "i"}};
  state.Apply(s);
  state.Apply(c);
  Score score;
  state.Compute(policy, kQ3, &score);
  return score;
}

TEST(ScoringSpotCheckTest, SpotDifferenceOfZeroDeductsNothing) {
  Score s = SelfcheckWithSpot("90.00", "90.00");
  EXPECT_EQ(s.selfcheck.months[0].deduction.ToString(), "0.00");
  EXPECT_EQ(s.selfcheck.deductions.ToString(), "0.00");
  EXPECT_EQ(s.selfcheck.score.ToString(), "90.00");
}

TEST(ScoringSpotCheckTest, SpotDifferenceOfExactlyThreeDeductsOnePoint) {
  // |93.00 - 90.00| = 3.00: 0 < d <= 3 -> 1; selfcheck = 90.00 - 1 = 89.00.
  Score s = SelfcheckWithSpot("90.00", "93.00");
  EXPECT_EQ(s.selfcheck.months[0].deduction.ToString(), "1.00");
  EXPECT_EQ(s.selfcheck.score.ToString(), "89.00");
  // The difference is absolute: a spot check 3.00 below deducts the same.
  EXPECT_EQ(SelfcheckWithSpot("90.00", "87.00").selfcheck.months[0].deduction.ToString(), "1.00");
  // The smallest difference, 0.01, is already in the first tier.
  EXPECT_EQ(SelfcheckWithSpot("90.00", "90.01").selfcheck.months[0].deduction.ToString(), "1.00");
}

TEST(ScoringSpotCheckTest, SpotDifferenceOfThreePointZeroOneDeductsThreePoints) {
  // |93.01 - 90.00| = 3.01: 3 < d <= 5 -> 3; selfcheck = 90.00 - 3 = 87.00.
  Score s = SelfcheckWithSpot("90.00", "93.01");
  EXPECT_EQ(s.selfcheck.months[0].deduction.ToString(), "3.00");
  EXPECT_EQ(s.selfcheck.score.ToString(), "87.00");
}

TEST(ScoringSpotCheckTest, SpotDifferenceOfExactlyFiveDeductsThreePoints) {
  // |85.00 - 90.00| = 5.00: still 3 < d <= 5 -> 3.
  Score s = SelfcheckWithSpot("90.00", "85.00");
  EXPECT_EQ(s.selfcheck.months[0].deduction.ToString(), "3.00");
  EXPECT_EQ(s.selfcheck.score.ToString(), "87.00");
}

TEST(ScoringSpotCheckTest, SpotDifferenceAboveFiveDeductsFivePoints) {
  // |95.01 - 90.00| = 5.01: d > 5 -> 5; selfcheck = 90.00 - 5 = 85.00.
  Score s = SelfcheckWithSpot("90.00", "95.01");
  EXPECT_EQ(s.selfcheck.months[0].deduction.ToString(), "5.00");
  EXPECT_EQ(s.selfcheck.score.ToString(), "85.00");
  EXPECT_EQ(SelfcheckWithSpot("90.00", "0.00").selfcheck.months[0].deduction.ToString(), "5.00");
}

TEST_F(ScoringTest, SpotChecksOfSeveralMonthsAddUp) {
  // Differences 2.00 (-> 1), 4.00 (-> 3), none: average 90.00 - 4 = 86.00.
  SelfQ3("90.00", "90.00", "90.00");
  Spot("2026-07", "92.00");
  Spot("2026-08", "86.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.selfcheck.deductions.ToString(), "4.00");
  EXPECT_EQ(s.selfcheck.score.ToString(), "86.00");
  ASSERT_EQ(s.selfcheck.months.size(), 3u);
  EXPECT_EQ(s.selfcheck.months[0].month, "2026-07");
  EXPECT_EQ(s.selfcheck.months[0].spot, D("92.00"));
  EXPECT_EQ(s.selfcheck.months[1].deduction.ToString(), "3.00");
  EXPECT_FALSE(s.selfcheck.months[2].spot.has_value());
  EXPECT_EQ(s.selfcheck.months[2].deduction.ToString(), "0.00");
}

TEST_F(ScoringTest, SpotCheckOfAnUnreportedMonthDeductsTheLargestTierWithAWarning) {
  // July and August reported 90.00; September only spot-checked:
  // average(90, 90) = 90.00, minus the largest tier 5 = 85.00.
  Self("2026-07", "90.00");
  Self("2026-08", "90.00");
  Spot("2026-09", "90.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.selfcheck.average, D("90.00"));
  EXPECT_FALSE(s.selfcheck.months[2].self.has_value());
  EXPECT_EQ(s.selfcheck.months[2].deduction.ToString(), "5.00");
  EXPECT_EQ(s.selfcheck.score.ToString(), "85.00");
  EXPECT_THAT(s.warnings, Contains(HasSubstr("spot check of 2026-09 has no self-check report")));
}

TEST_F(ScoringTest, NoSelfcheckInTheQuarterScoresZeroWithAWarning) {
  // selfcheck 0 still carries its weight: survey 100, complaint 100:
  // weighted = (5000*0 + 3000*100 + 2000*100) / 10000 = 50.00.
  Survey("100.00");
  Score s = ScoreOf();
  EXPECT_FALSE(s.selfcheck.present);
  EXPECT_FALSE(s.selfcheck.average.has_value());
  EXPECT_EQ(s.selfcheck.score.ToString(), "0.00");
  EXPECT_EQ(s.weighted.ToString(), "50.00");
  EXPECT_THAT(s.warnings, Contains("no self-check report in 2026Q3: the self-check component is 0"));
}

TEST_F(ScoringTest, SelfcheckOfAnotherQuarterOrDepartmentDoesNotCount) {
  SelfQ3("90.00", "90.00", "90.00");
  Self("2026-10", "10.00");                 // 2026Q4
  Self("2026-07", "10.00", "logistics");    // another department
  Score s = ScoreOf();
  EXPECT_EQ(s.selfcheck.average, D("90.00"));
}

// --- Rounding: half up to 0.01 at exactly the steps SPEC §2 names ---

TEST_F(ScoringTest, SelfcheckAverageRoundsDownBelowHalf) {
  // (90.00 + 90.00 + 90.01) / 3 = 90.00333... -> 90.00.
  SelfQ3("90.00", "90.00", "90.01");
  EXPECT_EQ(ScoreOf().selfcheck.average, D("90.00"));
}

TEST_F(ScoringTest, SelfcheckAverageRoundsUpAboveHalf) {
  // (90.01 + 90.01 + 90.00) / 3 = 90.00666... -> 90.01.
  SelfQ3("90.01", "90.01", "90.00");
  EXPECT_EQ(ScoreOf().selfcheck.average, D("90.01"));
}

TEST_F(ScoringTest, SelfcheckAverageOfExactlyHalfAHundredthRoundsUp) {
  // (90.00 + 90.01) / 2 = 90.005 -> 90.01.
  Self("2026-07", "90.00");
  Self("2026-08", "90.01");
  EXPECT_EQ(ScoreOf().selfcheck.average, D("90.01"));
}

TEST_F(ScoringTest, SurveyMeanOfExactlyHalfAHundredthRoundsUp) {
  // (80.01 + 80.00) / 2 = 80.005 -> 80.01.
  SelfQ3("90.00", "90.00", "90.00");
  Survey("80.01");
  Survey("80.00");
  EXPECT_EQ(ScoreOf().survey.score, D("80.01"));
}

TEST_F(ScoringTest, WeightedSumOfExactlyHalfAHundredthRoundsUp) {
  // self 89.99 x3 -> 89.99; survey 100; complaint 100:
  // (5000*89.99 + 3000*100 + 2000*100) / 10000 = (449950 + 500000) / 10000
  // = 94.995 -> 95.00, so the department is qualified, not penalised.
  SelfQ3("89.99", "89.99", "89.99");
  Survey("100.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.weighted.ToString(), "95.00");
  EXPECT_EQ(s.total.ToString(), "95.00");
  EXPECT_EQ(s.grade, "qualified");
}

TEST_F(ScoringTest, WeightedSumUsesTheRoundedComponents) {
  // self (90.00 + 90.01)/2 = 90.005 rounds to 90.01 before weighting;
  // survey 100, complaint 100:
  // weighted = (5000*90.01 + 3000*100 + 2000*100)/10000 = 95.005 -> 95.01,
  // excellent, reward 0.01 * 2000 = 20. (Had the unrounded 90.005 been
  // weighted: 95.0025 -> 95.00, qualified: rounding happens at each step.)
  Self("2026-07", "90.00");
  Self("2026-08", "90.01");
  Survey("100.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.selfcheck.score.ToString(), "90.01");
  EXPECT_EQ(s.weighted.ToString(), "95.01");
  EXPECT_EQ(s.grade, "excellent");
  EXPECT_EQ(s.amount.ToString(), "20.00");
}

// --- Survey component ---

TEST_F(ScoringTest, SurveyResponseJustBelowNinetyFiveCountsAsItIsAndNinetyFiveCountsAsHundred) {
  // 94.99 counts as 94.99, 95.00 as 100: (94.99 + 100) / 2 = 97.495 -> 97.50.
  SelfQ3("90.00", "90.00", "90.00");
  Survey("94.99");
  Survey("95.00");
  Score s = ScoreOf();
  EXPECT_TRUE(s.survey.present);
  EXPECT_EQ(s.survey.responses, 2);
  EXPECT_EQ(s.survey.counted_as_100, 1);
  EXPECT_EQ(s.survey.score, D("97.50"));
}

TEST_F(ScoringTest, AbsentSurveyRenormalisesTheWeightsWithAWarning) {
  // selfcheck 90, complaint 100, no survey:
  // weighted = round((5000*90 + 2000*100) / 7000) = round(650000/7000)
  //          = round(92.857142...) = 92.86.
  SelfQ3("90.00", "90.00", "90.00");
  Score s = ScoreOf();
  EXPECT_FALSE(s.survey.present);
  EXPECT_FALSE(s.survey.score.has_value());
  EXPECT_EQ(s.survey.responses, 0);
  EXPECT_EQ(s.complaint.score.ToString(), "100.00");
  EXPECT_EQ(s.weighted.ToString(), "92.86");
  EXPECT_THAT(s.warnings, Contains("no counted survey response in 2026Q3: the survey weight is shared over the "
                                   "other components"));
}

TEST_F(ScoringTest, DisputedResponseCountsUntilRuled) {
  // 80 and 90: mean 85.00 whether disputed or not.
  SelfQ3("90.00", "90.00", "90.00");
  Event a = Survey("80.00");
  Survey("90.00");
  Dispute(a);
  EXPECT_EQ(ScoreOf().survey.score, D("85.00"));
  EXPECT_EQ(ScoreOf().survey.responses, 2);
}

TEST_F(ScoringTest, SurveyRulingsUpheldVoidedAndRescored) {
  SelfQ3("90.00", "90.00", "90.00");
  Event a = Survey("80.00");
  Event b = Survey("90.00");
  Dispute(a);
  int64_t before_rulings = head();
  Event upheld = SurveyRuling(a, "upheld");
  Event voided = SurveyRuling(b, "voided");
  Event rescored = SurveyRuling(a, "rescored", "96.00");
  // Before any ruling: (80 + 90) / 2 = 85.00.
  EXPECT_EQ(ScoreOf(kQ3, before_rulings).survey.score, D("85.00"));
  // a upheld: unchanged, 85.00.
  EXPECT_EQ(ScoreOf(kQ3, upheld.seq).survey.score, D("85.00"));
  // b voided: only a (80) counts: 80.00, one response.
  Score after_void = ScoreOf(kQ3, voided.seq);
  EXPECT_EQ(after_void.survey.score, D("80.00"));
  EXPECT_EQ(after_void.survey.responses, 1);
  // a rescored to 96: counts as 100 (>= 95): 100.00.
  Score after_rescore = ScoreOf(kQ3, rescored.seq);
  EXPECT_EQ(after_rescore.survey.score, D("100.00"));
  EXPECT_EQ(after_rescore.survey.counted_as_100, 1);
  EXPECT_EQ(after_rescore.survey.responses, 1);
}

TEST_F(ScoringTest, RescoredBelowNinetyFiveCountsAsRuled) {
  // 85.50 rescored to 93.00: counts as 93.00.
  SelfQ3("90.00", "90.00", "90.00");
  Event a = Survey("85.50");
  SurveyRuling(a, "rescored", "93.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.survey.score, D("93.00"));
  EXPECT_EQ(s.survey.counted_as_100, 0);
}

TEST_F(ScoringTest, AllResponsesVoidedMakesTheSurveyAbsent) {
  SelfQ3("90.00", "90.00", "90.00");
  Event a = Survey("80.00");
  SurveyRuling(a, "voided");
  Score s = ScoreOf();
  EXPECT_FALSE(s.survey.present);
  EXPECT_EQ(s.weighted.ToString(), "92.86");  // as in AbsentSurveyRenormalisesTheWeightsWithAWarning
}

// --- Complaint component ---

TEST_F(ScoringTest, ComplaintRulingInvalidRemovesOneAndALaterValidRulingRestoresIt) {
  SelfQ3("90.00", "90.00", "90.00");
  Event c1 = Complaint();
  Complaint();
  int64_t recorded = head();
  Event invalid = ComplaintRuling(c1, false);
  Event valid = ComplaintRuling(c1, true);
  // Two valid complaints: 100 - 2*10 = 80.
  Score before = ScoreOf(kQ3, recorded);
  EXPECT_EQ(before.complaint.valid_complaints, 2);
  EXPECT_EQ(before.complaint.score.ToString(), "80.00");
  // c1 ruled invalid: 100 - 10 = 90.
  Score after_invalid = ScoreOf(kQ3, invalid.seq);
  EXPECT_EQ(after_invalid.complaint.valid_complaints, 1);
  EXPECT_EQ(after_invalid.complaint.score.ToString(), "90.00");
  // A later ruling finds it valid after all: back to 80.
  Score after_valid = ScoreOf(kQ3, valid.seq);
  EXPECT_EQ(after_valid.complaint.valid_complaints, 2);
  EXPECT_EQ(after_valid.complaint.score.ToString(), "80.00");
}

TEST_F(ScoringTest, DirectDeductionsComeOffTheComplaintComponent) {
  // 100 - 10*1 - 2.50 - 0.50 = 87.00.
  SelfQ3("90.00", "90.00", "90.00");
  Complaint();
  Direct("2.50");
  Direct("0.50");
  Score s = ScoreOf();
  EXPECT_EQ(s.complaint.direct_deductions.ToString(), "3.00");
  EXPECT_EQ(s.complaint.score.ToString(), "87.00");
}

TEST_F(ScoringTest, ComplaintHandlingDoesNotMoveTheScore) {
  SelfQ3("90.00", "90.00", "90.00");
  Event c = Complaint();
  Add(EventType::kComplaintHandled, kDept, "2026Q3",
      json::object{{"complaint", c.id}, {"stage", "resolved"}, {"at", "2026-08-15T10:00"}, {"satisfied", true}});
  EXPECT_EQ(ScoreOf().complaint.score.ToString(), "90.00");
}

// --- Clamps ---

TEST_F(ScoringTest, ManyComplaintsClampTheComponentAtZero) {
  // 11 complaints: 100 - 110 = -10 -> 0.
  SelfQ3("90.00", "90.00", "90.00");
  for (int i = 0; i < 11; ++i) Complaint();
  Score s = ScoreOf();
  EXPECT_EQ(s.complaint.valid_complaints, 11);
  EXPECT_EQ(s.complaint.score.ToString(), "0.00");
  // weighted = (5000*90 + 2000*0) / 7000 = 64.2857... -> 64.29.
  EXPECT_EQ(s.weighted.ToString(), "64.29");
}

TEST_F(ScoringTest, BigPositiveAdjustmentClampsTheComponentAtHundred) {
  // self 90 + 20 = 110 -> 100; survey 90 + 20 -> 100; complaint 100 + 5 -> 100.
  SelfQ3("90.00", "90.00", "90.00");
  Survey("90.00");
  Adjust("selfcheck", "20.00");
  Adjust("survey", "20.00");
  Adjust("complaint", "5.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.selfcheck.score.ToString(), "100.00");
  EXPECT_EQ(s.survey.score, D("100.00"));
  EXPECT_EQ(s.complaint.score.ToString(), "100.00");
  EXPECT_EQ(s.total.ToString(), "100.00");
}

TEST_F(ScoringTest, TotalClampsAtHundredAndAtZero) {
  // weighted 95.00 (self 90, survey 100, complaint 100) + 10 -> 105 -> 100.
  SelfQ3("90.00", "90.00", "90.00");
  Survey("100.00");
  Event up = Adjust("total", "10.00");
  Score high = ScoreOf(kQ3, up.seq);
  EXPECT_EQ(high.weighted.ToString(), "95.00");
  EXPECT_EQ(high.adjustments.ToString(), "10.00");
  EXPECT_EQ(high.total.ToString(), "100.00");
  // then -200: 95 + 10 - 200 = -95 -> 0.
  Adjust("total", "-200.00");
  Score low = ScoreOf();
  EXPECT_EQ(low.adjustments.ToString(), "-190.00");
  EXPECT_EQ(low.total.ToString(), "0.00");
}

TEST_F(ScoringTest, SelfcheckAdjustmentBelowZeroClampsAtZero) {
  // 90 - 5 (spot 96 vs 90: d = 6) - 100 = -15 -> 0.
  SelfQ3("90.00", "90.00", "90.00");
  Spot("2026-07", "96.00");
  Adjust("selfcheck", "-100.00");
  EXPECT_EQ(ScoreOf().selfcheck.score.ToString(), "0.00");
}

TEST_F(ScoringTest, CallbackFindingsComeOffTheTotal) {
  // weighted 95.00 - (0.50 + 1.00) = 93.50: unqualified, (95 - 93.50) * 1000 = 1500.
  SelfQ3("90.00", "90.00", "90.00");
  Survey("100.00");
  Callback("0.50");
  Callback("1.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.weighted.ToString(), "95.00");
  EXPECT_EQ(s.callback_deductions.ToString(), "1.50");
  EXPECT_EQ(s.total.ToString(), "93.50");
  EXPECT_EQ(s.grade, "unqualified");
  EXPECT_EQ(s.amount.ToString(), "-1500.00");
}

TEST_F(ScoringTest, SurveyAdjustmentWithoutASurveyIsWarnedAbout) {
  SelfQ3("90.00", "90.00", "90.00");
  Adjust("survey", "1.00");
  Score s = ScoreOf();
  EXPECT_FALSE(s.survey.present);
  EXPECT_THAT(s.warnings, Contains("survey adjustments have no component to apply to"));
}

// SPEC §2 self-check rule 4: no report, the component is 0 — an
// adjustment to it is not applied, and a warning says so.
TEST_F(ScoringTest, SelfcheckAdjustmentWithoutAReportIsNotAppliedAndWarnedAbout) {
  Survey("90.00");
  Adjust("selfcheck", "50.00");
  Score s = ScoreOf();
  EXPECT_FALSE(s.selfcheck.present);
  EXPECT_EQ(s.selfcheck.score.ToString(), "0.00");
  EXPECT_THAT(s.warnings,
              Contains("self-check adjustments of 50.00 are not applied: with no self-check report the component is 0"));
}

// --- Grade and money (第十三条, 第十四条) ---

struct GradeCase {
  const char* total;
  const char* grade;
  const char* amount;
};

TEST(ScoringGradeTest, GradeAndAmountFollowTheBands) {
  Policy policy = DefaultPolicy();
  const GradeCase cases[] = {
      {"95.00", "qualified", "0.00"},          // exactly on the line
      {"94.99", "unqualified", "-10.00"},      // (95 - 94.99) * 1000 = 10
      {"92.50", "unqualified", "-2500.00"},    // 2.5 * 1000
      {"90.00", "unqualified", "-5000.00"},    // (95 - 90) * 1000
      {"89.00", "unqualified", "-5000.00"},    // counted as 90: capped
      {"0.00", "unqualified", "-5000.00"},     // counted as 90: capped
      {"95.01", "excellent", "20.00"},         // 0.01 * 2000
      {"97.50", "excellent", "5000.00"},       // 2.5 * 2000
      {"100.00", "excellent", "10000.00"},     // 5 * 2000
  };
  for (const auto& c : cases) {
    std::string grade;
    Decimal amount;
    GradeAndAmount(policy, D(c.total), &grade, &amount);
    EXPECT_EQ(grade, c.grade) << c.total;
    EXPECT_EQ(amount.ToString(), c.amount) << c.total;
  }
}

TEST_F(ScoringTest, TotalOfExactlyNinetyFiveIsQualifiedWithNoMoney) {
  // (5000*90 + 3000*100 + 2000*100) / 10000 = 95.00.
  SelfQ3("90.00", "90.00", "90.00");
  Survey("96.00");  // counts as 100
  Score s = ScoreOf();
  EXPECT_EQ(s.total.ToString(), "95.00");
  EXPECT_EQ(s.grade, "qualified");
  EXPECT_EQ(s.amount.ToString(), "0.00");
}

TEST_F(ScoringTest, TotalOfNinetyFourNinetyNineIsPenalisedTenYuan) {
  // (5000*89.98 + 3000*100 + 2000*100) / 10000 = (449900 + 500000) / 10000 = 94.99.
  SelfQ3("89.98", "89.98", "89.98");
  Survey("100.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.total.ToString(), "94.99");
  EXPECT_EQ(s.grade, "unqualified");
  EXPECT_EQ(s.amount.ToString(), "-10.00");
}

TEST_F(ScoringTest, TotalOfEightyNineIsPenalisedAtTheFloor) {
  // (5000*78 + 3000*100 + 2000*100) / 10000 = (390000 + 500000) / 10000 = 89.00;
  // counted as 90: (95 - 90) * 1000 = 5000.
  SelfQ3("78.00", "78.00", "78.00");
  Survey("100.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.total.ToString(), "89.00");
  EXPECT_EQ(s.grade, "unqualified");
  EXPECT_EQ(s.amount.ToString(), "-5000.00");
}

TEST_F(ScoringTest, TotalOfZeroIsPenalisedAtTheFloor) {
  // No self-check (0), no survey (absent), 10 complaints (100 - 100 = 0):
  // (5000*0 + 2000*0) / 7000 = 0.00; penalty capped at 5000.
  for (int i = 0; i < 10; ++i) Complaint();
  Score s = ScoreOf();
  EXPECT_EQ(s.total.ToString(), "0.00");
  EXPECT_EQ(s.grade, "unqualified");
  EXPECT_EQ(s.amount.ToString(), "-5000.00");
}

TEST_F(ScoringTest, TotalOfHundredIsExcellentWithTheFullReward) {
  // Every component 100: total 100.00, reward (100 - 95) * 2000 = 10000.
  SelfQ3("100.00", "100.00", "100.00");
  Survey("95.00");
  Score s = ScoreOf();
  EXPECT_EQ(s.total.ToString(), "100.00");
  EXPECT_EQ(s.grade, "excellent");
  EXPECT_EQ(s.amount.ToString(), "10000.00");
}

// --- Voids, what-ifs, points of replay ---

TEST_F(ScoringTest, VoidedEntryStopsCountingButReplayBeforeTheVoidStillCountsIt) {
  // 90, 79 (mis-recorded), 90: (90 + 79 + 90)/3 = 86.33...-> 86.33.
  Self("2026-07", "90.00");
  Event wrong = Self("2026-08", "79.00");
  Self("2026-09", "90.00");
  Event v = Void(wrong);
  // After the void: (90 + 90)/2 = 90.00; then the corrected 97: (90+97+90)/3 = 92.33.
  Event corrected = Self("2026-08", "97.00");
  EXPECT_EQ(ScoreOf(kQ3, v.seq - 1).selfcheck.average, D("86.33"));
  EXPECT_EQ(ScoreOf(kQ3, v.seq).selfcheck.average, D("90.00"));
  EXPECT_EQ(ScoreOf(kQ3, corrected.seq).selfcheck.average, D("92.33"));
}

TEST_F(ScoringTest, VoidOfAComplaintRulingRestoresTheComplaint) {
  SelfQ3("90.00", "90.00", "90.00");
  Event c = Complaint();
  Event r = ComplaintRuling(c, false);
  EXPECT_EQ(ScoreOf().complaint.score.ToString(), "100.00");
  Void(r);
  EXPECT_EQ(ScoreOf().complaint.score.ToString(), "90.00");
}

TEST_F(ScoringTest, VoidOfAnotherDepartmentsFactIsNotAStepHere) {
  SelfQ3("90.00", "90.00", "90.00");
  Event theirs = Self("2026-07", "50.00", "logistics");
  Void(theirs);
  auto d = DeriveWith({});
  ASSERT_TRUE(d.ok()) << d.status().message();
  for (const auto& step : d->steps) EXPECT_NE(step.type, EventType::kEntryVoided) << step.id;
  EXPECT_EQ(d->score.selfcheck.average, D("90.00"));
}

TEST_F(ScoringTest, WithoutLeavesAnEventOutAndMarksTheDerivationHypothetical) {
  // With the complaint: 90; without it: 100.
  SelfQ3("90.00", "90.00", "90.00");
  Event c = Complaint();
  auto real = DeriveWith({});
  ASSERT_TRUE(real.ok());
  EXPECT_FALSE(real->hypothetical());
  EXPECT_EQ(real->score.complaint.score.ToString(), "90.00");

  auto what_if = DeriveWith(ReplayOptions{std::nullopt, {c.id}});
  ASSERT_TRUE(what_if.ok()) << what_if.status().message();
  EXPECT_TRUE(what_if->hypothetical());
  EXPECT_THAT(what_if->without, ElementsAre(c.id));
  EXPECT_EQ(what_if->score.complaint.score.ToString(), "100.00");
  EXPECT_THAT(what_if->score.warnings,
              Contains("hypothetical: event \"" + c.id + "\" is left out; the ledger is unchanged"));
  bool found = false;
  for (const auto& step : what_if->steps) {
    if (step.id == c.id) {
      found = true;
      EXPECT_TRUE(step.left_out);
      EXPECT_EQ(step.complaint.ToString(), "100.00");
    } else {
      EXPECT_FALSE(step.left_out) << step.id;
    }
  }
  EXPECT_TRUE(found) << "the left-out event is still shown as a step";
  EXPECT_THAT(DerivationToText(*what_if), HasSubstr("HYPOTHETICAL"));
  EXPECT_EQ(DerivationToJson(*what_if).at("hypothetical"), true);
}

TEST_F(ScoringTest, WithoutAVoidKeepsTheVoidedFactCounting) {
  Self("2026-07", "90.00");
  Event wrong = Self("2026-08", "60.00");
  Self("2026-09", "90.00");
  Event v = Void(wrong);
  // Without the void: (90 + 60 + 90)/3 = 80.00.
  auto d = DeriveWith(ReplayOptions{std::nullopt, {v.id}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->score.selfcheck.average, D("80.00"));
}

TEST_F(ScoringTest, AsOfSeqCutsTheReplay) {
  SelfQ3("90.00", "90.00", "90.00");
  Survey("100.00");
  int64_t cut = head();
  Complaint();
  Complaint();
  Score at_cut = ScoreOf(kQ3, cut);
  EXPECT_EQ(at_cut.as_of_seq, cut);
  EXPECT_EQ(at_cut.complaint.valid_complaints, 0);
  EXPECT_EQ(at_cut.total.ToString(), "95.00");
  Score at_head = ScoreOf();
  EXPECT_EQ(at_head.as_of_seq, head());
  EXPECT_EQ(at_head.complaint.valid_complaints, 2);
  // An as-of beyond the head is the head.
  EXPECT_EQ(ScoreOf(kQ3, head() + 100).as_of_seq, head());
}

TEST_F(ScoringTest, ApprovedQuarterIsScoredAsOfItsApproval) {
  SelfQ3("90.00", "90.00", "90.00");
  Survey("100.00");
  Event approval = Approve("2026Q3");
  Self("2026-10", "80.00");  // later events of another quarter
  Complaint("2026Q4");
  Score s = ScoreOf();
  EXPECT_EQ(s.status, QuarterStatus::kApproved);
  EXPECT_EQ(s.as_of_seq, approval.seq);
  EXPECT_EQ(s.total.ToString(), "95.00");
  // As of before the approval it is still open.
  Score before = ScoreOf(kQ3, approval.seq - 1);
  EXPECT_EQ(before.status, QuarterStatus::kOpen);
  EXPECT_EQ(before.as_of_seq, approval.seq - 1);
  // Another quarter's approval does not touch this one.
  EXPECT_EQ(ScoreOf(kQ4).status, QuarterStatus::kOpen);
}

TEST_F(ScoringTest, ReopenedQuarterIsScoredAtTheHeadAgain) {
  SelfQ3("90.00", "90.00", "90.00");
  Survey("100.00");
  Event approval = Approve("2026Q3");
  Event reopen = Reopen("2026Q3");
  Complaint();  // 100 -> 90: weighted (450000 + 300000 + 180000)/10000 = 93.00
  Score published = ScoreOf(kQ3, reopen.seq - 1);
  EXPECT_EQ(published.status, QuarterStatus::kApproved);
  EXPECT_EQ(published.as_of_seq, approval.seq);
  EXPECT_EQ(published.total.ToString(), "95.00");
  Score now = ScoreOf();
  EXPECT_EQ(now.status, QuarterStatus::kReopened);
  EXPECT_EQ(now.as_of_seq, head());
  EXPECT_EQ(now.total.ToString(), "93.00");
  // Approved again: the second approval is the published point.
  Event again = Approve("2026Q3");
  Complaint("2026Q4");  // a later event of another quarter
  Score republished = ScoreOf();
  EXPECT_EQ(republished.status, QuarterStatus::kApproved);
  EXPECT_EQ(republished.as_of_seq, again.seq);
  EXPECT_EQ(republished.total.ToString(), "93.00");
}

// --- Policies in the ledger (SPEC §3) ---

TEST_F(ScoringTest, LaterPolicyAppliesFromItsQuarterAndLeavesEarlierQuartersUnchanged) {
  // Q3 and Q4 each: self 90 x3, survey 100, one complaint.
  SelfQ3("90.00", "90.00", "90.00");
  Survey("100.00");
  Complaint();
  Self("2026-10", "90.00");
  Self("2026-11", "90.00");
  Self("2026-12", "90.00");
  Survey("100.00", "2026Q4");
  Complaint("2026Q4");
  // v1: complaint 90; weighted = (450000 + 300000 + 180000)/10000 = 93.00.
  EXPECT_EQ(ScoreOf(kQ4).total.ToString(), "93.00");
  json::value v2 = DefaultPolicyJson();
  v2.as_object()["complaint_deduction"] = "20.00";
  Event adopted = AdoptPolicy(2, "2026Q4", v2);
  // v2 for Q4: complaint 80; weighted = (450000 + 300000 + 160000)/10000 = 91.00.
  Score q4 = ScoreOf(kQ4);
  EXPECT_EQ(q4.policy_version, 2);
  EXPECT_EQ(q4.complaint.score.ToString(), "80.00");
  EXPECT_EQ(q4.total.ToString(), "91.00");
  // Q3 stays on v1 at the head.
  Score q3 = ScoreOf(kQ3);
  EXPECT_EQ(q3.policy_version, 1);
  EXPECT_EQ(q3.total.ToString(), "93.00");
  // Q4 as of before the adoption: still v1.
  EXPECT_EQ(ScoreOf(kQ4, adopted.seq - 1).policy_version, 1);
}

TEST_F(ScoringTest, PolicyAdoptedAfterApprovalDoesNotChangeThePublishedScore) {
  SelfQ3("90.00", "90.00", "90.00");
  Survey("100.00");
  Complaint();
  Event approval = Approve("2026Q3");
  json::value v2 = DefaultPolicyJson();
  v2.as_object()["complaint_deduction"] = "20.00";
  AdoptPolicy(2, "2026Q3", v2);
  Score s = ScoreOf();
  EXPECT_EQ(s.as_of_seq, approval.seq);
  EXPECT_EQ(s.policy_version, 1);
  EXPECT_EQ(s.total.ToString(), "93.00");
}

TEST_F(ScoringTest, DepartmentNotInThePolicyIsNotFound) {
  auto d = DeriveWith({}, kQ3, "nowhere");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.status().message(), "department \"nowhere\" is not in policy version 1");
}

TEST_F(ScoringTest, QuarterBeforeThePolicyTakesEffectIsNotFound) {
  auto d = DeriveWith({}, Quarter{2025, 4});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(d.status().message(), "quarter 2025Q4: no policy is in force");
}

TEST_F(ScoringTest, DepartmentAddedByALaterPolicyIsScoredFromItsQuarter) {
  json::value v2 = DefaultPolicyJson();
  v2.as_object()["departments"].as_array().push_back(json::object{{"code", "audit"}, {"name", "审计部"}});
  AdoptPolicy(2, "2026Q4", v2);
  EXPECT_EQ(DeriveWith({}, kQ3, "audit").status().code(), StatusCode::kNotFound);
  auto q4 = DeriveWith({}, kQ4, "audit");
  ASSERT_TRUE(q4.ok()) << q4.status().message();
  EXPECT_EQ(q4->score.name, "审计部");
}

// --- The derivation trace and the score JSON ---

TEST_F(ScoringTest, DerivationStepsEndWithTheScoresTotal) {
  SelfQ3("90.00", "92.00", "94.00");
  Spot("2026-08", "96.00");
  Survey("94.00");
  Survey("98.00");
  Event c = Complaint();
  ComplaintRuling(c, true);
  Direct("1.00");
  Callback("0.50");
  Adjust("total", "1.00");
  Self("2026-07", "10.00", "logistics");  // not a step of storage's derivation
  auto d = DeriveWith({});
  ASSERT_TRUE(d.ok()) << d.status().message();
  // self: average (90 + 92 + 94)/3 = 92.00; Aug |96 - 92| = 4 -> 3; 89.00.
  // survey: (94 + 100)/2 = 97.00. complaint: 100 - 10 - 1 = 89.00.
  // weighted = (5000*89 + 3000*97 + 2000*89)/10000 = (445000 + 291000 + 178000)/10000 = 91.40.
  // total = 91.40 - 0.50 + 1.00 = 91.90; penalty (95 - 91.90) * 1000 = 3100.
  const Score& s = d->score;
  EXPECT_EQ(s.selfcheck.score.ToString(), "89.00");
  EXPECT_EQ(s.survey.score, D("97.00"));
  EXPECT_EQ(s.complaint.score.ToString(), "89.00");
  EXPECT_EQ(s.weighted.ToString(), "91.40");
  EXPECT_EQ(s.total.ToString(), "91.90");
  EXPECT_EQ(s.amount.ToString(), "-3100.00");
  EXPECT_EQ(s.name, "储运中心");
  EXPECT_EQ(s.quarter, "2026Q3");
  // Steps: the policy and storage's 11 facts, in seq order, not logistics'.
  ASSERT_EQ(d->steps.size(), 12u);
  EXPECT_EQ(d->steps.front().type, EventType::kPolicyAdopted);
  for (size_t i = 1; i < d->steps.size(); ++i) EXPECT_LT(d->steps[i - 1].seq, d->steps[i].seq);
  for (const auto& step : d->steps) EXPECT_THAT(step.change, ::testing::Not(IsEmpty())) << step.id;
  const Step& last = d->steps.back();
  EXPECT_EQ(last.total, s.total);
  EXPECT_EQ(last.weighted, s.weighted);
  EXPECT_EQ(last.selfcheck, s.selfcheck.score);
  EXPECT_EQ(last.survey, s.survey.score);
  EXPECT_EQ(last.complaint, s.complaint.score);
  EXPECT_EQ(last.callback_deductions, s.callback_deductions);
  EXPECT_EQ(last.adjustments, s.adjustments);
  // The running total moves: after the first self-check alone it was
  // (5000*90 + 2000*100)/7000 = 92.857... -> 92.86.
  EXPECT_EQ(d->steps[1].total.ToString(), "92.86");
  std::string text = DerivationToText(*d);
  EXPECT_THAT(text, HasSubstr("Total: 91.90  grade unqualified  amount -3100.00 yuan"));
  json::object j = DerivationToJson(*d);
  EXPECT_EQ(j.at("steps").as_array().size(), 12u);
  EXPECT_EQ(j.at("steps").as_array().back().at("total"), "91.90");
  EXPECT_EQ(j.at("score").at("total"), "91.90");
}

std::set<std::string> Keys(const json::value& v) {
  std::set<std::string> out;
  for (const auto& kv : v.as_object()) out.insert(std::string(kv.key()));
  return out;
}

TEST_F(ScoringTest, ScoreJsonHasExactlyTheSpecFieldsWithDecimalsAsStrings) {
  Self("2026-07", "90.00");
  Spot("2026-07", "93.00");
  Spot("2026-09", "80.00");  // unreported month: a warning
  Survey("96.00");
  Complaint();
  auto d = DeriveWith({});
  ASSERT_TRUE(d.ok());
  Score score = d->score;
  score.as_of_hash = std::string(64, 'a');  // the caller's to fill
  json::value j = ScoreToJson(score);
  EXPECT_EQ(Keys(j), (std::set<std::string>{"quarter", "department", "name", "status", "as_of_seq", "as_of_hash",
                                            "policy_version", "selfcheck", "survey", "complaint", "weighted",
                                            "callback_deductions", "adjustments", "total", "grade", "amount",
                                            "warnings"}));
  EXPECT_EQ(Keys(j.at("selfcheck")), (std::set<std::string>{"score", "average", "deductions", "months", "present"}));
  EXPECT_EQ(Keys(j.at("survey")), (std::set<std::string>{"score", "responses", "counted_as_100", "present"}));
  EXPECT_EQ(Keys(j.at("complaint")), (std::set<std::string>{"score", "valid_complaints", "direct_deductions"}));
  const json::array& months = j.at("selfcheck").at("months").as_array();
  ASSERT_EQ(months.size(), 3u);
  for (const auto& m : months) EXPECT_EQ(Keys(m), (std::set<std::string>{"month", "self", "spot", "deduction"}));

  // Values: self 90 - 1 (d = 3) - 5 (unreported) = 84; survey 96 -> 100;
  // complaint 90; weighted (420000 + 300000 + 180000)/10000 = 90.00.
  EXPECT_EQ(j.at("quarter"), "2026Q3");
  EXPECT_EQ(j.at("department"), "storage");
  EXPECT_EQ(j.at("name"), "储运中心");
  EXPECT_EQ(j.at("status"), "open");
  EXPECT_EQ(j.at("as_of_seq"), head());
  EXPECT_EQ(j.at("as_of_hash").as_string(), std::string(64, 'a'));
  EXPECT_EQ(j.at("policy_version"), 1);
  EXPECT_EQ(j.at("selfcheck").at("score"), "84.00");
  EXPECT_EQ(j.at("selfcheck").at("average"), "90.00");
  EXPECT_EQ(j.at("selfcheck").at("deductions"), "6.00");
  EXPECT_EQ(j.at("selfcheck").at("present"), true);
  EXPECT_EQ(months[0], (json::value{{"month", "2026-07"}, {"self", "90.00"}, {"spot", "93.00"}, {"deduction", "1.00"}}));
  EXPECT_EQ(months[1], (json::value{{"month", "2026-08"}, {"self", nullptr}, {"spot", nullptr}, {"deduction", "0.00"}}));
  EXPECT_EQ(months[2], (json::value{{"month", "2026-09"}, {"self", nullptr}, {"spot", "80.00"}, {"deduction", "5.00"}}));
  EXPECT_EQ(j.at("survey"), (json::value{{"score", "100.00"}, {"responses", 1}, {"counted_as_100", 1}, {"present", true}}));
  EXPECT_EQ(j.at("complaint"),
            (json::value{{"score", "90.00"}, {"valid_complaints", 1}, {"direct_deductions", "0.00"}}));
  EXPECT_EQ(j.at("weighted"), "90.00");
  EXPECT_EQ(j.at("callback_deductions"), "0.00");
  EXPECT_EQ(j.at("adjustments"), "0.00");
  EXPECT_EQ(j.at("total"), "90.00");
  EXPECT_EQ(j.at("grade"), "unqualified");
  EXPECT_EQ(j.at("amount"), "-5000.00");
  ASSERT_TRUE(j.at("warnings").is_array());
  ASSERT_EQ(j.at("warnings").as_array().size(), 1u);
  EXPECT_THAT(std::string(j.at("warnings").as_array()[0].as_string()), HasSubstr("2026-09"));
}

TEST_F(ScoringTest, ScoreJsonWritesAnAbsentSurveyAndSelfcheckAsNull) {
  Complaint();
  auto d = DeriveWith({});
  ASSERT_TRUE(d.ok());
  json::value j = ScoreToJson(d->score);
  EXPECT_TRUE(j.at("survey").at("score").is_null());
  EXPECT_EQ(j.at("survey").at("present"), false);
  EXPECT_TRUE(j.at("selfcheck").at("average").is_null());
  EXPECT_EQ(j.at("selfcheck").at("score"), "0.00");
  EXPECT_EQ(j.at("selfcheck").at("present"), false);
  EXPECT_EQ(j.at("warnings").as_array().size(), 2u);
}

}  // namespace
}  // namespace qledger::domain

namespace qledger::domain {
namespace {

// The running values a derivation shows after each step are kept as tallies
// (fold.h), updated as responses and complaints are added, ruled and voided.
// After every step they must equal the score of a replay cut at that step,
// and a score-only replay (trace = false) must end in the same score.
TEST_F(ScoringTest, RunningTalliesEqualAFreshReplayAfterEveryStep) {
  SelfQ3("90.00", "91.00", "92.00");
  std::vector<Event> responses, complaints, rulings;
  for (int i = 0; i < 12; ++i) {
    const char* scores[] = {"80.00", "94.99", "95.00", "99.50", "70.25", "88.88"};
    responses.push_back(Survey(scores[i % 6]));
    if (i % 4 == 1) complaints.push_back(Complaint());
  }
  rulings.push_back(SurveyRuling(responses[0], "rescored", "96.00"));
  rulings.push_back(SurveyRuling(responses[1], "voided"));
  rulings.push_back(SurveyRuling(responses[2], "upheld"));
  rulings.push_back(SurveyRuling(responses[0], "rescored", "60.00"));  // a later ruling wins
  Void(rulings[3]);                                                  // ... until it is voided
  Void(responses[4]);
  Void(rulings[1]);  // the response counts again
  ComplaintRuling(complaints[0], false);
  Event valid_again = ComplaintRuling(complaints[0], true);
  Void(valid_again);
  Void(complaints[1]);
  Survey("100.00");
  Complaint();

  auto full = DeriveWith(ReplayOptions{});
  ASSERT_TRUE(full.ok()) << full.status().message();
  ASSERT_GT(full->steps.size(), 30u);
  for (const Step& step : full->steps) {
    // Only the policy comes before the first fact: no running total there.
    EXPECT_EQ(step.running, step.seq > 1) << "seq " << step.seq;
    if (!step.running) continue;
    Score cut = ScoreOf(kQ3, step.seq);
    EXPECT_EQ(step.survey, cut.survey.score) << "after seq " << step.seq;
    EXPECT_EQ(step.complaint, cut.complaint.score) << "after seq " << step.seq;
    EXPECT_EQ(step.total, cut.total) << "after seq " << step.seq;
  }
  ReplayOptions score_only;
  score_only.trace = false;
  auto quick = DeriveWith(score_only);
  ASSERT_TRUE(quick.ok());
  EXPECT_TRUE(quick->steps.empty());
  EXPECT_EQ(ScoreToJson(quick->score), ScoreToJson(full->score));
  EXPECT_EQ(full->score.survey.responses, 12);  // 13 recorded, one voided, one ruled voided then restored
}

}  // namespace
}  // namespace qledger::domain
