// qledger_bench_core: the core throughput benchmark (not a test).
//
//   1. append:  N generated events (default 1,000,000) through the real
//               storage::EventStore — Create in a fresh directory, then Append
//               in synced batches (default 10,000 events a batch), exactly as
//               `qledger append` does after parsing its input.
//   2. rebuild: reopen the ledger read-only, read every event in seq order
//               (EventStore::ScanAhead: decoded ahead on worker threads), fold
//               each into the domain::DepartmentQuarter of its (quarter,
//               department) without the derivation trace — entry.voided into
//               the owner of its target — and Compute every one with the
//               policy in force (on both cores).
//
// Only Append calls are timed in phase 1 (generating the input JSON is timed
// separately); phase 2 times the scan, the fold and the computation. Peak RSS
// is VmHWM from /proc/self/status, reset between phases through
// /proc/self/clear_refs where the kernel allows it.
//
// Afterwards the rebuilt scores of a few quarters are compared with
// app::ScoreQuarter (the path `qledger scores` takes), field by field in
// their JSON form, so that a fast but wrong fold cannot pass unnoticed, and
// the whole chain is verified (EventStore::Verify), untimed.
//
// Usage (see bench/README.md; bench/run_core.sh builds Release and runs it):
//   qledger_bench_core [--events N] [--batch B] [--quarters Q] [--first 2000Q1]
//                      [--dir DIR] [--keep] [--check K] [--phase both|append|rebuild]
//                      [--now 2026-08-03T10:00:00Z] [--no-verify]
// --now pins recorded_at, so that the head hash is the same on every run:
// a check that an optimisation left the hashed bytes unchanged.
// --phase rebuild needs --dir of a ledger kept by an earlier run (--keep).
// Without --dir the ledger goes to a fresh $TMPDIR/qledger-bench-XXXXXX,
// removed at the end unless --keep; a --dir given is never removed.
// Exit status: 0 when every batch was accepted and the cross-check agreed.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include "event_gen.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/merkle.h"
#include "qledger/domain/policy.h"
#include "qledger/domain/scoring.h"
#include "qledger/storage/event_store.h"
#include "qledger/app/queries.h"

namespace fs = std::filesystem;
namespace json = boost::json;

using qledger::domain::Event;
using qledger::domain::EventType;
using qledger::domain::Quarter;

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// A field of /proc/self/status in KiB ("VmHWM", "VmRSS"); -1 if unreadable.
long StatusKiB(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::strtol(line.c_str() + field.size() + 1, nullptr, 10);
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0). Returns false if refused.
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

double MiB(long kib) { return kib / 1024.0; }

// CPU seconds (user + system) used so far by the whole process (RocksDB's
// background threads included) or by the calling thread alone. Beside the
// wall clock because on a shared machine the wall clock also counts the time
// other processes had the CPU.
double CpuSeconds(int who) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double ProcessCpu() { return CpuSeconds(RUSAGE_SELF); }
double ThreadCpu() { return CpuSeconds(RUSAGE_THREAD); }

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "qledger_bench_core: " << what << "\n";
  std::exit(1);
}

