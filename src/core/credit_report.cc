// Names of the credit treatments, as they appear in the result JSON and the audit trail.
#include "core/credit_report.h"

namespace creditbot {

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

}  // namespace creditbot
