// Internal: the RocksDB key layout. One column family; the first byte of a
// key says what it is.
//
//   'H'                          -> head: seq(8) | hash(32 raw) | recorded_at
//   'e' seq(8, big-endian)       -> hash(32 raw) | canonical JSON without hash
//   'i' id                       -> seq(8) | type(1) | department '\0' period
//   'v' id                       -> seq(8) of the entry.voided that voided it
//   'm' type(1) dept '\0' month  -> id of the active self-check / spot check
//   's' quarter                  -> status(1): 1 approved, 2 reopened
//   'x' quarter '/' dept '/' seq(8) -> "" : events that touch (quarter, dept);
//                                    dept "" for quarter-wide events
//   'p' seq(8)                   -> "" : policy.adopted events
//   'y' year seq(8)              -> "" : budget.expense and their voids
//   'q' quarter                  -> "" : quarters seen
//   'n' level(1) index(8)        -> hash(32 raw): the complete Merkle tree node
//                                    (level >= 1: a leaf is hashed from its event)
//                                    over leaves [index·2^level, (index+1)·2^level)
//                                    (leaf i: the event of seq i+1)
//   'T'                          -> size(8): leaves the stored tree covers
//   'C' size(8)                  -> a signed checkpoint of the tree of that size
//                                    (a C2SP signed note, every signature on it)
//   'S' quarter '/' dept '/' seq(8) -> a projection snapshot (app/snapshot.h):
//                                    a disposable cache of the fold, checked
//                                    by its reader; never hashed, not an index
//   'A'                          -> "" : the writer records its acknowledged
//                                    head in QLEDGER-HEAD (acked_head.h), so
//                                    that file's absence is damage
#ifndef QLEDGER_STORAGE_KEYS_H_
#define QLEDGER_STORAGE_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace qledger::storage::internal {

inline void PutFixed64BE(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline uint64_t DecodeFixed64BE(std::string_view s) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

inline std::string SeqKey(char tag, int64_t seq) {
  std::string k(1, tag);
  PutFixed64BE(&k, static_cast<uint64_t>(seq));
  return k;
}

inline std::string EventKey(int64_t seq) { return SeqKey('e', seq); }
inline std::string IdKey(std::string_view id) { return "i" + std::string(id); }
// The value of an 'i' entry: seq(8) | type(1) | department '\0' period.
inline void PutIdValue(std::string* out, int64_t seq, uint8_t type, std::string_view dept, std::string_view period) {
  PutFixed64BE(out, static_cast<uint64_t>(seq));
  out->push_back(static_cast<char>(type));
  out->append(dept);
  out->push_back('\0');
  out->append(period);
}
inline std::string VoidKey(std::string_view id) { return "v" + std::string(id); }
inline std::string StatusKey(std::string_view quarter) { return "s" + std::string(quarter); }
inline std::string QuarterKey(std::string_view quarter) { return "q" + std::string(quarter); }
inline std::string MonthlyKey(uint8_t type, std::string_view dept, std::string_view month) {
  std::string k = "m";
  k.push_back(static_cast<char>(type));
  k.append(dept);
  k.push_back('\0');
  k.append(month);
  return k;
}
// Into *out, replacing what it held (a buffer reused key after key).
inline void AssignIndexPrefix(std::string* out, std::string_view quarter, std::string_view dept) {
  out->assign("x").append(quarter).append("/").append(dept).append("/");
}
inline std::string IndexPrefix(std::string_view quarter, std::string_view dept) {
  std::string k;
  AssignIndexPrefix(&k, quarter, dept);
  return k;
}
inline std::string IndexKey(std::string_view quarter, std::string_view dept, int64_t seq) {
  std::string k = IndexPrefix(quarter, dept);
  PutFixed64BE(&k, static_cast<uint64_t>(seq));
  return k;
}
inline std::string YearPrefix(std::string_view year) { return "y" + std::string(year); }
inline std::string YearKey(std::string_view year, int64_t seq) {
  std::string k = YearPrefix(year);
  PutFixed64BE(&k, static_cast<uint64_t>(seq));
  return k;
}

inline std::string NodeKey(int level, uint64_t index) {
  std::string k = "n";  // after the events: a table file holds them first
  k.push_back(static_cast<char>(level));
  PutFixed64BE(&k, index);
  return k;
}
inline std::string SnapshotPrefix(std::string_view quarter, std::string_view dept) {
  return "S" + std::string(quarter) + "/" + std::string(dept) + "/";
}
inline std::string SnapshotKey(std::string_view quarter, std::string_view dept, int64_t seq) {
  std::string k = SnapshotPrefix(quarter, dept);
  PutFixed64BE(&k, static_cast<uint64_t>(seq));
  return k;
}
inline std::string CheckpointKey(uint64_t size) { return SeqKey('C', static_cast<int64_t>(size)); }

constexpr std::string_view kHeadKey = "H";
constexpr std::string_view kTreeSizeKey = "T";
constexpr std::string_view kAckedMarkerKey = "A";

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_KEYS_H_