struct Options {
  int64_t events = 1'000'000;
  int64_t batch = 10'000;
  int quarters = 200;
  std::string first = "2000Q1";
  std::string dir;
  bool keep = false;
  int check = 3;
  bool append = true;
  bool rebuild = true;
  std::string now;  // recorded_at of every event; "" = the clock
  bool verify = true;
};

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--events") o.events = std::stoll(value());
    else if (a == "--batch") o.batch = std::stoll(value());
    else if (a == "--quarters") o.quarters = std::stoi(value());
    else if (a == "--first") o.first = value();
    else if (a == "--dir") o.dir = value();
    else if (a == "--keep") o.keep = true;
    else if (a == "--check") o.check = std::stoi(value());
    else if (a == "--now") o.now = value();
    else if (a == "--no-verify") o.verify = false;
    else if (a == "--phase") {
      std::string p = value();
      if (p != "both" && p != "append" && p != "rebuild") Die("--phase is both, append or rebuild");
      o.append = p != "rebuild";
      o.rebuild = p != "append";
    }
    else if (a == "--help" || a == "-h") {
      std::cout << "usage: qledger_bench_core [--events N] [--batch B] [--quarters Q] [--first 2000Q1]\n"
                   "                          [--dir DIR] [--keep] [--check K] [--phase both|append|rebuild]\n"
                   "                          [--now 2026-08-03T10:00:00Z] [--no-verify]\n";
      std::exit(0);
    } else {
      Die("unknown argument " + a);
    }
  }
  if (o.batch < 1 || o.quarters < 1 || !Quarter::Parse(o.first)) Die("bad --batch, --quarters or --first");
  if (o.events < 1 + int64_t{o.quarters} * 28) Die("--events must be at least 1 + 28 x --quarters");
  if (!o.append && o.dir.empty()) Die("--phase rebuild needs --dir of an existing ledger");
  return o;
}

