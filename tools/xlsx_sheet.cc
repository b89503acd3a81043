// The workbook's XML parts read with expat (xlsx_reader.h); the zip
// container is xlsx_reader.cc's.
#include "xlsx_reader.h"

#include <expat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string_view>

namespace qledger::tools::xlsx {
namespace {

using domain::InvalidArgument;
using domain::Result;
using domain::Status;

constexpr size_t kMaxColumns = 16384;  // Excel's own limit (XFD)

// --- XML parts (expat) ------------------------------------------------------

// Receives the elements of a part by local name (namespaces stripped).
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;
  virtual void Start(std::string_view name, const char** attrs) = 0;
  virtual void End(std::string_view name) = 0;
  virtual void Text(std::string_view) {}
};

std::string_view Local(const char* name) {
  std::string_view n(name);
  size_t bar = n.rfind('|');
  return bar == std::string_view::npos ? n : n.substr(bar + 1);
}

// The attribute with local name `key`, or "".
std::string Attr(const char** attrs, std::string_view key) {
  for (size_t i = 0; attrs[i]; i += 2) {
    if (Local(attrs[i]) == key) return attrs[i + 1];
  }
  return "";
}

Status ParseXml(const std::string& part, const std::string& xml, XmlHandler* handler) {
  XML_Parser p = XML_ParserCreateNS("UTF-8", '|');
  if (!p) return domain::Internal("expat cannot create a parser");
  struct Context {
    XmlHandler* handler;
    XML_Parser parser;
    bool doctype = false;
  } context{handler, p};
  XML_SetUserData(p, &context);
  XML_SetElementHandler(
      p,
      [](void* c, const XML_Char* name, const XML_Char** attrs) {
        static_cast<Context*>(c)->handler->Start(Local(name), attrs);
      },
      [](void* c, const XML_Char* name) { static_cast<Context*>(c)->handler->End(Local(name)); });
  XML_SetCharacterDataHandler(p, [](void* c, const XML_Char* s, int len) {
    static_cast<Context*>(c)->handler->Text(std::string_view(s, static_cast<size_t>(len)));
  });
  // Excel writes no document type declaration. One declares entities, and
  // an external entity would be left out of a cell's text without a word
  // (expat reads no outside file): refused, as a damaged part is.
  XML_SetStartDoctypeDeclHandler(p, [](void* c, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* context = static_cast<Context*>(c);
    context->doctype = true;
    XML_StopParser(context->parser, XML_FALSE);
  });
  Status status = Status::Ok();
  if (XML_Parse(p, xml.data(), static_cast<int>(xml.size()), /*isFinal=*/1) == XML_STATUS_ERROR) {
    status = context.doctype
                 ? InvalidArgument(part + ": has a document type declaration (<!DOCTYPE>, entities) at line " +
                                   std::to_string(XML_GetCurrentLineNumber(p)) +
                                   ", which a workbook never has; it is not read")
                 : InvalidArgument(part + ": not well-formed XML at line " +
                                   std::to_string(XML_GetCurrentLineNumber(p)) + ": " +
                                   XML_ErrorString(XML_GetErrorCode(p)));
  }
  XML_ParserFree(p);
  return status;
}

struct SheetRef {
  std::string name;
  std::string rel_id;
};

class WorkbookHandler : public XmlHandler {
 public:
  std::vector<SheetRef> sheets;
  bool date1904 = false;
  void Start(std::string_view name, const char** attrs) override {
    if (name == "sheet") sheets.push_back({Attr(attrs, "name"), Attr(attrs, "id")});
    if (name == "workbookPr") {
      std::string v = Attr(attrs, "date1904");
      date1904 = v == "1" || v == "true";
    }
  }
  void End(std::string_view) override {}
};

class RelsHandler : public XmlHandler {
 public:
  std::map<std::string, std::string> targets;  // Id -> Target
  void Start(std::string_view name, const char** attrs) override {
    if (name == "Relationship") targets[Attr(attrs, "Id")] = Attr(attrs, "Target");
  }
  void End(std::string_view) override {}
};

// <si> items: the text of their <t> runs, phonetic guides (<rPh>) left out.
class SharedStringsHandler : public XmlHandler {
 public:
  std::vector<std::string> strings;
  void Start(std::string_view name, const char**) override {
    if (name == "si") {
      strings.emplace_back();
      in_si_ = true;
    } else if (name == "rPh") {
      ++in_phonetic_;
    } else if (name == "t") {
      in_t_ = true;
    }
  }
  void End(std::string_view name) override {
    if (name == "si") in_si_ = false;
    else if (name == "rPh") --in_phonetic_;
    else if (name == "t") in_t_ = false;
  }
  void Text(std::string_view s) override {
    if (in_si_ && in_t_ && in_phonetic_ == 0) strings.back().append(s);
  }

