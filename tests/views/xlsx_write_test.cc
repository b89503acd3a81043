// app::TablesToXlsx loads libxlsxwriter when the first workbook is written
// (not at the program's start): the workbook it writes, and the errors that
// name a library that cannot serve.
#include <gtest/gtest.h>

#include <string>

#include "qledger/app/xlsx.h"

namespace qledger::app {
namespace {

TEST(XlsxWrite, WritesAWorkbookWithTheInstalledLibrary) {
  Table table{"分数 scores", {"部门", "总分"}, {{"storage", "95.50"}, {"sales", ""}}, {1}};
  auto bytes = TablesToXlsx({table});
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  ASSERT_GT(bytes->size(), 1000u);
  EXPECT_EQ(bytes->substr(0, 2), "PK");  // the zip container of an .xlsx
  EXPECT_NE(bytes->find("xl/worksheets/sheet1.xml"), std::string::npos);
}

TEST(XlsxWrite, TheInstalledLibraryHasEveryFunction) {
  EXPECT_TRUE(CheckXlsxWriterLibrary(QLEDGER_XLSXWRITER_SONAME).ok());
}

TEST(XlsxWrite, ALibraryThatDoesNotLoadIsNamed) {
  domain::Status s = CheckXlsxWriterLibrary("libqledger-no-such-library.so.9");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), domain::StatusCode::kInternal);
  EXPECT_NE(s.message().find("cannot load libqledger-no-such-library.so.9"), std::string::npos) << s.message();
}

TEST(XlsxWrite, ALibraryWithoutTheFunctionsIsNamedWithTheFirstMissing) {
  domain::Status s = CheckXlsxWriterLibrary("libz.so.1");  // loads, but is not libxlsxwriter
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("libz.so.1 has no function workbook_new_opt"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace qledger::app
