// Credit engine throughput: fraud-report rows per second for one parent with a few services and MCCs,
// a mode change and the cost cap, as the synthetic warehouse shapes them; and the cost of wording the
// lines' `why` sentences, which the engine defers to whoever reads them.
#include <benchmark/benchmark.h>

#include <string>

#include "core/credit_engine.h"

namespace creditbot {
namespace {

Decimal D(const char* text) { return *Decimal::Parse(text); }

Evidence MakeEvidence(int64_t rows) {
  Evidence evidence;
  evidence.claim_date = absl::CivilDay(2025, 9, 20);
  evidence.accounts = {{"ACp", "ACp", "active"}, {"ACs1", "ACp", "active"}, {"ACs2", "ACp", "active"}};
  evidence.services = {{"VA1", "ACs1", false}, {"VA2", "ACs2", false}};
  const absl::Time change = absl::FromCivil(absl::CivilSecond(2025, 9, 4, 9, 30, 0), absl::UTCTimeZone());
  evidence.modes = {{"VA1", "ACs1", Mode::kStandard, absl::FromUnixSeconds(0), change},
                    {"VA1", "ACs1", Mode::kMax, change, std::nullopt},
                    {"VA2", "ACs2", Mode::kBasic, absl::FromUnixSeconds(0), std::nullopt}};
  const char* mccs[] = {"400", "434", "436", "470"};
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
    row.account_sid = i % 2 == 0 ? "ACs1" : "ACs2";
    row.service_sid = i % 2 == 0 ? "VA1" : "VA2";
    row.mcc = mccs[i % 4];
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
      std::string why = line.why.Text();
      benchmark::DoNotOptimize(why);
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WordCreditLines)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace creditbot
