// Fuzzes what `append` does with its input bytes: split into events
// (ParseInputText, ParseExactJson), each normalised (NormalizeInputEvent).
// Besides not crashing: a normalised event's canonical JSON parses back
// strictly, and normalising the normalised event changes nothing.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "qledger/domain/canonical_json.h"
#include "qledger/domain/event.h"
#include "qledger/domain/event_input.h"
#include "qledger/domain/exact_json.h"
#include "qledger/domain/hash_chain.h"

using namespace qledger::domain;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const InputEvent& in : ParseInputText(text)) {
    if (!in.parse_error.empty()) continue;
    Event e;
    std::vector<std::string> errors;
    if (!NormalizeInputEvent(in.json, &e, &errors)) continue;
    if (!errors.empty()) __builtin_trap();  // ok and errors must agree
    boost::json::object exported = ToExportJson(e, false);
    std::string canonical = CanonicalJson(exported);
    boost::json::error_code ec;
    boost::json::value back = ParseExactJson(canonical, ec);
    if (ec) __builtin_trap();  // canonical JSON must parse strictly
    // The exported form is an input again (without seq/recorded_at, which
    // are not set here): normalising it gives the same content.
    Event again;
    std::vector<std::string> again_errors;
    if (!NormalizeInputEvent(back, &again, &again_errors)) __builtin_trap();
    if (ContentKey(again) != ContentKey(e)) __builtin_trap();
  }
  return 0;
}
