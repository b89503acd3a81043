// Fuzzes the parsers of bytes read back from the ledger directory, which
// whoever holds the directory can change: a stored event
// (ParseExportedEvent), the acknowledged-head record (ParseAckedHead), and
// the values inside them (decimals, quarters, instants). A stored event that
// parses re-serialises to its canonical hash input without crashing, and an
// acknowledged head that parses formats back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "acked_head.h"
#include "qledger/domain/decimal.h"
#include "qledger/domain/event.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/period.h"
#include "qledger/domain/stored_event.h"

using namespace qledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto e = domain::ParseExportedEvent(text); e.ok()) {
    (void)domain::HashInput(*e);
    (void)domain::ContentKey(*e);
  }
  if (auto h = storage::internal::ParseAckedHead(text, "fuzz"); h.ok()) {
    if (storage::internal::FormatAckedHead(*h) != text) __builtin_trap();
  }
  (void)domain::Decimal::Parse(text);
  (void)domain::Quarter::Parse(text);
  (void)domain::ParseInstant(text);
  (void)domain::IsDateTime(text);
  return 0;
}
