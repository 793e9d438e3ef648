// Loads and validates a credit policy file (TOML, see policy/verify.toml and CREDIT_POLICY.md). Parsing is
// common/toml_document.h's (hardened toml++); its errors name the file, line and column. Every key is
// checked against the known set, so a typo is refused instead of silently defaulted.
#include "core/credit_policy.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "common/toml_document.h"
#include "re2/re2.h"

namespace creditbot {
namespace {

// Keys allowed at each level. Sub-tables are listed with their own key sets below.
constexpr std::string_view kTopLevelKeys[] = {"name",
                                              "version",
                                              "enabled",
                                              "k",
                                              "cap_goodwill_at_cost",
                                              "promise_claim_days",
                                              "late_max_policy",
                                              "min_credit_usd",
                                              "auto_approve_limit_usd",
                                              "approval_mrr_multiple",
                                              "repeat_window_days",
                                              "repeat_factor",
                                              "repeat_products",
                                              "default_block_rate",
                                              "default_cost_usd",
                                              "columns",
                                              "product",
                                              "protection"};
// [k], [default_block_rate]: every protecting mode creditbot knows; checked against [protection] modes after.
constexpr std::string_view kRateModeKeys[] = {"basic", "standard", "max", "on"};
constexpr std::string_view kProductKeys[] = {"match"};
constexpr std::string_view kProtectionKeys[] = {"name",  "modes",       "promise_mode",
                                                "scope", "history_sql", "geo_allow_bypasses"};
constexpr int kMaxDays = 100000;  // sanity bound for day counts (keeps date arithmetic far from overflow)

// Anchored, case-insensitive, with an optional Looker "view." prefix.
std::string ColumnPattern(std::string_view name) {
  return absl::StrCat("(?i)^(.*\\.)?", std::string(name), "$");
}

template <size_t N>
bool IsOneOf(std::string_view key, const std::string_view (&keys)[N]) {
  for (std::string_view known : keys) {
    if (key == known) return true;
  }
  return false;
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "table";
    case toml::node_type::array:
      return "array";
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::date:
      return "date";
    case toml::node_type::time:
      return "time";
    case toml::node_type::date_time:
      return "date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Builds errors that start with the source name and end with the line of the offending node.
class Refusal {
 public:
  explicit Refusal(std::string_view source) : source_(source) {}

  absl::Status At(const toml::node& node, std::string_view message) const {
    const toml::source_position& begin = node.source().begin;
    std::string where = begin ? absl::StrCat(" (line ", begin.line, ")") : std::string();
    return absl::InvalidArgumentError(absl::StrCat(source_, ": ", std::string(message), where));
  }
  absl::Status UnknownKey(const toml::node& node, std::string_view dotted) const {
    return At(node, absl::StrCat("unknown key '", std::string(dotted), "'"));
  }
  absl::Status WrongType(const toml::node& node, std::string_view dotted, std::string_view expected) const {
    return At(node, absl::StrCat("key '", std::string(dotted), "' must be ", std::string(expected), ", not ",
                                 std::string(TypeName(node))));
  }

 private:
  std::string source_;
};

absl::StatusOr<Decimal> ReadDecimal(const toml::node& node, std::string_view key, const Refusal& refuse) {
  absl::StatusOr<Decimal> value = absl::InvalidArgumentError("");
  if (const auto* integer = node.as_integer()) {
    int64_t v = integer->get();
    if (v <= -1'000'000'000'000'000 || v >= 1'000'000'000'000'000) {
      return refuse.At(node, absl::StrCat("key '", std::string(key), "' is out of range"));
    }
    value = Decimal::FromInt(v);
  } else if (const auto* floating = node.as_floating_point()) {
    value = Decimal::FromDouble(floating->get());
  } else if (const auto* text = node.as_string()) {
    value = Decimal::Parse(text->get());
  } else {
    return refuse.WrongType(node, key, "a number or a decimal string");
  }
  if (!value.ok()) {
    return refuse.At(node,
                     absl::StrCat("key '", std::string(key), "': ", std::string(value.status().message())));
  }
  return *value;
}

absl::StatusOr<Decimal> ReadRate(const toml::node& node, std::string_view key, const Refusal& refuse) {
  CREDITBOT_ASSIGN_OR_RETURN(Decimal value, ReadDecimal(node, key, refuse));
  if (value < Decimal() || value > Decimal::FromInt(1)) {
    return refuse.At(node, absl::StrCat("key '", std::string(key), "' must be a rate between 0 and 1, not ",
                                        value.ToString()));
  }
  return value;
}

absl::StatusOr<Decimal> ReadAmount(const toml::node& node, std::string_view key, const Refusal& refuse) {
  CREDITBOT_ASSIGN_OR_RETURN(Decimal value, ReadDecimal(node, key, refuse));
  if (value.IsNegative()) {
    return refuse.At(
        node, absl::StrCat("key '", std::string(key), "' must not be negative, not ", value.ToString()));
  }
  return value;
}

absl::StatusOr<int> ReadDays(const toml::node& node, std::string_view key, const Refusal& refuse) {
  const auto* integer = node.as_integer();
  if (integer == nullptr) return refuse.WrongType(node, key, "an integer number of days");
  int64_t v = integer->get();
  if (v < 0)
    return refuse.At(node, absl::StrCat("key '", std::string(key), "' must not be negative, not ", v));
  if (v > kMaxDays) return refuse.At(node, absl::StrCat("key '", std::string(key), "' is out of range: ", v));
  return static_cast<int>(v);
}

absl::StatusOr<bool> ReadBool(const toml::node& node, std::string_view key, const Refusal& refuse) {
  const auto* boolean = node.as_boolean();
  if (boolean == nullptr) return refuse.WrongType(node, key, "true or false");
  return boolean->get();
}

absl::StatusOr<std::string> ReadString(const toml::node& node, std::string_view key, const Refusal& refuse) {
  const auto* text = node.as_string();
  if (text == nullptr) return refuse.WrongType(node, key, "a string");
  return text->get();
}

// A non-empty array of strings, each a valid RE2 pattern.
absl::StatusOr<std::vector<std::string>> ReadPatterns(const toml::node& node, std::string_view key,
                                                      const Refusal& refuse) {
  const auto* array = node.as_array();
  if (array == nullptr) return refuse.WrongType(node, key, "a list of regular expressions");
  if (array->empty())
    return refuse.At(node, absl::StrCat("key '", std::string(key), "' must not be an empty list"));
  std::vector<std::string> patterns;
  for (const toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) return refuse.WrongType(element, key, "a list of regular expression strings");
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(text->get(), options);
    if (!re.ok()) {
      return refuse.At(element, absl::StrCat("key '", std::string(key), "': invalid regular expression '",
                                             text->get(), "': ", re.error()));
    }
    patterns.push_back(text->get());
  }
  return patterns;
}

// A list of product names (repeat_products): non-empty strings, no blank one; may be empty.
absl::StatusOr<std::vector<std::string>> ReadProductNames(const toml::node& node, std::string_view key,
                                                          const Refusal& refuse) {
  const auto* array = node.as_array();
  if (array == nullptr) return refuse.WrongType(node, key, "a list of product names");
  std::vector<std::string> names;
  for (const toml::node& element : *array) {
    const auto* text = element.as_string();
    if (text == nullptr) return refuse.WrongType(element, key, "a list of product name strings");
    if (absl::StripAsciiWhitespace(text->get()).empty()) {
      return refuse.At(element, absl::StrCat("key '", std::string(key), "' must not hold an empty name"));
    }
    names.push_back(text->get());
  }
  return names;
}

// A rate a policy set for one mode ([k] or [default_block_rate]), kept to check it against the declared
// modes once [protection] is read (TOML tables have no order).
struct ModeRateKey {
  std::string dotted;
  const toml::node* node;
  Mode mode;
};

// Reads [k] or [default_block_rate]: rates by mode name (basic, standard, max, on).
absl::Status ReadModeRates(const toml::node& node, std::string_view table_key, const Refusal& refuse,
                           std::vector<ModeRateKey>& named, const std::function<void(Mode, Decimal)>& store) {
  const auto* table = node.as_table();
  if (table == nullptr) return refuse.WrongType(node, table_key, "a table of rates by mode");
  for (auto&& [sub_key, sub_node] : *table) {
    std::string dotted = absl::StrCat(std::string(table_key), ".", std::string(sub_key.str()));
    if (!IsOneOf(sub_key.str(), kRateModeKeys)) return refuse.UnknownKey(sub_node, dotted);
    CREDITBOT_ASSIGN_OR_RETURN(Decimal rate, ReadRate(sub_node, dotted, refuse));
    std::optional<Mode> mode = ParseMode(sub_key.str());
    store(*mode, rate);
    named.push_back(ModeRateKey{dotted, &sub_node, *mode});
  }
  return absl::OkStatus();
}

// A mode name of [protection]: one creditbot knows, written exactly (lower case, no alias).
absl::StatusOr<Mode> ReadModeName(const toml::node& node, std::string_view key, const Refusal& refuse) {
  CREDITBOT_ASSIGN_OR_RETURN(std::string name, ReadString(node, key, refuse));
  for (Mode mode : kKnownModes) {
    if (ModeName(mode) == name) return mode;
  }
  return refuse.At(node, absl::StrCat("key '", std::string(key), "': unknown mode \"", name,
                                      "\" (known: off, basic, standard, max, on)"));
}

// [protection]: the switch the policy's modes belong to (see CreditPolicy).
absl::Status ReadProtection(const toml::node& node, const Refusal& refuse, CreditPolicy& policy) {
  const auto* table = node.as_table();
  if (table == nullptr) return refuse.WrongType(node, "protection", "a table");
  for (auto&& [key, value] : *table) {
    const std::string dotted = absl::StrCat("protection.", std::string(key.str()));
    if (!IsOneOf(key.str(), kProtectionKeys)) return refuse.UnknownKey(value, dotted);
    if (key.str() == "name") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.protection_name, ReadString(value, dotted, refuse));
      if (absl::StripAsciiWhitespace(policy.protection_name).empty())
        return refuse.At(value, absl::StrCat("key '", dotted, "' must not be empty"));
    } else if (key.str() == "modes") {
      const auto* array = value.as_array();
      if (array == nullptr) return refuse.WrongType(value, dotted, "a list of mode names");
      policy.modes.clear();
      for (const toml::node& element : *array) {
        CREDITBOT_ASSIGN_OR_RETURN(Mode mode, ReadModeName(element, dotted, refuse));
        if (std::find(policy.modes.begin(), policy.modes.end(), mode) != policy.modes.end()) {
          return refuse.At(
              element, absl::StrCat("key '", dotted, "' names \"", std::string(ModeName(mode)), "\" twice"));
        }
        policy.modes.push_back(mode);
      }
      if (policy.modes.size() < 2 || policy.modes.front() != Mode::kOff) {
        return refuse.At(value, absl::StrCat("key '", dotted,
                                             "' must start with \"off\" and name at least one other mode"));
      }
    } else if (key.str() == "promise_mode") {
      CREDITBOT_ASSIGN_OR_RETURN(std::string name, ReadString(value, dotted, refuse));
      if (name == "none") {
        policy.promise_mode.reset();
      } else {
        CREDITBOT_ASSIGN_OR_RETURN(policy.promise_mode, ReadModeName(value, dotted, refuse));
      }
    } else if (key.str() == "scope") {
      CREDITBOT_ASSIGN_OR_RETURN(std::string scope, ReadString(value, dotted, refuse));
      if (scope == "service") {
        policy.scope = ProtectionScope::kService;
      } else if (scope == "account") {
        policy.scope = ProtectionScope::kAccount;
      } else {
        return refuse.At(value, absl::StrCat("key '", dotted, "' must be \"service\" or \"account\", not \"",
                                             scope, "\""));
      }
    } else if (key.str() == "history_sql") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.history_sql, ReadString(value, dotted, refuse));
      const bool plain = !policy.history_sql.empty() &&
                         std::all_of(policy.history_sql.begin(), policy.history_sql.end(), [](char c) {
                           return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_';
                         });
      if (!plain) {
        return refuse.At(
            value,
            absl::StrCat("key '", dotted, "' must be a plain file name without .sql (letters, digits, _)"));
      }
    } else if (key.str() == "geo_allow_bypasses") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.geo_allow_bypasses, ReadBool(value, dotted, refuse));
    }
  }
  return absl::OkStatus();
}

