// Several `qledger append` processes on one ledger: they take turns and never
// corrupt it; a held ledger makes a writer give up with "ledger busy"; and a
// writer killed (SIGKILL) at any moment leaves either none or all of its
// batch, with the chain intact and every acknowledged batch present.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include "qledger/storage/event_store.h"
#include "qledger_test_support.h"

namespace qledger::cli {
namespace {

namespace json = boost::json;
using qledger::testing::QledgerProcess;
using qledger::testing::RunQledger;
using qledger::testing::RunResult;
using qledger::testing::SourcePath;
using qledger::testing::TempDir;
using qledger::testing::WriteFile;

constexpr int kOk = 0;
constexpr int kBusy = 7;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct LedgerHead {
  int64_t seq = -1;
  std::string hash;
  bool operator==(const LedgerHead&) const = default;
};

// n survey responses with ids prefix-0 … prefix-(n-1). Survey responses have
// no one-per-month rule, so any number of them is a valid batch.
std::string SurveyBatch(const std::string& prefix, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += R"({"id": ")" + prefix + "-" + std::to_string(i) +
           R"(", "type": "survey.responded", "department": "storage", "period": "2026Q4", "occurred_at": "2026-11-20", "actor": "工作组", "data": {"respondent": "客户)" +
           std::to_string(i) + R"(", "score": "96.00"}})" + "\n";
  }
  return out;
}

class WritersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.Sub("ledger");
    RunResult r = RunQledger({"init", "--data", dir_, "--policy", SourcePath("config/policy.json")});
    ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  }

  void KillWritersAtRandom(const std::function<std::string(const std::string&, int)>& write,
                           const std::function<std::vector<std::string>(const std::string&)>& args);

  std::string WriteBatchCsvOfOne() {
    std::string file = tmp_.Sub("one.csv");
    WriteFile(file, "部门,季度,客户,得分,日期,填报人\n储运中心,2026Q3,客户末,96,2026-08-03,工作组\n");
    return file;
  }

  std::string WriteBatch(const std::string& prefix, int n) {
    std::string file = tmp_.Sub(prefix + ".jsonl");
    WriteFile(file, SurveyBatch(prefix, n));
    return file;
  }

  // The head as `qledger verify` reports it; asserts the chain verifies.
  LedgerHead VerifiedHead() {
    RunResult r = RunQledger({"verify", "--data", dir_});
    EXPECT_EQ(r.exit_code, kOk) << r.Describe();
    std::smatch m;
    static const std::regex kLine("head seq ([0-9]+) hash ([0-9a-f]{64})");
    if (!std::regex_search(r.out, m, kLine)) {
      ADD_FAILURE() << "no head in verify output: " << r.Describe();
      return {};
    }
    return {std::stoll(m[1]), m[2]};
  }

  TempDir tmp_;
  std::string dir_;
};

