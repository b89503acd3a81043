// Input events: parsing JSON Lines or a JSON array, and normalising one
// event against the schema of its type (SPEC §4). Stateless: rules that need
// the ledger (duplicates, approved quarters, targets) are in batch.h.
#ifndef QLEDGER_DOMAIN_EVENT_INPUT_H_
#define QLEDGER_DOMAIN_EVENT_INPUT_H_

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "qledger/domain/event.h"

namespace qledger::domain {

// One event as it arrived: where it came from ("line 3", "CSV line 7") and
// its JSON (or a parse error).
struct InputEvent {
  std::string where;
  boost::json::value json;
  std::string parse_error;  // non-empty: the text was not valid JSON
  // When the event's id is already taken by other content, the id to use
  // instead ("" for none). An import derives a row's id from a short digest
  // of its content (docs/import.md); two different rows whose digests agree
  // take the longer form.
  std::string fallback_id;
};

// Splits input text into events: a JSON array of objects, or JSON Lines
// (blank lines skipped). Malformed lines become InputEvents with
// parse_error set, so that every error in a batch can be reported.
std::vector<InputEvent> ParseInputText(std::string_view text);

// Normalises one input event: checks required envelope fields, the type,
// department/period presence and format, dates, and the data fields of the
// type (unknown fields rejected, decimals to two-decimal strings, scores in
// 0–100). Appends one message per problem, each naming the field
// (`data.score: 101.00 is above 100`), to *errors. Returns true when valid.
bool NormalizeInputEvent(const boost::json::value& in, Event* out, std::vector<std::string>* errors);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_EVENT_INPUT_H_
