// Status and Result<T>: errors as values, with a code and a message that
// names the object ("what, then why"), in the style of leveldb and abseil.
//
// The code decides the exit status of the CLI and the HTTP status of the
// server; each mapping lives in exactly one place (tools/exit_codes.h and
// server/http_errors.h).
#ifndef QLEDGER_DOMAIN_STATUS_H_
#define QLEDGER_DOMAIN_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace qledger::domain {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // bad input: malformed event, unknown field, bad flag
  kNotFound,           // no such event, quarter, department
  kAlreadyExists,      // an id reused with other content
  kFailedPrecondition, // a fact for an approved quarter, a second self-check
  kAborted,            // lost an optimistic-concurrency race (--expect-head)
  kUnavailable,        // ledger busy: another writer held it past the wait
  kDataLoss,           // a broken hash chain or a corrupted stored event
  kInternal,           // storage or I/O failure
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: line 3: ..." — for logs; users see message().
  std::string ToString() const;

  // Marks a deliberately ignored status so that swallowing can be grepped:
  // every call says why in a comment beside it.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // A Result is a value or an error, never neither: an OK status given
  // here (a bug) becomes an kInternal error that says so.
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    if (status_.ok()) status_ = Status(StatusCode::kInternal, "internal error: a result without a value was made from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & { assert(ok()); return *value_; }
  const T& value() const& { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace qledger::domain

// Returns the Status of expr (a Status) from the calling function if it is
// not OK.
#define QLEDGER_RETURN_IF_ERROR(expr)        \
  do {                                       \
    ::qledger::domain::Status _st = (expr);  \
    if (!_st.ok()) return _st;               \
  } while (0)

// `QLEDGER_ASSIGN_OR_RETURN(auto x, Compute());` declares x as the value of
// the Result that Compute() returns, or returns its error from the calling
// function.
#define QLEDGER_ASSIGN_OR_RETURN(lhs, expr) \
  QLEDGER_ASSIGN_OR_RETURN_IMPL_(QLEDGER_STATUS_CONCAT_(_result_, __LINE__), lhs, expr)
#define QLEDGER_ASSIGN_OR_RETURN_IMPL_(result, lhs, expr) \
  auto result = (expr);                                   \
  if (!result.ok()) return result.status();               \
  lhs = std::move(result).value()
#define QLEDGER_STATUS_CONCAT_(a, b) QLEDGER_STATUS_CONCAT_INNER_(a, b)
#define QLEDGER_STATUS_CONCAT_INNER_(a, b) a##b

#endif  // QLEDGER_DOMAIN_STATUS_H_
