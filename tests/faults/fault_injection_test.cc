// Fault injection: the demo ledger's files damaged as a failing disk, a lost
// file or a careless operator would damage them, and every command run on
// the damaged copy — the real binary, as a user runs it. In every case each
// command either refuses with exit 8 naming the damage, or answers from
// undamaged data; none aborts; a refused store is left byte for byte as it
// was (nothing writes to a store known to be damaged). docs/recovery.md
// walks through the same cases.
//
// The ledger is built so that it has every kind of file: the first 300
// events are in table files, and the last batch (seq 302..310) only in the
// write-ahead log (the largest log; an empty one may be beside it).
#include <sys/mount.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "http_test_client.h"
#include "qledger_test_support.h"

namespace qledger {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using testing::Fetch;
using testing::ReadFile;
using testing::RunQledger;
using testing::RunResult;
using testing::Server;
using testing::SourcePath;
using testing::TempDir;
using testing::WriteFile;

constexpr int kDataLoss = 8;

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// Every file of dir with its bytes: a refused store must keep all of them.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files[entry.path().filename().string()] = ReadFile(entry.path().string());
  }
  return files;
}

std::string OnlyFile(const std::string& dir, const std::string& ending, bool largest = false) {
  std::string found;
  uintmax_t size = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(ending) && !name.starts_with(ending)) continue;
    if (found.empty() || (largest && entry.file_size() > size)) {
      found = entry.path().string();
      size = entry.file_size();
    }
  }
  if (found.empty()) throw std::runtime_error("no " + ending + " file in " + dir);
  return found;
}

void FlipByte(const std::string& path, long offset) {
  std::string bytes = ReadFile(path);
  size_t at = offset >= 0 ? static_cast<size_t>(offset) : bytes.size() - static_cast<size_t>(-offset);
  bytes.at(at) = static_cast<char>(bytes[at] ^ 0x20);
  WriteFile(path, bytes);
}

class FaultInjectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    base_ = new TempDir();
    const std::string ledger = base_->Sub("ledger");
    std::string events = ReadFile(SourcePath("config/demo/events.jsonl"));
    size_t cut = 0;
    for (int i = 0; i < 300; ++i) cut = events.find('\n', cut) + 1;
    WriteFile(base_->Sub("first.jsonl"), events.substr(0, cut));
    WriteFile(base_->Sub("rest.jsonl"), events.substr(cut));
    WriteFile(base_->Sub("new.jsonl"),
              R"({"id": "fault-expense", "type": "budget.expense", "period": "2026", "occurred_at": "2026-11-02", )"
              R"("actor": "工作组", "data": {"amount": "10.00", "purpose": "测试"}})"
              "\n");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"init", "--policy", SourcePath("config/policy.json")},
             {"append", base_->Sub("first.jsonl")},
             // The backup's checkpoint flushes the first batch into a table
             // file (a writer flushes only every so many logs on its own);
             // the last batch stays in the write-ahead log.
             {"backup", base_->Sub("backup")},
             {"append", base_->Sub("rest.jsonl")}}) {
      std::vector<std::string> full = {"--data", ledger};
      full.insert(full.end(), args.begin(), args.end());
      RunResult r = RunQledger(full);
      ASSERT_EQ(r.exit_code, 0) << r.Describe();
    }
  }
  static void TearDownTestSuite() { delete base_; }

  void SetUp() override {
    dir_ = tmp_.Sub("ledger");
    fs::copy(base_->Sub("ledger"), dir_, fs::copy_options::recursive);
  }

  RunResult Q(std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", dir_});
    return RunQledger(args);
  }

  // Runs verify, scores, replay, append, a dry run, import and init on the
  // damaged ledger; each must exit 8 with a message containing `names`, and
  // the ledger's files must be as they were. Then serve must refuse too.
  void ExpectEveryCommandRefuses(const std::string& names) {
    auto before = Snapshot(dir_);
    const std::vector<std::vector<std::string>> commands = {
        {"verify"},
        {"scores", "--quarter", "2026Q3"},
        {"replay", "--quarter", "2026Q3", "--department", "storage"},
        {"log", "--limit", "1"},
        {"export"},
        {"append", base_->Sub("new.jsonl")},
        {"append", "--dry-run", base_->Sub("new.jsonl")},
        {"import", "--kind", "selfcheck", SourcePath("config/demo/import/selfcheck.csv")},
        {"backup", tmp_.Sub("backup")},
    };
    for (const auto& args : commands) {
      RunResult r = Q(args);
      EXPECT_EQ(r.exit_code, kDataLoss) << args[0] << ": " << r.Describe();
      EXPECT_TRUE(Contains(r.err, names)) << args[0] << " does not name \"" << names << "\": " << r.err;
      EXPECT_TRUE(r.out.empty() || args[0] == "export") << args[0] << " printed an answer: " << r.out;
    }
    EXPECT_FALSE(fs::exists(tmp_.Sub("backup")));
    // init never touches a directory that holds anything.
    RunResult init = Q({"init", "--policy", SourcePath("config/policy.json")});
    EXPECT_EQ(init.exit_code, 5) << init.Describe();
    EXPECT_EQ(Snapshot(dir_), before) << "a command wrote to the damaged ledger";

    Server server(tmp_, dir_, {}, /*want_healthy=*/false);
    if (server.port() == 0 && server.Exited()) {
      RunResult served = server.process().Wait();
      EXPECT_EQ(served.exit_code, kDataLoss) << served.Describe();
      EXPECT_TRUE(Contains(served.err, names)) << served.err;
    } else {
      ADD_FAILURE() << "serve did not refuse the damaged ledger (port " << server.port() << ")";
    }
    EXPECT_EQ(Snapshot(dir_), before) << "serve wrote to the damaged ledger";
  }

  static TempDir* base_;
  TempDir tmp_;
  std::string dir_;
};

