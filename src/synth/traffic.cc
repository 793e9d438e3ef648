// Emits the synthetic warehouse's attempt rows: exact cells, attacks and legitimate traffic (see traffic.h).
#include "synth/traffic.h"

#include <optional>
#include <vector>

#include "common/status_macros.h"
#include "core/mode.h"
#include "synth/synth_time.h"

namespace creditbot::synth {
namespace {

// One day of legitimate OTP traffic of a service.
absl::Status EmitLegitDay(const World& world, const ServiceRec& service, absl::CivilDay day, int64_t count,
                          bool may_reach_pumping_countries, Rng& rng, Rng& sid_rng, AttemptWriter& out) {
  const AccountRec& account = world.Account(service.account_sid);
  const std::vector<std::size_t>* geo_rows = GeoOf(world, service.account_sid);
  for (int64_t i = 0; i < count; ++i) {
    std::size_t index = account.home;
    if (!rng.Chance(account.home_share)) {
      do {
        index = rng.Index(world.countries.size());
      } while (world.countries[index].pumping_prone && !(may_reach_pumping_countries && rng.Chance(0.05)));
    }
    const Country& country = world.countries[index];
    const std::string& mnc = country.mncs[rng.Index(country.mncs.size())];
    const Seconds t = StartOf(day) + rng.Int(0, kDay - 1);
    const Mode mode = ModeAt(service, t);
    const std::string_view geo = GeoAt(world, geo_rows, country.iso, t);
    const bool unprotected = geo == "allow" || (mode == Mode::kBasic && service.custom_code);
    const bool call = rng.Chance(0.04);
    Attempt a{&service.account_sid,
              &service.sid,
              t,
              call ? "call" : "sms",
              &country,
              &mnc,
              "delivered",
              std::nullopt,
              nullptr,
              false,
              call ? country.price * 1.5 : country.price};
    if (geo == "disable" && !call) {
      a.status = "blocked";
      a.error_code = 60605;
      a.block_reason = "geo_permissions";
      a.price = 0;
    } else if (!call && !unprotected && rng.Chance(FalsePositiveRate(mode))) {
      a.status = "blocked";
      a.error_code = 60410;
      a.block_reason = "fraud_guard";
      a.price = 0;
    } else if (rng.Chance(0.01)) {
      a.status = "failed";
      a.error_code = 30008;
      a.price = 0;
    } else {
      if (rng.Chance(0.03)) a.status = "undelivered";
      a.converted = a.status[0] == 'd' && rng.Chance(service.conversion);
    }
    CREDITBOT_RETURN_IF_ERROR(out.Add(a, sid_rng));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status EmitExactCell(const World& world, const ServiceRec& service, absl::CivilDay day,
                           std::string_view iso, const std::string& mnc, int64_t sent, int64_t blocked,
                           Rng& rng, Rng& sid_rng, AttemptWriter& out) {
  const Country& country = world.countries[world.CountryIndex(iso)];
  for (int64_t i = 0; i < sent + blocked; ++i) {
    const bool is_blocked = i >= sent;
    Attempt a{&service.account_sid,
              &service.sid,
              StartOf(day) + rng.Int(0, kDay - 1),
              "sms",
              &country,
              &mnc,
              is_blocked ? "blocked" : "delivered",
              is_blocked ? std::optional<int64_t>(60410) : std::nullopt,
              is_blocked ? "fraud_guard" : nullptr,
              false,
              is_blocked ? 0.0 : country.price};
    CREDITBOT_RETURN_IF_ERROR(out.Add(a, sid_rng));
  }
  return absl::OkStatus();
}

absl::Status EmitAttack(const World& world, const AttackPlan& plan, Rng& rng, Rng& sid_rng,
                        AttemptWriter& out) {
  const ServiceRec& service = world.services[plan.service];
  const Country& country = world.countries[plan.country];
  const std::vector<std::size_t>* geo_rows = GeoOf(world, service.account_sid);
  for (std::size_t d = 0; d < plan.daily.size(); ++d) {
    const absl::CivilDay day = plan.start + static_cast<int64_t>(d);
    for (int64_t i = 0; i < plan.daily[d]; ++i) {
      const Seconds t = StartOf(day) + rng.Int(0, kDay - 1);
      const uint64_t prefix = static_cast<uint64_t>(rng.Int(0, plan.prefixes - 1));
      const Mode mode = ModeAt(service, t);
      const std::string_view geo = GeoAt(world, geo_rows, country.iso, t);
      const bool unprotected = geo == "allow" || (mode == Mode::kBasic && service.custom_code);
      const double window_draw = ToUnit(Hash(plan.id, static_cast<uint64_t>(t / (kDay / 2)), prefix));
      Attempt a{&service.account_sid, &service.sid, t,       "sms", &country,     &plan.mnc,
                "delivered",          std::nullopt, nullptr, false, country.price};
      if (geo == "disable") {
        a.status = "blocked";
        a.error_code = 60605;
        a.block_reason = "geo_permissions";
        a.price = 0;
      } else if (!unprotected && window_draw < BlockRate(country, mode)) {
        a.status = "blocked";
        a.error_code = 60410;
        a.block_reason = "fraud_guard";
        a.price = 0;
      } else {
        if (rng.Chance(0.08)) a.status = "undelivered";
        a.converted = rng.Chance(plan.conversion);
      }
      CREDITBOT_RETURN_IF_ERROR(out.Add(a, sid_rng));
    }
  }
  return absl::OkStatus();
}

absl::Status EmitLegitRange(const World& world, const ServiceRec& service, absl::CivilDay from,
                            absl::CivilDay to, double daily, bool may_reach_pumping_countries, Rng& rng,
                            Rng& sid_rng, AttemptWriter& out) {
  for (absl::CivilDay day = from; day < to; ++day) {
    CREDITBOT_RETURN_IF_ERROR(EmitLegitDay(world, service, day, rng.Poisson(daily),
                                           may_reach_pumping_countries, rng, sid_rng, out));
  }
  return absl::OkStatus();
}

}  // namespace creditbot::synth
