// The result JSON, written as it is produced: RapidJSON's PrettyWriter over a 64 KiB buffer that is handed
// to the destination (a FILE*, a string) whenever it fills, so rendering costs a constant amount of memory
// whatever the number of lines. The bytes are those of the nlohmann-json document it replaced (checked by
// core/report_json_test.cc against files that document wrote): 2-space indent, "key": value, strings
// escaped as nlohmann escapes them (see JsonEscaper).
#include "core/report_json.h"

#include <rapidjson/prettywriter.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "common/strings.h"

namespace creditbot {
namespace {

// A RapidJSON output stream: bytes gather in a buffer that goes to `sink` when full and on Flush().
class ChunkStream {
 public:
  using Ch = char;
  explicit ChunkStream(absl::FunctionRef<void(std::string_view)> sink)
      : sink_(sink), buffer_(new char[kSize]) {}
  ChunkStream(const ChunkStream&) = delete;
  ChunkStream& operator=(const ChunkStream&) = delete;

  void Put(char c) {
    if (used_ == kSize) Flush();
    buffer_[used_++] = c;
  }
  void Flush() {
    if (used_ > 0) sink_(std::string_view(buffer_.get(), used_));
    used_ = 0;
  }
  void Write(std::string_view bytes) {
    while (!bytes.empty()) {
      if (used_ == kSize) Flush();
      const size_t n = std::min(kSize - used_, bytes.size());
      std::memcpy(buffer_.get() + used_, bytes.data(), n);
      used_ += n;
      bytes.remove_prefix(n);
    }
  }

 private:
  static constexpr size_t kSize = size_t{1} << 16;
  absl::FunctionRef<void(std::string_view)> sink_;
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
};

// Text as nlohmann-json's dump() wrote it (ensure_ascii off): `"` and `\` escaped, \b \f \n \r \t as
// such, other control characters as \u00xx (lower-case hex), everything else, DEL and UTF-8 included,
// as it is. nlohmann threw on invalid UTF-8; each byte that does not belong to a valid UTF-8 sequence
// becomes U+FFFD instead, so a document is never left half-written.
class JsonEscaper {
 public:
  // `text` quoted and escaped; valid until the next call.
  const std::string& Quote(std::string_view text) {
    out_.assign(1, '"');
    size_t i = 0;
    while (i < text.size()) {
      size_t plain = i;  // a run that needs no escaping is copied at once
      while (plain < text.size() && IsPlain(static_cast<unsigned char>(text[plain]))) ++plain;
      out_.append(text.data() + i, plain - i);
      i = plain;
      if (i == text.size()) break;
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x80) {
        const size_t length = Utf8SequenceLength(text.substr(i));
        if (length == 0) {
          out_ += "\xEF\xBF\xBD";
          ++i;
        } else {
          out_.append(text.data() + i, length);
          i += length;
        }
        continue;
      }
      AppendAscii(static_cast<char>(c));
      ++i;
    }
    out_ += '"';
    return out_;
  }

 private:
  static bool IsPlain(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

  void AppendAscii(char c) {
    switch (c) {
      case '"':
        out_ += "\\\"";
        return;
      case '\\':
        out_ += "\\\\";
        return;
      case '\b':
        out_ += "\\b";
        return;
      case '\f':
        out_ += "\\f";
        return;
      case '\n':
        out_ += "\\n";
        return;
      case '\r':
        out_ += "\\r";
        return;
      case '\t':
        out_ += "\\t";
        return;
      default:
        break;
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      const auto byte = static_cast<unsigned char>(c);
      out_ += "\\u00";
      out_ += kHex[byte >> 4];
      out_ += kHex[byte & 0xF];
      return;
    }
    out_ += c;
  }

  // The length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, at most
  // U+10FFFF) that starts `text` with a byte ≥ 0x80, or 0 when there is none.
  static size_t Utf8SequenceLength(std::string_view text) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return 0;
    }
    if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
    for (size_t i = 2; i < length; ++i) {
      if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    }
    return length;
  }

  std::string out_;
};

// The writer of one document: RapidJSON's PrettyWriter (structure, indentation, numbers) with strings
// escaped by JsonEscaper and passed through as raw string values.
class ResultWriter {
 public:
  explicit ResultWriter(ChunkStream& stream) : stream_(stream), writer_(stream) { writer_.SetIndent(' ', 2); }

  // Members, keyed.
  void Text(std::string_view key, std::string_view value) {
    Name(key);
    String(value);
  }
  void Money(std::string_view key, Decimal value) { Text(key, value.ToString(2)); }
  void Day(std::string_view key, absl::CivilDay day) { Text(key, absl::FormatCivilTime(day)); }
  void OptionalDay(std::string_view key, const std::optional<absl::CivilDay>& day) {
    if (day) return Day(key, *day);
    Name(key);
    writer_.Null();
  }
  void OptionalText(std::string_view key, const std::optional<std::string>& value) {
    if (value) return Text(key, *value);
    Name(key);
    writer_.Null();
  }
  void Integer(std::string_view key, int64_t value) {
    Name(key);
    writer_.Int64(value);
  }
  void Bool(std::string_view key, bool value) {
    Name(key);
    writer_.Bool(value);
  }
  void Texts(std::string_view key, const std::vector<std::string>& values) {
    Name(key);
    writer_.StartArray();
    for (const std::string& value : values) String(value);
    writer_.EndArray();
  }
  void StartObject(std::string_view key) {
    Name(key);
    writer_.StartObject();
  }
  void StartArray(std::string_view key) {
    Name(key);
    writer_.StartArray();
  }

