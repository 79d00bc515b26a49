// File: services/notification/domain/vietnamese_dates.h
//
// Dates as Vietnamese party documents print them. The place-and-date line
// of a document reads "Đà Lạt, ngày 17 tháng 9 năm 2023"; days 1–9 and the
// months January and February take a leading zero ("ngày 05 tháng 02 năm
// 2024") so that nobody can add a digit later (Nghị định 30/2020/NĐ-CP,
// Phụ lục I; domain.md "Directives and official letters"). Vietnam has no
// daylight saving: its civil time is UTC+7 all year (Asia/Ho_Chi_Minh).

#ifndef PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_VIETNAMESE_DATES_H_
#define PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_VIETNAMESE_DATES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/vietnam_time.h"

namespace partydev::notification::domain {

// Vietnam's civil time (common/vietnam_time.h).
using ::partydev::VietnamDayOf;
using ::partydev::VietnamTimeZone;

// "ngày 17 tháng 9 năm 2023", "ngày 05 tháng 02 năm 2024".
std::string VietnameseLongDate(absl::CivilDay day);

// "Đà Lạt, ngày 17 tháng 9 năm 2023": the place-and-date line.
std::string DatedLine(absl::string_view place, absl::CivilDay day);

}  // namespace partydev::notification::domain

#endif  // PARTYDEV_SERVICES_NOTIFICATION_DOMAIN_VIETNAMESE_DATES_H_
