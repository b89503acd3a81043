#include "qledger/domain/event_input.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "qledger/domain/hash_chain.h"
#include "qledger/domain/policy.h"

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

namespace qledger::domain {
namespace {

struct Normalized {
  bool ok = false;
  Event event;
  std::vector<std::string> errors;
};

Normalized Normalize(std::string_view text) {
  Normalized n;
  n.ok = NormalizeInputEvent(json::parse(text), &n.event, &n.errors);
  EXPECT_EQ(n.ok, n.errors.empty()) << "the result and the error list must agree";
  return n;
}

// A valid self-check with the given data object (as JSON text).
std::string SelfcheckWith(const std::string& data) {
  return R"({"id":"2026-07-storage-selfcheck","type":"selfcheck.reported","department":"storage",)"
         R"("period":"2026-07","occurred_at":"2026-08-03","actor":"储运中心/质量管理员","data":)" +
         data + "}";
}

std::string SurveyRuledWith(const std::string& data) {
  return R"({"id":"r1","type":"survey.ruled","department":"storage","period":"2026Q3",)"
         R"("occurred_at":"2026-10-05","actor":"委员会","data":)" +
         data + "}";
}

TEST(EventInputTest, NormalisesAValidSelfcheck) {
  Normalized n = Normalize(SelfcheckWith(R"({"score":"96.50"})"));
  ASSERT_TRUE(n.ok) << ::testing::PrintToString(n.errors);
  EXPECT_EQ(n.event.id, "2026-07-storage-selfcheck");
  EXPECT_EQ(n.event.type, EventType::kSelfcheckReported);
  EXPECT_EQ(n.event.department, "storage");
  EXPECT_EQ(n.event.period, "2026-07");
  EXPECT_EQ(n.event.occurred_at, "2026-08-03");
  EXPECT_EQ(n.event.actor, "储运中心/质量管理员");
  EXPECT_EQ(n.event.seq, 0);
  EXPECT_EQ(n.event.recorded_at, "");
  EXPECT_EQ(n.event.data, (json::object{{"score", "96.50"}}));
}

TEST(EventInputTest, NumberAndStringScoresNormaliseToTheSameTwoDecimalString) {
  Normalized as_number = Normalize(SelfcheckWith(R"({"score":96.5})"));
  Normalized as_string = Normalize(SelfcheckWith(R"({"score":"96.50"})"));
  Normalized as_short_string = Normalize(SelfcheckWith(R"({"score":"96.5"})"));
  Normalized as_int = Normalize(SelfcheckWith(R"({"score":96})"));
  ASSERT_TRUE(as_number.ok && as_string.ok && as_short_string.ok && as_int.ok);
  EXPECT_EQ(as_number.event.data.at("score"), "96.50");
  EXPECT_EQ(as_string.event.data.at("score"), "96.50");
  EXPECT_EQ(as_short_string.event.data.at("score"), "96.50");
  EXPECT_EQ(as_int.event.data.at("score"), "96.00");
  // "identical content" is judged after normalisation.
  EXPECT_EQ(ContentKey(as_number.event), ContentKey(as_string.event));
}

TEST(EventInputTest, RejectsAScoreWithThreeDecimals) {
  Normalized as_number = Normalize(SelfcheckWith(R"({"score":96.505})"));
  EXPECT_FALSE(as_number.ok);
  EXPECT_THAT(as_number.errors, ElementsAre("data.score: 96.505 has more than two decimals"));
  Normalized as_string = Normalize(SelfcheckWith(R"({"score":"96.505"})"));
  EXPECT_THAT(as_string.errors, ElementsAre("data.score: 96.505 has more than two decimals"));
}

TEST(EventInputTest, RejectsScoresOutsideZeroToHundred) {
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":"100.01"})")).errors,
              ElementsAre("data.score: 100.01 is above 100.00"));
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":-0.01})")).errors,
              ElementsAre("data.score: -0.01 is below 0.00"));
  EXPECT_TRUE(Normalize(SelfcheckWith(R"({"score":"100.00"})")).ok);
  EXPECT_TRUE(Normalize(SelfcheckWith(R"({"score":0})")).ok);
}