json::value LoadPolicy() {
  std::string path = std::string(QLEDGER_SOURCE_DIR) + "/config/policy.json";
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

// 3. proofs: on the ledger just written, the Merkle tree's cost (one
//    SHA-256 of each event's bytes plus the frontier's node hashes, timed
//    apart over every stored event) beside the append's time per event, and
//    1,000 inclusion and 1,000 consistency proofs of random sizes, each
//    produced from the stored nodes and checked, timed per proof.
int RunProofs(const std::string& dir) {
  namespace merkle = qledger::domain::merkle;
  auto store = qledger::storage::EventStore::OpenReader(dir);
  if (!store.ok()) Die(store.status().ToString());
  const qledger::storage::EventStore& r = **store;
  uint64_t n = static_cast<uint64_t>(r.head().seq);
  if (n == 0) return 0;
  double tree_seconds = 0;
  merkle::Frontier f;
  uint64_t nodes = 0;
  std::string input;
  qledger::domain::Status st = r.Scan(1, INT64_MAX, [&](const qledger::domain::Event& e) {
    input = qledger::domain::HashInput(e);
    auto t = Clock::now();
    f.Append(merkle::LeafHash(input), [&](int, uint64_t, const merkle::Hash&) { ++nodes; });
    tree_seconds += Seconds(t, Clock::now());
    return true;
  });
  if (!st.ok()) Die(st.ToString());
  auto root = r.TreeRoot(n);
  if (!root.ok() || *root != f.Root()) Die("the stored tree's root is not the events' root");
  std::mt19937_64 rng(6962);
  double inclusion_make = 0, inclusion_check = 0, consistency_make = 0, consistency_check = 0;
  constexpr int kProofs = 1000;
  for (int i = 0; i < kProofs; ++i) {
    uint64_t size = 1 + rng() % n;
    uint64_t index = rng() % size;
    auto a = Clock::now();
    auto proof = r.InclusionProof(index, size);
    auto size_root = r.TreeRoot(size);
    auto b = Clock::now();
    auto e = r.Get(static_cast<int64_t>(index) + 1);
    if (!proof.ok() || !size_root.ok() || !e.ok()) Die("a proof failed");
    merkle::Hash leaf = merkle::LeafHash(qledger::domain::HashInput(*e));
    auto c = Clock::now();
    if (!merkle::VerifyInclusion(index, size, leaf, *proof, *size_root).ok()) Die("an inclusion proof did not check");
    auto d = Clock::now();
    inclusion_make += Seconds(a, b);
    inclusion_check += Seconds(c, d);
    uint64_t old_size = 1 + rng() % size;
    auto g = Clock::now();
    auto cproof = r.ConsistencyProof(old_size, size);
    auto old_root = r.TreeRoot(old_size);
    auto h = Clock::now();
    if (!cproof.ok() || !old_root.ok()) Die("a consistency proof failed");
    auto k = Clock::now();
    if (!merkle::VerifyConsistency(old_size, size, *old_root, *size_root, *cproof).ok()) Die("a consistency proof did not check");
    auto l = Clock::now();
    consistency_make += Seconds(g, h);
    consistency_check += Seconds(k, l);
  }
  std::printf("tree:    %.3f s for %llu leaves (%.2f us/event: leaf hash + frontier, %llu nodes, %.2f a leaf)\n",
              tree_seconds, static_cast<unsigned long long>(n), 1e6 * tree_seconds / static_cast<double>(n),
              static_cast<unsigned long long>(nodes), static_cast<double>(nodes) / static_cast<double>(n));
  std::printf("proofs:  inclusion %.1f us to produce (with the root), %.1f us to check; consistency %.1f us, %.1f us"
              " (means of %d, random sizes up to %llu)\n",
              1e6 * inclusion_make / kProofs, 1e6 * inclusion_check / kProofs, 1e6 * consistency_make / kProofs,
              1e6 * consistency_check / kProofs, kProofs, static_cast<unsigned long long>(n));
  return 0;
}

void RunAppend(const Options& o, const std::string& dir) {
  auto created = qledger::storage::EventStore::Create(dir);
  if (!created.ok()) Die(created.status().ToString());
  auto& store = **created;
  qledger::bench::EventGenerator gen(LoadPolicy(), o.events, *Quarter::Parse(o.first), o.quarters);

  bool reset = ResetPeakRss();
  double generate_s = 0, append_s = 0, append_cpu_s = 0;
  double process_cpu0 = ProcessCpu();
  int64_t batches = 0;
  std::vector<double> batch_s;
  while (!gen.Done()) {
    auto t0 = Clock::now();
    std::vector<qledger::domain::InputEvent> batch;
    batch.reserve(static_cast<size_t>(o.batch));
    while (!gen.Done() && static_cast<int64_t>(batch.size()) < o.batch) batch.push_back(gen.Next());
    auto t1 = Clock::now();
    double cpu1 = ThreadCpu();
    qledger::storage::AppendOptions append_options;
    append_options.now = o.now;
    auto out = store.Append(batch, append_options);
    auto t2 = Clock::now();
    append_cpu_s += ThreadCpu() - cpu1;
    if (!out.ok()) Die("append failed: " + out.status().ToString());
    if (!out->errors.empty()) Die("batch " + std::to_string(batches + 1) + " rejected: " + out->errors.front().ToString());
    if (out->appended != static_cast<int64_t>(batch.size())) Die("batch not fully appended");
    generate_s += Seconds(t0, t1);
    append_s += Seconds(t1, t2);
    batch_s.push_back(Seconds(t1, t2));
    ++batches;
  }
  auto head = store.head();
  double process_cpu_s = ProcessCpu() - process_cpu0;
  std::sort(batch_s.begin(), batch_s.end());
  std::printf("append:  %lld events in %lld synced batches of %lld: %.3f s in Append -> %.0f events/s"
              " (median batch %.1f ms, slowest %.1f ms; generating the input took %.3f s)\n",
              static_cast<long long>(head.seq), static_cast<long long>(batches), static_cast<long long>(o.batch),
              append_s, head.seq / append_s, batch_s[batch_s.size() / 2] * 1e3, batch_s.back() * 1e3, generate_s);
  std::printf("append:  CPU: %.3f s in Append on the calling thread (%.0f events per CPU-second);"
              " %.3f s for the whole process, generating and RocksDB's threads included\n",
              append_cpu_s, head.seq / append_cpu_s, process_cpu_s);
  std::printf("append:  peak RSS %.1f MiB%s; head seq %lld hash %s\n", MiB(StatusKiB("VmHWM")),
              reset ? "" : " (process peak: clear_refs refused)", static_cast<long long>(head.seq), head.hash.c_str());
  std::printf("RESULT append_events_per_s=%.0f append_seconds=%.3f append_cpu_seconds=%.3f append_peak_rss_mib=%.1f\n",
              head.seq / append_s, append_s, append_cpu_s, MiB(StatusKiB("VmHWM")));
}

struct Group {
  Quarter quarter;
  std::string department;
  qledger::domain::DepartmentQuarter state;
};

// The quarter of a stored period, "2000-02" or "2000Q1", read digit by
// digit; nullopt for any other shape (the caller then asks Event::quarter()).
std::optional<Quarter> QuarterOfPeriod(const std::string& p) {
  auto digit = [&](size_t i) { return p[i] >= '0' && p[i] <= '9'; };
  if (p.size() < 6 || !digit(0) || !digit(1) || !digit(2) || !digit(3)) return std::nullopt;
  int year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
  if (p.size() == 6 && p[4] == 'Q' && p[5] >= '1' && p[5] <= '4') return Quarter{year, p[5] - '0'};
  if (p.size() == 7 && p[4] == '-' && digit(5) && digit(6)) {
    int month = (p[5] - '0') * 10 + (p[6] - '0');
    if (month >= 1 && month <= 12) return Quarter{year, (month - 1) / 3 + 1};
  }
  return std::nullopt;
}

struct Rebuilt {
  std::map<std::pair<std::string, std::string>, qledger::domain::Score> scores;  // (quarter, dept) ->
  int64_t events = 0;
};

// The full rebuild: every event in seq order into its (quarter, department).
Rebuilt Rebuild(const qledger::storage::EventStore& store, double* scan_fold_s, double* compute_s, double* cpu_s,
                double* process_cpu_s) {
  Rebuilt out;
  std::deque<Group> groups;
  std::unordered_map<std::string, size_t> group_of;  // "2000Q1/marketing" ->
  // The same groups by a number: the quarter (year * 4 + q - 1, read from the
  // event's own period, "2000-01" or "2000Q1") and the department's place in
  // `departments`, so that finding the group of an event hashes an integer.
  std::unordered_map<uint64_t, size_t> group_of_number;
  std::vector<std::string> departments;
  std::vector<qledger::domain::AdoptedPolicy> policies;
  auto t0 = Clock::now();
  double cpu0 = ThreadCpu();
  double process_cpu0 = ProcessCpu();
  // Events are read and decoded ahead on both cores; the fold below runs on
  // this thread, in seq order.
  qledger::storage::Status st = store.ScanAhead(1, INT64_MAX, [&](const Event& e) {
    ++out.events;
    if (e.type == EventType::kPolicyAdopted) {
      auto p = qledger::domain::ParsePolicy(e.data.at("policy"));
      if (!p.ok()) Die("stored policy: " + p.status().message());
      policies.push_back({e.seq, e.data.at("version").as_int64(),
                          *Quarter::Parse(std::string(e.data.at("effective_from").as_string())), std::move(*p)});
      return true;
    }
    if (e.type == EventType::kEntryVoided) {
      // Voids are rare: find the target's (quarter, department) through the
      // store's id index rather than keeping every id of the ledger in memory.
      auto target_id = e.data.find("target");
      if (target_id == e.data.end()) return true;
      std::string target_str(target_id->value().as_string());
      // Ids are unique in a ledger, so a group that applied the target is
      // its owner, the one the lookup below would find. Voids mostly follow
      // their target closely: the newest groups are asked first, in memory.
      for (size_t n = 0; n < std::min<size_t>(groups.size(), 16); ++n) {
        auto& state = groups[groups.size() - 1 - n].state;
        if (state.Owns(target_str)) {
          state.Void(target_str);
          return true;
        }
      }
      auto target = store.FindById(target_str);
      if (!target.ok()) Die("void target: " + target.status().ToString());
      if (!target->has_value() || !qledger::domain::HasDepartment((*target)->type)) return true;
      auto tq = (*target)->quarter();
      if (!tq) return true;
      auto it = group_of.find(tq->ToString() + "/" + (*target)->department);
      if (it != group_of.end()) groups[it->second].state.Void((*target)->id);
      return true;
    }
    if (!qledger::domain::HasDepartment(e.type)) return true;  // approvals, budget: not scored here
    auto q = QuarterOfPeriod(e.period);
    if (!q) q = e.quarter();
    if (!q) return true;
    size_t d = 0;
    while (d < departments.size() && departments[d] != e.department) ++d;
    if (d == departments.size()) departments.push_back(e.department);
    uint64_t number = (static_cast<uint64_t>(q->year * 4 + q->q - 1) << 32) | d;
    auto by_number = group_of_number.find(number);
    if (by_number == group_of_number.end()) {
      auto [it, inserted] = group_of.try_emplace(q->ToString() + "/" + e.department, groups.size());
      if (inserted) groups.push_back(Group{*q, e.department, {}});
      by_number = group_of_number.emplace(number, it->second).first;
    }
    groups[by_number->second].state.Apply(e, nullptr);  // no derivation trace
    return true;
  }, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  if (!st.ok()) Die("scan failed: " + st.ToString());
  auto t1 = Clock::now();
  auto head = store.head();
  // Each department-quarter is computed on its own: both cores, half each.
  std::vector<std::optional<qledger::domain::Score>> computed(groups.size());
  auto compute = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const Group& g = groups[i];
      const auto* adopted = qledger::domain::PolicyFor(policies, g.quarter, head.seq);
      if (!adopted) continue;
      const auto* dept = adopted->policy.FindDepartment(g.department);
      qledger::domain::Score& s = computed[i].emplace();
      s.quarter = g.quarter.ToString();
      s.department = g.department;
      s.name = dept ? dept->name : "";
      s.as_of_seq = head.seq;
      s.as_of_hash = head.hash;
      s.policy_version = adopted->version;
      g.state.Compute(adopted->policy, g.quarter, &s);
    }
  };
  std::thread second(compute, groups.size() / 2, groups.size());
  compute(0, groups.size() / 2);
  second.join();
  for (auto& s : computed) {
    if (s) out.scores.emplace(std::make_pair(s->quarter, s->department), std::move(*s));
  }
  auto t2 = Clock::now();
  *cpu_s = ThreadCpu() - cpu0;
  *process_cpu_s = ProcessCpu() - process_cpu0;
  *scan_fold_s = Seconds(t0, t1);
  *compute_s = Seconds(t1, t2);
  return out;
}

