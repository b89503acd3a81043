#include "csv_import.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csv_reader.h"
#include "csv_rows.h"
#include "csv_templates.h"
#include "exit_codes.h"
#include "test_hooks.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/storage/event_store.h"

namespace qledger::tools {

using csv::AddLedgerErrors;
using csv::Converted;
using csv::ConvertRows;
using csv::FindTemplate;
using csv::KnownDepartments;
using csv::LineError;
using csv::ReadCsv;
using csv::ReadHeader;
using csv::Template;
using domain::Result;
using domain::Status;

namespace {

Result<std::string> ReadAll(const std::string& file) {
  if (file == "-") return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  std::ifstream in(file, std::ios::binary);
  if (!in) return domain::NotFound("cannot read " + file);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

int Fail(const Status& s) {
  std::cerr << "qledger import: " << s.message() << "\n";
  return ExitCodeFor(s.code());
}

}  // namespace

int RunImport(const CommonFlags& c, const ImportFlags& f) {
  const Template* t = FindTemplate(f.kind);
  if (!t) {
    std::cerr << "qledger import: --kind must be selfcheck, spotcheck, survey or complaint\n";
    return kUsageExitCode;
  }
  auto text = ReadAll(f.file);
  if (!text.ok()) return Fail(text.status());
  auto in_file = [&](const Status& s) { return Status(s.code(), f.file + ": " + s.message()); };
  auto encoding = csv::ParseEncoding(f.encoding);
  if (!encoding) {
    std::cerr << "qledger import: --encoding must be auto, utf-8 or gb18030, not \"" << f.encoding << "\"\n";
    return kUsageExitCode;
  }
  auto decoded = csv::Decode(*text, *encoding);
  if (!decoded.ok()) return Fail(in_file(decoded.status()));
  // Which encoding was read, where a person sees it (standard output is
  // the outcome's JSON).
  std::cerr << "qledger import: " << f.file << ": read as " << decoded->used << "\n";
  std::string_view body = decoded->utf8;
  auto records = ReadCsv(body);
  if (!records.ok()) return Fail(in_file(records.status()));
  if (records->empty()) return Fail(domain::InvalidArgument(f.file + ": no header row"));
  auto header = ReadHeader(*t, records->front());
  if (!header.ok()) {
    // One line per problem, each naming the file.
    std::string msg = header.status().message();
    for (size_t pos = 0; pos <= msg.size();) {
      size_t nl = std::min(msg.find('\n', pos), msg.size());
      std::cerr << "qledger import: " << f.file << ": " << msg.substr(pos, nl - pos) << "\n";
      pos = nl + 1;
    }
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  records->erase(records->begin());
  if (records->empty()) return Fail(domain::InvalidArgument(f.file + ": no rows below the header"));

  Progress progress("import", f.progress);
  progress.Note("read " + std::to_string(records->size()) + " rows of " + f.file + "; mapping and checking them");
  storage::AppendOptions options;
  options.expect_head = f.expect_head;
  options.now = TestNow();
  options.observe = progress.Observer(records->size(), TestWriteObserver());
  Result<storage::AppendOutcome> outcome = domain::Internal("not appended");
  size_t converted_rows = 0;
  Converted converted;
  {
    auto departments = [&]() -> Result<std::vector<domain::Department>> {
      QLEDGER_ASSIGN_OR_RETURN(auto store, storage::EventStore::OpenReader(c.data));
      QLEDGER_ASSIGN_OR_RETURN(auto policies, store->PolicyEvents());
      return KnownDepartments(policies);
    }();
    if (!departments.ok()) return Fail(departments.status());
    // Each event records the file it came from: its name and SHA-256.
    csv::SourceFile source{f.file == "-" ? "stdin" : std::filesystem::path(f.file).filename().string(),
                           domain::Sha256Hex(*text), ""};
    auto rows = ConvertRows(*t, *header, *records, *departments, source);
    if (!rows.ok()) return Fail(rows.status());
    converted = std::move(*rows);
    converted_rows = records->size();
  }
  // The ledger's rules (a second self-check for a month, an approved
  // quarter, an id reused) are checked with the rows' own, so that their
  // errors too can be told in columns: with a row already in error, only
  // planned (a dry run), never written.
  options.dry_run = f.dry_run || !converted.errors.empty();
  if (!converted.batch.empty()) {
    outcome = storage::EventStore::AppendTo(c.data, converted.batch, options, WaitFor(f.wait_seconds));
    if (!outcome.ok()) return Fail(outcome.status());
    AddLedgerErrors(outcome->errors, &converted);
  }
  if (!converted.errors.empty()) {
    std::stable_sort(converted.errors.begin(), converted.errors.end(),
                     [](const LineError& a, const LineError& b) { return a.line < b.line; });
    for (const auto& e : converted.errors) std::cerr << "qledger import: " << e.message << "\n";
    std::cerr << "qledger import: rejected: " << converted.errors.size() << " error"
              << (converted.errors.size() == 1 ? "" : "s") << " in " << converted_rows << " row"
              << (converted_rows == 1 ? "" : "s") << " of " << f.file << "; nothing was appended\n";
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  return ReportAppend("import", *outcome, converted.batch.size(), options);
}

}  // namespace qledger::tools
