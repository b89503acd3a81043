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
  const domain::Event& e = *found;
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

namespace {

// The checkpoint of a bundle, signed by every key.
Result<note::Checkpoint> CheckedCheckpoint(const json::object& b, const char* field,
                                           const std::vector<note::Verifier>& keys) {
  const json::value* v = b.if_contains(field);
  if (!v || !v->is_string()) return domain::InvalidArgument(std::string(field) + ": missing, or not a string");
  auto n = note::ParseNote(std::string(v->as_string()));
  if (!n.ok()) return domain::InvalidArgument(std::string(field) + ": " + n.status().message());
  for (const auto& k : keys) {
    Status s = note::VerifySignedBy(*n, k);
    if (!s.ok()) return domain::DataLoss(std::string(field) + ": " + s.message());
  }
  auto c = note::ParseCheckpoint(n->text);
  if (!c.ok()) return domain::InvalidArgument(std::string(field) + ": " + c.status().message());
  return *c;
}

Result<uint64_t> Count(const json::object& b, const char* field) {
  const json::value* v = b.if_contains(field);
  if (v && v->is_uint64()) return v->as_uint64();
  if (v && v->is_int64() && v->as_int64() >= 0) return static_cast<uint64_t>(v->as_int64());
  return domain::InvalidArgument(std::string(field) + ": missing, or not a count");
}

Result<std::vector<std::string>> HashList(const json::object& b, const char* field) {
  const json::value* v = b.if_contains(field);
  if (!v || !v->is_array()) return domain::InvalidArgument(std::string(field) + ": missing, or not a list");
  std::vector<std::string> out;
  for (const auto& h : v->as_array()) {
    std::string raw;
    if (!h.is_string() || !merkle::FromBase64(std::string(h.as_string()), &raw) || raw.size() != 32) {
      return domain::InvalidArgument(std::string(field) + "[" + std::to_string(out.size()) + "]: not base64 of 32 bytes");
    }
    out.push_back(std::move(raw));
  }
  return out;
}

}  // namespace

Result<std::string> CheckBundle(const std::string& bundle, const std::vector<note::Verifier>& keys,
                                const std::string& trusted) {
  if (keys.empty()) return domain::InvalidArgument("--key: at least one verifier key is needed");
  json::error_code ec;
  json::value v = json::parse(bundle, ec);
  if (ec || !v.is_object()) return domain::InvalidArgument("the bundle is not a JSON object");
  const json::object& b = v.as_object();
  const json::value* type = b.if_contains("type");
  std::string kind = type && type->is_string() ? std::string(type->as_string()) : "";
  std::string signers;
  for (const auto& k : keys) signers += (signers.empty() ? "" : ", ") + k.name;
  if (kind == "qledger.inclusion/v1") {
    QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint c, CheckedCheckpoint(b, "checkpoint", keys));
    QLEDGER_ASSIGN_OR_RETURN(uint64_t index, Count(b, "leaf_index"));
    QLEDGER_ASSIGN_OR_RETURN(uint64_t size, Count(b, "tree_size"));
    QLEDGER_ASSIGN_OR_RETURN(auto path, HashList(b, "audit_path"));
    if (size != c.size) {
      return domain::DataLoss("tree_size " + std::to_string(size) + " is not the checkpoint's size " + std::to_string(c.size));
    }
    const json::value* ev = b.if_contains("event");
    if (!ev || !ev->is_object()) return domain::InvalidArgument("event: missing, or not an object");
    json::object event = ev->as_object();
    event.erase("hash");
    const json::value* seq = event.if_contains("seq");
    if (!seq || !seq->is_int64() || seq->as_int64() != static_cast<int64_t>(index) + 1) {
      return domain::DataLoss("the event's seq is not leaf_index + 1 (" + std::to_string(index + 1) + ")");
    }
    std::string leaf = merkle::LeafHash(domain::CanonicalJson(event));
    Status s = merkle::VerifyInclusion(index, size, leaf, path, c.root);
    if (!s.ok()) return domain::DataLoss("inclusion: " + s.message());
    const json::value* id = event.if_contains("id");
    return "ok: event " + (id && id->is_string() ? "\"" + std::string(id->as_string()) + "\" " : std::string()) +
           "(seq " + std::to_string(index + 1) + ") is in the tree of " + std::to_string(size) + " events of " + c.origin +
           ", signed by " + signers;
  }
  if (kind == "qledger.consistency/v1") {
    QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint c, CheckedCheckpoint(b, "checkpoint", keys));
    QLEDGER_ASSIGN_OR_RETURN(uint64_t from, Count(b, "from_size"));
    QLEDGER_ASSIGN_OR_RETURN(uint64_t to, Count(b, "to_size"));
    QLEDGER_ASSIGN_OR_RETURN(auto proof, HashList(b, "proof"));
    std::string old_root;
    if (!trusted.empty()) {
      // The checkpoint the checker held before: the bundle's own claims
      // about the old tree are not taken.
      json::object holder{{"trusted", trusted}};
      QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint old, CheckedCheckpoint(holder, "trusted", keys));
      if (old.size != from || old.origin != c.origin) {
        return domain::DataLoss("the trusted checkpoint is of size " + std::to_string(old.size) + " of " + old.origin +
                                ", the bundle proves from size " + std::to_string(from) + " of " + c.origin);
      }
      old_root = old.root;
      if (b.contains("from_root")) {
        std::string claimed;
        if (!merkle::FromBase64(std::string(b.at("from_root").as_string()), &claimed) || claimed != old_root) {
          return domain::DataLoss("the bundle's from_root is not the trusted checkpoint's root: the log was rewritten");
        }
      }
    } else if (b.contains("from_checkpoint")) {
      QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint old, CheckedCheckpoint(b, "from_checkpoint", keys));
      if (old.size != from || old.origin != c.origin) {
        return domain::DataLoss("from_checkpoint is not of size " + std::to_string(from) + " of " + c.origin);
      }
      old_root = old.root;
    } else {
      const json::value* r = b.if_contains("from_root");
      if (!r || !r->is_string() || !merkle::FromBase64(std::string(r->as_string()), &old_root) || old_root.size() != 32) {
        return domain::InvalidArgument("from_root: missing, or not base64 of 32 bytes");
      }
    }
    if (to != c.size) return domain::DataLoss("to_size " + std::to_string(to) + " is not the checkpoint's size " + std::to_string(c.size));
    Status s = merkle::VerifyConsistency(from, to, old_root, c.root, proof);
    if (!s.ok()) return domain::DataLoss("consistency: " + s.message());
    return "ok: the tree of " + std::to_string(to) + " events of " + c.origin + " extends the tree of " +
           std::to_string(from) +
           (!trusted.empty() ? " of the trusted checkpoint (both signed by " + signers + ")"
            : b.contains("from_checkpoint") ? " (both checkpoints signed by " + signers + ")"
                                          : " whose root is " + merkle::Base64(old_root) + " (signed by " + signers +
                                                "; compare that root with the one you hold)");
  }
  return domain::InvalidArgument("type: \"" + kind + "\" is not qledger.inclusion/v1 or qledger.consistency/v1");
}

}  // namespace qledger::app
