// Follower: the ledger opened as a RocksDB secondary instance — never for
// writing — that catches up with the writer on demand.
//
// Thread safety: thread-safe. Reads run under a shared lock and may run in
// parallel; CatchUp takes the lock exclusively, because the store's head is
// not safe to update while it is read.
#ifndef QLEDGER_SERVER_FOLLOWER_H_
#define QLEDGER_SERVER_FOLLOWER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "qledger/domain/status.h"
#include "qledger/storage/event_store.h"

namespace qledger::server {

// How far the follower has re-computed the hash chain (SPEC §5) itself.
struct ChainStatus {
  int64_t verified_seq = 0;  // events 1..verified_seq re-hash to their stored hashes
  bool broken = false;       // the event after verified_seq does not
  std::string problem;       // why, naming the event
};

class Follower {
 public:
  // Opens dir as a follower with its own logs in secondary_dir (which the
  // caller creates and removes). Fails as EventStore::OpenFollower does.
  static domain::Result<std::unique_ptr<Follower>> Open(const std::string& dir, const std::string& secondary_dir);

  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // Reads what the writer has appended since the last catch-up.
  domain::Status CatchUp();

  // Counts the catch-ups: what a read sees changes only when it does. Read
  // inside Read() it names the state that read sees (a catch-up takes the
  // lock exclusively). What the head does not show — a cosigned checkpoint —
  // is memoised against it.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Runs fn(const storage::EventStore&) under the shared lock and returns
  // what it returns: the head and the data it reads agree.
  template <typename Fn>
  auto Read(Fn&& fn) const {
    std::shared_lock lock(mu_);
    return fn(static_cast<const storage::EventStore&>(*store_));
  }

  storage::Head head() const;
  // Re-computes the chain for at most `budget` more events (under the
  // shared lock). Returns true while events remain to be verified.
  bool VerifyMore(int64_t budget);
  ChainStatus chain() const;

  // Whether the ledger can be trusted now: "" if so, else why not — the
  // chain does not verify, or a catch-up found the store damaged (it lost
  // acknowledged events, its head record does not match: the open checks of
  // docs/recovery.md) in kDamageAfter catch-ups in a row. Damage found is
  // kept: a store does not heal.
  std::string Damage() const;

  // Seconds since the last successful catch-up (the lag bound).
  double SecondsSinceCatchUp() const;

 private:
  // Catch-ups in a row that must find the store damaged before it is taken
  // to be (at the server's 200 ms, a second).
  static constexpr int kDamageAfter = 5;

  explicit Follower(std::unique_ptr<storage::EventStore> store);

  mutable std::shared_mutex mu_;
  // Protected by mu_ (exclusive for CatchUp, shared for reads).
  std::unique_ptr<storage::EventStore> store_;
  std::atomic<int64_t> last_catch_up_ns_;  // steady_clock
  std::atomic<uint64_t> generation_{0};    // changed under mu_ held exclusively

  mutable std::mutex chain_mu_;
  // Protected by chain_mu_.
  ChainStatus chain_;
  std::string verified_hash_;  // hash of event chain_.verified_seq
  std::string store_damage_;   // a kDataLoss that stayed through kDamageAfter catch-ups, or ""
  int data_loss_in_a_row_ = 0;
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_FOLLOWER_H_
