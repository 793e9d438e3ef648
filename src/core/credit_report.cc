// Names of the credit treatments, as they appear in the result JSON and the audit trail, and the wording
// of each line's `why`.
#include "core/credit_report.h"

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

std::vector<ModeBreakdown> FraudGuardBreakdown() {
  std::vector<ModeBreakdown> breakdown(kAllModes.size());
  for (std::size_t i = 0; i < kAllModes.size(); ++i) breakdown[i].mode = kAllModes[i];
  return breakdown;
}

const LineText& CreditLine::Text() const {
  static const LineText kNone;
  return text ? *text : kNone;
}

std::string WhyOf(const CreditLine& line, const CreditReport& report) {
  const std::string mode(ModeName(line.mode));
  // A Promise line is one of the promised mode's rows (Fraud Guard: max), so its reason names that mode.
  const std::string promised(report.promise_mode ? ModeName(*report.promise_mode) : ModeName(line.mode));
  const bool cap_binds = report.summary.cap_binds;
  const bool nothing_paid = report.credit_amount.IsZero();
  std::string why;
  switch (line.treatment) {
    case Treatment::kPromise:
      why = absl::StrCat(promised, " in force and claimed by ", Day(line.promise_deadline),
                         ": Promise pays E(", promised, ") = ", Money(line.eligible), " for a shortfall of ",
                         line.shortfall.ToString(), " attempts");
      break;
    case Treatment::kGoodwill: {
      const bool late_max = report.promise_mode && line.mode == *report.promise_mode;
      why = absl::StrCat(mode, " in force", late_max ? ", claimed after the Promise deadline " : "",
                         late_max ? Day(line.promise_deadline) : "", ": goodwill k·rf·E(", mode,
                         ") = ", line.k.ToString(), " × ", report.summary.repeat_factor.ToString(), " × ",
                         Money(line.eligible), " = ", Money(line.earned));
      if (cap_binds)
        why += absl::StrCat(", scaled pro rata by the provider-cost cap to ", Money(line.credited));
      break;
    }
    case Treatment::kLateMaxZero:
      why = absl::StrCat(promised, " in force but claimed after the Promise deadline ",
                         Day(line.promise_deadline), ": late_max_policy = zero");
      break;
    case Treatment::kOff:
      why = absl::StrCat(report.protection_name, " off: no mode was in force to block anything");
      break;
    case Treatment::kOverrideGeoAllow:
      why = absl::StrCat("Geo Permission 'allow' for ", line.country(), " bypasses ", report.protection_name,
                         ": nothing was expected to be blocked in any mode");
      break;
    case Treatment::kOverrideCustomCodeBasic:
      why =
          "custom-code service in basic, which Fraud Guard does not support: nothing was expected to be "
          "blocked";
      break;
  }
  if (nothing_paid && !line.earned.IsZero())
    why += "; the total is below the minimum credit, so nothing is paid";
  if (line.mode_mixed_day)
    why += absl::StrCat("; the mode changed during the day, ", mode, " was in force for most of it");
  return why;
}

}  // namespace creditbot
