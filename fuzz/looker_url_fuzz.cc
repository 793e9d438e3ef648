// Fuzz target: Looker base-URL parsing and link classification on arbitrary bytes. Must never crash or
// throw, and a link it accepts must satisfy the documented id rules.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "core/looker_url.h"

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void CheckRef(const creditbot::LookerRef& ref, std::string_view input) {
  using creditbot::LinkKind;
  if (ref.url != input) std::abort();
  if ((ref.kind == LinkKind::kLook || ref.kind == LinkKind::kDashboard) && !AllDigits(ref.id)) std::abort();
  if ((ref.kind == LinkKind::kShare || ref.kind == LinkKind::kQueryVisualization) && ref.id.empty())
    std::abort();
  if ((ref.kind == LinkKind::kLookerOther || ref.kind == LinkKind::kOther) && !ref.id.empty()) std::abort();
  if (ref.IsLooker() != (ref.kind != LinkKind::kOther)) std::abort();
  (void)creditbot::LinkKindName(ref.kind);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const creditbot::LookerBase example_base = *creditbot::ParseLookerBase("https://looker.example.com");
  static const creditbot::LookerBase port_base = *creditbot::ParseLookerBase("http://127.0.0.1:19999");
  CheckRef(creditbot::ClassifyLink(input, example_base), input);
  CheckRef(creditbot::ClassifyLink(input, port_base), input);
  absl::StatusOr<creditbot::LookerBase> base = creditbot::ParseLookerBase(input);
  if (base.ok()) {
    // A base must classify its own origin as a Looker link.
    if (!creditbot::ClassifyLink(base->Origin() + "/looks/1", *base).IsLooker()) std::abort();
  }
  return 0;
}
