// Routing a request's SQL to a credit policy.
#include "core/product_router.h"

#include <re2/re2.h>

#include <set>

#include "absl/strings/str_cat.h"

namespace creditbot {

ProductRouter::ProductRouter(ProductRouter&&) noexcept = default;
ProductRouter& ProductRouter::operator=(ProductRouter&&) noexcept = default;
ProductRouter::~ProductRouter() = default;

absl::StatusOr<ProductRouter> ProductRouter::Create(std::vector<CreditPolicy> policies) {
  ProductRouter router;
  std::set<std::string> names;
  for (const CreditPolicy& policy : policies) {
    if (policy.enabled && !names.insert(policy.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("two enabled policies are named '", policy.name, "'"));
    }
    std::vector<std::unique_ptr<re2::RE2>> compiled;
    for (const std::string& pattern : policy.product_match) {
      auto regex = std::make_unique<re2::RE2>(pattern, re2::RE2::Quiet);
      if (!regex->ok()) {
        return absl::InvalidArgumentError(absl::StrCat(policy.source_name, ": product.match pattern '",
                                                       pattern, "' does not compile: ", regex->error()));
      }
      compiled.push_back(std::move(regex));
    }
    router.patterns_.push_back(std::move(compiled));
  }
  router.policies_ = std::move(policies);
  return router;
}

const CreditPolicy* ProductRouter::Route(std::string_view sql) const {
  for (std::size_t i = 0; i < policies_.size(); ++i) {
    if (!policies_[i].enabled) continue;
    for (const auto& pattern : patterns_[i]) {
      if (re2::RE2::PartialMatch(sql, *pattern)) return &policies_[i];
    }
  }
  return nullptr;
}

}  // namespace creditbot
