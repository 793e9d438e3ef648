// Policy files from the binary or a folder.
#include "app/policies.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/status_macros.h"
#include "common/strings.h"

namespace creditbot {

const char kPolicyDirFix[] =
    "put the policy files (e.g. verify.toml) there, or unset CREDITBOT_POLICY_DIR to use the built-in ones";

absl::StatusOr<CreditPolicy> LoadPolicyFile(const std::string& path) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  return ParseCreditPolicy(text, path);
}

absl::StatusOr<std::vector<CreditPolicy>> LoadPolicies(const std::string& policy_dir) {
  std::vector<CreditPolicy> policies;
  if (policy_dir.empty()) {
    for (const EmbeddedFile& file : EmbeddedFiles()) {
      if (!absl::StartsWith(ToAbsl(file.path), "policy/") || !absl::EndsWith(ToAbsl(file.path), ".toml"))
        continue;
      CREDITBOT_ASSIGN_OR_RETURN(CreditPolicy policy, ParseCreditPolicy(file.content, file.path));
      policies.push_back(std::move(policy));
    }
  } else {
    std::error_code ec;
    // Name the folder actually read: a relative setting is resolved against the working folder.
    const std::string read = std::filesystem::absolute(policy_dir, ec).lexically_normal().string();
    if (!std::filesystem::is_directory(policy_dir, ec)) {
      return absl::NotFoundError(absl::StrCat("CREDITBOT_POLICY_DIR='", policy_dir, "' (", read,
                                              ") is not a folder; ", kPolicyDirFix));
    }
    std::vector<std::string> paths;
    for (const auto& entry : std::filesystem::directory_iterator(policy_dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".toml")
        paths.push_back(entry.path().string());
    }
    std::sort(paths.begin(), paths.end());
    for (const std::string& path : paths) {
      CREDITBOT_ASSIGN_OR_RETURN(CreditPolicy policy, LoadPolicyFile(path));
      policies.push_back(std::move(policy));
    }
  }
  if (policies.empty() && policy_dir.empty()) {
    return absl::InternalError("this build has no built-in credit policy (policy/*.toml was not embedded)");
  }
  if (policies.empty()) {
    std::error_code ec;
    return absl::NotFoundError(
        absl::StrCat("CREDITBOT_POLICY_DIR='", policy_dir, "' (",
                     std::filesystem::absolute(policy_dir, ec).lexically_normal().string(),
                     ") holds no *.toml credit policy; ", kPolicyDirFix));
  }
  return policies;
}

}  // namespace creditbot
