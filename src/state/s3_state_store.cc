// The S3 state store and its JSON document; see s3_state_store.h.
#include "state/s3_state_store.h"

#include <algorithm>
#include <climits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/backoff.h"
#include "common/json_fields.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/utc_time.h"

namespace creditbot {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

constexpr char kFormat[] = "creditbot-state";
// The newest version this creditbot reads. A paused store is written as version 2 (kPausedVersion), which a
// creditbot older than the pause switch refuses (it would otherwise answer through the pause, and drop the
// "pause" member on its next write); an unpaused one stays version 1, readable by it (a rollback works).
constexpr int64_t kVersion = 2;
constexpr int64_t kUnpausedVersion = 1;
constexpr int64_t kPausedVersion = 2;

absl::StatusOr<absl::Time> ReadTime(const Json& value, std::string_view field) {
  std::string error;
  absl::Time time;
  if (!value.is_string() || !absl::ParseTime(absl::RFC3339_full, value.get<std::string>(), &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", ToAbsl(field), "\" is not an RFC 3339 time (\"2026-01-15T12:34:56Z\")"));
  }
  return time;
}

std::string Dump(const OrderedJson& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

OrderedJson RecordJson(const RequestRecord& record) {
  OrderedJson json = OrderedJson::object();
  auto text = [&json](const char* name, const std::string& value) {
    if (!value.empty()) json[name] = value;
  };
  auto time = [&json](const char* name, const std::optional<absl::Time>& value) {
    if (value) json[name] = Rfc3339Utc(*value);
  };
  text("channel", record.channel);
  text("ts", record.ts);
  json["status"] = std::string(RequestStatusName(record.status));
  json["attempts"] = record.attempts;
  json["first_seen_at"] = Rfc3339Utc(record.first_seen_at);
  json["updated_at"] = Rfc3339Utc(record.updated_at);
  json["dry_run"] = record.dry_run;
  text("outcome", record.outcome);
  text("detail", record.detail);
  text("reply_ts", record.reply_ts);
  text("execution_id", record.execution_id);
  text("product", record.product);
  text("credit_amount", record.credit_amount);
  time("next_retry_at", record.next_retry_at);
  time("lease_until", record.lease_until);
  text("lease_holder", record.lease_holder);
  return json;
}

absl::StatusOr<RequestRecord> ParseRecord(const std::string& key, const Json& json) {
  if (key.empty()) return absl::InvalidArgumentError("an empty request key");
  if (!json.is_object()) return absl::InvalidArgumentError("not a JSON object");
  RequestRecord record;
  record.key = key;
  for (const auto& item : json.items()) {
    const std::string& name = item.key();
    const Json& value = item.value();
    if (value.is_null()) continue;
    auto text = [&](std::string& out) -> absl::Status {
      if (!value.is_string())
        return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a string"));
      out = value.get<std::string>();
      return absl::OkStatus();
    };
    if (name == "channel") {
      CREDITBOT_RETURN_IF_ERROR(text(record.channel));
    } else if (name == "ts") {
      CREDITBOT_RETURN_IF_ERROR(text(record.ts));
    } else if (name == "status") {
      std::string status;
      CREDITBOT_RETURN_IF_ERROR(text(status));
      std::optional<RequestStatus> parsed = ParseRequestStatus(status);
      if (!parsed) return absl::InvalidArgumentError(absl::StrCat("unknown status \"", status, "\""));
      record.status = *parsed;
    } else if (name == "attempts") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 || value.get<int64_t>() > INT_MAX)
        return absl::InvalidArgumentError("\"attempts\" is not a whole number ≥ 0");
      record.attempts = static_cast<int>(value.get<int64_t>());
    } else if (name == "first_seen_at") {
      CREDITBOT_ASSIGN_OR_RETURN(record.first_seen_at, ReadTime(value, name));
    } else if (name == "updated_at") {
      CREDITBOT_ASSIGN_OR_RETURN(record.updated_at, ReadTime(value, name));
    } else if (name == "next_retry_at") {
      CREDITBOT_ASSIGN_OR_RETURN(record.next_retry_at, ReadTime(value, name));
    } else if (name == "lease_until") {
      CREDITBOT_ASSIGN_OR_RETURN(record.lease_until, ReadTime(value, name));
    } else if (name == "dry_run") {
      if (!value.is_boolean()) return absl::InvalidArgumentError("\"dry_run\" is not true or false");
      record.dry_run = value.get<bool>();
    } else if (name == "lease_holder") {
      CREDITBOT_RETURN_IF_ERROR(text(record.lease_holder));
    } else if (name == "outcome") {
      CREDITBOT_RETURN_IF_ERROR(text(record.outcome));
    } else if (name == "detail") {
      CREDITBOT_RETURN_IF_ERROR(text(record.detail));
    } else if (name == "reply_ts") {
      CREDITBOT_RETURN_IF_ERROR(text(record.reply_ts));
    } else if (name == "execution_id") {
      CREDITBOT_RETURN_IF_ERROR(text(record.execution_id));
    } else if (name == "product") {
      CREDITBOT_RETURN_IF_ERROR(text(record.product));
    } else if (name == "credit_amount") {
      CREDITBOT_RETURN_IF_ERROR(text(record.credit_amount));
    }
    // Other names are left for newer writers (same version): ignored.
  }
  if (!json.contains("status")) return absl::InvalidArgumentError("no \"status\"");
  return record;
}

