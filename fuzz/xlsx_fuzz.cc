// Fuzzes the XML side of the .xlsx reader (tools/xlsx_sheet.cc): the input
// is the workbook's parts separated by a line "\n--part--\n" — workbook.xml,
// its relationships, the shared strings, the styles, the sheet — so that the
// fuzzer mutates the XML itself rather than deflate streams. Each must end
// without crashing, and every record it gives is inside the sheet: a row
// number above 0 and at most Excel's 16,384 columns.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xlsx_reader.h"

using namespace qledger::tools;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  constexpr std::string_view kSep = "\n--part--\n";
  for (size_t pos = 0;;) {
    size_t next = in.find(kSep, pos);
    parts.emplace_back(in.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
    if (next == std::string_view::npos) break;
    pos = next + kSep.size();
  }
  parts.resize(5);
  auto read = [&](const std::string& name) -> qledger::domain::Result<std::optional<std::string>> {
    if (name == "xl/workbook.xml") return std::optional<std::string>(parts[0]);
    if (name == "xl/_rels/workbook.xml.rels") return std::optional<std::string>(parts[1]);
    if (name == "xl/sharedStrings.xml") return std::optional<std::string>(parts[2]);
    if (name == "xl/styles.xml") return std::optional<std::string>(parts[3]);
    return std::optional<std::string>(parts[4]);  // the sheet, whatever the relationship names
  };
  auto sheet = xlsx::ReadSheetFrom(read, "");
  if (!sheet.ok()) return 0;
  for (const auto& r : sheet->records) {
    if (r.line <= 0 || r.fields.size() > 16384) __builtin_trap();
  }
  return 0;
}