TEST(EventInputTest, RejectsAnUnknownDataFieldByName) {
  Normalized n = Normalize(SelfcheckWith(R"({"score":"96.50","xxx":1})"));
  EXPECT_FALSE(n.ok);
  EXPECT_THAT(n.errors, ElementsAre("data.xxx: is not a known field"));
}

TEST(EventInputTest, RejectsAMissingOrMistypedScore) {
  EXPECT_THAT(Normalize(SelfcheckWith("{}")).errors, ElementsAre("data.score: is required"));
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":null})")).errors, ElementsAre("data.score: is required"));
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":true})")).errors,
              ElementsAre("data.score: expected a decimal number"));
}

TEST(EventInputTest, ReportsEveryMissingEnvelopeField) {
  Normalized n = Normalize("{}");
  EXPECT_FALSE(n.ok);
  EXPECT_THAT(n.errors, UnorderedElementsAre("id: is required", "type: is required", "occurred_at: is required",
                                             "actor: is required"));
}

TEST(EventInputTest, ReportsMissingDepartmentPeriodAndData) {
  Normalized n = Normalize(R"({"id":"x","type":"selfcheck.reported","occurred_at":"2026-08-03","actor":"a"})");
  EXPECT_THAT(n.errors, UnorderedElementsAre("department: is required", "period: is required", "data: is required"));
}

TEST(EventInputTest, RejectsAnEventThatIsNotAnObject) {
  EXPECT_THAT(Normalize("[1]").errors, ElementsAre("event must be a JSON object"));
  EXPECT_THAT(Normalize("\"x\"").errors, ElementsAre("event must be a JSON object"));
}

TEST(EventInputTest, RejectsAnUnknownTypeAndUnknownEnvelopeField) {
  Normalized n = Normalize(
      R"({"id":"x","type":"selfcheck.reportd","occurred_at":"2026-08-03","actor":"a","data":{},"colour":"red"})");
  EXPECT_THAT(n.errors, UnorderedElementsAre("type: \"selfcheck.reportd\" is not a known event type",
                                             "colour: is not a known field"));
}

TEST(EventInputTest, RejectsAMalformedBusinessDate) {
  Normalized n = Normalize(
      R"({"id":"x","type":"entry.voided","occurred_at":"2026-02-30","actor":"a","data":{"target":"t","reason":"r"}})");
  EXPECT_THAT(n.errors, ElementsAre("occurred_at: \"2026-02-30\" is not a date (YYYY-MM-DD)"));
}

TEST(EventInputTest, AcceptsTheFieldsTheLedgerSetsOnReimport) {
  Normalized n = Normalize(
      R"({"seq":3,"recorded_at":"2026-08-03T00:00:00Z","hash":"ab","id":"x","type":"entry.voided",)"
      R"("occurred_at":"2026-08-03","actor":"a","data":{"target":"t","reason":"r"}})");
  EXPECT_TRUE(n.ok) << ::testing::PrintToString(n.errors);
  EXPECT_EQ(n.event.seq, 0) << "seq is the ledger's to set, not the input's";
  EXPECT_EQ(n.event.recorded_at, "");
}

TEST(EventInputTest, RejectsAPeriodOfTheWrongKindForTheType) {
  EXPECT_THAT(Normalize(R"({"id":"x","type":"selfcheck.reported","department":"storage","period":"2026Q3",)"
                        R"("occurred_at":"2026-08-03","actor":"a","data":{"score":"90"}})")
                  .errors,
              ElementsAre("period: \"2026Q3\" is not a month (YYYY-MM)"));
  EXPECT_THAT(Normalize(R"({"id":"x","type":"survey.responded","department":"storage","period":"2026-07",)"
                        R"("occurred_at":"2026-08-03","actor":"a","data":{"respondent":"c","score":"90"}})")
                  .errors,
              ElementsAre("period: \"2026-07\" is not a quarter (YYYYQn)"));
  EXPECT_THAT(Normalize(R"({"id":"x","type":"budget.expense","period":"2026Q3",)"
                        R"("occurred_at":"2026-08-03","actor":"a","data":{"amount":"100","purpose":"p"}})")
                  .errors,
              ElementsAre("period: \"2026Q3\" is not a year (YYYY)"));
  EXPECT_THAT(Normalize(R"({"id":"x","type":"quarter.approved","period":"2026Q5",)"
                        R"("occurred_at":"2026-08-03","actor":"a","data":{"approved_by":"c","meeting_date":"2026-10-10"}})")
                  .errors,
              ElementsAre("period: \"2026Q5\" is not a quarter (YYYYQn)"));
}

