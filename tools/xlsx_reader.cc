#include "xlsx_reader.h"

#include <minizip/unzip.h>

#include <memory>

namespace qledger::tools::xlsx {
namespace {

using domain::InvalidArgument;
using domain::Result;

constexpr size_t kMaxPart = 64u << 20;  // uncompressed bytes of one XML part

// --- The zip container (minizip) --------------------------------------------

struct ZipCloser {
  void operator()(void* zf) const { unzClose(zf); }
};
using Zip = std::unique_ptr<void, ZipCloser>;

// The part `name` of the workbook; nullopt when there is none.
Result<std::optional<std::string>> ReadPart(unzFile zf, const std::string& name) {
  if (unzLocateFile(zf, name.c_str(), /*case sensitive*/ 1) != UNZ_OK) return std::optional<std::string>();
  unz_file_info64 info{};
  if (unzGetCurrentFileInfo64(zf, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
    return InvalidArgument(name + ": cannot read its entry in the zip file");
  }
  if (info.uncompressed_size > kMaxPart) {
    return InvalidArgument(name + ": " + std::to_string(info.uncompressed_size) + " bytes uncompressed, over the " +
                           std::to_string(kMaxPart >> 20) + " MiB a part may have");
  }
  if (unzOpenCurrentFile(zf) != UNZ_OK) return InvalidArgument(name + ": cannot open it in the zip file");
  std::string out;
  out.reserve(static_cast<size_t>(info.uncompressed_size));
  char buf[1 << 16];
  for (;;) {
    int n = unzReadCurrentFile(zf, buf, sizeof buf);
    if (n < 0) {
      unzCloseCurrentFile(zf);
      return InvalidArgument(name + ": damaged in the zip file (" + std::to_string(n) + ")");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxPart) {  // the entry lied about its size
      unzCloseCurrentFile(zf);
      return InvalidArgument(name + ": over the " + std::to_string(kMaxPart >> 20) + " MiB a part may have");
    }
  }
  if (unzCloseCurrentFile(zf) != UNZ_OK) return InvalidArgument(name + ": fails its CRC check in the zip file");
  return std::optional<std::string>(std::move(out));
}

}  // namespace

Result<Sheet> ReadSheet(const std::string& path, const std::string& sheet) {
  Zip zf(unzOpen64(path.c_str()));
  if (!zf) return InvalidArgument("not a readable .xlsx workbook (the zip container does not open)");
  return ReadSheetFrom([&](const std::string& name) { return ReadPart(zf.get(), name); }, sheet);
}

}  // namespace qledger::tools::xlsx
