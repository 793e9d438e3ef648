// AdviseHugePages: asks the kernel to back a large, freshly allocated buffer with transparent huge pages.
//
// Why (issue 7): the credit engine writes ~500 bytes per fraud-report row into a vector it has just
// reserved; at 100,000 rows that is ~50 MB of fresh pages, and with 4 KiB pages the first touch of each
// (≈12,000 page faults per call) cost about a third of the engine's CPU time. With THP in "madvise" mode
// (Debian's default) MADV_HUGEPAGE turns them into ~25 faults of 2 MiB.
//
// Advice only: never changes what the memory holds, never fails visibly. Only whole 2 MiB-aligned pages
// inside [data, data + bytes) are advised, so no memory outside the buffer is affected; buffers under 4 MiB
// are left alone (malloc reuses such memory anyway). No-op where the kernel or platform lacks THP.
#pragma once

#include <cstddef>

namespace creditbot {

void AdviseHugePages(const void* data, std::size_t bytes);

}  // namespace creditbot