  // Unkeyed (the document itself, array elements).
  void StartObject() { writer_.StartObject(); }
  void EndObject() { writer_.EndObject(); }
  void EndArray() { writer_.EndArray(); }

 private:
  void Name(std::string_view key) { String(key); }
  void String(std::string_view value) {
    const std::string& quoted = escaper_.Quote(value);
    // The writer puts the separator and indentation (a raw value of no bytes), then the text goes to the
    // stream in one copy instead of byte by byte.
    writer_.RawValue(quoted.data(), 0, rapidjson::kStringType);
    stream_.Write(quoted);
  }

  ChunkStream& stream_;
  rapidjson::PrettyWriter<ChunkStream> writer_;
  JsonEscaper escaper_;
};

// One object per mode of the policy (Fraud Guard's four, or SMS Pumping Protection's off and on), in its
// order: its charges and what it is credited, and would be with every row in it.
void OutputDfJson(const std::vector<ModeBreakdown>& modes, ResultWriter& out) {
  out.StartArray("output_df");
  for (const ModeBreakdown& mode : modes) {
    out.StartObject();
    out.Text("mode", ModeName(mode.mode));
    out.Money("credit", mode.credit_in_mode);
    out.Money("fraud_charges_in_mode", mode.fraud_charges_in_mode);
    out.Money("credit_in_mode", mode.credit_in_mode);
    out.Text("expected_blocked_if_mode", mode.expected_blocked_if_mode.ToString());
    out.Money("credit_if_mode", mode.credit_if_mode);
    out.EndObject();
  }
  out.EndArray();
}

// One object per credit line, with why it was treated as it was.
void LinesJson(const CreditReport& report, ResultWriter& out) {
  out.StartArray("lines");
  for (const CreditLine& line : report.lines) {
    out.StartObject();
    out.Day("date", line.day);
    out.Text("account_sid", line.account_sid());
    out.Text("service_sid", line.service_sid());
    out.Text("mcc", line.mcc());
    out.Text("mnc", line.mnc());
    out.Text("country", line.country());
    out.Text("mode", ModeName(line.mode));
    out.Bool("mode_mixed_day", line.mode_mixed_day);
    out.Integer("attempts", line.attempts_sent);
    out.Integer("blocked", line.attempts_blocked);
    out.Integer("total_attempts", line.total_attempts);
    out.Money("charges", line.charges);
    out.Money("unit_charge", line.unit_charge);
    out.Money("provider_cost", line.provider_cost);
    out.Text("shortfall", line.shortfall.ToString());
    out.Money("eligible", line.eligible);
    out.Money("credited", line.credited);
    out.Text("treatment", TreatmentName(line.treatment));
    out.Text("why", WhyOf(line, report));
    out.EndObject();
  }
  out.EndArray();
}

// The totals and the policy parameters that produced them.
void SummaryJson(const CreditSummary& s, ResultWriter& out) {
  out.StartObject("summary");
  out.Money("promise", s.promise);
  out.Money("goodwill_raw", s.goodwill_raw);
  out.Money("goodwill_cap", s.goodwill_cap);
  out.Money("goodwill", s.goodwill);
  out.Money("raw", s.raw);
  out.Bool("cap_binds", s.cap_binds);
  out.Text("repeat_factor", s.repeat_factor.ToString(1));
  out.Money("approval_threshold", s.approval_threshold);
  out.Integer("rows", s.rows);
  out.Texts("accounts", s.accounts);
  out.Text("rounding", "once, at the end, to cents: half away from zero");
  out.Integer("duplicates_merged", s.duplicates_merged);
  out.Money("min_credit", s.min_credit);
  out.Money("auto_approve_limit", s.auto_approve_limit);
  out.Text("approval_mrr_multiple", s.approval_mrr_multiple.ToString(1));
  out.Integer("repeat_window_days", s.repeat_window_days);
  out.EndObject();
}

