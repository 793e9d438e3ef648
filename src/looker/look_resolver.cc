// The local look catalog.
#include "looker/look_resolver.h"

#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/embedded_files.h"
#include "common/requester_error.h"

namespace creditbot {
namespace {

// Ids and slugs name files, so only plain alphanumerics are accepted (no "../").
bool IsSafeName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<ResolvedSql> LookCatalog::Resolve(const LookerRef& ref) {
  std::string file;
  std::string what;
  switch (ref.kind) {
    case LinkKind::kLook:
      file = ref.id + ".sql";
      what = absl::StrCat("look ", ref.id);
      break;
    case LinkKind::kExplore:
    case LinkKind::kShare:
    case LinkKind::kQueryVisualization:
      if (ref.id.empty()) {
        return AskRequester(absl::UnimplementedError(
            "an Explore link without a qid cannot be resolved by the local look catalog; share the Explore "
            "(its link then carries qid=…) or save it as a Look"));
      }
      file = absl::StrCat("query-", ref.id, ".sql");
      what = absl::StrCat("query ", ref.id);
      break;
    case LinkKind::kDashboard:
    case LinkKind::kLookmlDashboard:
      return AskRequester(absl::UnimplementedError(
          absl::StrCat("dashboard ", ref.id,
                       ": dashboards need the Looker API, which the local look catalog does not have; "
                       "link the tile's Look or Explore instead")));
    case LinkKind::kLookerOther:
    case LinkKind::kOther:
      return absl::UnimplementedError(absl::StrCat("not a Look, Explore or dashboard link: ", ref.url));
  }
  if (!IsSafeName(ref.id)) return absl::NotFoundError(absl::StrCat("no ", what, " in the look catalog"));
  std::string path = (std::filesystem::path(dir_) / file).string();
  absl::StatusOr<std::string> sql = ReadFileToString(path);
  if (absl::IsNotFound(sql.status())) {
    return absl::NotFoundError(absl::StrCat("no ", what, " in the look catalog (", path, ")"));
  }
  if (!sql.ok())
    return absl::UnavailableError(absl::StrCat("cannot read ", path, ": ", sql.status().message()));
  return ResolvedSql{*std::move(sql), absl::StrCat(what, " (", path, ")")};
}

}  // namespace creditbot