// SPEC §1: a quarter typed as 2026Q3, 2026q3, 2026-Q3 or 2026年第3季度 is
// accepted in every input, and an event stores it as YYYYQn — its period,
// and a policy's effective_from.
TEST(EventInputTest, AQuarterTypedAsPeopleTypeItIsStoredAsYYYYQn) {
  for (const char* typed : {"2026Q3", "2026q3", "2026-Q3", "2026年第3季度"}) {
    Normalized n = Normalize(std::string(R"({"id":"x","type":"survey.responded","department":"storage","period":")") +
                             typed + R"(","occurred_at":"2026-08-03","actor":"a","data":{"respondent":"c","score":"90"}})");
    EXPECT_TRUE(n.ok) << typed << ": " << ::testing::PrintToString(n.errors);
    EXPECT_EQ(n.event.period, "2026Q3") << typed;
  }
  Normalized approved = Normalize(R"({"id":"x","type":"quarter.approved","period":"2026年第2季度",)"
                                  R"("occurred_at":"2026-08-03","actor":"a","data":{"approved_by":"c","meeting_date":"2026-07-10"}})");
  EXPECT_TRUE(approved.ok) << ::testing::PrintToString(approved.errors);
  EXPECT_EQ(approved.event.period, "2026Q2");
  Normalized policy = Normalize(R"({"id":"p2","type":"policy.adopted","occurred_at":"2026-08-03","actor":"a",)"
                                R"("data":{"version":0,"effective_from":"2027q1","policy":{}}})");
  EXPECT_THAT(policy.errors, ::testing::Not(::testing::Contains(HasSubstr("effective_from"))));
  EXPECT_EQ(policy.event.data.at("effective_from"), "2027Q1");
  // A month is no quarter in any spelling.
  EXPECT_THAT(Normalize(R"({"id":"x","type":"survey.responded","department":"storage","period":"2026年7月",)"
                        R"("occurred_at":"2026-08-03","actor":"a","data":{"respondent":"c","score":"90"}})")
                  .errors,
              ElementsAre("period: \"2026年7月\" is not a quarter (YYYYQn)"));
}

TEST(EventInputTest, RejectsDepartmentOrPeriodOnATypeWithoutThem) {
  Normalized n = Normalize(R"({"id":"x","type":"entry.voided","department":"storage","period":"2026Q3",)"
                           R"("occurred_at":"2026-08-03","actor":"a","data":{"target":"t","reason":"r"}})");
  EXPECT_THAT(n.errors, UnorderedElementsAre("department: is not a field of entry.voided",
                                             "period: is not a field of entry.voided"));
  Normalized approved = Normalize(R"({"id":"x","type":"quarter.approved","department":"storage","period":"2026Q3",)"
                                  R"("occurred_at":"2026-10-10","actor":"a",)"
                                  R"("data":{"approved_by":"c","meeting_date":"2026-10-10"}})");
  EXPECT_THAT(approved.errors, ElementsAre("department: is not a field of quarter.approved"));
}

TEST(EventInputTest, SurveyRulingCarriesAScoreOnlyWhenRescored) {
  Normalized rescored = Normalize(SurveyRuledWith(R"({"response":"s1","outcome":"rescored","score":96,"ruling":"R1"})"));
  ASSERT_TRUE(rescored.ok) << ::testing::PrintToString(rescored.errors);
  EXPECT_EQ(rescored.event.data.at("score"), "96.00");

  EXPECT_THAT(Normalize(SurveyRuledWith(R"({"response":"s1","outcome":"rescored","ruling":"R1"})")).errors,
              ElementsAre("data.score: is required"));
  EXPECT_THAT(Normalize(SurveyRuledWith(R"({"response":"s1","outcome":"upheld","score":"96","ruling":"R1"})")).errors,
              ElementsAre("data.score: is only given when the outcome is rescored"));
  EXPECT_THAT(Normalize(SurveyRuledWith(R"({"response":"s1","outcome":"voided","score":"96","ruling":"R1"})")).errors,
              ElementsAre("data.score: is only given when the outcome is rescored"));
  Normalized upheld = Normalize(SurveyRuledWith(R"({"response":"s1","outcome":"upheld","ruling":"R1"})"));
  EXPECT_TRUE(upheld.ok) << ::testing::PrintToString(upheld.errors);
  EXPECT_FALSE(upheld.event.data.contains("score"));
  EXPECT_THAT(Normalize(SurveyRuledWith(R"({"response":"s1","outcome":"dismissed","ruling":"R1"})")).errors,
              ElementsAre("data.outcome: \"dismissed\" is not one of upheld, voided, rescored"));
  EXPECT_THAT(
      Normalize(SurveyRuledWith(R"({"response":"s1","outcome":"rescored","score":"100.01","ruling":"R1"})")).errors,
      ElementsAre("data.score: 100.01 is above 100.00"));
}

