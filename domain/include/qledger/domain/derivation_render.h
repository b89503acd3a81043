// The score and the derivation as JSON (SPEC §6; decimals as strings) and
// the derivation as text for people (`qledger replay`).
#ifndef QLEDGER_DOMAIN_DERIVATION_RENDER_H_
#define QLEDGER_DOMAIN_DERIVATION_RENDER_H_

#include <string>

#include <boost/json/object.hpp>

#include "qledger/domain/lang.h"
#include "qledger/domain/replay.h"
#include "qledger/domain/score.h"

namespace qledger::domain {

// The score JSON of SPEC §6 (decimals as strings).
boost::json::object ScoreToJson(const Score& s);

boost::json::object DerivationToJson(const Derivation& d);
// For people, in `lang` (the sentences of the steps were made in theirs).
std::string DerivationToText(const Derivation& d, Lang lang = Lang::kEn);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_DERIVATION_RENDER_H_
