#include "csv_import.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "csv_reader.h"
#include "csv_rows.h"
#include "csv_templates.h"
#include "xlsx_reader.h"
#include "exit_codes.h"
#include "test_hooks.h"
#include "qledger/domain/hash_chain.h"
#include "qledger/storage/event_store.h"

namespace qledger::tools {

using csv::FindTemplate;
using csv::KnownDepartments;
using csv::LineError;
using csv::ReadHeader;
using csv::Template;
using domain::Result;
using domain::Status;

namespace {

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
  auto encoding = csv::ParseEncoding(f.encoding);
  if (!encoding) {
    std::cerr << "qledger import: --encoding must be auto, utf-8 or gb18030, not \"" << f.encoding << "\"\n";
    return kUsageExitCode;
  }
  auto text = ReadInput(f.file);
  if (!text.ok()) return Fail(text.status());
  auto in_file = [&](const Status& s) { return Status(s.code(), f.file + ": " + s.message()); };
  // Each event records the file it came from: its name and SHA-256 (of
  // the bytes as they are in the file), and for a workbook the sheet.
  csv::SourceFile source{f.file == "-" ? "stdin" : std::filesystem::path(f.file).filename().string(),
                         domain::Sha256Hex(*text), ""};
  const bool workbook = xlsx::LooksLikeZip(*text);
  if (!workbook && !f.sheet.empty()) {
    return Fail(domain::InvalidArgument(f.file + ": --sheet is for an .xlsx workbook; this file is CSV"));
  }

  // The records, one at a time: a CSV file's from its text (never held as
  // records), a workbook's sheet from the rows read out of it.
  csv::CsvCursor cursor("");
  xlsx::Sheet sheet;
  size_t next_row = 0;
  std::function<Result<bool>(csv::CsvRecord*)> next_record;
  if (workbook) {
    if (f.file == "-") return Fail(domain::InvalidArgument("an .xlsx workbook is read from its file, not from standard input"));
    auto read = xlsx::ReadSheet(f.file, f.sheet);
    if (!read.ok()) return Fail(in_file(read.status()));
    sheet = std::move(*read);
    source.sheet = sheet.name;
    std::cerr << "qledger import: " << f.file << ": read sheet " << sheet.name << " (" << sheet.records.size()
              << " rows with cells)\n";
    next_record = [&](csv::CsvRecord* out) -> Result<bool> {
      if (next_row >= sheet.records.size()) return false;
      *out = std::move(sheet.records[next_row++]);
      return true;
    };
  } else {
    auto used = csv::DecodeInPlace(&*text, *encoding);
    if (!used.ok()) return Fail(in_file(used.status()));
    // Which encoding was read, where a person sees it (standard output is
    // the outcome's JSON).
    std::cerr << "qledger import: " << f.file << ": read as " << *used << "\n";
    cursor = csv::CsvCursor(*text);
    next_record = [&](csv::CsvRecord* out) { return cursor.Next(out); };
  }
  csv::CsvRecord record;
  auto first = next_record(&record);
  if (!first.ok()) return Fail(in_file(first.status()));
  if (!*first) return Fail(domain::InvalidArgument(f.file + ": no header row"));
  // A workbook's problems name its cells (自查!C7).
  if (workbook) csv::LocateInSheet(sheet.name, record.fields);
  auto header = ReadHeader(*t, record);
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
  {
    bool any = workbook ? next_row < sheet.records.size() : [&] {
      csv::CsvCursor probe = cursor;
      csv::CsvRecord row;
      auto more = probe.Next(&row);
      return !more.ok() || *more;
    }();
    if (!any) return Fail(domain::InvalidArgument(f.file + ": no rows below the header"));
  }
  auto departments = [&]() -> Result<std::vector<domain::Department>> {
    QLEDGER_ASSIGN_OR_RETURN(auto store, storage::EventStore::OpenReader(c.data));
    QLEDGER_ASSIGN_OR_RETURN(auto policies, store->PolicyEvents());
    return KnownDepartments(policies);
  }();
  if (!departments.ok()) return Fail(departments.status());
  csv::RowConverter converter(*t, *header, *departments, source);

  Progress progress("import", f.progress);
  progress.Note("reading, checking and staging the rows of " + f.file);
  storage::AppendOptions options;
  options.expect_head = f.expect_head;
  options.now = TestNow();
  options.dry_run = f.dry_run;
  std::vector<LineError> errors;
  std::vector<bool> derived;  // by CSV line: the row's id was derived
  size_t rows = 0;
  Status csv_status = Status::Ok();
  storage::InputStream next = [&](domain::InputEvent* in) -> Result<bool> {
    for (;;) {
      auto more = next_record(&record);
      if (!more.ok()) {
        // Told as the file's error, not the ledger's.
        csv_status = more.status();
        return more.status();
      }
      if (!*more) return false;
      ++rows;
      bool derived_id = false;
      size_t before = errors.size();
      auto event = converter.Convert(record, &derived_id, &errors);
      if (static_cast<size_t>(record.line) >= derived.size()) derived.resize(static_cast<size_t>(record.line) + 1);
      derived[static_cast<size_t>(record.line)] = derived_id;
      if (event) {
        *in = std::move(*event);
        return true;
      }
      // A row whose cells make no event goes on as an input that is not
      // one, so that nothing is written; its errors are already told.
      if (errors.size() > before) {
        *in = domain::InputEvent{"CSV line " + std::to_string(record.line), nullptr, "(row rejected)", ""};
        return true;
      }
    }
  };
  options.observe = progress.Observer(0, TestWriteObserver());
  auto outcome = storage::EventStore::StreamTo(c.data, next, options, WaitFor(f.wait_seconds));
  if (!csv_status.ok()) return Fail(in_file(csv_status));
  if (!outcome.ok()) return Fail(outcome.status());
  for (const auto& e : outcome->errors) {
    if (!e.event) continue;  // a row rejected above
    int line = csv::LineOf(e.where);
    bool derived_id = line > 0 && static_cast<size_t>(line) < derived.size() && derived[static_cast<size_t>(line)];
    converter.AddLedgerError(e, line, derived_id, &errors);
  }
  if (!errors.empty()) {
    std::stable_sort(errors.begin(), errors.end(), [](const LineError& a, const LineError& b) { return a.line < b.line; });
    for (const auto& e : errors) std::cerr << "qledger import: " << e.message << "\n";
    std::cerr << "qledger import: rejected: " << errors.size() << " error" << (errors.size() == 1 ? "" : "s") << " in "
              << rows << " row" << (rows == 1 ? "" : "s") << " of " << f.file << "; nothing was appended\n";
    return ExitCodeFor(domain::StatusCode::kInvalidArgument);
  }
  // No snapshots here: making them reads a quarter's events whole, which an
  // import streams so as never to hold (the next append, or
  // `verify --rebuild-snapshots`, makes them).
  return ReportAppend("import", *outcome, rows, options);
}

}  // namespace qledger::tools
