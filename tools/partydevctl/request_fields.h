// File: tools/partydevctl/request_fields.h
//
// Building a request message from command-line words, by reflection over
// the contracts (every partydev .proto is linked in), so that each field of
// each RPC is a flag without a line of code per RPC:
//
//   --parent organizations/cb-khoa-toan         a string
//   --page-size 100                              a number
//   --person.stage STAGE_PROBATION (or probation) an enum, by name
//   --meeting.period 2026-03                     a YearMonth
//   --outcome.held-on 2026-03-05                 a Date
//   --meeting.starts-at 2026-03-05T14:00:00+07:00 a Timestamp (RFC 3339)
//   --update-mask theme,place                    a FieldMask
//   --meeting.agenda A --meeting.agenda B        a repeated field: one
//                                                 value per occurrence
//   --meeting '{"kind": "MEETING_KIND_REGULAR"}' any message, in proto3 JSON
//
// Flag names are the proto field paths with '-' or '_' alike.

#ifndef PARTYDEV_TOOLS_PARTYDEVCTL_REQUEST_FIELDS_H_
#define PARTYDEV_TOOLS_PARTYDEVCTL_REQUEST_FIELDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace partydev::ctl {

// A field a flag can set.
struct FieldPath {
  std::string path;  // "meeting.period", proto names joined by '.'
  std::string type;  // what a value looks like: "string", "int", "enum
                     // STAGE_*", "date YYYY-MM-DD", "json", ...
  bool repeated = false;
};

// The fields of `descriptor` a flag can set: scalars, enums, the
// well-known and partydev value types (Date, YearMonth, Timestamp,
// FieldMask) and, for every other message, the message itself as JSON and
// its own fields down to `max_depth` levels.
std::vector<FieldPath> SettableFields(const google::protobuf::Descriptor* type,
                                      int max_depth = 3);

// Sets the field at `path` ('-' and '_' alike) of `message` from `value`
// as described in the file comment; a repeated field gets one more
// element. INVALID_ARGUMENT naming the path and what was expected.
absl::Status SetField(google::protobuf::Message& message,
                      absl::string_view path, absl::string_view value);

}  // namespace partydev::ctl

#endif  // PARTYDEV_TOOLS_PARTYDEVCTL_REQUEST_FIELDS_H_
