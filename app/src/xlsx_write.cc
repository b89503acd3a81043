#include "qledger/app/xlsx.h"

#include <xlsxwriter.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qledger::app {
namespace {

// Excel's sheet names: at most 31 characters, none of []:*?/\ .
std::string SheetName(const std::string& title, size_t index) {
  std::string out;
  size_t chars = 0;
  for (size_t i = 0; i < title.size() && chars < 31;) {
    unsigned char c = static_cast<unsigned char>(title[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    std::string ch = title.substr(i, len);
    out += ch.find_first_of("[]:*?/\\") == std::string::npos ? ch : "-";
    i += len;
    ++chars;
  }
  return out.empty() ? "Sheet" + std::to_string(index + 1) : out;
}

// A decimal of the ledger ("-3100.00", "7") as Excel's number; false when
// the cell is not one (then it is written as text).
bool AsNumber(const std::string& text, double* out) {
  if (text.empty() || text.size() > 32) return false;
  char* end = nullptr;
  *out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// Where libxlsxwriter's files go: TMPDIR, else /tmp.
std::string ScratchDir() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

// The scratch file libxlsxwriter writes the workbook to; removed on scope exit.
class ScratchFile {
 public:
  ScratchFile() {
    std::string pattern = ScratchDir() + "/qledger-xlsx-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    int fd = mkstemp(buf.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = buf.data();
    }
  }
  ~ScratchFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

domain::Result<std::string> TablesToXlsx(const std::vector<Table>& tables) {
  ScratchFile file;
  if (file.path().empty()) return domain::Internal("xlsx: cannot create a scratch file in TMPDIR or /tmp");
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  std::string tmpdir = ScratchDir();
  options.tmpdir = tmpdir.data();
  lxw_workbook* wb = workbook_new_opt(file.path().c_str(), &options);
  if (!wb) return domain::Internal("xlsx: libxlsxwriter cannot start a workbook");
  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xEEEEEE);
  format_set_border(header, LXW_BORDER_THIN);
  lxw_format* two_decimals = workbook_add_format(wb);
  format_set_num_format(two_decimals, "0.00");
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "0");

  for (size_t t = 0; t < tables.size(); ++t) {
    const Table& table = tables[t];
    std::string name = SheetName(table.title, t);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    if (!ws) ws = workbook_add_worksheet(wb, nullptr);  // a name taken twice
    std::vector<size_t> width(table.header.size(), 4);
    for (size_t c = 0; c < table.header.size(); ++c) {
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), table.header[c].c_str(), header);
      width[c] = std::max(width[c], DisplayWidth(table.header[c]));
    }
    for (size_t r = 0; r < table.rows.size(); ++r) {
      const Row& row = table.rows[r];
      auto excel_row = static_cast<lxw_row_t>(r + 1);
      for (size_t c = 0; c < row.size() && c < table.header.size(); ++c) {
        const std::string& cell = row[c];
        if (cell.empty()) continue;  // an absent value stays empty
        double number = 0;
        if (table.IsNumeric(c) && AsNumber(cell, &number)) {
          worksheet_write_number(ws, excel_row, static_cast<lxw_col_t>(c), number,
                                 cell.find('.') != std::string::npos ? two_decimals : integer);
        } else {
          worksheet_write_string(ws, excel_row, static_cast<lxw_col_t>(c), cell.c_str(), nullptr);
        }
        width[c] = std::max(width[c], DisplayWidth(cell));
      }
    }
    for (size_t c = 0; c < width.size(); ++c) {
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                           static_cast<double>(std::min<size_t>(width[c], 60) + 2), nullptr);
    }
    worksheet_freeze_panes(ws, 1, 0);
  }
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return domain::Internal(std::string("xlsx: ") + lxw_strerror(err));
  std::ifstream in(file.path(), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return domain::Internal("xlsx: cannot read back " + file.path());
  return bytes.str();
}

}  // namespace qledger::app