// The rows left out because earlier requests hold their cells (CREDIT_POLICY.md, "Cells already
// credited"): totals, then per earlier request its thread, this report's cells it held, their fraud charges
// here and what that request credited for them.
void AlreadyCreditedJson(const AlreadyCredited& already, ResultWriter& out) {
  out.StartObject("already_credited");
  out.Integer("rows", already.rows);
  out.Money("fraud_charges", already.fraud_charges);
  out.Money("credited", already.credited);
  out.StartArray("requests");
  for (const LeftOutEntry& entry : already.entries) {
    out.StartObject();
    out.Text("request", entry.request_key);
    out.Text("channel", entry.channel);
    out.Text("ts", entry.ts);
    out.Text("link", entry.link);
    out.Text("execution_id", entry.execution_id);
    out.Money("fraud_charges", entry.fraud_charges);
    out.Money("credited", entry.credited);
    out.StartArray("cells");
    for (const CellKey& cell : entry.cells) {
      out.StartObject();
      out.Day("date", cell.day);
      out.Text("account_sid", cell.account_sid);
      out.Text("service_sid", cell.service_sid);
      out.Text("mcc", cell.mcc);
      out.Text("mnc", cell.mnc);
      out.EndObject();
    }
    out.EndArray();
    out.EndObject();
  }
  out.EndArray();
  out.EndObject();
}

// Where the request came from (channel, message, report link, or SQL file) and the SQL's hash.
void InputsJson(const ExecutionMeta& meta, ResultWriter& out) {
  out.StartObject("inputs");
  out.StartObject("source");
  if (!meta.source_channel.empty()) {
    out.Text("channel", meta.source_channel);
    out.Text("ts", meta.source_ts);
    out.Text("looker_url", meta.looker_url);
  }
  if (!meta.sql_file.empty()) out.Text("sql_file", meta.sql_file);
  out.EndObject();
  out.Text("sql_sha256", meta.sql_sha256);
  out.EndObject();
}

// The whole document, then its closing newline, through `stream`.
void WriteDocument(const CreditReport& report, const ExecutionMeta& meta, ChunkStream& stream) {
  ResultWriter out(stream);
  out.StartObject();
  out.Text("execution_id", meta.execution_id);
  out.Text("timestamp", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", meta.timestamp, absl::UTCTimeZone()));
  out.Text("product", report.product);
  out.OptionalText("account_sid", report.account_sid);
  out.Text("parent_account_sid", report.parent_account_sid);
  out.Day("claim_date", report.claim_date);
  out.OptionalDay("fraud_start", report.fraud_start);
  out.OptionalDay("fraud_end", report.fraud_end);
  out.Money("fraud_total", report.fraud_total);
  if (report.mrr) {
    out.Money("mrr", *report.mrr);
  } else {
    out.OptionalText("mrr", std::nullopt);
  }
  out.Text("credit_amount", report.credit_amount.ToFixed(2));
  out.Text("currency", report.currency);
  out.Bool("needs_approval", report.needs_approval);
  out.OptionalText("reason", report.reason);
  if (!report.already_credited.empty()) AlreadyCreditedJson(report.already_credited, out);
  out.Texts("warnings", report.warnings);
  out.Text("fraud_guard_mode", ModeName(report.fraud_guard_mode));
  out.Bool("dry_run", meta.dry_run);
  OutputDfJson(report.output_df, out);
  LinesJson(report, out);
  SummaryJson(report.summary, out);
  out.StartObject("policy");
  out.Text("name", report.policy_name);
  out.Text("version", report.policy_version);
  out.Text("sha256", report.policy_sha256);
  out.EndObject();
  InputsJson(meta, out);
  out.EndObject();
  stream.Put('\n');
  stream.Flush();
}

}  // namespace

std::string MakeExecutionId(absl::Time now, std::string_view salt) {
  static absl::Mutex mutex(absl::kConstInit);
  static absl::BitGen* random = new absl::BitGen();
  uint64_t draw = 0;
  {
    absl::MutexLock lock(&mutex);
    draw = absl::Uniform<uint64_t>(*random);
  }
  std::string stamp = absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone());
  std::string digest = Sha256Hex(absl::StrCat(ToAbsl(salt), "|", stamp, "|", draw));
  return absl::StrCat(stamp, "-", digest.substr(0, 4));
}

std::string RenderResultJson(const CreditReport& report, const ExecutionMeta& meta) {
  // Twice: first counting the bytes, so the string is allocated once at its size. Growing it by doubling
  // would hold up to three times the document while it moves (the audit record of a large report).
  size_t size = 0;
  auto count = [&](std::string_view chunk) { size += chunk.size(); };
  ChunkStream counter(count);
  WriteDocument(report, meta, counter);
  std::string json;
  json.reserve(size);
  auto append = [&](std::string_view chunk) { json.append(chunk); };
  ChunkStream stream(append);
  WriteDocument(report, meta, stream);
  return json;
}

absl::Status WriteResultJson(const CreditReport& report, const ExecutionMeta& meta, std::FILE* out) {
  int error = 0;
  auto write = [&](std::string_view chunk) {
    if (error == 0 && std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size())
      error = errno ? errno : EIO;
  };
  ChunkStream stream(write);
  WriteDocument(report, meta, stream);
  if (error == 0 && std::fflush(out) != 0) error = errno ? errno : EIO;
  if (error != 0) {
    return absl::UnavailableError(absl::StrCat("writing the result JSON: ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace creditbot
