// World: everything the synthetic warehouse generator has decided so far (countries, accounts, services
// with their Fraud Guard mode changes, Geo Permissions, MRR, earlier credits), and the per-attempt lookups
// on it (mode and Geo Permission in force, block rates). Header-only: the lookups run once per attempt row.
// The traffic emitters read it; reference_tables.h writes it out at the end.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/mode.h"
#include "synth/country.h"
#include "synth/synth_time.h"

namespace creditbot::synth {

struct ServiceRec {
  std::string sid;
  std::string account_sid;
  std::string friendly_name;
  bool custom_code = false;
  bool authy_v1 = false;
  std::vector<std::pair<Seconds, Mode>> changes;  // sorted; the first is the creation
  double conversion = 0.75;                       // legitimate conversion rate
  double daily_volume = 0;                        // legitimate attempts per day (background)
};

struct GeoRec {
  std::string account_sid;
  std::string iso;
  std::string channel;
  std::string permission;
  Seconds from = 0;
  std::optional<Seconds> to;
};

struct AccountRec {
  std::string sid;
  std::string parent;
  std::string friendly_name;
  std::string status;
  std::size_t home = 0;  // index into countries
  double home_share = 0.85;
};

struct CreditRec {
  std::string parent;
  std::string product;
  Seconds created = 0;
  double amount = 0;
  std::string status;
};

struct AttackPlan {
  std::size_t service = 0;  // index into World::services
  std::size_t country = 0;
  std::string mnc;
  absl::CivilDay start;
  std::vector<int64_t> daily;  // attempts (sent + blocked) per day
  int prefixes = 1;
  double conversion = 0;
  uint64_t id = 0;
};

struct World {
  std::vector<Country> countries;
  std::vector<AccountRec> accounts;
  std::vector<ServiceRec> services;
  std::vector<GeoRec> geo;
  std::map<std::pair<std::string, std::string>, double> mrr;  // (parent, 'YYYY-MM-01') → USD
  std::vector<CreditRec> credits;
  std::map<std::string, std::size_t> account_index;
  std::map<std::string, std::vector<std::size_t>> geo_index;  // account → its rows of `geo`

  void AddGeo(GeoRec rec) {
    geo_index[rec.account_sid].push_back(geo.size());
    geo.push_back(std::move(rec));
  }

  std::size_t CountryIndex(std::string_view iso) const {
    for (std::size_t i = 0; i < countries.size(); ++i) {
      if (countries[i].iso == iso) return i;
    }
    return 0;  // unreachable for the built-in ISO codes used below
  }
  void AddAccount(AccountRec account) {
    account_index[account.sid] = accounts.size();
    accounts.push_back(std::move(account));
  }
  const AccountRec& Account(const std::string& sid) const { return accounts[account_index.at(sid)]; }
};

inline Mode ModeAt(const ServiceRec& service, Seconds t) {
  Mode mode = service.changes.empty() ? Mode::kStandard : service.changes.front().second;
  for (const auto& [when, next] : service.changes) {
    if (when > t) break;
    mode = next;
  }
  return mode;
}

inline void AddChange(ServiceRec& service, Seconds when, Mode mode) {
  service.changes.emplace_back(when, mode);
  std::stable_sort(service.changes.begin(), service.changes.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

// The Geo Permission rows of one account (looked up once per day or attack, not per attempt).
inline const std::vector<std::size_t>* GeoOf(const World& world, const std::string& account) {
  const auto found = world.geo_index.find(account);
  return found == world.geo_index.end() ? nullptr : &found->second;
}

// The permission in force for the account of `rows` and `iso` on SMS at `t`, or "" when none.
inline std::string_view GeoAt(const World& world, const std::vector<std::size_t>* rows,
                              const std::string& iso, Seconds t) {
  if (rows == nullptr) return "";
  for (std::size_t index : *rows) {
    const GeoRec& rec = world.geo[index];
    if (rec.iso == iso && rec.channel == "sms" && rec.from <= t && (!rec.to || t < *rec.to))
      return rec.permission;
  }
  return "";
}

inline double FalsePositiveRate(Mode mode) {
  switch (mode) {
    case Mode::kBasic:
      return 0.0005;
    case Mode::kStandard:
      return 0.005;
    case Mode::kMax:
      return 0.015;
    case Mode::kOff:
    case Mode::kOn:  // SMS Pumping Protection: the synthetic messages carry no legitimate traffic
      break;
  }
  return 0;
}

// b(mode) of `country`: Fraud Guard's by mode; SMS Pumping Protection's `on` is modelled at Max's rate.
inline double BlockRate(const Country& country, Mode mode) {
  if (mode == Mode::kOff) return 0;
  if (mode == Mode::kOn) return country.block_rate[ModeIndex(Mode::kMax) - 1];
  return country.block_rate[ModeIndex(mode) - 1];
}

}  // namespace creditbot::synth
