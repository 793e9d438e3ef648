// The random fleet (see random_fleet.h), in the order its draws are made: the parents one by one (accounts,
// services, Geo Permissions, MRR, credits), then the attacks, planned before any traffic so that some
// services can move to max after theirs, then every service's legitimate traffic, then the attacks' rows.
#include "synth/random_fleet.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "core/mode.h"
#include "synth/rng.h"
#include "synth/synth_time.h"
#include "synth/traffic.h"

namespace creditbot::synth {
namespace {

constexpr const char* kNameFirst[] = {"Apex",   "Birch",   "Cobalt",  "Delta",   "Ember",  "Fjord", "Granite",
                                      "Harbor", "Indigo",  "Juniper", "Kestrel", "Lumen",  "Maple", "Nimbus",
                                      "Orchid", "Pioneer", "Quartz",  "Riverly", "Summit", "Tandem"};
constexpr const char* kNameSecond[] = {"Bank",   "Health", "Games",  "Rides",   "Market",
                                       "Travel", "Labs",   "Dating", "Finance", "Foods",
                                       "Energy", "Mobile", "Cloud",  "Learning"};

Mode DrawInitialMode(Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.70) return Mode::kStandard;
  if (u < 0.80) return Mode::kBasic;
  if (u < 0.90) return Mode::kMax;
  return Mode::kOff;
}

// Builds the fleet on `world` from one stream of draws (`rng`) and one of attempt SIDs (`sid_rng`).
class FleetBuilder {
 public:
  FleetBuilder(World& world, const SynthOptions& options)
      : world_(world),
        rng_(Hash(options.seed, 0x666c656574ULL)),  // "fleet"
        sid_rng_(Hash(options.seed, 0x736964ULL)),  // "sid"
        first_service_(world.services.size()) {
    for (std::size_t i = 0; i < world_.countries.size(); ++i) {
      if (world_.countries[i].weight > 0) {
        homes_.push_back(i);
        home_weights_.push_back(world_.countries[i].weight);
        total_home_weight_ += world_.countries[i].weight;
      }
    }
    for (std::size_t i = 0; i < world_.countries.size(); ++i) {
      if (world_.countries[i].pumping_prone) pumping_.push_back(i);
    }
  }

  // One parent with its subaccounts, their services and Geo Permissions, its MRR and earlier credits.
  void AddParent();
  // Plans attacks until they hold `attack_budget` attempts; returns how many they hold.
  double PlanAttacks(double attack_budget);
  // Writes every fleet service's legitimate traffic (sharing `legit_budget` by weight), then the attacks.
  absl::Status EmitTraffic(double legit_budget, AttemptWriter& out);

 private:
  static constexpr int64_t kPeriodDays = kPeriodEnd - kPeriodStart;

  std::size_t DrawHome();
  void AddService(const std::string& account_sid, const std::string& name, int64_t s, int segment);
  void AddGeoPermissions(const std::string& account_sid);
  void AddMrr(const std::string& parent_sid, int segment);
  void AddCredits(const std::string& parent_sid);
  AttackPlan PlanAttack(double attack_budget, double& planned);

