// FrozenEvidence: what one calculation knew, kept beside its audit record as `evidence.json.gz`, so a replay
// (src/replay/) recomputes exactly what was known at the time even after the warehouse changed: the fraud
// report SQL as run, the Evidence the loader assembled from the report's rows and every follow-up query
// (before the ledger left any cell out), and what the ledger said about the parent's earlier requests
// (core/already_credited.h), when it was asked.
//
// The artifact (format version 1) is gzip (common/gzip.h) of one compact JSON object:
//   {"format":"creditbot-evidence","version":1,"sql":…,"claim_date":"YYYY-MM-DD",
//    "report":{"columns":[…],"has_service_column":b,"has_blocked_column":b,
//              "rows":[[day,account,service,mcc,mnc,country,A,B,"F"],…]},
//    "accounts":[[sid,parent,status]],"services":[[sid,account,custom_code]],
//    "modes":[[service,account,mode,from,to|null]],"geo_permissions":[[account,country,permission,from,to|null]],
//    "costs":[[mcc,mnc,"cost",from_day,to_day|null]],"block_rates":[[mode,mcc,"rate"]],
//    "mrr":"…"|null,"mrr_month":"YYYY-MM"|null,"prior_credits":[[day,status,"amount",product]],
//    "earlier_credits":null|{"request_key","product","dry_run","entries":[{…,"cells":[[day,account,service,
//                            mcc,mnc,"credited"]]}]}}
// Money and rates are exact decimal strings, instants RFC 3339 UTC with every digit absl keeps, days
// YYYY-MM-DD. The gzip header's comment is "creditbot-evidence v1 sha256=<hex>", the SHA-256 of the JSON,
// checked on every read: the artifact carries its own hash, and the result JSON's bytes are unchanged.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/already_credited.h"
#include "core/evidence.h"

namespace creditbot {

// The artifact's name beside result.json (AuditSink::WriteArtifact).
inline constexpr char kEvidenceArtifact[] = "evidence.json.gz";
inline constexpr int kFrozenEvidenceVersion = 1;
// The most JSON one artifact may inflate to (a report at CREDITBOT_MAX_REPORT_ROWS' default is ~60 MB).
inline constexpr std::size_t kMaxFrozenEvidenceBytes = std::size_t{1} << 30;

struct FrozenEvidence {
  std::string sql;    // the fraud report SQL, as run
  Evidence evidence;  // as the loader assembled it, before ApplyEarlierCredits
  // What the ledger said about the report's parent (the native executor's CalcRequest::earlier_credits);
  // nullopt when it was not asked (`creditbot calc`, or a report without one parent).
  std::optional<EarlierCredits> earlier_credits;
};

// The artifact's JSON (uncompressed), keys in the order above, of `sql`, `evidence` and `earlier` (null:
// not asked), read where they are (a report's rows are never copied).
std::string FrozenEvidenceJson(std::string_view sql, const Evidence& evidence, const EarlierCredits* earlier);
std::string FrozenEvidenceJson(const FrozenEvidence& frozen);

// The artifact: FrozenEvidenceJson gzip'd, its SHA-256 in the gzip comment. `sha256` (optional) receives
// the hex hash. Errors: those of GzipCompress (kInternal).
absl::StatusOr<std::string> EncodeFrozenEvidence(std::string_view sql, const Evidence& evidence,
                                                 const EarlierCredits* earlier,
                                                 std::string* sha256 = nullptr);
absl::StatusOr<std::string> EncodeFrozenEvidence(const FrozenEvidence& frozen, std::string* sha256 = nullptr);

// Reads an artifact (untrusted bytes: it comes from a folder or a bucket). `sha256` (optional) receives the
// hash its header states, checked against the content. Errors: kInvalidArgument for bytes that are not gzip,
// a header comment without the hash, a hash that does not match ("corrupt or altered"), JSON that is not this
// format or has a member missing or of the wrong type (naming it); kFailedPrecondition for another format
// version (naming it); kResourceExhausted for more than kMaxFrozenEvidenceBytes of JSON.
absl::StatusOr<FrozenEvidence> DecodeFrozenEvidence(std::string_view bytes, std::string* sha256 = nullptr);

// Reads the uncompressed JSON (no hash to check): DecodeFrozenEvidence's JSON errors.
absl::StatusOr<FrozenEvidence> ParseFrozenEvidenceJson(std::string_view json);

}  // namespace creditbot
