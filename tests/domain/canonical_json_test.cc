#include "qledger/domain/canonical_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "qledger/domain/event.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/domain/stored_event.h"

namespace json = boost::json;

namespace qledger::domain {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

const std::string kDataDir = std::string(QLEDGER_SOURCE_DIR) + "/tests/data/";

// What hash_vector.md states per seq: the canonical bytes (and their stated
// length), the hash, and for some events the bytes again as hex.
struct MdEntry {
  std::string canonical;
  size_t stated_length = 0;
  std::string hash;
  std::string hex;
};

std::map<int64_t, MdEntry> ParseHashVectorMd(const std::string& md) {
  std::map<int64_t, MdEntry> out;
  std::istringstream in(md);
  std::string line;
  int64_t seq = 0;
  enum { kNone, kCanonical, kHex } pending = kNone, block = kNone;
  bool in_block = false;
  std::string body;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      if (!in_block) {
        in_block = true;
        block = pending;
        body.clear();
      } else {
        in_block = false;
        if (block == kCanonical) out[seq].canonical = body;
        if (block == kHex) out[seq].hex = body;
        pending = kNone;
      }
      continue;
    }
    if (in_block) {
      if (block == kCanonical) body += (body.empty() ? "" : "\n") + line;
      else body += line;  // hex is wrapped over several lines
      continue;
    }
    if (line.rfind("## seq ", 0) == 0) {
      seq = std::stoll(line.substr(7));
    } else if (line.rfind("canonical bytes (", 0) == 0) {
      pending = kCanonical;
      out[seq].stated_length = std::stoul(line.substr(17));
    } else if (line.rfind("hex of the canonical bytes of seq ", 0) == 0) {
      pending = kHex;
      seq = std::stoll(line.substr(34));
    } else if (line.rfind("hash: `", 0) == 0) {
      out[seq].hash = line.substr(7, 64);
    }
  }
  return out;
}

