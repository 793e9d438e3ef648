// LookResolver: turns a Looker link into the SQL behind it, without running the query. The embedded
// default is LookCatalog (a local folder); LookerApiResolver (looker_api_resolver.h) asks Looker API 4.0.
//
// Errors decide what happens to the request: kNotFound (no such look/query — final, the owner is told),
// kUnimplemented (a link kind this resolver cannot follow — final), kUnavailable / kDeadlineExceeded
// (retry later).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "core/looker_url.h"

namespace creditbot {

struct ResolvedSql {
  std::string sql;
  std::string description;  // e.g. "look 101 (data/sample/looks/101.sql)"
};

class LookResolver {
 public:
  virtual ~LookResolver() = default;
  virtual absl::StatusOr<ResolvedSql> Resolve(const LookerRef& ref) = 0;
};

// The local look catalog: a folder with <look id>.sql for Looks and query-<slug>.sql for Explore qids and
// share (/x/) slugs. Dashboards cannot be resolved locally (kUnimplemented, naming the dashboard).
class LookCatalog final : public LookResolver {
 public:
  explicit LookCatalog(std::string dir) : dir_(std::move(dir)) {}
  absl::StatusOr<ResolvedSql> Resolve(const LookerRef& ref) override;

 private:
  std::string dir_;
};

}  // namespace creditbot