 private:
  bool in_si_ = false;
  bool in_t_ = false;
  int in_phonetic_ = 0;
};

// Whether a number format shows a date or a time, and which parts.
struct DateFormat {
  bool date = false;  // a date or time format at all
  bool day = false;   // shows the day (else a month: "YYYY-MM")
  bool time = false;  // shows hours
};

DateFormat Classify(int id, const std::string& code) {
  // Built-in formats (ECMA-376 18.8.30), with those of the CJK locales.
  if ((id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 31) || (id >= 34 && id <= 36) ||
      (id >= 50 && id <= 58)) {
    return {true, id != 17, id == 22};
  }
  if ((id >= 18 && id <= 21) || (id >= 32 && id <= 33) || (id >= 45 && id <= 47)) return {true, false, true};
  if (code.empty()) return {};
  // Custom: the codes outside quoted literals, escapes and [colour] blocks.
  std::string bare;
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '"') {
      i = code.find('"', i + 1);
      if (i == std::string::npos) break;
    } else if (c == '\\') {
      ++i;
    } else if (c == '[') {
      size_t close = code.find(']', i);
      std::string inside = code.substr(i + 1, close == std::string::npos ? 0 : close - i - 1);
      if (!inside.empty() && (inside[0] == 'h' || inside[0] == 'H')) bare += 'h';
      if (close == std::string::npos) break;
      i = close;
    } else {
      bare += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  bool y = bare.find('y') != std::string::npos, d = bare.find('d') != std::string::npos;
  bool h = bare.find('h') != std::string::npos;
  if (!y && !d && !h) return {};
  return {true, d, h};
}

class StylesHandler : public XmlHandler {
 public:
  std::vector<DateFormat> xf;  // by the cell's s index
  void Start(std::string_view name, const char** attrs) override {
    if (name == "numFmt") custom_[std::atoi(Attr(attrs, "numFmtId").c_str())] = Attr(attrs, "formatCode");
    else if (name == "cellXfs") in_cell_xfs_ = true;
    else if (name == "xf" && in_cell_xfs_) {
      int id = std::atoi(Attr(attrs, "numFmtId").c_str());
      auto it = custom_.find(id);
      xf.push_back(Classify(id, it == custom_.end() ? "" : it->second));
    }
  }
  void End(std::string_view name) override {
    if (name == "cellXfs") in_cell_xfs_ = false;
  }

 private:
  std::map<int, std::string> custom_;
  bool in_cell_xfs_ = false;
};

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t year = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int>(year + (*m <= 2));
}

std::string SerialToText(double serial, bool date1904, const DateFormat& f) {
  // Serial 0 is 1899-12-30 in the 1900 system (whose 1900-02-29 that never
  // was is before any date a ledger holds), 1904-01-01 in the 1904 system.
  const int64_t epoch = date1904 ? -24107 : -25569;  // days from 1970-01-01
  int64_t seconds = static_cast<int64_t>(std::llround(serial * 86400.0));
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t in_day = seconds - days * 86400;
  int y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days + epoch, &y, &m, &d);
  char buf[48];
  if (!f.time) {
    if (f.day) std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    else std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
    return buf;
  }
  int hh = static_cast<int>(in_day / 3600), mm = static_cast<int>(in_day / 60 % 60), ss = static_cast<int>(in_day % 60);
  // Seconds only when there are any: "2026-12-03 09:30", as a clerk types it.
  char clock[16];
  if (ss) std::snprintf(clock, sizeof clock, "%02d:%02d:%02d", hh, mm, ss);
  else std::snprintf(clock, sizeof clock, "%02d:%02d", hh, mm);
  if (serial < 1 && !f.day) return clock;
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %s", y, m, d, clock);
  return buf;
}

std::string NumberText(const std::string& v) {
  char* end = nullptr;
  double x = std::strtod(v.c_str(), &end);
  if (end != v.c_str() + v.size() || !std::isfinite(x)) return v;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.15g", x);
  return buf;
}

// The column index of a cell reference ("C7" -> 2); -1 when it has none.
int64_t ColumnOf(const std::string& ref) {
  int64_t col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + (ref[i] - 'A' + 1);
    if (col > static_cast<int64_t>(kMaxColumns)) return static_cast<int64_t>(kMaxColumns);
  }
  return i == 0 ? -1 : col - 1;
}

