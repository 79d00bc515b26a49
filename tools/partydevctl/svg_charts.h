// File: tools/partydevctl/svg_charts.h
//
// Reports people look at (issue #8), as SVG files a browser or an office
// suite opens:
//  - the quota progress of a subtree (ReportService.ComputeProgress): one
//    bar per organisation, its admissions against its target, with the
//    lagging line (50% of the term target, letter 1849-CV/ĐUK) and the
//    expected pace (the share of the period elapsed) marked, and the
//    lagging ones in red;
//  - the tracking of an issued directive (DirectiveService.TrackDirective
//    with by_child): one stacked bar per organisation below the issuer,
//    reported / acknowledged / received / not yet, with its late ones.
// Pure: the responses in, the SVG text out.

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_SVG_CHARTS_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_SVG_CHARTS_H_

#include <string>

#include "partydev/notification/v1/deliveries.pb.h"
#include "partydev/quota/v1/progress.pb.h"

namespace partydev::ctl {

std::string ProgressChartSvg(const quota::v1::ProgressReport& report);

std::string TrackingChartSvg(
    const notification::v1::TrackDirectiveResponse& tracking);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_SVG_CHARTS_H_
