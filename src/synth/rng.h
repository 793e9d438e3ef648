// Rng: the synthetic warehouse's randomness, xoshiro256** seeded by splitmix64, with our own uniform /
// normal / Poisson helpers so the output does not depend on the standard library's distributions (only
// exp/log/sqrt of the C library shape a few draws). Header-only: it runs once or more per attempt row.
// Not thread-safe; each generator stage owns its own streams.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace creditbot::synth {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A well-mixed hash of a few integers (for per-window block decisions that must not consume the stream).
inline uint64_t Hash(uint64_t a, uint64_t b, uint64_t c = 0) {
  uint64_t state = a;
  uint64_t h = SplitMix64(state);
  state = h ^ b;
  h = SplitMix64(state);
  state = h ^ c;
  return SplitMix64(state);
}

inline double ToUnit(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) word = SplitMix64(state);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // [0, 1)
  double Uniform() { return ToUnit(Next()); }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  bool Chance(double p) { return Uniform() < p; }

  // [lo, hi], unbiased.
  int64_t Int(int64_t lo, int64_t hi) {
    const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
    if (range == 0) return static_cast<int64_t>(Next());
    const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
    uint64_t draw = Next();
    while (draw >= limit) draw = Next();
    return lo + static_cast<int64_t>(draw % range);
  }
  std::size_t Index(std::size_t size) {
    return static_cast<std::size_t>(Int(0, static_cast<int64_t>(size) - 1));
  }

  double Normal() {                     // Box–Muller
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }

  int64_t Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda < 30) {  // Knuth: multiply uniforms until the product drops below e^-λ
      const double limit = std::exp(-lambda);
      int64_t k = 0;
      double product = Uniform();
      while (product > limit) {
        ++k;
        product *= Uniform();
      }
      return k;
    }
    const double draw = std::round(lambda + std::sqrt(lambda) * Normal());
    return draw < 0 ? 0 : static_cast<int64_t>(draw);
  }

  // Writes `digits` random lower-case hex digits to `out`.
  void HexInto(char* out, std::size_t digits) {
    static constexpr char kDigits[] = "0123456789abcdef";
    uint64_t bits = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      if (i % 16 == 0) bits = Next();
      out[i] = kDigits[bits & 0xf];
      bits >>= 4;
    }
  }
  // A Twilio-style SID: two letters and 32 hex digits.
  std::string Sid(std::string_view prefix) {
    std::string sid(34, '0');
    sid[0] = prefix[0];
    sid[1] = prefix[1];
    HexInto(sid.data() + 2, 32);
    return sid;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

}  // namespace creditbot::synth
