#include "tlog_commands.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "exit_codes.h"
#include "qledger/app/tlog.h"
#include "qledger/domain/signed_note.h"

namespace qledger::tools {

using domain::Result;
using domain::Status;
namespace note = domain::note;

int RunKeyGenerate(const KeyFlags& f) {
  QLEDGER_ASSIGN_OR_FAIL("key generate", note::Signer signer, note::GenerateSigner(f.name));
  // Created, never replaced, readable by its owner only.
  int fd = ::open(f.out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail("key generate", domain::AlreadyExists("cannot create " + f.out + ": " + std::strerror(errno) +
                                                          " (an existing key file is never replaced)"));
  }
  std::string text = signer.ToString() + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Fail("key generate", domain::Internal("writing " + f.out + " failed"));
  std::cerr << "qledger key generate: wrote the private key of " << f.name << " to " << f.out
            << " (mode 0600); give the verifier key below to whoever checks your signatures\n";
  std::cout << signer.verifier.ToString() << "\n";
  return 0;
}

int RunCheckpoint(const CommonFlags& c, const CheckpointFlags& f) {
  std::vector<note::Signer> signers;
  for (const auto& file : f.sign) {
    QLEDGER_ASSIGN_OR_FAIL("checkpoint", std::string text, ReadInput(file));
    auto s = note::ParseSigner(text);
    if (!s.ok()) return Fail("checkpoint", domain::InvalidArgument("--sign " + file + ": " + s.status().message()));
    signers.push_back(std::move(*s));
  }
  if (signers.empty()) {
    // Only reading: the stored checkpoint.
    QLEDGER_ASSIGN_OR_FAIL("checkpoint", auto store, storage::EventStore::OpenReader(c.data));
    QLEDGER_ASSIGN_OR_FAIL("checkpoint", uint64_t size, app::CheckpointSize(*store, f.at, f.quarter));
    QLEDGER_ASSIGN_OR_FAIL("checkpoint", auto stored, app::FindCheckpoint(*store, size, size));
    std::cout << stored.second;
    return 0;
  }
  QLEDGER_ASSIGN_OR_FAIL("checkpoint", auto store, storage::EventStore::OpenWriter(c.data, WaitFor(f.wait_seconds)));
  QLEDGER_ASSIGN_OR_FAIL("checkpoint", uint64_t size, app::CheckpointSize(*store, f.at, f.quarter));
  QLEDGER_ASSIGN_OR_FAIL("checkpoint", std::string signed_note, app::SignCheckpoint(store.get(), size, signers));
  std::cout << signed_note;
  return 0;
}

int RunProve(const CommonFlags& c, const ProveFlags& f) {
  if (f.event.empty() == !f.from.has_value()) {
    std::cerr << "qledger prove: give --event ID (an inclusion proof) or --from N (a consistency proof)\n";
    return kUsageExitCode;
  }
  QLEDGER_ASSIGN_OR_FAIL("prove", auto store, storage::EventStore::OpenReader(c.data));
  Result<std::string> bundle = f.event.empty() ? app::ConsistencyBundle(*store, *f.from, f.to)
                                               : app::InclusionBundle(*store, f.event, f.size);
  if (!bundle.ok()) return Fail("prove", bundle.status());
  if (f.out.empty()) {
    std::cout << *bundle;
    return 0;
  }
  std::ofstream out(f.out, std::ios::binary | std::ios::trunc);
  out << *bundle;
  out.flush();
  if (!out) return Fail("prove", domain::Internal("writing " + f.out + " failed"));
  return 0;
}

int RunCheck(const CheckFlags& f) {
  std::vector<note::Verifier> keys;
  for (const auto& k : f.keys) {
    auto v = note::ParseVerifier(k);
    if (!v.ok()) return Fail("check", domain::InvalidArgument("--key: " + v.status().message()));
    keys.push_back(std::move(*v));
  }
  QLEDGER_ASSIGN_OR_FAIL("check", std::string text, ReadInput(f.bundle));
  std::string trusted;
  if (!f.trusted.empty()) {
    QLEDGER_ASSIGN_OR_FAIL("check", trusted, ReadInput(f.trusted));
  }
  auto result = app::CheckBundle(text, keys, trusted);
  if (!result.ok()) {
    std::cerr << "qledger check: FAILED: " << result.status().message() << "\n";
    return ExitCodeFor(result.status().code());
  }
  std::cout << *result << "\n";
  return 0;
}

}  // namespace qledger::tools
