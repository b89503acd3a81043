// Reading an event back from its exported JSON: what the store holds and
// what `export` writes. Checks the structure (every envelope field, its
// type, no unknown field, no duplicate key), not the business rules, which
// the writer checked before the event was stored; a stored event that does
// not parse is damage, reported with the field named.
#ifndef QLEDGER_DOMAIN_STORED_EVENT_H_
#define QLEDGER_DOMAIN_STORED_EVENT_H_

#include <string_view>

#include <boost/json/object.hpp>

#include "qledger/domain/event.h"
#include "qledger/domain/status.h"

namespace qledger::domain {

// Parses an exported event (with or without "hash"). Used for stored events
// and exports; validates structure, not business rules.
Result<Event> ParseExportedEvent(std::string_view json_text);
Result<Event> EventFromExportJson(const boost::json::object& obj);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_STORED_EVENT_H_
