// Fuzzes the parsers of the transparency log's outside bytes, which anyone
// can hand to `qledger check` or `qledger audit`: signed notes, checkpoints,
// verifier and signer keys, base64, proof bundles (app::CheckBundle) and the
// RFC 9162 verifiers over proofs made of the input. A note that parses
// formats back to the same bytes; base64 that decodes encodes back to it.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/app/tlog.h"
#include "qledger/domain/merkle.h"
#include "qledger/domain/signed_note.h"

using namespace qledger;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  namespace note = domain::note;
  namespace merkle = domain::merkle;
  if (auto n = note::ParseNote(text); n.ok()) {
    if (n->ToString() != text) __builtin_trap();
    (void)note::ParseCheckpoint(n->text);
  }
  (void)note::ParseCheckpoint(text);
  (void)note::ParseVerifier(text);
  (void)note::ParseSigner(text);
  std::string raw;
  if (merkle::FromBase64(text, &raw) && merkle::Base64(raw) != text) __builtin_trap();
  static const note::Verifier kKey =
      *note::ParseVerifier("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  (void)app::CheckBundle(text, {kKey});
  (void)app::CheckBundle(text, {kKey}, text);
  (void)app::AuditStep(text, text, {kKey}, [&](uint64_t, uint64_t) { return domain::Result<std::string>(text); });
  if (size >= 16) {
    uint64_t a = 0, b = 0;
    std::memcpy(&a, data, 8);
    std::memcpy(&b, data + 8, 8);
    std::vector<merkle::Hash> proof;
    for (size_t at = 16; at + 32 <= size && proof.size() < 70; at += 32) proof.emplace_back(text.substr(at, 32));
    merkle::Hash h(32, '\x11');
    (void)merkle::VerifyInclusion(a % 4096, b % 4096, h, proof, h);
    (void)merkle::VerifyInclusion(a, b, h, proof, h);
    (void)merkle::VerifyConsistency(a % 4096, b % 4096, h, h, proof);
    (void)merkle::VerifyConsistency(a, b, h, h, proof);
  }
  return 0;
}
