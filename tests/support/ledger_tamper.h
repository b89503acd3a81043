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
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "qledger/domain/hash_chain.h"

namespace qledger::testing {

inline std::string ToHexForTamper(std::string_view raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

inline std::string FromHexForTamper(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

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

// Removes every stored checkpoint (keys.h: 'C'), as a forger who rewrote
// the events would, so that verify no longer compares them with the tree.
inline void DeleteCheckpoints(const std::string& dir) {
  WithRawLedger(dir, [](rocksdb::DB& db) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    rocksdb::WriteBatch wb;
    for (it->Seek("C"); it->Valid() && it->key().starts_with("C"); it->Next()) wb.Delete(it->key());
    rocksdb::Status s = db.Write(rocksdb::WriteOptions(), &wb);
    if (!s.ok()) throw std::runtime_error("deleting checkpoints: " + s.ToString());
  });
}

// What an attacker who controls the directory does to rewrite history
// without `verify` noticing: changes a score digit of event seq, recomputes
// the hash of every event from there on and the head record, and removes
// what would tell on it — the Merkle tree (the next writer builds it again,
// over the rewritten events), the projection snapshots (a cache whose
// headers name the old events' hashes) and the acknowledged head (so that
// the ledger looks like one of the first release). Only a checkpoint signed
// before, held outside, can catch it.
inline void RewriteAndRechain(const std::string& dir, int64_t seq) {
  TamperScoreDigit(dir, seq);
  WithRawLedger(dir, [&](rocksdb::DB& db) {
    rocksdb::WriteBatch wb;
    std::string prev;  // raw 32 bytes of the previous hash
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
    int64_t last = 0;
    std::string last_hash, last_recorded;
    for (it->Seek(StoredEventKey(1)); it->Valid() && it->key().starts_with("e"); it->Next()) {
      std::string v = it->value().ToString();
      int64_t s = 0;
      for (int i = 1; i < 9; ++i) s = (s << 8) | static_cast<unsigned char>(it->key()[i]);
      std::string body = v.substr(32);
      if (s >= seq) {
        std::string hex = domain::ChainHash(prev.empty() ? "" : ToHexForTamper(prev), body);
        v = FromHexForTamper(hex) + body;
        wb.Put(it->key(), v);
      }
      prev = v.substr(0, 32);
      last = s;
      size_t at = body.find("\"recorded_at\":\"");
      last_recorded = body.substr(at + 15, body.find('"', at + 15) - at - 15);
    }
    std::string head;
    for (int i = 7; i >= 0; --i) head.push_back(static_cast<char>((static_cast<uint64_t>(last) >> (8 * i)) & 0xff));
    wb.Put("H", head + prev + last_recorded);
    for (it->Seek("n"); it->Valid() && it->key().starts_with("n"); it->Next()) wb.Delete(it->key());
    for (it->Seek("S"); it->Valid() && it->key().starts_with("S"); it->Next()) wb.Delete(it->key());
    wb.Delete("T");
    wb.Delete("A");
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status st = db.Write(wo, &wb);
    if (!st.ok()) throw std::runtime_error("rewriting the chain: " + st.ToString());
  });
  std::filesystem::remove(dir + "/QLEDGER-HEAD");
}

}  // namespace qledger::testing

#endif  // QLEDGER_TESTS_SUPPORT_LEDGER_TAMPER_H_