// Compares the rebuilt scores of `count` quarters (first, last, and evenly
// between) with app::ScoreQuarter. Returns the number of mismatches.
int CrossCheck(const qledger::storage::EventStore& store, const Rebuilt& rebuilt, int count) {
  std::vector<std::string> quarters;
  for (const auto& [k, s] : rebuilt.scores) {
    if (quarters.empty() || quarters.back() != k.first) quarters.push_back(k.first);
  }
  if (quarters.empty() || count < 1) return 0;
  std::vector<std::string> picked;
  for (int i = 0; i < count; ++i) {
    size_t at = count == 1 ? 0 : (quarters.size() - 1) * static_cast<size_t>(i) / static_cast<size_t>(count - 1);
    if (picked.empty() || picked.back() != quarters[at]) picked.push_back(quarters[at]);
  }
  int mismatches = 0, compared = 0;
  for (const auto& qs : picked) {
    auto scores = qledger::app::ScoreQuarter(store, *Quarter::Parse(qs), {});
    if (!scores.ok()) Die("ScoreQuarter " + qs + ": " + scores.status().ToString());
    for (const auto& s : *scores) {
      auto it = rebuilt.scores.find({s.quarter, s.department});
      std::string want = json::serialize(qledger::domain::ScoreToJson(s));
      std::string got = it == rebuilt.scores.end() ? "(missing)" : json::serialize(ScoreToJson(it->second));
      ++compared;
      if (want != got) {
        ++mismatches;
        std::fprintf(stderr, "mismatch %s %s:\n  ScoreQuarter: %s\n  rebuild:      %s\n", qs.c_str(),
                     s.department.c_str(), want.c_str(), got.c_str());
      }
    }
  }
  std::printf("check:   %d scores of %zu quarters compared with app::ScoreQuarter: %d mismatches\n", compared,
              picked.size(), mismatches);
  return mismatches;
}

