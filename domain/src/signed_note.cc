#include "qledger/domain/signed_note.h"

#include <openssl/evp.h>

#include <cctype>
#include <cstdio>
#include <memory>

#include "qledger/domain/hash_chain.h"
#include "qledger/domain/merkle.h"

namespace qledger::domain::note {

namespace {

using merkle::Base64;
using merkle::FromBase64;

constexpr char kAlgEd25519 = 0x01;
constexpr std::string_view kDash = "\xE2\x80\x94 ";  // "— "

bool ValidName(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c == '+' || std::isspace(c) || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

uint32_t KeyId(std::string_view name, std::string_view public_key) {
  std::string h = Sha256Raw({name, "\n", std::string_view(&kAlgEd25519, 1), public_key});
  return static_cast<uint32_t>(static_cast<unsigned char>(h[0])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(h[1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(h[2])) << 8 | static_cast<unsigned char>(h[3]);
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

bool ParseHex8(std::string_view s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    v = v << 4 | static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

std::string KeyIdBytes(uint32_t id) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[static_cast<size_t>(i)] = static_cast<char>(id >> (24 - 8 * i));
  return out;
}

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string PublicOf(const std::string& seed) {
  PKey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()),
                                        seed.size()),
           &EVP_PKEY_free);
  std::string pub(32, '\0');
  size_t len = pub.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) != 1 ||
      len != 32) {
    return "";
  }
  return pub;
}

// "a+b+c" split on '+' into at most max fields (base64 holds '+' too: the
// last field takes the rest).
std::vector<std::string_view> Fields(std::string_view s, size_t max) {
  std::vector<std::string_view> out;
  for (size_t pos = 0;;) {
    size_t plus = out.size() + 1 == max ? std::string_view::npos : s.find('+', pos);
    out.push_back(s.substr(pos, plus == std::string_view::npos ? std::string_view::npos : plus - pos));
    if (plus == std::string_view::npos) return out;
    pos = plus + 1;
  }
}

}  // namespace

std::string Verifier::ToString() const {
  return name + "+" + Hex8(key_id) + "+" + Base64(std::string(1, kAlgEd25519) + public_key);
}

std::string Signer::ToString() const {
  return "PRIVATE+KEY+" + verifier.name + "+" + Hex8(verifier.key_id) + "+" + Base64(std::string(1, kAlgEd25519) + seed);
}

Result<Signer> GenerateSigner(const std::string& name) {
  if (!ValidName(name)) return InvalidArgument("--name: \"" + name + "\" must be non-empty, without '+' or spaces");
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr),
                                                                   &EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return Internal("OpenSSL could not generate an Ed25519 key");
  }
  PKey key(raw, &EVP_PKEY_free);
  Signer s;
  s.seed.assign(32, '\0');
  s.verifier.public_key.assign(32, '\0');
  size_t a = 32, b = 32;
  if (EVP_PKEY_get_raw_private_key(key.get(), reinterpret_cast<unsigned char*>(s.seed.data()), &a) != 1 ||
      EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(s.verifier.public_key.data()), &b) != 1) {
    return Internal("OpenSSL could not export the Ed25519 key");
  }
  s.verifier.name = name;
  s.verifier.key_id = KeyId(name, s.verifier.public_key);
  return s;
}

Result<Signer> ParseSigner(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  auto f = Fields(text, 5);
  std::string raw;
  if (f.size() != 5 || f[0] != "PRIVATE" || f[1] != "KEY" || !ValidName(f[2]) || !FromBase64(f[4], &raw) ||
      raw.size() != 33 || raw[0] != kAlgEd25519) {
    return InvalidArgument("not a signer key (PRIVATE+KEY+name+keyid+base64 of an Ed25519 key)");
  }
  Signer s;
  s.verifier.name = std::string(f[2]);
  s.seed = raw.substr(1);
  s.verifier.public_key = PublicOf(s.seed);
  if (s.verifier.public_key.empty()) return InvalidArgument("the signer key does not hold an Ed25519 key");
  s.verifier.key_id = KeyId(s.verifier.name, s.verifier.public_key);
  uint32_t stated = 0;
  if (!ParseHex8(f[3], &stated) || stated != s.verifier.key_id) {
    return InvalidArgument("the signer key's id " + std::string(f[3]) + " is not its key's (" + Hex8(s.verifier.key_id) + ")");
  }
  return s;
}

