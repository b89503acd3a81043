#include "qledger/server/response_cache.h"

namespace qledger::server {

std::shared_ptr<const Response> ResponseCache::Get(const std::string& target, int64_t head_seq) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(target);
  if (it == entries_.end() || it->second.head_seq != head_seq) return nullptr;
  return it->second.response;
}

void ResponseCache::Put(const std::string& target, int64_t head_seq, std::shared_ptr<const Response> r) {
  if (r->body.size() > max_body_bytes_) return;
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_ && entries_.find(target) == entries_.end()) entries_.clear();
  entries_[target] = Entry{head_seq, std::move(r)};
}

size_t ResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace qledger::server
