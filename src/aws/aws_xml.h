// AWS's XML answers (S3's REST-XML, STS's awsQuery): a small, bounded element tree on top of expat, and the
// error envelope both services share.
//
// ParseXml keeps element names without their namespace prefix, and each element's text (character data
// directly inside it, concatenated). It refuses, with kInvalidArgument: malformed XML, a DOCTYPE (AWS
// never sends one, and refusing it rules out entity expansion), nesting deeper than 64, more than 100 000
// elements, input over 16 MiB. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace creditbot {

struct XmlElement {
  std::string name;  // local name ("Error" for <s3:Error>)
  std::string text;  // character data directly inside, entities decoded
  std::vector<XmlElement> children;

  // The first child named `name`, or nullptr.
  const XmlElement* Child(std::string_view child_name) const;
  // The text of the first child named `name`, or "" when there is none.
  std::string ChildText(std::string_view child_name) const;
};

absl::StatusOr<XmlElement> ParseXml(std::string_view text);

// An AWS error answer's fields. `code` is what decides; `message` is for people.
struct AwsXmlError {
  std::string code;
  std::string message;
  std::string request_id;
};

// Reads S3's `<Error><Code/><Message/><RequestId/>…</Error>` or awsQuery's
// `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`; nullopt for anything
// else (not XML, another root, no Code).
std::optional<AwsXmlError> ParseAwsXmlError(std::string_view body);

}  // namespace creditbot
