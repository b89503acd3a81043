#include "index_check.h"

#include <map>
#include <memory>

#include <rocksdb/db.h>

#include "keys.h"
#include "rocks_event_store.h"
#include "qledger/domain/event.h"
#include "qledger/domain/stored_event.h"

namespace qledger::storage::internal {

using domain::Event;
using domain::EventType;

namespace {

// A key for people: printable bytes as they are, a trailing 8-byte seq as #N.
std::string Describe(const std::string& key) {
  static const std::string kSeqTagged = "epy";
  std::string out;
  size_t body = key.size();
  bool seq_suffix = key.size() >= 9 && (key[0] == 'x' || kSeqTagged.find(key[0]) != std::string::npos);
  if (seq_suffix) body -= 8;
  for (size_t i = 0; i < body; ++i) {
    unsigned char c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (seq_suffix) out += "#" + std::to_string(DecodeFixed64BE(std::string_view(key).substr(body)));
  return "\"" + out + "\"";
}

struct Target {
  EventType type;
  std::string department;
  std::string period;
};

}  // namespace

domain::Status CheckIndexes(rocksdb::DB* db, std::string* problem) {
  problem->clear();
  // What the events say the indexes hold (see keys.h), derived here on its
  // own rather than by the append path, so that a bug there shows too.
  std::map<std::string, std::string> expected;
  std::map<std::string, Target> by_id;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("e"); it->Valid() && it->key().starts_with("e"); it->Next()) {
    std::string_view v(it->value().data(), it->value().size());
    QLEDGER_ASSIGN_OR_RETURN(auto parsed, domain::ParseExportedEvent(v.substr(32)));
    const Event& e = parsed;
    std::string idv;
    PutFixed64BE(&idv, static_cast<uint64_t>(e.seq));
    idv.push_back(static_cast<char>(e.type));
    idv += e.department + std::string(1, '\0') + e.period;
    expected[IdKey(e.id)] = idv;
    by_id[e.id] = Target{e.type, e.department, e.period};
    if (auto q = e.quarter()) {
      expected[QuarterKey(q->ToString())] = "";
      expected[IndexKey(q->ToString(), domain::HasDepartment(e.type) ? e.department : "", e.seq)] = "";
    }
    switch (e.type) {
      case EventType::kPolicyAdopted: expected[SeqKey('p', e.seq)] = ""; break;
      case EventType::kSelfcheckReported:
      case EventType::kSpotcheckRecorded:
        expected[MonthlyKey(static_cast<uint8_t>(e.type), e.department, e.period)] = e.id;
        break;
      case EventType::kQuarterApproved: expected[StatusKey(e.period)] = std::string(1, '\1'); break;
      case EventType::kQuarterReopened: expected[StatusKey(e.period)] = std::string(1, '\2'); break;
      case EventType::kBudgetExpense: expected[YearKey(e.period, e.seq)] = ""; break;
      case EventType::kEntryVoided: {
        std::string target = DataString(e, "target");
        std::string seqv;
        PutFixed64BE(&seqv, static_cast<uint64_t>(e.seq));
        expected[VoidKey(target)] = seqv;
        auto t = by_id.find(target);
        if (t == by_id.end()) break;  // the ledger rules make this impossible
        Event te;
        te.type = t->second.type;
        te.period = t->second.period;
        if (auto tq = te.quarter()) {
          expected[IndexKey(tq->ToString(), domain::HasDepartment(te.type) ? t->second.department : "", e.seq)] = "";
        }
        if (te.type == EventType::kBudgetExpense) expected[YearKey(te.period, e.seq)] = "";
        if (te.type == EventType::kSelfcheckReported || te.type == EventType::kSpotcheckRecorded) {
          expected.erase(MonthlyKey(static_cast<uint8_t>(te.type), t->second.department, te.period));
        }
        break;
      }
      default: break;
    }
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading events"));

  // Walk the stored index entries (every key but events, the head and the
  // acknowledging mark) in
  // order beside the expected ones.
  auto want = expected.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key = it->key().ToString();
    // Events, the head, and the Merkle tree and its checkpoints (checked
    // apart: merkle_store.h).
    // And the projection snapshots: a cache, checked by app::CheckSnapshots.
    if (key[0] == 'e' || key == kHeadKey || key[0] == 'n' || key == kTreeSizeKey || key[0] == 'C' || key[0] == 'S') {
      continue;
    }
    if (key == kAckedMarkerKey) {
      if (!it->value().empty()) {
        *problem = "the ledger's mark " + Describe(key) + " holds data";
        return domain::Status::Ok();
      }
      continue;
    }
    if (want != expected.end() && want->first < key) {
      *problem = "index entry " + Describe(want->first) + " is missing";
      return domain::Status::Ok();
    }
    if (want == expected.end() || key < want->first) {
      *problem = "index entry " + Describe(key) + " does not follow from any event";
      return domain::Status::Ok();
    }
    if (it->value().ToString() != want->second) {
      *problem = "index entry " + Describe(key) + " holds other data than its event says";
      return domain::Status::Ok();
    }
    ++want;
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading indexes"));
  if (want != expected.end()) *problem = "index entry " + Describe(want->first) + " is missing";
  return domain::Status::Ok();
}

}  // namespace qledger::storage::internal
