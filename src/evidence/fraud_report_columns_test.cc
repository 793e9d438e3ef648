// Tests of the fraud-report column roles and the cell conversion.
#include "evidence/fraud_report_columns.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace creditbot {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const std::vector<std::string> kLookerColumns = {"authy_fraud_report.day",
                                                 "authy_fraud_report.account_sid",
                                                 "authy_fraud_report.service_sid",
                                                 "authy_fraud_report.mcc",
                                                 "authy_fraud_report.mnc",
                                                 "authy_fraud_report.to_country",
                                                 "authy_fraud_report.attempts_sent",
                                                 "authy_fraud_report.attempts_blocked",
                                                 "authy_fraud_report.fraud_charges_usd"};

FraudReportColumns MapOrDie(const std::vector<std::string>& columns) {
  absl::StatusOr<FraudReportColumns> mapped =
      FraudReportColumns::Map(CreditPolicy::DefaultColumns(), columns);
  EXPECT_TRUE(mapped.ok()) << mapped.status();
  return *std::move(mapped);
}

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST(FraudReportColumns, MapsDefaultRolesBehindLookerViewPrefixes) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  EXPECT_EQ(mapped.IndexOf(kRoleDay), 0);
  EXPECT_EQ(mapped.IndexOf(kRoleServiceSid), 2);
  EXPECT_EQ(mapped.IndexOf(kRoleCountry), 5);
  EXPECT_EQ(mapped.IndexOf(kRoleAttemptsBlocked), 7);
  EXPECT_EQ(mapped.IndexOf(kRoleFraudCharges), 8);
  EXPECT_TRUE(mapped.has_service_column());
  EXPECT_TRUE(mapped.has_blocked_column());
}

TEST(FraudReportColumns, MatchesColumnNamesCaseInsensitively) {
  const FraudReportColumns mapped =
      MapOrDie({"DAY", "Account_SID", "MCC", "Attempts_Sent", "FRAUD_CHARGES_USD", "extra_column"});
  EXPECT_EQ(mapped.IndexOf(kRoleAccountSid), 1);
  EXPECT_EQ(mapped.IndexOf(kRoleFraudCharges), 4);
  EXPECT_FALSE(mapped.has_service_column());
  EXPECT_FALSE(mapped.has_blocked_column());
  EXPECT_EQ(mapped.IndexOf(kRoleMnc), -1);
}

TEST(FraudReportColumns, MissingRequiredRoleNamesTheRoleAndTheColumnsSeen) {
  absl::StatusOr<FraudReportColumns> mapped =
      FraudReportColumns::Map(CreditPolicy::DefaultColumns(),
                              {"v.day", "v.account_sid", "v.mcc", "v.attempts_total", "v.fraud_charges_usd"});
  ASSERT_EQ(mapped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(mapped.status()), AllOf(HasSubstr("attempts_sent"), HasSubstr("v.attempts_total"),
                                              HasSubstr("v.fraud_charges_usd")));
}

TEST(FraudReportColumns, NamesEveryMissingRole) {
  absl::StatusOr<FraudReportColumns> mapped =
      FraudReportColumns::Map(CreditPolicy::DefaultColumns(), {"day"});
  ASSERT_EQ(mapped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(mapped.status()),
              AllOf(HasSubstr("account_sid"), HasSubstr("mcc"), HasSubstr("attempts_sent"),
                    HasSubstr("fraud_charges"), HasSubstr("columns seen: day")));
}

TEST(FraudReportColumns, TwoColumnsForOneRoleNameBoth) {
  absl::StatusOr<FraudReportColumns> mapped =
      FraudReportColumns::Map(CreditPolicy::DefaultColumns(),
                              {"a.day", "b.day", "account_sid", "mcc", "attempts_sent", "fraud_charges_usd"});
  ASSERT_EQ(mapped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(mapped.status()),
              AllOf(HasSubstr("'a.day'"), HasSubstr("'b.day'"), HasSubstr("role day")));
}

TEST(FraudReportColumns, OneColumnForTwoRolesIsAmbiguous) {
  std::vector<ColumnRole> roles = CreditPolicy::DefaultColumns();
  for (ColumnRole& role : roles) {
    if (role.role == "attempts_blocked") role.patterns = {"attempts_.*"};
  }
  absl::StatusOr<FraudReportColumns> mapped =
      FraudReportColumns::Map(roles, {"day", "account_sid", "mcc", "attempts_sent", "fraud_charges_usd"});
  ASSERT_EQ(mapped.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(mapped.status()),
              AllOf(HasSubstr("'attempts_sent'"), HasSubstr("attempts_sent and attempts_blocked")));
}

TEST(FraudReportColumns, UsesThePolicysPatterns) {
  std::vector<ColumnRole> roles = CreditPolicy::DefaultColumns();
  for (ColumnRole& role : roles) {
    if (role.role == "attempts_sent") role.patterns = {"sms_sent", "sent_count"};
    if (role.role == "fraud_charges") role.patterns = {"charges(_usd)?"};
  }
  absl::StatusOr<FraudReportColumns> mapped =
      FraudReportColumns::Map(roles, {"day", "account_sid", "mcc", "report.SENT_COUNT", "charges"});
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->IndexOf(kRoleAttemptsSent), 3);
  EXPECT_EQ(mapped->IndexOf(kRoleFraudCharges), 4);
}