TempDir* FaultInjectionTest::base_ = nullptr;

TEST_F(FaultInjectionTest, TheUndamagedCopyAnswersEveryCommand) {
  // The control: the same commands succeed on the copy as it was made.
  EXPECT_EQ(Q({"verify"}).exit_code, 0);
  EXPECT_EQ(Q({"scores", "--quarter", "2026Q3"}).exit_code, 0);
  RunResult dry = Q({"append", "--dry-run", base_->Sub("new.jsonl")});
  EXPECT_EQ(dry.exit_code, 0) << dry.Describe();
  RunResult append = Q({"append", base_->Sub("new.jsonl")});
  EXPECT_EQ(append.exit_code, 0) << append.Describe();
  EXPECT_TRUE(Contains(append.out, "\"head_seq\":311")) << append.out;
  EXPECT_TRUE(Contains(ReadFile(dir_ + "/QLEDGER-HEAD"), "seq=311 ")) << "the acknowledged head is not recorded";
}

TEST_F(FaultInjectionTest, AByteFlippedInTheMiddleOfTheLogIsRefused) {
  FlipByte(OnlyFile(dir_, ".log", /*largest=*/true), static_cast<long>(fs::file_size(OnlyFile(dir_, ".log", /*largest=*/true)) / 2));
  ExpectEveryCommandRefuses("Corruption");
}

TEST_F(FaultInjectionTest, AByteFlippedInTheLogsLastRecordIsRefused) {
  // Under RocksDB's default recovery this dropped the whole last batch and
  // the ledger opened at seq 301.
  FlipByte(OnlyFile(dir_, ".log", /*largest=*/true), -3);
  ExpectEveryCommandRefuses("Corruption");
}

// Byte 1 is in the first record's checksum: wherever the records end, the
// record no longer matches it. (A flipped length byte that reaches past the
// end of the log reads as a torn tail instead; the acknowledged head then
// refuses it: ALogTruncatedInARecord… below.)
TEST_F(FaultInjectionTest, AByteFlippedInARecordHeaderOfTheLogIsRefused) {
  FlipByte(OnlyFile(dir_, ".log", /*largest=*/true), 1);
  ExpectEveryCommandRefuses("Corruption");
}

