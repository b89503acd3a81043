// Internal: re-derives every index entry from the stored events alone and
// compares with the index entries the store holds, so that `verify` also
// catches an altered index (scores are read through the indexes).
#ifndef QLEDGER_STORAGE_INDEX_CHECK_H_
#define QLEDGER_STORAGE_INDEX_CHECK_H_

#include <string>

#include "qledger/domain/status.h"

namespace rocksdb {
class DB;
}

namespace qledger::storage::internal {

// Sets *problem to the first difference ("" when the indexes match the
// events). REQUIRES: the event chain itself has verified. A non-OK status is
// a read failure.
domain::Status CheckIndexes(rocksdb::DB* db, std::string* problem);

}  // namespace qledger::storage::internal

#endif  // QLEDGER_STORAGE_INDEX_CHECK_H_
