// RocksEventStore::StreamAppend (rocks_event_store.h): a batch given one
// input at a time, planned as it comes, staged as table files and ingested
// in one atomic step. Memory grows with what the rules and the indexes keep
// of each event (tens of bytes), not with the events.
#include <rocksdb/options.h>

#include "qledger/domain/canonical_json.h"
#include "qledger/domain/hash_chain.h"
#include "merkle_store.h"
#include "qledger/domain/merkle.h"
#include "rocks_event_store.h"
#include "staged_tables.h"

namespace qledger::storage::internal {

Result<AppendOutcome> RocksEventStore::StreamAppend(const InputStream& next, const AppendOptions& options) {
  if (mode_ != Mode::kWriter && !options.dry_run) return domain::FailedPrecondition("the ledger is open read-only");
  AppendOutcome out;
  out.head = head_;
  QLEDGER_RETURN_IF_ERROR(CheckExpectedHead(options));
  domain::StreamPlanner planner(*this);
  QLEDGER_RETURN_IF_ERROR(planner.Init());
  std::unique_ptr<StagedTables> staged;
  if (!options.dry_run) {
    QLEDGER_ASSIGN_OR_RETURN(staged, StagedTables::Open(dir_, BaseOptions()));
  }
  pending_quarters_.clear();
  std::string now = options.now.empty() ? domain::NowUtc() : options.now;
  if (now < head_.recorded_at) now = head_.recorded_at;  // as WritePlan: never backwards
  Head head = head_;
  domain::merkle::Frontier tree = tree_;  // this writer's, once the batch is in
  TargetLookup find_target = [&](const std::string& id) { return planner.Find(id); };
  domain::InputEvent in;
  Event e;
  std::string raw_hash;
  std::string id_value;
  for (;;) {
    QLEDGER_ASSIGN_OR_RETURN(bool more, next(&in));
    if (!more) break;
    QLEDGER_ASSIGN_OR_RETURN(bool accepted, planner.Next(in, &e, &out.errors));
    // After the first error nothing will be written: only the rules go on,
    // so that every error is reported.
    if (!out.errors.empty()) staged.reset();
    if (!accepted || !staged) continue;
    e.seq = head.seq + 1;
    e.recorded_at = now;
    std::string input = domain::HashInput(e);
    e.hash = domain::ChainHash(head.hash, input);
    raw_hash.clear();
    AppendFromHex(e.hash, &raw_hash);
    QLEDGER_RETURN_IF_ERROR(staged->AddRecord(EventKey(e.seq), raw_hash, input));
    Status node_written = Status::Ok();
    tree.Append(domain::merkle::LeafHash(input), [&](int level, uint64_t index, const domain::merkle::Hash& h) {
      if (node_written.ok()) node_written = staged->AddNode(level, index, h);
    });
    QLEDGER_RETURN_IF_ERROR(node_written);
    id_value.clear();
    PutIdValue(&id_value, e.seq, static_cast<uint8_t>(e.type), e.department, e.period);
    staged->Put(IdKey(e.id), id_value);
    std::string qs;
    if (auto q = e.quarter()) {
      qs = q->ToString();
      staged->PutIndexKey(IndexKey(qs, domain::HasDepartment(e.type) ? e.department : "", e.seq));
    }
    QLEDGER_RETURN_IF_ERROR(AddIndexEffects(e, qs, find_target, staged.get()));
    head = Head{e.seq, e.hash, now};
  }
  out.duplicates = planner.duplicates();
  out.appended = out.errors.empty() ? planner.accepted() : 0;
  if (NothingToWrite(out, options)) return out;
  staged->Put(kHeadKey, HeadValue(head));
  staged->Put(kTreeSizeKey, TreeSizeValue(tree.size()));
  rocksdb::WriteBatch echo;
  QLEDGER_ASSIGN_OR_RETURN(std::vector<std::string> files, staged->Finish(&echo));
  rocksdb::IngestExternalFileOptions ingest;
  ingest.move_files = true;          // link, not copy: the same file system
  ingest.write_global_seqno = false;  // leave the linked files as written
  if (options.observe) options.observe("writing");
  // One ingestion of every file is one MANIFEST record: all or nothing, and
  // durable (the files and the MANIFEST are synced) when it returns.
  QLEDGER_RETURN_IF_ERROR(FromRocks(db_->IngestExternalFile(files, ingest), "adding the staged tables to the store"));
  if (options.observe) options.observe("written");
  // The keys the batch overwrote, again, through the log (StagedTables::
  // Finish): a follower's catch-up then reads their new values. The batch
  // is durable already; a crash before this write leaves a follower that
  // was running to report the head record stale until the next append or
  // its restart, never a wrong answer.
  rocksdb::WriteOptions wo;
  wo.sync = true;
  QLEDGER_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &echo), "writing the batch's head record to the log"));
  tree_ = std::move(tree);
  QLEDGER_RETURN_IF_ERROR(Written(head));
  out.head = head;
  return out;
}

}  // namespace qledger::storage::internal
