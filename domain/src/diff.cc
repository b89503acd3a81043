#include "qledger/domain/diff.h"

#include <boost/json.hpp>

namespace json = boost::json;

namespace qledger::domain {
namespace {

std::string Opt(const std::optional<Decimal>& d) { return d ? d->ToString() : std::string(); }

// The figures a committee compares, in the order it reads them.
std::vector<std::pair<std::string, std::string>> Figures(const Score& s) {
  return {{"selfcheck", s.selfcheck.score.ToString()},
          {"survey", Opt(s.survey.score)},
          {"complaint", s.complaint.score.ToString()},
          {"weighted", s.weighted.ToString()},
          {"callback_deductions", s.callback_deductions.ToString()},
          {"adjustments", s.adjustments.ToString()},
          {"total", s.total.ToString()},
          {"grade", s.grade},
          {"amount", s.amount.ToString()},
          {"status", QuarterStatusName(s.status)}};
}

bool SameValues(const Step& a, const Step& b) {
  return a.selfcheck == b.selfcheck && a.survey == b.survey && a.complaint == b.complaint &&
         a.weighted == b.weighted && a.callback_deductions == b.callback_deductions &&
         a.adjustments == b.adjustments && a.total == b.total;
}

json::object StepJson(const Step& s, const Step* previous) {
  auto opt = [](const std::optional<Decimal>& d) { return d ? json::value(d->ToString()) : json::value(nullptr); };
  // Before the department's first fact there is no running figure (null).
  auto figure = [](const Step& st, const Decimal& v) { return st.running ? json::value(v.ToString()) : json::value(nullptr); };
  json::object o{{"seq", s.seq},       {"id", s.id},         {"type", EventTypeName(s.type)},
                 {"occurred_at", s.occurred_at}, {"actor", s.actor}, {"change", s.change},
                 {"total_after", figure(s, s.total)}};
  o["total_before"] = previous ? figure(*previous, previous->total) : json::value(nullptr);
  o["selfcheck_after"] = s.running ? opt(s.selfcheck) : json::value(nullptr);
  o["survey_after"] = s.running ? opt(s.survey) : json::value(nullptr);
  o["complaint_after"] = figure(s, s.complaint);
  return o;
}

}  // namespace

ScoreDiff DiffDerivations(Derivation before, Derivation after) {
  ScoreDiff d;
  const int64_t from = before.score.as_of_seq;
  const Step* previous = nullptr;
  for (const auto& step : after.steps) {
    if (step.seq > from && !step.left_out) {
      bool moved = previous == nullptr || !SameValues(*previous, step);
      (moved ? d.changed_by : d.other_events).push_back(step);
    }
    previous = &step;
  }
  auto fb = Figures(before.score), fa = Figures(after.score);
  for (size_t i = 0; i < fb.size(); ++i) {
    if (fb[i].second != fa[i].second) d.changes.push_back({fb[i].first, fb[i].second, fa[i].second});
  }
  d.before = std::move(before);
  d.after = std::move(after);
  return d;
}

json::object DiffToJson(const ScoreDiff& d) {
  json::object o;
  o["quarter"] = d.after.score.quarter;
  o["department"] = d.after.score.department;
  o["hypothetical"] = d.before.hypothetical() || d.after.hypothetical();
  o["from"] = json::object{{"seq", d.before.score.as_of_seq}, {"hash", d.before.score.as_of_hash}};
  o["to"] = json::object{{"seq", d.after.score.as_of_seq}, {"hash", d.after.score.as_of_hash}};
  json::array changes;
  for (const auto& c : d.changes) {
    changes.push_back(json::object{{"figure", c.figure},
                                   {"before", c.before.empty() ? json::value(nullptr) : json::value(c.before)},
                                   {"after", c.after.empty() ? json::value(nullptr) : json::value(c.after)}});
  }
  o["changes"] = std::move(changes);
  json::array events;
  // total_before of each changing event: the running total of the step
  // before it in the later derivation.
  for (const auto& s : d.changed_by) {
    const Step* previous = nullptr;
    for (const auto& t : d.after.steps) {
      if (t.seq >= s.seq) break;
      previous = &t;
    }
    events.push_back(StepJson(s, previous));
  }
  o["events"] = std::move(events);
  json::array others;
  for (const auto& s : d.other_events) {
    others.push_back(json::object{{"seq", s.seq}, {"id", s.id}, {"type", EventTypeName(s.type)}, {"change", s.change}});
  }
  o["unchanged_by"] = std::move(others);
  o["before"] = ScoreToJson(d.before.score);
  o["after"] = ScoreToJson(d.after.score);
  return o;
}

namespace {

std::string FigureLabel(const std::string& figure, Lang lang) {
  if (lang == Lang::kEn) return figure;
  static const std::pair<const char*, const char*> kNames[] = {
      {"selfcheck", "自查"},  {"survey", "问卷"},          {"complaint", "投诉"}, {"weighted", "加权"},
      {"callback_deductions", "回访扣分"}, {"adjustments", "调整"}, {"total", "总分"},     {"grade", "等次"},
      {"amount", "奖惩"},     {"status", "状态"}};
  for (const auto& [en, zh] : kNames) {
    if (figure == en) return zh;
  }
  return figure;
}

std::string ValueLabel(const std::string& figure, const std::string& value, Lang lang) {
  if (value.empty()) return "—";
  if (figure == "grade") return GradeLabel(value, lang);
  if (figure == "status") return StatusLabel(std::string_view(value), lang);
  return value;
}

}  // namespace

std::string DiffToText(const ScoreDiff& d, Lang lang) {
  const Score& a = d.after.score;
  const bool zh = lang == Lang::kZh;
  std::string out = (zh ? a.name + "（" + a.department + "）" + a.quarter + " 得分变化：seq "
                        : "Diff of " + a.department + " " + a.name + ", " + a.quarter + ": seq ") +
                    std::to_string(d.before.score.as_of_seq) + " → seq " + std::to_string(a.as_of_seq) + "\n";
  if (d.before.hypothetical() || d.after.hypothetical()) {
    out += zh ? "假设（HYPOTHETICAL）：有事件不计；账本本身不变\n" : "HYPOTHETICAL: events left out; the ledger is unchanged\n";
  }
  out += "\n";
  if (d.changes.empty()) {
    out += zh ? "没有数值变化。\n" : "No figure changed.\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({Pick(lang, "项目", "figure"), Pick(lang, "之前", "before"), Pick(lang, "之后", "after")});
    for (const auto& c : d.changes) {
      rows.push_back({FigureLabel(c.figure, lang), ValueLabel(c.figure, c.before, lang), ValueLabel(c.figure, c.after, lang)});
    }
    char line[200];
    for (const auto& r : rows) {
      std::snprintf(line, sizeof line, "%-20s %12s %12s\n", r[0].c_str(), r[1].c_str(), r[2].c_str());
      out += line;
    }
  }
  out += (zh ? "\n改变得分的事件（" : "\nEvents that changed the score (") + std::to_string(d.changed_by.size()) +
         (zh ? "）：\n" : "):\n");
  for (const auto& s : d.changed_by) {
    out += "  #" + std::to_string(s.seq) + "  " + s.occurred_at + "  " + EventTypeLabel(s.type, lang) + "  " + s.id +
           "\n      " + s.change + (zh ? "  → 总分 " : "  → total ") + s.total.ToString() + "\n";
  }
  if (!d.other_events.empty()) {
    out += (zh ? "其间未改变得分的事件（" : "Events in between that changed nothing (") +
           std::to_string(d.other_events.size()) + (zh ? "）：\n" : "):\n");
    for (const auto& s : d.other_events) {
      out += "  #" + std::to_string(s.seq) + "  " + EventTypeLabel(s.type, lang) + "  " + s.id + "\n";
    }
  }
  return out;
}

}  // namespace qledger::domain
