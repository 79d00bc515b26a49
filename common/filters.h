// File: common/filters.h
//
// The subset of AIP-160 list filters every partydev List and report
// accepts, evaluated on the response's own messages by reflection, so a
// filter names fields exactly as the client sees them:
//
//   expression := term { "AND" term }
//   term       := path op value | path ":" value     (":" is "has")
//   op         := "=" | "!=" | "<" | "<=" | ">" | ">="
//   path       := field { "." field }                 (e.g. organization.level)
//   value      := ENUM_VALUE_NAME | number | true | false
//               | "quoted string" | 2023-09-17        (a Date field)
//               | 2026-03                            (a YearMonth field)
//               | "2026-03-01T00:00:00+07:00"        (a Timestamp, RFC 3339)
//
// Enum values are written by name (STATE_ACTIVE), by number, or without
// the enum's prefix (ACTIVE) when that is unambiguous; strings quoted
// ("..." or '...', with \" escapes) or bare; `<`, `>`... order strings
// lexicographically, numbers numerically, enums by number, dates by day.
// `path : value` holds when a repeated field contains the value (e.g.
// `organization.sector_tags:SECTOR_TAG_UNIVERSITY`); `=` on a repeated
// field is refused. Dates (partydev.common.v1.Date) compare as days,
// months (YearMonth) as months, timestamps as instants. OR,
// NOT, parentheses and functions are not supported: they are refused
// with INVALID_ARGUMENT naming the `filter` field and what is wrong, never
// ignored.
//
//   absl::StatusOr<Filter> filter =
//       Filter::Parse(request.filter(), *v1::ProgressRow::descriptor());
//   if (!filter.ok()) return filter.status();
//   if (filter->Matches(row)) ...
//
// `allowed` lists the paths a List documents; others are INVALID_ARGUMENT
// (empty: any field of the message).

#ifndef PARTYDEV_COMMON_FILTERS_H_
#define PARTYDEV_COMMON_FILTERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace partydev {

class Filter {
 public:
  // Parses `text` for messages of `descriptor`. Empty text: matches all.
  // Errors are INVALID_ARGUMENT on field `field_name`.
  static absl::StatusOr<Filter> Parse(
      absl::string_view text, const google::protobuf::Descriptor& descriptor,
      const std::vector<std::string>& allowed = {},
      absl::string_view field_name = "filter");

  // True when `message` (of the parsed descriptor) satisfies every term.
  bool Matches(const google::protobuf::Message& message) const;

  bool empty() const { return terms_.empty(); }

  // One comparison, as parsed (exposed for stores that push a term down to
  // an index, e.g. `state = STATE_ACTIVE`).
  struct Term {
    std::vector<const google::protobuf::FieldDescriptor*> path;
    std::string path_text;  // "organization.level"
    std::string op;         // "=", "!=", "<", "<=", ">", ">=", ":"
    std::string value;      // as written, quotes removed
  };
  const std::vector<Term>& terms() const { return terms_; }
  // The value of the first `path_text = value` term, if any ("" if none).
  std::string EqualityValue(absl::string_view path_text) const;

 private:
  // Each term's value converted once to its field's type (filters.cc).
  struct Compiled;
  std::vector<Term> terms_;
  std::shared_ptr<const std::vector<Compiled>> compiled_;
};

}  // namespace partydev

#endif  // PARTYDEV_COMMON_FILTERS_H_
