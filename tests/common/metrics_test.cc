#include "common/metrics.h"

#include <gtest/gtest.h>

namespace partydev {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistograms) {
  Metrics m;
  m.DescribeCounter("rpc_total", "RPCs");
  m.Increment("rpc_total", {{"method", "Get"}, {"code", "OK"}});
  m.Increment("rpc_total", {{"method", "Get"}, {"code", "OK"}}, 2);
  m.DescribeGauge("up", "up");
  m.Set("up", {}, 1);
  m.DescribeHistogram("lat", "latency", {0.1, 1});
  m.Observe("lat", {{"method", "Get"}}, 0.05);
  m.Observe("lat", {{"method", "Get"}}, 0.5);
  m.Observe("lat", {{"method", "Get"}}, 5);
  const std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE rpc_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("rpc_total{code=\"OK\",method=\"Get\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("up 1"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{method=\"Get\",le=\"0.1\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_bucket{method=\"Get\",le=\"1\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_bucket{method=\"Get\",le=\"+Inf\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("lat_count{method=\"Get\"} 3"), std::string::npos)
      << text;
  EXPECT_EQ(m.Value("rpc_total", {{"method", "Get"}, {"code", "OK"}}), 3);
}

TEST(MetricsTest, EscapesLabelValues) {
  Metrics m;
  m.Increment("c", {{"v", "a\"b\\c\n"}});
  EXPECT_NE(m.Render().find("c{v=\"a\\\"b\\\\c\\n\"} 1"), std::string::npos)
      << m.Render();
}

}  // namespace
}  // namespace partydev