// What [protection] and the per-mode tables must agree on, checked once every key is read.
absl::Status CheckModes(const toml::table& root, const Refusal& refuse, const CreditPolicy& policy,
                        const std::vector<ModeRateKey>& named) {
  const toml::node* where = root.get("protection");
  if (where == nullptr) where = &root;
  if (policy.promise_mode) {
    const bool declared =
        std::find(policy.modes.begin() + 1, policy.modes.end(), *policy.promise_mode) != policy.modes.end();
    if (!declared) {
      return refuse.At(*where, absl::StrCat("promise_mode \"", std::string(ModeName(*policy.promise_mode)),
                                            "\" is not one of the protection modes other than off; set "
                                            "protection.promise_mode = \"none\" when nothing is guaranteed"));
    }
  }
  for (const ModeRateKey& key : named) {
    if (std::find(policy.modes.begin() + 1, policy.modes.end(), key.mode) == policy.modes.end()) {
      return refuse.At(*key.node, absl::StrCat("key '", key.dotted,
                                               "' names a mode that protection.modes does not declare"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadColumns(const toml::node& node, const Refusal& refuse, std::vector<ColumnRole>& columns) {
  const auto* table = node.as_table();
  if (table == nullptr) return refuse.WrongType(node, "columns", "a table of column roles");
  for (auto&& [role, patterns_node] : *table) {
    std::string dotted = absl::StrCat("columns.", std::string(role.str()));
    ColumnRole* target = nullptr;
    for (ColumnRole& column : columns) {
      if (column.role == role.str()) target = &column;
    }
    if (target == nullptr) return refuse.UnknownKey(patterns_node, dotted);
    CREDITBOT_ASSIGN_OR_RETURN(target->patterns, ReadPatterns(patterns_node, dotted, refuse));
  }
  return absl::OkStatus();
}

absl::Status ReadProduct(const toml::node& node, const Refusal& refuse, std::vector<std::string>& match) {
  const auto* table = node.as_table();
  if (table == nullptr) return refuse.WrongType(node, "product", "a table");
  for (auto&& [key, value] : *table) {
    std::string dotted = absl::StrCat("product.", std::string(key.str()));
    if (!IsOneOf(key.str(), kProductKeys)) return refuse.UnknownKey(value, dotted);
    CREDITBOT_ASSIGN_OR_RETURN(match, ReadPatterns(value, dotted, refuse));
  }
  return absl::OkStatus();
}

absl::Status ReadTopLevel(const toml::table& root, const Refusal& refuse, CreditPolicy& policy,
                          std::vector<ModeRateKey>& named) {
  for (auto&& [key_node, node] : root) {
    const std::string_view key = key_node.str();
    if (!IsOneOf(key, kTopLevelKeys)) return refuse.UnknownKey(node, key);
    if (key == "name") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.name, ReadString(node, key, refuse));
      if (policy.name.empty()) return refuse.At(node, "key 'name' must not be empty");
    } else if (key == "version") {
      // A string ("1", "2025-07") or an integer (1).
      if (const auto* integer = node.as_integer()) {
        policy.version = std::to_string(integer->get());
      } else {
        CREDITBOT_ASSIGN_OR_RETURN(policy.version, ReadString(node, key, refuse));
      }
    } else if (key == "enabled") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.enabled, ReadBool(node, key, refuse));
    } else if (key == "k") {
      CREDITBOT_RETURN_IF_ERROR(ReadModeRates(
          node, key, refuse, named, [&](Mode mode, Decimal rate) { policy.k[ModeIndex(mode)] = rate; }));
    } else if (key == "cap_goodwill_at_cost") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.cap_goodwill_at_cost, ReadBool(node, key, refuse));
    } else if (key == "promise_claim_days") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.promise_claim_days, ReadDays(node, key, refuse));
    } else if (key == "late_max_policy") {
      CREDITBOT_ASSIGN_OR_RETURN(std::string value, ReadString(node, key, refuse));
      if (value == "goodwill") {
        policy.late_max_policy = LateMaxPolicy::kGoodwill;
      } else if (value == "zero") {
        policy.late_max_policy = LateMaxPolicy::kZero;
      } else {
        return refuse.At(node, absl::StrCat("key 'late_max_policy' must be \"goodwill\" or \"zero\", not \"",
                                            value, "\""));
      }
    } else if (key == "min_credit_usd") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.min_credit_usd, ReadAmount(node, key, refuse));
    } else if (key == "auto_approve_limit_usd") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.auto_approve_limit_usd, ReadAmount(node, key, refuse));
    } else if (key == "approval_mrr_multiple") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.approval_mrr_multiple, ReadAmount(node, key, refuse));
    } else if (key == "repeat_window_days") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.repeat_window_days, ReadDays(node, key, refuse));
    } else if (key == "repeat_factor") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.repeat_factor, ReadRate(node, key, refuse));
    } else if (key == "repeat_products") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.repeat_products, ReadProductNames(node, key, refuse));
    } else if (key == "default_block_rate") {
      CREDITBOT_RETURN_IF_ERROR(ReadModeRates(node, key, refuse, named, [&](Mode mode, Decimal rate) {
        policy.default_block_rate[ModeIndex(mode)] = rate;
      }));
    } else if (key == "default_cost_usd") {
      CREDITBOT_ASSIGN_OR_RETURN(policy.default_cost_usd, ReadAmount(node, key, refuse));
    } else if (key == "columns") {
      CREDITBOT_RETURN_IF_ERROR(ReadColumns(node, refuse, policy.columns));
    } else if (key == "product") {
      CREDITBOT_RETURN_IF_ERROR(ReadProduct(node, refuse, policy.product_match));
    } else if (key == "protection") {
      CREDITBOT_RETURN_IF_ERROR(ReadProtection(node, refuse, policy));
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<ColumnRole> CreditPolicy::DefaultColumns() {
  // The defaults of CREDIT_POLICY.md's fraud-report table: role, default column name, required.
  struct Default {
    std::string_view role, column;
    bool required;
  };
  static constexpr Default kDefaults[] = {
      {"day", "day", true},
      {"account_sid", "account_sid", true},
      {"service_sid", "service_sid", false},
      {"mcc", "mcc", true},
      {"mnc", "mnc", false},
      {"country", "to_country", false},
      {"attempts_sent", "attempts_sent", true},
      {"attempts_blocked", "attempts_blocked", false},
      {"fraud_charges", "fraud_charges_usd", true},
  };
  std::vector<ColumnRole> columns;
  for (const Default& column : kDefaults) {
    columns.push_back(ColumnRole{std::string(column.role), {ColumnPattern(column.column)}, column.required});
  }
  return columns;
}

absl::StatusOr<CreditPolicy> ParseCreditPolicy(std::string_view toml_text, std::string_view source_name) {
  const Refusal refuse(source_name);
  CreditPolicy policy;
  policy.source_name = std::string(source_name);
  policy.sha256 = Sha256Hex(toml_text);
  CREDITBOT_ASSIGN_OR_RETURN(toml::table root, ParseTomlDocument(toml_text, source_name));
  std::vector<ModeRateKey> named;
  CREDITBOT_RETURN_IF_ERROR(ReadTopLevel(root, refuse, policy, named));
  CREDITBOT_RETURN_IF_ERROR(CheckModes(root, refuse, policy, named));
  return policy;
}

}  // namespace creditbot