// A cell of type d (ISO 8601, as strict Open XML writes dates): its date when
// the time is midnight, as a date cell shows; else the date-time as written,
// without a fraction of zeros ("2026-08-03T09:30:00.000" -> "...T09:30:00").
std::string IsoDateText(std::string v) {
  const size_t t = v.find('T');
  if (t == std::string::npos) return v;
  if (size_t dot = v.find('.', t); dot != std::string::npos) {
    size_t end = v.find_first_not_of('0', dot + 1);
    if (end == std::string::npos || v[end] == 'Z' || v[end] == '+' || v[end] == '-') v.erase(dot, end - dot);
  }
  std::string time = v.substr(t + 1);
  if (time.ends_with('Z')) time.pop_back();
  return time == "00:00:00" || time == "00:00" ? v.substr(0, t) : v;
}

class SheetHandler : public XmlHandler {
 public:
  SheetHandler(const std::vector<std::string>& strings, const std::vector<DateFormat>& xf, bool date1904)
      : strings_(strings), xf_(xf), date1904_(date1904) {}

  std::vector<csv::CsvRecord> records;
  std::string error;  // the first problem, naming the cell

  // Excel writes no element for an empty cell, so a row whose last cells are
  // empty is shorter than its header. Every row gets the sheet's width, its
  // missing cells empty, as a CSV file's trailing commas give them.
  void PadRows() {
    for (auto& r : records) r.fields.resize(width_);
  }

  void Start(std::string_view name, const char** attrs) override {
    if (name == "row") {
      int r = std::atoi(Attr(attrs, "r").c_str());
      row_ = r > 0 ? r : row_ + 1;
      fields_.clear();
      next_col_ = 0;
    } else if (name == "c") {
      std::string ref = Attr(attrs, "r");
      int64_t col = ref.empty() ? static_cast<int64_t>(next_col_) : ColumnOf(ref);
      if (col < 0 || col >= static_cast<int64_t>(kMaxColumns)) {
        if (error.empty()) error = "cell \"" + ref + "\" is outside Excel's columns (A to XFD)";
        col = 0;
      }
      col_ = static_cast<size_t>(col);
      next_col_ = col_ + 1;
      type_ = Attr(attrs, "t");
      std::string s = Attr(attrs, "s");
      style_ = s.empty() ? -1 : std::atoi(s.c_str());
      value_.clear();
      in_cell_ = true;
    } else if (in_cell_ && (name == "v" || name == "t")) {
      in_value_ = true;
    } else if (in_cell_ && name == "rPh") {
      ++in_phonetic_;
    }
  }

  void End(std::string_view name) override {
    if (name == "v" || name == "t") {
      in_value_ = false;
    } else if (name == "rPh") {
      --in_phonetic_;
    } else if (name == "c" && in_cell_) {
      in_cell_ = false;
      std::string text = CellText();
      if (!text.empty()) {
        if (fields_.size() <= col_) fields_.resize(col_ + 1);
        fields_[col_] = std::move(text);
      }
    } else if (name == "row") {
      // Blank as in a CSV file: nothing but spaces (a cell holding a space
      // looks empty in Excel).
      bool blank = std::all_of(fields_.begin(), fields_.end(), [](const std::string& f) { return csv::Trim(f).empty(); });
      if (!blank) {
        width_ = std::max(width_, fields_.size());
        records.push_back(csv::CsvRecord{row_, std::move(fields_)});
      }
      fields_.clear();
    }
  }

  void Text(std::string_view s) override {
    if (in_value_ && in_phonetic_ == 0) value_.append(s);
  }

 private:
  std::string CellText() {
    if (type_ == "s") {
      char* end = nullptr;
      long i = std::strtol(value_.c_str(), &end, 10);
      if (value_.empty() || *end || i < 0 || static_cast<size_t>(i) >= strings_.size()) {
        if (error.empty()) error = "cell " + CellName(row_, col_) + " points at shared string " + value_ + ", which is not there";
        return "";
      }
      return strings_[static_cast<size_t>(i)];
    }
    if (type_ == "inlineStr" || type_ == "str" || type_ == "e") return value_;
    if (type_ == "d") return IsoDateText(value_);
    if (type_ == "b") return value_ == "1" ? "TRUE" : value_ == "0" ? "FALSE" : value_;
    if (value_.empty()) return "";
    if (style_ >= 0 && static_cast<size_t>(style_) < xf_.size() && xf_[static_cast<size_t>(style_)].date) {
      char* end = nullptr;
      double serial = std::strtod(value_.c_str(), &end);
      if (*end == '\0' && std::isfinite(serial) && serial >= 0 && serial < 2958466) {  // before 10000-01-01
        return SerialToText(serial, date1904_, xf_[static_cast<size_t>(style_)]);
      }
    }
    return NumberText(value_);
  }

