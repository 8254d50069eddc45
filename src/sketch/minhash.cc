#include "chaff/sketch/minhash.h"

#include <algorithm>
#include <cstring>

#include "sketch/minhash_internal.h"

namespace chaff {
namespace {

inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

namespace internal {

uint32_t DensifyProbe(uint64_t seed, uint32_t k, uint32_t bin, uint32_t attempt) {
  // SplitMix64's state advances by a constant per draw, so draw `attempt`
  // of bin `bin` can be computed directly.
  uint64_t state = (seed ^ (static_cast<uint64_t>(bin) * 0xd1b54a32d192ed03ULL)) +
                   static_cast<uint64_t>(attempt) * 0x9e3779b97f4a7c15ULL;
  return static_cast<uint32_t>(((SplitMix64(&state) >> 32) * k) >> 32);
}

void DensifyOnePermutation(uint64_t seed, int k, const uint32_t* probe_cache,
                           const uint64_t* filled_in, uint32_t* sig) {
  const size_t nk = static_cast<size_t>(k);
  const size_t words = (nk + 63) / 64;
  // Which bins the shingles filled: copies must only ever read those, never
  // a bin filled by an earlier copy. The stack covers k <= 8192.
  uint64_t filled_stack[128];
  std::vector<uint64_t> filled_heap;
  const uint64_t* filled = filled_in;
  if (filled == nullptr) {
    uint64_t* bitmap = filled_stack;
    if (words > 128) {
      filled_heap.resize(words);
      bitmap = filled_heap.data();
    }
    for (size_t w = 0; w < words; ++w) {
      uint64_t bits = 0;
      const size_t end = std::min(nk, (w + 1) * 64);
      for (size_t i = w * 64; i < end; ++i) {
        bits |= static_cast<uint64_t>(sig[i] != kEmptyLane) << (i % 64);
      }
      bitmap[w] = bits;
    }
    filled = bitmap;
  }
  size_t num_filled = 0;
  for (size_t w = 0; w < words; ++w) {
    num_filled += static_cast<size_t>(__builtin_popcountll(filled[w]));
  }
  if (num_filled == nk) return;
  if (num_filled == 1) {  // every probe sequence ends at the only filled bin
    size_t only = 0;
    while (sig[only] == kEmptyLane) ++only;
    std::fill(sig, sig + nk, sig[only]);
    return;
  }
  // An empty bin i copies the first filled bin of its own probe sequence
  // DensifyProbe(seed, k, i, 0), (.., 1), ... The sequence does not depend on
  // the set, so two sets that both leave bin i empty walk the same bins and
  // agree exactly when the first bin filled in either set is filled in both
  // with the same minimum - the property that keeps the estimate unbiased
  // (Shrivastava 2017, "Optimal Densification for Fast and Accurate Minwise
  // Hashing"). Expected probes per empty bin: k / filled.
  const auto is_filled = [filled](uint32_t b) { return (filled[b / 64] >> (b % 64)) & 1; };
  const uint32_t k32 = static_cast<uint32_t>(k);
  const auto first_filled_probe = [&](uint32_t i) {
    uint32_t attempt = 0;
    if (probe_cache != nullptr) {  // the first draws, precomputed
      const uint32_t* cached = probe_cache + static_cast<size_t>(i) * kCachedProbes;
      for (; attempt < kCachedProbes; ++attempt) {
        if (is_filled(cached[attempt])) return cached[attempt];
      }
    }
    for (;; ++attempt) {
      const uint32_t probe = DensifyProbe(seed, k32, i, attempt);
      if (is_filled(probe)) return probe;
    }
  };
  for (size_t w = 0; w < words; ++w) {
    // Visit only the empty bins of this word (no branch per filled bin).
    uint64_t empty = ~filled[w];
    if (w + 1 == words && nk % 64 != 0) empty &= (uint64_t{1} << (nk % 64)) - 1;
    for (; empty != 0; empty &= empty - 1) {
      const uint32_t i =
          static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(empty)));
      sig[i] = sig[first_filled_probe(i)];
    }
  }
}

}  // namespace internal

MinHasher::MinHasher(int k, SketchMode mode, uint64_t seed)
    : k_(k), mode_(mode), seed_(seed) {
  uint64_t state = seed;
  key_seed_ = static_cast<uint32_t>(SplitMix64(&state));
  const size_t nk = static_cast<size_t>(k);
  const size_t padded =
      (nk + internal::kLanePad - 1) / internal::kLanePad * internal::kLanePad;
  probes_.resize(nk * internal::kCachedProbes);
  for (size_t i = 0; i < nk; ++i) {
    for (uint32_t a = 0; a < internal::kCachedProbes; ++a) {
      probes_[i * internal::kCachedProbes + a] = internal::DensifyProbe(
          seed, static_cast<uint32_t>(k), static_cast<uint32_t>(i), a);
    }
  }
  seeds_.resize(nk);
  mul_.assign(padded, 1u);  // padding lanes are computed but never read
  add_.assign(padded, 0u);
  for (size_t i = 0; i < nk; ++i) {
    mul_[i] = static_cast<uint32_t>(SplitMix64(&state)) | 1u;  // odd: bijective
    add_[i] = static_cast<uint32_t>(SplitMix64(&state));
    seeds_[i] = add_[i];
  }
}

// The readable reference. Classic: the k lane functions applied to every key;
// one permutation: bin by key, then densify. Every SIMD target must match it.
void MinHasher::SketchScalar(const uint64_t* shingles, size_t n,
                             uint32_t* sig) const {
  std::fill(sig, sig + k_, kEmptyLane);
  if (n == 0) return;
  if (mode_ == SketchMode::kClassic) {
    for (size_t j = 0; j < n; ++j) {
      const uint32_t x = internal::ShingleKey(shingles[j], key_seed_);
      for (int i = 0; i < k_; ++i) {
        const uint32_t v = mul_[static_cast<size_t>(i)] * x +
                           add_[static_cast<size_t>(i)];
        sig[i] = std::min(sig[i], v);
      }
    }
    for (int i = 0; i < k_; ++i) sig[i] = std::min(sig[i], internal::kMaxLaneValue);
    return;
  }
  const uint32_t k32 = static_cast<uint32_t>(k_);
  for (size_t j = 0; j < n; ++j) {
    const uint32_t x = internal::ShingleKey(shingles[j], key_seed_);
    uint32_t& lane = sig[internal::OphBin(x, k32)];
    lane = std::min(lane, std::min(x, internal::kMaxLaneValue));
  }
  internal::DensifyOnePermutation(seed_, k_, /*probe_cache=*/nullptr, /*filled=*/nullptr,
                                  sig);
}

void MinHasher::Sketch(const uint64_t* shingles, size_t n, uint32_t* sig) const {
  if (n == 0) {
    std::fill(sig, sig + k_, kEmptyLane);
    return;
  }
  if (mode_ == SketchMode::kClassic) {
    internal::ClassicSketchSimd(shingles, n, key_seed_, mul_.data(),
                                add_.data(), k_, sig);
    return;
  }
  std::fill(sig, sig + k_, kEmptyLane);
  // The bitmap of filled bins; the stack covers k <= 8192.
  uint64_t filled_stack[128];
  std::vector<uint64_t> filled_heap;
  uint64_t* filled = filled_stack;
  if (k_ > 8192) {
    filled_heap.resize((static_cast<size_t>(k_) + 63) / 64);
    filled = filled_heap.data();
  }
  internal::OnePermutationBinsSimd(shingles, n, key_seed_, k_, sig, filled);
  internal::DensifyOnePermutation(seed_, k_, probes_.data(), filled, sig);
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
