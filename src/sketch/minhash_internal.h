// Internal: the MinHash hash family shared by the scalar reference
// (src/sketch/minhash.cc) and the Highway kernels (src/sketch/minhash_hwy.cc). The SIMD
// kernels re-implement ShingleKey lane by lane; any change here must be
// mirrored there (tests/minhash_test.cc compares every target).
#ifndef CHAFF_SKETCH_MINHASH_INTERNAL_H_
#define CHAFF_SKETCH_MINHASH_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace chaff {
namespace internal {

// Lane parameters are padded to a multiple of this many 32-bit lanes so that
// kernels of any vector width (up to 2048-bit) load whole vectors.
inline constexpr size_t kLanePad = 64;

// Largest lane value of a non-empty sketch: values are clamped to it so that
// kEmptyLane (0xFFFFFFFF) only ever means "no element".
inline constexpr uint32_t kMaxLaneValue = 0xFFFFFFFEu;

inline uint32_t Rotl32(uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

inline uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// MurmurHash3_x86_32 of the 8 little-endian bytes of `shingle` with `seed`,
// written out for exactly two 32-bit blocks. It destroys any structure of the
// input (consecutive integers, shared prefixes) once per shingle, so the
// per-lane functions below may be cheap affine maps. 32-bit arithmetic only:
// the SIMD kernels evaluate it in 32-bit lanes on every target.
inline uint32_t MixBlock(uint32_t h, uint32_t k) {
  k *= 0xcc9e2d51u;
  k = Rotl32(k, 15);
  k *= 0x1b873593u;
  h ^= k;
  h = Rotl32(h, 13);
  return h * 5u + 0xe6546b64u;
}

inline uint32_t ShingleKey(uint64_t shingle, uint32_t seed) {
  uint32_t h = MixBlock(seed, static_cast<uint32_t>(shingle));
  h = MixBlock(h, static_cast<uint32_t>(shingle >> 32));
  return Fmix32(h ^ 8u);
}

// Bin of a key in one-permutation mode: Lemire's multiply-shift range
// reduction, so bins are contiguous key intervals and any k works.
inline uint32_t OphBin(uint32_t key, uint32_t k) {
  return static_cast<uint32_t>((static_cast<uint64_t>(key) * k) >> 32);
}

// Draw `attempt` of the densification probe sequence of `bin`: a bin in
// [0, k) from SplitMix64 seeded by (seed, bin).
uint32_t DensifyProbe(uint64_t seed, uint32_t k, uint32_t bin, uint32_t attempt);

// How many draws per bin MinHasher precomputes (covers all but a tiny
// fraction of probes unless most bins are empty).
inline constexpr uint32_t kCachedProbes = 8;

// Fills the empty bins (== 0xFFFFFFFF) of a one-permutation sketch with
// optimal densification (Shrivastava 2017); see MinHasher in minhash.h.
// probe_cache: null, or k * kCachedProbes precomputed DensifyProbe values
// (bin-major); the result is the same either way. filled: null, or which
// bins the shingles filled (bit i % 64 of word i / 64), as
// OnePermutationBinsSimd returns it; computed here when null.
// Precondition: at least one bin is filled.
void DensifyOnePermutation(uint64_t seed, int k, const uint32_t* probe_cache,
                           const uint64_t* filled, uint32_t* sig);

// Highway-dispatched kernels (src/sketch/minhash_hwy.cc), chosen once per call.
// Classic: sig[i] = min over shingles of mul[i] * key + add[i] (mod 2^32),
// clamped to kMaxLaneValue; mul/add padded to a multiple of kLanePad.
// Precondition: n >= 1.
void ClassicSketchSimd(const uint64_t* shingles, size_t n, uint32_t key_seed,
                       const uint32_t* mul, const uint32_t* add, int k,
                       uint32_t* sig);
// One permutation, before densification: sig[OphBin(key)] = min(key), empty
// bins left at 0xFFFFFFFF, and filled[0, (k + 63) / 64) set to the bitmap of
// the filled bins (bit i % 64 of word i / 64).
// Precondition: sig[0, k) is all 0xFFFFFFFF.
void OnePermutationBinsSimd(const uint64_t* shingles, size_t n,
                            uint32_t key_seed, int k, uint32_t* sig, uint64_t* filled);

// The Highway target (HWY_AVX2, ...) the MinHash kernels dispatch to now.
int64_t MinHashKernelTarget();

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_SKETCH_MINHASH_INTERNAL_H_
