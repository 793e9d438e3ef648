// Credit engine throughput: fraud-report rows per second for one parent with a few services and MCCs,
// a mode change and the cost cap, as the synthetic warehouse shapes them; and the cost of wording the
// lines' `why` sentences, which the engine defers to whoever reads them. SIDs have their real length (34
// characters, beyond std::string's inline buffer), and rows carry an MNC and a country, as real reports do.
#include <benchmark/benchmark.h>

#include <string>

#include "core/credit_engine.h"

namespace creditbot {
namespace {

Decimal D(const char* text) { return *Decimal::Parse(text); }

// Twilio-shaped SIDs: a two-letter prefix and 32 hex digits.
const std::string kParent = "AC0f3b1c9e5a7d2e4f6a8b0c1d3e5f7a90";
const std::string kAccount1 = "AC1a2b3c4d5e6f708192a3b4c5d6e7f801";
const std::string kAccount2 = "AC2b3c4d5e6f708192a3b4c5d6e7f80112";
const std::string kService1 = "VA9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b";
const std::string kService2 = "VA8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a";

Evidence MakeEvidence(int64_t rows) {
  Evidence evidence;
  evidence.claim_date = absl::CivilDay(2025, 9, 20);
  evidence.accounts = {
      {kParent, kParent, "active"}, {kAccount1, kParent, "active"}, {kAccount2, kParent, "active"}};
  evidence.services = {{kService1, kAccount1, false}, {kService2, kAccount2, false}};
  const absl::Time change = absl::FromCivil(absl::CivilSecond(2025, 9, 4, 9, 30, 0), absl::UTCTimeZone());
  evidence.modes = {{kService1, kAccount1, Mode::kStandard, absl::FromUnixSeconds(0), change},
                    {kService1, kAccount1, Mode::kMax, change, std::nullopt},
                    {kService2, kAccount2, Mode::kBasic, absl::FromUnixSeconds(0), std::nullopt}};
  const char* mccs[] = {"400", "434", "436", "470"};
  const char* countries[] = {"AZ", "UZ", "TJ", "GM"};
  const char* mncs[] = {"01", "04", "05"};
  for (const char* mcc : mccs) {
    evidence.costs.push_back({mcc, "", D("0.12"), absl::CivilDay(2020, 1, 1), std::nullopt});
    evidence.block_rates.push_back({Mode::kBasic, mcc, D("0.45")});
    evidence.block_rates.push_back({Mode::kStandard, mcc, D("0.65")});
    evidence.block_rates.push_back({Mode::kMax, mcc, D("0.85")});
  }
  evidence.mrr = D("1850.00");
  for (int64_t i = 0; i < rows; ++i) {
    FraudRow row;
    row.day = absl::CivilDay(2025, 8, 25) + (i % 21);
    row.account_sid = i % 2 == 0 ? kAccount1 : kAccount2;
    row.service_sid = i % 2 == 0 ? kService1 : kService2;
    row.mcc = mccs[i % 4];
    row.mnc = mncs[i % 3];
    row.country = countries[i % 4];
    row.attempts_sent = 1000 + i % 977;
    row.attempts_blocked = 300 + i % 311;
    row.fraud_charges = D("0.17") * row.attempts_sent;
    evidence.report.rows.push_back(row);
  }
  return evidence;
}

void BM_ComputeCredit(benchmark::State& state) {
  const Evidence evidence = MakeEvidence(state.range(0));
  const CreditPolicy policy;
  for (auto _ : state) {
    absl::StatusOr<CreditReport> report = ComputeCredit(policy, evidence);
    benchmark::DoNotOptimize(report);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ComputeCredit)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Wording every line's `why` (what rendering the result JSON adds; the engine leaves it to the reader).
void BM_WordCreditLines(benchmark::State& state) {
  const Evidence evidence = MakeEvidence(state.range(0));
  const CreditReport report = *ComputeCredit(CreditPolicy(), evidence);
  for (auto _ : state) {
    for (const CreditLine& line : report.lines) {
      std::string why = WhyOf(line, report);
      benchmark::DoNotOptimize(why);
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WordCreditLines)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace creditbot