TEST_F(FaultInjectionTest, ALogTruncatedInARecordLosesAcknowledgedEventsAndIsRefused) {
  fs::resize_file(OnlyFile(dir_, ".log", /*largest=*/true), 2000);
  ExpectEveryCommandRefuses("has lost acknowledged events: events 302..310 were acknowledged");
}

TEST_F(FaultInjectionTest, ALogTruncatedToNothingIsRefused) {
  fs::resize_file(OnlyFile(dir_, ".log", /*largest=*/true), 0);
  ExpectEveryCommandRefuses("events 302..310 were acknowledged");
}

TEST_F(FaultInjectionTest, ADeletedLogIsRefused) {
  fs::remove(OnlyFile(dir_, ".log", /*largest=*/true));
  ExpectEveryCommandRefuses("events 302..310 were acknowledged");
}

// Each CLI writer leaves its log for the next (they are flushed together
// once they have grown): a log other than the newest holds events that the
// newest one's head record does not vouch for.
class OlderLogTest : public FaultInjectionTest {
 protected:
  // Appends two events, seq 311 and 312, each by its own writer, and
  // returns the logs in the order they were written.
  std::vector<std::string> TwoMoreWriters() {
    for (int i = 1; i <= 2; ++i) {
      WriteFile(tmp_.Sub("more.jsonl"), R"({"id": "later-)" + std::to_string(i) +
                                            R"(", "type": "budget.expense", "period": "2026", "occurred_at": )"
                                            R"("2026-11-03", "actor": "工作组", "data": {"amount": "1.00", )"
                                            R"("purpose": "测试"}})"
                                            "\n");
      RunResult r = Q({"append", tmp_.Sub("more.jsonl")});
      EXPECT_EQ(r.exit_code, 0) << r.Describe();
    }
    std::vector<std::string> logs;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (entry.path().extension() == ".log" && entry.file_size() > 0) logs.push_back(entry.path().string());
    }
    std::sort(logs.begin(), logs.end());  // numbered, zero-padded: in the order written
    return logs;
  }
};

TEST_F(OlderLogTest, ALogBetweenTwoOthersDeletedIsRefusedNamingItsEvent) {
  std::vector<std::string> logs = TwoMoreWriters();
  ASSERT_EQ(logs.size(), 3u);  // 302..310, 311, 312
  fs::remove(logs[1]);
  ExpectEveryCommandRefuses("event 311 is missing while later ones are stored");
}

TEST_F(OlderLogTest, TheOldestLogEmptiedIsRefusedNamingItsEvents) {
  std::vector<std::string> logs = TwoMoreWriters();
  ASSERT_EQ(logs.size(), 3u);
  fs::resize_file(logs[0], 0);
  ExpectEveryCommandRefuses("events 302..310 are missing while later ones are stored");
}

TEST_F(FaultInjectionTest, AMissingTableFileIsRefused) {
  // Named by its own name, not the old suffix RocksDB tried last (.ldb).
  const std::string table = OnlyFile(dir_, ".sst", /*largest=*/true);
  fs::remove(table);
  ExpectEveryCommandRefuses("a file of the ledger is missing: table file " + table);
}

