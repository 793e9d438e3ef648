// The Programmable Messaging scenario of look 201 (see messaging_scenario.h): every number is the worked
// example's (CREDIT_POLICY.md, "Messaging"), written exactly, with no randomness.
#include "synth/messaging_scenario.h"

#include <cstdint>
#include <cstdio>
#include <string>

#include "absl/time/civil_time.h"
#include "common/status_macros.h"
#include "core/mode.h"
#include "synth/synth_time.h"

namespace creditbot::synth {
namespace {

// The worked example's four cells: messages sent (billed at the country's list price) and blocked by SMS
// Pumping Protection (error 30450, price 0).
struct MessagingCell {
  int day;  // of August 2025
  const char* iso;
  const char* mnc;
  int64_t sent, blocked;
};
constexpr MessagingCell kCells[] = {
    {1, "NG", "30", 1200, 0},  // protection off: earns nothing
    {2, "NG", "30", 800, 0},   // on from 2025-08-02 00:00 UTC
    {2, "SO", "01", 500, 500},
    {3, "SO", "01", 100, 900},
};

// Off since the account opened, on from 2025-08-02 00:00 UTC.
constexpr const char* kSwitchedOn = "2025-08-02 00:00:00";

std::string MessageSid(int64_t n) {
  char sid[35];
  std::snprintf(sid, sizeof(sid), "SM%032llx", static_cast<unsigned long long>(0x5e5e0000 + n));
  return sid;
}

absl::Status WriteHistory(SqliteDb& db) {
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement insert, db.Prepare("INSERT INTO sms_pumping_protection_history VALUES (?1, ?2, ?3, ?4)"));
  insert.Bind(1, kMessagingParent).Bind(2, "off").Bind(3, "2024-10-14 09:21:07").Bind(4, kSwitchedOn);
  CREDITBOT_RETURN_IF_ERROR(insert.Run());
  insert.Reset();
  insert.Bind(1, kMessagingParent).Bind(2, "on").Bind(3, kSwitchedOn).BindNull(4);
  return insert.Run();
}

}  // namespace

void AddMessagingScenario(World& world) {
  world.AddAccount(AccountRec{std::string(kMessagingParent), std::string(kMessagingParent), "Nimbus Social",
                              "active", world.CountryIndex("US"), 0.9});
  const double mrr[] = {290.00, 292.00, 295.00, 296.00, 298.00, 300.00, 300.00, 300.00, 305.00};
  for (int month = 1; month <= 9; ++month) {
    world.mrr[{std::string(kMessagingParent), FormatDay(absl::CivilDay(2025, month, 1))}] = mrr[month - 1];
  }
}

// SMS Pumping Protection's block rate b(on) of the scenario's two MCCs, modelled at the country's Max rate
// (world.h BlockRate): NG 0.92, SO 0.93. Only these: the Verify countries' block rates stay as they were.
absl::Status WriteOnBlockRates(SqliteDb& db, const World& world) {
  CREDITBOT_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO block_rates VALUES ('on', ?1, ?2)"));
  for (const char* iso : {"NG", "SO"}) {
    const Country& country = world.countries[world.CountryIndex(iso)];
    insert.Reset();
    insert.Bind(1, country.mcc).Bind(2, BlockRate(country, Mode::kOn));
    CREDITBOT_RETURN_IF_ERROR(insert.Run());
  }
  return absl::OkStatus();
}

absl::Status WriteMessagingTables(SqliteDb& db, const World& world) {
  CREDITBOT_RETURN_IF_ERROR(WriteHistory(db));
  CREDITBOT_RETURN_IF_ERROR(WriteOnBlockRates(db, world));
  CREDITBOT_ASSIGN_OR_RETURN(
      Statement insert, db.Prepare("INSERT INTO messages VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
  int64_t n = 0;
  for (const MessagingCell& cell : kCells) {
    const Country& country = world.countries[world.CountryIndex(cell.iso)];
    const int64_t total = cell.sent + cell.blocked;
    const Seconds start = At(2025, 8, cell.day);
    for (int64_t i = 0; i < total; ++i) {
      const bool blocked = i >= cell.sent;  // the first `sent` messages of the day went out
      insert.Reset();
      insert.Bind(1, MessageSid(n++))
          .Bind(2, kMessagingParent)
          .Bind(3, kMessagingService)
          .Bind(4, FormatTimestamp(start + i * 86400 / total))
          .Bind(5, cell.iso)
          .Bind(6, country.mcc)
          .Bind(7, cell.mnc)
          .Bind(8, blocked ? "failed" : "delivered");
      if (blocked) {
        insert.Bind(9, int64_t{30450}).Bind(10, 0.0);
      } else {
        insert.BindNull(9).Bind(10, country.price);
      }
      CREDITBOT_RETURN_IF_ERROR(insert.Run());
    }
  }
  return absl::OkStatus();
}

}  // namespace creditbot::synth
