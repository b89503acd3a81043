// Internal: the acknowledged head, recorded outside RocksDB.
//
// After every append that RocksDB has synced, the writer replaces the file
// DIR/QLEDGER-HEAD (docs/design.md §4, docs/recovery.md) with the head it is
// about to acknowledge. Every open compares the store with it, so a store
// that lost acknowledged events — a damaged or truncated write-ahead log, a
// lost table file, an older copy put in its place — is refused instead of
// silently continued (and forked by the next append).
//
// The file is one line of ASCII:
//
//   qledger-acked-head v1 seq=<decimal> hash=<64 hex> check=<16 hex>\n
//
// where check is the first 16 hex digits of SHA-256(32 zero bytes ‖ the
// line up to and excluding " check="), so that a damaged file is told apart
// from a store that went back. An empty ledger is seq=0 with 64 zeros.
#ifndef QLEDGER_STORAGE_ACKED_HEAD_H_
#define QLEDGER_STORAGE_ACKED_HEAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "qledger/domain/status.h"

namespace qledger::storage::internal {

inline constexpr const char* kAckedHeadFile = "QLEDGER-HEAD";

struct AckedHead {
  int64_t seq = 0;
  std::string hash;  // 64 hex; 64 zeros for seq 0
};

// The file's path in dir.
std::string AckedHeadPath(const std::string& dir);

// Reads dir's acknowledged head. nullopt if the file does not exist;
// kDataLoss naming the file if it exists but is not exactly one valid line;
// kInternal if it cannot be read.
domain::Result<std::optional<AckedHead>> ReadAckedHead(const std::string& dir);

// Parses the file's content (path names it in messages): kDataLoss unless
// it is exactly one valid line.
domain::Result<AckedHead> ParseAckedHead(std::string_view text, const std::string& path);

// Replaces dir's acknowledged head durably and atomically: writes a
// temporary file, syncs it, renames it over the old one and syncs dir.
// A crash leaves the old file or the new one, never a mix.
domain::Status WriteAckedHead(const std::string& dir, const AckedHead& head);

// The line WriteAckedHead writes (with its newline).
std::string FormatAckedHead(const AckedHead& head);

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_ACKED_HEAD_H_
