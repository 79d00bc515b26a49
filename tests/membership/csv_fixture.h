// File: tests/membership/csv_fixture.h
//
// A MembershipFixture that streams CSV files through
// AdministrationService.ImportCsv (the header, then the file in two chunks
// split mid-row: a row may span chunks) and reads ExportCsv back whole.
// Shared by the tests of the roll (import_export_test.cc) and of the other
// kinds (csv_kinds_test.cc).

#ifndef PARTYDEV_TESTS_MEMBERSHIP_CSV_FIXTURE_H_
#define PARTYDEV_TESTS_MEMBERSHIP_CSV_FIXTURE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "partydev/membership/v1/import_export.pb.h"
#include "tests/membership/membership_fixture.h"

namespace partydev::membership {

class CsvFixture : public MembershipFixture {
 protected:
  // Imports `text` as `kind` into `organization` (the college when empty).
  grpc::Status ImportKind(const Caller& caller, v1::ImportKind kind,
                          const std::string& text, v1::ImportCsvReport* report,
                          bool validate_only = false,
                          const std::string& organization = "") {
    auto context = As(caller);
    std::unique_ptr<grpc::ClientWriter<v1::ImportCsvRequest>> writer =
        administration_->ImportCsv(context.get(), report);
    v1::ImportCsvRequest header;
    header.mutable_header()->set_organization(
        organization.empty() ? college_ : organization);
    header.mutable_header()->set_kind(kind);
    header.mutable_header()->set_validate_only(validate_only);
    header.mutable_header()->set_file_name("so.csv");
    writer->Write(header);
    const size_t half = text.size() / 2;
    for (const std::string& part : {text.substr(0, half), text.substr(half)}) {
      v1::ImportCsvRequest chunk;
      chunk.set_chunk(part);
      writer->Write(chunk);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  grpc::Status Export(const Caller& caller, const v1::ExportCsvRequest& request,
                      std::string* text, int64_t* total_rows = nullptr,
                      std::string* file_name = nullptr) {
    auto context = As(caller);
    std::unique_ptr<grpc::ClientReader<v1::ExportCsvChunk>> reader =
        administration_->ExportCsv(context.get(), request);
    v1::ExportCsvChunk chunk;
    while (reader->Read(&chunk)) {
      text->append(chunk.data());
      if (total_rows != nullptr && chunk.total_rows() > 0) {
        *total_rows = chunk.total_rows();
      }
      if (file_name != nullptr && !chunk.file_name().empty()) {
        *file_name = chunk.file_name();
      }
    }
    return reader->Finish();
  }

  // The rejected rows of a report by line.
  static std::map<int64_t, v1::RejectedRow> ByLine(
      const v1::ImportCsvReport& report) {
    std::map<int64_t, v1::RejectedRow> out;
    for (const auto& r : report.rejected()) out[r.line()] = r;
    return out;
  }

  // EXPECTs each line of `expected` rejected, its first problem at the
  // column with the rule: line -> (column, rule id).
  static void ExpectFirstProblems(
      const v1::ImportCsvReport& report,
      const std::map<int64_t, std::pair<std::string, std::string>>& expected) {
    std::map<int64_t, v1::RejectedRow> rejected = ByLine(report);
    for (const auto& [line, problem] : expected) {
      ASSERT_EQ(rejected.count(line), 1u) << line << report.DebugString();
      ASSERT_GE(rejected[line].problems_size(), 1) << line;
      EXPECT_EQ(rejected[line].problems(0).column(), problem.first) << line;
      EXPECT_EQ(rejected[line].problems(0).rule_id(), problem.second) << line;
    }
  }
};

}  // namespace partydev::membership

#endif  // PARTYDEV_TESTS_MEMBERSHIP_CSV_FIXTURE_H_