Result<Verifier> ParseVerifier(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  auto f = Fields(text, 3);
  std::string raw;
  uint32_t id = 0;
  if (f.size() != 3 || !ValidName(f[0]) || !ParseHex8(f[1], &id) || !FromBase64(f[2], &raw) || raw.size() != 33 ||
      raw[0] != kAlgEd25519) {
    return InvalidArgument("\"" + std::string(text) + "\" is not a verifier key (name+keyid+base64 of an Ed25519 key)");
  }
  Verifier v{std::string(f[0]), id, raw.substr(1)};
  if (KeyId(v.name, v.public_key) != id) {
    return InvalidArgument("verifier key " + v.name + ": its id " + std::string(f[1]) + " is not its key's");
  }
  return v;
}

std::string Note::ToString() const {
  std::string out = text + "\n";
  for (const auto& s : signatures) {
    out += std::string(kDash) + s.name + " " + Base64(KeyIdBytes(s.key_id) + s.signature) + "\n";
  }
  return out;
}

Result<Note> ParseNote(std::string_view message) {
  size_t split = message.rfind("\n\n");
  if (split == std::string_view::npos) return InvalidArgument("a signed note has its text, a blank line, then signatures");
  Note n;
  n.text = std::string(message.substr(0, split + 1));
  std::string_view sigs = message.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') return InvalidArgument("a signed note ends with a signature line");
  for (size_t pos = 0; pos < sigs.size();) {
    size_t nl = sigs.find('\n', pos);
    std::string_view line = sigs.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.starts_with(kDash)) return InvalidArgument("signature line \"" + std::string(line) + "\" does not start with \"— \"");
    line.remove_prefix(kDash.size());
    size_t space = line.find(' ');
    std::string raw;
    if (space == std::string_view::npos || !ValidName(line.substr(0, space)) || !FromBase64(line.substr(space + 1), &raw) ||
        raw.size() != 68) {
      return InvalidArgument("signature line \"— " + std::string(line) + "\" is not a name and an Ed25519 signature");
    }
    uint32_t id = static_cast<uint32_t>(static_cast<unsigned char>(raw[0])) << 24 |
                  static_cast<uint32_t>(static_cast<unsigned char>(raw[1])) << 16 |
                  static_cast<uint32_t>(static_cast<unsigned char>(raw[2])) << 8 | static_cast<unsigned char>(raw[3]);
    n.signatures.push_back(Signature{std::string(line.substr(0, space)), id, raw.substr(4)});
  }
  return n;
}

Signature Sign(const Signer& signer, std::string_view text) {
  PKey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                        reinterpret_cast<const unsigned char*>(signer.seed.data()), signer.seed.size()),
           &EVP_PKEY_free);
  MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string sig(64, '\0');
  size_t len = sig.size();
  bool ok = key && ctx && EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
            EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(text.data()), text.size()) == 1 &&
            len == 64;
  if (!ok) {
    std::fprintf(stderr, "qledger: Ed25519 signing failed in OpenSSL; stopping\n");
    std::abort();
  }
  return Signature{signer.verifier.name, signer.verifier.key_id, sig};
}

Status VerifySignedBy(const Note& note, const Verifier& verifier) {
  bool seen = false;
  for (const auto& s : note.signatures) {
    if (s.name != verifier.name || s.key_id != verifier.key_id) continue;
    seen = true;
    PKey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                         reinterpret_cast<const unsigned char*>(verifier.public_key.data()),
                                         verifier.public_key.size()),
             &EVP_PKEY_free);
    MdCtx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    bool ok = key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
              EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(s.signature.data()), s.signature.size(),
                               reinterpret_cast<const unsigned char*>(note.text.data()), note.text.size()) == 1;
    if (ok) return Status::Ok();
  }
  if (seen) return InvalidArgument("the signature of " + verifier.name + " does not verify: the note was altered");
  return InvalidArgument("the note is not signed by " + verifier.name + " (key " + Hex8(verifier.key_id) + ")");
}

std::string Checkpoint::Text() const { return origin + "\n" + std::to_string(size) + "\n" + Base64(root) + "\n"; }

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return InvalidArgument("a checkpoint's lines each end with a newline");
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.size() < 3 || lines[0].empty()) return InvalidArgument("a checkpoint has an origin, a size and a root");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (lines[1].empty() || lines[1].size() > 19 || (lines[1].size() > 1 && lines[1][0] == '0')) {
    return InvalidArgument("checkpoint size \"" + std::string(lines[1]) + "\" is not a number");
  }
  for (char ch : lines[1]) {
    if (ch < '0' || ch > '9') return InvalidArgument("checkpoint size \"" + std::string(lines[1]) + "\" is not a number");
    c.size = c.size * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (!FromBase64(lines[2], &c.root) || c.root.size() != 32) {
    return InvalidArgument("checkpoint root \"" + std::string(lines[2]) + "\" is not base64 of 32 bytes");
  }
  return c;
}

}  // namespace qledger::domain::note
