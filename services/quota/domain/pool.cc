#include "services/quota/domain/pool.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/dates.h"

namespace partydev::quota::domain {
namespace {

using common::v1::Stage;

// One step of a candidate, with its date as a day.
struct Step {
  absl::CivilDay on;
  const storage::v1::StageTransition* transition;
};

// One enrolment change, with its date as a day.
struct Enrolment {
  absl::CivilDay on;
  const storage::v1::EnrollmentStep* step;
};

bool OnPath(const google::protobuf::RepeatedPtrField<std::string>& path,
            const std::string& organization) {
  return std::find(path.begin(), path.end(), organization) != path.end();
}

bool HasCategory(const storage::v1::PoolCandidate& candidate,
                 common::v1::Category category) {
  if (category == common::v1::CATEGORY_UNSPECIFIED) return true;
  for (int c : candidate.categories()) {
    if (c == category) return true;
  }
  return false;
}

// The steps by date; steps of one day keep the order they were applied in.
std::vector<Step> StepsOf(const storage::v1::PoolCandidate& candidate) {
  std::vector<Step> steps;
  steps.reserve(candidate.transitions_size());
  for (const auto& t : candidate.transitions()) {
    steps.push_back({CivilDayOf(t.on()), &t});
  }
  std::stable_sort(steps.begin(), steps.end(),
                   [](const Step& a, const Step& b) { return a.on < b.on; });
  return steps;
}

std::vector<Enrolment> EnrolmentsOf(
    const storage::v1::PoolCandidate& candidate) {
  std::vector<Enrolment> out;
  out.reserve(candidate.enrollments_size());
  for (const auto& e : candidate.enrollments()) {
    out.push_back({CivilDayOf(e.on()), &e});
  }
  std::stable_sort(
      out.begin(), out.end(),
      [](const Enrolment& a, const Enrolment& b) { return a.on < b.on; });
  return out;
}

// The index of the last step dated on or before `day`; -1 when none.
int LastStepOn(const std::vector<Step>& steps, absl::CivilDay day) {
  int last = -1;
  for (size_t i = 0; i < steps.size() && steps[i].on <= day; ++i) {
    last = static_cast<int>(i);
  }
  return last;
}

// True when the candidate is outside the pool on `day`: it has a stage then
// and the stage is not one of the pool's.
bool OutOfPoolOn(const std::vector<Step>& steps, absl::CivilDay day) {
  const int last = LastStepOn(steps, day);
  return last >= 0 && !InPool(steps[last].transition->to_stage());
}

// True when `stage` is `target` or a stage of the pipeline beyond it (up
// to STAGE_OFFICIAL): a candidate there has passed through `target`.
bool AtOrBeyond(Stage stage, Stage target) {
  return stage >= target && stage <= common::v1::STAGE_OFFICIAL;
}

void AddConversion(const std::vector<std::vector<Step>>& steps,
                   const std::string& organization, absl::CivilDay start,
                   absl::CivilDay window_end, absl::CivilDay as_of, Stage from,
                   Stage to, PoolFigures& figures) {
  v1::StageConversion conversion;
  conversion.set_from_stage(from);
  conversion.set_to_stage(to);
  std::vector<int> days;
  int cohort = 0, dropped = 0;
  for (const std::vector<Step>& s : steps) {
    int first = -1;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i].transition->to_stage() == from && s[i].on >= start &&
          s[i].on <= window_end &&
          OnPath(s[i].transition->organization_path(), organization)) {
        first = static_cast<int>(i);
        break;
      }
    }
    if (first < 0) continue;
    ++cohort;
    bool converted = false, gone = false;
    for (size_t j = first + 1; j < s.size() && s[j].on <= as_of; ++j) {
      const Stage stage = s[j].transition->to_stage();
      if (AtOrBeyond(stage, to)) {
        converted = true;
        days.push_back(static_cast<int>(s[j].on - s[first].on));
        break;
      }
      if (stage == common::v1::STAGE_WITHDRAWN ||
          stage == common::v1::STAGE_REJECTED) {
        gone = true;
      }
    }
    if (!converted && gone) ++dropped;
  }
  conversion.set_cohort(cohort);
  conversion.set_converted(static_cast<int>(days.size()));
  conversion.set_rate(cohort == 0 ? 0.0
                                  : static_cast<double>(days.size()) / cohort);
  conversion.set_median_days(Median(std::move(days)));
  conversion.set_dropped(dropped);
  figures.conversions.push_back(std::move(conversion));
}

}  // namespace

