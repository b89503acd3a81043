#include "qledger/app/text_table.h"

#include <algorithm>

namespace qledger::app {

size_t DisplayWidth(const std::string& s) {
  if (std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) return s.size();
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t len = 1;
    if (c < 0x80) { cp = c; }
    else if ((c >> 5) == 6) { cp = c & 0x1f; len = 2; }
    else if ((c >> 4) == 14) { cp = c & 0x0f; len = 3; }
    else { cp = c & 0x07; len = 4; }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    i += len;
    bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
                (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
                (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

namespace {

const std::string kEmpty;
const std::string kDash = "—";

// blank: what an empty cell shows ("" or a dash).
std::string Render(const Row& header, const std::vector<Row>& rows, const std::vector<size_t>& right,
                   const std::string& blank) {
  // The header's cells are shown as they are; the rows' empty ones as blank.
  std::vector<size_t> w(header.size(), 0);
  for (size_t i = 0; i < w.size(); ++i) w[i] = DisplayWidth(header[i]);
  const size_t blank_width = DisplayWidth(blank);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) {
      w[i] = std::max(w[i], r[i].empty() ? blank_width : DisplayWidth(r[i]));
    }
  }
  size_t total = 0;
  for (size_t x : w) total += x + 2;
  std::string out;
  out.reserve((rows.size() + 2) * (total + 8));
  auto line = [&](const Row& r, const std::string& empty) {
    for (size_t i = 0; i < w.size(); ++i) {
      const std::string& cell = i >= r.size() ? kEmpty : r[i].empty() ? empty : r[i];
      size_t pad = w[i] - DisplayWidth(cell);
      bool last = i + 1 == w.size();
      if (std::find(right.begin(), right.end(), i) != right.end()) {
        out.append(pad, ' ').append(cell);
      } else {
        out.append(cell).append(last ? 0 : pad, ' ');
      }
      if (!last) out += "  ";
    }
    out += '\n';
  };
  line(header, kEmpty);
  out.append(total > 2 ? total - 2 : 0, '-').append("\n");
  for (const auto& r : rows) line(r, blank);
  return out;
}

}  // namespace

std::string RenderTable(const Row& header, const std::vector<Row>& rows, const std::vector<size_t>& right) {
  return Render(header, rows, right, kEmpty);
}

bool Table::IsNumeric(size_t column) const {
  return std::find(numeric.begin(), numeric.end(), column) != numeric.end();
}

std::string RenderTable(const Table& t) { return Render(t.header, t.rows, t.numeric, kDash); }

std::string RenderCsv(const Table& t) { return RenderCsv(t.header, t.rows); }

std::string RenderCsv(const Row& header, const std::vector<Row>& rows) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  };
  auto line = [&](const Row& r) {
    std::string out;
    for (size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + field(r[i]);
    return out + "\r\n";
  };
  // A UTF-8 BOM first (SPEC §6): without it Excel reads the file in the
  // machine's code page and shows the Chinese garbled.
  std::string out = "\xEF\xBB\xBF" + line(header);
  for (const auto& r : rows) out += line(r);
  return out;
}

}  // namespace qledger::app