TEST(EventInputTest, NormalisesItemsAndNamesTheBadOne) {
  Normalized n = Normalize(SelfcheckWith(R"({"score":96.5,"items":[{"name":"台账管理","score":97},{"name":"b","score":"96.5"}]})"));
  ASSERT_TRUE(n.ok) << ::testing::PrintToString(n.errors);
  EXPECT_EQ(json::serialize(n.event.data.at("items")),
            R"([{"name":"台账管理","score":"97.00"},{"name":"b","score":"96.50"}])");

  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":"90","items":[{"name":"a","score":"90"},{"name":"b","score":101}]})"))
                  .errors,
              ElementsAre("data.items[1].score: 101.00 is above 100.00"));
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":"90","items":[{"name":"a","score":"90","weight":2}]})")).errors,
              ElementsAre("data.items[0].weight: is not a known field"));
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":"90","items":[{"score":"90"}]})")).errors,
              ElementsAre("data.items[0].name: is required"));
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":"90","items":{"name":"a"}})")).errors,
              ElementsAre("data.items: must be an array of {name, score}"));
  EXPECT_THAT(Normalize(SelfcheckWith(R"({"score":"90","items":["a"]})")).errors,
              ElementsAre("data.items[0]: must be an object {name, score}"));
}

TEST(EventInputTest, ChecksTheDataOfOtherTypes) {
  const std::string head = R"({"id":"x","department":"storage","period":"2026Q3","occurred_at":"2026-08-14","actor":"a",)";
  EXPECT_THAT(Normalize(head + R"("type":"complaint.recorded","data":{"received_at":"yesterday","channel":"c","summary":"s"}})")
                  .errors,
              ElementsAre("data.received_at: \"yesterday\" is not a date-time (YYYY-MM-DDTHH:MM[:SS][Z|+08:00])"));
  EXPECT_THAT(Normalize(head + R"("type":"complaint.ruled","data":{"complaint":"c","valid":"no","reason":"r","ruling":"R"}})")
                  .errors,
              ElementsAre("data.valid: must be true or false"));
  EXPECT_THAT(Normalize(head + R"("type":"score.adjusted","data":{"component":"total","points":0,"reason":"r","ruling":"R"}})")
                  .errors,
              ElementsAre("data.points: must not be zero"));
  EXPECT_THAT(Normalize(head + R"("type":"score.adjusted","data":{"component":"bonus","points":1,"reason":"r","ruling":"R"}})")
                  .errors,
              ElementsAre("data.component: \"bonus\" is not one of selfcheck, survey, complaint, total"));
  Normalized adj = Normalize(head + R"("type":"score.adjusted","data":{"component":"total","points":-1.5,"reason":"r","ruling":"R"}})");
  ASSERT_TRUE(adj.ok) << ::testing::PrintToString(adj.errors);
  EXPECT_EQ(adj.event.data.at("points"), "-1.50");
  Normalized cb = Normalize(head + R"("type":"callback.finding","data":{"points":0.5,"reason":"r"}})");
  ASSERT_TRUE(cb.ok) << ::testing::PrintToString(cb.errors);
  EXPECT_EQ(cb.event.data.at("points"), "0.50");
  EXPECT_THAT(Normalize(head + R"("type":"complaint.handled","data":{"complaint":"c","stage":"closed","at":"2026-08-14T10:00"}})")
                  .errors,
              ElementsAre("data.stage: \"closed\" is not one of acknowledged, resolved"));
  EXPECT_THAT(Normalize(head + R"("type":"survey.disputed","data":{"response":"","reason":"r"}})").errors,
              ElementsAre("data.response: must not be empty"));
}

