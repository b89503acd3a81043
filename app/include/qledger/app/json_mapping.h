// The one JSON form of each use-case result (docs/api.md): what the API
// serves and what the CLI prints with --format json, byte for byte. Object
// keys come in the documented order; decimals are strings; absent optional
// values are null.
#ifndef QLEDGER_APP_JSON_MAPPING_H_
#define QLEDGER_APP_JSON_MAPPING_H_

#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "qledger/app/queries.h"
#include "qledger/app/views.h"

namespace qledger::app {

boost::json::object ToJson(const storage::Head& head);
boost::json::object ToJson(const PolicyView& policy);
// The departments of a policy: [{"code", "name"}].
boost::json::array DepartmentsToJson(const PolicyView& policy);
boost::json::array ToJson(const std::vector<QuarterSummary>& quarters);
boost::json::array ToJson(const std::vector<domain::Score>& scores);
boost::json::object ToJson(const domain::Derivation& derivation);
boost::json::object ToJson(const domain::ScoreDiff& diff);
boost::json::object ToJson(const ComplaintRegister& complaints);
boost::json::object ToJson(const RewardLedger& ledger);
boost::json::object ToJson(const QuarterReport& report);

// An event as listed and exported: its canonical JSON with its hash, one
// line without the newline.
std::string EventLine(const domain::Event& e);

// serialize(v) and a newline: the bytes both front ends write.
std::string JsonBody(const boost::json::value& v);

}  // namespace qledger::app

#endif  // QLEDGER_APP_JSON_MAPPING_H_
