// The named scenarios of the sample looks (see named_scenarios.h): first every scenario's records, then
// their attempts (test case 1's exact cells, the attacks, the legitimate traffic around them), drawn from
// one seed-independent stream in that order.
#include "synth/named_scenarios.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "core/mode.h"
#include "synth/rng.h"
#include "synth/synth_time.h"
#include "synth/synthetic_warehouse.h"
#include "synth/traffic.h"

namespace creditbot::synth {
namespace {

constexpr uint64_t kNamedSeed = 0x6372656469746274ULL;  // "creditbt"

void AddNamedAccount(World& world, std::string_view sid, std::string_view parent, std::string_view name,
                     std::string_view home) {
  world.AddAccount(AccountRec{std::string(sid), std::string(parent), std::string(name), "active",
                              world.CountryIndex(home), 0.9});
}

ServiceRec NamedService(std::string_view sid, std::string_view account, std::string_view name,
                        bool custom_code, std::vector<std::pair<Seconds, Mode>> changes) {
  ServiceRec service;
  service.sid = std::string(sid);
  service.account_sid = std::string(account);
  service.friendly_name = std::string(name);
  service.custom_code = custom_code;
  service.changes = std::move(changes);
  service.conversion = 0.8;
  return service;
}

void AddMonthlyMrr(World& world, std::string_view parent, int first_month,
                   const std::vector<double>& amounts) {
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    world.mrr[{std::string(parent), FormatDay(absl::CivilDay(2025, first_month + static_cast<int>(i), 1))}] =
        amounts[i];
  }
}

// Test case 1 (CREDIT_POLICY.md), verbatim.
void AddTestCase1(World& world) {
  AddNamedAccount(world, kTestCase1Parent, kTestCase1Parent, "Acme Health", "US");
  AddNamedAccount(world, kTestCase1Sub1, kTestCase1Parent, "Acme Health - US", "US");
  AddNamedAccount(world, kTestCase1Sub2, kTestCase1Parent, "Acme Health - EU", "GB");
  world.services.push_back(NamedService(kTestCase1Service1, kTestCase1Sub1, "Acme login", false,
                                        {{At(2025, 1, 1), Mode::kStandard}, {At(2025, 7, 3), Mode::kMax}}));
  world.services.push_back(NamedService(kTestCase1Service2, kTestCase1Sub2, "Acme signup", false,
                                        {{At(2025, 1, 1), Mode::kStandard}, {At(2025, 5, 1), Mode::kOff}}));
  world.AddGeo({std::string(kTestCase1Sub2), "SO", "sms", "disable", At(2025, 2, 1, 9, 15), std::nullopt});
  world.AddGeo({std::string(kTestCase1Sub1), "NG", "sms", "monitor", At(2025, 3, 4, 16, 40), std::nullopt});
  AddMonthlyMrr(world, kTestCase1Parent, 1,
                {235.00, 238.00, 240.00, 242.00, 245.00, 248.00, 250.00, 252.00, 255.00, 255.00});
}

// Look 102: a parent with three subaccounts; a three-week attack on UZ; service A1 moves standard → max
// mid-attack (09:30 UTC, so 2025-09-04 is a mixed day, mostly max).
void AddScenario102(World& world) {
  AddNamedAccount(world, kScenario102Parent, kScenario102Parent, "Bluefin Payments", "US");
  AddNamedAccount(world, kScenario102SubA, kScenario102Parent, "Bluefin Payments - prod", "US");
  AddNamedAccount(world, kScenario102SubB, kScenario102Parent, "Bluefin Payments - staging", "US");
  AddNamedAccount(world, kScenario102SubC, kScenario102Parent, "Bluefin Payments - EU", "DE");
  world.services.push_back(
      NamedService(kScenario102ServiceA1, kScenario102SubA, "Bluefin login", false,
                   {{At(2024, 11, 5, 8, 12, 44), Mode::kStandard}, {At(2025, 9, 4, 9, 30), Mode::kMax}}));
  world.services.push_back(NamedService(kScenario102ServiceA2, kScenario102SubA, "Bluefin payouts", false,
                                        {{At(2024, 11, 5, 8, 20, 2), Mode::kStandard}}));
  world.services.push_back(NamedService(kScenario102ServiceB1, kScenario102SubB, "Bluefin staging", false,
                                        {{At(2025, 2, 14, 13, 3, 9), Mode::kStandard}}));
  world.services.push_back(NamedService(kScenario102ServiceC1, kScenario102SubC, "Bluefin EU login", false,
                                        {{At(2025, 3, 1, 10, 0), Mode::kBasic}}));
  world.AddGeo({std::string(kScenario102SubA), "NG", "sms", "disable", At(2025, 1, 10, 12), std::nullopt});
  AddMonthlyMrr(world, kScenario102Parent, 1,
                {1720.00, 1735.50, 1750.00, 1768.25, 1790.00, 1805.00, 1820.00, 1836.40, 1850.00, 1862.00});
  world.credits.push_back(
      {std::string(kScenario102Parent), "verify", At(2025, 2, 11, 15, 2, 11), 640.00, "rejected"});
  world.credits.push_back(
      {std::string(kScenario102Parent), "psms", At(2025, 4, 3, 9, 48, 30), 120.00, "issued"});
}

// Look 103: Fraud Guard off since 2025-03-10; MRR known up to July only (the claim month is missing).
void AddScenario103(World& world) {
  AddNamedAccount(world, kScenario103Parent, kScenario103Parent, "Quokka Rides", "AU");
  world.services.push_back(
      NamedService(kScenario103Service, kScenario103Parent, "Quokka rider OTP", false,
                   {{At(2024, 9, 1, 12), Mode::kStandard}, {At(2025, 3, 10, 14), Mode::kOff}}));
  AddMonthlyMrr(world, kScenario103Parent, 1, {80.00, 82.00, 85.00, 88.00, 90.00, 92.00, 95.00});
}

// Explore look: a parent on basic since 2025-06-01 with Geo Permission 'allow' for LK (bypasses Fraud
// Guard) and 'monitor' for PK; an issued Verify credit on 2025-01-20 (inside the repeat window).
void AddScenarioExplore(World& world) {
  AddNamedAccount(world, kScenarioExploreParent, kScenarioExploreParent, "Larkspur Health", "GB");
  world.services.push_back(
      NamedService(kScenarioExploreService, kScenarioExploreParent, "Larkspur patient OTP", false,
                   {{At(2024, 12, 1, 9), Mode::kStandard}, {At(2025, 6, 1), Mode::kBasic}}));
  world.services.push_back(NamedService(kScenarioExploreService2, kScenarioExploreParent,
                                        "Larkspur staff MFA", true,
                                        {{At(2024, 12, 1, 9, 5), Mode::kStandard}}));
  world.AddGeo(
      {std::string(kScenarioExploreParent), "LK", "sms", "allow", At(2025, 5, 20, 10), std::nullopt});
  world.AddGeo(
      {std::string(kScenarioExploreParent), "PK", "sms", "monitor", At(2025, 5, 20, 10), std::nullopt});
  AddMonthlyMrr(world, kScenarioExploreParent, 1,
                {3900.00, 3920.00, 3950.00, 3980.00, 4010.00, 4050.00, 4100.00, 4150.00, 4180.00, 4200.00});
  world.credits.push_back(
      {std::string(kScenarioExploreParent), "verify", At(2025, 1, 20, 14, 5), 310.00, "issued"});
}

// The named service `sid` among the services from `first_service` on (the first of them if none matches).
const ServiceRec& NamedServiceOf(const World& world, std::size_t first_service, std::string_view sid) {
  for (std::size_t i = first_service; i < world.services.size(); ++i) {
    if (world.services[i].sid == sid) return world.services[i];
  }
  return world.services[first_service];
}

// Test case 1's five cells, exactly: A sent at the list price, B blocked at price 0.
absl::Status EmitTestCase1Cells(const World& world, std::size_t first_service, Rng& rng, Rng& sid_rng,
                                AttemptWriter& out) {
  struct Cell {
    int day;
    std::string_view service, iso;
    const char* mnc;
    int64_t sent, blocked;
  };
  static constexpr Cell kCells[] = {
      {1, kTestCase1Service1, "AZ", "04", 1000, 500}, {2, kTestCase1Service1, "AZ", "04", 800, 1200},
      {3, kTestCase1Service1, "AZ", "04", 300, 1700}, {2, kTestCase1Service2, "TJ", "03", 2000, 0},
      {3, kTestCase1Service2, "TJ", "03", 500, 0},
  };
  for (const Cell& cell : kCells) {
    CREDITBOT_RETURN_IF_ERROR(EmitExactCell(
        world, NamedServiceOf(world, first_service, cell.service), absl::CivilDay(2025, 7, cell.day),
        cell.iso, std::string(cell.mnc), cell.sent, cell.blocked, rng, sid_rng, out));
  }
  return absl::OkStatus();
}

AttackPlan NamedAttack(const World& world, std::string_view service_sid, std::string_view iso,
                       std::string mnc, absl::CivilDay start, int days, int64_t low, int64_t high,
                       int prefixes, double conversion, uint64_t id, Rng& rng) {
  AttackPlan plan;
  for (std::size_t i = 0; i < world.services.size(); ++i) {
    if (world.services[i].sid == service_sid) plan.service = i;
  }
  plan.country = world.CountryIndex(iso);
  plan.mnc = std::move(mnc);
  plan.start = start;
  for (int d = 0; d < days; ++d) plan.daily.push_back(rng.Int(low, high));
  plan.prefixes = prefixes;
  plan.conversion = conversion;
  plan.id = id;
  return plan;
}

// The named attacks: every plan is drawn first, then their attempts are emitted.
absl::Status EmitNamedAttacks(const World& world, Rng& rng, Rng& sid_rng, AttemptWriter& out) {
  std::vector<AttackPlan> attacks;
  attacks.push_back(NamedAttack(world, kScenario102ServiceA1, "UZ", "05", absl::CivilDay(2025, 8, 25), 21,
                                250, 600, 12, 0.01, 0x102a, rng));
  // The same attackers also tried Nigeria, which the prod subaccount's Geo Permissions disable (error 60605).
  attacks.push_back(NamedAttack(world, kScenario102ServiceA1, "NG", "20", absl::CivilDay(2025, 8, 26), 3, 30,
                                60, 4, 0.0, 0x102c, rng));
  attacks.push_back(NamedAttack(world, kScenario102ServiceB1, "KG", "09", absl::CivilDay(2025, 9, 2), 5, 150,
                                300, 8, 0.0, 0x102b, rng));
  attacks.push_back(NamedAttack(world, kScenario103Service, "BD", "03", absl::CivilDay(2025, 8, 1), 7, 300,
                                500, 10, 0.005, 0x103, rng));
  attacks.push_back(NamedAttack(world, kScenarioExploreService, "LK", "02", absl::CivilDay(2025, 9, 8), 12,
                                150, 300, 10, 0.01, 0xe1, rng));
  attacks.push_back(NamedAttack(world, kScenarioExploreService, "PK", "06", absl::CivilDay(2025, 9, 8), 12,
                                200, 400, 12, 0.01, 0xe2, rng));
  for (const AttackPlan& plan : attacks)
    CREDITBOT_RETURN_IF_ERROR(EmitAttack(world, plan, rng, sid_rng, out));
  return absl::OkStatus();
}

// Legitimate traffic around each scenario, only to the accounts' usual (never pumping-prone) countries.
absl::Status EmitNamedLegitTraffic(const World& world, std::size_t first_service, Rng& rng, Rng& sid_rng,
                                   AttemptWriter& out) {
  struct Legit {
    std::string_view service;
    absl::CivilDay from, to;
    double daily;
  };
  const Legit legit[] = {
      {kTestCase1Service1, absl::CivilDay(2025, 6, 15), absl::CivilDay(2025, 8, 1), 6},
      {kTestCase1Service2, absl::CivilDay(2025, 6, 15), absl::CivilDay(2025, 8, 1), 6},
      {kScenario102ServiceA1, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario102ServiceA2, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario102ServiceB1, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario102ServiceC1, absl::CivilDay(2025, 8, 1), absl::CivilDay(2025, 10, 1), 10},
      {kScenario103Service, absl::CivilDay(2025, 7, 15), absl::CivilDay(2025, 8, 21), 5},
      {kScenarioExploreService, absl::CivilDay(2025, 8, 15), absl::CivilDay(2025, 10, 6), 8},
      {kScenarioExploreService2, absl::CivilDay(2025, 8, 15), absl::CivilDay(2025, 10, 6), 8},
  };
  for (const Legit& range : legit) {
    CREDITBOT_RETURN_IF_ERROR(EmitLegitRange(world, NamedServiceOf(world, first_service, range.service),
                                             range.from, range.to, range.daily, false, rng, sid_rng, out));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status AddNamedScenarios(World& world, AttemptWriter& out) {
  Rng rng(kNamedSeed);
  Rng sid_rng(kNamedSeed ^ 0x5349445349445349ULL);
  const std::size_t first_service = world.services.size();
  AddTestCase1(world);
  AddScenario102(world);
  AddScenario103(world);
  AddScenarioExplore(world);
  CREDITBOT_RETURN_IF_ERROR(EmitTestCase1Cells(world, first_service, rng, sid_rng, out));
  CREDITBOT_RETURN_IF_ERROR(EmitNamedAttacks(world, rng, sid_rng, out));
  return EmitNamedLegitTraffic(world, first_service, rng, sid_rng, out);
}

}  // namespace creditbot::synth
