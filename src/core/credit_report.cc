// Names of the credit treatments, as they appear in the result JSON and the audit trail, and the wording
// of each line's `why`.
#include "core/credit_report.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"

namespace creditbot {
namespace {

std::string Money(Decimal value) { return value.ToString(2); }
std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace

std::string_view TreatmentName(Treatment treatment) {
  switch (treatment) {
    case Treatment::kPromise:
      return "promise";
    case Treatment::kGoodwill:
      return "goodwill";
    case Treatment::kLateMaxZero:
      return "late_max_zero";
    case Treatment::kOff:
      return "off";
    case Treatment::kOverrideGeoAllow:
      return "override_geo_allow";
    case Treatment::kOverrideCustomCodeBasic:
      return "override_custom_code_basic";
  }
  return "off";
}

std::string LineWhy::Text() const {
  if (!worded_) return std::string();
  const Facts& f = facts_;
  const std::string mode(ModeName(f.mode));
  std::string why;
  switch (f.treatment) {
    case Treatment::kPromise:
      why = absl::StrCat("max in force and claimed by ", Day(f.deadline),
                         ": Promise pays E(max) = ", Money(f.eligible), " for a shortfall of ",
                         f.shortfall.ToString(), " attempts");
      break;
    case Treatment::kGoodwill:
      why = absl::StrCat(
          mode, " in force", f.mode == Mode::kMax ? ", claimed after the Promise deadline " : "",
          f.mode == Mode::kMax ? Day(f.deadline) : "", ": goodwill k·rf·E(", mode, ") = ", f.k.ToString(),
          " × ", f.repeat_factor.ToString(), " × ", Money(f.eligible), " = ", Money(f.earned));
      if (f.cap_binds)
        why += absl::StrCat(", scaled pro rata by the provider-cost cap to ", Money(f.credited));
      break;
    case Treatment::kLateMaxZero:
      why = absl::StrCat("max in force but claimed after the Promise deadline ", Day(f.deadline),
                         ": late_max_policy = zero");
      break;
    case Treatment::kOff:
      why = "Fraud Guard off: no mode was in force to block anything";
      break;
    case Treatment::kOverrideGeoAllow:
      why = absl::StrCat("Geo Permission 'allow' for ", f.country,
                         " bypasses Fraud Guard: nothing was expected to be blocked in any mode");
      break;
    case Treatment::kOverrideCustomCodeBasic:
      why =
          "custom-code service in basic, which Fraud Guard does not support: nothing was expected to be "
          "blocked";
      break;
  }
  if (f.nothing_paid && !f.earned.IsZero())
    why += "; the total is below the minimum credit, so nothing is paid";
  if (f.mode_mixed_day)
    why += absl::StrCat("; the mode changed during the day, ", mode, " was in force for most of it");
  return why;
}

void PrintTo(const LineWhy& why, std::ostream* os) { *os << why.Text(); }

}  // namespace creditbot