TEST(FraudReportColumns, RejectsAnInvalidPatternOrUnknownRole) {
  std::vector<ColumnRole> roles = CreditPolicy::DefaultColumns();
  roles.push_back(ColumnRole{"price", {"price"}, false});
  EXPECT_EQ(FraudReportColumns::Map(roles, kLookerColumns).status().code(),
            absl::StatusCode::kInvalidArgument);
  roles.pop_back();
  roles[0].patterns = {"day("};
  EXPECT_EQ(FraudReportColumns::Map(roles, kLookerColumns).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FraudReportColumns, ConvertsASqliteRow) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  absl::StatusOr<FraudRow> row = mapped.ConvertRow(
      {std::string("2025-07-01"), std::string("ACs1"), std::string("VA1"), std::string("400"),
       std::string("04"), std::string("az"), int64_t{1000}, int64_t{500}, 300.0},
      1);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->day, absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(row->account_sid, "ACs1");
  EXPECT_EQ(row->service_sid, "VA1");
  EXPECT_EQ(row->mcc, "400");
  EXPECT_EQ(row->mnc, "04");
  EXPECT_EQ(row->country, "AZ");
  EXPECT_EQ(row->attempts_sent, 1000);
  EXPECT_EQ(row->attempts_blocked, 500);
  EXPECT_EQ(row->fraud_charges, *Decimal::Parse("300"));
}

TEST(FraudReportColumns, ConvertsATrinoTextRow) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  absl::StatusOr<FraudRow> row = mapped.ConvertRow(
      {std::string("2025-07-02 00:00:00.000 UTC"), std::string("ACs2"), Value(Null{}), int64_t{436},
       int64_t{3}, Value(Null{}), std::string("2000"), std::string("0.0"), std::string("400.00000")},
      7);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->day, absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(row->service_sid, "");
  EXPECT_EQ(row->mcc, "436");
  EXPECT_EQ(row->mnc, "3");
  EXPECT_EQ(row->country, "");
  EXPECT_EQ(row->attempts_sent, 2000);
  EXPECT_EQ(row->attempts_blocked, 0);
  EXPECT_EQ(row->fraud_charges, *Decimal::Parse("400"));
}

TEST(FraudReportColumns, AcceptsTimestampDaysAndIntegralDoubles) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  absl::StatusOr<FraudRow> row = mapped.ConvertRow(
      {std::string("2025-07-03T23:59:59Z"), std::string("ACs1"), std::string("VA1"), int64_t{1},
       std::string("001"), std::string("TJ"), 300.0, Value(Null{}), int64_t{90}},
      1);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->day, absl::CivilDay(2025, 7, 3));
  EXPECT_EQ(row->mcc, "001");
  EXPECT_EQ(row->mnc, "001");
  EXPECT_EQ(row->attempts_sent, 300);
  EXPECT_EQ(row->attempts_blocked, 0);  // NULL blocked count: SQL's SUM over nothing
  EXPECT_EQ(row->fraud_charges, Decimal::FromInt(90));
}

TEST(FraudReportColumns, FloatingChargesBecomeTheirShortestDecimal) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  absl::StatusOr<FraudRow> row =
      mapped.ConvertRow({std::string("2025-07-03"), std::string("AC"), std::string("VA"), std::string("400"),
                         std::string("04"), std::string("AZ"), int64_t{3}, int64_t{0}, 0.1 + 0.2},
                        1);
  ASSERT_TRUE(row.ok()) << row.status();
  EXPECT_EQ(row->fraud_charges.ToString(), "0.3");
}

struct BadCell {
  int column;
  Value value;
  std::string expected;  // part of the message
};

class FraudReportBadCell : public ::testing::TestWithParam<BadCell> {};

TEST_P(FraudReportBadCell, IsRefusedNamingRowAndColumn) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  std::vector<Value> row = {
      std::string("2025-07-01"), std::string("ACs1"), std::string("VA1"), std::string("400"),
      std::string("04"),         std::string("AZ"),   int64_t{1000},      int64_t{500},
      std::string("300.00")};
  row[static_cast<std::size_t>(GetParam().column)] = GetParam().value;
  absl::StatusOr<FraudRow> converted = mapped.ConvertRow(row, 42);
  ASSERT_EQ(converted.status().code(), absl::StatusCode::kFailedPrecondition) << converted.status();
  EXPECT_THAT(
      Message(converted.status()),
      AllOf(HasSubstr("row 42"), HasSubstr(kLookerColumns[static_cast<std::size_t>(GetParam().column)]),
            HasSubstr(GetParam().expected)));
}

