// The evidence.json.gz format (frozen_evidence.h): written with RapidJSON's compact Writer, read with its
// DOM, every member checked before use (the bytes are untrusted).
#include "evidence/frozen_evidence.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/gzip.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "core/mode.h"

namespace creditbot {
namespace {

constexpr char kFormat[] = "creditbot-evidence";
constexpr char kHashPrefix[] = "sha256=";

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }
std::string TimeText(absl::Time time) {
  return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
}

class Out {
 public:
  explicit Out(JsonWriter& writer) : w_(writer) {}
  void Text(std::string_view text) { w_.String(text.data(), static_cast<rapidjson::SizeType>(text.size())); }
  void Key(std::string_view key) { w_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }
  void Bool(bool value) { w_.Bool(value); }
  void Int(int64_t value) { w_.Int64(value); }
  void Null() { w_.Null(); }
  void Money(Decimal value) { Text(value.ToString()); }
  void Day(absl::CivilDay day) { Text(DayText(day)); }
  void Time(absl::Time time) { Text(TimeText(time)); }
  void OptionalTime(const std::optional<absl::Time>& time) { time ? Time(*time) : Null(); }
  void OptionalDay(const std::optional<absl::CivilDay>& day) { day ? Day(*day) : Null(); }
  // One value per argument, each written by its type (a mode by its name).
  template <typename... Ts>
  void Values(const Ts&... values) {
    (Put(values), ...);
  }
  // "key": value, the value written by its type.
  template <typename T>
  void Member(std::string_view key, const T& value) {
    Key(key);
    Put(value);
  }
  JsonWriter& w() { return w_; }

 private:
  void Put(std::string_view text) { Text(text); }
  void Put(const std::string& text) { Text(text); }
  void Put(const InternedText& text) { Text(text.view()); }
  void Put(bool value) { Bool(value); }
  void Put(int64_t value) { Int(value); }
  void Put(Decimal value) { Money(value); }
  void Put(Mode mode) { Text(ModeName(mode)); }
  void Put(absl::CivilDay day) { Day(day); }
  void Put(ReportDay day) { Day(day); }
  void Put(const std::optional<absl::CivilDay>& day) { OptionalDay(day); }
  void Put(absl::Time time) { Time(time); }
  void Put(const std::optional<absl::Time>& time) { OptionalTime(time); }

  JsonWriter& w_;
};

// The member `key`: an array holding, for each item, the array of values `each` writes.
template <typename T, typename Each>
void WriteRows(Out& out, std::string_view key, const std::vector<T>& items, Each each) {
  out.Key(key);
  out.w().StartArray();
  for (const T& item : items) {
    out.w().StartArray();
    each(item);
    out.w().EndArray();
  }
  out.w().EndArray();
}

// The text members of an earlier entry, by name (EarlierEntry or const EarlierEntry).
template <typename Entry>
auto TextMembersOf(Entry& entry) {
  using Field = decltype(&entry.execution_id);
  return std::array<std::pair<const char*, Field>, 7>{{{"execution_id", &entry.execution_id},
                                                       {"request_key", &entry.request_key},
                                                       {"channel", &entry.channel},
                                                       {"ts", &entry.ts},
                                                       {"link", &entry.link},
                                                       {"parent_account_sid", &entry.parent_account_sid},
                                                       {"product", &entry.product}}};
}

void WriteEarlier(const EarlierCredits& earlier, Out& out) {
  out.w().StartObject();
  out.Member("request_key", earlier.request_key);
  out.Member("product", earlier.product);
  out.Member("dry_run", earlier.dry_run);
  out.Key("entries");
  out.w().StartArray();
  for (const EarlierEntry& entry : earlier.entries) {
    out.w().StartObject();
    for (const auto& [key, value] : TextMembersOf(entry)) out.Member(key, *value);
    out.Member("dry_run", entry.dry_run);
    out.Member("holds_cells", entry.holds_cells);
    out.Member("credited_on", entry.credited_on);
    out.Member("final_amount", entry.final_amount);
    WriteRows(out, "cells", entry.cells, [&](const CreditedCell& cell) {
      out.Values(cell.cell.day, cell.cell.account_sid, cell.cell.service_sid, cell.cell.mcc, cell.cell.mnc,
                 cell.credited);
    });
    out.w().EndObject();
  }
  out.w().EndArray();
  out.w().EndObject();
}

// ---- reading ----

using Json = rapidjson::Value;

absl::Status Bad(std::string_view path, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("evidence: ", ToAbsl(path), ": ", ToAbsl(what)));
}

