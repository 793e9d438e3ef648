// Slack text link extraction: messages per second for a typical credit request.
#include <benchmark/benchmark.h>

#include "core/slack_links.h"

namespace creditbot {
namespace {

void BM_ExtractLinksFromText(benchmark::State& state) {
  const std::string text =
      "<!here> <@U0123ABCD> please credit the customer on "
      "<https://example.zendesk.com/agent/tickets/48213|#48213>, "
      "report "
      "<https://looker.example.com/explore/authy/"
      "fraud_report?qid=Xq4Lm2Vt8RzK0pNa7bWc3d&amp;toggle=vis|explore> "
      "(if count &lt; 5 &amp;&amp; ratio &gt; 2) in <#C0123ABCD|fraud-ops>";
  for (auto _ : state) {
    std::vector<SlackLink> links = ExtractLinksFromText(text);
    benchmark::DoNotOptimize(links);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExtractLinksFromText);

}  // namespace
}  // namespace creditbot