// A byte flipped in each 4 KiB block of the table file in turn: an append
// either does not read that block and appends, or refuses with exit 8 —
// and then before anything is written, RocksDB's own files included (a
// damaged event under the Merkle tree's frontier was found only after the
// writer's open had written a new MANIFEST and log).
TEST_F(FaultInjectionTest, AnAppendOnADamagedTableFileAppendsOrRefusesBeforeWritingAnything) {
  const std::string table = fs::path(OnlyFile(base_->Sub("ledger"), ".sst", /*largest=*/true)).filename().string();
  const auto size = static_cast<long>(fs::file_size(base_->Sub("ledger") + "/" + table));
  int refused = 0, appended = 0;
  for (long offset = 100; offset < size; offset += 4096) {
    TempDir each;
    const std::string dir = each.Sub("ledger");
    fs::copy(base_->Sub("ledger"), dir, fs::copy_options::recursive);
    FlipByte(dir + "/" + table, offset);
    auto before = Snapshot(dir);
    RunResult r = RunQledger({"--data", dir, "append", base_->Sub("new.jsonl")});
    if (r.exit_code == 0) {
      ++appended;
      continue;
    }
    ++refused;
    EXPECT_EQ(r.exit_code, kDataLoss) << "byte " << offset << ": " << r.Describe();
    EXPECT_EQ(Snapshot(dir), before) << "byte " << offset << ": the refused append wrote to the ledger: " << r.err;
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(appended, 0);
}

TEST_F(FaultInjectionTest, ACorruptManifestIsRefused) {
  std::string manifest = OnlyFile(dir_, "MANIFEST-");
  FlipByte(manifest, static_cast<long>(fs::file_size(manifest) / 2));
  ExpectEveryCommandRefuses("MANIFEST");
}

TEST_F(FaultInjectionTest, ADeletedCurrentIsRefusedWithTheWayToRecoverAndNothingDeleted) {
  fs::remove(dir_ + "/CURRENT");
  ExpectEveryCommandRefuses("its CURRENT file is missing");
  RunResult r = Q({"verify"});
  EXPECT_TRUE(Contains(r.err, "ldb repair")) << r.err;
  EXPECT_TRUE(Contains(r.err, "backup")) << r.err;
  EXPECT_FALSE(Contains(r.err, "create one")) << r.err;
}

TEST_F(FaultInjectionTest, ADeletedAcknowledgedHeadIsRefused) {
  fs::remove(dir_ + "/QLEDGER-HEAD");
  ExpectEveryCommandRefuses("QLEDGER-HEAD is missing");
}

TEST_F(FaultInjectionTest, ADamagedAcknowledgedHeadIsRefused) {
  FlipByte(dir_ + "/QLEDGER-HEAD", 40);
  ExpectEveryCommandRefuses("QLEDGER-HEAD is damaged");
}

TEST_F(FaultInjectionTest, AStoreThatForkedFromWhatWasAcknowledgedIsRefused) {
  // Another history of the same length in place of the store: the first 300
  // events and then a different last event at seq 310... made by appending
  // other events to a copy taken at seq 301.
  TempDir other;
  const std::string fork = other.Sub("ledger");
  ASSERT_EQ(RunQledger({"--data", fork, "init", "--policy", SourcePath("config/policy.json")}).exit_code, 0);
  ASSERT_EQ(RunQledger({"--data", fork, "append", base_->Sub("first.jsonl")}).exit_code, 0);
  std::string lines;
  for (int i = 0; i < 9; ++i) {
    lines += R"({"id": "fork-)" + std::to_string(i) +
             R"(", "type": "budget.expense", "period": "2026", "occurred_at": "2026-11-02", "actor": "某人", )"
             R"("data": {"amount": "1.00", "purpose": "另一段历史"}})"
             "\n";
  }
  WriteFile(other.Sub("fork.jsonl"), lines);
  RunResult forked = RunQledger({"--data", fork, "append", other.Sub("fork.jsonl")});
  ASSERT_TRUE(Contains(forked.out, "\"head_seq\":310")) << forked.Describe();
  std::string acknowledged = ReadFile(dir_ + "/QLEDGER-HEAD");
  fs::remove_all(dir_);
  fs::copy(fork, dir_, fs::copy_options::recursive);
  WriteFile(dir_ + "/QLEDGER-HEAD", acknowledged);
  ExpectEveryCommandRefuses("has forked: event 310 was acknowledged with hash");
}