int RunRebuild(const Options& o, const std::string& dir) {
  bool reset = ResetPeakRss();
  long rss_before = StatusKiB("VmRSS");
  auto t0 = Clock::now();
  auto opened = qledger::storage::EventStore::OpenReader(dir);
  if (!opened.ok()) Die(opened.status().ToString());
  auto t1 = Clock::now();
  const auto& store = **opened;
  double scan_fold_s = 0, compute_s = 0, cpu_s = 0, process_cpu_s = 0;
  Rebuilt rebuilt = Rebuild(store, &scan_fold_s, &compute_s, &cpu_s, &process_cpu_s);
  double total_s = scan_fold_s + compute_s;
  long peak = StatusKiB("VmHWM");

  int64_t excellent = 0, qualified = 0, unqualified = 0, sum_total = 0;
  for (const auto& [k, s] : rebuilt.scores) {
    if (s.grade == "excellent") ++excellent;
    else if (s.grade == "qualified") ++qualified;
    else ++unqualified;
    sum_total += s.total.hundredths();
  }
  std::printf("rebuild: %lld events -> %zu department-quarters: %.3f s (scan+fold %.3f s, compute %.3f s)"
              " -> %.0f events/s; opening read-only took %.3f s\n",
              static_cast<long long>(rebuilt.events), rebuilt.scores.size(), total_s, scan_fold_s, compute_s,
              rebuilt.events / total_s, Seconds(t0, t1));
  std::printf("rebuild: CPU: %.3f s on the calling thread (the fold), %.3f s for the whole process"
              " (%.0f events per CPU-second, the workers that read and decode included)\n",
              cpu_s, process_cpu_s, rebuilt.events / process_cpu_s);
  std::printf("rebuild: peak RSS %.1f MiB (%.1f MiB before opening)%s; grades %lld excellent, %lld qualified,"
              " %lld unqualified; sum of totals %lld.%02lld\n",
              MiB(peak), MiB(rss_before), reset ? "" : " (process peak: clear_refs refused)",
              static_cast<long long>(excellent), static_cast<long long>(qualified),
              static_cast<long long>(unqualified), static_cast<long long>(sum_total / 100),
              static_cast<long long>(sum_total % 100));
  std::printf("RESULT rebuild_events_per_s=%.0f rebuild_seconds=%.3f rebuild_cpu_seconds=%.3f"
              " rebuild_process_cpu_seconds=%.3f rebuild_peak_rss_mib=%.1f\n",
              rebuilt.events / total_s, total_s, cpu_s, process_cpu_s, MiB(peak));
  int rc = CrossCheck(store, rebuilt, o.check) == 0 ? 0 : 1;
  if (o.verify) {
    // The whole chain, as `qledger verify` checks it: hashes, canonical form,
    // seq without gaps, and the recorded head.
    auto v0 = Clock::now();
    auto report = store.Verify();
    if (!report.ok()) Die("verify: " + report.status().ToString());
    std::printf("verify:  %lld events, %s (%.3f s)\n", static_cast<long long>(report->events),
                report->bad_seq ? ("BROKEN at seq " + std::to_string(*report->bad_seq) + ": " + report->problem).c_str()
                                : "the chain verifies",
                Seconds(v0, Clock::now()));
    if (report->bad_seq) rc = 1;
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  std::string dir = o.dir;
  bool made_dir = false;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/qledger-bench-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) Die("cannot create a temporary directory under " + tmpl);
    dir = std::string(buf.data()) + "/ledger";
    made_dir = true;
  }
  std::printf("ledger:  %s\n", dir.c_str());
  std::fflush(stdout);
  if (o.append) RunAppend(o, dir);
  std::fflush(stdout);
  int rc = o.rebuild ? RunRebuild(o, dir) : 0;
  if (rc == 0) rc = RunProofs(dir);
  std::error_code ec;
  if (made_dir && !o.keep) {
    fs::remove_all(fs::path(dir).parent_path(), ec);
    // Ignored on purpose: a leftover temp directory must not fail the run.
  } else {
    std::printf("kept:    %s\n", dir.c_str());
  }
  return rc;
}
