// Test support: tampering with a closed ledger directly through RocksDB, as
// an attacker with file access would, to prove that verification notices.
//
// It relies only on the documented key layout (storage/src/keys.h): event
// seq is stored under 'e' + seq as 8 bytes big-endian, and its value is the
// 32 raw bytes of its hash followed by its canonical JSON.
//
// REQUIRES: no EventStore (and no qledger process) has the directory open.
#ifndef QLEDGER_TESTS_SUPPORT_LEDGER_TAMPER_H_
#define QLEDGER_TESTS_SUPPORT_LEDGER_TAMPER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/options.h>

namespace qledger::testing {

inline std::string StoredEventKey(int64_t seq) {
  std::string k(1, 'e');
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((static_cast<uint64_t>(seq) >> (8 * i)) & 0xff));
  return k;
}

// Opens dir with RocksDB directly and calls fn on it. Throws on a RocksDB error.
inline void WithRawLedger(const std::string& dir, const std::function<void(rocksdb::DB&)>& fn) {
  rocksdb::Options options;
  options.create_if_missing = false;
  options.compression = rocksdb::kNoCompression;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) throw std::runtime_error("opening " + dir + " with RocksDB: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  fn(*db);
  s = db->Close();
  if (!s.ok()) throw std::runtime_error("closing " + dir + ": " + s.ToString());
}

// Replaces the stored value of event seq by edit(value). The value is
// hash(32 raw bytes) followed by the canonical JSON.
inline void EditStoredEvent(const std::string& dir, int64_t seq, const std::function<void(std::string*)>& edit) {
  WithRawLedger(dir, [&](rocksdb::DB& db) {
    std::string value;
    rocksdb::Status s = db.Get(rocksdb::ReadOptions(), StoredEventKey(seq), &value);
    if (!s.ok()) throw std::runtime_error("reading event " + std::to_string(seq) + ": " + s.ToString());
    edit(&value);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db.Put(wo, StoredEventKey(seq), value);
    if (!s.ok()) throw std::runtime_error("rewriting event " + std::to_string(seq) + ": " + s.ToString());
  });
}

// The stored canonical JSON of event seq (without the 32 hash bytes).
inline std::string StoredEventJson(const std::string& dir, int64_t seq) {
  std::string json;
  EditStoredEvent(dir, seq, [&](std::string* v) { json = v->substr(32); });
  return json;
}

// Changes the first digit of the first `"score":"` value in event seq's JSON
// (e.g. "96.50" -> "06.50"... a different digit, still valid canonical JSON).
// Throws if the event has no score.
inline void TamperScoreDigit(const std::string& dir, int64_t seq) {
  EditStoredEvent(dir, seq, [&](std::string* v) {
    const std::string marker = "\"score\":\"";
    size_t at = v->find(marker, 32);
    if (at == std::string::npos) throw std::runtime_error("event " + std::to_string(seq) + " has no score");
    char& digit = (*v)[at + marker.size()];
    digit = digit == '8' ? '7' : '8';
  });
}

// Flips one bit of the stored hash of event seq.
inline void TamperHashByte(const std::string& dir, int64_t seq) {
  EditStoredEvent(dir, seq, [](std::string* v) { (*v)[5] = static_cast<char>((*v)[5] ^ 0x01); });
}

// Deletes event seq, leaving a gap in the chain.
inline void DeleteStoredEvent(const std::string& dir, int64_t seq) {
  WithRawLedger(dir, [&](rocksdb::DB& db) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status s = db.Delete(wo, StoredEventKey(seq));
    if (!s.ok()) throw std::runtime_error("deleting event " + std::to_string(seq) + ": " + s.ToString());
  });
}

}  // namespace qledger::testing

#endif  // QLEDGER_TESTS_SUPPORT_LEDGER_TAMPER_H_
