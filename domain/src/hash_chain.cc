// The hashed bytes, the content key and the chain step (hash_chain.h).
#include "qledger/domain/hash_chain.h"

#include <cstring>
#include <initializer_list>

#include <boost/json.hpp>
// SHA256_Init/Update/Final are marked deprecated in OpenSSL 3 in favour of
// EVP; see Sha256Into for why the ledger uses them.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "qledger/domain/canonical_json.h"

namespace json = boost::json;

namespace qledger::domain {

namespace {

// Canonical JSON of the envelope without building a json::object (which
// would deep-copy data): the members in byte order of their keys — actor,
// data, department, id, occurred_at, period, recorded_at, seq, source, type
// — the same bytes as CanonicalJson of the object ToExportJson / ContentKey
// used to build. with_ledger_fields adds recorded_at, seq and source (the
// hash input); without them it is the content that tells a duplicate.
std::string EnvelopeJson(const Event& e, bool with_ledger_fields) {
  std::string out;
  out.reserve(512);  // a typical stored event is 250–500 bytes: one allocation
  // The keys are plain ASCII: nothing in them needs escaping.
  auto member = [&out](std::string_view key) {
    if (out.size() > 1) out.push_back(',');
    out.push_back('"');
    out.append(key);
    out.append("\":");
  };
  out.push_back('{');
  member("actor");
  AppendCanonicalString(e.actor, &out);
  member("data");
  AppendCanonicalObject(e.data, &out);
  if (HasDepartment(e.type)) {
    member("department");
    AppendCanonicalString(e.department, &out);
  }
  member("id");
  AppendCanonicalString(e.id, &out);
  member("occurred_at");
  AppendCanonicalString(e.occurred_at, &out);
  if (PeriodKindOf(e.type) != PeriodKind::kNone) {
    member("period");
    AppendCanonicalString(e.period, &out);
  }
  if (with_ledger_fields) {
    member("recorded_at");
    AppendCanonicalString(e.recorded_at, &out);
    member("seq");
    out.append(std::to_string(e.seq));
    if (!e.source.empty()) {
      member("source");
      AppendCanonicalObject(e.source, &out);
    }
  }
  member("type");
  AppendCanonicalString(EventTypeName(e.type), &out);
  out.push_back('}');
  return out;
}

}  // namespace

std::string HashInput(const Event& e) { return EnvelopeJson(e, true); }

std::string ContentKey(const Event& e) { return EnvelopeJson(e, false); }

namespace {

// SHA-256 of the concatenation of parts into digest, through OpenSSL's
// SHA-256 functions rather than EVP: the same implementation (the CPU's
// SHA extensions where it has them), but without EVP's first fetch, which
// loads OpenSSL's configuration and initialises its providers — 1.0 ms of
// every CLI process that hashes anything (a `scores` takes 8), measured in
// docs/performance.md — and without EVP's dispatch per digest, which
// `verify` makes four of per event. Those functions cannot fail on valid
// arguments (they return 1 always), so there is no error to report.
void Sha256Into(std::initializer_list<std::string_view> parts, unsigned char digest[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  for (std::string_view p : parts) SHA256_Update(&ctx, p.data(), p.size());
  SHA256_Final(digest, &ctx);
}

// SHA-256 of the concatenation of parts, as 64 lowercase hex digits.
std::string Sha256HexOf(std::initializer_list<std::string_view> parts) {
  unsigned char digest[32];
  Sha256Into(parts, digest);
  static const char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string Sha256Raw(std::initializer_list<std::string_view> parts) {
  std::string out(32, '\0');
  Sha256Into(parts, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

Digest128 Sha256Prefix128(std::initializer_list<std::string_view> parts) {
  unsigned char digest[32];
  Sha256Into(parts, digest);
  Digest128 out;
  std::memcpy(out.data(), digest, sizeof out);
  return out;
}

std::string ChainHash(std::string_view prev_hash_hex, std::string_view hash_input) {
  char prev[32] = {0};
  if (prev_hash_hex.size() == 64) {
    auto nibble = [](char c) -> int { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (int i = 0; i < 32; ++i) prev[i] = static_cast<char>(nibble(prev_hash_hex[2 * i]) << 4 | nibble(prev_hash_hex[2 * i + 1]));
  }
  return Sha256HexOf({std::string_view(prev, sizeof prev), hash_input});
}

std::string Sha256Hex(std::string_view data) { return Sha256HexOf({data}); }

}  // namespace qledger::domain
