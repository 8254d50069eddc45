// Internal: the MinHash hash family shared by the scalar reference
// (src/sketch/minhash.cc) and the Highway kernels (src/sketch/minhash_hwy.cc). The SIMD
// kernels re-implement ShingleKey lane by lane; any change here must be
// mirrored there (tests/minhash_test.cc compares every target).
#ifndef CHAFF_SKETCH_MINHASH_INTERNAL_H_
#define CHAFF_SKETCH_MINHASH_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

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

// Densification (see DensifyOnePermutation below).
//
// Draw `attempt` of the probe sequence of `bin`: a bin in [0, k) from
// SplitMix64 seeded by (seed, bin).
uint32_t DensifyProbe(uint64_t seed, uint32_t k, uint32_t bin, uint32_t attempt);

// How many draws of its probe sequence an empty bin tries before the rounds
// below decide: 32768 / k, between 8 and 128 (128 up to K = 256, 8 from K =
// 4096). Up to this many draws, sketches are those of the first releases,
// which probed on without end: 128 covers every document of the 10x
// benchmark corpus at the default K = 256 (its worst bin needed 103 draws).
// Fewer at large K keep the draws' cost, about k * sqrt(draws), low.
uint32_t DensifyProbeDraws(uint32_t k);
inline constexpr uint32_t kMaxProbeDraws = 128;
// How many draws per bin the tables keep in probe order (they settle nearly
// every bin unless most bins are empty).
inline constexpr uint32_t kCachedProbes = 8;

// The rounds that follow the draws. Round r pairs every bin u with the bin
// (rank[u] - DensifyShift(seed, k, r)) mod k, where rank is the inverse of
// the permutation DensifyPermutation(seed, k); seen from the other side, bin
// j is the partner of perm[(j + shift) mod k]. Each round pairs the bins
// one to one, so a round can be evaluated from the filled bins (push: one
// step per filled bin) or from the bins still empty (pull: one step per
// bin), with the same result. A bin's partners over the rounds are
// independent uniform draws, so empty bins pick their filled bin
// independently of each other (what makes densification "optimal").
std::vector<uint32_t> DensifyPermutation(uint64_t seed, uint32_t k);
// The shift of round r: drawn from (seed, r) for the first
// kHashedRoundsPerBin * k rounds, then r mod k (a sweep that pairs every bin
// with every other, so densification ends whatever the draws were).
inline constexpr uint64_t kHashedRoundsPerBin = 32;
uint32_t DensifyShift(uint64_t seed, uint32_t k, uint64_t round);

// What MinHasher precomputes for DensifyOnePermutation: about 4 k (8 + 3 +
// 2) + 4 max(32768, 8 k) bytes (0.3 MB at K = 4096, 0.14 MB at K = 256).
struct DensifyTables {
  // Preconditions: 1 <= k < kMaxTableK.
  DensifyTables(uint64_t seed, uint32_t k);

  static constexpr uint32_t kMaxTableK = uint32_t{1} << 25;

  uint64_t seed;
  uint32_t k;
  uint32_t draws;  // DensifyProbeDraws(k)
  // probes[bin * kCachedProbes + a] = DensifyProbe(seed, k, bin, a).
  std::vector<uint32_t> probes;
  // The first `draws` draws of every bin, grouped by the bin drawn:
  // inverse[inverse_begin[j], inverse_begin[j + 1]) holds bin << 7 |
  // attempt for every draw that lands on j.
  std::vector<uint32_t> inverse_begin;
  std::vector<uint32_t> inverse;
  // DensifyPermutation(seed, k) and its inverse: perm[rank[u]] == u.
  std::vector<uint32_t> perm;
  std::vector<uint32_t> rank;
  // The rounds that matter: a round whose shift an earlier round had pairs
  // no bin anew. shift_order lists the k shifts in the order they first
  // appear.
  std::vector<uint32_t> shift_order;
  // For k <= 65536: entry x of 2 k (plus padding, for whole vectors) is
  // (the place in shift_order of shift x mod k) << 16. The first partner of
  // the bin at rank x among filled bins J is then the j in J with the
  // smallest first_key2[x + k - j] | j (EarliestPartnersSimd).
  std::vector<uint32_t> first_key2;
};

// Fills the empty bins (== 0xFFFFFFFF) of a one-permutation sketch by
// densification; see MinHasher in minhash.h. An empty bin copies the first
// bin filled by the shingles in its own order, which does not depend on the
// set: the first DensifyProbeDraws(k) draws of its probe sequence, then its
// partners of rounds 0, 1, 2, ... That fixed order keeps the estimate
// unbiased (Shrivastava 2017).
// tables: null for the reference, which computes every draw and shift where
// it is needed, bin by bin (about k^2 / filled steps); or MinHasher's, with
// which the cost is O(k log k) however few bins are filled. The result is
// the same either way. filled: null, or which bins the shingles filled (bit
// i % 64 of word i / 64), as OnePermutationBinsSimd returns it; computed
// here when null.
// Preconditions: at least one bin is filled; tables, when given, are for
// (seed, k).
void DensifyOnePermutation(uint64_t seed, int k, const DensifyTables* tables,
                           const uint64_t* filled, uint32_t* sig);

// Highway-dispatched kernels (src/sketch/minhash_hwy.cc), chosen once per call.
// Classic: sig[i] = min over shingles of mul[i] * key + add[i] (mod 2^32),
// clamped to kMaxLaneValue; mul/add padded to a multiple of kLanePad.
// Precondition: n >= 1.
void ClassicSketchSimd(const uint64_t* shingles, size_t n, uint32_t key_seed,
                       const uint32_t* mul, const uint32_t* add, int k,
                       uint32_t* sig);
// out[x] = min over j in sources[0, n) of key2[x + k - j] | j, for x in
// [0, RoundUp(k, kLanePad)). key2: DensifyTables::first_key2 (2 k entries
// and kLanePad * 2 of padding); out: RoundUp(k, kLanePad) entries.
// Precondition: n >= 1, k <= 65536, every source < k.
void EarliestPartnersSimd(const uint32_t* key2, uint32_t k, const uint32_t* sources, size_t n,
                          uint32_t* out);
// One permutation, before densification: sig[OphBin(key)] = min(key), empty
// bins left at 0xFFFFFFFF, and filled[0, (k + 63) / 64) set to the bitmap of
// the filled bins (bit i % 64 of word i / 64).
// Precondition: sig[0, k) is all 0xFFFFFFFF.
void OnePermutationBinsSimd(const uint64_t* shingles, size_t n,
                            uint32_t key_seed, int k, uint32_t* sig, uint64_t* filled);

// How many 32-bit lanes the MinHash kernels' vectors hold now.
size_t MinHashLanes();

// The Highway target (HWY_AVX2, ...) the MinHash kernels dispatch to now.
int64_t MinHashKernelTarget();

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_SKETCH_MINHASH_INTERNAL_H_
