#include "qledger/server/follower.h"

namespace qledger::server {

namespace {
int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

domain::Result<std::unique_ptr<Follower>> Follower::Open(const std::string& dir, const std::string& secondary_dir) {
  auto store = storage::EventStore::OpenFollower(dir, secondary_dir);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Follower>(new Follower(std::move(*store)));
}

Follower::Follower(std::unique_ptr<storage::EventStore> store)
    : store_(std::move(store)), last_catch_up_ns_(NowNs()) {}

domain::Status Follower::CatchUp() {
  std::unique_lock lock(mu_);
  domain::Status s = store_->CatchUp();
  if (s.ok()) last_catch_up_ns_.store(NowNs(), std::memory_order_relaxed);
  return s;
}

storage::Head Follower::head() const {
  std::shared_lock lock(mu_);
  return store_->head();
}

double Follower::SecondsSinceCatchUp() const {
  return static_cast<double>(NowNs() - last_catch_up_ns_.load(std::memory_order_relaxed)) / 1e9;
}

}  // namespace qledger::server