// A ledger entry (state/ledger.h) as the "ledger" section stores it, keyed by its execution id. Cells are
// arrays [day, account, service, MCC, MNC, credited], so a large report stays compact.
OrderedJson LedgerEntryJson(const LedgerEntry& entry) {
  OrderedJson json = OrderedJson::object();
  auto text = [&json](const char* name, const std::string& value) {
    if (!value.empty()) json[name] = value;
  };
  auto time = [&json](const char* name, const std::optional<absl::Time>& value) {
    if (value) json[name] = Rfc3339Utc(*value);
  };
  auto day = [&json](const char* name, const std::optional<absl::CivilDay>& value) {
    if (value) json[name] = absl::FormatCivilTime(*value);
  };
  text("request_key", entry.request_key);
  text("channel", entry.channel);
  text("ts", entry.ts);
  text("reply_ts", entry.reply_ts);
  text("requester", entry.requester);
  text("parent_account_sid", entry.parent_account_sid);
  text("product", entry.product);
  day("fraud_start", entry.fraud_start);
  day("fraud_end", entry.fraud_end);
  OrderedJson cells = OrderedJson::array();
  for (const LedgerCell& cell : entry.cells) {
    cells.push_back(OrderedJson{absl::FormatCivilTime(cell.day), cell.account_sid, cell.service_sid, cell.mcc,
                                cell.mnc, cell.credited});
  }
  json["cells"] = std::move(cells);
  if (!entry.credited_by_country.empty()) json["credited_by_country"] = entry.credited_by_country;
  if (!entry.credited_by_mode.empty()) json["credited_by_mode"] = entry.credited_by_mode;
  text("recommended_amount", entry.recommended_amount);
  text("currency", entry.currency);
  text("policy_name", entry.policy_name);
  text("policy_version", entry.policy_version);
  text("policy_sha256", entry.policy_sha256);
  json["dry_run"] = entry.dry_run;
  json["created_at"] = Rfc3339UtcMicros(entry.created_at);  // orders entries within a second
  json["status"] = std::string(LedgerStatusName(entry.status));
  text("final_amount", entry.final_amount);
  text("decided_by", entry.decided_by);
  time("decided_at", entry.decided_at);
  text("reason", entry.reason);
  text("superseded_by", entry.superseded_by);
  time("superseded_at", entry.superseded_at);
  json["reply_updated"] = entry.reply_updated;
  return json;
}

absl::StatusOr<std::optional<absl::CivilDay>> ReadDay(const Json& json, const char* name) {
  const Json* value = JsonMember(json, name);
  if (value == nullptr || value->is_null()) return std::optional<absl::CivilDay>();
  absl::CivilDay day;
  if (!value->is_string() || !absl::ParseCivilTime(value->get<std::string>(), &day)) {
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not a day (\"2026-01-15\")"));
  }
  return std::optional<absl::CivilDay>(day);
}

absl::StatusOr<std::optional<absl::Time>> ReadOptionalTime(const Json& json, const char* name) {
  const Json* value = JsonMember(json, name);
  if (value == nullptr || value->is_null()) return std::optional<absl::Time>();
  CREDITBOT_ASSIGN_OR_RETURN(absl::Time time, ReadTime(*value, name));
  return std::optional<absl::Time>(time);
}

absl::StatusOr<LedgerCell> ParseLedgerCell(const Json& json) {
  if (!json.is_array() || json.size() != 6 ||
      !std::all_of(json.begin(), json.end(), [](const Json& part) { return part.is_string(); })) {
    return absl::InvalidArgumentError("a cell is not [day, account, service, mcc, mnc, credited]");
  }
  LedgerCell cell;
  if (!absl::ParseCivilTime(json[0].get<std::string>(), &cell.day)) {
    return absl::InvalidArgumentError("a cell's day is not YYYY-MM-DD");
  }
  cell.account_sid = json[1].get<std::string>();
  cell.service_sid = json[2].get<std::string>();
  cell.mcc = json[3].get<std::string>();
  cell.mnc = json[4].get<std::string>();
  cell.credited = json[5].get<std::string>();
  return cell;
}