std::string ToHex(const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

TEST(CanonicalJsonTest, SortsKeysByByteOrderWithoutWhitespace) {
  json::value v = json::parse(R"({"b": 1, "a": {"z": true, "B": false}, "A": [1, "x", null]})");
  EXPECT_EQ(CanonicalJson(v), R"({"A":[1,"x",null],"a":{"B":false,"z":true},"b":1})");
}

TEST(CanonicalJsonTest, SortsNonAsciiKeysByUtf8Bytes) {
  // "é" is C3 A9, "z" is 7A, "中" is E4 B8 AD: byte order puts z, é, 中.
  json::value v = json::parse("{\"\xE4\xB8\xAD\": 3, \"\xC3\xA9\": 2, \"z\": 1}");
  EXPECT_EQ(CanonicalJson(v), "{\"z\":1,\"\xC3\xA9\":2,\"\xE4\xB8\xAD\":3}");
}

TEST(CanonicalJsonTest, EscapesOnlyQuoteBackslashAndControlCharacters) {
  json::value v = json::string("q\" b\\ n\n r\r t\t b\b f\f one\x01 us\x1f del\x7f slash/ \xC2\xB5 \xF0\xA0\xAE\xB7");
  EXPECT_EQ(CanonicalJson(v),
            "\"q\\\" b\\\\ n\\n r\\r t\\t b\\b f\\f one\\u0001 us\\u001f del\x7f slash/ \xC2\xB5 \xF0\xA0\xAE\xB7\"");
}

TEST(CanonicalJsonTest, WritesIntegersPlainAndDoublesAsNull) {
  EXPECT_EQ(CanonicalJson(json::value(int64_t{-42})), "-42");
  EXPECT_EQ(CanonicalJson(json::value(uint64_t{18446744073709551615ULL})), "18446744073709551615");
  EXPECT_EQ(CanonicalJson(json::value(0)), "0");
  // A double on the hashing path is a programming error; it never becomes text.
  EXPECT_EQ(CanonicalJson(json::value(96.5)), "null");
  EXPECT_EQ(CanonicalJson(json::parse("[]")), "[]");
  EXPECT_EQ(CanonicalJson(json::parse("{}")), "{}");
}

TEST(CanonicalJsonTest, ChainHashOfEmptyInputAfterZeroHashIsSha256OfThirtyTwoZeroBytes) {
  // SHA-256 of 32 zero bytes (a well-known constant).
  EXPECT_EQ(ChainHash("", ""), "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925");
  // "" and an explicit all-zero previous hash are the same.
  EXPECT_EQ(ChainHash(std::string(64, '0'), "x"), ChainHash("", "x"));
  EXPECT_NE(ChainHash("", "x"), ChainHash("", "y"));
}

TEST(CanonicalJsonTest, ExportLeavesOutFieldsTheTypeDoesNotHave) {
  Event e;
  e.seq = 9;
  e.id = "void-1";
  e.type = EventType::kEntryVoided;
  e.occurred_at = "2026-08-03";
  e.actor = "a";
  e.recorded_at = "2026-08-03T00:00:00Z";
  e.data = json::object{{"target", "x"}, {"reason", "r"}};
  EXPECT_EQ(HashInput(e),
            R"({"actor":"a","data":{"reason":"r","target":"x"},"id":"void-1","occurred_at":"2026-08-03",)"
            R"("recorded_at":"2026-08-03T00:00:00Z","seq":9,"type":"entry.voided"})");
  e.hash = std::string(64, 'a');
  json::object with_hash = ToExportJson(e, true);
  EXPECT_EQ(with_hash.at("hash").as_string(), std::string(64, 'a'));
  EXPECT_FALSE(with_hash.contains("department"));
  EXPECT_FALSE(with_hash.contains("period"));
}

TEST(CanonicalJsonTest, ContentKeyIgnoresWhatTheLedgerSets) {
  Event a;
  a.id = "x";
  a.type = EventType::kSelfcheckReported;
  a.department = "storage";
  a.period = "2026-07";
  a.occurred_at = "2026-08-03";
  a.actor = "me";
  a.data = json::object{{"score", "96.50"}};
  Event b = a;
  b.seq = 7;
  b.recorded_at = "2026-08-03T00:00:00Z";
  b.hash = std::string(64, 'f');
  EXPECT_EQ(ContentKey(a), ContentKey(b));
  b.data["score"] = "96.00";
  EXPECT_NE(ContentKey(a), ContentKey(b));
}

TEST(CanonicalJsonTest, CommittedHashVectorRecomputesLineByLine) {
  std::vector<std::string> lines = Lines(ReadFile(kDataDir + "hash_vector.jsonl"));
  ASSERT_EQ(lines.size(), 5u);
  std::string prev;
  for (size_t i = 0; i < lines.size(); ++i) {
    auto e = ParseExportedEvent(lines[i]);
    ASSERT_TRUE(e.ok()) << "line " << i + 1 << ": " << e.status().message();
    EXPECT_EQ(e->seq, static_cast<int64_t>(i + 1));
    ASSERT_EQ(e->hash.size(), 64u) << "line " << i + 1;
    std::string recomputed = ChainHash(prev, HashInput(*e));
    EXPECT_EQ(recomputed, e->hash) << "line " << i + 1 << " (" << e->id << ")";
    prev = e->hash;
  }
  EXPECT_EQ(prev, "8c09d8bd2a7d24a53a54018e10c799e2adb78993b46d00a4fe3d17e8f6ffb9bd");  // the .md's head
}

TEST(CanonicalJsonTest, CommittedHashVectorCanonicalBytesMatchTheMarkdown) {
  std::vector<std::string> lines = Lines(ReadFile(kDataDir + "hash_vector.jsonl"));
  std::map<int64_t, MdEntry> md = ParseHashVectorMd(ReadFile(kDataDir + "hash_vector.md"));
  ASSERT_EQ(md.size(), 5u);
  for (const auto& line : lines) {
    json::object obj = json::parse(line).as_object();
    int64_t seq = obj.at("seq").as_int64();
    std::string hash(obj.at("hash").as_string());
    obj.erase("hash");
    std::string canonical = CanonicalJson(obj);
    ASSERT_TRUE(md.count(seq)) << "seq " << seq;
    const MdEntry& m = md[seq];
    EXPECT_EQ(canonical, m.canonical) << "seq " << seq;
    EXPECT_EQ(canonical.size(), m.stated_length) << "seq " << seq;
    EXPECT_EQ(hash, m.hash) << "seq " << seq;
    if (!m.hex.empty()) {
      EXPECT_EQ(ToHex(canonical), m.hex) << "seq " << seq;
    }
    // The event as parsed by the domain hashes exactly these bytes.
    auto e = ParseExportedEvent(line);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(HashInput(*e), canonical) << "seq " << seq;
  }
  EXPECT_FALSE(md[3].hex.empty()) << "the .md gives seq 3 (with its DEL byte) as hex";
  EXPECT_NE(md[3].canonical.find('\x7f'), std::string::npos);
}

TEST(CanonicalJsonTest, TamperingWithOneByteBreaksTheChainFromThere) {
  std::vector<std::string> lines = Lines(ReadFile(kDataDir + "hash_vector.jsonl"));
  ASSERT_EQ(lines.size(), 5u);
  auto e = ParseExportedEvent(lines[1]);
  ASSERT_TRUE(e.ok());
  auto first = ParseExportedEvent(lines[0]);
  ASSERT_TRUE(first.ok());
  e->data["score"] = "96.51";
  EXPECT_NE(ChainHash(first->hash, HashInput(*e)), e->hash);
}

TEST(CanonicalJsonTest, ParseExportedEventRejectsWhatIsNotAnEvent) {
  auto not_json = ParseExportedEvent("{not json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(not_json.status().message(), "stored event is not a JSON object");

  auto no_seq = ParseExportedEvent(R"({"id":"x","type":"entry.voided","data":{}})");
  ASSERT_FALSE(no_seq.ok());
  EXPECT_EQ(no_seq.status().message(), "exported event: seq missing or not a positive integer");

  auto bad_type = ParseExportedEvent(R"({"seq":4,"id":"x","type":"nope","data":{}})");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.status().message(), "exported event 4: unknown type");

  auto no_data = ParseExportedEvent(R"({"seq":4,"id":"x","type":"entry.voided"})");
  ASSERT_FALSE(no_data.ok());
  EXPECT_EQ(no_data.status().message(), "exported event 4: data missing");
}

}  // namespace
}  // namespace qledger::domain

