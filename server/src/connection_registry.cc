#include "connection_registry.h"

#include <vector>

namespace qledger::server {

std::unordered_map<uint64_t, ConnectionRegistry::Entry>::iterator ConnectionRegistry::OldestIdle(
    const std::string* peer) {
  auto oldest = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.busy || (peer && it->second.peer != *peer)) continue;
    if (oldest == entries_.end() || it->second.idle_since < oldest->second.idle_since) oldest = it;
  }
  return oldest;
}

ConnectionRegistry::Closer ConnectionRegistry::Displace(std::unordered_map<uint64_t, Entry>::iterator it) {
  Closer close = std::move(it->second.close);
  if (--per_peer_[it->second.peer] == 0) per_peer_.erase(it->second.peer);
  entries_.erase(it);
  return close;
}

ConnectionRegistry::Admission ConnectionRegistry::Admit(const std::string& peer, Closer close) {
  Admission out;
  std::vector<Closer> to_close;
  [&] {
    std::lock_guard lock(mu_);
    auto count = per_peer_.find(peer);
    if (count != per_peer_.end() && count->second >= max_per_peer_) {
      auto victim = OldestIdle(&peer);
      if (victim == entries_.end()) return;  // refused: all of this peer's are busy
      to_close.push_back(Displace(victim));
    }
    if (static_cast<int64_t>(entries_.size()) >= max_total_) {
      auto victim = OldestIdle(nullptr);
      // Refused: every connection is busy. One of this peer's may have been
      // displaced above; it was idle, and the room it left is taken next.
      if (victim == entries_.end()) return;
      to_close.push_back(Displace(victim));
    }
    uint64_t id = next_id_++;
    entries_.emplace(id, Entry{peer, std::move(close), false, std::chrono::steady_clock::now()});
    ++per_peer_[peer];
    out.id = id;
  }();
  for (auto& c : to_close) c();
  out.displaced = static_cast<int64_t>(to_close.size());
  return out;
}

void ConnectionRegistry::MarkBusy(uint64_t id, bool busy) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  it->second.busy = busy;
  if (!busy) it->second.idle_since = std::chrono::steady_clock::now();
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it != entries_.end()) Displace(it);
}

int64_t ConnectionRegistry::open() const {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(entries_.size());
}

}  // namespace qledger::server
