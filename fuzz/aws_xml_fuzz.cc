// Fuzz target for the AWS XML readers (src/aws/aws_xml.h, aws_credentials.h): S3's and STS's error
// envelopes and STS's AssumeRoleWithWebIdentity answer, all of which come from the network. Any bytes must
// either be refused with kInvalidArgument or give a tree/credentials that hold together; a parsed error
// always has a code; parsing is deterministic.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "aws/aws_credentials.h"
#include "aws/aws_xml.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

std::size_t CountElements(const creditbot::XmlElement& element, std::size_t depth) {
  Check(depth <= 64);
  std::size_t count = 1;
  for (const creditbot::XmlElement& child : element.children) count += CountElements(child, depth + 1);
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<creditbot::XmlElement> tree = creditbot::ParseXml(text);
  if (tree.ok()) {
    Check(CountElements(*tree, 1) <= 100000);
  } else {
    Check(tree.status().code() == absl::StatusCode::kInvalidArgument);
  }
  const std::optional<creditbot::AwsXmlError> error = creditbot::ParseAwsXmlError(text);
  if (error) {
    Check(tree.ok());
    Check(!error->code.empty());
    const std::optional<creditbot::AwsXmlError> again = creditbot::ParseAwsXmlError(text);
    Check(again && again->code == error->code && again->message == error->message);
  }
  absl::StatusOr<creditbot::AwsCredentials> credentials =
      creditbot::ParseAssumeRoleWithWebIdentityResponse(text);
  if (credentials.ok()) {
    Check(tree.ok());
    Check(!credentials->access_key_id.empty() && !credentials->secret_access_key.empty());
    Check(!credentials->session_token.empty() && credentials->expiration.has_value());
  } else {
    Check(credentials.status().code() == absl::StatusCode::kInvalidArgument);
  }
  return 0;
}
