// AdviseHugePages (see huge_pages.h): madvise(MADV_HUGEPAGE) on the 2 MiB-aligned interior of a buffer.
#include "core/huge_pages.h"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace creditbot {

void AdviseHugePages(const void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;  // 2 MiB, x86-64's and arm64's THP size
  if (data == nullptr || bytes < 2 * kHugePage) return;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);  // rounded up: inside the buffer
  const std::uintptr_t last = (begin + bytes) & ~(kHugePage - 1);           // rounded down: inside too
  if (last <= first) return;
  // The result is ignored on purpose: without THP (EINVAL) the pages are simply 4 KiB ones, as before.
  (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

}  // namespace creditbot