  const std::vector<std::string>& strings_;
  const std::vector<DateFormat>& xf_;
  const bool date1904_;
  int row_ = 0;
  std::vector<std::string> fields_;
  size_t width_ = 0;  // the most cells of a row so far
  size_t col_ = 0, next_col_ = 0;
  std::string type_, value_;
  int style_ = -1;
  bool in_cell_ = false, in_value_ = false;
  int in_phonetic_ = 0;
};

// The path of a relationship's target inside the zip ("worksheets/a.xml"
// is relative to xl/; "/xl/worksheets/a.xml" is absolute).
std::string PartPath(const std::string& target) {
  if (!target.empty() && target[0] == '/') return target.substr(1);
  return "xl/" + target;
}

}  // namespace

bool LooksLikeZip(std::string_view bytes) { return bytes.substr(0, 4) == std::string_view("PK\x03\x04", 4); }

std::string CellName(int row, size_t column) { return csv::ColumnLetters(column) + std::to_string(row); }

Result<Sheet> ReadSheetFrom(const PartReader& read, const std::string& sheet) {
  auto part = [&](const std::string& name, bool required) -> Result<std::string> {
    QLEDGER_ASSIGN_OR_RETURN(auto bytes, read(name));
    if (!bytes) {
      if (required) return InvalidArgument("not an .xlsx workbook: it has no " + name);
      return std::string();
    }
    return std::move(*bytes);
  };
  WorkbookHandler workbook;
  QLEDGER_ASSIGN_OR_RETURN(std::string workbook_xml, part("xl/workbook.xml", true));
  QLEDGER_RETURN_IF_ERROR(ParseXml("xl/workbook.xml", workbook_xml, &workbook));
  if (workbook.sheets.empty()) return InvalidArgument("the workbook has no sheet");
  const SheetRef* chosen = sheet.empty() ? &workbook.sheets.front() : nullptr;
  for (const auto& s : workbook.sheets) {
    if (!chosen && s.name == sheet) chosen = &s;
  }
  if (!chosen) {
    std::string names;
    for (const auto& s : workbook.sheets) names += (names.empty() ? "" : ", ") + s.name;
    return InvalidArgument("--sheet: the workbook has no sheet \"" + sheet + "\" (its sheets: " + names + ")");
  }
  RelsHandler rels;
  QLEDGER_ASSIGN_OR_RETURN(std::string rels_xml, part("xl/_rels/workbook.xml.rels", true));
  QLEDGER_RETURN_IF_ERROR(ParseXml("xl/_rels/workbook.xml.rels", rels_xml, &rels));
  auto target = rels.targets.find(chosen->rel_id);
  if (target == rels.targets.end()) {
    return InvalidArgument("sheet \"" + chosen->name + "\": the workbook does not say which part holds it");
  }
  SharedStringsHandler strings;
  QLEDGER_ASSIGN_OR_RETURN(std::string strings_xml, part("xl/sharedStrings.xml", false));
  if (!strings_xml.empty()) QLEDGER_RETURN_IF_ERROR(ParseXml("xl/sharedStrings.xml", strings_xml, &strings));
  StylesHandler styles;
  QLEDGER_ASSIGN_OR_RETURN(std::string styles_xml, part("xl/styles.xml", false));
  if (!styles_xml.empty()) QLEDGER_RETURN_IF_ERROR(ParseXml("xl/styles.xml", styles_xml, &styles));

  const std::string sheet_part = PartPath(target->second);
  QLEDGER_ASSIGN_OR_RETURN(std::string sheet_xml, part(sheet_part, true));
  SheetHandler rows(strings.strings, styles.xf, workbook.date1904);
  QLEDGER_RETURN_IF_ERROR(ParseXml(sheet_part, sheet_xml, &rows));
  if (!rows.error.empty()) return InvalidArgument(chosen->name + ": " + rows.error);
  rows.PadRows();
  return Sheet{chosen->name, std::move(rows.records)};
}

}  // namespace qledger::tools::xlsx
