// Fuzz target for DecodeFrozenEvidence and ParseFrozenEvidenceJson, the readers of evidence.json.gz (bytes
// from an audit folder or bucket, so untrusted): any bytes must be refused with kInvalidArgument,
// kFailedPrecondition or kResourceExhausted, or read as evidence that encodes and reads back the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "evidence/frozen_evidence.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool Expected(const absl::Status& status) {
  return status.code() == absl::StatusCode::kInvalidArgument ||
         status.code() == absl::StatusCode::kFailedPrecondition ||
         status.code() == absl::StatusCode::kResourceExhausted;
}

void RoundTrips(const creditbot::FrozenEvidence& frozen) {
  const std::string json = creditbot::FrozenEvidenceJson(frozen);
  absl::StatusOr<creditbot::FrozenEvidence> again = creditbot::ParseFrozenEvidenceJson(json);
  Check(again.ok() && creditbot::FrozenEvidenceJson(*again) == json);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<creditbot::FrozenEvidence> gz = creditbot::DecodeFrozenEvidence(bytes);
  if (gz.ok()) {
    RoundTrips(*gz);
  } else {
    Check(Expected(gz.status()));
  }
  absl::StatusOr<creditbot::FrozenEvidence> json = creditbot::ParseFrozenEvidenceJson(bytes);
  if (json.ok()) {
    RoundTrips(*json);
  } else {
    Check(Expected(json.status()));
  }
  return 0;
}
