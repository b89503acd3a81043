// Internal to bench/: a deterministic generator of valid, realistic input
// events for the seven departments over many quarters.
//
// The stream it produces is accepted by the ledger rules as a whole:
//  * the first event adopts the default policy effective from the first
//    generated quarter;
//  * each department reports one self-check per month and has one spot check
//    per quarter (the one-per-month rule), so volume comes from the types
//    without a uniqueness rule: survey responses, complaints, callback
//    findings;
//  * callback points are 0.50–1.00; decimals are two-decimal strings;
//  * disputes, rulings and handling records name an earlier response or
//    complaint of the same department and quarter that is never voided;
//    voids target callback findings and direct deductions, each at most once.
// Deterministic: the same arguments give the same events (its own LCG, no
// std:: distributions, whose output differs between standard libraries).
#ifndef QLEDGER_BENCH_EVENT_GEN_H_
#define QLEDGER_BENCH_EVENT_GEN_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "qledger/domain/event_input.h"
#include "qledger/domain/period.h"

namespace qledger::bench {

struct GenDepartment {
  const char* code;
  const char* name;
};

inline constexpr std::array<GenDepartment, 7> kGenDepartments = {{
    {"marketing", "市场经营部"},
    {"logistics", "物流业务部"},
    {"wuhan", "武汉业务部"},
    {"orders", "订单处理中心"},
    {"storage", "储运中心"},
    {"bidding", "招标分公司"},
    {"metrology", "计量检测中心"},
}};

class EventGenerator {
 public:
  // `total` events (the policy included) spread evenly over `quarters`
  // quarters starting at `first`. REQUIRES: total >= 1 + quarters * 28.
  EventGenerator(boost::json::value policy, int64_t total, domain::Quarter first, int quarters)
      : policy_(std::move(policy)), total_(total), first_(first), quarters_(quarters) {
    per_quarter_ = (total_ - 1 + quarters_ - 1) / quarters_;
  }

  bool Done() const { return produced_ >= total_; }
  int64_t produced() const { return produced_; }

  // The next event, as the CLI would hand it to EventStore::Append.
  domain::InputEvent Next() {
    ++produced_;
    std::string where = "event " + std::to_string(produced_);
    if (produced_ == 1) {
      boost::json::object e{{"id", "policy-v1"},
                            {"type", "policy.adopted"},
                            {"occurred_at", Date(first_, 1, 1)},
                            {"actor", "质量管理委员会"},
                            {"data", boost::json::object{{"version", 1},
                                                         {"effective_from", first_.ToString()},
                                                         {"policy", policy_}}}};
      return {std::move(where), std::move(e), "", ""};
    }
    if (in_quarter_ == per_quarter_) NextQuarter();
    int64_t i = in_quarter_++;
    int d = static_cast<int>(i % 7);
    int64_t round = i / 7;
    return {std::move(where), Make(d, round), "", ""};
  }

 private:
  struct Open {  // per department, within the current quarter
    std::vector<std::string> responses;
    std::vector<std::string> complaints;
    std::vector<std::string> received_days;  // of each complaint, by index
    std::vector<std::string> voidable;
    std::array<int, 3> self = {};  // hundredths, per month of the quarter
  };

  uint64_t Rand() {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return state_ >> 33;
  }
  int Uniform(int n) { return static_cast<int>(Rand() % static_cast<uint64_t>(n)); }

  // A two-decimal string in [lo, hi] hundredths.
  std::string Hundredths(int lo, int hi) { return Format(lo + Uniform(hi - lo + 1)); }
  static std::string Format(int v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d.%02d", v / 100, v % 100);
    return buf;
  }

  static std::string Date(domain::Quarter q, int month_in_quarter, int day) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", q.year, (q.q - 1) * 3 + month_in_quarter, day);
    return buf;
  }
  static std::string Month(domain::Quarter q, int month_in_quarter) { return Date(q, month_in_quarter, 1).substr(0, 7); }

  domain::Quarter Current() const {
    int index = first_.year * 4 + (first_.q - 1) + quarter_index_;
    return domain::Quarter{index / 4, index % 4 + 1};
  }

  void NextQuarter() {
    ++quarter_index_;
    in_quarter_ = 0;
    for (auto& o : open_) o = Open{};
  }

