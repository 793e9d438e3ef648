// Loading the credit policies: every policy/*.toml built into the binary, or every *.toml of
// CREDITBOT_POLICY_DIR when it is set, in file-name order; or one file for `creditbot calc --policy`.
// Any invalid file fails the load with the message of ParseCreditPolicy (file and key named):
// kInvalidArgument. A CREDITBOT_POLICY_DIR that is not a folder, or holds no *.toml file, is kNotFound with a
// message naming the folder as read (made absolute) and what to do.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/credit_policy.h"

namespace creditbot {

absl::StatusOr<std::vector<CreditPolicy>> LoadPolicies(const std::string& policy_dir);
absl::StatusOr<CreditPolicy> LoadPolicyFile(const std::string& path);

}  // namespace creditbot
