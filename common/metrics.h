// File: common/metrics.h
//
// Prometheus metrics kept in memory and rendered in the text exposition
// format (version 0.0.4) for GET /metrics. Debian bookworm has no
// prometheus-cpp, and what a service needs is small: counters, gauges and
// histograms with labels.
//
//   Metrics metrics;
//   metrics.DescribeCounter("partydev_rpc_total", "RPCs by method and code");
//   metrics.Increment("partydev_rpc_total", {{"method", "GetPerson"}, {"code",
//   "OK"}});
//
// Thread-safe.

#ifndef PARTYDEV_COMMON_METRICS_H_
#define PARTYDEV_COMMON_METRICS_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace partydev {

// Label name -> value, kept sorted so equal sets render alike.
using MetricLabels = std::map<std::string, std::string>;

class Metrics {
 public:
  void DescribeCounter(std::string name, std::string help);
  void DescribeGauge(std::string name, std::string help);
  // `bounds` are the upper bounds of the buckets, ascending (+Inf is added).
  void DescribeHistogram(std::string name, std::string help,
                         std::vector<double> bounds);

  void Increment(absl::string_view name, const MetricLabels& labels,
                 double by = 1);
  void Set(absl::string_view name, const MetricLabels& labels, double value);
  void Observe(absl::string_view name, const MetricLabels& labels,
               double value);

  // The exposition text of every metric.
  std::string Render() const;

  // The current value of a counter or gauge (0 if absent), for tests.
  double Value(absl::string_view name, const MetricLabels& labels) const;

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Histogram {
    std::vector<double> counts;  // per bucket, not cumulative
    double sum = 0;
    double count = 0;
  };
  struct Family {
    Kind kind = Kind::kCounter;
    std::string help;
    std::vector<double> bounds;
    std::map<MetricLabels, double> values;
    std::map<MetricLabels, Histogram> histograms;
  };
  Family& FamilyOf(absl::string_view name, Kind kind)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

// Latency buckets in seconds, from 100 µs to 10 s.
std::vector<double> LatencyBuckets();

}  // namespace partydev

#endif  // PARTYDEV_COMMON_METRICS_H_
