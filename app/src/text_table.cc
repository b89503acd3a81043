#include "qledger/app/text_table.h"

#include <algorithm>

namespace qledger::app {

size_t DisplayWidth(const std::string& s) {
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

std::string RenderTable(const Row& header, const std::vector<Row>& rows, const std::vector<size_t>& right) {
  std::vector<size_t> w(header.size(), 0);
  auto measure = [&](const Row& r) {
    for (size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], DisplayWidth(r[i]));
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  auto line = [&](const Row& r) {
    std::string out;
    for (size_t i = 0; i < w.size(); ++i) {
      std::string cell = i < r.size() ? r[i] : "";
      std::string pad(w[i] - DisplayWidth(cell), ' ');
      bool is_right = std::find(right.begin(), right.end(), i) != right.end();
      out += is_right ? pad + cell : cell + (i + 1 < w.size() ? pad : "");
      if (i + 1 < w.size()) out += "  ";
    }
    return out + "\n";
  };
  std::string out = line(header);
  size_t total = 0;
  for (size_t x : w) total += x + 2;
  out += std::string(total > 2 ? total - 2 : 0, '-') + "\n";
  for (const auto& r : rows) out += line(r);
  return out;
}

bool Table::IsNumeric(size_t column) const {
  return std::find(numeric.begin(), numeric.end(), column) != numeric.end();
}

std::string RenderTable(const Table& t) {
  std::vector<Row> rows = t.rows;
  for (auto& row : rows) {
    for (auto& cell : row) {
      if (cell.empty()) cell = "—";
    }
  }
  return RenderTable(t.header, rows, t.numeric);
}

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
