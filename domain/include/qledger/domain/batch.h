// The ledger's rules for appending a batch (SPEC §4): duplicates, ids reused
// with other content, targets of rulings, handling records and voids, the
// one-self-check-per-month rule, approved quarters, departments and callback
// bounds of the policy in force. A batch is all or nothing: the plan either
// has no errors and lists what to append, or lists every error.
#ifndef QLEDGER_DOMAIN_BATCH_H_
#define QLEDGER_DOMAIN_BATCH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/event.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/policy.h"
#include "qledger/domain/status.h"

namespace qledger::domain {

enum class QuarterStatus { kOpen, kApproved, kReopened };
const char* QuarterStatusName(QuarterStatus s);

// What the rules need to know of an event already in the ledger.
struct KnownEvent {
  int64_t seq = 0;
  EventType type = EventType::kPolicyAdopted;
  std::string department;
  std::string period;
  bool voided = false;
};

// What the rules need to know of the ledger so far. Implemented by storage
// over its indexes. Lookups may fail with a storage error.
class LedgerView {
 public:
  virtual ~LedgerView() = default;
  virtual Result<std::optional<KnownEvent>> Find(const std::string& id) const = 0;
  // Find of each id, in order. A store may answer them together, faster
  // than one by one (a batch's new ids are mostly not there).
  virtual std::vector<Result<std::optional<KnownEvent>>> FindMany(const std::vector<std::string>& ids) const {
    std::vector<Result<std::optional<KnownEvent>>> out;
    out.reserve(ids.size());
    for (const auto& id : ids) out.push_back(Find(id));
    return out;
  }
  // ContentKey() of the stored event with this id. REQUIRES: it exists.
  virtual Result<std::string> ContentKeyOf(const std::string& id) const = 0;
  // data[key] of the stored event with this id when it is a string, else
  // "". REQUIRES: it exists.
  virtual Result<std::string> DataStringOf(const std::string& id, const std::string& key) const = 0;
  // Id of the not-voided self-check (or spot check) of dept in month.
  virtual Result<std::optional<std::string>> ActiveMonthly(EventType type, const std::string& department,
                                                           const std::string& month) const = 0;
  virtual Result<QuarterStatus> StatusOf(const Quarter& q) const = 0;
  // Whether a fact of some department (anything but the quarter-wide
  // approvals and reopenings) was recorded for q, voided or not.
  virtual Result<bool> HasFacts(const Quarter& q) const = 0;
  // Every policy adopted so far, in seq order.
  virtual Result<std::vector<AdoptedPolicy>> Policies() const = 0;
};

// One problem of a batch, as a value, so that each front end can place it
// (the CLI names the input line, the spreadsheet import a row and a column)
// without parsing text.
struct BatchError {
  std::string where;     // the input's own name for it: "line 3", "element 2", "CSV line 4"
  bool event = true;     // false: the input is not an event at all (malformed JSON)
  std::string id;        // the event's id, if it has one
  std::string field;     // "data.score", "period"; "" for the event as a whole
  std::string message;   // what is wrong: "101.00 is above 100.00"

  // As the CLI prints it: `line 3: event "x": data.score: 101.00 is above
  // 100.00` (`line 3: malformed JSON: ...` when it is not an event).
  std::string ToString() const;
};

struct BatchPlan {
  std::vector<Event> to_append;  // normalised, in input order; seq not set
  int64_t duplicates = 0;
  std::vector<BatchError> errors;
};

// Validates every input event against its schema and against the ledger and
// the batch's own earlier events. Never stops at the first error.
// Returns a non-OK status only when the ledger itself could not be read.
Result<BatchPlan> PlanBatch(const LedgerView& ledger, const std::vector<InputEvent>& inputs);

class Overlay;

// PlanBatch one input at a time, for a batch too large to hold as events
// (a large spreadsheet): the same rules in the same order, with the same
// errors. Of each accepted event it keeps only what later rules ask (kind,
// department, period, a digest of its content), some tens of bytes.
class StreamPlanner {
 public:
  explicit StreamPlanner(const LedgerView& ledger);
  ~StreamPlanner();
  StreamPlanner(const StreamPlanner&) = delete;
  StreamPlanner& operator=(const StreamPlanner&) = delete;

  Status Init();  // reads the adopted policies

  // Plans the next input. True: it is accepted, and *accepted is the
  // normalised event (seq unset) to append after the ones accepted before.
  // False: a duplicate, or rejected with its errors appended to *errors. A
  // non-OK status: the ledger could not be read.
  Result<bool> Next(const InputEvent& in, Event* accepted, std::vector<BatchError>* errors);

  // What the ledger with the accepted events says of id (seq 0: accepted).
  Result<std::optional<KnownEvent>> Find(const std::string& id) const;

  int64_t accepted() const { return accepted_; }
  int64_t duplicates() const { return duplicates_; }
  int64_t rejected() const { return rejected_; }

 private:
  const LedgerView& base_;
  std::unique_ptr<Overlay> overlay_;
  int64_t accepted_ = 0;
  int64_t duplicates_ = 0;
  int64_t rejected_ = 0;
};

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_BATCH_H_
