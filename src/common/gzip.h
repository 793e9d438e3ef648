// Gzip (RFC 1952) in memory through zlib, for the small artifacts creditbot keeps beside an audit record
// (evidence.json.gz). The header's comment field (FCOMMENT) carries a short text of the writer's choosing,
// e.g. the SHA-256 of the content, so the file says what it holds without a second file. The header's time
// is 0 and no file name is stored, so the same content and comment always give the same bytes.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace creditbot {

struct GunzipResult {
  std::string content;
  std::string comment;  // the header's FCOMMENT; "" when there is none
};

// `content` compressed at the default level, with `comment` in the header. kInvalidArgument when the comment
// holds a NUL byte (the header stores it NUL-terminated) or is over 1,024 bytes; kInternal when zlib fails.
absl::StatusOr<std::string> GzipCompress(std::string_view content, std::string_view comment = "");

// The content of one gzip member and its header comment. kInvalidArgument when `bytes` is not gzip, is
// truncated or corrupt (zlib checks the CRC-32 and length), or has bytes after the member;
// kResourceExhausted when the content would exceed `max_content_bytes` (a guard against a small file that
// inflates to gigabytes), decided while inflating, never after.
absl::StatusOr<GunzipResult> GzipDecompress(std::string_view bytes, std::size_t max_content_bytes);

}  // namespace creditbot
