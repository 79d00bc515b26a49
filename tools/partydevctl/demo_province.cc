#include "tools/partydevctl/demo_province.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/csv.h"
#include "nlohmann/json.hpp"

namespace partydev::ctl {
namespace {

using nlohmann::json;

constexpr char kOrganizations[] =
    "partydev.membership.v1.OrganizationService/CreateOrganization";
constexpr char kImport[] =
    "partydev.membership.v1.AdministrationService/ImportCsv";
constexpr char kTerms[] = "partydev.quota.v1.TargetService/CreateTerm";
constexpr char kTermTargets[] =
    "partydev.quota.v1.TargetService/CreateTermTarget";
constexpr char kAllocations[] =
    "partydev.quota.v1.AllocationService/CreateAllocationDecision";
constexpr char kDirectives[] =
    "partydev.notification.v1.DirectiveService/CreateDirective";
constexpr char kIssue[] =
    "partydev.notification.v1.DirectiveService/IssueDirective";

// Common Vietnamese family, middle and given names.
const char* const kFamily[] = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng",
                               "Huỳnh",  "Phan", "Vũ", "Võ",   "Đặng",
                               "Bùi",    "Đỗ",   "Hồ", "Ngô",  "Dương"};
const char* const kMiddleMale[] = {"Văn", "Hữu", "Đức", "Minh", "Quang"};
const char* const kMiddleFemale[] = {"Thị", "Ngọc", "Thanh", "Thu", "Minh"};
const char* const kGivenMale[] = {"An",   "Bình",  "Cường", "Dũng",  "Hải",
                                  "Hùng", "Khánh", "Long",  "Nam",   "Phong",
                                  "Quân", "Sơn",   "Thắng", "Trung", "Tuấn"};
const char* const kGivenFemale[] = {"Dung",   "Giang", "Hà",    "Hạnh", "Hương",
                                    "Lan",    "Linh",  "Mai",   "Nga",  "Ngọc",
                                    "Phương", "Thảo",  "Trang", "Vân",  "Yến"};

// The bloc's grassroots organisations, after the agencies of the letter:
// (id, name, its cells' names).
struct GrassrootsKind {
  const char* id;
  const char* name;
  std::vector<const char*> cells;
};
const std::vector<GrassrootsKind>& GrassrootsKinds() {
  static const auto* const kKinds = new std::vector<GrassrootsKind>{
      {"cd-su-pham",
       "Đảng bộ Trường Cao đẳng Sư phạm Đà Lạt",
       {"Khoa Toán", "Khoa Ngữ văn", "Khoa Tiểu học", "Phòng Đào tạo",
        "Khoa Ngoại ngữ", "Khoa Tin học"}},
      {"dh-da-lat",
       "Đảng bộ Trường Đại học Đà Lạt",
       {"Khoa Luật", "Khoa Sinh học", "Khoa Lịch sử", "Khoa Kinh tế",
        "Khoa Vật lý", "Sinh viên"}},
      {"cd-y-te",
       "Đảng bộ Trường Cao đẳng Y tế Lâm Đồng",
       {"Khoa Điều dưỡng", "Khoa Dược", "Phòng Hành chính", "Sinh viên",
        "Khoa Y học cổ truyền", "Khoa Cơ bản"}},
      {"so-tai-chinh",
       "Đảng bộ Sở Tài chính",
       {"Văn phòng Sở", "Phòng Ngân sách", "Thanh tra Sở", "Phòng Giá",
        "Phòng Đầu tư", "Phòng Tin học"}},
      {"ban-to-chuc",
       "Chi bộ cơ sở Ban Tổ chức Tỉnh ủy",
       {"Phòng Tổ chức đảng", "Phòng Cán bộ", "Văn phòng Ban",
        "Phòng Đảng viên", "Phòng Bảo vệ chính trị", "Phòng Cơ sở"}},
      {"bao-lam-dong",
       "Đảng bộ Báo Lâm Đồng",
       {"Phòng Thời sự", "Phòng Kinh tế", "Phòng Điện tử", "Trị sự",
        "Phòng Văn hóa", "Phòng Phóng viên"}},
  };
  return *kKinds;
}

json Date(int y, int m, int d) {
  return {{"year", y}, {"month", m}, {"day", d}};
}

// A date as the CSV import reads it.
std::string Day(int y, int m, int d) {
  return absl::StrFormat("%04d-%02d-%02d", y, m, d);
}

// The columns of the demo's roll (import_export.proto, IMPORT_KIND_PEOPLE).
const std::vector<std::string>& RollColumns() {
  static const auto* const kColumns =
      new std::vector<std::string>{"citizen_id",
                                   "full_name",
                                   "date_of_birth",
                                   "gender",
                                   "general_education",
                                   "categories",
                                   "organization",
                                   "stage",
                                   "sourced_on",
                                   "source_kind",
                                   "admission_decision_number",
                                   "admission_decision_date",
                                   "admission_deciding_organization",
                                   "ceremony_on",
                                   "official_on"};
  return *kColumns;
}

DemoCall Call(const char* method, const json& request, const char* stage) {
  DemoCall call;
  call.method = method;
  call.request_json = request.dump();
  call.stage = stage;
  return call;
}

json Organization(const std::string& parent, const std::string& id,
                  const std::string& name, const char* kind,
                  const char* level) {
  json org = {{"display_name", name},
              {"kind", kind},
              {"level", level},
              {"valid_from", Date(2025, 7, 1)}};
  if (!parent.empty()) org["parent"] = parent;
  return {{"organization_id", id},
          {"organization", org},
          {"request_id", absl::StrCat("demo-org-", id)}};
}

}  // namespace