TEST_F(FaultInjectionTest, ACorruptTableBlockIsNamedByVerifyAndByTheServer) {
  // A data block of the table file that holds the first 300 events. Reads
  // that do not touch it answer from undamaged data; verify, which reads
  // every event, and the server's background verification name it.
  // (In an event's own bytes: the file's first blocks hold other keys, such
  // as the projection snapshots, which the chain's verification never reads.)
  const std::string table = OnlyFile(dir_, ".sst", /*largest=*/true);
  const size_t event_bytes = ReadFile(table).find("\"occurred_at\":\"");
  ASSERT_NE(event_bytes, std::string::npos);
  FlipByte(table, static_cast<long>(event_bytes) + 4);
  RunResult verify = Q({"verify"});
  EXPECT_EQ(verify.exit_code, kDataLoss) << verify.Describe();
  EXPECT_TRUE(Contains(verify.err, "block checksum mismatch")) << verify.err;
  EXPECT_TRUE(Contains(verify.err, ".sst")) << verify.err;
  // SPEC §6: verify names the first bad event — here the first it cannot
  // read, in the damaged block — and says where the chain is broken.
  EXPECT_TRUE(Contains(verify.err, "qledger verify: FAILED at event ")) << verify.err;
  EXPECT_TRUE(Contains(verify.err, "cannot be read: the stored block that holds it")) << verify.err;
  EXPECT_TRUE(Contains(verify.err, "the chain is broken from event ")) << verify.err;
  for (const auto& args : std::vector<std::vector<std::string>>{{"scores", "--quarter", "2026Q3"},
                                                                {"scores", "--quarter", "2025Q4"},
                                                                {"export"}}) {
    RunResult r = Q(args);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == kDataLoss) << r.Describe();
    if (r.exit_code == kDataLoss) {
      EXPECT_TRUE(Contains(r.err, "Corruption")) << r.err;
    }
  }
  Server server(tmp_, dir_, {}, /*want_healthy=*/false);
  ASSERT_NE(server.port(), 0) << server.process().Wait().Describe();
  int status = 0;
  for (int i = 0; i < 100 && status != 503; ++i) {
    status = Fetch(server.port(), "GET", "/healthz").status;
    if (status != 503) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 503) << "/healthz still says ok on a ledger whose chain cannot be read";
  testing::Reply head = Fetch(server.port(), "GET", "/v1/head");
  json::object h = json::parse(head.body).as_object();
  EXPECT_EQ(h.at("verified"), json::value(false)) << head.body;
  EXPECT_TRUE(Contains(std::string(h.at("problem").as_string()), "Corruption")) << head.body;
  testing::Reply scores = Fetch(server.port(), "GET", "/v1/quarters/2026Q3/scores");
  EXPECT_EQ(scores.status, 503) << "a damaged ledger's answers are served";
  testing::Reply metrics = Fetch(server.port(), "GET", "/metrics");
  EXPECT_TRUE(Contains(metrics.body, "qledger_ledger_healthy 0")) << metrics.body;
  EXPECT_TRUE(Contains(metrics.body, "qledger_ledger_damage_info{problem=")) << metrics.body;
}

TEST_F(FaultInjectionTest, AStoreThatFallsBehindItsAcknowledgedHeadWhileServedTurnsTheServerUnhealthy) {
  // The acknowledged head of a copy that went one event further, put beside
  // the store the server follows: as if that event had been lost.
  TempDir other;
  fs::copy(dir_, other.Sub("ledger"), fs::copy_options::recursive);
  ASSERT_EQ(RunQledger({"--data", other.Sub("ledger"), "append", base_->Sub("new.jsonl")}).exit_code, 0);
  Server server(tmp_, dir_);
  ASSERT_NE(server.port(), 0);
  fs::copy_file(other.Sub("ledger") + "/QLEDGER-HEAD", dir_ + "/QLEDGER-HEAD.new");
  fs::rename(dir_ + "/QLEDGER-HEAD.new", dir_ + "/QLEDGER-HEAD");
  testing::Reply health;
  for (int i = 0; i < 50 && health.status != 503; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    health = Fetch(server.port(), "GET", "/healthz");
  }
  ASSERT_EQ(health.status, 503) << health.body;
  EXPECT_TRUE(Contains(health.body, "has lost acknowledged events: event 311 was acknowledged")) << health.body;
  EXPECT_EQ(Fetch(server.port(), "GET", "/v1/quarters/2026Q3/scores").status, 503);
}

// ---- Damage the file system does: a read-only directory, a full disk ----

