#include "tools/partydevctl/svg_charts.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "tools/partydevctl/display_width.h"

namespace partydev::ctl {
namespace {

// Layout, in SVG user units (pixels).
constexpr int kLabelWidth = 340;
constexpr int kBarWidth = 560;
constexpr int kRowHeight = 26;
constexpr int kTop = 70;
constexpr int kRight = 150;

constexpr char kRed[] = "#c0392b";
constexpr char kAmber[] = "#e67e22";
constexpr char kGreen[] = "#27ae60";

std::string Escape(const std::string& text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

std::string Header(int width, int height, const std::string& title,
                   const std::string& subtitle) {
  return absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
      "font-size=\"13\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"16\" y=\"26\" font-size=\"17\" "
      "font-weight=\"bold\">%s</text>\n"
      "<text x=\"16\" y=\"48\" fill=\"#555\">%s</text>\n",
      width, height, width, height, Escape(title), Escape(subtitle));
}

std::string DateText(const common::v1::Date& d) {
  return absl::StrFormat("%02d/%02d/%04d", d.day(), d.month(), d.year());
}

// A vertical marker across the rows at `x`, labelled at the top.
std::string Marker(int x, int rows, const char* colour,
                   const std::string& label) {
  return absl::StrFormat(
      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
      "stroke-width=\"2\" stroke-dasharray=\"6,4\"/>\n"
      "<text x=\"%d\" y=\"%d\" fill=\"%s\" text-anchor=\"middle\" "
      "font-size=\"11\">%s</text>\n",
      x, kTop - 6, x, kTop + rows * kRowHeight, colour, x, kTop - 10, colour,
      Escape(label));
}

std::string Legend(
    int y, const std::vector<std::pair<const char*, std::string>>& items) {
  std::string out;
  int x = 16;
  for (const auto& [colour, label] : items) {
    absl::StrAppendFormat(&out,
                          "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" "
                          "fill=\"%s\"/>\n<text x=\"%d\" y=\"%d\">%s</text>\n",
                          x, y, colour, x + 20, y + 12, Escape(label));
    x += 40 + 7 * DisplayWidth(label);
  }
  return out;
}

}  // namespace

std::string ProgressChartSvg(const quota::v1::ProgressReport& report) {
  const int rows = report.rows_size();
  const double lagging = report.thresholds().lagging_rate() > 0
                             ? report.thresholds().lagging_rate()
                             : 0.5;
  // The scale reaches the best rate shown (at least the whole target).
  double scale = 1.0;
  for (const auto& r : report.rows()) scale = std::max(scale, r.rate());
  scale = std::min(scale, 3.0);
  auto x_of = [&](double rate) {
    return kLabelWidth +
           static_cast<int>(kBarWidth * std::min(rate, scale) / scale);
  };
  const int height = kTop + rows * kRowHeight + 60;
  std::string out = Header(
      kLabelWidth + kBarWidth + kRight, height,
      absl::StrCat("Tiến độ kết nạp đảng viên — ",
                   report.root().organization().display_name()),
      absl::StrCat(report.term_display_name().empty()
                       ? report.period().term()
                       : report.term_display_name(),
                   report.period().year() != 0
                       ? absl::StrCat(", năm ", report.period().year())
                       : "",
                   "; số liệu đến ", DateText(report.as_of()), "; đã qua ",
                   absl::StrFormat("%.0f%%", 100 * report.elapsed_share()),
                   " thời gian"));
  for (int i = 0; i < rows; ++i) {
    const quota::v1::ProgressRow& r = report.rows(i);
    const int y = kTop + i * kRowHeight;
    // The report's own judgement (quota's rule set: the lagging list may
    // wait until enough of the term has passed), not a second one here.
    const char* colour =
        r.status() == quota::v1::PROGRESS_STATUS_BELOW_HALF ? kRed
        : r.status() == quota::v1::PROGRESS_STATUS_BEHIND   ? kAmber
                                                            : kGreen;
    absl::StrAppendFormat(
        &out,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n"
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eee\"/>\n"
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n"
        "<text x=\"%d\" y=\"%d\" fill=\"%s\">%d/%d (%.0f%%)</text>\n",
        kLabelWidth - 8, y + 17, Escape(r.organization().display_name()),
        kLabelWidth, y + 4, x_of(1.0) - kLabelWidth, kRowHeight - 8,
        kLabelWidth, y + 4, x_of(r.rate()) - kLabelWidth, kRowHeight - 8,
        colour, x_of(std::max(r.rate(), 1.0)) + 6, y + 17, colour, r.admitted(),
        r.target(), 100 * r.rate());
  }
  out += Marker(x_of(lagging), rows, kRed,
                absl::StrFormat("%.0f%% chỉ tiêu", 100 * lagging));
  if (report.elapsed_share() > 0) {
    out += Marker(x_of(report.elapsed_share()), rows, "#2c3e50",
                  "tiến độ kỳ vọng");
  }
  out += Legend(kTop + rows * kRowHeight + 24,
                {{kRed, "dưới ngưỡng, cần đôn đốc"},
                 {kAmber, "chậm so với tiến độ kỳ vọng"},
                 {kGreen, "đúng tiến độ hoặc đã đạt"}});
  out += "</svg>\n";
  return out;
}

std::string TrackingChartSvg(
    const notification::v1::TrackDirectiveResponse& tracking) {
  using notification::v1::DeliveryState;
  const int rows = tracking.children_size();
  const int height = kTop + rows * kRowHeight + 60;
  const auto& s = tracking.summary();
  std::map<int, int> totals;
  for (const auto& c : s.counts()) totals[c.state()] += c.count();
  std::string out = Header(
      kLabelWidth + kBarWidth + kRight, height,
      absl::StrCat("Theo dõi thực hiện văn bản — ", tracking.directive()),
      absl::StrCat(s.organization_label(), ": ", s.total(), " nơi nhận; ",
                   totals[notification::v1::DELIVERY_STATE_REPORTED],
                   " đã báo cáo, ",
                   totals[notification::v1::DELIVERY_STATE_ACKNOWLEDGED],
                   " đã xác nhận; trễ hạn: ", s.late_acknowledgements(),
                   " xác nhận, ", s.late_reports(), " báo cáo"));
  // Segments, left to right: what is done first.
  const std::vector<std::pair<std::vector<DeliveryState>, const char*>>
      segments = {
          {{notification::v1::DELIVERY_STATE_REPORTED}, kGreen},
          {{notification::v1::DELIVERY_STATE_ACKNOWLEDGED}, "#2980b9"},
          {{notification::v1::DELIVERY_STATE_READ,
            notification::v1::DELIVERY_STATE_DELIVERED,
            notification::v1::DELIVERY_STATE_SENT,
            notification::v1::DELIVERY_STATE_PENDING},
           "#bdc3c7"},
          {{notification::v1::DELIVERY_STATE_LATE,
            notification::v1::DELIVERY_STATE_ESCALATED,
            notification::v1::DELIVERY_STATE_FAILED},
           kRed},
      };
  for (int i = 0; i < rows; ++i) {
    const auto& c = tracking.children(i);
    const int y = kTop + i * kRowHeight;
    std::map<int, int> counts;
    for (const auto& n : c.counts()) counts[n.state()] += n.count();
    absl::StrAppendFormat(
        &out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
        kLabelWidth - 8, y + 17,
        Escape(c.organization_label().empty() ? c.organization()
                                              : c.organization_label()));
    int x = kLabelWidth;
    for (const auto& [states, colour] : segments) {
      int n = 0;
      for (DeliveryState st : states) n += counts[st];
      if (n == 0 || c.total() == 0) continue;
      const int w = kBarWidth * n / c.total();
      absl::StrAppendFormat(
          &out,
          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
          "fill=\"%s\"/>\n",
          x, y + 4, w, kRowHeight - 8, colour);
      x += w;
    }
    absl::StrAppendFormat(
        &out, "<text x=\"%d\" y=\"%d\">%d nơi nhận%s</text>\n",
        kLabelWidth + kBarWidth + 6, y + 17, c.total(),
        c.late_acknowledgements() + c.late_reports() > 0
            ? absl::StrFormat(", %d trễ",
                              c.late_acknowledgements() + c.late_reports())
            : "");
  }
  out += Legend(kTop + rows * kRowHeight + 24,
                {{kGreen, "đã báo cáo"},
                 {"#2980b9", "đã xác nhận"},
                 {"#bdc3c7", "đã nhận, chưa xác nhận"},
                 {kRed, "trễ hạn"}});
  out += "</svg>\n";
  return out;
}

}  // namespace partydev::ctl
