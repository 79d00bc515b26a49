#include "services/notification/channel_preferences.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/change.h"
#include "common/errors.h"
#include "common/vietnam_time.h"
#include "services/notification/queue/quiet_hours.h"

namespace partydev::notification {
namespace {

constexpr char kDefaultZone[] = "Asia/Ho_Chi_Minh";

absl::TimeZone ZoneOf(const std::string& name) {
  absl::TimeZone zone;
  if (!name.empty() && absl::LoadTimeZone(name, &zone)) return zone;
  if (absl::LoadTimeZone(kDefaultZone, &zone)) return zone;
  return VietnamTimeZone();
}

void CheckTimeOfDay(const v1::TimeOfDay& t, bool present,
                    const std::string& field, FieldChecker& check) {
  if (!present) {
    check.Add(field, "is required when enabled");
  } else if (t.hours() < 0 || t.hours() > 23 || t.minutes() < 0 ||
             t.minutes() > 59) {
    check.Add(field, "must be a time of day: hours 0-23, minutes 0-59");
  }
}

bool Contains(const google::protobuf::RepeatedField<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

bool CategoryMuted(const v1::Preferences& preferences,
                   v1::MessageCategory category, v1::ChannelType type) {
  for (const v1::CategoryPreference& p : preferences.categories()) {
    if (p.category() == category && Contains(p.disabled_channels(), type)) {
      return true;
    }
  }
  return false;
}

bool ChannelAccepts(const v1::Channel& channel, v1::MessageCategory category) {
  if (!channel.has_webhook()) return true;
  const auto& types = channel.webhook().event_types();
  return types.empty() || Contains(types, category);
}

absl::Time EarliestDelivery(const v1::Preferences& preferences,
                            const v1::Recipient& recipient,
                            v1::MessagePriority priority, absl::Time now) {
  const v1::QuietHours& quiet = preferences.quiet_hours();
  if (!quiet.enabled()) return now;
  const absl::TimeZone zone = ZoneOf(
      quiet.time_zone().empty() ? recipient.time_zone() : quiet.time_zone());
  return EndOfQuietHours(now, quiet, zone, priority);
}

bool HeldForDigest(const v1::Preferences& preferences,
                   v1::MessageCategory category, v1::MessagePriority priority,
                   const v1::NotificationRuleSet* rule_set) {
  const v1::DigestSettings& digest = preferences.digest();
  if (!digest.enabled() || priority == v1::MESSAGE_PRIORITY_URGENT ||
      category == v1::MESSAGE_CATEGORY_DIGEST) {
    return false;
  }
  if (rule_set != nullptr &&
      Contains(rule_set->mandatory_categories(), category)) {
    return false;
  }
  return priority == v1::MESSAGE_PRIORITY_DIGEST ||
         Contains(digest.categories(), category);
}

absl::TimeZone RecipientTimeZone(const std::string& name) {
  return ZoneOf(name);
}

absl::Time NextDigestTime(const v1::DigestSettings& digest, absl::TimeZone zone,
                          absl::Time now) {
  const int hours = digest.has_send_at() ? digest.send_at().hours() : 18;
  const int minutes = digest.has_send_at() ? digest.send_at().minutes() : 0;
  absl::CivilDay day = absl::ToCivilDay(now, zone);
  // Today's send_at when still ahead, else tomorrow's (a day later once
  // more covers a send_at moved by a clock change).
  for (int i = 0; i < 3; ++i, ++day) {
    const absl::Time at = absl::FromCivil(
        absl::CivilMinute(day.year(), day.month(), day.day(), hours, minutes),
        zone);
    if (at > now) return at;
  }
  return now + absl::Hours(24);
}

absl::Status CheckPreferences(const v1::Preferences& preferences,
                              const google::protobuf::FieldMask& mask,
                              const v1::NotificationRuleSet* rule_set) {
  FieldChecker check;
  std::vector<RuleViolation> rules;
  if (InMask(mask, "categories")) {
    std::set<int> seen;
    for (int i = 0; i < preferences.categories_size(); ++i) {
      const v1::CategoryPreference& p = preferences.categories(i);
      const std::string field = absl::StrCat("preferences.categories[", i, "]");
      if (p.category() == v1::MESSAGE_CATEGORY_UNSPECIFIED) {
        check.Add(field + ".category", "is required");
        continue;
      }
      if (!seen.insert(p.category()).second) {
        check.Add(field + ".category",
                  absl::StrCat(v1::MessageCategory_Name(p.category()),
                               " is listed twice"));
      }
      for (int j = 0; j < p.disabled_channels_size(); ++j) {
        if (p.disabled_channels(j) == v1::CHANNEL_TYPE_UNSPECIFIED) {
          check.Add(absl::StrCat(field, ".disabled_channels[", j, "]"),
                    "must be a channel type");
        }
      }
      if (rule_set != nullptr &&
          Contains(p.disabled_channels(), v1::CHANNEL_TYPE_IN_APP) &&
          Contains(rule_set->mandatory_categories(), p.category())) {
        rules.push_back(
            {"notification.mandatory_category", field,
             absl::StrCat("the in-app channel cannot be opted out of the "
                          "mandatory category ",
                          v1::MessageCategory_Name(p.category()), " (rule set ",
                          rule_set->name(), ")")});
      }
    }
  }
  if (InMask(mask, "quiet_hours") && preferences.quiet_hours().enabled()) {
    const v1::QuietHours& q = preferences.quiet_hours();
    CheckTimeOfDay(q.start(), q.has_start(), "preferences.quiet_hours.start",
                   check);
    CheckTimeOfDay(q.end(), q.has_end(), "preferences.quiet_hours.end", check);
    absl::TimeZone zone;
    if (!q.time_zone().empty() && !absl::LoadTimeZone(q.time_zone(), &zone)) {
      check.Add("preferences.quiet_hours.time_zone",
                "is not an IANA time zone");
    }
  }
  if (InMask(mask, "digest") && preferences.digest().enabled()) {
    const v1::DigestSettings& d = preferences.digest();
    CheckTimeOfDay(d.send_at(), d.has_send_at(), "preferences.digest.send_at",
                   check);
    for (int i = 0; i < d.channels_size(); ++i) {
      if (d.channels(i) == v1::CHANNEL_TYPE_UNSPECIFIED) {
        check.Add(absl::StrCat("preferences.digest.channels[", i, "]"),
                  "must be a channel type");
      }
    }
  }
  if (!check.ok()) return check.status();
  if (!rules.empty()) return RulesViolated(std::move(rules));
  return absl::OkStatus();
}

}  // namespace partydev::notification
