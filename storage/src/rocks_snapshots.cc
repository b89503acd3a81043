// Projection snapshots: their keys ('S', keys.h) and the replay input after
// one (event_store.h). The bytes are the application's (app/snapshot.h).
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include "keys.h"
#include "rocks_event_store.h"

namespace qledger::storage::internal {

namespace {

// (quarter, department, seq) of an 'S' key, or false when it is malformed.
bool ParseSnapshotKey(std::string_view key, SnapshotRecord* out) {
  if (key.size() < 1 + 1 + 1 + 8 || key[0] != 'S') return false;
  std::string_view rest = key.substr(1, key.size() - 1 - 8);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos || rest.back() != '/') return false;
  out->quarter = std::string(rest.substr(0, slash));
  out->department = std::string(rest.substr(slash + 1, rest.size() - slash - 2));
  out->seq = static_cast<int64_t>(DecodeFixed64BE(key.substr(key.size() - 8)));
  return true;
}

}  // namespace

Status RocksEventStore::PutSnapshots(const std::vector<SnapshotRecord>& records) {
  if (mode_ != Mode::kWriter) return domain::FailedPrecondition("the ledger is open read-only");
  if (records.empty()) return Status::Ok();
  rocksdb::WriteBatch wb;
  for (const auto& r : records) wb.Put(SnapshotKey(r.quarter, r.department, r.seq), r.bytes);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &wb), "storing " + std::to_string(records.size()) + " projection snapshots");
}

Result<std::optional<SnapshotRecord>> RocksEventStore::SnapshotAtOrBefore(const std::string& quarter,
                                                                          const std::string& department,
                                                                          int64_t max_seq) const {
  if (max_seq <= 0) return std::optional<SnapshotRecord>();
  const std::string prefix = SnapshotPrefix(quarter, department);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(SnapshotKey(quarter, department, max_seq));
  std::optional<SnapshotRecord> out;
  if (it->Valid() && it->key().starts_with(prefix) && it->key().size() == prefix.size() + 8) {
    SnapshotRecord r;
    r.quarter = quarter;
    r.department = department;
    r.seq = static_cast<int64_t>(DecodeFixed64BE(std::string_view(it->key().data() + prefix.size(), 8)));
    r.bytes = it->value().ToString();
    out = std::move(r);
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading the snapshots of " + quarter + " " + department));
  return out;
}

Status RocksEventStore::ScanSnapshots(const std::function<bool(const SnapshotRecord&)>& fn) const {
  // Read once, in order (on a million events, 100 MB of snapshots).
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ReadOnce()));
  SnapshotRecord r;  // one, reused: its bytes keep their allocation
  for (it->Seek("S"); it->Valid() && it->key().starts_with("S"); it->Next()) {
    if (!ParseSnapshotKey(std::string_view(it->key().data(), it->key().size()), &r)) {
      return domain::DataLoss("a stored snapshot key is malformed");
    }
    r.bytes.assign(it->value().data(), it->value().size());
    if (!fn(r)) break;
  }
  return FromRocks(it->status(), "reading the projection snapshots");
}

Result<int64_t> RocksEventStore::DropSnapshots() {
  if (mode_ != Mode::kWriter) return domain::FailedPrecondition("the ledger is open read-only");
  rocksdb::WriteBatch wb;
  int64_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("S"); it->Valid() && it->key().starts_with("S"); it->Next()) {
    wb.Delete(it->key());
    ++n;
  }
  QLEDGER_RETURN_IF_ERROR(FromRocks(it->status(), "reading the projection snapshots"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  QLEDGER_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &wb), "removing the projection snapshots"));
  return n;
}

Result<domain::ReplayInput> RocksEventStore::LoadReplayAfter(const domain::Quarter& q, const std::string& department,
                                                             int64_t after) const {
  std::vector<int64_t> seqs;
  std::string qs = q.ToString();
  // The department's own events up to `after` are in the snapshot.
  QLEDGER_RETURN_IF_ERROR(PrefixSeqs(IndexPrefix(qs, department), &seqs, after + 1));
  QLEDGER_RETURN_IF_ERROR(PrefixSeqs(IndexPrefix(qs, ""), &seqs));
  QLEDGER_RETURN_IF_ERROR(PrefixSeqs("p", &seqs));
  domain::ReplayInput in;
  QLEDGER_ASSIGN_OR_RETURN(in.events, GetMany(std::move(seqs)));
  in.quarter = q;
  in.department = department;
  in.head_seq = head_.seq;
  return in;
}

}  // namespace qledger::storage::internal