TEST(EventInputTest, PolicyAdoptedNamesTheBadPolicyField) {
  Normalized n = Normalize(
      R"({"id":"p2","type":"policy.adopted","occurred_at":"2026-08-03","actor":"a",)"
      R"("data":{"version":0,"effective_from":"2026-07","policy":{}}})");
  EXPECT_FALSE(n.ok);
  EXPECT_THAT(n.errors, ::testing::Contains("data.version: must be a positive integer"));
  EXPECT_THAT(n.errors, ::testing::Contains("data.effective_from: \"2026-07\" is not a quarter (YYYYQn)"));
  EXPECT_THAT(n.errors, ::testing::Contains(HasSubstr("data.policy.departments: is required")));
}

TEST(EventInputTest, PolicyAdoptedStoresPolicyDecimalsAsTwoDecimalStrings) {
  // SPEC §4: inside the policy object too, decimals are strings and counts
  // integers, whatever form they arrived in; a JSON double must never reach
  // the hashed bytes (canonical JSON would write it as null).
  Normalized n = Normalize(
      R"({"id":"p2","type":"policy.adopted","occurred_at":"2026-08-03","actor":"a","data":{"version":2,)"
      R"("effective_from":"2026Q4","policy":{"departments":[{"code":"storage","name":"储运中心"}],)"
      R"("weights":{"selfcheck":5000,"survey":3000,"complaint":2000},)"
      R"("spotcheck_tiers":[{"max_difference":3,"deduction":1},{"max_difference":5.5,"deduction":"3"},)"
      R"({"max_difference":null,"deduction":5}],"survey_full_marks_from":95.5,"complaint_deduction":"10",)"
      R"("callback_points":{"min":0.5,"max":1},"grades":{"qualified":95,"reward_per_point":2000,)"
      R"("penalty_per_point":"1000.0","penalty_floor":90},"annual_quota":30000}}})");
  ASSERT_TRUE(n.ok) << ::testing::PrintToString(n.errors);
  const json::object& p = n.event.data.at("policy").as_object();
  EXPECT_EQ(p.at("survey_full_marks_from"), "95.50");
  EXPECT_EQ(p.at("complaint_deduction"), "10.00");
  EXPECT_EQ(p.at("annual_quota"), "30000.00");
  EXPECT_EQ(json::serialize(p.at("spotcheck_tiers")),
            R"([{"max_difference":"3.00","deduction":"1.00"},{"max_difference":"5.50","deduction":"3.00"},)"
            R"({"max_difference":null,"deduction":"5.00"}])");
  EXPECT_EQ(json::serialize(p.at("callback_points")), R"({"min":"0.50","max":"1.00"})");
  EXPECT_EQ(p.at("grades").at("penalty_per_point"), "1000.00");
  // Counts stay integers and names stay text.
  EXPECT_EQ(p.at("weights").at("selfcheck"), 5000);
  EXPECT_EQ(p.at("departments").at(0).at("name"), "储运中心");
  EXPECT_EQ(n.event.data.at("version"), 2);
  // The stored policy reads back to the same numbers.
  auto parsed = ParsePolicy(n.event.data.at("policy"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->survey_full_marks_from.ToString(), "95.50");
  // The only null in the hashed bytes is the unbounded tier's.
  std::string key = ContentKey(n.event);
  EXPECT_EQ(key.find("null"), key.rfind("null"));
  EXPECT_NE(key.find("\"max_difference\":null"), std::string::npos);
}

TEST(EventInputTest, ParseInputTextReadsJsonLinesSkippingBlankLines) {
  std::vector<InputEvent> in = ParseInputText("{\"a\":1}\n\n   \n{\"a\":2}\r\n{\"a\":3}");
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in[0].where, "line 1");
  EXPECT_EQ(in[1].where, "line 4");
  EXPECT_EQ(in[2].where, "line 5");
  EXPECT_EQ(in[0].json, json::parse("{\"a\":1}"));
  EXPECT_EQ(in[1].json, json::parse("{\"a\":2}"));
  EXPECT_EQ(in[2].json, json::parse("{\"a\":3}"));
  for (const auto& e : in) EXPECT_THAT(e.parse_error, IsEmpty());
}

