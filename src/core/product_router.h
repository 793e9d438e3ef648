// ProductRouter: picks the credit policy for a request from its SQL, by each enabled policy's
// [product] match patterns (RE2, searched anywhere in the SQL). Policies are tried in the order given
// (file-name order); the first match wins. No match means the request is not ours to credit (e.g. a
// Programmable Messaging report while that policy is not enabled) and is silently ignored.
//
// Immutable after Create; thread-safe.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/credit_policy.h"

namespace re2 {
class RE2;
}

namespace creditbot {

class ProductRouter {
 public:
  // kInvalidArgument when two enabled policies share a name, or a pattern does not compile.
  static absl::StatusOr<ProductRouter> Create(std::vector<CreditPolicy> policies);

  ProductRouter(ProductRouter&&) noexcept;
  ProductRouter& operator=(ProductRouter&&) noexcept;
  ~ProductRouter();

  // The enabled policy whose patterns match `sql`, or nullptr.
  const CreditPolicy* Route(std::string_view sql) const;
  const std::vector<CreditPolicy>& policies() const { return policies_; }

 private:
  ProductRouter() = default;
  std::vector<CreditPolicy> policies_;
  std::vector<std::vector<std::unique_ptr<re2::RE2>>> patterns_;  // by policy
};

}  // namespace creditbot
