// AttemptWriter: inserts verification_attempts rows, one prepared statement reused for every row, each
// with a fresh random VL… SID; it counts the rows so the random fleet can size itself to the scale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "common/sqlite_db.h"
#include "synth/country.h"
#include "synth/rng.h"
#include "synth/synth_time.h"

namespace creditbot::synth {

// One row of verification_attempts; the pointers outlive the call to Add.
struct Attempt {
  const std::string* account;
  const std::string* service;
  Seconds created;
  const char* channel;
  const Country* country;
  const std::string* mnc;
  const char* status;
  std::optional<int64_t> error_code;
  const char* block_reason;  // nullptr = NULL
  bool converted;
  double price;
};

class AttemptWriter {
 public:
  // `insert` is the 13-parameter INSERT INTO verification_attempts statement.
  explicit AttemptWriter(Statement insert) : insert_(std::move(insert)) {}

  // Inserts `a` with a SID drawn from `sid_rng`; SQLite's error on failure.
  absl::Status Add(const Attempt& a, Rng& sid_rng);
  int64_t count() const { return count_; }

 private:
  Statement insert_;
  int64_t count_ = 0;
};

}  // namespace creditbot::synth
