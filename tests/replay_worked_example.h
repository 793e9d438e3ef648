// The worked example (docs/CREDIT_POLICY.md, test case 1: the sample's request for look 101, credit 255.00,
// above the 250.00 approval threshold) replayed under a candidate policy with k.standard = 0.5, as the replay
// tests (tests/replay_*_test.cc, tests/dashboard_browser_test.cc) use it: the candidate policy's text, and
// the report row checked against the hand calculation.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace creditbot::testing {

// The request's key in the sample inbox.
inline constexpr char kWorkedExampleRequest[] = "C0CREDITREQ:1752588191.000100";

// policy/verify.toml with `standard = "0.5"` instead of "1.0" (empty, with a test failure, if that line is
// not there).
std::string HalfStandardPolicy();

// EXPECTs on one replay.json row of the worked example under HalfStandardPolicy(), from frozen inputs.
void ExpectHalfStandardWorkedExample(const nlohmann::json& row);

}  // namespace creditbot::testing