absl::StatusOr<LedgerEntry> ParseLedgerEntry(const std::string& execution_id, const Json& json) {
  if (execution_id.empty()) return absl::InvalidArgumentError("an empty execution id");
  if (!json.is_object()) return absl::InvalidArgumentError("not a JSON object");
  LedgerEntry entry;
  entry.execution_id = execution_id;
  entry.request_key = JsonStringMember(json, "request_key");
  entry.channel = JsonStringMember(json, "channel");
  entry.ts = JsonStringMember(json, "ts");
  entry.reply_ts = JsonStringMember(json, "reply_ts");
  entry.requester = JsonStringMember(json, "requester");
  entry.parent_account_sid = JsonStringMember(json, "parent_account_sid");
  entry.product = JsonStringMember(json, "product");
  CREDITBOT_ASSIGN_OR_RETURN(entry.fraud_start, ReadDay(json, "fraud_start"));
  CREDITBOT_ASSIGN_OR_RETURN(entry.fraud_end, ReadDay(json, "fraud_end"));
  if (const Json* cells = JsonMember(json, "cells"); cells != nullptr && !cells->is_null()) {
    if (!cells->is_array()) return absl::InvalidArgumentError("\"cells\" is not an array");
    for (const Json& cell : *cells) {
      CREDITBOT_ASSIGN_OR_RETURN(LedgerCell parsed, ParseLedgerCell(cell));
      entry.cells.push_back(std::move(parsed));
    }
  }
  for (const auto& [name, sums] : {std::pair{"credited_by_country", &entry.credited_by_country},
                                   std::pair{"credited_by_mode", &entry.credited_by_mode}}) {
    const Json* member = JsonMember(json, name);
    if (member == nullptr || member->is_null()) continue;
    if (!member->is_object())
      return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not an object"));
    for (const auto& [label, amount] : member->items()) {
      if (!amount.is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat("\"", name, "\" holds an amount that is not a string"));
      }
      (*sums)[label] = amount.get<std::string>();
    }
  }
  entry.recommended_amount = JsonStringMember(json, "recommended_amount");
  if (const Json* currency = JsonMember(json, "currency"); currency != nullptr && currency->is_string())
    entry.currency = currency->get<std::string>();
  entry.policy_name = JsonStringMember(json, "policy_name");
  entry.policy_version = JsonStringMember(json, "policy_version");
  entry.policy_sha256 = JsonStringMember(json, "policy_sha256");
  entry.dry_run = JsonBoolMember(json, "dry_run");
  const Json* created = JsonMember(json, "created_at");
  if (created == nullptr) return absl::InvalidArgumentError("no \"created_at\"");
  CREDITBOT_ASSIGN_OR_RETURN(entry.created_at, ReadTime(*created, "created_at"));
  const std::string status = JsonStringMember(json, "status");
  std::optional<LedgerStatus> parsed_status = ParseLedgerStatus(status);
  if (!parsed_status) return absl::InvalidArgumentError(absl::StrCat("unknown status \"", status, "\""));
  entry.status = *parsed_status;
  entry.final_amount = JsonStringMember(json, "final_amount");
  entry.decided_by = JsonStringMember(json, "decided_by");
  CREDITBOT_ASSIGN_OR_RETURN(entry.decided_at, ReadOptionalTime(json, "decided_at"));
  entry.reason = JsonStringMember(json, "reason");
  entry.superseded_by = JsonStringMember(json, "superseded_by");
  CREDITBOT_ASSIGN_OR_RETURN(entry.superseded_at, ReadOptionalTime(json, "superseded_at"));
  entry.reply_updated = JsonBoolMember(json, "reply_updated");
  return entry;
}

absl::StatusOr<StateLease> ParseLease(const Json& json) {
  if (!json.is_object() || !json.contains("holder") || !json["holder"].is_string() ||
      !json.contains("expires_at")) {
    return absl::InvalidArgumentError("a lease needs \"holder\" and \"expires_at\"");
  }
  StateLease lease;
  lease.holder = json["holder"].get<std::string>();
  CREDITBOT_ASSIGN_OR_RETURN(lease.expires_at, ReadTime(json["expires_at"], "expires_at"));
  return lease;
}

// Reads the object member `name` of `root` (absent: empty) and hands each entry to `read`; a bad entry
// fails the parse (strict) or lands in `unreadable`.
absl::Status ForEachEntry(const Json& root, const char* name, std::vector<std::string>* unreadable,
                          const std::function<absl::Status(const std::string&, const Json&)>& read) {
  auto member = root.find(name);
  if (member == root.end() || member->is_null()) return absl::OkStatus();
  if (!member->is_object())
    return absl::InvalidArgumentError(absl::StrCat("\"", name, "\" is not an object"));
  for (const auto& [key, value] : member->items()) {
    absl::Status status = read(key, value);
    if (status.ok()) continue;
    std::string what = absl::StrCat(name, " \"", key, "\": ", status.message());
    if (unreadable == nullptr) return absl::InvalidArgumentError(what);
    unreadable->push_back(std::move(what));
  }
  return absl::OkStatus();
}

bool IsSlackTs(std::string_view text) {
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != dot && !absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

bool IsChannelId(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

// "CHANNEL:TS" → {CHANNEL, TS}; "TS" → {"", TS}; nullopt otherwise.
std::optional<std::pair<std::string, std::string>> SplitMessageKey(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    if (!IsSlackTs(text)) return std::nullopt;
    return std::make_pair(std::string(), std::string(text));
  }
  std::string_view channel = text.substr(0, colon);
  std::string_view ts = text.substr(colon + 1);
  if (!IsChannelId(channel) || !IsSlackTs(ts)) return std::nullopt;
  return std::make_pair(std::string(channel), std::string(ts));
}

OrderedJson PauseJson(const PauseState& pause) {
  OrderedJson json = OrderedJson::object();
  json["paused"] = pause.paused;
  if (!pause.by.empty()) json["by"] = pause.by;
  if (pause.since) json["since"] = Rfc3339Utc(*pause.since);
  if (!pause.reason.empty()) json["reason"] = pause.reason;
  return json;
}

absl::StatusOr<PauseState> ParsePause(const Json& json) {
  if (!json.is_object()) return absl::InvalidArgumentError("\"pause\" is not an object");
  const Json* paused = JsonMember(json, "paused");
  if (paused == nullptr || !paused->is_boolean())
    return absl::InvalidArgumentError("\"pause\" has no \"paused\": true or false");
  PauseState pause;
  pause.paused = paused->get<bool>();
  pause.by = JsonStringMember(json, "by");
  pause.reason = JsonStringMember(json, "reason");
  CREDITBOT_ASSIGN_OR_RETURN(pause.since, ReadOptionalTime(json, "since"));
  return pause;
}

}  // namespace