bool DemoSizeByName(const std::string& name, DemoSize& size) {
  if (name == "small") {
    size.grassroots = 6;
    size.cells_per_grassroots = 3;
    size.members_per_cell = 12;
    size.candidates_per_cell = 3;
  } else if (name == "district") {
    size.grassroots = 40;
    size.cells_per_grassroots = 6;
    size.members_per_cell = 20;
    size.candidates_per_cell = 4;
  } else if (name == "city") {
    size.grassroots = 1200;
    size.cells_per_grassroots = 6;
    size.members_per_cell = 28;
    size.candidates_per_cell = 3;
  } else {
    return false;
  }
  return true;
}

std::vector<DemoCall> DemoProvince(const DemoSize& size) {
  std::mt19937 random(size.seed);
  auto pick = [&](int n) {
    return static_cast<int>(random() % static_cast<uint32_t>(n));
  };
  std::vector<DemoCall> calls;
  const std::string province = "organizations/lam-dong";
  const std::string bloc = "organizations/duk";
  calls.push_back(Call(kOrganizations,
                       Organization("", "lam-dong", "Đảng bộ tỉnh Lâm Đồng",
                                    "PROVINCIAL_COMMITTEE", "PROVINCE"),
                       "organisations"));
  calls.push_back(
      Call(kOrganizations,
           Organization(province, "duk", "Đảng bộ Khối các cơ quan tỉnh",
                        "AFFILIATED_COMMITTEE", "COMMUNE"),
           "organisations"));

  // The tree: grassroots organisations (the kinds above, numbered when
  // there are more of them than kinds) and their cells.
  struct Cell {
    std::string name;
    std::string grassroots;
    // The share of its members admitted in this term, by grassroots
    // organisation: some keep pace with their target, some lag (below
    // half, letter 1849-CV/ĐUK).
    int admit_percent = 0;
  };
  std::vector<std::string> grassroots;
  std::vector<Cell> cells;
  const auto& kinds = GrassrootsKinds();
  for (int g = 0; g < size.grassroots; ++g) {
    const GrassrootsKind& kind = kinds[g % kinds.size()];
    const int round = g / static_cast<int>(kinds.size());
    const std::string id =
        round == 0 ? kind.id : absl::StrCat(kind.id, "-", round + 1);
    const std::string name =
        round == 0 ? kind.name : absl::StrCat(kind.name, " (", round + 1, ")");
    calls.push_back(
        Call(kOrganizations,
             Organization(bloc, id, name, "GRASSROOTS_COMMITTEE", "GRASSROOTS"),
             "organisations"));
    grassroots.push_back("organizations/" + id);
    const int admit_percent = (g % 3 == 0) ? 4 : (g % 3 == 1 ? 12 : 25);
    for (int c = 0; c < size.cells_per_grassroots; ++c) {
      const std::string cell_id = absl::StrCat(id, "-cb", c + 1);
      const std::string cell_name = c < static_cast<int>(kind.cells.size())
                                        ? absl::StrCat("Chi bộ ", kind.cells[c])
                                        : absl::StrCat("Chi bộ số ", c + 1);
      calls.push_back(Call(
          kOrganizations,
          Organization(grassroots.back(), cell_id, cell_name, "CELL", "CELL"),
          "organisations"));
      cells.push_back(
          {"organizations/" + cell_id, grassroots.back(), admit_percent});
    }
  }

  // People: official members admitted over the years, and candidates, as
  // one CSV roll per grassroots organisation (its cells' people), imported
  // with ImportCsv; a re-import finds them unchanged.
  std::map<std::string, std::string> rolls;  // grassroots → CSV text
  std::map<std::string, int64_t> roll_rows;
  std::vector<std::string> roll_order;
  int serial = 0;
  auto person = [&](const Cell& cell, bool member) {
    ++serial;
    const bool female = pick(2) == 0;
    const std::string full_name =
        absl::StrCat(kFamily[pick(std::size(kFamily))], " ",
                     female ? kMiddleFemale[pick(std::size(kMiddleFemale))]
                            : kMiddleMale[pick(std::size(kMiddleMale))],
                     " ",
                     female ? kGivenFemale[pick(std::size(kGivenFemale))]
                            : kGivenMale[pick(std::size(kGivenMale))]);
    const int born = member ? 1965 + pick(35) : 1996 + pick(8);
    // Citizen id: province code 068 (Lâm Đồng), century and sex, the year
    // of birth, then a serial: unique within the demo.
    const std::string citizen_id =
        absl::StrFormat("068%d%02d%06d", female ? 3 : 2, born % 100, serial);
    const int birth_month = 1 + pick(12);
    const int birth_day = 1 + pick(28);
    std::map<std::string, std::string> row = {
        {"citizen_id", citizen_id},
        {"full_name", full_name},
        {"date_of_birth", Day(born, birth_month, birth_day)},
        {"gender", female ? "FEMALE" : "MALE"},
        {"general_education", "UPPER_SECONDARY"},
        {"organization", cell.name.substr(cell.name.find('/') + 1)}};
    const std::string grassroots_id =
        cell.grassroots.substr(cell.grassroots.find('/') + 1);
    if (member && static_cast<int>(random() % 100) < cell.admit_percent) {
      // Admitted in this congress term (from October 2025) and still on
      // probation: what quota counts against the term's targets.
      const int month = 1 + pick(9);
      const int year = pick(5) == 0 ? 2025 : 2026;
      row["stage"] = "PROBATION";
      row["admission_decision_number"] =
          absl::StrCat(100 + pick(800), "-QĐ/ĐU");
      row["admission_decision_date"] = Day(year, year == 2025 ? 11 : month, 2);
      row["admission_deciding_organization"] = grassroots_id;
      row["ceremony_on"] = Day(year, year == 2025 ? 11 : month, 10);
    } else if (member) {
      const int admitted = std::max(born + 22, 1990) + pick(8);
      const int year = std::min(admitted, 2024);
      const int month = 1 + pick(12);
      row["stage"] = "OFFICIAL";
      row["admission_decision_number"] =
          absl::StrCat(100 + pick(800), "-QĐ/ĐU");
      row["admission_decision_date"] = Day(year, month, 2);
      row["admission_deciding_organization"] = grassroots_id;
      row["ceremony_on"] = Day(year, month, 10);
      row["official_on"] = Day(year + 1, month, 12);
    } else {
      row["stage"] = "SOURCED";
      row["categories"] = "YOUTH_UNION_MEMBER";
      row["source_kind"] = "CELL";
      row["sourced_on"] = Day(2026, 1 + pick(9), 5);
    }
    std::string& roll = rolls[cell.grassroots];
    if (roll.empty()) {
      roll_order.push_back(cell.grassroots);
      csv::AppendRow(RollColumns(), ',', roll);
    }
    std::vector<std::string> fields;
    for (const std::string& c : RollColumns()) fields.push_back(row[c]);
    csv::AppendRow(fields, ',', roll);
    ++roll_rows[cell.grassroots];
  };
  for (const Cell& cell : cells) {
    const int spread = std::max(1, size.members_per_cell / 3);
    const int members = size.members_per_cell - spread / 2 + pick(spread + 1);
    for (int i = 0; i < members; ++i) person(cell, /*member=*/true);
    for (int i = 0; i < size.candidates_per_cell; ++i) {
      person(cell, /*member=*/false);
    }
  }
  for (const std::string& g : roll_order) {
    const std::string id = g.substr(g.find('/') + 1);
    DemoCall import =
        Call(kImport,
             {{"header",
               {{"organization", g},
                {"kind", "IMPORT_KIND_PEOPLE"},
                {"file_name", absl::StrCat("demo-", id, ".csv")}}}},
             "people");
    import.csv = std::move(rolls[g]);
    import.records = roll_rows[g];
    calls.push_back(std::move(import));
  }

  // Quota: the two congress terms, the bloc's term target, and its
  // allocation to every grassroots organisation (letter 1849-CV/ĐUK).
  for (const auto& [id, from, to] :
       {std::tuple<const char*, json, json>{"2020-2025", Date(2020, 10, 1),
                                            Date(2025, 9, 30)},
        {"2025-2030", Date(2025, 10, 1), Date(2030, 9, 30)}}) {
    const std::string term(id);
    calls.push_back(Call(
        kTerms,
        {{"term_id", term},
         {"term",
          {{"display_name",
            absl::StrCat("Nhiệm kỳ ", term.substr(0, 4), "–", term.substr(5))},
           {"start_date", from},
           {"end_date", to}}}},
        "targets"));
  }
  std::vector<int> shares;
  int total = 0;
  for (size_t g = 0; g < grassroots.size(); ++g) {
    shares.push_back(4 + pick(9));
    total += shares.back();
  }
  calls.push_back(Call(kTermTargets,
                       {{"parent", bloc},
                        {"term_target_id", "2025-2030"},
                        {"term_target",
                         {{"own", {{"total", total}}},
                          {"resolution",
                           {{"number", "01-NQ/ĐH"},
                            {"signed_on", Date(2025, 10, 20)},
                            {"deciding_organization", bloc}}}}},
                        {"request_id", "demo-term-target"}},
                       "targets"));
  json lines = json::array();
  for (size_t g = 0; g < grassroots.size(); ++g) {
    lines.push_back(
        {{"organization", grassroots[g]}, {"figures", {{"total", shares[g]}}}});
  }
  calls.push_back(Call(kAllocations,
                       {{"parent", bloc},
                        {"allocation_decision",
                         {{"decision",
                           {{"number", "15-QĐ/ĐUK"},
                            {"signed_on", Date(2025, 11, 3)},
                            {"deciding_organization", bloc},
                            {"deciding_body", "Ban Thường vụ"}}},
                          {"period", {{"term", "terms/2025-2030"}}},
                          {"lines", lines}}},
                        {"request_id", "demo-allocation-2025-2030"}},
                       "targets"));

  // The bloc's letter of 1849-CV/ĐUK's shape, to every grassroots
  // organisation, disseminated to every cell.
  json letter = {
      {"issuing_organization", bloc},
      {"issuing_body_lines",
       {"ĐẢNG BỘ TỈNH LÂM ĐỒNG", "ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH"}},
      {"document_type", "DOCUMENT_TYPE_OFFICIAL_LETTER"},
      {"issuer_code", "ĐUK"},
      {"place", "Đà Lạt"},
      {"subject", "đôn đốc thực hiện công tác phát triển đảng viên"},
      {"body",
       "Đề nghị các cấp ủy quan tâm lãnh đạo công tác phát triển đảng viên, "
       "rà soát nguồn quần chúng ưu tú và báo cáo kết quả thực hiện."},
      {"signer",
       {{"capacity", "SIGNING_CAPACITY_ON_BEHALF_OF"},
        {"collective", "BAN THƯỜNG VỤ"},
        {"title", "BÍ THƯ"},
        {"signer_name", "Hoàng Thanh Hải"}}},
      {"recipients",
       {{{"purpose", "RECIPIENT_PURPOSE_ACT"},
         {"label", "Các tổ chức cơ sở đảng trực thuộc"},
         {"addressee", true},
         {"organizations", {{"under", bloc}, {"direct_children_only", true}}}},
        {{"purpose", "RECIPIENT_PURPOSE_REPORT_TO"},
         {"label", "Ban Thường vụ Tỉnh ủy"},
         {"organization", province}}}},
      {"dissemination", {{"scope", "DISSEMINATION_SCOPE_CELLS"}}}};
  calls.push_back(Call(kDirectives,
                       {{"directive", letter},
                        {"directive_id", "demo-urging-letter"},
                        {"request_id", "demo-urging-letter"}},
                       "directives"));
  calls.push_back(
      Call(kIssue, {{"name", "directives/demo-urging-letter"}}, "directives"));
  calls.back().done_if_refused = true;
  calls.back().etag_from_previous = true;
  return calls;
}

}  // namespace partydev::ctl