absl::StatusOr<const Json*> Member(const Json& object, const char* name) {
  if (!object.IsObject()) return Bad(name, "its parent is not an object");
  auto found = object.FindMember(name);
  if (found == object.MemberEnd()) return Bad(name, "missing");
  return &found->value;
}

absl::StatusOr<std::string> TextOf(const Json& value, std::string_view path) {
  if (!value.IsString()) return Bad(path, "not a string");
  return std::string(value.GetString(), value.GetStringLength());
}
absl::StatusOr<bool> BoolOf(const Json& value, std::string_view path) {
  if (!value.IsBool()) return Bad(path, "not true or false");
  return value.GetBool();
}
absl::StatusOr<int64_t> IntOf(const Json& value, std::string_view path) {
  if (!value.IsInt64()) return Bad(path, "not an integer");
  return value.GetInt64();
}
absl::StatusOr<Decimal> MoneyOf(const Json& value, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, TextOf(value, path));
  absl::StatusOr<Decimal> parsed = Decimal::Parse(text);
  if (!parsed.ok()) return Bad(path, ToStd(parsed.status().message()));
  return parsed;
}
absl::StatusOr<absl::CivilDay> DayOf(const Json& value, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, TextOf(value, path));
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day) || DayText(day) != text) return Bad(path, "not a YYYY-MM-DD day");
  return day;
}
absl::StatusOr<std::optional<absl::CivilDay>> OptionalDayOf(const Json& value, std::string_view path) {
  if (value.IsNull()) return std::optional<absl::CivilDay>();
  CREDITBOT_ASSIGN_OR_RETURN(absl::CivilDay day, DayOf(value, path));
  return std::optional<absl::CivilDay>(day);
}
absl::StatusOr<absl::Time> TimeOf(const Json& value, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, TextOf(value, path));
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) return Bad(path, "not an RFC 3339 time");
  return time;
}
absl::StatusOr<std::optional<absl::Time>> OptionalTimeOf(const Json& value, std::string_view path) {
  if (value.IsNull()) return std::optional<absl::Time>();
  CREDITBOT_ASSIGN_OR_RETURN(absl::Time time, TimeOf(value, path));
  return std::optional<absl::Time>(time);
}
absl::StatusOr<Mode> ModeOf(const Json& value, std::string_view path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, TextOf(value, path));
  std::optional<Mode> mode = ParseMode(text);
  if (!mode) return Bad(path, "not a Fraud Guard mode");
  return *mode;
}

// The reader of one value of type T.
template <typename T>
absl::StatusOr<T> ValueOf(const Json& value, const std::string& at) {
  if constexpr (std::is_same_v<T, std::string>) return TextOf(value, at);
  if constexpr (std::is_same_v<T, bool>) return BoolOf(value, at);
  if constexpr (std::is_same_v<T, int64_t>) return IntOf(value, at);
  if constexpr (std::is_same_v<T, Decimal>) return MoneyOf(value, at);
  if constexpr (std::is_same_v<T, Mode>) return ModeOf(value, at);
  if constexpr (std::is_same_v<T, absl::CivilDay>) return DayOf(value, at);
  if constexpr (std::is_same_v<T, std::optional<absl::CivilDay>>) return OptionalDayOf(value, at);
  if constexpr (std::is_same_v<T, absl::Time>) return TimeOf(value, at);
  if constexpr (std::is_same_v<T, std::optional<absl::Time>>) return OptionalTimeOf(value, at);
}

