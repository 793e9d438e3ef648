// Early-return helpers for absl::Status / absl::StatusOr, in the style of abseil's internal macros.
//
//   CREDITBOT_RETURN_IF_ERROR(DoThing());
//   CREDITBOT_ASSIGN_OR_RETURN(Row row, ReadRow());
//
// Both propagate the failing status unchanged, so the canonical code (which decides retries) survives.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CREDITBOT_STATUS_CONCAT_INNER(a, b) a##b
#define CREDITBOT_STATUS_CONCAT(a, b) CREDITBOT_STATUS_CONCAT_INNER(a, b)

#define CREDITBOT_RETURN_IF_ERROR(expr)                                 \
  do {                                                                  \
    if (::absl::Status status_ = (expr); !status_.ok()) return status_; \
  } while (false)

#define CREDITBOT_ASSIGN_OR_RETURN(lhs, expr) \
  CREDITBOT_ASSIGN_OR_RETURN_IMPL(CREDITBOT_STATUS_CONCAT(statusor_, __LINE__), lhs, expr)

// `lhs` cannot be parenthesised: it may be a declaration ("Row row").
// NOLINTBEGIN(bugprone-macro-parentheses)
#define CREDITBOT_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                                    \
  if (!statusor.ok()) return std::move(statusor).status();   \
  lhs = std::move(statusor).value()
// NOLINTEND(bugprone-macro-parentheses)
