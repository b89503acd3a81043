// Internal: a batch too large for one write batch, written as table files
// (RocksDB's SstFileWriter) in a staging directory inside the ledger, to be
// added to the store by one atomic IngestExternalFile (StreamAppend).
//
// The 'e' records stream into one file as they come (in seq order, so
// already sorted) and never stay in memory. Every other key is kept until
// Finish, compactly: an 'x' key as 8 bytes under its (quarter, department)
// prefix, any other key and value in one buffer (~16 bytes of bookkeeping
// each); Finish writes them sorted, one file per key tag, so that no two
// files overlap (RocksDB then places each at the lowest level it can).
// Operations on the same key keep their order (the last one wins, as in a
// write batch).
#ifndef QLEDGER_STORAGE_SRC_STAGED_TABLES_H_
#define QLEDGER_STORAGE_SRC_STAGED_TABLES_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/options.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/write_batch.h>

#include "index_sink.h"
#include "qledger/domain/status.h"

namespace qledger::storage::internal {

using domain::Result;
using domain::Status;

class StagedTables final : public IndexSink {
 public:
  // Staging files go under ledger_dir (the same file system: ingestion
  // links them instead of copying). Leftovers of an earlier, interrupted
  // batch are removed first (the caller holds the writer lock).
  static Result<std::unique_ptr<StagedTables>> Open(const std::string& ledger_dir, const rocksdb::Options& options);
  ~StagedTables() override;  // removes the staging directory and what is left in it

  Status AddRecord(std::string_view key, std::string_view raw_hash, std::string_view hash_input);
  // A Merkle tree node ('n'): each level's nodes come in index order, so
  // each level streams into a file of its own, never kept.
  Status AddNode(int level, uint64_t index, std::string_view hash);

  void Put(std::string_view key, std::string_view value) override;
  void Delete(std::string_view key) override;
  void PutIndexKey(std::string key) override;

  // Writes the kept keys and closes every file; the files to ingest. The
  // keys that may have been stored before (every tag but 'e', 'i', 'n',
  // 'x', 'p', 'y', whose keys each batch writes new) also go, with the same
  // operation, into *echo: written through the log after the ingestion, it
  // makes a follower (a RocksDB secondary, whose memtable still holds their
  // older values, which RocksDB reads before any table file) see the new
  // ones.
  Result<std::vector<std::string>> Finish(rocksdb::WriteBatch* echo);

  static constexpr std::string_view kDirPrefix = "qledger-staging-";

 private:
  StagedTables(std::string dir, const rocksdb::Options& options) : dir_(std::move(dir)), options_(options) {}

  Result<std::unique_ptr<rocksdb::SstFileWriter>> NewFile(std::vector<std::string>* paths);

  static constexpr uint32_t kDeleted = UINT32_MAX;  // value_size of a Delete
  struct Op {
    const char* data;  // the key, then the value, in blocks_
    uint32_t key_size;
    uint32_t value_size;
  };
  // Copies key and value into blocks_ (blocks of 1 MiB that never move: a
  // growing string would copy itself, doubling, and hold both copies).
  const char* Keep(std::string_view key, std::string_view value);

  std::string dir_;
  rocksdb::Options options_;
  std::unique_ptr<rocksdb::SstFileWriter> records_;
  std::vector<std::unique_ptr<rocksdb::SstFileWriter>> node_files_;  // by level
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
  std::deque<Op> ops_;  // grows without copying itself
  std::map<std::string, std::vector<uint64_t>> index_seqs_;  // 'x' prefix -> seqs, in order
  int files_ = 0;
};

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_SRC_STAGED_TABLES_H_