namespace qledger::domain {
namespace {

// An imported event's source is hashed (in byte order of its key: after
// seq, before type), read back by the stored-event parser on its fast path,
// and no part of the content that tells a duplicate.
TEST(CanonicalJsonTest, SourceIsHashedAndReadBackButIsNotPartOfTheContentKey) {
  Event e;
  e.seq = 3;
  e.id = "s1";
  e.type = EventType::kSelfcheckReported;
  e.department = "storage";
  e.period = "2026-07";
  e.occurred_at = "2026-08-03";
  e.actor = "a";
  e.recorded_at = "2026-08-03T00:00:00Z";
  e.data = json::object{{"score", "96.50"}};
  Event plain = e;
  e.source = json::object{{"file", "自查.csv"}, {"sha256", std::string(64, 'b')}, {"row", 7}};
  EXPECT_EQ(HashInput(e),
            R"({"actor":"a","data":{"score":"96.50"},"department":"storage","id":"s1","occurred_at":"2026-08-03",)"
            R"("period":"2026-07","recorded_at":"2026-08-03T00:00:00Z","seq":3,)"
            R"("source":{"file":"自查.csv","row":7,"sha256":")" + std::string(64, 'b') + R"("},"type":"selfcheck.reported"})");
  EXPECT_EQ(HashInput(e), CanonicalJson(ToExportJson(e, false)));
  EXPECT_EQ(ContentKey(e), ContentKey(plain));
  EXPECT_NE(HashInput(e), HashInput(plain));

  e.hash = std::string(64, 'c');
  auto back = ParseExportedEvent(CanonicalJson(ToExportJson(e, true)));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->source, e.source);
  EXPECT_EQ(HashInput(*back), HashInput(e));
  auto not_object = ParseExportedEvent(R"({"seq":3,"id":"s1","type":"selfcheck.reported","data":{},"source":"x"})");
  EXPECT_FALSE(not_object.ok());
  EXPECT_NE(not_object.status().message().find("source is not an object"), std::string::npos);
}

}  // namespace
}  // namespace qledger::domain
