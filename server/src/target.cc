#include "qledger/server/target.h"

#include <algorithm>

namespace qledger::server {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Decode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;  // needs two hex digits after '%'
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

}  // namespace

domain::Result<Target> Target::Parse(std::string_view target) {
  if (target.empty() || target[0] != '/') {
    return domain::InvalidArgument("request target \"" + std::string(target) + "\" is not a path starting with /");
  }
  Target t;
  std::string_view path = target, query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  if (auto h = query.find('#'); h != std::string_view::npos) query = query.substr(0, h);
  if (!Decode(path, &t.path_)) {
    return domain::InvalidArgument("request path \"" + std::string(path) + "\" holds a malformed percent escape");
  }
  size_t start = 1;
  while (start <= t.path_.size()) {
    size_t end = t.path_.find('/', start);
    if (end == std::string::npos) end = t.path_.size();
    t.segments_.push_back(t.path_.substr(start, end - start));
    start = end + 1;
  }
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name, value;
    if (!Decode(pair.substr(0, eq), &name) ||
        (eq != std::string_view::npos && !Decode(pair.substr(eq + 1), &value))) {
      return domain::InvalidArgument("query parameter \"" + std::string(pair) + "\" holds a malformed percent escape");
    }
    t.params_.emplace_back(std::move(name), std::move(value));
  }
  return t;
}

std::string Target::CacheKey() const {
  // Length-prefixed parts: a decoded part may hold any byte.
  std::string key = std::to_string(path_.size()) + ":" + path_;
  for (const auto& [k, v] : params_) {
    key += "&" + std::to_string(k.size()) + ":" + k + "=" + std::to_string(v.size()) + ":" + v;
  }
  return key;
}

std::vector<std::string> Target::All(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : params_) {
    if (k == name) out.push_back(v);
  }
  return out;
}

domain::Result<std::string> Target::One(std::string_view name) const {
  auto all = All(name);
  if (all.size() > 1) return domain::InvalidArgument(std::string(name) + ": given more than once");
  return all.empty() ? std::string() : all.front();
}

domain::Status Target::CheckAllowed(const std::vector<std::string_view>& allowed) const {
  for (const auto& [k, v] : params_) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return domain::InvalidArgument("query parameter \"" + k + "\" is not known here" +
                                     (list.empty() ? std::string(" (this endpoint takes none)") : " (known: " + list + ")"));
    }
  }
  return domain::Status::Ok();
}

}  // namespace qledger::server
