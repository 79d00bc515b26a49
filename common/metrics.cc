#include "common/metrics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace partydev {
namespace {

std::string EscapeLabel(absl::string_view value) {
  return absl::StrReplaceAll(value,
                             {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

std::string RenderLabels(
    const MetricLabels& labels,
    const std::pair<std::string, std::string>* extra = nullptr) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) {
    parts.push_back(absl::StrCat(k, "=\"", EscapeLabel(v), "\""));
  }
  if (extra != nullptr) {
    parts.push_back(absl::StrCat(extra->first, "=\"", extra->second, "\""));
  }
  if (parts.empty()) return "";
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string FormatValue(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v))) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  return absl::StrCat(v);
}

}  // namespace

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

Metrics::Family& Metrics::FamilyOf(absl::string_view name, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{}).first;
    it->second.kind = kind;
    if (kind == Kind::kHistogram) it->second.bounds = LatencyBuckets();
  }
  return it->second;
}

void Metrics::DescribeCounter(std::string name, std::string help) {
  absl::MutexLock lock(&mu_);
  FamilyOf(name, Kind::kCounter).help = std::move(help);
}

void Metrics::DescribeGauge(std::string name, std::string help) {
  absl::MutexLock lock(&mu_);
  FamilyOf(name, Kind::kGauge).help = std::move(help);
}

void Metrics::DescribeHistogram(std::string name, std::string help,
                                std::vector<double> bounds) {
  absl::MutexLock lock(&mu_);
  Family& family = FamilyOf(name, Kind::kHistogram);
  family.help = std::move(help);
  std::sort(bounds.begin(), bounds.end());
  family.bounds = std::move(bounds);
}

void Metrics::Increment(absl::string_view name, const MetricLabels& labels,
                        double by) {
  absl::MutexLock lock(&mu_);
  FamilyOf(name, Kind::kCounter).values[labels] += by;
}

void Metrics::Set(absl::string_view name, const MetricLabels& labels,
                  double value) {
  absl::MutexLock lock(&mu_);
  FamilyOf(name, Kind::kGauge).values[labels] = value;
}

void Metrics::Observe(absl::string_view name, const MetricLabels& labels,
                      double value) {
  absl::MutexLock lock(&mu_);
  Family& family = FamilyOf(name, Kind::kHistogram);
  Histogram& h = family.histograms[labels];
  if (h.counts.empty()) h.counts.assign(family.bounds.size() + 1, 0);
  size_t bucket =
      std::lower_bound(family.bounds.begin(), family.bounds.end(), value) -
      family.bounds.begin();
  h.counts[bucket] += 1;
  h.sum += value;
  h.count += 1;
}

double Metrics::Value(absl::string_view name,
                      const MetricLabels& labels) const {
  absl::MutexLock lock(&mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  if (it->second.kind == Kind::kHistogram) {
    auto h = it->second.histograms.find(labels);
    return h == it->second.histograms.end() ? 0 : h->second.count;
  }
  auto v = it->second.values.find(labels);
  return v == it->second.values.end() ? 0 : v->second;
}

std::string Metrics::Render() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter ? "counter"
                       : family.kind == Kind::kGauge ? "gauge"
                                                     : "histogram";
    absl::StrAppend(&out, "# HELP ", name, " ", family.help, "\n", "# TYPE ",
                    name, " ", type, "\n");
    for (const auto& [labels, value] : family.values) {
      absl::StrAppend(&out, name, RenderLabels(labels), " ", FormatValue(value),
                      "\n");
    }
    for (const auto& [labels, h] : family.histograms) {
      double cumulative = 0;
      for (size_t i = 0; i < h.counts.size(); ++i) {
        cumulative += h.counts[i];
        std::pair<std::string, std::string> le = {
            "le",
            i < family.bounds.size() ? absl::StrCat(family.bounds[i]) : "+Inf"};
        absl::StrAppend(&out, name, "_bucket", RenderLabels(labels, &le), " ",
                        FormatValue(cumulative), "\n");
      }
      absl::StrAppend(&out, name, "_sum", RenderLabels(labels), " ",
                      FormatValue(h.sum), "\n", name, "_count",
                      RenderLabels(labels), " ", FormatValue(h.count), "\n");
    }
  }
  return out;
}

}  // namespace partydev
