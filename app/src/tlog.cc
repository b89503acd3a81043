#include "qledger/app/tlog.h"

#include <boost/json.hpp>

#include "qledger/app/queries.h"
#include "qledger/domain/canonical_json.h"
#include "qledger/domain/event.h"
#include "qledger/domain/merkle.h"

namespace json = boost::json;

namespace qledger::app {

namespace merkle = domain::merkle;
namespace note = domain::note;

Result<std::string> Origin(const storage::EventStore& store) {
  if (store.head().seq == 0) return domain::FailedPrecondition("the ledger is empty: it has no tree to sign");
  QLEDGER_ASSIGN_OR_RETURN(domain::Event first, store.Get(1));
  return "qledger/" + first.hash.substr(0, 16);
}

Result<uint64_t> CheckpointSize(const storage::EventStore& store, std::optional<int64_t> at, const std::string& quarter) {
  if (at && !quarter.empty()) return domain::InvalidArgument("give --at or --quarter, not both");
  if (!quarter.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(domain::Quarter q, ResolveQuarter(quarter));
    QLEDGER_ASSIGN_OR_RETURN(int64_t seq, ResolveQuarterPoint(store, q, "approved"));
    return static_cast<uint64_t>(seq);
  }
  if (at) {
    if (*at < 1 || *at > store.head().seq) {
      return domain::InvalidArgument("--at: " + std::to_string(*at) + " is not a seq of the ledger (1 to " +
                                     std::to_string(store.head().seq) + ")");
    }
    return static_cast<uint64_t>(*at);
  }
  if (store.head().seq == 0) return domain::FailedPrecondition("the ledger is empty: it has no tree to sign");
  return static_cast<uint64_t>(store.head().seq);
}

Result<std::string> SignCheckpoint(storage::EventStore* store, uint64_t size, const std::vector<note::Signer>& signers) {
  QLEDGER_ASSIGN_OR_RETURN(std::string root, store->TreeRoot(size));
  QLEDGER_ASSIGN_OR_RETURN(std::string origin, Origin(*store));
  note::Checkpoint c{origin, size, root};
  note::Note n{c.Text(), {}};
  QLEDGER_ASSIGN_OR_RETURN(auto stored, store->Checkpoint(size));
  if (stored) {
    auto parsed = note::ParseNote(*stored);
    if (!parsed.ok() || parsed->text != n.text) {
      return domain::DataLoss("the stored checkpoint of size " + std::to_string(size) +
                              " is not the tree's: run qledger verify");
    }
    n = std::move(*parsed);
  }
  for (const auto& s : signers) {
    bool present = false;
    for (const auto& sig : n.signatures) present |= sig.name == s.verifier.name && sig.key_id == s.verifier.key_id;
    if (!present) n.signatures.push_back(note::Sign(s, n.text));
  }
  std::string text = n.ToString();
  QLEDGER_RETURN_IF_ERROR(store->PutCheckpoint(size, text));
  return text;
}

Result<std::pair<uint64_t, std::string>> FindCheckpoint(const storage::EventStore& store, std::optional<uint64_t> size,
                                                        uint64_t at_least) {
  if (size) {
    QLEDGER_ASSIGN_OR_RETURN(auto stored, store.Checkpoint(*size));
    if (!stored) {
      return domain::NotFound("no signed checkpoint of size " + std::to_string(*size) +
                              " (sign one: qledger checkpoint --at " + std::to_string(*size) + " --sign KEYFILE)");
    }
    if (*size < at_least) {
      return domain::InvalidArgument("the checkpoint of size " + std::to_string(*size) + " does not hold seq " +
                                     std::to_string(at_least));
    }
    return std::make_pair(*size, *stored);
  }
  QLEDGER_ASSIGN_OR_RETURN(auto sizes, store.CheckpointSizes());
  for (uint64_t s : sizes) {
    if (s >= at_least) {
      QLEDGER_ASSIGN_OR_RETURN(auto stored, store.Checkpoint(s));
      if (stored) return std::make_pair(s, *stored);
    }
  }
  return domain::NotFound("no signed checkpoint holds seq " + std::to_string(at_least) +
                          " yet (sign one: qledger checkpoint --sign KEYFILE)");
}

namespace {

json::array Hashes(const std::vector<std::string>& hashes) {
  json::array out;
  for (const auto& h : hashes) out.emplace_back(merkle::Base64(h));
  return out;
}

}  // namespace

Result<std::string> InclusionBundle(const storage::EventStore& store, const std::string& id, std::optional<uint64_t> size) {
  QLEDGER_ASSIGN_OR_RETURN(auto found, store.FindById(id));
  if (!found) return domain::NotFound("no event \"" + id + "\" in the ledger");
  return InclusionBundleAt(store, found->seq, size);
}

Result<std::string> InclusionBundleAt(const storage::EventStore& store, int64_t seq, std::optional<uint64_t> size) {
  if (seq < 1 || seq > store.head().seq) {
    return domain::NotFound("no event at seq " + std::to_string(seq) + " (the ledger holds 1 to " +
                            std::to_string(store.head().seq) + ")");
  }
  QLEDGER_ASSIGN_OR_RETURN(domain::Event e, store.Get(seq));
  QLEDGER_ASSIGN_OR_RETURN(auto cp, FindCheckpoint(store, size, static_cast<uint64_t>(e.seq)));
  uint64_t index = static_cast<uint64_t>(e.seq) - 1;
  QLEDGER_ASSIGN_OR_RETURN(auto path, store.InclusionProof(index, cp.first));
  json::object b{{"type", "qledger.inclusion/v1"},
                 {"event", domain::ToExportJson(e, true)},
                 {"leaf_index", index},
                 {"tree_size", cp.first},
                 {"audit_path", Hashes(path)},
                 {"checkpoint", cp.second}};
  return json::serialize(b) + "\n";
}

Result<std::vector<CheckpointInfo>> ListCheckpoints(const storage::EventStore& store, const std::string& quarter) {
  std::vector<uint64_t> sizes;
  if (quarter.empty()) {
    QLEDGER_ASSIGN_OR_RETURN(sizes, store.CheckpointSizes());
  } else {
    QLEDGER_ASSIGN_OR_RETURN(uint64_t size, CheckpointSize(store, std::nullopt, quarter));
    sizes.push_back(size);
  }
  std::vector<CheckpointInfo> out;
  for (uint64_t size : sizes) {
    QLEDGER_ASSIGN_OR_RETURN(auto stored, store.Checkpoint(size));
    if (!stored) continue;
    auto n = note::ParseNote(*stored);
    auto c = n.ok() ? note::ParseCheckpoint(n->text) : Result<note::Checkpoint>(n.status());
    if (!c.ok()) return domain::DataLoss("the stored checkpoint of size " + std::to_string(size) + " is malformed; run qledger verify");
    CheckpointInfo info{size, c->origin, merkle::Base64(c->root), {}, *stored};
    for (const auto& sig : n->signatures) info.signers.push_back(sig.name);
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::string> LatestCheckpoint(const storage::EventStore& store) {
  QLEDGER_ASSIGN_OR_RETURN(auto sizes, store.CheckpointSizes());
  if (sizes.empty()) return domain::NotFound("no checkpoint has been signed yet (qledger checkpoint --sign KEYFILE)");
  QLEDGER_ASSIGN_OR_RETURN(auto stored, store.Checkpoint(sizes.back()));
  if (!stored) return domain::NotFound("no checkpoint has been signed yet (qledger checkpoint --sign KEYFILE)");
  return *stored;
}

Result<std::string> ConsistencyBundle(const storage::EventStore& store, uint64_t from, std::optional<uint64_t> to) {
  if (!to) {
    // The latest checkpoint: what the log says now.
    QLEDGER_ASSIGN_OR_RETURN(auto sizes, store.CheckpointSizes());
    if (!sizes.empty() && sizes.back() >= from) to = sizes.back();
  }
  QLEDGER_ASSIGN_OR_RETURN(auto cp, FindCheckpoint(store, to, from));
  QLEDGER_ASSIGN_OR_RETURN(auto proof, store.ConsistencyProof(from, cp.first));
  QLEDGER_ASSIGN_OR_RETURN(std::string old_root, store.TreeRoot(from));
  json::object b{{"type", "qledger.consistency/v1"},
                 {"from_size", from},
                 {"from_root", merkle::Base64(old_root)},
                 {"to_size", cp.first},
                 {"proof", Hashes(proof)},
                 {"checkpoint", cp.second}};
  QLEDGER_ASSIGN_OR_RETURN(auto old_checkpoint, store.Checkpoint(from));
  if (old_checkpoint) b["from_checkpoint"] = *old_checkpoint;
  return json::serialize(b) + "\n";
}

}  // namespace qledger::app