TEST(EventInputTest, ParseInputTextReportsTheLineNumberOfAMalformedLine) {
  std::vector<InputEvent> in = ParseInputText("{\"a\":1}\n\n{\"a\":\n{\"a\":3}\n");
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in[1].where, "line 3");
  EXPECT_THAT(in[1].parse_error, HasSubstr("malformed JSON"));
  EXPECT_THAT(in[0].parse_error, IsEmpty());
  EXPECT_EQ(in[2].where, "line 4");
  EXPECT_THAT(in[2].parse_error, IsEmpty());
}

TEST(EventInputTest, ParseInputTextReadsAJsonArray) {
  std::vector<InputEvent> in = ParseInputText("  \n[{\"a\":1},\n {\"a\":2}]\n");
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0].where, "element 1");
  EXPECT_EQ(in[1].where, "element 2");
  EXPECT_EQ(in[1].json, json::parse("{\"a\":2}"));

  std::vector<InputEvent> broken = ParseInputText("[{\"a\":1},");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_THAT(broken[0].parse_error, HasSubstr("malformed JSON array"));
}

TEST(EventInputTest, ParseInputTextSkipsAUtf8ByteOrderMark) {
  std::vector<InputEvent> lines = ParseInputText("\xEF\xBB\xBF{\"a\":1}\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0].parse_error, IsEmpty());
  EXPECT_EQ(lines[0].where, "line 1");
  std::vector<InputEvent> array = ParseInputText("\xEF\xBB\xBF[{\"a\":1}]");
  ASSERT_EQ(array.size(), 1u);
  EXPECT_EQ(array[0].where, "element 1");
}

TEST(EventInputTest, ParseInputTextOfNothingIsNoEvents) {
  EXPECT_THAT(ParseInputText(""), IsEmpty());
  EXPECT_THAT(ParseInputText("\n\n  \n"), IsEmpty());
}

// Input text is read by ParseExactJson: a JSON number is never a double.
Normalized NormalizeText(const std::string& line) {
  std::vector<InputEvent> in = ParseInputText(line);
  EXPECT_EQ(in.size(), 1u);
  Normalized n;
  EXPECT_EQ(in[0].parse_error, "");
  n.ok = NormalizeInputEvent(in[0].json, &n.event, &n.errors);
  return n;
}

TEST(EventInputTest, NumbersInInputTextAreReadExactlyNotAsDoubles) {
  // As a double, 96.499999999999999999 would be 96.5; read exactly it has
  // more than two decimals.
  Normalized long_digits = NormalizeText(SelfcheckWith(R"({"score":96.499999999999999999})"));
  EXPECT_THAT(long_digits.errors, ElementsAre("data.score: 96.499999999999999999 has more than two decimals"));
  // Exponents move the decimal point in the text: 9.65e1 = 96.5, 9650E-2 = 96.5.
  Normalized exponent = NormalizeText(SelfcheckWith(R"({"score":9.65e1})"));
  ASSERT_TRUE(exponent.ok) << ::testing::PrintToString(exponent.errors);
  EXPECT_EQ(exponent.event.data.at("score"), "96.50");
  Normalized negative_exponent = NormalizeText(SelfcheckWith(R"({"score":9650E-2})"));
  ASSERT_TRUE(negative_exponent.ok);
  EXPECT_EQ(negative_exponent.event.data.at("score"), "96.50");
  Normalized tiny = NormalizeText(SelfcheckWith(R"({"score":1e-3})"));
  EXPECT_THAT(tiny.errors, ElementsAre(HasSubstr("has more than two decimals")));
}

TEST(EventInputTest, ANumberWhereTextIsExpectedIsRejected) {
  std::string line = SelfcheckWith(R"({"score":"96.50"})");
  line.replace(line.find(R"("储运中心/质量管理员")"), std::string(R"("储运中心/质量管理员")").size(), "12.5");
  Normalized n = NormalizeText(line);
  EXPECT_THAT(n.errors, ElementsAre("actor: must be a string"));
}

TEST(EventInputTest, TrailingTextAfterAnEventIsMalformed) {
  std::vector<InputEvent> in = ParseInputText(SelfcheckWith(R"({"score":"96.50"})") + " xx\n");
  ASSERT_EQ(in.size(), 1u);
  EXPECT_THAT(in[0].parse_error, HasSubstr("malformed JSON"));
  EXPECT_EQ(in[0].where, "line 1");
}

// ---- Input that Boost.JSON would accept and SPEC §4 refuses ----

std::string ParseErrorOf(const std::string& line) {
  std::vector<InputEvent> in = ParseInputText(line);
  EXPECT_EQ(in.size(), 1u);
  return in.empty() ? "" : in[0].parse_error;
}

TEST(EventInputTest, ADuplicateKeyIsRefusedNamingTheObject) {
  EXPECT_EQ(ParseErrorOf(SelfcheckWith(R"({"score":"96.50","score":"10.00"})")),
            R"(malformed JSON: data.score: the key "score" appears twice in one object)");
  EXPECT_EQ(ParseErrorOf(R"({"id":"a","id":"b"})"), R"(malformed JSON: id: the key "id" appears twice in one object)");
  // Past the flat list of keys, the same check through a set.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":1,";
  many += "\"k7\":2}";
  EXPECT_EQ(ParseErrorOf(many), R"(malformed JSON: k7: the key "k7" appears twice in one object)");
  // The same key in two objects is fine.
  EXPECT_EQ(ParseErrorOf(R"({"a":{"x":1},"b":{"x":1}})"), "");
}

TEST(EventInputTest, AControlCharacterInAnyStringOrKeyIsRefusedNamingTheField) {
  EXPECT_EQ(ParseErrorOf(SelfcheckWith(R"({"score":"96.50","items":[{"name":"a\u0000b","score":"1.00"}]})")),
            "malformed JSON: data.items[0].name: a control character (U+0000) in a string");
  EXPECT_EQ(ParseErrorOf(R"({"actor":"line\nbreak"})"), "malformed JSON: actor: a control character (U+000A) in a string");
  EXPECT_EQ(ParseErrorOf(R"({"ac\u007ftor":"x"})"), "malformed JSON: the document: a control character (U+007F) in a key");
  EXPECT_EQ(ParseErrorOf(R"({"actor":"\u0085"})"), "malformed JSON: actor: a control character (U+0085) in a string");
  // Raw (unescaped) control bytes are not JSON at all: named by column and
  // the member being read.
  EXPECT_EQ(ParseErrorOf(std::string("{\"actor\":\"a") + '\x01' + "\"}"),
            "malformed JSON: a control character (U+0001) at column 12, in actor");
  EXPECT_EQ(ParseErrorOf(std::string("{\"id\":\"a\",\"ac") + '\x01' + "tor\":1}"),
            "malformed JSON: a control character (U+0001) at column 14, in the key after id");
}

TEST(EventInputTest, MalformedJsonIsNamedByItsColumnOrItsLineInAnArray) {
  EXPECT_EQ(ParseErrorOf(std::string(R"({"actor":"储运)") + '\xff' + "\"}"),
            "malformed JSON: bytes that are not UTF-8 at column 13, in actor");
  EXPECT_EQ(ParseErrorOf(R"({"id":"a",})"), "malformed JSON: syntax error at column 11");
  EXPECT_EQ(ParseErrorOf(R"({"id":"a")"), "malformed JSON: the JSON text ends too early, at column 10");
  EXPECT_EQ(ParseErrorOf(R"({"id":"a"} x)"), "malformed JSON: more after the JSON value, at column 12");
  std::vector<InputEvent> in = ParseInputText("[\n  {\"id\": \"a\"},\n  {\"id\": x}\n]\n");
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].parse_error, "malformed JSON array: syntax error at line 3, column 10");
}