// One value of a row into a field, by the field's type.
template <typename T>
absl::Status Into(const Json& value, const std::string& at, T& field) {
  CREDITBOT_ASSIGN_OR_RETURN(field, ValueOf<T>(value, at));
  return absl::OkStatus();
}

// `row` (at `at`), an array of exactly as many values as `fields`, read into them in order.
template <typename... Fields>
absl::Status ReadFields(const Json& row, const std::string& at, Fields&... fields) {
  constexpr rapidjson::SizeType kWidth = sizeof...(Fields);
  if (!row.IsArray() || row.Size() != kWidth) return Bad(at, absl::StrCat("not an array of ", kWidth));
  rapidjson::SizeType index = 0;
  absl::Status status;
  ((status.ok() ? (void)(status = Into(row[index++], at, fields)) : (void)0), ...);
  return status;
}

// The array member `name` of `object`, each element read into a T by `read(row, at, T&)` (ReadFields).
template <typename T, typename Read>
absl::StatusOr<std::vector<T>> Rows(const Json& object, const char* name, Read read) {
  CREDITBOT_ASSIGN_OR_RETURN(const Json* array, Member(object, name));
  if (!array->IsArray()) return Bad(name, "not an array");
  std::vector<T> rows(array->Size());
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    CREDITBOT_RETURN_IF_ERROR(read((*array)[i], absl::StrCat(name, "[", i, "]"), rows[i]));
  }
  return rows;
}

absl::StatusOr<EarlierCredits> ReadEarlier(const Json& object) {
  EarlierCredits earlier;
  CREDITBOT_ASSIGN_OR_RETURN(const Json* key, Member(object, "request_key"));
  CREDITBOT_ASSIGN_OR_RETURN(earlier.request_key, TextOf(*key, "earlier_credits.request_key"));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* product, Member(object, "product"));
  CREDITBOT_ASSIGN_OR_RETURN(earlier.product, TextOf(*product, "earlier_credits.product"));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* dry_run, Member(object, "dry_run"));
  CREDITBOT_ASSIGN_OR_RETURN(earlier.dry_run, BoolOf(*dry_run, "earlier_credits.dry_run"));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* entries, Member(object, "entries"));
  if (!entries->IsArray()) return Bad("earlier_credits.entries", "not an array");
  for (rapidjson::SizeType i = 0; i < entries->Size(); ++i) {
    const Json& item = (*entries)[i];
    const std::string path = absl::StrCat("earlier_credits.entries[", i, "]");
    if (!item.IsObject()) return Bad(path, "not an object");
    EarlierEntry entry;
    for (const auto& [name, field] : TextMembersOf(entry)) {
      CREDITBOT_ASSIGN_OR_RETURN(const Json* value, Member(item, name));
      CREDITBOT_ASSIGN_OR_RETURN(*field, TextOf(*value, absl::StrCat(path, ".", name)));
    }
    CREDITBOT_ASSIGN_OR_RETURN(const Json* entry_dry_run, Member(item, "dry_run"));
    CREDITBOT_ASSIGN_OR_RETURN(entry.dry_run, BoolOf(*entry_dry_run, path));
    CREDITBOT_ASSIGN_OR_RETURN(const Json* holds, Member(item, "holds_cells"));
    CREDITBOT_ASSIGN_OR_RETURN(entry.holds_cells, BoolOf(*holds, path));
    CREDITBOT_ASSIGN_OR_RETURN(const Json* credited_on, Member(item, "credited_on"));
    CREDITBOT_ASSIGN_OR_RETURN(entry.credited_on, OptionalDayOf(*credited_on, path));
    CREDITBOT_ASSIGN_OR_RETURN(const Json* final_amount, Member(item, "final_amount"));
    CREDITBOT_ASSIGN_OR_RETURN(entry.final_amount, MoneyOf(*final_amount, path));
    auto cells =
        Rows<CreditedCell>(item, "cells", [](const Json& row, const std::string& at, CreditedCell& cell) {
          return ReadFields(row, at, cell.cell.day, cell.cell.account_sid, cell.cell.service_sid,
                            cell.cell.mcc, cell.cell.mnc, cell.credited);
        });
    if (!cells.ok()) return cells.status();
    entry.cells = *std::move(cells);
    earlier.entries.push_back(std::move(entry));
  }
  return earlier;
}

