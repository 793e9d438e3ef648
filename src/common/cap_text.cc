// CapText: see cap_text.h.
#include "common/cap_text.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace creditbot {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string CapText(std::string_view text, std::size_t max_bytes, CutMark mark) {
  if (text.size() <= max_bytes) return std::string(text);
  // A counted mark's length depends on how much is kept; the widest (every count at its widest) is reserved.
  constexpr std::string_view kEllipsis = "…";
  const std::size_t reserved =
      mark == CutMark::kEllipsis
          ? kEllipsis.size()
          : absl::StrCat(" …[cut ", text.size(), " of ", text.size(), " bytes]").size();
  std::size_t keep = max_bytes > reserved ? max_bytes - reserved : 0;
  while (keep > 0 && IsContinuationByte(text[keep])) --keep;  // text[keep] is the first byte left out
  const absl::string_view kept(text.data(), keep);
  if (mark == CutMark::kEllipsis) return absl::StrCat(kept, ToAbsl(kEllipsis));
  return absl::StrCat(kept, " …[cut ", text.size() - keep, " of ", text.size(), " bytes]");
}

}  // namespace creditbot
