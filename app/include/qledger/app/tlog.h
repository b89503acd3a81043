// The transparency log's use cases (issue: checkpoints that others sign,
// proofs anyone can check; docs/verification.md §3–§5): signing a
// checkpoint of the tree at a size, writing an inclusion or a consistency
// bundle, and checking a bundle without any ledger.
#ifndef QLEDGER_APP_TLOG_H_
#define QLEDGER_APP_TLOG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "qledger/domain/signed_note.h"
#include "qledger/domain/status.h"
#include "qledger/storage/event_store.h"

namespace qledger::app {

using domain::Result;
using domain::Status;

// The log's name on its checkpoints: "qledger/" and the first 16 hex digits
// of the hash of event 1 (the ledger's policy): stable for the ledger's
// life, different for every ledger.
Result<std::string> Origin(const storage::EventStore& store);

// The tree size a checkpoint is asked for: --at SEQ, or the seq of the
// approval of --quarter Q (the last one, if it was reopened and approved
// again), or the head.
Result<uint64_t> CheckpointSize(const storage::EventStore& store, std::optional<int64_t> at,
                                const std::string& quarter);

// Signs the checkpoint of the tree at size with each signer (a signer
// already on it is not added twice) and stores it, merged with the one
// stored; returns the signed note. REQUIRES: a writer.
Result<std::string> SignCheckpoint(storage::EventStore* store, uint64_t size,
                                   const std::vector<domain::note::Signer>& signers);

// The stored checkpoint of size, or of the smallest size at or above
// `at_least` when size is nullopt; kNotFound saying how to sign one.
Result<std::pair<uint64_t, std::string>> FindCheckpoint(const storage::EventStore& store, std::optional<uint64_t> size,
                                                        uint64_t at_least);

// A stored checkpoint as the API lists it.
struct CheckpointInfo {
  uint64_t size = 0;
  std::string origin;
  std::string root;  // base64
  std::vector<std::string> signers;
  std::string note;  // the signed note
};

// Every stored checkpoint, ascending; with quarter, only the checkpoint of
// the tree up to its approval (none if it was not signed, NotFound if the
// quarter is not approved).
Result<std::vector<CheckpointInfo>> ListCheckpoints(const storage::EventStore& store, const std::string& quarter);

// The latest stored checkpoint (kNotFound saying how to sign one).
Result<std::string> LatestCheckpoint(const storage::EventStore& store);

// The bundles (JSON text, one line): docs/verification.md §10.
Result<std::string> InclusionBundleAt(const storage::EventStore& store, int64_t seq, std::optional<uint64_t> size);
Result<std::string> InclusionBundle(const storage::EventStore& store, const std::string& id, std::optional<uint64_t> size);
Result<std::string> ConsistencyBundle(const storage::EventStore& store, uint64_t from, std::optional<uint64_t> to);

// Checks a bundle against the verifier keys: each key must have signed its
// checkpoint(s), and the proof must hold. OK with a line saying what was
// proved, or kInvalidArgument for a malformed bundle, kDataLoss naming what
// does not hold. trusted: a signed checkpoint the checker held before ("" for
// none): a consistency proof must then start from it, an inclusion proof be
// of its very tree.
Result<std::string> CheckBundle(const std::string& bundle, const std::vector<domain::note::Verifier>& keys,
                                const std::string& trusted = "");

// One round of `qledger audit`: `fetched` is the log's latest checkpoint;
// `held` the one the auditor stored last ("" the first time). fetch_proof
// asks the log for the consistency bundle from held's size to fetched's.
// Returns what to store next (fetched, when it is signed by every key and
// extends held), or kDataLoss naming the failure: a bad or missing
// signature, another origin, a tree that shrank, two checkpoints of the same
// size that differ, a proof that does not hold.
struct AuditOutcome {
  std::string store;    // the checkpoint to hold from now on
  std::string summary;  // what was checked
};
Result<AuditOutcome> AuditStep(const std::string& held, const std::string& fetched,
                               const std::vector<domain::note::Verifier>& keys,
                               const std::function<Result<std::string>(uint64_t from, uint64_t to)>& fetch_proof);

}  // namespace qledger::app

#endif  // QLEDGER_APP_TLOG_H_