absl::StatusOr<FraudReport> ReadReport(const Json& object) {
  FraudReport report;
  CREDITBOT_ASSIGN_OR_RETURN(const Json* columns, Member(object, "columns"));
  if (!columns->IsArray()) return Bad("report.columns", "not an array");
  for (rapidjson::SizeType i = 0; i < columns->Size(); ++i) {
    CREDITBOT_ASSIGN_OR_RETURN(std::string column, TextOf((*columns)[i], "report.columns"));
    report.columns.push_back(std::move(column));
  }
  CREDITBOT_ASSIGN_OR_RETURN(const Json* service, Member(object, "has_service_column"));
  CREDITBOT_ASSIGN_OR_RETURN(report.has_service_column, BoolOf(*service, "report.has_service_column"));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* blocked, Member(object, "has_blocked_column"));
  CREDITBOT_ASSIGN_OR_RETURN(report.has_blocked_column, BoolOf(*blocked, "report.has_blocked_column"));
  TextInterner interner;
  auto rows = Rows<FraudRow>(object, "rows", [&](const Json& row, const std::string& at, FraudRow& out) {
    absl::CivilDay day;
    std::string texts[5];
    CREDITBOT_RETURN_IF_ERROR(ReadFields(row, at, day, texts[0], texts[1], texts[2], texts[3], texts[4],
                                         out.attempts_sent, out.attempts_blocked, out.fraud_charges));
    out.day = day;
    out.account_sid = interner.Intern(texts[0]);
    out.service_sid = interner.Intern(texts[1]);
    out.mcc = interner.Intern(texts[2]);
    out.mnc = interner.Intern(texts[3]);
    out.country = interner.Intern(texts[4]);
    return absl::OkStatus();
  });
  if (!rows.ok()) return rows.status();
  report.rows = *std::move(rows);
  return report;
}