  World& world_;
  Rng rng_;
  Rng sid_rng_;
  const std::size_t first_service_;
  std::vector<std::size_t> homes_;  // countries of legitimate traffic, drawn by weight
  std::vector<double> home_weights_;
  double total_home_weight_ = 0;
  std::vector<std::size_t> pumping_;     // pumping-prone countries
  std::vector<double> service_weights_;  // each fleet service's share of the legitimate traffic
  std::vector<AttackPlan> attacks_;
};

std::size_t FleetBuilder::DrawHome() {
  double u = rng_.Uniform() * total_home_weight_;
  for (std::size_t i = 0; i < homes_.size(); ++i) {
    if (u < home_weights_[i]) return homes_[i];
    u -= home_weights_[i];
  }
  return homes_.back();
}

void FleetBuilder::AddParent() {
  Rng& rng = rng_;
  const std::string parent_sid = rng.Sid("AC");
  const std::string name = absl::StrCat(kNameFirst[rng.Index(std::size(kNameFirst))], " ",
                                        kNameSecond[rng.Index(std::size(kNameSecond))]);
  const double u = rng.Uniform();
  const int segment = u < 0.70 ? 0 : u < 0.92 ? 1 : 2;  // self-serve, mid-market, enterprise
  const double v = rng.Uniform();
  const std::string status = v < 0.95 ? "active" : v < 0.98 ? "suspended" : "closed";
  const std::size_t home = DrawHome();
  const int64_t subaccounts = rng.Chance(0.8) ? 0 : rng.Int(1, 5);
  for (int64_t a = 0; a <= subaccounts; ++a) {
    const std::string sid = a == 0 ? parent_sid : rng.Sid("AC");
    world_.AddAccount(AccountRec{sid, parent_sid, a == 0 ? name : absl::StrCat(name, " - sub ", a),
                                 a == 0 ? status : (rng.Chance(0.95) ? "active" : "suspended"),
                                 rng.Chance(0.8) ? home : DrawHome(), rng.Uniform(0.70, 0.95)});
    const double w = rng.Uniform();
    const int64_t services = w < 0.6 ? 1 : w < 0.9 ? 2 : 3;
    for (int64_t s = 0; s < services; ++s) AddService(sid, name, s, segment);
    AddGeoPermissions(sid);
  }
  AddMrr(parent_sid, segment);
  AddCredits(parent_sid);
}

void FleetBuilder::AddService(const std::string& account_sid, const std::string& name, int64_t s,
                              int segment) {
  Rng& rng = rng_;
  ServiceRec service;
  service.sid = rng.Sid("VA");
  service.account_sid = account_sid;
  service.friendly_name = absl::StrCat(name, s == 0 ? " login" : s == 1 ? " signup" : " payments");
  service.authy_v1 = rng.Chance(0.10);
  service.custom_code = rng.Chance(0.10);
  const Seconds created = StartOf(kPeriodStart) - rng.Int(30, 700) * kDay + rng.Int(0, kDay - 1);
  const std::size_t ordinal = world_.services.size() - first_service_;
  Mode mode = service.authy_v1 ? Mode::kStandard : DrawInitialMode(rng);
  // Make sure every fleet has the less common set-ups at least once.
  if (ordinal == 0) {
    mode = Mode::kBasic;
    service.custom_code = true;
    service.authy_v1 = false;
  } else if (ordinal == 1) {
    mode = Mode::kOff;
    service.authy_v1 = false;
  } else if (ordinal == 2) {
    mode = Mode::kMax;
    service.authy_v1 = false;
  }
  service.changes.emplace_back(created, mode);
  if (!service.authy_v1 && rng.Chance(0.15)) {
    Mode next = DrawInitialMode(rng);
    if (next == mode) next = mode == Mode::kStandard ? Mode::kMax : Mode::kStandard;
    AddChange(service, StartOf(kPeriodStart) + rng.Int(0, kPeriodDays * kDay - 1), next);
  }
  service.conversion = rng.Uniform(0.6, 0.9);
  world_.services.push_back(std::move(service));
  service_weights_.push_back(rng.LogNormal(1.0, 1.0) * (segment == 0 ? 1.0 : segment == 1 ? 4.0 : 15.0));
}

// Geo Permissions: some accounts restrict (or open) pumping-prone countries.
void FleetBuilder::AddGeoPermissions(const std::string& account_sid) {
  Rng& rng = rng_;
  if (!rng.Chance(0.3)) return;
  const int64_t rows = rng.Int(1, 3);
  std::set<std::size_t> used;
  for (int64_t g = 0; g < rows; ++g) {
    const std::size_t country = pumping_[rng.Index(pumping_.size())];
    if (!used.insert(country).second) continue;
    const double x = rng.Uniform();
    GeoRec rec{account_sid,
               world_.countries[country].iso,
               rng.Chance(0.85) ? "sms" : "call",
               x < 0.60   ? "disable"
               : x < 0.85 ? "monitor"
                          : "allow",
               StartOf(kPeriodStart) - rng.Int(0, 400) * kDay + rng.Int(0, kDay - 1),
               std::nullopt};
    if (rec.channel == "call" && rec.permission == "monitor") rec.permission = "disable";  // SMS only
    if (rng.Chance(0.2)) rec.to = rec.from + rng.Int(30, 200) * kDay;
    world_.AddGeo(std::move(rec));
  }
}

// MRR per month (some parents start during the year).
void FleetBuilder::AddMrr(const std::string& parent_sid, int segment) {
  Rng& rng = rng_;
  double base = segment == 0   ? std::max(1.0, rng.LogNormal(50, 0.8))
                : segment == 1 ? rng.Uniform(2000, 20000)
                               : rng.Uniform(20000, 120000);
  const int first_month = rng.Chance(0.8) ? 1 : static_cast<int>(rng.Int(2, 9));
  for (int m = first_month; m <= 10; ++m) {
    base *= 1.0 + 0.03 * rng.Normal();
    world_.mrr[{parent_sid, FormatDay(absl::CivilDay(2025, m, 1))}] = RoundTo(std::max(1.0, base), 2);
  }
}

// Earlier credits for some parents.
void FleetBuilder::AddCredits(const std::string& parent_sid) {
  Rng& rng = rng_;
  if (!rng.Chance(0.15)) return;
  const int64_t credits = rng.Int(1, 2);
  for (int64_t c = 0; c < credits; ++c) {
    const double x = rng.Uniform();
    world_.credits.push_back(
        CreditRec{parent_sid, rng.Chance(0.8) ? "verify" : "psms",
                  StartOf(absl::CivilDay(2024, 6, 1)) + rng.Int(0, 500) * kDay + rng.Int(0, kDay - 1),
                  RoundTo(rng.Uniform(20, 3000), 2),
                  x < 0.5    ? "issued"
                  : x < 0.65 ? "approved"
                  : x < 0.85 ? "rejected"
                             : "proposed"});
  }
}

double FleetBuilder::PlanAttacks(double attack_budget) {
  double planned = 0;
  while (planned < attack_budget) attacks_.push_back(PlanAttack(attack_budget, planned));
  return planned;
}

// One attack on a random fleet service and pumping-prone network; adds its attempts to `planned`, and the
// last one ends early when the budget is reached. Half the services not in max move to max after it.
AttackPlan FleetBuilder::PlanAttack(double attack_budget, double& planned) {
  Rng& rng = rng_;
  const std::size_t fleet_services = world_.services.size() - first_service_;
  AttackPlan plan;
  plan.service = first_service_ + rng.Index(fleet_services);
  plan.country = pumping_[rng.Index(pumping_.size())];
  const Country& country = world_.countries[plan.country];
  plan.mnc = country.mncs[rng.Index(country.mncs.size())];
  const double d = rng.Uniform();
  int64_t days = d < 0.5 ? rng.Int(1, 3) : d < 0.85 ? rng.Int(4, 10) : rng.Int(11, 30);
  plan.start = kPeriodStart + rng.Int(0, kPeriodDays - 1);
  days = std::min<int64_t>(days, kPeriodEnd - plan.start);
  const double level = 300.0 * std::pow(10.0, rng.Uniform());      // log-uniform 300..3000 a day
  for (int64_t i = 0; i < days && planned < attack_budget; ++i) {  // the last attack may end early
    plan.daily.push_back(static_cast<int64_t>(std::llround(level * rng.Uniform(0.6, 1.4))));
    planned += static_cast<double>(plan.daily.back());
  }
  days = static_cast<int64_t>(plan.daily.size());
  plan.prefixes = static_cast<int>(rng.Int(1, 20));
  plan.conversion = rng.Uniform(0, 0.02);
  plan.id = rng.Next();
  ServiceRec& service = world_.services[plan.service];
  const Seconds end = StartOf(plan.start + days);
  if (!service.authy_v1 && ModeAt(service, end) != Mode::kMax && rng.Chance(0.5)) {
    const Seconds when = end + rng.Int(1, 3) * kDay + rng.Int(0, kDay - 1);
    if (when < StartOf(kPeriodEnd)) AddChange(service, when, Mode::kMax);
  }
  return plan;
}

absl::Status FleetBuilder::EmitTraffic(double legit_budget, AttemptWriter& out) {
  const std::size_t fleet_services = world_.services.size() - first_service_;
  double total_weight = 0;
  for (double w : service_weights_) total_weight += w;
  for (std::size_t s = 0; s < fleet_services; ++s) {
    world_.services[first_service_ + s].daily_volume =
        service_weights_[s] / total_weight * legit_budget / static_cast<double>(kPeriodDays);
  }
  for (std::size_t s = first_service_; s < world_.services.size(); ++s) {
    CREDITBOT_RETURN_IF_ERROR(EmitLegitRange(world_, world_.services[s], kPeriodStart, kPeriodEnd,
                                             world_.services[s].daily_volume, true, rng_, sid_rng_, out));
  }
  for (const AttackPlan& plan : attacks_)
    CREDITBOT_RETURN_IF_ERROR(EmitAttack(world_, plan, rng_, sid_rng_, out));
  return absl::OkStatus();
}

}  // namespace

absl::Status AddRandomFleet(World& world, const SynthOptions& options, AttemptWriter& out) {
  // About scale × 50,000 attempts in all (0.5 % more, so Poisson noise never takes --scale 200 under ten
  // million), the named scenarios included, but always some fleet traffic.
  const double budget = std::max(10000.0, 50250.0 * options.scale - static_cast<double>(out.count()));
  FleetBuilder fleet(world, options);
  for (int p = 0; p < 12 * options.scale; ++p) fleet.AddParent();
  const double planned = fleet.PlanAttacks(0.25 * budget);
  return fleet.EmitTraffic(std::max(0.0, budget - planned), out);
}

}  // namespace creditbot::synth
