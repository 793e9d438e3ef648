// One scheduled pass over the message source.
#include "bot/pass.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status_macros.h"

namespace creditbot {

absl::StatusOr<PassSummary> RunPass(MessageSource& source, Pipeline& pipeline, StateStore& state,
                                    const Clock& clock, const PassOptions& options) {
  PassSummary summary;
  CREDITBOT_ASSIGN_OR_RETURN(bool leased,
                             state.AcquireLease("pass", options.holder, clock.Now(), options.lease_ttl));
  if (!leased) {
    summary.lease_busy = true;
    LogInfo("another pass holds the lease; nothing to do");
    return summary;
  }
  // Decisions recorded but not yet shown in Slack (a process died in between) are shown first, unless paused.
  summary.paused = pipeline.PauseInForce();
  if (!summary.paused) summary.decisions_finished = pipeline.FinishPendingDecisions();
  absl::StatusOr<std::vector<InboxItem>> items = source.Fetch();
  if (!items.ok()) {
    (void)state.ReleaseLease("pass", options.holder);
    return items.status();
  }
  for (const InboxItem& item : *items) {
    ++summary.items;
    const ItemOutcome outcome = pipeline.Handle(item);
    if (outcome == ItemOutcome::kCredentialsRefused) {
      // The rest would be refused too. Not committing the read position makes the next pass read them again.
      (void)state.ReleaseLease("pass", options.holder);
      return absl::UnauthenticatedError(
          absl::StrCat("stopped: ", pipeline.credentials_refusal().message(),
                       "; the request and the messages after it are tried again on a later pass"));
    }
    ++summary.outcomes[std::string(ItemOutcomeName(outcome))];
    if (outcome == ItemOutcome::kPaused && !summary.paused) {
      summary.paused = pipeline.PauseInForce();
      // Resumed since that item was left alone: the pass still must not move past it.
      if (!summary.paused) summary.paused = PauseState{true, "", std::nullopt, "resumed during this pass"};
    }
  }
  if (summary.paused) {
    // Nothing is committed or cleaned: every message of this pass is read again after the resume.
    const auto left = summary.outcomes.find(std::string(ItemOutcomeName(ItemOutcome::kPaused)));
    const int left_alone = left == summary.outcomes.end() ? 0 : left->second;
    LogWarn(absl::StrCat("this pass read ", summary.items, " messages and left ", left_alone, " alone; ",
                         PauseLine(*summary.paused)),
            {{"messages", std::to_string(summary.items)},
             {"left_alone", std::to_string(left_alone)},
             {"reason", summary.paused->reason},
             {"by", summary.paused->by}});
    CREDITBOT_RETURN_IF_ERROR(state.ReleaseLease("pass", options.holder));
    return summary;
  }
  if (absl::Status committed = source.Commit(); !committed.ok()) {
    LogWarn("could not remember how far the messages were read; the next pass reads them again",
            {{"error", std::string(committed.message())}});
  }
  absl::StatusOr<int> cleaned = state.Cleanup(clock.Now() - absl::Hours(24) * options.retention_days);
  if (cleaned.ok()) {
    summary.cleaned = *cleaned;
  } else {
    LogWarn("could not clean old state entries", {{"error", std::string(cleaned.status().message())}});
  }
  CREDITBOT_RETURN_IF_ERROR(state.ReleaseLease("pass", options.holder));
  return summary;
}

}  // namespace creditbot