TEST(EventInputTest, TextOfOnlyWhiteSpaceIsRefusedLikeEmptyText) {
  json::value v = json::parse(SelfcheckWith(R"({"score":"96.50"})"));
  v.as_object()["actor"] = " \u3000";
  Event e;
  std::vector<std::string> errors;
  EXPECT_FALSE(NormalizeInputEvent(v, &e, &errors));
  EXPECT_THAT(errors, ElementsAre("actor: must not be only white space"));
  v.as_object()["actor"] = " 储运中心 ";
  errors.clear();
  EXPECT_TRUE(NormalizeInputEvent(v, &e, &errors));
}

TEST(EventInputTest, AStringThatStartsWithTheNumberMarkerIsNeverReadAsANumber) {
  // "\u00011.5" once became the score 1.50.
  EXPECT_EQ(ParseErrorOf(SelfcheckWith(R"({"score":"\u00011.5"})")),
            "malformed JSON: data.score: a control character (U+0001) in a string");
  // Built without the parser (as the spreadsheet import builds events), the
  // marked text is still no number where text is expected, and no text
  // field takes a control character.
  json::value built = json::parse(SelfcheckWith(R"({"score":"96.50"})"));
  built.as_object()["actor"] = "\x01" "12.5";
  Event e;
  std::vector<std::string> errors;
  EXPECT_FALSE(NormalizeInputEvent(built, &e, &errors));
  EXPECT_THAT(errors, ElementsAre("actor: must be a string"));
}

