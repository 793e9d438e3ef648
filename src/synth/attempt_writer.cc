// Writes the synthetic warehouse's attempt rows (see attempt_writer.h).
#include "synth/attempt_writer.h"

#include <string_view>

namespace creditbot::synth {

absl::Status AttemptWriter::Add(const Attempt& a, Rng& sid_rng) {
  char sid[34] = {'V', 'L'};
  sid_rng.HexInto(sid + 2, 32);
  char created[19];
  FormatTimestampInto(a.created, created);
  insert_.Reset();
  insert_.Bind(1, std::string_view(sid, sizeof sid))
      .Bind(2, std::string_view(*a.account))
      .Bind(3, std::string_view(*a.service))
      .Bind(4, std::string_view(created, sizeof created))
      .Bind(5, std::string_view(a.channel))
      .Bind(6, std::string_view(a.country->iso))
      .Bind(7, std::string_view(a.country->mcc))
      .Bind(8, std::string_view(*a.mnc))
      .Bind(9, std::string_view(a.status))
      .BindOptional(10, a.error_code);
  if (a.block_reason != nullptr) {
    insert_.Bind(11, std::string_view(a.block_reason));
  } else {
    insert_.BindNull(11);
  }
  insert_.Bind(12, std::string_view(a.converted ? "converted" : "unconverted")).Bind(13, RoundTo(a.price, 5));
  ++count_;
  return insert_.Run();
}

}  // namespace creditbot::synth