StateSnapshot StateDocument::ToSnapshot() const {
  StateSnapshot snapshot;
  for (const auto& [key, record] : records) snapshot.records.push_back(record);
  snapshot.leases = leases;
  snapshot.cursors = cursors;
  for (const auto& [execution_id, entry] : ledger) snapshot.ledger.push_back(entry);
  snapshot.pause = pause;
  return snapshot;
}

StateDocument StateDocument::FromSnapshot(const StateSnapshot& snapshot) {
  StateDocument document;
  for (const RequestRecord& record : snapshot.records) document.records[record.key] = record;
  document.leases = snapshot.leases;
  document.cursors = snapshot.cursors;
  for (const LedgerEntry& entry : snapshot.ledger) document.ledger[entry.execution_id] = entry;
  document.pause = snapshot.pause;
  return document;
}

std::string SerializeStateDocument(const StateDocument& document) {
  const bool paused = document.pause && document.pause->paused;
  std::string out = absl::StrCat(
      "{\n  \"format\": \"", kFormat, "\",\n  \"version\": ", paused ? kPausedVersion : kUnpausedVersion,
      ",\n  \"revision\": ", document.revision, ",\n  \"writer\": ", Dump(document.writer), ",\n");
  if (document.written_at)
    absl::StrAppend(&out, "  \"written_at\": \"", Rfc3339Utc(*document.written_at), "\",\n");
  if (document.pause) absl::StrAppend(&out, "  \"pause\": ", Dump(PauseJson(*document.pause)), ",\n");
  auto section = [&out](const char* name, const auto& entries, const auto& to_json, bool last) {
    absl::StrAppend(&out, "  \"", name, "\": {");
    bool first = true;
    for (const auto& [key, value] : entries) {
      absl::StrAppend(&out, first ? "\n" : ",\n", "    ", Dump(key), ": ", Dump(to_json(value)));
      first = false;
    }
    absl::StrAppend(&out, first ? "}" : "\n  }", last ? "\n" : ",\n");
  };
  section("records", document.records, RecordJson, false);
  section(
      "leases", document.leases,
      [](const StateLease& lease) {
        return OrderedJson{{"holder", lease.holder}, {"expires_at", Rfc3339Utc(lease.expires_at)}};
      },
      false);
  section(
      "cursors", document.cursors, [](const std::string& value) { return OrderedJson(value); },
      document.ledger.empty());
  // Only in the ledger object and in exports: the state object itself keeps the format it always had.
  if (!document.ledger.empty()) section("ledger", document.ledger, LedgerEntryJson, true);
  out += "}\n";
  return out;
}

absl::StatusOr<StateDocument> ParseStateDocument(std::string_view json,
                                                 std::vector<std::string>* unreadable) {
  const Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("not JSON");
  if (!root.is_object()) return absl::InvalidArgumentError("not a JSON object");
  auto format = root.find("format");
  if (format == root.end() || !format->is_string() || format->get<std::string>() != kFormat) {
    return absl::InvalidArgumentError(absl::StrCat("no \"format\": \"", kFormat, "\" marker"));
  }
  auto version = root.find("version");
  if (version == root.end() || !version->is_number_integer() || version->get<int64_t>() < 1) {
    return absl::InvalidArgumentError("no valid \"version\"");
  }
  if (version->get<int64_t>() > kVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "version ", version->get<int64_t>(), " is newer than this creditbot understands (", kVersion, ")"));
  }
  StateDocument document;
  if (auto revision = root.find("revision"); revision != root.end()) {
    if (!revision->is_number_integer() || revision->get<int64_t>() < 0)
      return absl::InvalidArgumentError("\"revision\" is not a whole number ≥ 0");
    document.revision = revision->get<int64_t>();
  }
  if (auto writer = root.find("writer"); writer != root.end() && writer->is_string())
    document.writer = writer->get<std::string>();
  if (auto written = root.find("written_at"); written != root.end() && !written->is_null()) {
    CREDITBOT_ASSIGN_OR_RETURN(document.written_at, ReadTime(*written, "written_at"));
  }
  if (auto pause = root.find("pause"); pause != root.end() && !pause->is_null()) {
    absl::StatusOr<PauseState> parsed = ParsePause(*pause);
    // Never skipped, even on import: a pause that cannot be read must not read as "not paused".
    if (!parsed.ok()) return parsed.status();
    document.pause = *std::move(parsed);
  }
  CREDITBOT_RETURN_IF_ERROR(
      ForEachEntry(root, "records", unreadable, [&document](const std::string& key, const Json& value) {
        CREDITBOT_ASSIGN_OR_RETURN(RequestRecord record, ParseRecord(key, value));
        document.records[key] = std::move(record);
        return absl::OkStatus();
      }));
  CREDITBOT_RETURN_IF_ERROR(
      ForEachEntry(root, "leases", unreadable, [&document](const std::string& name, const Json& value) {
        CREDITBOT_ASSIGN_OR_RETURN(StateLease lease, ParseLease(value));
        document.leases[name] = std::move(lease);
        return absl::OkStatus();
      }));
  CREDITBOT_RETURN_IF_ERROR(
      ForEachEntry(root, "cursors", unreadable, [&document](const std::string& name, const Json& value) {
        if (!value.is_string()) return absl::InvalidArgumentError("not a string");
        document.cursors[name] = value.get<std::string>();
        return absl::OkStatus();
      }));
  CREDITBOT_RETURN_IF_ERROR(ForEachEntry(
      root, "ledger", unreadable, [&document](const std::string& execution_id, const Json& value) {
        CREDITBOT_ASSIGN_OR_RETURN(LedgerEntry entry, ParseLedgerEntry(execution_id, value));
        document.ledger[execution_id] = std::move(entry);
        return absl::OkStatus();
      }));
  return document;
}

