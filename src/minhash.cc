#include "chaff/minhash.h"

#include <algorithm>
#include <cstring>

#include "minhash_internal.h"

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

void DensifyOnePermutation(uint64_t seed, int k, uint32_t* sig) {
  const size_t nk = static_cast<size_t>(k);
  // Which bins the shingles filled: copies must only ever read those, never
  // a bin filled by an earlier copy. The stack covers k <= 8192.
  uint64_t filled_stack[128];
  std::vector<uint64_t> filled_heap;
  uint64_t* filled = filled_stack;
  const size_t words = (nk + 63) / 64;
  if (words > 128) {
    filled_heap.resize(words);
    filled = filled_heap.data();
  }
  std::memset(filled, 0, words * sizeof(uint64_t));
  size_t num_filled = 0;
  size_t last = 0;
  for (size_t i = 0; i < nk; ++i) {
    if (sig[i] != kEmptyLane) {
      filled[i / 64] |= uint64_t{1} << (i % 64);
      ++num_filled;
      last = i;
    }
  }
  if (num_filled == nk) return;
  if (num_filled == 1) {  // every probe sequence ends at the only filled bin
    std::fill(sig, sig + nk, sig[last]);
    return;
  }
  // An empty bin i copies the first filled bin of its own probe sequence:
  // bins drawn uniformly by a hash of (seed, i, attempt). The sequence does
  // not depend on the set, so two sets that both leave bin i empty walk the
  // same bins and agree exactly when the first bin filled in either set is
  // filled in both with the same minimum - the property that keeps the
  // estimate unbiased (Shrivastava 2017, "Optimal Densification for Fast and
  // Accurate Minwise Hashing"). Expected probes per empty bin: k / filled.
  const uint64_t k64 = nk;
  for (size_t i = 0; i < nk; ++i) {
    if (filled[i / 64] >> (i % 64) & 1) continue;
    uint64_t state = seed ^ (static_cast<uint64_t>(i) * 0xd1b54a32d192ed03ULL);
    for (;;) {
      const size_t probe =
          static_cast<size_t>(((SplitMix64(&state) >> 32) * k64) >> 32);
      if (filled[probe / 64] >> (probe % 64) & 1) {
        sig[i] = sig[probe];
        break;
      }
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
  internal::DensifyOnePermutation(seed_, k_, sig);
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
  internal::OnePermutationBinsSimd(shingles, n, key_seed_, k_, sig);
  internal::DensifyOnePermutation(seed_, k_, sig);
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
