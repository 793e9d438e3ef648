// The decision record: the JSON kept in the audit beside a calculation's result.json as
// `<execution id>/decision.json` (AuditSink::WriteDecision) once a ledger entry is decided, so the audit
// alone says who decided what, when, why and under which policy. Rendered from the entry as the store
// returned it after the decision (StateStore::Decide's DecideResult::entry). Pure; thread-safe.
//
// The record (keys in this order; amounts are the ledger's decimal strings, never numbers; times RFC 3339
// UTC to the second; a missing time or day is null):
//   {
//     "format": "creditbot-decision", "version": 1,
//     "execution_id": "…", "request_key": "C…:…", "channel": "C…", "ts": "…", "reply_ts": "…",
//     "requester": "U…", "parent_account_sid": "AC…", "product": "verify",
//     "fraud_start": "2026-01-01", "fraud_end": "2026-01-07", "cells": 12,
//     "status": "adjusted", "recommended_amount": "255.00", "final_amount": "200.00", "currency": "USD",
//     "decided_by": "U…" (or "policy"), "decided_at": "2026-01-15T14:02:00Z", "reason": "…",
//     "via": "button" (how the decision arrived, "" when not known),
//     "policy": {"name": "…", "version": "…", "sha256": "…"},
//     "dry_run": false, "created_at": "…"
//   }
#pragma once

#include <string>
#include <string_view>

#include "state/ledger.h"

namespace creditbot {

// The decision record of `entry` (format above), pretty-printed with two spaces and ending in a newline.
// Strings that are not valid UTF-8 are written with U+FFFD in place of the bad bytes.
std::string RenderDecisionRecord(const LedgerEntry& entry, std::string_view via = "");

}  // namespace creditbot