TEST(EventInputTest, IdsOfOnlyWhiteSpaceOrWithSeparatorsOrInvisibleCharactersAreRefused) {
  auto id_errors = [](const std::string& id) {
    json::value v = json::parse(SelfcheckWith(R"({"score":"96.50"})"));
    v.as_object()["id"] = id;
    Event e;
    std::vector<std::string> errors;
    NormalizeInputEvent(v, &e, &errors);
    return errors;
  };
  EXPECT_THAT(id_errors("   "), ElementsAre("id: must not be only white space"));
  EXPECT_THAT(id_errors("\u3000\u00a0 \u2003"), ElementsAre("id: must not be only white space"));
  EXPECT_THAT(id_errors("a\u2028b"), ElementsAre("id: holds an invisible or separator character (U+2028)"));
  EXPECT_THAT(id_errors("a\u2029b"), ElementsAre("id: holds an invisible or separator character (U+2029)"));
  EXPECT_THAT(id_errors("a\u200bb"), ElementsAre("id: holds an invisible or separator character (U+200B)"));
  EXPECT_THAT(id_errors("a\u202eb"), ElementsAre("id: holds an invisible or separator character (U+202E)"));
  EXPECT_THAT(id_errors("\ufeffa"), ElementsAre("id: holds an invisible or separator character (U+FEFF)"));
  // Format characters that print nothing, noncharacters, private use.
  EXPECT_THAT(id_errors("a\u00adb"), ElementsAre("id: holds an invisible or separator character (U+00AD)"));
  EXPECT_THAT(id_errors("a\U000E0001b"), ElementsAre("id: holds an invisible or separator character (U+E0001)"));
  EXPECT_THAT(id_errors("a\uffffb"), ElementsAre("id: holds a noncharacter (U+FFFF)"));
  EXPECT_THAT(id_errors("a\ufdd0b"), ElementsAre("id: holds a noncharacter (U+FDD0)"));
  EXPECT_THAT(id_errors("a\ue000b"), ElementsAre("id: holds a private-use character (U+E000)"));
  EXPECT_THAT(id_errors("a\U0010FFFDb"), ElementsAre("id: holds a private-use character (U+10FFFD)"));
  EXPECT_THAT(id_errors("a\x7f"), ElementsAre("id: holds a control character (U+007F)"));
  EXPECT_THAT(id_errors("a\u0085"), ElementsAre("id: holds a control character (U+0085)"));
  EXPECT_THAT(id_errors(std::string(201, 'a')), ElementsAre("id: must be at most 200 bytes"));
  // Printable ids, with inner spaces and Chinese, are fine.
  EXPECT_THAT(id_errors("2026Q3 储运中心 问卷-01"), IsEmpty());
}

TEST(EventInputTest, IntegersOutOfRangeAreRefusedNamingTheField) {
  Normalized big = NormalizeText(
      R"({"id":"p","type":"policy.adopted","occurred_at":"2026-01-01","actor":"委员会",)"
      R"("data":{"version":9223372036854775807,"effective_from":"2026Q1","policy":{}}})");
  EXPECT_THAT(big.errors, ::testing::Contains("data.version: 9223372036854775807 is above 1000000"));
  Normalized beyond = NormalizeText(
      R"({"id":"p","type":"policy.adopted","occurred_at":"2026-01-01","actor":"委员会",)"
      R"("data":{"version":18446744073709551615,"effective_from":"2026Q1","policy":{}}})");
  EXPECT_THAT(beyond.errors, ::testing::Contains("data.version: must be an integer"));
}

}  // namespace
}  // namespace qledger::domain
