#include "qledger/server/follower.h"

#include <algorithm>

#include "qledger/domain/event.h"

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
  domain::Status s = [&] {
    std::unique_lock lock(mu_);
    return store_->CatchUp();
  }();
  if (s.ok()) last_catch_up_ns_.store(NowNs(), std::memory_order_relaxed);
  if (s.code() == domain::StatusCode::kDataLoss) {
    std::lock_guard lock(chain_mu_);
    if (store_damage_.empty()) store_damage_ = s.message();
  }
  return s;
}

std::string Follower::Damage() const {
  std::lock_guard lock(chain_mu_);
  if (!store_damage_.empty()) return store_damage_;
  if (chain_.broken) return "the hash chain does not verify: " + chain_.problem;
  return "";
}

storage::Head Follower::head() const {
  std::shared_lock lock(mu_);
  return store_->head();
}

bool Follower::VerifyMore(int64_t budget) {
  ChainStatus chain;
  std::string prev;
  {
    std::lock_guard lock(chain_mu_);
    if (chain_.broken) return false;
    chain = chain_;
    prev = verified_hash_;
  }
  bool more = false;
  domain::Status scanned = Read([&](const storage::EventStore& store) {
    int64_t head = store.head().seq;
    int64_t to = std::min(head, chain.verified_seq + budget);
    more = to < head;
    return store.Scan(chain.verified_seq + 1, to, [&](const domain::Event& e) {
      std::string computed = domain::ChainHash(prev, domain::HashInput(e));
      if (e.seq != chain.verified_seq + 1 || computed != e.hash) {
        chain.broken = true;
        chain.problem = "event " + std::to_string(chain.verified_seq + 1) + " does not verify (stored hash " +
                        e.hash + ", computed " + computed + ")";
        return false;
      }
      chain.verified_seq = e.seq;
      prev = computed;
      return true;
    });
  });
  if (!scanned.ok()) {
    chain.broken = true;
    chain.problem = "event " + std::to_string(chain.verified_seq + 1) + " cannot be read: " + scanned.message();
  }
  std::lock_guard lock(chain_mu_);
  chain_ = chain;
  verified_hash_ = prev;
  return more && !chain.broken;
}

ChainStatus Follower::chain() const {
  std::lock_guard lock(chain_mu_);
  return chain_;
}

double Follower::SecondsSinceCatchUp() const {
  return static_cast<double>(NowNs() - last_catch_up_ns_.load(std::memory_order_relaxed)) / 1e9;
}

}  // namespace qledger::server