// SIGKILLs writers of batches of kBatch events (write(prefix, n) writes
// one, ids prefix-0 …; args(file) is the command that appends it) at random
// moments and checks none or all of each batch, as the test below says.
void WritersTest::KillWritersAtRandom(const std::function<std::string(const std::string&, int)>& write,
                                      const std::function<std::vector<std::string>(const std::string&)>& args) {
  constexpr int kBatch = 2000;
  constexpr int kIterations = 16;
  // Every other kill is aimed at the write itself: it lands as soon as the
  // writer says it is handing the batch to RocksDB (QLEDGER_TEST_MARKERS,
  // the test build). At least this many must land while RocksDB writes.
  constexpr int kMinMidWrite = 4;

  // Calibrate: how long one uninterrupted append of a batch takes here, so
  // that the other kills land before, during and after the write.
  auto t0 = std::chrono::steady_clock::now();
  RunResult warm = RunQledger(args(write("warm", kBatch)));
  auto lifetime = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  ASSERT_EQ(warm.exit_code, kOk) << warm.Describe();
  int64_t head = 1 + kBatch;
  ASSERT_EQ(VerifiedHead().seq, head);

  const unsigned seed = 20261127;  // fixed, so a failure can be replayed
  std::mt19937 rng(seed);
  // Delays from 0 to 1.3 × the lifetime (at least 50 ms).
  std::uniform_int_distribution<int> delay_ms(0, std::max<int>(50, static_cast<int>(lifetime.count() * 13 / 10)));
  std::vector<std::string> acknowledged_firsts, acknowledged_lasts;
  int killed_before = 0, completed_despite_kill = 0, acknowledged = 0, mid_write = 0;
  for (int i = 0; i < kIterations; ++i) {
    std::string prefix = "crash" + std::to_string(i);
    std::string batch = write(prefix, kBatch);
    std::string markers = tmp_.Sub(prefix + "-markers");
    std::filesystem::create_directories(markers);
    bool aimed = i % 2 == 1;
    int delay = delay_ms(rng);
    SCOPED_TRACE("iteration " + std::to_string(i) + (aimed ? ", kill at the write" : ", kill after " +
                 std::to_string(delay) + " ms") + " (seed " + std::to_string(seed) + ")");
    ::setenv("QLEDGER_TEST_MARKERS", markers.c_str(), 1);
    QledgerProcess p(args(batch), tmp_.Sub(prefix + ".out"), tmp_.Sub(prefix + ".err"), 0,
                     qledger::testing::kQledgerTestHooksBinary);
    ::unsetenv("QLEDGER_TEST_MARKERS");
    if (aimed) {
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (!std::filesystem::exists(markers + "/writing") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
    }
    p.Kill();
    RunResult r = p.Wait();
    bool writing = std::filesystem::exists(markers + "/writing");
    bool written = std::filesystem::exists(markers + "/written");
    if (writing && !written && r.exit_code == -SIGKILL) ++mid_write;

    LedgerHead after = VerifiedHead();  // asserts exit 0: the chain verifies
    if (r.exit_code == kOk) {
      // Acknowledged before the kill: it must be there, all of it.
      ++acknowledged;
      EXPECT_TRUE(Contains(r.out, "\"appended\":" + std::to_string(kBatch))) << r.Describe();
      ASSERT_EQ(after.seq, head + kBatch) << "an acknowledged batch is missing";
      acknowledged_firsts.push_back(prefix + "-0");
      acknowledged_lasts.push_back(prefix + "-" + std::to_string(kBatch - 1));
    } else {
      ASSERT_EQ(r.exit_code, -SIGKILL) << r.Describe();
      ASSERT_TRUE(after.seq == head || after.seq == head + kBatch)
          << "head " << after.seq << " is neither the old head " << head << " nor old + " << kBatch;
      (after.seq == head ? killed_before : completed_despite_kill)++;
      if (written) {
        EXPECT_EQ(after.seq, head + kBatch) << "RocksDB synced the batch, and it is gone";
      }
    }
    head = after.seq;
  }
  std::cout << "crash test: " << acknowledged << " acknowledged, " << completed_despite_kill
            << " written but killed before reporting, " << killed_before << " killed before writing; " << mid_write
            << " kills landed while RocksDB wrote\n";
  EXPECT_GE(mid_write, kMinMidWrite) << "too few kills landed during the write to show anything";

  auto reader = storage::EventStore::OpenReader(dir_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->head().seq, head);
  for (size_t i = 0; i < acknowledged_firsts.size(); ++i) {
    for (const auto& id : {acknowledged_firsts[i], acknowledged_lasts[i]}) {
      auto e = (*reader)->FindById(id);
      ASSERT_TRUE(e.ok()) << e.status().ToString();
      EXPECT_TRUE(e->has_value()) << "acknowledged event " << id << " is missing";
    }
  }
}


// The level-0 table files of dir, read from a read-only view (nothing is
// written to the ledger).
int LevelZeroFiles(const std::string& dir) {
  rocksdb::Options o;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(o, dir, &raw);
  if (!s.ok()) {
    ADD_FAILURE() << s.ToString();
    return -1;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string n;
  EXPECT_TRUE(db->GetProperty("rocksdb.num-files-at-level0", &n));
  return n.empty() ? -1 : std::stoi(n);
}

int FilesEndingIn(const std::string& dir, const std::string& ending) {
  int n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) n += entry.path().string().ends_with(ending);
  return n;
}

// A clerk's day: one event per append, each a whole CLI process. A writer
// keeps the logs of the writers before it (it does not turn each into a
// table file at its open) and flushes once they are 8: the logs a read
// replays, the table files of level 0 and the table files in all stay
// bounded however many appends come (docs/design.md §3), and nothing is
// lost on the way.
TEST_F(WritersTest, OneEventAppendsKeepTheLogsAndLevelZeroBounded) {
  int most_logs = 0, most_level0 = 0, most_tables = 0;
  for (int i = 0; i < 60; ++i) {
    RunResult r = RunQledger({"append", "--data", dir_, WriteBatch("one-" + std::to_string(i), 1)});
    ASSERT_EQ(r.exit_code, kOk) << r.Describe();
    most_logs = std::max(most_logs, FilesEndingIn(dir_, ".log"));
    most_level0 = std::max(most_level0, LevelZeroFiles(dir_));
    most_tables = std::max(most_tables, FilesEndingIn(dir_, ".sst"));
  }
  EXPECT_LE(most_logs, 8);
  EXPECT_GE(most_logs, 4) << "the writers' logs are kept between appends, not flushed at every open";
  EXPECT_LE(most_level0, 8);
  EXPECT_LE(most_tables, 10);
  EXPECT_EQ(VerifiedHead().seq, 61);
}

TEST_F(WritersTest, TwoAppendsAtOnceBothSucceedOneAfterTheOther) {
  constexpr int kN = 200;
  std::string a = WriteBatch("a", kN);
  std::string b = WriteBatch("b", kN);
  QledgerProcess pa({"append", "--data", dir_, "--wait", "30", a}, tmp_.Sub("a.out"), tmp_.Sub("a.err"));
  QledgerProcess pb({"append", "--data", dir_, "--wait", "30", b}, tmp_.Sub("b.out"), tmp_.Sub("b.err"));
  RunResult ra = pa.Wait();
  RunResult rb = pb.Wait();
  ASSERT_EQ(ra.exit_code, kOk) << ra.Describe();
  ASSERT_EQ(rb.exit_code, kOk) << rb.Describe();
  EXPECT_TRUE(Contains(ra.out, "\"appended\":200")) << ra.out;
  EXPECT_TRUE(Contains(rb.out, "\"appended\":200")) << rb.out;

  LedgerHead head = VerifiedHead();
  EXPECT_EQ(head.seq, 1 + 2 * kN);

  // Each batch is one write: its events have consecutive seqs.
  RunResult log = RunQledger({"log", "--data", dir_, "--format", "json"});
  ASSERT_EQ(log.exit_code, kOk) << log.Describe();
  std::map<char, std::vector<int64_t>> seqs;
  std::istringstream lines(log.out);
  std::string line;
  while (std::getline(lines, line)) {
    json::object e = json::parse(line).as_object();
    std::string id(e.at("id").as_string());
    if (id.size() > 2 && id[1] == '-') seqs[id[0]].push_back(e.at("seq").as_int64());
  }
  ASSERT_EQ(seqs['a'].size(), static_cast<size_t>(kN));
  ASSERT_EQ(seqs['b'].size(), static_cast<size_t>(kN));
  for (char batch : {'a', 'b'}) {
    const auto& s = seqs[batch];
    EXPECT_EQ(s.back() - s.front(), kN - 1) << "batch " << batch << " was interleaved";
  }
}

TEST_F(WritersTest, AppendToALedgerHeldByAnotherWriterFailsWithLedgerBusy) {
  LedgerHead before = VerifiedHead();
  std::string batch = WriteBatch("held", 5);
  {
    auto holder = storage::EventStore::OpenWriter(dir_, std::chrono::milliseconds(0));
    ASSERT_TRUE(holder.ok()) << holder.status().ToString();
    RunResult r = RunQledger({"append", "--data", dir_, "--wait", "0.2", batch});
    EXPECT_EQ(r.exit_code, kBusy) << r.Describe();
    EXPECT_TRUE(Contains(r.err, "ledger busy")) << r.Describe();
    EXPECT_TRUE(Contains(r.err, dir_)) << r.Describe();
  }
  EXPECT_EQ(VerifiedHead(), before);
  // Released: the same append goes through.
  RunResult r = RunQledger({"append", "--data", dir_, "--wait", "0.2", batch});
  EXPECT_EQ(r.exit_code, kOk) << r.Describe();
  EXPECT_EQ(VerifiedHead().seq, before.seq + 5);
}

TEST_F(WritersTest, AppendWithNoWaitBesideALargeAppendSucceedsOrSaysLedgerBusy) {
  std::string large = WriteBatch("large", 3000);
  std::string small = WriteBatch("small", 3);
  QledgerProcess big({"append", "--data", dir_, large}, tmp_.Sub("large.out"), tmp_.Sub("large.err"));
  RunResult r = RunQledger({"append", "--data", dir_, "--wait", "0", small});
  RunResult rb = big.Wait();
  ASSERT_EQ(rb.exit_code, kOk) << rb.Describe();
  if (r.exit_code == kOk) {
    EXPECT_EQ(VerifiedHead().seq, 1 + 3000 + 3);
  } else {
    EXPECT_EQ(r.exit_code, kBusy) << r.Describe();
    EXPECT_TRUE(Contains(r.err, "ledger busy")) << r.Describe();
    EXPECT_EQ(VerifiedHead().seq, 1 + 3000);
  }
}

// leveldb's fault-injection idea with a real process: SIGKILL a writer at a
// random moment of its life and prove the ledger holds none or all of the
// batch, still verifies, and keeps every batch that was acknowledged.

// leveldb's fault-injection idea with a real process: SIGKILL a writer at a
// random moment of its life and prove the ledger holds none or all of the
// batch, still verifies, and keeps every batch that was acknowledged.
TEST_F(WritersTest, WriterKilledAtAnyMomentLeavesNoneOrAllOfItsBatch) {
  KillWritersAtRandom([&](const std::string& prefix, int n) { return WriteBatch(prefix, n); },
                      [&](const std::string& file) { return std::vector<std::string>{"append", "--data", dir_, file}; });
}

// The same for an import, whose rows are staged as table files and added to
// the store in one ingestion (EventStore::StreamTo).
TEST_F(WritersTest, ImportKilledAtAnyMomentLeavesNoneOrAllOfItsRows) {
  KillWritersAtRandom(
      [&](const std::string& prefix, int n) {
        std::string csv = "部门,季度,客户,得分,日期,填报人,编号\n";
        for (int i = 0; i < n; ++i) {
          csv += "储运中心,2026Q3,客户" + prefix + "-" + std::to_string(i) + ",96,2026-08-03,工作组," + prefix + "-" +
                 std::to_string(i) + "\n";
        }
        std::string file = tmp_.Sub(prefix + ".csv");
        WriteFile(file, csv);
        return file;
      },
      [&](const std::string& file) {
        return std::vector<std::string>{"import", "--data", dir_, "--kind", "survey", file};
      });
  // Nothing staged is left behind once a writer has run since.
  RunResult r = RunQledger({"import", "--data", dir_, "--kind", "survey", WriteBatchCsvOfOne()});
  ASSERT_EQ(r.exit_code, kOk) << r.Describe();
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().rfind("qledger-staging-", 0), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace qledger::cli