// A mount point of this test's own (bind or tmpfs); unmounted at the end.
// Skips the test where the sandbox does not allow mounting.
class Mount {
 public:
  explicit Mount(std::string target) : target_(std::move(target)) { fs::create_directories(target_); }
  ~Mount() {
    if (mounted_) ::umount2(target_.c_str(), MNT_DETACH);
  }
  bool ReadOnlyBind(const std::string& source) {
    mounted_ = ::mount(source.c_str(), target_.c_str(), nullptr, MS_BIND, nullptr) == 0;
    return mounted_ && ::mount(nullptr, target_.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr) == 0;
  }
  bool Tmpfs(const std::string& size) {
    std::string options = "size=" + size;
    mounted_ = ::mount("tmpfs", target_.c_str(), "tmpfs", 0, options.c_str()) == 0;
    return mounted_;
  }
  const std::string& path() const { return target_; }

 private:
  std::string target_;
  bool mounted_ = false;
};

TEST_F(FaultInjectionTest, AReadOnlyDirectoryIsReadAndAnAppendRefusedWithoutDamage) {
  Mount ro(tmp_.Sub("ro"));
  if (!ro.ReadOnlyBind(dir_)) GTEST_SKIP() << "cannot mount here (needs CAP_SYS_ADMIN): " << std::strerror(errno);
  auto RO = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--data", ro.path()});
    return RunQledger(args);
  };
  RunResult verify = RO({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_TRUE(Contains(verify.out, "head seq 310")) << verify.out;
  EXPECT_EQ(RO({"scores", "--quarter", "2026Q3"}).exit_code, 0);
  RunResult dry = RO({"append", "--dry-run", base_->Sub("new.jsonl")});
  EXPECT_EQ(dry.exit_code, 0) << "a dry run needs nothing written: " << dry.Describe();
  RunResult duplicate = RO({"append", base_->Sub("rest.jsonl")});
  EXPECT_EQ(duplicate.exit_code, 0) << "a batch of duplicates needs nothing written: " << duplicate.Describe();
  RunResult append = RO({"append", base_->Sub("new.jsonl")});
  EXPECT_EQ(append.exit_code, 1) << append.Describe();
  EXPECT_TRUE(Contains(append.err, "Read-only file system")) << append.err;
  EXPECT_TRUE(RO({"verify"}).out.find("head seq 310") != std::string::npos);
}

TEST_F(FaultInjectionTest, AFullDiskRefusesAppendsCleanlyAndLosesNothing) {
  Mount small(tmp_.Sub("small"));
  if (!small.Tmpfs("1m")) GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  const std::string ledger = small.path() + "/ledger";
  fs::copy(dir_, ledger, fs::copy_options::recursive);
  // Batches of 500 events until the disk is full, then more: each append
  // either succeeds or says the disk is full; none aborts.
  int refused = 0;
  int64_t acknowledged = 310;
  for (int batch = 0; batch < 12 && refused < 3; ++batch) {
    std::string lines;
    for (int i = 0; i < 500; ++i) {
      lines += R"({"id": "fill-)" + std::to_string(batch) + "-" + std::to_string(i) +
               R"(", "type": "budget.expense", "period": "2026", "occurred_at": "2026-11-02", "actor": "工作组", )"
               R"("data": {"amount": "1.00", "purpose": "填满磁盘填满磁盘填满磁盘填满磁盘"}})"
               "\n";
    }
    WriteFile(tmp_.Sub("fill.jsonl"), lines);
    RunResult r = RunQledger({"--data", ledger, "append", tmp_.Sub("fill.jsonl")});
    ASSERT_GE(r.exit_code, 0) << "append was killed by a signal: " << r.Describe();
    if (r.exit_code == 0) {
      acknowledged += 500;
    } else {
      EXPECT_EQ(r.exit_code, 1) << r.Describe();
      EXPECT_TRUE(Contains(r.err, "disk full") || Contains(r.err, "No space left")) << r.err;
      ++refused;
    }
  }
  EXPECT_GT(refused, 0) << "the 1 MiB disk never filled";
  RunResult verify = RunQledger({"--data", ledger, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.Describe();
  EXPECT_TRUE(Contains(verify.out, "head seq " + std::to_string(acknowledged) + " ")) << verify.out;
}

}  // namespace
}  // namespace qledger
