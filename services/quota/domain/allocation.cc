#include "services/quota/domain/allocation.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/quota/domain/targets.h"

namespace partydev::quota::domain {
namespace {

v1::TargetFigures SumOf(
    const google::protobuf::RepeatedPtrField<v1::AllocationLine>& lines) {
  v1::TargetFigures sum;
  for (const v1::AllocationLine& line : lines) AddFigures(sum, line.figures());
  return sum;
}

// The violations of `mode` by `sum` against `target`.
std::vector<RuleViolation> SumViolations(const v1::TargetFigures& target,
                                         const v1::TargetFigures& sum,
                                         v1::AllocationMode mode,
                                         bool check_categories,
                                         const std::string& committee,
                                         const std::string& committee_label) {
  std::vector<RuleViolation> unmet;
  const bool exactly = mode == v1::ALLOCATION_MODE_EXACTLY;
  const std::string rule = exactly ? "quota.allocation.equals_target"
                                   : "quota.allocation.within_target";
  const auto compare = [&](int allocated, int targeted,
                           const std::string& what) {
    if (exactly ? allocated == targeted : allocated <= targeted) return;
    unmet.push_back({rule, committee,
                     exactly
                         ? absl::StrCat("Tổng phân bổ", what, " ", allocated,
                                        " khác chỉ tiêu", what, " ", targeted,
                                        " của ", committee_label,
                                        " (phải phân bổ đúng bằng chỉ tiêu)")
                         : absl::StrCat("Tổng phân bổ", what, " ", allocated,
                                        " vượt chỉ tiêu", what, " ", targeted,
                                        " của ", committee_label)});
  };
  compare(sum.total(), target.total(), "");
  if (check_categories) {
    for (const v1::CategoryFigure& c : target.categories()) {
      compare(CategoryCount(sum, c.category()).value_or(0), c.count(),
              absl::StrCat(" ", CategoryLabel(c.category())));
    }
  }
  return unmet;
}

}  // namespace

v1::AllocationMode AppliedMode(v1::AllocationMode rule_set,
                               v1::AllocationMode requested) {
  if (requested == v1::ALLOCATION_MODE_EXACTLY ||
      rule_set == v1::ALLOCATION_MODE_EXACTLY) {
    return v1::ALLOCATION_MODE_EXACTLY;
  }
  return v1::ALLOCATION_MODE_AT_MOST;
}

AllocationCheck CheckAllocation(
    const AllocationInput& input,
    const google::protobuf::RepeatedPtrField<v1::AllocationLine>& lines,
    absl::string_view lines_field, FieldChecker& check) {
  AllocationCheck result;
  const std::string label = input.committee_display_name.empty()
                                ? input.committee
                                : input.committee_display_name;
  result.mode = AppliedMode(input.rule_set_mode, input.requested_mode);
  if (input.requested_mode == v1::ALLOCATION_MODE_AT_MOST &&
      input.rule_set_mode == v1::ALLOCATION_MODE_EXACTLY) {
    result.violations.push_back(
        {"quota.allocation.mode", input.committee,
         absl::StrCat("Bộ quy tắc áp dụng ngày ", FormatDay(input.signed_on),
                      " yêu cầu phân bổ đúng bằng chỉ tiêu (EXACTLY); không "
                      "được yêu cầu phân bổ không vượt quá chỉ tiêu "
                      "(AT_MOST)")});
  }

  if (lines.empty()) {
    check.Add(lines_field, "at least one line is required");
  }
  const std::set<std::string> subordinates(input.subordinates.begin(),
                                           input.subordinates.end());
  std::set<std::string> seen;
  for (int i = 0; i < lines.size(); ++i) {
    const v1::AllocationLine& line = lines[i];
    const std::string path = absl::StrCat(lines_field, "[", i, "]");
    if (line.organization().empty()) {
      check.Add(path + ".organization", "is required");
    } else if (!seen.insert(line.organization()).second) {
      check.Add(path + ".organization",
                absl::StrCat(line.organization(),
                             " has more than one line; each organisation at "
                             "most once per decision"));
    } else if (subordinates.count(line.organization()) == 0) {
      result.violations.push_back(
          {"quota.allocation.direct_subordinate", line.organization(),
           absl::StrCat(line.organization(),
                        " không phải là tổ chức trực thuộc trực tiếp của ",
                        label, " ngày ", FormatDay(input.signed_on))});
    }
    std::vector<RuleViolation> figures =
        ValidateFigures(line.figures(), path + ".figures", check);
    result.violations.insert(result.violations.end(), figures.begin(),
                             figures.end());
    if (input.committee_target.has_value()) {
      for (int j = 0; j < line.figures().categories_size(); ++j) {
        const common::v1::Category category =
            line.figures().categories(j).category();
        if (category == common::v1::CATEGORY_UNSPECIFIED) continue;
        if (CategoryCount(*input.committee_target, category).has_value()) {
          continue;
        }
        result.violations.push_back(
            {"quota.allocation.category_in_target",
             absl::StrCat(path, ".figures.categories[", j, "]"),
             absl::StrCat("Chỉ tiêu của ", label,
                          " không có chỉ tiêu riêng cho ",
                          CategoryLabel(category),
                          "; không được phân bổ theo đối tượng này")});
      }
    }
  }

  result.allocated_sum = SumOf(lines);
  if (!input.committee_target.has_value()) {
    result.violations.push_back(
        {"quota.allocation.committee_target", input.committee,
         absl::StrCat(label,
                      " chưa có chỉ tiêu cho kỳ này (chỉ tiêu của mình hoặc "
                      "được cấp trên phân bổ); không có gì để phân bổ")});
    return result;
  }
  const v1::TargetFigures& target = *input.committee_target;
  std::vector<RuleViolation> sums =
      SumViolations(target, result.allocated_sum, result.mode,
                    input.check_categories, input.committee, label);
  result.violations.insert(result.violations.end(), sums.begin(), sums.end());
  result.unallocated.set_total(target.total() - result.allocated_sum.total());
  for (const v1::CategoryFigure& c : target.categories()) {
    SetCategoryCount(
        result.unallocated, c.category(),
        c.count() -
            CategoryCount(result.allocated_sum, c.category()).value_or(0));
  }
  SortCategories(result.unallocated);
  return result;
}

bool WithinTarget(
    const v1::TargetFigures& committee_target,
    const google::protobuf::RepeatedPtrField<v1::AllocationLine>& lines,
    v1::AllocationMode mode, bool check_categories) {
  return SumViolations(committee_target, SumOf(lines), mode, check_categories,
                       "", "")
      .empty();
}

}  // namespace partydev::quota::domain