namespace {

// The entries of a prototype document: the root, or its one wrapper member (processed_messages,
// processed, messages). kInvalidArgument for a creditbot state document or entries that are neither an
// array nor an object.
absl::StatusOr<const Json*> PrototypeEntries(const Json& root) {
  if (root.is_object() && root.contains("format")) {
    return absl::InvalidArgumentError(
        "this is a creditbot state document, not the prototype's processed_messages.json (use --format "
        "creditbot)");
  }
  const Json* entries = &root;
  if (root.is_object() && root.size() == 1) {
    for (const char* wrapper : {"processed_messages", "processed", "messages"}) {
      auto it = root.find(wrapper);
      if (it != root.end() && (it->is_array() || it->is_object())) entries = &*it;
    }
  }
  if (!entries->is_array() && !entries->is_object()) {
    return absl::InvalidArgumentError(
        "expected an array of message keys / ts, or an object keyed by them (the prototype's "
        "processed_messages.json)");
  }
  return entries;
}

// A request the prototype answered, recorded as replied (never a dry run) at `now`.
RequestRecord ImportedRecord(std::string key, const std::string& channel, const std::string& ts,
                             absl::Time now) {
  RequestRecord record;
  record.key = std::move(key);
  record.channel = channel;
  record.ts = ts;
  record.status = RequestStatus::kReplied;
  record.dry_run = false;
  record.outcome = "imported";
  record.detail = "imported from the prototype's processed_messages.json";
  record.first_seen_at = now;
  record.updated_at = now;
  return record;
}

}  // namespace

absl::StatusOr<PrototypeImport> ParsePrototypeState(std::string_view json, std::string_view default_channel,
                                                    absl::Time now) {
  const Json root = Json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("not JSON");
  CREDITBOT_ASSIGN_OR_RETURN(const Json* entries, PrototypeEntries(root));
  PrototypeImport result;
  std::set<std::string> seen;
  // `where` names the entry in messages; `text` is "CHANNEL:TS" or a bare ts; `channel` (from an object
  // entry) wins over the default for a bare ts.
  auto add = [&](const std::string& where, std::string_view text, const std::string& channel_field) {
    std::optional<std::pair<std::string, std::string>> parts = SplitMessageKey(text);
    if (!parts) {
      result.unreadable.push_back(absl::StrCat(where, ": not CHANNEL:TS or a Slack ts"));
      return;
    }
    auto& [channel, ts] = *parts;
    if (channel.empty()) channel = channel_field.empty() ? std::string(default_channel) : channel_field;
    if (channel.empty() || !IsChannelId(channel)) {
      result.unreadable.push_back(
          absl::StrCat(where, ": a bare ts and no channel (give the channel id the prototype served)"));
      if (channel.empty()) ++result.bare_ts_without_channel;
      return;
    }
    std::string key = RequestKey(channel, ts);
    if (!seen.insert(key).second) return;
    result.records.push_back(ImportedRecord(std::move(key), channel, ts, now));
  };
  auto from_object = [&](const std::string& where, const Json& object) {
    const std::string ts = JsonStringMember(object, {"ts", "message_ts"});
    const std::string channel = JsonStringMember(object, {"channel", "channel_id"});
    if (ts.empty()) {
      result.unreadable.push_back(absl::StrCat(where, ": an object without \"ts\""));
      return;
    }
    add(where, ts, channel);
  };
  if (entries->is_array()) {
    std::size_t index = 0;
    for (const Json& entry : *entries) {
      const std::string where = absl::StrCat("entry ", index++);
      if (entry.is_string()) {
        add(where, entry.get<std::string>(), "");
      } else if (entry.is_object()) {
        from_object(where, entry);
      } else {
        result.unreadable.push_back(absl::StrCat(where, ": not a string or an object"));
      }
    }
  } else {
    for (const auto& [key, value] : entries->items()) {
      const std::string where = absl::StrCat("\"", key, "\"");
      if (SplitMessageKey(key)) {
        add(where, key, value.is_object() ? JsonStringMember(value, {"channel", "channel_id"}) : "");
      } else if (value.is_object()) {
        from_object(where, value);
      } else {
        result.unreadable.push_back(absl::StrCat(where, ": not CHANNEL:TS or a Slack ts"));
      }
    }
  }
  return result;
}

S3StateStore::S3StateStore(S3Client& s3, const Clock& clock, Sleeper& sleeper, S3StateStoreOptions options)
    : s3_(s3), clock_(clock), sleeper_(sleeper), options_(std::move(options)) {
  writer_id_ =
      absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(random_), absl::Uniform<uint64_t>(random_));
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  if (options_.ledger_key.empty()) {
    absl::string_view stem = options_.key;
    absl::ConsumeSuffix(&stem, ".json");
    options_.ledger_key = absl::StrCat(stem, ".ledger.json");
  }
}

std::string S3StateStore::uri() const { return absl::StrCat("s3://", options_.bucket, "/", options_.key); }

std::string S3StateStore::ledger_uri() const {
  return absl::StrCat("s3://", options_.bucket, "/", options_.ledger_key);
}

