// OpenStateStore / OpenAuditSink: the state store and audit sink the configuration names, with everything
// they own (for S3: an HTTP transport and the S3 client, kept alive by the returned object, so the caller
// holds just the one unique_ptr; the credential chain, clock and sleeper are the Environment's, which must
// outlive it).
//
// State (first match wins):
//   CREDITBOT_STATE=s3://BUCKET/KEY                         S3StateStore on that object
//   S3_BUCKET set, CREDITBOT_STATE left at its default      S3StateStore on S3_BUCKET / S3_STATE_KEY
//   otherwise                                               SqliteStateStore at CREDITBOT_STATE (sqlite:PATH)
// Audit:
//   CREDITBOT_AUDIT_DIR=s3://BUCKET[/PREFIX/]               S3AuditSink on that bucket and prefix
//   S3_BUCKET set, CREDITBOT_AUDIT_DIR left at its default  S3AuditSink, s3://S3_BUCKET/S3_OUTPUT_PREFIX/…
//   CREDITBOT_AUDIT_DIR another URL (scheme://…, sqlite:…)  kInvalidArgument naming the accepted forms
//   otherwise                                               FolderAuditSink at CREDITBOT_AUDIT_DIR (created
//                                                           on the first write)
// "Left at its default" means equal to the default value (sqlite:$CREDITBOT_HOME/state.db,
// $CREDITBOT_HOME/audit), the same test runtime.cc uses for the default warehouse; setting either one
// explicitly keeps that part local while S3_BUCKET serves the other (or the SageMaker executor).
//
// AWS region, endpoints and credentials come from `env` (environment.h): AWS_REGION,
// AWS_ENDPOINT_URL[_S3], the process's credential chain. S3 objects are written with SSE-S3 (AES256).
//
// Errors: OpenStateStore reads the S3 object once, so an unreadable state object (kFailedPrecondition naming
// s3://bucket/key; it is never overwritten), a missing bucket, refused credentials or no credential source
// stop the caller at start; without a region kFailedPrecondition naming AWS_REGION; kInvalidArgument for a
// malformed s3:// URL (naming CREDITBOT_STATE) or AWS endpoint override; the SQLite store's Open errors.
// OpenAuditSink contacts nothing (its errors show at the first Write), and fails only for a malformed
// CREDITBOT_AUDIT_DIR, a missing region or a bad endpoint override.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "app/config.h"
#include "app/environment.h"
#include "audit/audit_sink.h"
#include "state/state_store.h"

namespace creditbot {

// Where the state lives for `config`: "s3://bucket/key" or the SQLite path (for messages and `doctor`).
// kInvalidArgument for a malformed CREDITBOT_STATE.
absl::StatusOr<std::string> StateStoreLocation(const Config& config);
// Where audit records go: "s3://bucket/prefix/" or the folder (for messages and `doctor`). A malformed
// CREDITBOT_AUDIT_DIR (which BuildConfig already refuses) is returned as it is; OpenAuditSink refuses it.
std::string AuditLocation(const Config& config);

absl::StatusOr<std::unique_ptr<StateStore>> OpenStateStore(const Config& config, const Environment& env);
absl::StatusOr<std::unique_ptr<AuditSink>> OpenAuditSink(const Config& config, const Environment& env);

}  // namespace creditbot
