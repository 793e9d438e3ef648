// Writes the synthetic warehouse's reference tables, one function per table (see reference_tables.h).
#include "synth/reference_tables.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "core/mode.h"
#include "synth/country.h"
#include "synth/synth_time.h"

namespace creditbot::synth {
namespace {

absl::Status WriteAccounts(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO accounts VALUES (?1, ?2, ?3, ?4)"));
  for (const AccountRec& a : world.accounts) {
    insert.Reset();
    insert.Bind(1, std::string_view(a.sid))
        .Bind(2, std::string_view(a.parent))
        .Bind(3, std::string_view(a.friendly_name))
        .Bind(4, std::string_view(a.status));
    CREDITBOT_RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

// A service's Fraud Guard mode intervals, repeated modes collapsed into one interval.
absl::Status WriteModeHistory(Statement& history_insert, const ServiceRec& s) {
  std::vector<std::pair<Seconds, Mode>> intervals;
  for (const auto& change : s.changes) {
    if (intervals.empty() || intervals.back().second != change.second) intervals.push_back(change);
  }
  for (std::size_t i = 0; i < intervals.size(); ++i) {
    history_insert.Reset();
    history_insert.Bind(1, std::string_view(s.sid))
        .Bind(2, std::string_view(s.account_sid))
        .Bind(3, ModeName(intervals[i].second))
        .Bind(4, std::string_view(FormatTimestamp(intervals[i].first)));
    if (i + 1 < intervals.size()) {
      history_insert.Bind(5, std::string_view(FormatTimestamp(intervals[i + 1].first)));
    } else {
      history_insert.BindNull(5);
    }
    CREDITBOT_RETURN_IF_ERROR(history_insert.Run());
  }
  return absl::OkStatus();
}

// verify_services and fraud_guard_settings_history, service by service.
absl::Status WriteServices(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement service_insert,
                             db.Prepare("INSERT INTO verify_services VALUES (?1, ?2, ?3, ?4, ?5)"));
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement history_insert,
      db.Prepare("INSERT INTO fraud_guard_settings_history VALUES (?1, ?2, ?3, ?4, ?5)"));
  for (const ServiceRec& s : world.services) {
    service_insert.Reset();
    service_insert.Bind(1, std::string_view(s.sid))
        .Bind(2, std::string_view(s.account_sid))
        .Bind(3, std::string_view(s.friendly_name))
        .Bind(4, int64_t{s.custom_code ? 1 : 0})
        .Bind(5, std::string_view(s.authy_v1 ? "authy_v1" : "verify_v2"));
    CREDITBOT_RETURN_IF_ERROR(service_insert.Run());
    CREDITBOT_RETURN_IF_ERROR(WriteModeHistory(history_insert, s));
  }
  return absl::OkStatus();
}

absl::Status WriteGeoPermissions(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT OR IGNORE INTO geo_permissions_history VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  for (const GeoRec& g : world.geo) {
    insert.Reset();
    insert.Bind(1, std::string_view(g.account_sid))
        .Bind(2, std::string_view(g.iso))
        .Bind(3, std::string_view(g.channel))
        .Bind(4, std::string_view(g.permission))
        .Bind(5, std::string_view(FormatTimestamp(g.from)));
    if (g.to) {
      insert.Bind(6, std::string_view(FormatTimestamp(*g.to)));
    } else {
      insert.BindNull(6);
    }
    CREDITBOT_RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

// Each country's cost from 2025-01-01, then the network-specific and earlier costs (ExtraCosts).
absl::Status WriteProviderCosts(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement insert,
                             db.Prepare("INSERT INTO provider_costs VALUES (?1, ?2, ?3, ?4, ?5)"));
  auto add = [&](std::string_view mcc, const char* mnc, double cost, absl::CivilDay from,
                 std::optional<absl::CivilDay> to) {
    insert.Reset();
    insert.Bind(1, mcc);
    if (mnc != nullptr) {
      insert.Bind(2, std::string_view(mnc));
    } else {
      insert.BindNull(2);
    }
    insert.Bind(3, RoundTo(cost, 5)).Bind(4, std::string_view(FormatDay(from)));
    if (to) {
      insert.Bind(5, std::string_view(FormatDay(*to)));
    } else {
      insert.BindNull(5);
    }
    return insert.Run();
  };
  for (const Country& c : world.countries) {
    CREDITBOT_RETURN_IF_ERROR(add(c.mcc, nullptr, c.cost, absl::CivilDay(2025, 1, 1), std::nullopt));
  }
  for (const CostOverride& o : ExtraCosts())
    CREDITBOT_RETURN_IF_ERROR(add(o.mcc, o.mnc, o.cost, o.from, o.to));
  return absl::OkStatus();
}

absl::Status WriteBlockRates(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO block_rates VALUES (?1, ?2, ?3)"));
  for (const Country& c : world.countries) {
    for (Mode mode : {Mode::kBasic, Mode::kStandard, Mode::kMax}) {
      insert.Reset();
      insert.Bind(1, ModeName(mode)).Bind(2, std::string_view(c.mcc)).Bind(3, BlockRate(c, mode));
      CREDITBOT_RETURN_IF_ERROR(insert.Run());
    }
  }
  return absl::OkStatus();
}

absl::Status WriteMrr(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO mrr_monthly VALUES (?1, ?2, ?3)"));
  for (const auto& [key, amount] : world.mrr) {
    insert.Reset();
    insert.Bind(1, std::string_view(key.first)).Bind(2, std::string_view(key.second)).Bind(3, amount);
    CREDITBOT_RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

absl::Status WriteCredits(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement insert,
                             db.Prepare("INSERT INTO credits_issued VALUES (?1, ?2, ?3, ?4, ?5)"));
  for (const CreditRec& c : world.credits) {
    insert.Reset();
    insert.Bind(1, std::string_view(c.parent))
        .Bind(2, std::string_view(c.product))
        .Bind(3, std::string_view(FormatTimestamp(c.created)))
        .Bind(4, c.amount)
        .Bind(5, std::string_view(c.status));
    CREDITBOT_RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteReferenceTables(SqliteDb& db, const World& world) {
  CREDITBOT_RETURN_IF_ERROR(WriteAccounts(db, world));
  CREDITBOT_RETURN_IF_ERROR(WriteServices(db, world));
  CREDITBOT_RETURN_IF_ERROR(WriteGeoPermissions(db, world));
  CREDITBOT_RETURN_IF_ERROR(WriteProviderCosts(db, world));
  CREDITBOT_RETURN_IF_ERROR(WriteBlockRates(db, world));
  CREDITBOT_RETURN_IF_ERROR(WriteMrr(db, world));
  return WriteCredits(db, world);
}

}  // namespace creditbot::synth
