#include "services/quota/domain/targets.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace partydev::quota::domain {

std::vector<RuleViolation> ValidateFigures(const v1::TargetFigures& figures,
                                           absl::string_view field,
                                           FieldChecker& check) {
  std::vector<RuleViolation> unmet;
  if (figures.total() < 0) {
    check.Add(absl::StrCat(field, ".total"),
              absl::StrCat("must be >= 0, not ", figures.total()));
  }
  std::set<int> seen;
  for (int i = 0; i < figures.categories_size(); ++i) {
    const v1::CategoryFigure& c = figures.categories(i);
    const std::string path = absl::StrCat(field, ".categories[", i, "]");
    if (c.category() == common::v1::CATEGORY_UNSPECIFIED) {
      check.Add(absl::StrCat(path, ".category"), "is required");
    } else if (!seen.insert(c.category()).second) {
      check.Add(absl::StrCat(path, ".category"),
                absl::StrCat(common::v1::Category_Name(c.category()),
                             " is listed more than once"));
    }
    if (c.count() < 0) {
      check.Add(absl::StrCat(path, ".count"),
                absl::StrCat("must be >= 0, not ", c.count()));
    } else if (figures.total() >= 0 && c.count() > figures.total()) {
      unmet.push_back({"quota.target.category_within_total",
                       absl::StrCat(path, ".count"),
                       absl::StrCat("Chỉ tiêu ", CategoryLabel(c.category()),
                                    " (", c.count(), ") vượt tổng chỉ tiêu (",
                                    figures.total(), ")")});
    }
  }
  return unmet;
}

EffectiveFigures Effective(const v1::TargetFigures* own,
                           const v1::TargetFigures* allocated,
                           v1::TargetPrecedence precedence) {
  EffectiveFigures out;
  const auto take = [&out](const v1::TargetFigures* figures,
                           v1::TargetSource source) {
    out.figures = *figures;
    SortCategories(out.figures);
    out.source = source;
  };
  if (own == nullptr && allocated == nullptr) return out;
  if (own == nullptr) {
    take(allocated, v1::TARGET_SOURCE_ALLOCATED);
    return out;
  }
  if (allocated == nullptr) {
    take(own, v1::TARGET_SOURCE_OWN);
    return out;
  }
  switch (precedence) {
    case v1::TARGET_PRECEDENCE_OWN_FIRST:
      take(own, v1::TARGET_SOURCE_OWN);
      return out;
    case v1::TARGET_PRECEDENCE_LARGER: {
      out.source = v1::TARGET_SOURCE_LARGER_OF_BOTH;
      out.figures.set_total(std::max(own->total(), allocated->total()));
      for (const auto* figures : {own, allocated}) {
        for (const v1::CategoryFigure& c : figures->categories()) {
          const std::optional<int> have =
              CategoryCount(out.figures, c.category());
          if (!have.has_value() || *have < c.count()) {
            SetCategoryCount(out.figures, c.category(), c.count());
          }
        }
      }
      SortCategories(out.figures);
      return out;
    }
    case v1::TARGET_PRECEDENCE_ALLOCATED_FIRST:
    default:
      take(allocated, v1::TARGET_SOURCE_ALLOCATED);
      return out;
  }
}

std::optional<int> CategoryCount(const v1::TargetFigures& figures,
                                 common::v1::Category category) {
  for (const v1::CategoryFigure& c : figures.categories()) {
    if (c.category() == category) return c.count();
  }
  return std::nullopt;
}

void SetCategoryCount(v1::TargetFigures& figures, common::v1::Category category,
                      int count) {
  for (v1::CategoryFigure& c : *figures.mutable_categories()) {
    if (c.category() == category) {
      c.set_count(count);
      return;
    }
  }
  v1::CategoryFigure* c = figures.add_categories();
  c->set_category(category);
  c->set_count(count);
}

void AddFigures(v1::TargetFigures& a, const v1::TargetFigures& b) {
  a.set_total(a.total() + b.total());
  for (const v1::CategoryFigure& c : b.categories()) {
    SetCategoryCount(a, c.category(),
                     CategoryCount(a, c.category()).value_or(0) + c.count());
  }
  SortCategories(a);
}

void SortCategories(v1::TargetFigures& figures) {
  std::sort(figures.mutable_categories()->begin(),
            figures.mutable_categories()->end(),
            [](const v1::CategoryFigure& x, const v1::CategoryFigure& y) {
              return x.category() < y.category();
            });
}

std::string CategoryLabel(common::v1::Category category) {
  switch (category) {
    case common::v1::CATEGORY_STUDENT:
      return "sinh viên, học sinh";
    case common::v1::CATEGORY_YOUTH_UNION_MEMBER:
      return "đoàn viên";
    case common::v1::CATEGORY_WORKER:
      return "công nhân";
    case common::v1::CATEGORY_FARMER:
      return "nông dân";
    case common::v1::CATEGORY_MEDICAL_STAFF:
      return "y tế";
    case common::v1::CATEGORY_LECTURER:
      return "giảng viên, giáo viên";
    case common::v1::CATEGORY_JOURNALIST:
      return "nhà báo";
    case common::v1::CATEGORY_ARMED_FORCES:
      return "lực lượng vũ trang";
    case common::v1::CATEGORY_NON_STATE_ENTERPRISE:
      return "doanh nghiệp ngoài nhà nước";
    case common::v1::CATEGORY_NON_PUBLIC_SERVICE_UNIT:
      return "đơn vị sự nghiệp ngoài công lập";
    case common::v1::CATEGORY_RESIDENTIAL_AREA:
      return "khu dân cư";
    case common::v1::CATEGORY_CIVIL_SERVANT:
      return "cán bộ, công chức, viên chức";
    case common::v1::CATEGORY_RELIGIOUS_FOLLOWER:
      return "tôn giáo";
    case common::v1::CATEGORY_ETHNIC_MINORITY:
      return "dân tộc thiểu số";
    case common::v1::CATEGORY_RETIRED:
      return "người đã nghỉ hưu";
    default:
      return common::v1::Category_Name(category);
  }
}

std::string FormatFigures(const v1::TargetFigures& figures) {
  if (figures.categories().empty()) return absl::StrCat(figures.total());
  std::vector<std::string> parts;
  for (const v1::CategoryFigure& c : figures.categories()) {
    parts.push_back(absl::StrCat(CategoryLabel(c.category()), ": ", c.count()));
  }
  return absl::StrCat(figures.total(), " (", absl::StrJoin(parts, "; "), ")");
}

}  // namespace partydev::quota::domain
