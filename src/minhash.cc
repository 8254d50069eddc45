#include "chaff/minhash.h"

#include <algorithm>

namespace chaff {
namespace {

inline uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

MinHasher::MinHasher(int k, SketchMode mode, uint64_t seed)
    : k_(k), mode_(mode), seed_(seed) {
  uint64_t state = seed;
  seeds_.resize(static_cast<size_t>(k));
  for (auto& s : seeds_) s = static_cast<uint32_t>(SplitMix64(&state));
}

void MinHasher::SketchScalar(const uint64_t* shingles, size_t n,
                             uint32_t* sig) const {
  std::fill(sig, sig + k_, kEmptyLane);
  if (n == 0) return;
  if (mode_ == SketchMode::kClassic) {
    for (size_t j = 0; j < n; ++j) {
      const uint32_t x = static_cast<uint32_t>(shingles[j] ^ (shingles[j] >> 32));
      for (int i = 0; i < k_; ++i) {
        sig[i] = std::min(sig[i], Fmix32(x ^ seeds_[static_cast<size_t>(i)]));
      }
    }
    return;
  }
  // One permutation: the high half picks the bin, the low half is the value.
  const uint64_t k64 = static_cast<uint64_t>(k_);
  std::vector<uint8_t> filled(static_cast<size_t>(k_), 0);
  for (size_t j = 0; j < n; ++j) {
    const uint64_t h = shingles[j] ^ seed_;
    const size_t bin = static_cast<size_t>(((h >> 32) * k64) >> 32);
    const uint32_t v = Fmix32(static_cast<uint32_t>(h));
    sig[bin] = std::min(sig[bin], v);
    filled[bin] = 1;
  }
  // Optimal densification: an empty bin copies the first non-empty bin of a
  // random probe sequence seeded by its own index.
  std::vector<uint32_t> src(sig, sig + k_);
  for (int i = 0; i < k_; ++i) {
    if (filled[static_cast<size_t>(i)]) continue;
    uint64_t state = seed_ ^ (static_cast<uint64_t>(i) * 0x9e3779b97f4a7c15ULL);
    for (;;) {
      const size_t probe = static_cast<size_t>(
          ((SplitMix64(&state) >> 32) * k64) >> 32);
      if (filled[probe]) {
        sig[i] = src[probe];
        break;
      }
    }
  }
}

void MinHasher::Sketch(const uint64_t* shingles, size_t n, uint32_t* sig) const {
  SketchScalar(shingles, n, sig);
}

bool IsEmptySketch(const uint32_t* sig, int k) {
  for (int i = 0; i < k; ++i) {
    if (sig[i] != kEmptyLane) return false;
  }
  return true;
}

double EstimateJaccard(const uint32_t* a, const uint32_t* b, int k) {
  if (k <= 0 || IsEmptySketch(a, k) || IsEmptySketch(b, k)) return 0.0;
  int eq = 0;
  for (int i = 0; i < k; ++i) eq += (a[i] == b[i]);
  return static_cast<double>(eq) / k;
}

}  // namespace chaff
