// Internal: where a batch's index entries go — a RocksDB write batch
// (Append) or the staged table files of a streamed batch (StreamAppend).
#ifndef QLEDGER_STORAGE_SRC_INDEX_SINK_H_
#define QLEDGER_STORAGE_SRC_INDEX_SINK_H_

#include <string>
#include <string_view>

namespace qledger::storage::internal {

class IndexSink {
 public:
  virtual ~IndexSink() = default;
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Delete(std::string_view key) = 0;
  // An 'x' key (keys.h), value "": each is written once per batch, so in
  // any order.
  virtual void PutIndexKey(std::string key) = 0;
};

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_SRC_INDEX_SINK_H_