absl::Status S3StateStore::In(const std::string& key, const absl::Status& status) const {
  return absl::Status(status.code(),
                      absl::StrCat("state store s3://", options_.bucket, "/", key, ": ", status.message()));
}

absl::Status S3StateStore::Check() { return Load().status(); }

absl::StatusOr<S3StateStore::Loaded> S3StateStore::Load(const std::string& key) {
  absl::StatusOr<S3Object> object = s3_.GetObject(options_.bucket, key);
  Loaded loaded;
  if (!object.ok()) {
    if (object.status().code() == absl::StatusCode::kNotFound) return loaded;  // no state yet
    return In(key, object.status());
  }
  absl::StatusOr<StateDocument> document = ParseStateDocument(object->body);
  if (!document.ok()) {
    std::string hint;
    absl::StatusOr<PrototypeImport> prototype = ParsePrototypeState(object->body, "", clock_.Now());
    if (prototype.ok()) {
      hint =
          "; if it is the prototype's processed_messages.json, point S3_STATE_KEY at a new key and run "
          "`creditbot state import FILE --format prototype` on a copy of it";
    }
    return absl::FailedPreconditionError(absl::StrCat("state store s3://", options_.bucket, "/", key,
                                                      " is not creditbot state and is left untouched (",
                                                      document.status().message(), ")", hint));
  }
  if (object->etag.empty()) return In(key, absl::InternalError("S3 answered without an ETag"));
  loaded.document = *std::move(document);
  loaded.etag = std::move(object->etag);
  loaded.body = std::move(object->body);
  return loaded;
}

absl::Status S3StateStore::Mutate(const std::string& key, std::string_view what, const Change& change) {
  std::optional<std::string> unanswered;  // the body of the last write that failed its condition
  for (int round = 1;; ++round) {
    CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load(key));
    // Our previous write did land (the client retried it after a lost answer and got 412): done, and the
    // change's outputs are those of that write.
    if (unanswered && loaded.etag && loaded.body == *unanswered) return absl::OkStatus();
    StateDocument document = std::move(loaded.document);
    CREDITBOT_ASSIGN_OR_RETURN(bool write, change(document));
    if (!write) return absl::OkStatus();
    document.revision += 1;
    document.writer = writer_id_;
    document.written_at = clock_.Now();
    std::string body = SerializeStateDocument(document);
    if (options_.before_write) options_.before_write();
    S3PutOptions put;
    put.content_type = "application/json";
    put.server_side_encryption = options_.encryption;
    if (loaded.etag) {
      put.if_match = *loaded.etag;
    } else {
      put.if_none_match_any = true;
    }
    absl::StatusOr<S3PutResult> written = s3_.PutObject(options_.bucket, key, body, put);
    if (written.ok()) return absl::OkStatus();
    const absl::StatusCode code = written.status().code();
    if (code != absl::StatusCode::kFailedPrecondition && code != absl::StatusCode::kAborted) {
      return In(key, written.status());
    }
    ++conflicts_;
    unanswered = std::move(body);
    if (round >= options_.max_attempts) {
      return absl::AbortedError(absl::StrCat("state store s3://", options_.bucket, "/", key, ": ",
                                             ToAbsl(what), " lost ", round,
                                             " conditional writes in a row to other writers; try again"));
    }
    const BackoffPolicy backoff(options_.base_delay, options_.max_delay, BackoffJitter::kEqual);
    sleeper_.Sleep(backoff.Delay(round - 1, random_));
  }
}

absl::StatusOr<std::optional<RequestRecord>> S3StateStore::Get(std::string_view key) {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load());
  auto it = loaded.document.records.find(std::string(key));
  if (it == loaded.document.records.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<ClaimResult> S3StateStore::Claim(std::string_view channel, std::string_view ts, absl::Time now,
                                                const ClaimRule& may_claim, absl::Duration lease,
                                                std::string_view holder) {
  const std::string key = RequestKey(channel, ts);
  ClaimResult result;
  CREDITBOT_RETURN_IF_ERROR(Mutate("claim", [&](StateDocument& document) -> absl::StatusOr<bool> {
    auto it = document.records.find(key);
    result = ApplyClaim(it == document.records.end() ? nullptr : &it->second, channel, ts, now, may_claim,
                        lease, holder);
    if (result.claimed) document.records[key] = result.record;
    return result.claimed;
  }));
  return result;
}

absl::Status S3StateStore::Finish(const RequestRecord& record) {
  if (record.key.empty()) return absl::InvalidArgumentError("Finish: the record has no key");
  RequestRecord final_record = record;
  final_record.lease_until.reset();
  final_record.lease_holder.clear();
  return Mutate("finish", [&final_record](StateDocument& document) -> absl::StatusOr<bool> {
    document.records[final_record.key] = final_record;
    return true;
  });
}

absl::StatusOr<bool> S3StateStore::RecordIfAbsent(const RequestRecord& record) {
  if (record.key.empty()) return absl::InvalidArgumentError("RecordIfAbsent: the record has no key");
  bool written = false;
  CREDITBOT_RETURN_IF_ERROR(Mutate("record", [&](StateDocument& document) -> absl::StatusOr<bool> {
    written = document.records.emplace(record.key, record).second;
    return written;
  }));
  return written;
}

absl::StatusOr<StateStats> S3StateStore::Stats() {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load());
  StateStats stats;
  for (const auto& [key, record] : loaded.document.records) {
    stats.by_status[std::string(RequestStatusName(record.status))] += 1;
    stats.total += 1;
    if (record.status == RequestStatus::kFailed && record.next_retry_at) stats.pending_retries += 1;
    if (!stats.last_update || record.updated_at > *stats.last_update) stats.last_update = record.updated_at;
  }
  return stats;
}

