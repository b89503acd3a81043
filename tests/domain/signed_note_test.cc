// Signed notes (domain/signed_note.h) against the reference: the key, text
// and exact signed note of golang.org/x/mod/sumdb/note's documentation (its
// Ed25519 signature is deterministic, so ours must be byte for byte the
// same), the C2SP spec's example, and every way a note or key can be wrong.
#include "qledger/domain/signed_note.h"

#include <string>

#include <gtest/gtest.h>

#include "qledger/domain/merkle.h"

namespace qledger::domain::note {
namespace {

const std::string kGoSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const std::string kGoVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const std::string kGoText =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const std::string kGoNote = kGoText +
                            "\n\xE2\x80\x94 PeterNeumann "
                            "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST(SignedNoteTest, SignsTheGoReferenceNoteByteForByte) {
  auto signer = ParseSigner(kGoSigner);
  ASSERT_TRUE(signer.ok()) << signer.status().ToString();
  EXPECT_EQ(signer->verifier.ToString(), kGoVerifier);
  EXPECT_EQ(signer->ToString(), kGoSigner);
  Note n{kGoText, {Sign(*signer, kGoText)}};
  EXPECT_EQ(n.ToString(), kGoNote);
  auto parsed = ParseNote(kGoNote);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->text, kGoText);
  EXPECT_TRUE(VerifySignedBy(*parsed, *ParseVerifier(kGoVerifier)).ok());
}

TEST(SignedNoteTest, VerifiesTheC2spSpecExample) {
  auto v = ParseVerifier("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  auto n = ParseNote(
      "This is an example message.\n\n\xE2\x80\x94 example.com/foo "
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_TRUE(VerifySignedBy(*n, *v).ok());
}

TEST(SignedNoteTest, AnAlteredTextOrAnotherKeyIsRefusedNamingTheKey) {
  auto parsed = ParseNote(kGoNote);
  ASSERT_TRUE(parsed.ok());
  Note altered = *parsed;
  altered.text[3] = 'X';
  EXPECT_EQ(VerifySignedBy(altered, *ParseVerifier(kGoVerifier)).message(),
            "the signature of PeterNeumann does not verify: the note was altered");
  auto other = GenerateSigner("committee-li");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(VerifySignedBy(*parsed, other->verifier).message(),
            "the note is not signed by committee-li (key " + other->verifier.ToString().substr(13, 8) + ")");
}

TEST(SignedNoteTest, AGeneratedKeyRoundTripsAndCosignaturesAddUp) {
  auto a = GenerateSigner("qledger-log");
  auto b = GenerateSigner("committee-wang");
  ASSERT_TRUE(a.ok() && b.ok());
  auto again = ParseSigner(a->ToString());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->seed, a->seed);
  EXPECT_EQ(again->verifier.ToString(), a->verifier.ToString());
  Checkpoint c{"qledger/0123456789abcdef", 310, std::string(32, '\x5a')};
  Note n{c.Text(), {Sign(*a, c.Text()), Sign(*b, c.Text())}};
  auto parsed = ParseNote(n.ToString());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(VerifySignedBy(*parsed, a->verifier).ok());
  EXPECT_TRUE(VerifySignedBy(*parsed, *ParseVerifier(b->verifier.ToString())).ok());
  auto body = ParseCheckpoint(parsed->text);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->origin, c.origin);
  EXPECT_EQ(body->size, 310u);
  EXPECT_EQ(body->root, c.root);
}

TEST(SignedNoteTest, MalformedKeysNotesAndCheckpointsAreRefused) {
  EXPECT_FALSE(GenerateSigner("two words").ok());
  EXPECT_FALSE(GenerateSigner("a+b").ok());
  EXPECT_FALSE(GenerateSigner("").ok());
  EXPECT_FALSE(ParseVerifier("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").ok()) << "wrong id";
  EXPECT_FALSE(ParseVerifier("PeterNeumann+c74f20a3").ok());
  EXPECT_FALSE(ParseSigner("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEK").ok());
  EXPECT_FALSE(ParseNote(kGoText).ok()) << "no signatures";
  EXPECT_FALSE(ParseNote(kGoText + "\n- PeterNeumann abc\n").ok());
  EXPECT_FALSE(ParseNote(kGoNote.substr(0, kGoNote.size() - 1)).ok()) << "no final newline";
  EXPECT_FALSE(ParseCheckpoint("origin\n310\n").ok());
  EXPECT_FALSE(ParseCheckpoint("origin\n0310\n" + merkle::Base64(std::string(32, 'a')) + "\n").ok());
  EXPECT_FALSE(ParseCheckpoint("origin\n-1\n" + merkle::Base64(std::string(32, 'a')) + "\n").ok());
  EXPECT_FALSE(ParseCheckpoint("origin\n310\n" + merkle::Base64(std::string(31, 'a')) + "\n").ok());
  EXPECT_TRUE(ParseCheckpoint("origin\n310\n" + merkle::Base64(std::string(32, 'a')) + "\nextension\n").ok());
}

}  // namespace
}  // namespace qledger::domain::note
