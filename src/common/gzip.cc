// Gzip in memory through zlib's deflate/inflate with a gzip wrapper (windowBits 15 + 16).
#include "common/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace creditbot {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 32 KiB window, gzip header and trailer
constexpr std::size_t kMaxComment = 1024;
constexpr std::size_t kChunk = 64 * 1024;

Bytef* InputOf(std::string_view bytes) {
  // zlib's API is not const-correct; it never writes through next_in.
  return reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
}

}  // namespace

absl::StatusOr<std::string> GzipCompress(std::string_view content, std::string_view comment) {
  if (comment.find('\0') != std::string_view::npos || comment.size() > kMaxComment) {
    return absl::InvalidArgumentError("a gzip comment must be at most 1024 bytes and hold no NUL byte");
  }
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return absl::InternalError("zlib: deflateInit2 failed");
  }
  std::string comment_text(comment);
  gz_header header{};
  header.os = 3;  // Unix, as gzip(1) writes it
  header.comment = comment_text.empty() ? Z_NULL : reinterpret_cast<Bytef*>(comment_text.data());
  deflateSetHeader(&stream, &header);
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(content.size())) + comment_text.size() + 32);
  std::size_t offset = 0;
  std::string_view rest = content;
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    const std::size_t take = std::min<std::size_t>(rest.size(), UINT_MAX);
    stream.next_in = InputOf(rest.substr(0, take));
    stream.avail_in = static_cast<uInt>(take);
    if (out.size() - offset < kChunk) out.resize(out.size() + kChunk);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + offset);
    stream.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - offset, UINT_MAX));
    const std::size_t before_out = stream.avail_out;
    result = deflate(&stream, take == rest.size() ? Z_FINISH : Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END && result != Z_BUF_ERROR) {
      deflateEnd(&stream);
      return absl::InternalError(absl::StrCat("zlib: deflate failed (", result, ")"));
    }
    rest.remove_prefix(take - stream.avail_in);
    offset += before_out - stream.avail_out;
  }
  deflateEnd(&stream);
  out.resize(offset);
  return out;
}

absl::StatusOr<GunzipResult> GzipDecompress(std::string_view bytes, std::size_t max_content_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) return absl::InternalError("zlib: inflateInit2 failed");
  std::array<Bytef, kMaxComment + 1> comment{};
  gz_header header{};
  header.comment = comment.data();
  header.comm_max = static_cast<uInt>(comment.size() - 1);
  inflateGetHeader(&stream, &header);
  GunzipResult out;
  std::array<char, kChunk> buffer{};
  std::string_view rest = bytes;
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    const std::size_t take = std::min<std::size_t>(rest.size(), UINT_MAX);
    stream.next_in = InputOf(rest.substr(0, take));
    stream.avail_in = static_cast<uInt>(take);
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = static_cast<uInt>(buffer.size());
    result = inflate(&stream, Z_NO_FLUSH);
    const std::size_t produced = buffer.size() - stream.avail_out;
    rest.remove_prefix(take - stream.avail_in);
    if (result == Z_NEED_DICT || result == Z_DATA_ERROR || result == Z_MEM_ERROR ||
        result == Z_STREAM_ERROR || (result == Z_BUF_ERROR && rest.empty())) {
      inflateEnd(&stream);
      return absl::InvalidArgumentError(
          rest.empty() && result == Z_BUF_ERROR
              ? "not gzip: the data ends before the gzip member does"
              : absl::StrCat("not gzip or corrupt: ", stream.msg != nullptr ? stream.msg : "zlib error"));
    }
    if (out.content.size() + produced > max_content_bytes) {
      inflateEnd(&stream);
      return absl::ResourceExhaustedError(
          absl::StrCat("gzip content larger than ", max_content_bytes, " bytes; refused"));
    }
    out.content.append(buffer.data(), produced);
    if (result != Z_STREAM_END && produced == 0 && rest.empty()) {
      inflateEnd(&stream);
      return absl::InvalidArgumentError("not gzip: the data ends before the gzip member does");
    }
  }
  inflateEnd(&stream);
  if (!rest.empty()) return absl::InvalidArgumentError("bytes after the gzip member");
  if (header.done == 1 && header.comment != Z_NULL) {
    out.comment.assign(reinterpret_cast<const char*>(comment.data()),
                       strnlen(reinterpret_cast<const char*>(comment.data()), comment.size() - 1));
  }
  return out;
}

}  // namespace creditbot
