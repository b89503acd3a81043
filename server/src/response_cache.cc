#include "qledger/server/response_cache.h"

namespace qledger::server {

size_t ResponseCache::BytesOf(const std::string& key, const Response& r) {
  size_t n = key.size() + r.body.size() + r.content_type.size() + r.etag.size() + sizeof(Entry) + 64;
  for (const auto& [name, value] : r.headers) n += name.size() + value.size();
  return n;
}

std::shared_ptr<const Response> ResponseCache::Get(const std::string& target, int64_t head_seq) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(target);
  if (it == entries_.end() || it->second.head_seq != head_seq) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return it->second.response;
}

void ResponseCache::Put(const std::string& target, int64_t head_seq, std::shared_ptr<const Response> r) {
  if (r->body.size() > max_body_bytes_) return;
  size_t bytes = BytesOf(target, *r);
  std::lock_guard lock(mu_);
  if (auto old = entries_.find(target); old != entries_.end()) {
    bytes_ -= old->second.bytes;
    entries_.erase(old);
  }
  if (entries_.size() >= max_entries_ || bytes_ + bytes > max_bytes_) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (it->second.head_seq == head_seq) {
        ++it;
        continue;
      }
      bytes_ -= it->second.bytes;
      it = entries_.erase(it);
    }
  }
  if (entries_.size() >= max_entries_ || bytes_ + bytes > max_bytes_) {
    entries_.clear();
    bytes_ = 0;
  }
  if (bytes > max_bytes_) return;
  entries_[target] = Entry{head_seq, std::move(r), bytes};
  bytes_ += bytes;
}

size_t ResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

size_t ResponseCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

uint64_t ResponseCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

uint64_t ResponseCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace qledger::server