INSTANTIATE_TEST_SUITE_P(
    Cells, FraudReportBadCell,
    ::testing::Values(BadCell{0, std::string("2025-02-30"), "'2025-02-30'"},
                      BadCell{0, Value(Null{}), "NULL"}, BadCell{0, int64_t{20250701}, "20250701"},
                      BadCell{0, std::string("07/01/2025"), "07/01/2025"},
                      BadCell{1, Value(Null{}), "account SID"}, BadCell{1, std::string("  "), "account SID"},
                      BadCell{3, std::string("40"), "3-digit MCC"}, BadCell{3, int64_t{1000}, "3-digit MCC"},
                      BadCell{3, 400.5, "3-digit MCC"}, BadCell{4, 4.0, "expected text"},
                      BadCell{5, int64_t{31}, "ISO country"}, BadCell{6, 10.5, "a fraction"},
                      BadCell{6, int64_t{-1}, "negative"}, BadCell{6, std::string("12.5"), "a fraction"},
                      BadCell{6, std::string("ten"), "not a number"}, BadCell{6, Value(Null{}), "NULL"},
                      BadCell{7, std::string("-3"), "negative"},
                      BadCell{8, std::string("-1.00"), "non-negative"}, BadCell{8, std::string("1e3"), "1e3"},
                      BadCell{8, Value(Null{}), "NULL"}));

// Issue 15, point 8: a timestamp day is its UTC date (an offset is honoured), and anything else that
// starts like a date is refused naming the row and the column.
TEST(FraudReportColumns, TimestampDaysAreTheirUtcDate) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  auto day_of = [&](const char* day) -> absl::StatusOr<absl::CivilDay> {
    absl::StatusOr<FraudRow> row = mapped.ConvertRow(
        {std::string(day), std::string("ACs1"), std::string("VA1"), std::string("400"), std::string("04"),
         std::string("AZ"), int64_t{1000}, int64_t{500}, std::string("300.00")},
        3);
    if (!row.ok()) return row.status();
    return row->day;
  };
  // 23:30 at UTC−5 is 04:30 the next day in UTC (was taken as 07-01).
  EXPECT_EQ(*day_of("2025-07-01T23:30:00-05:00"), absl::CivilDay(2025, 7, 2));
  EXPECT_EQ(*day_of("2025-07-01 23:30:00.000 -05:00"), absl::CivilDay(2025, 7, 2));  // Trino's form
  EXPECT_EQ(*day_of("2025-07-01 23:30-0500"), absl::CivilDay(2025, 7, 2));
  // 01:00 at UTC+02:00 is 23:00 the day before in UTC.
  EXPECT_EQ(*day_of("2025-07-01T01:00:00+02:00"), absl::CivilDay(2025, 6, 30));
  EXPECT_EQ(*day_of("2025-07-01T23:30:00Z"), absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(*day_of("2025-07-01 23:30:00 UTC"), absl::CivilDay(2025, 7, 1));
  EXPECT_EQ(*day_of("2025-07-01 23:30:00"), absl::CivilDay(2025, 7, 1));  // no zone: UTC
  EXPECT_EQ(*day_of("2025-12-31T23:59:59.999-00:01"), absl::CivilDay(2026, 1, 1));

  for (const char* bad :
       {"2025-07-01 garbage", "2025-07-01Tnoon", "2025-07-01 23:30:00 CET", "2025-07-01 23:30:00+25:00",
        "2025-07-01 23:30:00 +05:00 x", "2025-07-01x", "July 1, 2025", "2025-07-01 25:00"}) {
    absl::StatusOr<absl::CivilDay> day = day_of(bad);
    ASSERT_FALSE(day.ok()) << bad;
    EXPECT_EQ(day.status().code(), absl::StatusCode::kFailedPrecondition) << bad;
    EXPECT_THAT(
        std::string(day.status().message()),
        AllOf(HasSubstr("fraud report row 3, column 'authy_fraud_report.day'"), HasSubstr("expected a date")))
        << bad;
  }
}

TEST(FraudReportColumns, ShortRowIsInvalidArgument) {
  const FraudReportColumns mapped = MapOrDie(kLookerColumns);
  EXPECT_EQ(mapped.ConvertRow({std::string("2025-07-01")}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CellReaders, ReadDaysCountsAndAmounts) {
  EXPECT_EQ(*CellToDay(std::string(" 2024-02-29 ")), absl::CivilDay(2024, 2, 29));
  EXPECT_FALSE(CellToDay(std::string("2025-02-29")).ok());
  EXPECT_FALSE(CellToDay(std::string("2025-07-01x")).ok());
  EXPECT_EQ(*CellToCount(std::string("1000.000")), 1000);
  EXPECT_FALSE(CellToCount(9007199254740992.0).ok());
  EXPECT_EQ(*CellToDecimal(int64_t{5}), Decimal::FromInt(5));
  EXPECT_FALSE(CellToDecimal(int64_t{1000000000000000}).ok());
  EXPECT_EQ(*CellToText(int64_t{-7}), "-7");
  EXPECT_EQ(CellDebugString(std::string(100, 'x')).size(), 60 + 2 + std::string("…").size());
}

}  // namespace
}  // namespace creditbot
