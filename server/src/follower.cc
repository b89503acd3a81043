#include "qledger/server/follower.h"

#include <algorithm>

#include "qledger/domain/event.h"
#include "qledger/domain/hash_chain.h"

namespace qledger::server {

namespace {
int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

domain::Result<std::unique_ptr<Follower>> Follower::Open(const std::string& dir, const std::string& secondary_dir) {
  QLEDGER_ASSIGN_OR_RETURN(auto store, storage::EventStore::OpenFollower(dir, secondary_dir));
  return std::unique_ptr<Follower>(new Follower(std::move(store)));
}

Follower::Follower(std::unique_ptr<storage::EventStore> store)
    : store_(std::move(store)), last_catch_up_ns_(NowNs()) {}

domain::Status Follower::CatchUp() {
  domain::Status s = [&] {
    std::unique_lock lock(mu_);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    return store_->CatchUp();
  }();
  if (s.ok()) last_catch_up_ns_.store(NowNs(), std::memory_order_relaxed);
  std::lock_guard lock(chain_mu_);
  // A catch-up can race the writer's own open (it moves the log into a
  // table file and deletes the log): one that finds the store behind its
  // acknowledged head may only be early. Damage is what stays so through
  // kDamageAfter catch-ups in a row; from then on it is kept.
  if (s.code() == domain::StatusCode::kDataLoss) {
    if (++data_loss_in_a_row_ >= kDamageAfter && store_damage_.empty()) store_damage_ = s.message();
  } else {
    data_loss_in_a_row_ = 0;
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
      if (e.seq != chain.verified_seq + 1) {
        chain.broken = true;
        chain.problem = "event " + std::to_string(chain.verified_seq + 1) + " is missing (the next stored is " +
                        std::to_string(e.seq) + ")";
        return false;
      }
      std::string computed = domain::ChainHash(prev, domain::HashInput(e));
      if (computed != e.hash) {
        chain.broken = true;
        chain.problem = "event " + std::to_string(e.seq) + " does not verify (stored hash " + e.hash + ", computed " +
                        computed + ")";
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
