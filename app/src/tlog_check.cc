// The checks that need no ledger (app/tlog.h): a bundle against verifier
// keys, and one round of the auditor. Apart from the rest of tlog.cc so that
// the fuzzer builds them alone (fuzz/tlog_fuzz.cc).
#include <boost/json.hpp>

#include "qledger/app/tlog.h"
#include "qledger/domain/canonical_json.h"
#include "qledger/domain/merkle.h"

namespace json = boost::json;

namespace qledger::app {

namespace merkle = domain::merkle;
namespace note = domain::note;

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

// A signed note given as text (a checkpoint held before, or fetched).
Result<note::Checkpoint> CheckedNote(const std::string& text, const char* what,
                                     const std::vector<note::Verifier>& keys) {
  return CheckedCheckpoint(json::object{{what, text}}, what, keys);
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
    if (!trusted.empty()) {
      // An inclusion proof links the event to one tree only: checked against
      // the checkpoint held before, it must be of that very tree.
      QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint old, CheckedNote(trusted, "trusted", keys));
      if (old.origin != c.origin || old.size != c.size) {
        return domain::DataLoss("the bundle's checkpoint is of size " + std::to_string(c.size) + " of " + c.origin +
                                ", the trusted one of size " + std::to_string(old.size) + " of " + old.origin +
                                ": ask for the proof at the trusted size (prove --event ID --size " +
                                std::to_string(old.size) + ")");
      }
      if (old.root != c.root) {
        return domain::DataLoss("the bundle's checkpoint has another root than the trusted one of the same size: "
                                "the log forked");
      }
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
      QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint old, CheckedNote(trusted, "trusted", keys));
      if (old.size != from || old.origin != c.origin) {
        return domain::DataLoss("the trusted checkpoint is of size " + std::to_string(old.size) + " of " + old.origin +
                                ", the bundle proves from size " + std::to_string(from) + " of " + c.origin);
      }
      old_root = old.root;
      if (const json::value* r = b.if_contains("from_root")) {
        std::string claimed;
        if (!r->is_string() || !merkle::FromBase64(std::string(r->as_string()), &claimed) || claimed != old_root) {
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

Result<AuditOutcome> AuditStep(const std::string& held, const std::string& fetched,
                               const std::vector<note::Verifier>& keys,
                               const std::function<Result<std::string>(uint64_t, uint64_t)>& fetch_proof) {
  if (keys.empty()) return domain::InvalidArgument("--key: at least one verifier key is needed");
  QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint now, CheckedNote(fetched, "fetched", keys));
  std::string at = std::to_string(now.size) + " events of " + now.origin;
  if (held.empty()) return AuditOutcome{fetched, "first checkpoint held: " + at};
  QLEDGER_ASSIGN_OR_RETURN(note::Checkpoint before, CheckedNote(held, "held", keys));
  if (before.origin != now.origin) {
    return domain::DataLoss("the log's origin is " + now.origin + ", not " + before.origin + " as held");
  }
  if (now.size < before.size) {
    return domain::DataLoss("the tree shrank: " + std::to_string(before.size) + " events held, " +
                            std::to_string(now.size) + " now");
  }
  if (now.size == before.size) {
    if (now.root != before.root) {
      return domain::DataLoss("two different checkpoints of the same size " + std::to_string(now.size) +
                              ": the log forked");
    }
    return AuditOutcome{fetched, "unchanged: " + at};
  }
  QLEDGER_ASSIGN_OR_RETURN(std::string bundle, fetch_proof(before.size, now.size));
  QLEDGER_ASSIGN_OR_RETURN(std::string checked, CheckBundle(bundle, keys, held));
  json::error_code ec;
  json::value b = json::parse(bundle, ec);
  if (ec || !b.is_object() || !b.as_object().contains("checkpoint") || !b.at("checkpoint").is_string()) {
    return domain::InvalidArgument("the log's consistency bundle is malformed");
  }
  auto proved = note::ParseNote(std::string(b.at("checkpoint").as_string()));
  auto proved_c = proved.ok() ? note::ParseCheckpoint(proved->text) : Result<note::Checkpoint>(proved.status());
  if (!proved_c.ok() || proved_c->size != now.size || proved_c->root != now.root) {
    return domain::DataLoss("the log proved consistency to another tree than its latest checkpoint: the log forked");
  }
  return AuditOutcome{fetched, "consistent: " + std::to_string(before.size) + " → " + at};
}

}  // namespace qledger::app