  std::string Id(const std::string& quarter, int d, const char* kind) {
    return quarter + "-" + kGenDepartments[d].code + "-" + kind + "-" + std::to_string(produced_);
  }

  boost::json::object Envelope(const std::string& id, const char* type, int d, std::string period,
                               std::string occurred_at, std::string actor) {
    return boost::json::object{{"id", id},
                               {"type", type},
                               {"department", kGenDepartments[d].code},
                               {"period", std::move(period)},
                               {"occurred_at", std::move(occurred_at)},
                               {"actor", std::move(actor)}};
  }

  boost::json::value Make(int d, int64_t round) {
    domain::Quarter q = Current();
    std::string qs = q.ToString();
    int m = 1 + Uniform(3);
    std::string day = Date(q, m, 1 + Uniform(28));
    std::string dept_actor = std::string(kGenDepartments[d].name) + "/质量管理员";
    Open& open = open_[d];

    // Rounds 0–2: the month's self-check; round 3: the quarter's spot check.
    if (round < 3) {
      int month = static_cast<int>(round) + 1;
      auto e = Envelope(Id(qs, d, "selfcheck"), "selfcheck.reported", d, Month(q, month), Date(q, month, 25),
                        dept_actor);
      open.self[month - 1] = 9000 + Uniform(1001);
      boost::json::object data{{"score", Format(open.self[month - 1])}};
      if (Uniform(4) == 0) {
        data["items"] = boost::json::array{boost::json::object{{"name", "台账管理"}, {"score", Hundredths(8500, 10000)}},
                                           boost::json::object{{"name", "单据凭证"}, {"score", Hundredths(8500, 10000)}}};
      }
      e["data"] = std::move(data);
      return e;
    }
    if (round == 3) {
      int month = 1 + Uniform(3);
      auto e = Envelope(Id(qs, d, "spotcheck"), "spotcheck.recorded", d, Month(q, month), Date(q, month, 28),
                        "工作组/赵丽");
      // Mostly close to the month's self-check: a difference of 0–4 points.
      int spot = std::clamp(open.self[month - 1] + Uniform(801) - 400, 0, 10000);
      boost::json::object data{{"score", Format(spot)}, {"inspector", "工作组/赵丽"}};
      if (Uniform(2) == 0) data["note"] = "台账与系统数据不一致2处";
      e["data"] = std::move(data);
      return e;
    }

    // Most volume in survey responses: every complaint costs 10 points and
    // every callback finding 0.5–1, so at ~700 events a department-quarter
    // anything else would drive every total to 0.
    int pick = Uniform(1000);
    if (pick < 820) {
      std::string id = Id(qs, d, "survey");
      auto e = Envelope(id, "survey.responded", d, qs, day, "工作组/问卷");
      e["data"] = boost::json::object{{"respondent", "孝感华丰粮油有限公司"}, {"score", Hundredths(8500, 10000)}};
      open.responses.push_back(std::move(id));
      return e;
    }
    if (pick < 823) {
      std::string id = Id(qs, d, "complaint");
      auto e = Envelope(id, "complaint.recorded", d, qs, day, "人力资源部/投诉受理");
      e["data"] = boost::json::object{{"received_at", day + "T15:30:00+08:00"},
                                      {"channel", "投诉电话"},
                                      {"summary", "货物到达延误两天,事前未通知客户"},
                                      {"category", "交付延误"}};
      open.complaints.push_back(std::move(id));
      open.received_days.push_back(day);
      return e;
    }
    if (pick < 826) {
      std::string id = Id(qs, d, "callback");
      auto e = Envelope(id, "callback.finding", d, qs, day, "工作组/回访");
      e["data"] = boost::json::object{{"points", Hundredths(50, 100)},
                                      {"reason", "回访记录不完整"},
                                      {"work_order", "WO-" + std::to_string(produced_)}};
      open.voidable.push_back(std::move(id));
      return e;
    }
    if (pick < 853) {
      std::string id = Id(qs, d, "deduction");
      auto e = Envelope(id, "deduction.direct", d, qs, day, "工作组/王敏");
      e["data"] = boost::json::object{{"points", Hundredths(100, 300)}, {"reason", "主业直接扣分"}};
      open.voidable.push_back(std::move(id));
      return e;
    }
    if (pick < 858) {
      static constexpr const char* kComponents[] = {"selfcheck", "survey", "complaint", "total"};
      auto e = Envelope(Id(qs, d, "adjust"), "score.adjusted", d, qs, day, "质量管理委员会");
      std::string points = Hundredths(1, 200);
      if (Uniform(2) == 0) points = "-" + points;
      e["data"] = boost::json::object{{"component", kComponents[Uniform(4)]},
                                      {"points", points},
                                      {"reason", "委员会裁定"},
                                      {"ruling", "QMC-" + qs}};
      return e;
    }
    if (pick < 868 && !open.voidable.empty()) {
      size_t k = static_cast<size_t>(Uniform(static_cast<int>(open.voidable.size())));
      std::string target = std::move(open.voidable[k]);
      open.voidable[k] = std::move(open.voidable.back());
      open.voidable.pop_back();
      boost::json::object e{{"id", Id(qs, d, "void")},
                            {"type", "entry.voided"},
                            {"occurred_at", day},
                            {"actor", "工作组/陈刚"},
                            {"data", boost::json::object{{"target", std::move(target)}, {"reason", "录入错误"}}}};
      return e;
    }
    if (pick < 900 && !open.complaints.empty()) {
      size_t k = static_cast<size_t>(Uniform(static_cast<int>(open.complaints.size())));
      const std::string& target = open.complaints[k];
      // Never before the complaint was received (15:30 on its day).
      std::string at = std::max(day, open.received_days[k]) + "T18:00:00+08:00";
      auto e = Envelope(Id(qs, d, "handled"), "complaint.handled", d, qs, day, "人力资源部/投诉受理");
      e["data"] = boost::json::object{{"complaint", target},
                                      {"stage", Uniform(2) == 0 ? "acknowledged" : "resolved"},
                                      {"at", at}};
      return e;
    }
    if (pick < 920 && !open.complaints.empty()) {
      const std::string& target = open.complaints[Uniform(static_cast<int>(open.complaints.size()))];
      auto e = Envelope(Id(qs, d, "cruling"), "complaint.ruled", d, qs, day, "质量管理委员会");
      e["data"] = boost::json::object{{"complaint", target},
                                      {"valid", Uniform(5) == 0},
                                      {"reason", "经核实"},
                                      {"ruling", "QMC-" + qs}};
      return e;
    }
    if (!open.responses.empty()) {
      const std::string& target = open.responses[Uniform(static_cast<int>(open.responses.size()))];
      if (pick < 960) {
        auto e = Envelope(Id(qs, d, "dispute"), "survey.disputed", d, qs, day, dept_actor);
        e["data"] = boost::json::object{{"response", target}, {"reason", "客户误评"}};
        return e;
      }
      auto e = Envelope(Id(qs, d, "sruling"), "survey.ruled", d, qs, day, "质量管理委员会");
      int outcome = Uniform(3);
      boost::json::object data{{"response", target}, {"ruling", "QMC-" + qs}};
      data["outcome"] = outcome == 0 ? "upheld" : outcome == 1 ? "voided" : "rescored";
      if (outcome == 2) data["score"] = Hundredths(8000, 10000);
      e["data"] = std::move(data);
      return e;
    }
    // Nothing to refer to yet: another survey response.
    std::string id = Id(qs, d, "survey");
    auto e = Envelope(id, "survey.responded", d, qs, day, "工作组/问卷");
    e["data"] = boost::json::object{{"respondent", "武汉钢铁集团"}, {"score", Hundredths(8500, 10000)}};
    open.responses.push_back(std::move(id));
    return e;
  }

  const boost::json::value policy_;
  const int64_t total_;
  const domain::Quarter first_;
  const int quarters_;
  int64_t per_quarter_ = 0;
  int64_t produced_ = 0;
  int quarter_index_ = 0;
  int64_t in_quarter_ = 0;
  uint64_t state_ = 42;
  std::array<Open, 7> open_;
};

}  // namespace qledger::bench

#endif  // QLEDGER_BENCH_EVENT_GEN_H_
