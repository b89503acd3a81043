// Signed notes and checkpoints (C2SP signed-note and tlog-checkpoint, as
// golang.org/x/mod/sumdb/note writes them; docs/verification.md §3), with
// Ed25519 keys (OpenSSL).
//
//   key id   = the first 4 bytes (big-endian) of SHA-256(name || "\n" || 0x01 || public key)
//   verifier = name "+" 8 hex digits of the key id "+" base64(0x01 || public key)
//   signer   = "PRIVATE+KEY+" name "+" key id "+" base64(0x01 || private seed)
//   note     = text (ending in "\n") "\n" then one line per signature:
//              "— " name " " base64(key id || Ed25519 signature of text) "\n"
//   checkpoint text = origin "\n" tree size "\n" base64(root) "\n"
#ifndef QLEDGER_DOMAIN_SIGNED_NOTE_H_
#define QLEDGER_DOMAIN_SIGNED_NOTE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qledger/domain/status.h"

namespace qledger::domain::note {

struct Verifier {
  std::string name;
  uint32_t key_id = 0;
  std::string public_key;  // 32 raw bytes
  std::string ToString() const;
};

struct Signer {
  Verifier verifier;
  std::string seed;  // 32 raw bytes: the Ed25519 private key
  std::string ToString() const;
};

// A new Ed25519 key. InvalidArgument for a name that is empty or holds
// '+' or whitespace.
Result<Signer> GenerateSigner(const std::string& name);
Result<Signer> ParseSigner(std::string_view text);
Result<Verifier> ParseVerifier(std::string_view text);

struct Signature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // 64 raw bytes
};

struct Note {
  std::string text;  // ends with "\n"
  std::vector<Signature> signatures;
  std::string ToString() const;
};

// InvalidArgument naming what is malformed.
Result<Note> ParseNote(std::string_view message);

// The signature line a signer adds to text.
Signature Sign(const Signer& signer, std::string_view text);

// OK when the note carries a valid signature by this verifier;
// InvalidArgument naming the key when it has none, or one that does not
// verify.
Status VerifySignedBy(const Note& note, const Verifier& verifier);

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  std::string root;  // 32 raw bytes
  std::string Text() const;
};

Result<Checkpoint> ParseCheckpoint(std::string_view text);

}  // namespace qledger::domain::note

#endif  // QLEDGER_DOMAIN_SIGNED_NOTE_H_
