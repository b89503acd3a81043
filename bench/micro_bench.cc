// qledger_bench_micro: Google Benchmark micro-benchmarks of the per-event
// work behind the core benchmark (not a test). Each benchmark runs over the
// same generated events as qledger_bench_core and reports items/s = events/s.
//
//   build-bench/bench/qledger_bench_micro [--benchmark_filter=REGEX]
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include "event_gen.h"
#include "qledger/domain/event.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/scoring.h"
#include "qledger/domain/stored_event.h"

namespace {

using qledger::domain::Event;

constexpr int64_t kEvents = 20'000;

boost::json::value LoadPolicy() {
  std::ifstream in(std::string(QLEDGER_SOURCE_DIR) + "/config/policy.json");
  std::stringstream text;
  text << in.rdbuf();
  return boost::json::parse(text.str());
}

// kEvents generated input events (the policy first), and their normalised,
// stored form (seq, recorded_at and the stored canonical JSON).
struct Corpus {
  std::vector<qledger::domain::InputEvent> inputs;
  std::vector<Event> events;
  std::vector<std::string> stored;  // HashInput of each event
  Corpus() {
    qledger::bench::EventGenerator gen(LoadPolicy(), kEvents, qledger::domain::Quarter{2000, 1}, 20);
    while (!gen.Done()) inputs.push_back(gen.Next());
    for (const auto& in : inputs) {
      Event e;
      std::vector<std::string> errors;
      qledger::domain::NormalizeInputEvent(in.json, &e, &errors);
      e.seq = static_cast<int64_t>(events.size()) + 1;
      e.recorded_at = "2026-08-03T10:00:00Z";
      stored.push_back(qledger::domain::HashInput(e));
      events.push_back(std::move(e));
    }
  }
};

const Corpus& TheCorpus() {
  static const Corpus corpus;
  return corpus;
}

void BM_NormalizeInputEvent(benchmark::State& state) {
  const auto& c = TheCorpus();
  for (auto _ : state) {
    for (const auto& in : c.inputs) {
      Event e;
      std::vector<std::string> errors;
      benchmark::DoNotOptimize(qledger::domain::NormalizeInputEvent(in.json, &e, &errors));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.inputs.size()));
}
BENCHMARK(BM_NormalizeInputEvent)->Unit(benchmark::kMillisecond);

void BM_HashInput(benchmark::State& state) {
  const auto& c = TheCorpus();
  for (auto _ : state) {
    for (const auto& e : c.events) benchmark::DoNotOptimize(qledger::domain::HashInput(e));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.events.size()));
}
BENCHMARK(BM_HashInput)->Unit(benchmark::kMillisecond);

void BM_ContentKey(benchmark::State& state) {
  const auto& c = TheCorpus();
  for (auto _ : state) {
    for (const auto& e : c.events) benchmark::DoNotOptimize(qledger::domain::ContentKey(e));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.events.size()));
}
BENCHMARK(BM_ContentKey)->Unit(benchmark::kMillisecond);

void BM_ChainHash(benchmark::State& state) {
  const auto& c = TheCorpus();
  for (auto _ : state) {
    std::string prev;
    for (const auto& s : c.stored) prev = qledger::domain::ChainHash(prev, s);
    benchmark::DoNotOptimize(prev);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.stored.size()));
}
BENCHMARK(BM_ChainHash)->Unit(benchmark::kMillisecond);

// What RocksEventStore::Decode does per stored event, less the hex of the hash.
void BM_ParseExportedEvent(benchmark::State& state) {
  const auto& c = TheCorpus();
  for (auto _ : state) {
    for (const auto& s : c.stored) benchmark::DoNotOptimize(qledger::domain::ParseExportedEvent(s));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.stored.size()));
}
BENCHMARK(BM_ParseExportedEvent)->Unit(benchmark::kMillisecond);

// The fold of the rebuild, without storage: Apply into per-department state.
void BM_FoldApply(benchmark::State& state) {
  const auto& c = TheCorpus();
  for (auto _ : state) {
    std::vector<qledger::domain::DepartmentQuarter> states(7 * 20);
    for (const auto& e : c.events) {
      auto q = e.quarter();
      if (!q || !qledger::domain::HasDepartment(e.type)) continue;
      size_t d = 0;
      while (d < qledger::bench::kGenDepartments.size() && e.department != qledger::bench::kGenDepartments[d].code) ++d;
      size_t slot = static_cast<size_t>((q->year - 2000) * 4 + q->q - 1) * 7 + d;
      benchmark::DoNotOptimize(states[slot].Apply(e));
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.events.size()));
}
BENCHMARK(BM_FoldApply)->Unit(benchmark::kMillisecond);

// The same fold without the derivation trace, as the full rebuild does it.
void BM_FoldApplyWithoutTrace(benchmark::State& state) {
  const auto& c = TheCorpus();
  for (auto _ : state) {
    std::vector<qledger::domain::DepartmentQuarter> states(7 * 20);
    for (const auto& e : c.events) {
      auto q = e.quarter();
      if (!q || !qledger::domain::HasDepartment(e.type)) continue;
      size_t d = 0;
      while (d < qledger::bench::kGenDepartments.size() && e.department != qledger::bench::kGenDepartments[d].code) ++d;
      size_t slot = static_cast<size_t>((q->year - 2000) * 4 + q->q - 1) * 7 + d;
      states[slot].Apply(e, nullptr);
    }
    benchmark::DoNotOptimize(states.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.events.size()));
}
BENCHMARK(BM_FoldApplyWithoutTrace)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
