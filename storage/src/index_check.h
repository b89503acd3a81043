// Internal: re-derives every index entry from the stored events alone and
// compares with the index entries the store holds, so that `verify` also
// catches an altered index (scores are read through the indexes).
#ifndef QLEDGER_STORAGE_INDEX_CHECK_H_
#define QLEDGER_STORAGE_INDEX_CHECK_H_

#include <array>
#include <cstdint>
#include <unordered_map>
#include <set>
#include <string>
#include <vector>

#include "qledger/domain/event.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/status.h"

namespace rocksdb {
class DB;
}

namespace qledger::storage::internal {

// Sets *problem to the first difference ("" when the indexes match the
// events). REQUIRES: the event chain itself has verified. A non-OK status is
// a read failure. Holds every expected entry in a map: the exact check,
// whose memory grows with the ledger (~600 bytes an event).
domain::Status CheckIndexes(rocksdb::DB* db, std::string* problem);

// The same check in one pass with the chain (`verify`), in ~20 bytes an
// expected entry: Add is given each event as the chain is read, in seq
// order; Finish compares. What the events say the indexes hold is kept as a
// set of 128-bit digests (SHA-256 of the entry, truncated), except the
// quarter/department entries ('x'), kept exactly as seqs, and the
// entries a later event may overwrite or remove (status, monthly, void),
// which are kept by the digest of their key. The stored entries must be
// exactly that set: each stored entry's digest is in it and there are as
// many, and the stored 'x' entries are the expected ones. Any difference at
// all, or anything unusual on the way (a void whose target the 'i' index
// does not lead to), falls back to CheckIndexes, which names the entry, so
// the check is exactly as strict as CheckIndexes up to a second preimage of
// truncated SHA-256.
class IndexExpectation {
 public:
  explicit IndexExpectation(rocksdb::DB* db, int64_t events_hint = 0);

  // REQUIRES: e's bytes are chain-verified; events come in seq order.
  void Add(const domain::Event& e);

  // Sets *problem like CheckIndexes.
  domain::Status Finish(std::string* problem);

  // After Finish: whether CheckIndexes decided, and how many stored entries
  // matched by digest.
  bool exact() const { return exact_; }
  int64_t matched() const { return matched_; }

 private:
  using Digest = domain::Digest128;
  static Digest DigestOf(std::string_view key, std::string_view value);
  static Digest KeyDigestOf(std::string_view key);
  domain::Status Exact(std::string* problem);
  void Expect(std::string_view key, std::string_view value) { digests_.push_back(DigestOf(key, value)); }
  void ExpectIndexed(std::string_view quarter, std::string_view department, int64_t seq);
  void ExpectLatest(std::string_view key, std::string_view value) { mutable_[KeyDigestOf(key)] = DigestOf(key, value); }

  rocksdb::DB* db_;
  bool fall_back_ = false;
  bool exact_ = false;
  int64_t matched_ = 0;
  std::vector<Digest> digests_;
  // The 'x' entries (keys.h IndexKey), about one an event, kept exactly
  // rather than by digest: no hash to take of each, expected or stored, and
  // 8 bytes an entry instead of 16. Each (quarter, department) prefix's
  // seqs, ascending as the events come; the stored keys, read in key order,
  // come in that order within a prefix, and are matched by walking it.
  struct Run {
    std::vector<int64_t> seqs;
    size_t next = 0;  // Finish: the first not yet matched by a stored key
  };
  std::unordered_map<std::string, Run> runs_;  // by prefix ("x" quarter "/" department "/")
  std::string prefix_;                         // the prefix of the last ExpectIndexed
  Run* run_ = nullptr;                         // its run
  std::string scratch_;                        // the next one's, before it is compared
  // Every kIdSampleEvery-th event's id: Finish splits the stored entries
  // between two threads among the ids.
  static constexpr int64_t kIdSampleEvery = 64;
  std::vector<std::string> id_samples_;
  std::set<std::string> quarters_;              // 'q' entries: one per quarter, from many events
  std::string last_quarter_;                    // the one inserted last
  // 's', 'm', 'v' entries, which a later event may change or remove: the
  // digest of the key to the digest of the entry.
  struct FirstWord {
    size_t operator()(const Digest& d) const { return static_cast<size_t>(d[0]); }
  };
  std::unordered_map<Digest, Digest, FirstWord> mutable_;
};

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_INDEX_CHECK_H_
