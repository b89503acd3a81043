// Fuzzes the spreadsheet reader: encoding detection (UTF-8, GB18030), RFC 4180 records, and every
// cell format on every field. Each must end (linear time) without crashing,
// and a normalised cell is a fixed point of its format.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "csv_reader.h"

using namespace qledger::tools::csv;

namespace {
void FixedPoint(std::optional<std::string> (*normalize)(const std::string&), const std::string& cell) {
  auto once = normalize(cell);
  if (!once) return;
  auto twice = normalize(*once);
  if (!twice || *twice != *once) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Any bytes: detected as UTF-8 or GB18030 (iconv), or refused; what
  // comes out is UTF-8.
  auto decoded = Decode(bytes, Encoding::kAuto);
  if (!decoded.ok()) return 0;
  if (!CheckUtf8(decoded->utf8).ok()) __builtin_trap();
  std::string_view text = decoded->utf8;
  auto records = ReadCsv(text);
  if (!records.ok()) return 0;
  for (const auto& r : *records) {
    for (const auto& field : r.fields) {
      std::string cell = Trim(field);
      FixedPoint(NormalizeMonth, cell);
      FixedPoint(NormalizeQuarter, cell);
      FixedPoint(NormalizeDate, cell);
      FixedPoint(NormalizeDateTime, cell);
    }
  }
  return 0;
}
