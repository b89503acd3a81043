// The hash chain (SPEC §5, docs/verification.md): the bytes of an event that
// are hashed (its canonical exported JSON without "hash"), the content key
// that tells a retried event from a different one under the same id, and the
// chain step hash_n = SHA-256(hash_{n-1} || bytes_n). Pure; OpenSSL does the
// hashing (a failure of it aborts: a chain is never extended with a guess).
#ifndef QLEDGER_DOMAIN_HASH_CHAIN_H_
#define QLEDGER_DOMAIN_HASH_CHAIN_H_

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "qledger/domain/event.h"

namespace qledger::domain {

// Canonical JSON of the exported event without "hash": the bytes hashed.
std::string HashInput(const Event& e);

// Canonical JSON of what the writer chose (id, type, department, period,
// occurred_at, actor, data): two events are "identical content" when equal.
std::string ContentKey(const Event& e);

// SHA-256(prev_hash raw 32 bytes || hash_input) as 64 lowercase hex digits.
// prev_hash_hex is "" for the first event (32 zero bytes).
std::string ChainHash(std::string_view prev_hash_hex, std::string_view hash_input);

// SHA-256(data) as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

// SHA-256 of the concatenation of parts, as 32 raw bytes.
std::string Sha256Raw(std::initializer_list<std::string_view> parts);

// The first 128 bits of the SHA-256 of the concatenation of parts: a
// digest to tell a set of strings apart by (verify's index entries and
// snapshots), compared as two words, never shown.
using Digest128 = std::array<uint64_t, 2>;
Digest128 Sha256Prefix128(std::initializer_list<std::string_view> parts);

}  // namespace qledger::domain

#endif  // QLEDGER_DOMAIN_HASH_CHAIN_H_
