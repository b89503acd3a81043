#include "qledger/app/xlsx.h"

#include <xlsxwriter.h>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace qledger::app {
namespace {

// libxlsxwriter is loaded by the first workbook a process writes, not by
// the loader at every start: Debian has no static archive of it, and the
// shared library brings libcrypto, minizip and zlib with it (about 140 page
// faults at each start: docs/performance.md). These are the functions this
// file calls, typed from the library's own header.
#define QLEDGER_XLSXWRITER_FUNCTIONS(X) \
  X(workbook_new_opt)                   \
  X(workbook_add_format)                \
  X(workbook_add_worksheet)             \
  X(workbook_close)                     \
  X(format_set_bold)                    \
  X(format_set_bg_color)                \
  X(format_set_border)                  \
  X(format_set_num_format)              \
  X(worksheet_write_string)             \
  X(worksheet_write_number)             \
  X(worksheet_set_column)               \
  X(worksheet_freeze_panes)             \
  X(lxw_strerror)

struct XlsxWriter {
#define QLEDGER_XLSXWRITER_POINTER(name) decltype(&::name) name = nullptr;
  QLEDGER_XLSXWRITER_FUNCTIONS(QLEDGER_XLSXWRITER_POINTER)
#undef QLEDGER_XLSXWRITER_POINTER
};

// The library's functions, or kInternal naming the library or the function
// that could not be found. A library that serves stays loaded.
domain::Result<XlsxWriter> OpenXlsxWriter(const std::string& library) {
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return domain::Internal("xlsx: cannot load " + library + " (libxlsxwriter): " + (why ? why : "unknown error"));
  }
  XlsxWriter api;
#define QLEDGER_XLSXWRITER_RESOLVE(name)                                                         \
  api.name = reinterpret_cast<decltype(api.name)>(::dlsym(handle, #name));                       \
  if (!api.name) {                                                                               \
    ::dlclose(handle);                                                                           \
    return domain::Internal("xlsx: " + library + " has no function " #name);                     \
  }
  QLEDGER_XLSXWRITER_FUNCTIONS(QLEDGER_XLSXWRITER_RESOLVE)
#undef QLEDGER_XLSXWRITER_RESOLVE
  return api;
}

// The installed libxlsxwriter (the soname the build found), loaded once.
const domain::Result<XlsxWriter>& InstalledXlsxWriter() {
  static const domain::Result<XlsxWriter> api = OpenXlsxWriter(QLEDGER_XLSXWRITER_SONAME);
  return api;
}

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

domain::Status CheckXlsxWriterLibrary(const std::string& library) {
  return OpenXlsxWriter(library).status();
}

domain::Result<std::string> TablesToXlsx(const std::vector<Table>& tables) {
  const domain::Result<XlsxWriter>& loaded = InstalledXlsxWriter();
  if (!loaded.ok()) return loaded.status();
  const XlsxWriter& x = *loaded;
  ScratchFile file;
  if (file.path().empty()) return domain::Internal("xlsx: cannot create a scratch file in TMPDIR or /tmp");
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  std::string tmpdir = ScratchDir();
  options.tmpdir = tmpdir.data();
  lxw_workbook* wb = x.workbook_new_opt(file.path().c_str(), &options);
  if (!wb) return domain::Internal("xlsx: libxlsxwriter cannot start a workbook");
  lxw_format* header = x.workbook_add_format(wb);
  x.format_set_bold(header);
  x.format_set_bg_color(header, 0xEEEEEE);
  x.format_set_border(header, LXW_BORDER_THIN);
  lxw_format* two_decimals = x.workbook_add_format(wb);
  x.format_set_num_format(two_decimals, "0.00");
  lxw_format* integer = x.workbook_add_format(wb);
  x.format_set_num_format(integer, "0");

  for (size_t t = 0; t < tables.size(); ++t) {
    const Table& table = tables[t];
    std::string name = SheetName(table.title, t);
    lxw_worksheet* ws = x.workbook_add_worksheet(wb, name.c_str());
    if (!ws) ws = x.workbook_add_worksheet(wb, nullptr);  // a name taken twice
    std::vector<size_t> width(table.header.size(), 4);
    for (size_t c = 0; c < table.header.size(); ++c) {
      x.worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), table.header[c].c_str(), header);
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
          x.worksheet_write_number(ws, excel_row, static_cast<lxw_col_t>(c), number,
                                   cell.find('.') != std::string::npos ? two_decimals : integer);
        } else {
          x.worksheet_write_string(ws, excel_row, static_cast<lxw_col_t>(c), cell.c_str(), nullptr);
        }
        width[c] = std::max(width[c], DisplayWidth(cell));
      }
    }
    for (size_t c = 0; c < width.size(); ++c) {
      x.worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                             static_cast<double>(std::min<size_t>(width[c], 60) + 2), nullptr);
    }
    x.worksheet_freeze_panes(ws, 1, 0);
  }
  lxw_error err = x.workbook_close(wb);
  if (err != LXW_NO_ERROR) return domain::Internal(std::string("xlsx: ") + x.lxw_strerror(err));
  std::ifstream in(file.path(), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return domain::Internal("xlsx: cannot read back " + file.path());
  return bytes.str();
}

}  // namespace qledger::app