absl::StatusOr<std::vector<RequestRecord>> S3StateStore::List(std::optional<RequestStatus> status,
                                                              int limit) {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load());
  std::vector<RequestRecord> records;
  for (auto& [key, record] : loaded.document.records) {
    if (!status || record.status == *status) records.push_back(std::move(record));
  }
  std::sort(records.begin(), records.end(), [](const RequestRecord& a, const RequestRecord& b) {
    if (a.updated_at != b.updated_at) return a.updated_at > b.updated_at;
    return a.key > b.key;  // same second: the later message of a channel first (as the SQLite store)
  });
  if (limit >= 0 && records.size() > static_cast<std::size_t>(limit))
    records.resize(static_cast<std::size_t>(limit));
  return records;
}

absl::StatusOr<int> S3StateStore::Cleanup(absl::Time before) {
  int removed = 0;
  CREDITBOT_RETURN_IF_ERROR(Mutate("cleanup", [&](StateDocument& document) -> absl::StatusOr<bool> {
    removed = 0;
    for (auto it = document.records.begin(); it != document.records.end();) {
      // Same rule as the SQLite store (updated_at compared to the second).
      if (IsFinal(it->second) && absl::ToUnixSeconds(it->second.updated_at) < absl::ToUnixSeconds(before)) {
        it = document.records.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
    return removed > 0;
  }));
  return removed;
}

absl::StatusOr<bool> S3StateStore::AcquireLease(std::string_view name, std::string_view holder,
                                                absl::Time now, absl::Duration ttl) {
  bool acquired = false;
  CREDITBOT_RETURN_IF_ERROR(Mutate("lease", [&](StateDocument& document) -> absl::StatusOr<bool> {
    auto it = document.leases.find(std::string(name));
    acquired = it == document.leases.end() || it->second.holder == holder || it->second.expires_at <= now;
    if (acquired) document.leases[std::string(name)] = StateLease{std::string(holder), now + ttl};
    return acquired;
  }));
  return acquired;
}

absl::Status S3StateStore::ReleaseLease(std::string_view name, std::string_view holder) {
  return Mutate("release lease", [&](StateDocument& document) -> absl::StatusOr<bool> {
    auto it = document.leases.find(std::string(name));
    if (it == document.leases.end() || it->second.holder != holder) return false;
    document.leases.erase(it);
    return true;
  });
}

absl::StatusOr<std::optional<std::string>> S3StateStore::GetCursor(std::string_view name) {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load());
  auto it = loaded.document.cursors.find(std::string(name));
  if (it == loaded.document.cursors.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

absl::Status S3StateStore::SetCursor(std::string_view name, std::string_view value) {
  return Mutate("cursor", [&](StateDocument& document) -> absl::StatusOr<bool> {
    auto [it, inserted] = document.cursors.emplace(std::string(name), std::string(value));
    if (!inserted && it->second == value) return false;
    it->second = std::string(value);
    return true;
  });
}

absl::Status S3StateStore::Forget(std::string_view key) {
  return Mutate("forget", [&](StateDocument& document) -> absl::StatusOr<bool> {
    if (document.records.erase(std::string(key)) == 0) {
      return absl::NotFoundError(absl::StrCat("no state record for '", ToAbsl(key), "' in ", uri()));
    }
    return true;
  });
}

absl::StatusOr<StateSnapshot> S3StateStore::Export() {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load());
  CREDITBOT_ASSIGN_OR_RETURN(Loaded ledger, Load(options_.ledger_key));
  loaded.document.ledger = std::move(ledger.document.ledger);
  return loaded.document.ToSnapshot();
}

absl::StatusOr<ImportCounts> S3StateStore::Import(const StateSnapshot& snapshot) {
  ImportCounts counts;
  CREDITBOT_RETURN_IF_ERROR(Mutate("import", [&](StateDocument& document) -> absl::StatusOr<bool> {
    counts = ImportCounts{};
    for (const RequestRecord& record : snapshot.records) {
      if (document.records.emplace(record.key, record).second) {
        ++counts.imported;
      } else {
        ++counts.already_present;
      }
    }
    for (const auto& [name, value] : snapshot.cursors) {
      if (document.cursors.emplace(name, value).second) ++counts.cursors_imported;
    }
    if (snapshot.pause && !document.pause && ValidatePauseState(*snapshot.pause).ok()) {
      document.pause = snapshot.pause;
      counts.pause_imported = true;
    }
    return counts.imported > 0 || counts.cursors_imported > 0 || counts.pause_imported;
  }));
  if (snapshot.ledger.empty()) return counts;
  CREDITBOT_RETURN_IF_ERROR(
      Mutate(options_.ledger_key, "import ledger", [&](StateDocument& document) -> absl::StatusOr<bool> {
        counts.ledger_imported = 0;
        counts.ledger_already_present = 0;
        for (const LedgerEntry& entry : snapshot.ledger) {
          if (entry.execution_id.empty()) continue;
          ++(document.ledger.emplace(entry.execution_id, entry).second ? counts.ledger_imported
                                                                       : counts.ledger_already_present);
        }
        return counts.ledger_imported > 0;
      }));
  return counts;
}

// --- The pause switch (in the state object; see the header comment) ---

absl::StatusOr<PauseState> S3StateStore::GetPause() {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load());
  return loaded.document.pause.value_or(PauseState{});
}

absl::StatusOr<PauseChange> S3StateStore::SetPause(const PauseState& next) {
  CREDITBOT_RETURN_IF_ERROR(ValidatePauseState(next));
  PauseChange change;
  CREDITBOT_RETURN_IF_ERROR(
      Mutate(next.paused ? "pause" : "resume", [&](StateDocument& document) -> absl::StatusOr<bool> {
        change.before = document.pause.value_or(PauseState{});
        change.applied = change.before.paused != next.paused;
        if (change.applied) document.pause = next;
        return change.applied;
      }));
  return change;
}

// --- The ledger (in the ledger object; see the header comment) ---

absl::StatusOr<LedgerEntry*> S3StateStore::FindEntry(StateDocument& document,
                                                     std::string_view execution_id) const {
  auto it = document.ledger.find(std::string(execution_id));
  if (it == document.ledger.end()) {
    return absl::NotFoundError(
        absl::StrCat("no ledger entry for execution '", ToAbsl(execution_id), "' in ", ledger_uri()));
  }
  return &it->second;
}

absl::StatusOr<bool> S3StateStore::RecordLedgerEntry(const LedgerEntry& entry) {
  if (entry.execution_id.empty()) return absl::InvalidArgumentError("a ledger entry needs an execution id");
  bool written = false;
  CREDITBOT_RETURN_IF_ERROR(Mutate(options_.ledger_key, "record ledger entry",
                                   [&](StateDocument& document) -> absl::StatusOr<bool> {
                                     written = document.ledger.emplace(entry.execution_id, entry).second;
                                     return written;
                                   }));
  return written;
}

absl::StatusOr<std::optional<LedgerEntry>> S3StateStore::GetLedgerEntry(std::string_view execution_id) {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load(options_.ledger_key));
  auto it = loaded.document.ledger.find(std::string(execution_id));
  if (it == loaded.document.ledger.end()) return std::optional<LedgerEntry>();
  return std::optional<LedgerEntry>(std::move(it->second));
}

