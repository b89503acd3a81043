// A request target split into its decoded path segments and query
// parameters ("/v1/quarters/2026Q3/scores?without=a&without=b").
#ifndef QLEDGER_SERVER_TARGET_H_
#define QLEDGER_SERVER_TARGET_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qledger/domain/status.h"

namespace qledger::server {

class Target {
 public:
  // Fails with InvalidArgument when the target is not origin-form ("/…") or
  // holds a malformed percent escape. '+' is kept as '+' (so that
  // as_of=2026-08-03T10:00+08:00 works from a shell).
  static domain::Result<Target> Parse(std::string_view target);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& segments() const { return segments_; }
  const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }

  // Every value of a parameter, in order.
  std::vector<std::string> All(std::string_view name) const;
  // The single value of a parameter; "" if absent. InvalidArgument if given twice.
  domain::Result<std::string> One(std::string_view name) const;
  // The request as the handlers see it — the decoded path and the decoded
  // parameters, in order — so that every spelling of one request
  // ("/v1/%68ead", "/v1/head") is one key of the response cache.
  std::string CacheKey() const;

  // InvalidArgument naming the first parameter not in `allowed`.
  domain::Status CheckAllowed(const std::vector<std::string_view>& allowed) const;

 private:
  std::string path_;
  std::vector<std::string> segments_;
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace qledger::server

#endif  // QLEDGER_SERVER_TARGET_H_