absl::StatusOr<FrozenEvidence> ReadDocument(const Json& root) {
  if (!root.IsObject()) return Bad("(document)", "not a JSON object");
  CREDITBOT_ASSIGN_OR_RETURN(const Json* format, Member(root, "format"));
  if (!format->IsString() || std::string_view(format->GetString()) != kFormat) {
    return Bad("format", absl::StrCat("not \"", kFormat, "\""));
  }
  CREDITBOT_ASSIGN_OR_RETURN(const Json* version, Member(root, "version"));
  if (!version->IsInt() || version->GetInt() != kFrozenEvidenceVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "evidence: format version ", version->IsInt() ? absl::StrCat(version->GetInt()) : "(not a number)",
        " is not the version this creditbot reads (", kFrozenEvidenceVersion, ")"));
  }
  FrozenEvidence frozen;
  Evidence& evidence = frozen.evidence;
  CREDITBOT_ASSIGN_OR_RETURN(const Json* sql, Member(root, "sql"));
  CREDITBOT_ASSIGN_OR_RETURN(frozen.sql, TextOf(*sql, "sql"));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* claim_date, Member(root, "claim_date"));
  CREDITBOT_ASSIGN_OR_RETURN(evidence.claim_date, DayOf(*claim_date, "claim_date"));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* report, Member(root, "report"));
  CREDITBOT_ASSIGN_OR_RETURN(evidence.report, ReadReport(*report));

  using At = const std::string&;
  CREDITBOT_ASSIGN_OR_RETURN(
      evidence.accounts, Rows<AccountInfo>(root, "accounts", [](const Json& row, At at, AccountInfo& out) {
        return ReadFields(row, at, out.account_sid, out.parent_account_sid, out.status);
      }));
  CREDITBOT_ASSIGN_OR_RETURN(
      evidence.services, Rows<ServiceInfo>(root, "services", [](const Json& row, At at, ServiceInfo& out) {
        return ReadFields(row, at, out.service_sid, out.account_sid, out.custom_code_enabled);
      }));
  CREDITBOT_ASSIGN_OR_RETURN(
      evidence.modes, Rows<ModeInterval>(root, "modes", [](const Json& row, At at, ModeInterval& out) {
        return ReadFields(row, at, out.service_sid, out.account_sid, out.mode, out.from, out.to);
      }));
  CREDITBOT_ASSIGN_OR_RETURN(
      evidence.geo_permissions,
      Rows<GeoPermissionInterval>(
          root, "geo_permissions", [](const Json& row, At at, GeoPermissionInterval& out) {
            return ReadFields(row, at, out.account_sid, out.iso_country, out.permission, out.from, out.to);
          }));
  CREDITBOT_ASSIGN_OR_RETURN(
      evidence.costs, Rows<ProviderCost>(root, "costs", [](const Json& row, At at, ProviderCost& out) {
        return ReadFields(row, at, out.mcc, out.mnc, out.cost_usd_per_sms, out.from, out.to);
      }));
  CREDITBOT_ASSIGN_OR_RETURN(evidence.block_rates,
                             Rows<BlockRate>(root, "block_rates", [](const Json& row, At at, BlockRate& out) {
                               return ReadFields(row, at, out.mode, out.mcc, out.rate);
                             }));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* mrr, Member(root, "mrr"));
  if (!mrr->IsNull()) {
    CREDITBOT_ASSIGN_OR_RETURN(Decimal amount, MoneyOf(*mrr, "mrr"));
    evidence.mrr = amount;
  }
  CREDITBOT_ASSIGN_OR_RETURN(const Json* mrr_month, Member(root, "mrr_month"));
  if (!mrr_month->IsNull()) {
    CREDITBOT_ASSIGN_OR_RETURN(std::string text, TextOf(*mrr_month, "mrr_month"));
    absl::CivilMonth month;
    if (!absl::ParseCivilTime(text, &month) || absl::FormatCivilTime(month) != text) {
      return Bad("mrr_month", "not a YYYY-MM month");
    }
    evidence.mrr_month = month;
  }
  CREDITBOT_ASSIGN_OR_RETURN(
      evidence.prior_credits,
      Rows<PriorCredit>(root, "prior_credits", [](const Json& row, At at, PriorCredit& out) {
        return ReadFields(row, at, out.created, out.status, out.amount, out.product);
      }));
  CREDITBOT_ASSIGN_OR_RETURN(const Json* earlier, Member(root, "earlier_credits"));
  if (!earlier->IsNull()) {
    if (!earlier->IsObject()) return Bad("earlier_credits", "not an object or null");
    CREDITBOT_ASSIGN_OR_RETURN(EarlierCredits credits, ReadEarlier(*earlier));
    frozen.earlier_credits = std::move(credits);
  }
  return frozen;
}

}  // namespace

