#include "staged_tables.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <numeric>
#include <system_error>

#include "keys.h"
#include "merkle_store.h"
#include "rocks_event_store.h"

namespace qledger::storage::internal {

namespace fs = std::filesystem;

Result<std::unique_ptr<StagedTables>> StagedTables::Open(const std::string& ledger_dir, const rocksdb::Options& options) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ledger_dir, ec)) {
    if (entry.path().filename().string().rfind(kDirPrefix, 0) == 0) fs::remove_all(entry.path(), ec);
  }
  std::string dir = (fs::path(ledger_dir) / (std::string(kDirPrefix) + std::to_string(::getpid()))).string();
  fs::create_directory(dir, ec);
  if (ec) return domain::Internal("cannot create the staging directory " + dir + ": " + ec.message());
  std::unique_ptr<StagedTables> t(new StagedTables(dir, options));
  QLEDGER_ASSIGN_OR_RETURN(t->records_, t->NewFile(&t->paths_));
  return t;
}

StagedTables::~StagedTables() {
  records_.reset();
  node_files_.clear();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

Result<std::unique_ptr<rocksdb::SstFileWriter>> StagedTables::NewFile(std::vector<std::string>* paths) {
  auto writer = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options_);
  std::string path = dir_ + "/" + std::to_string(++files_) + ".sst";
  QLEDGER_RETURN_IF_ERROR(FromRocks(writer->Open(path), "creating the staged table " + path));
  paths->push_back(path);
  return writer;
}

Status StagedTables::AddRecord(std::string_view key, std::string_view raw_hash, std::string_view hash_input) {
  std::string value;
  value.reserve(raw_hash.size() + hash_input.size());
  value.append(raw_hash).append(hash_input);
  return FromRocks(records_->Put(rocksdb::Slice(key.data(), key.size()), value), "writing a staged event record");
}

const char* StagedTables::Keep(std::string_view key, std::string_view value) {
  size_t n = key.size() + value.size();
  if (n > block_size_ - block_used_) {
    block_size_ = std::max<size_t>(1 << 20, n);
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_size_));
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  std::copy(key.begin(), key.end(), at);
  std::copy(value.begin(), value.end(), at + key.size());
  block_used_ += n;
  return at;
}

Status StagedTables::AddNode(int level, uint64_t index, std::string_view hash) {
  if (level < kLowestStoredLevel) return Status::Ok();  // hashed from the events, not stored
  if (node_files_.size() <= static_cast<size_t>(level)) node_files_.resize(static_cast<size_t>(level) + 1);
  auto& file = node_files_[static_cast<size_t>(level)];
  if (!file) {
    QLEDGER_ASSIGN_OR_RETURN(file, NewFile(&paths_));
  }
  return FromRocks(file->Put(NodeKey(level, index), rocksdb::Slice(hash.data(), hash.size())),
                   "writing a staged Merkle tree node");
}

void StagedTables::Put(std::string_view key, std::string_view value) {
  if (!key.empty() && key[0] == 'x' && value.empty() && key.size() > 8) return PutIndexKey(std::string(key));
  ops_.push_back(Op{Keep(key, value), static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())});
}

void StagedTables::Delete(std::string_view key) {
  ops_.push_back(Op{Keep(key, ""), static_cast<uint32_t>(key.size()), kDeleted});
}

void StagedTables::PutIndexKey(std::string key) {
  // The prefix ("x" quarter '/' department '/') never contains another
  // prefix of its kind (codes have no '/'), so prefix order, then seq
  // order, is key order.
  uint64_t seq = DecodeFixed64BE(std::string_view(key).substr(key.size() - 8));
  key.resize(key.size() - 8);
  index_seqs_[std::move(key)].push_back(seq);
}

Result<std::vector<std::string>> StagedTables::Finish(rocksdb::WriteBatch* echo) {
  QLEDGER_RETURN_IF_ERROR(FromRocks(records_->Finish(), "closing the staged event records"));
  records_.reset();
  for (auto& file : node_files_) {
    if (file) QLEDGER_RETURN_IF_ERROR(FromRocks(file->Finish(), "closing a staged Merkle tree level"));
    file.reset();
  }
  std::vector<std::string> paths = paths_;
  auto key_of = [](const Op& op) { return std::string_view(op.data, op.key_size); };
  // The same key twice: the last operation wins (stable order, then the
  // last of each run).
  std::vector<uint32_t> order(ops_.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key_of(ops_[a]) < key_of(ops_[b]); });
  std::unique_ptr<rocksdb::SstFileWriter> file;
  char tag = 0;
  auto finish_file = [&]() -> Status {
    if (!file) return Status::Ok();
    Status s = FromRocks(file->Finish(), "closing a staged index table");
    file.reset();
    return s;
  };
  auto file_for = [&](char key_tag) -> Status {
    if (file && key_tag == tag) return Status::Ok();
    QLEDGER_RETURN_IF_ERROR(finish_file());
    QLEDGER_ASSIGN_OR_RETURN(file, NewFile(&paths));
    tag = key_tag;
    return Status::Ok();
  };
  bool x_written = index_seqs_.empty();
  auto write_index_keys = [&]() -> Status {
    x_written = true;
    QLEDGER_RETURN_IF_ERROR(file_for('x'));
    std::string key;
    for (const auto& [prefix, seqs] : index_seqs_) {
      for (uint64_t seq : seqs) {
        key = prefix;
        PutFixed64BE(&key, seq);
        QLEDGER_RETURN_IF_ERROR(FromRocks(file->Put(key, ""), "writing a staged index key"));
      }
    }
    return Status::Ok();
  };
  for (size_t i = 0; i < order.size(); ++i) {
    const Op& op = ops_[order[i]];
    std::string_view key = key_of(op);
    if (i + 1 < order.size() && key_of(ops_[order[i + 1]]) == key) continue;  // a later one wins
    if (!x_written && key[0] > 'x') QLEDGER_RETURN_IF_ERROR(write_index_keys());
    if (key[0] == 'x') return domain::Internal("a staged 'x' key with a value");
    QLEDGER_RETURN_IF_ERROR(file_for(key[0]));
    rocksdb::Slice k(key.data(), key.size());
    bool overwrites = std::string_view("eixnpy").find(key[0]) == std::string_view::npos;
    if (op.value_size == kDeleted) {
      QLEDGER_RETURN_IF_ERROR(FromRocks(file->Delete(k), "writing a staged index entry"));
      if (overwrites) echo->Delete(k);
    } else {
      rocksdb::Slice v(op.data + op.key_size, op.value_size);
      QLEDGER_RETURN_IF_ERROR(FromRocks(file->Put(k, v), "writing a staged index entry"));
      if (overwrites) echo->Put(k, v);
    }
  }
  if (!x_written) QLEDGER_RETURN_IF_ERROR(write_index_keys());
  QLEDGER_RETURN_IF_ERROR(finish_file());
  return paths;
}

}  // namespace qledger::storage::internal