absl::StatusOr<DecideResult> S3StateStore::Decide(std::string_view execution_id, const Decision& decision) {
  CREDITBOT_RETURN_IF_ERROR(ValidateDecision(decision));
  DecideResult result;
  CREDITBOT_RETURN_IF_ERROR(
      Mutate(options_.ledger_key, "decide", [&](StateDocument& document) -> absl::StatusOr<bool> {
        CREDITBOT_ASSIGN_OR_RETURN(LedgerEntry * entry, FindEntry(document, execution_id));
        result.applied = ApplyDecision(*entry, decision);
        result.entry = *entry;
        return result.applied;
      }));
  return result;
}

absl::StatusOr<DecideResult> S3StateStore::Supersede(std::string_view execution_id,
                                                     std::string_view new_execution_id, absl::Time at) {
  DecideResult result;
  CREDITBOT_RETURN_IF_ERROR(
      Mutate(options_.ledger_key, "supersede", [&](StateDocument& document) -> absl::StatusOr<bool> {
        CREDITBOT_ASSIGN_OR_RETURN(LedgerEntry * entry, FindEntry(document, execution_id));
        result.applied = ApplySupersede(*entry, new_execution_id, at);
        result.entry = *entry;
        return result.applied;
      }));
  return result;
}

absl::Status S3StateStore::MarkReplyUpdated(std::string_view execution_id) {
  return Mutate(options_.ledger_key, "mark reply updated",
                [&](StateDocument& document) -> absl::StatusOr<bool> {
                  CREDITBOT_ASSIGN_OR_RETURN(LedgerEntry * entry, FindEntry(document, execution_id));
                  if (entry->reply_updated) return false;
                  entry->reply_updated = true;
                  return true;
                });
}

absl::StatusOr<std::vector<LedgerEntry>> S3StateStore::ListLedger(const LedgerFilter& filter) {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load(options_.ledger_key));
  std::vector<LedgerEntry> entries;
  for (auto& [execution_id, entry] : loaded.document.ledger) {
    if (MatchesLedgerFilter(entry, filter)) entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), LedgerNewerFirst);
  const std::size_t offset = static_cast<std::size_t>(std::max(filter.offset, 0));
  entries.erase(entries.begin(),
                entries.begin() + static_cast<std::ptrdiff_t>(std::min(offset, entries.size())));
  if (filter.limit > 0 && entries.size() > static_cast<std::size_t>(filter.limit))
    entries.resize(static_cast<std::size_t>(filter.limit));
  return entries;
}

absl::StatusOr<int> S3StateStore::CountLedger(const LedgerFilter& filter) {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load(options_.ledger_key));
  return static_cast<int>(
      std::count_if(loaded.document.ledger.begin(), loaded.document.ledger.end(),
                    [&filter](const auto& item) { return MatchesLedgerFilter(item.second, filter); }));
}

absl::StatusOr<LedgerChartSums> S3StateStore::SumLedgerCharts(const LedgerFilter& filter) {
  CREDITBOT_ASSIGN_OR_RETURN(Loaded loaded, Load(options_.ledger_key));
  LedgerChartSums sums;
  for (const auto& [execution_id, entry] : loaded.document.ledger) {
    if (MatchesLedgerFilter(entry, filter)) AddLedgerChartRows(LedgerChartRowsOf(entry), +1, sums);
  }
  return sums;
}

}  // namespace creditbot
