// Parsing exported and stored events (stored_event.h).
#include "qledger/domain/stored_event.h"

#include <cstring>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include "qledger/domain/canonical_json.h"

namespace json = boost::json;

namespace qledger::domain {
namespace {

std::string GetString(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

// Everything of an exported event but data; checks in the order the messages
// promise (seq, then type).
Status EnvelopeFromExportJson(const json::object& o, Event* e) {
  auto seq = o.find("seq");
  if (seq == o.end() || !seq->value().is_int64() || seq->value().get_int64() < 1) {
    return InvalidArgument("exported event: seq missing or not a positive integer");
  }
  e->seq = seq->value().get_int64();
  e->id = GetString(o, "id");
  auto type = ParseEventType(GetString(o, "type"));
  if (!type) return InvalidArgument("exported event " + std::to_string(e->seq) + ": unknown type");
  e->type = *type;
  e->department = GetString(o, "department");
  e->period = GetString(o, "period");
  e->occurred_at = GetString(o, "occurred_at");
  e->actor = GetString(o, "actor");
  e->recorded_at = GetString(o, "recorded_at");
  e->hash = GetString(o, "hash");
  return Status::Ok();
}

Status DataMissing(const Event& e) {
  return InvalidArgument("exported event " + std::to_string(e.seq) + ": data missing");
}

}  // namespace

// source, when there: an object (its fields were checked when the event
// was appended).
Status SourceFromExportJson(const json::object& o, Event* e) {
  auto source = o.find("source");
  if (source == o.end()) return Status::Ok();
  if (!source->value().is_object()) {
    return InvalidArgument("exported event " + std::to_string(e->seq) + ": source is not an object");
  }
  e->source = json::object(source->value().get_object(), json::storage_ptr());
  return Status::Ok();
}

Result<Event> EventFromExportJson(const json::object& o) {
  Event e;
  QLEDGER_RETURN_IF_ERROR(EnvelopeFromExportJson(o, &e));
  auto data = o.find("data");
  if (data == o.end() || !data->value().is_object()) return DataMissing(e);
  e.data = data->value().get_object();
  QLEDGER_RETURN_IF_ERROR(SourceFromExportJson(o, &e));
  return e;
}

namespace {

// The fast path of ParseExportedEvent: one pass of Boost.JSON's SAX parser
// that writes the envelope's strings straight into the Event and builds only
// `data` as a DOM (through value_stack, exactly as json::parser would),
// instead of a DOM of the whole event that is then looked up and copied.
//
// It takes only the plain shape of a stored event — one object, each
// envelope member at most once, seq a positive integer, the string members
// strings, a known type, data (and source, if any) an object, any other
// member a scalar. Anything else (including every error) makes it give up,
// and the caller parses the text the general way, which produces the same
// Event or the same error.
class ExportedEventHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  // Starts a document that fills *e (default-constructed).
  void Begin(Event* e) {
    e_ = e;
    depth_ = 0;
    seen_ = 0;
    key_.clear();
    type_.clear();
    member_ = Member::kOther;
  }
  // After a successful parse: whether the shape was the plain one.
  bool Complete() const { return (seen_ & (Bit(Member::kSeq) | Bit(Member::kType) | Bit(Member::kData))) ==
                                     (Bit(Member::kSeq) | Bit(Member::kType) | Bit(Member::kData)); }
  const std::string& type_name() const { return type_; }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code& ec) {
    if (depth_ == 1) {
      if (member_ != Member::kData && member_ != Member::kSource) return GiveUp(ec);
      stack_.reset(json::storage_ptr());  // data and source in the Event's own (default) storage
    }
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    --depth_;
    if (depth_ >= 1) stack_.push_object(n);
    if (depth_ == 1) (member_ == Member::kData ? e_->data : e_->source) = std::move(stack_.release().get_object());
    return true;
  }
  bool on_array_begin(json::error_code& ec) {
    if (depth_ < 2) return GiveUp(ec);
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code&) {
    --depth_;
    stack_.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (depth_ >= 2) stack_.push_chars(s);
    else key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    if (depth_ >= 2) {
      stack_.push_key(s);
      return true;
    }
    key_.append(s.data(), s.size());
    member_ = MemberOf(key_);
    key_.clear();
    if (member_ == Member::kOther) return true;
    if (seen_ & Bit(member_)) return GiveUp(ec);  // a repeated member: the general way decides
    seen_ |= Bit(member_);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) { return String(s, ec, false); }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) { return String(s, ec, true); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) {
    if (depth_ >= 2) {
      stack_.push_int64(i);
      return true;
    }
    if (depth_ == 1 && member_ == Member::kSeq && i >= 1) {
      e_->seq = i;
      return true;
    }
    return Scalar(ec);
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code& ec) {
    if (depth_ >= 2) {
      stack_.push_uint64(u);
      return true;
    }
    return Scalar(ec);
  }
  bool on_double(double d, json::string_view, json::error_code& ec) {
    if (depth_ >= 2) {
      stack_.push_double(d);
      return true;
    }
    return Scalar(ec);
  }
  bool on_bool(bool b, json::error_code& ec) {
    if (depth_ >= 2) {
      stack_.push_bool(b);
      return true;
    }
    return Scalar(ec);
  }
  bool on_null(json::error_code& ec) {
    if (depth_ >= 2) {
      stack_.push_null();
      return true;
    }
    return Scalar(ec);
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  enum class Member { kOther, kSeq, kId, kType, kDepartment, kPeriod, kOccurredAt, kActor, kRecordedAt, kHash, kData,
                      kSource };
  static unsigned Bit(Member m) { return 1u << static_cast<unsigned>(m); }
  // By length first, so that each comparison is with a literal of that
  // length, which the compiler inlines (a loop over a table called memcmp
  // for most keys: memcmp went from 6.3% to 4.7% of `verify`'s samples).
  static Member MemberOf(std::string_view key) {
    switch (key.size()) {
      case 2: return key == "id" ? Member::kId : Member::kOther;
      case 3: return key == "seq" ? Member::kSeq : Member::kOther;
      case 4:
        if (key == "type") return Member::kType;
        if (key == "data") return Member::kData;
        return key == "hash" ? Member::kHash : Member::kOther;
      case 5: return key == "actor" ? Member::kActor : Member::kOther;
      case 6:
        if (key == "period") return Member::kPeriod;
        return key == "source" ? Member::kSource : Member::kOther;
      case 10: return key == "department" ? Member::kDepartment : Member::kOther;
      case 11:
        if (key == "occurred_at") return Member::kOccurredAt;
        return key == "recorded_at" ? Member::kRecordedAt : Member::kOther;
      default: return Member::kOther;
    }
  }
  std::string* StringMember() {
    switch (member_) {
      case Member::kId: return &e_->id;
      case Member::kType: return &type_;
      case Member::kDepartment: return &e_->department;
      case Member::kPeriod: return &e_->period;
      case Member::kOccurredAt: return &e_->occurred_at;
      case Member::kActor: return &e_->actor;
      case Member::kRecordedAt: return &e_->recorded_at;
      case Member::kHash: return &e_->hash;
      default: return nullptr;
    }
  }
  bool String(json::string_view s, json::error_code& ec, bool last) {
    if (depth_ >= 2) {
      if (last) stack_.push_string(s);
      else stack_.push_chars(s);
      return true;
    }
    if (depth_ != 1) return GiveUp(ec);
    if (std::string* out = StringMember()) {
      out->append(s.data(), s.size());
      return true;
    }
    return Scalar(ec);
  }
  // A scalar member of the envelope that is not one of its strings or seq:
  // ignored when the member is not the envelope's, else not the plain shape.
  bool Scalar(json::error_code& ec) {
    if (depth_ == 1 && member_ == Member::kOther) return true;
    return GiveUp(ec);
  }
  static bool GiveUp(json::error_code& ec) {
    ec = json::error::exception;  // any error: the caller parses the general way
    return false;
  }

  Event* e_ = nullptr;
  int depth_ = 0;
  unsigned seen_ = 0;
  Member member_ = Member::kOther;
  std::string key_;
  std::string type_;
  json::value_stack stack_;
};

// One parser per thread, reused: its buffers stay allocated between events.
bool ParseExportedEventFast(std::string_view text, Event* e) {
  thread_local json::basic_parser<ExportedEventHandler> parser{json::parse_options()};
  parser.reset();
  parser.handler().Begin(e);
  json::error_code ec;
  std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || n != text.size() || !parser.handler().Complete()) return false;
  auto type = ParseEventType(parser.handler().type_name());
  if (!type) return false;
  e->type = *type;
  return true;
}

}  // namespace

Result<Event> ParseExportedEvent(std::string_view text) {
  // This runs for every event read from the ledger: first the fast path for
  // the plain shape every stored event has.
  {
    Event e;
    if (ParseExportedEventFast(text, &e)) return e;
  }
  // The general way, and every error. The parsed document is scratch: it
  // lives in a monotonic arena (a stack buffer, then the heap), freed at once
  // on return, and only data is copied out into the Event's own (default)
  // storage.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  json::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec, &arena);
  if (ec || !v.is_object()) return InvalidArgument("stored event is not a JSON object");
  const json::object& o = v.get_object();
  Event e;
  QLEDGER_RETURN_IF_ERROR(EnvelopeFromExportJson(o, &e));
  auto data = o.find("data");
  if (data == o.end() || !data->value().is_object()) return DataMissing(e);
  e.data = json::object(data->value().get_object(), json::storage_ptr());
  QLEDGER_RETURN_IF_ERROR(SourceFromExportJson(o, &e));
  return e;
}

}  // namespace qledger::domain