const std::vector<common::v1::Stage>& PipelineStages() {
  static const std::vector<Stage>* const kStages = new std::vector<Stage>{
      common::v1::STAGE_SOURCED,
      common::v1::STAGE_MENTOR_ASSIGNED,
      common::v1::STAGE_TRAINING_PASSED,
      common::v1::STAGE_APPLICATION_FILED,
      common::v1::STAGE_BACKGROUND_VERIFIED,
      common::v1::STAGE_INTRODUCED,
      common::v1::STAGE_CELL_RESOLVED,
      common::v1::STAGE_COMMITTEE_RESOLVED,
      common::v1::STAGE_ADMISSION_DECIDED,
  };
  return *kStages;
}

bool InPool(common::v1::Stage stage) {
  return stage >= common::v1::STAGE_SOURCED &&
         stage <= common::v1::STAGE_ADMISSION_DECIDED;
}

double Median(std::vector<int> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  if (n % 2 == 1) return values[n / 2];
  return (static_cast<double>(values[n / 2 - 1]) + values[n / 2]) / 2.0;
}

PoolFigures ComputePoolFigures(
    const std::vector<storage::v1::PoolCandidate>& all,
    const std::string& organization_name, const PeriodSpan& span,
    absl::CivilDay as_of, common::v1::Category category) {
  PoolFigures figures;
  std::vector<const storage::v1::PoolCandidate*> kept;
  for (const auto& candidate : all) {
    if (HasCategory(candidate, category)) kept.push_back(&candidate);
  }
  std::vector<std::vector<Step>> steps;
  steps.reserve(kept.size());
  for (const auto* candidate : kept) steps.push_back(StepsOf(*candidate));

  const absl::CivilDay start = span.start;
  const absl::CivilDay window_end = std::min(span.end, as_of);
  const auto in_window = [&](absl::CivilDay day) {
    return day >= start && day <= window_end;
  };

  for (size_t c = 0; c < kept.size(); ++c) {
    const std::vector<Step>& s = steps[c];
    // The pool on as_of.
    const int last = LastStepOn(s, as_of);
    if (last >= 0) {
      const auto& t = *s[last].transition;
      if (InPool(t.to_stage()) &&
          OnPath(t.organization_path(), organization_name)) {
        ++figures.at_stage[t.to_stage()];
        ++figures.pool_size;
        if (t.to_stage() >= common::v1::STAGE_TRAINING_PASSED &&
            t.to_stage() < common::v1::STAGE_ADMISSION_DECIDED) {
          ++figures.certified_pool;
        }
      }
    }
    // The flow within the window, once per candidate and stage.
    std::set<Stage> reached;
    for (const Step& step : s) {
      if (!in_window(step.on) ||
          !OnPath(step.transition->organization_path(), organization_name)) {
        continue;
      }
      reached.insert(step.transition->to_stage());
    }
    for (Stage stage : reached) {
      if (InPool(stage)) ++figures.reached[stage];
      if (stage == common::v1::STAGE_WITHDRAWN) ++figures.withdrawn;
      if (stage == common::v1::STAGE_REJECTED) ++figures.rejected;
    }
    // Training.
    const std::vector<Enrolment> enrolments = EnrolmentsOf(*kept[c]);
    const Enrolment* latest = nullptr;
    for (const Enrolment& e : enrolments) {
      if (e.on > as_of) break;
      latest = &e;
      if (e.step->state() == "enrolled" && in_window(e.on) &&
          OnPath(e.step->organization_path(), organization_name) &&
          !OutOfPoolOn(s, e.on)) {
        ++figures.sent_to_training;
      }
    }
    if (latest != nullptr && latest->step->state() == "enrolled" &&
        OnPath(latest->step->organization_path(), organization_name) &&
        !OutOfPoolOn(s, as_of)) {
      ++figures.in_training;
    }
  }

  const std::vector<Stage>& pipeline = PipelineStages();
  for (size_t i = 0; i + 1 < pipeline.size(); ++i) {
    AddConversion(steps, organization_name, start, window_end, as_of,
                  pipeline[i], pipeline[i + 1], figures);
  }
  AddConversion(steps, organization_name, start, window_end, as_of,
                pipeline.front(), pipeline.back(), figures);
  return figures;
}

}  // namespace partydev::quota::domain