std::string FrozenEvidenceJson(std::string_view sql, const Evidence& evidence,
                               const EarlierCredits* earlier) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  Out out(writer);
  writer.StartObject();
  out.Key("format");
  out.Text(kFormat);
  out.Key("version");
  out.Int(kFrozenEvidenceVersion);
  out.Key("sql");
  out.Text(sql);
  out.Key("claim_date");
  out.Day(evidence.claim_date);

  out.Key("report");
  writer.StartObject();
  out.Key("columns");
  writer.StartArray();
  for (const std::string& column : evidence.report.columns) out.Text(column);
  writer.EndArray();
  out.Key("has_service_column");
  out.Bool(evidence.report.has_service_column);
  out.Key("has_blocked_column");
  out.Bool(evidence.report.has_blocked_column);
  WriteRows(out, "rows", evidence.report.rows, [&](const FraudRow& row) {
    out.Values(row.day, row.account_sid, row.service_sid, row.mcc, row.mnc, row.country, row.attempts_sent,
               row.attempts_blocked, row.fraud_charges);
  });
  writer.EndObject();

  WriteRows(out, "accounts", evidence.accounts, [&](const AccountInfo& account) {
    out.Values(account.account_sid, account.parent_account_sid, account.status);
  });
  WriteRows(out, "services", evidence.services, [&](const ServiceInfo& service) {
    out.Values(service.service_sid, service.account_sid, service.custom_code_enabled);
  });
  WriteRows(out, "modes", evidence.modes, [&](const ModeInterval& mode) {
    out.Values(mode.service_sid, mode.account_sid, mode.mode, mode.from, mode.to);
  });
  WriteRows(out, "geo_permissions", evidence.geo_permissions, [&](const GeoPermissionInterval& geo) {
    out.Values(geo.account_sid, geo.iso_country, geo.permission, geo.from, geo.to);
  });
  WriteRows(out, "costs", evidence.costs, [&](const ProviderCost& cost) {
    out.Values(cost.mcc, cost.mnc, cost.cost_usd_per_sms, cost.from, cost.to);
  });
  WriteRows(out, "block_rates", evidence.block_rates,
            [&](const BlockRate& rate) { out.Values(rate.mode, rate.mcc, rate.rate); });
  out.Key("mrr");
  evidence.mrr ? out.Money(*evidence.mrr) : out.Null();
  out.Key("mrr_month");
  evidence.mrr_month ? out.Text(absl::FormatCivilTime(*evidence.mrr_month)) : out.Null();
  WriteRows(out, "prior_credits", evidence.prior_credits, [&](const PriorCredit& credit) {
    out.Values(credit.created, credit.status, credit.amount, credit.product);
  });
  out.Key("earlier_credits");
  earlier != nullptr ? WriteEarlier(*earlier, out) : out.Null();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string FrozenEvidenceJson(const FrozenEvidence& frozen) {
  return FrozenEvidenceJson(frozen.sql, frozen.evidence,
                            frozen.earlier_credits ? &*frozen.earlier_credits : nullptr);
}

absl::StatusOr<std::string> EncodeFrozenEvidence(const FrozenEvidence& frozen, std::string* sha256) {
  return EncodeFrozenEvidence(frozen.sql, frozen.evidence,
                              frozen.earlier_credits ? &*frozen.earlier_credits : nullptr, sha256);
}

absl::StatusOr<std::string> EncodeFrozenEvidence(std::string_view sql, const Evidence& evidence,
                                                 const EarlierCredits* earlier, std::string* sha256) {
  const std::string json = FrozenEvidenceJson(sql, evidence, earlier);
  const std::string hash = Sha256Hex(json);
  if (sha256 != nullptr) *sha256 = hash;
  return GzipCompress(json, absl::StrCat(kFormat, " v", kFrozenEvidenceVersion, " ", kHashPrefix, hash));
}

absl::StatusOr<FrozenEvidence> ParseFrozenEvidenceJson(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) return Bad("(document)", "not JSON");
  return ReadDocument(document);
}

absl::StatusOr<FrozenEvidence> DecodeFrozenEvidence(std::string_view bytes, std::string* sha256) {
  absl::StatusOr<GunzipResult> gunzipped = GzipDecompress(bytes, kMaxFrozenEvidenceBytes);
  if (!gunzipped.ok()) {
    if (absl::IsResourceExhausted(gunzipped.status())) return gunzipped.status();
    return absl::InvalidArgumentError(absl::StrCat("evidence: ", gunzipped.status().message()));
  }
  const std::size_t at = gunzipped->comment.rfind(kHashPrefix);
  if (at == std::string::npos) return Bad("gzip header", "no sha256= in its comment");
  const std::string stated = gunzipped->comment.substr(at + std::string_view(kHashPrefix).size());
  if (stated != Sha256Hex(gunzipped->content)) {
    return Bad("gzip header", "the content's SHA-256 is not the one stated: corrupt or altered");
  }
  if (sha256 != nullptr) *sha256 = stated;
  return ParseFrozenEvidenceJson(gunzipped->content);
}

}  // namespace creditbot
