// Tests of the ledger's CSV for finance: RFC 4180 quoting and the row of an entry, against text written by
// hand.
#include "state/ledger_csv.h"

#include <gtest/gtest.h>

namespace creditbot {
namespace {

TEST(CsvField, LeavesPlainTextAsItIs) {
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("255.00"), "255.00");
  EXPECT_EQ(CsvField("AC0123 x"), "AC0123 x");
}

TEST(CsvField, QuotesCommasQuotesAndLineBreaksDoublingQuotes) {
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"no\""), "\"say \"\"no\"\"\"");
  EXPECT_EQ(CsvField("one\ntwo"), "\"one\ntwo\"");
  EXPECT_EQ(CsvField("one\r\ntwo"), "\"one\r\ntwo\"");
  EXPECT_EQ(CsvField("\""), "\"\"\"\"");
}

TEST(CsvField, DefusesWhatASpreadsheetWouldRunAsAFormula) {
  EXPECT_EQ(CsvField("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(CsvField("+1"), "'+1");
  EXPECT_EQ(CsvField("-5% fraud"), "'-5% fraud");
  EXPECT_EQ(CsvField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvField("\tx"), "'\tx");
  EXPECT_EQ(CsvField("a=b"), "a=b");  // only a leading sign is a formula
}

TEST(LedgerCsv, HeaderNamesEveryColumnInOrder) {
  EXPECT_EQ(LedgerCsvHeader(),
            "execution_id,request_key,requester,parent_account_sid,product,fraud_start,fraud_end,cells,"
            "recommended_amount,status,final_amount,currency,decided_by,decided_at,reason,policy_name,"
            "policy_version,policy_sha256,superseded_by,dry_run,thread\r\n");
}

TEST(LedgerCsv, ARowCarriesTheDecisionWithItsReasonQuoted) {
  LedgerEntry entry;
  entry.execution_id = "20260115T120000Z-ab12";
  entry.request_key = "C0123:1752588191.000100";
  entry.channel = "C0123";
  entry.ts = "1752588191.000100";
  entry.requester = "U0REQ";
  entry.parent_account_sid = "AC1";
  entry.product = "verify";
  entry.fraud_start = absl::CivilDay(2026, 1, 1);
  entry.fraud_end = absl::CivilDay(2026, 1, 7);
  entry.cells.resize(2);
  entry.recommended_amount = "255.00";
  entry.status = LedgerStatus::kAdjusted;
  entry.final_amount = "200.00";
  entry.decided_by = "U0APPROVER";
  entry.decided_at = absl::FromCivil(absl::CivilSecond(2026, 1, 15, 14, 2, 0), absl::UTCTimeZone());
  entry.reason = "half, \"test\" traffic\nsee thread";
  entry.policy_name = "verify";
  entry.policy_version = "3";
  entry.policy_sha256 = "abc";
  EXPECT_EQ(LedgerCsvRow(entry, "https://slack.com/archives/C0123/p1752588191000100"),
            "20260115T120000Z-ab12,C0123:1752588191.000100,U0REQ,AC1,verify,2026-01-01,2026-01-07,2,255.00,"
            "adjusted,200.00,USD,U0APPROVER,2026-01-15T14:02:00Z,\"half, \"\"test\"\" traffic\nsee thread\","
            "verify,3,abc,,false,https://slack.com/archives/C0123/p1752588191000100\r\n");
}

TEST(LedgerCsv, AnAwaitingEntryLeavesTheDecisionColumnsEmpty) {
  LedgerEntry entry;
  entry.execution_id = "e1";
  entry.request_key = "C1:1.1";
  entry.recommended_amount = "10.00";
  entry.dry_run = true;
  EXPECT_EQ(LedgerCsvRow(entry, ""), "e1,C1:1.1,,,,,,0,10.00,awaiting,,USD,,,,,,,,true,\r\n");
}

}  // namespace
}  // namespace creditbot
