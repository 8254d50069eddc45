// MinHash sketches of shingle sets, in 32-bit lanes.
//
// Two modes estimate the Jaccard similarity of two shingle sets:
//   kClassic         K independent hash functions, the minimum of each over
//                    the set (cost O(n*K) per document, SIMD across K);
//   kOnePermutation  one hash, split into K bins, the minimum per bin, with
//                    optimal densification for empty bins (Shrivastava
//                    2017): cost O(n + K log K).
// Either way the estimate is the fraction of equal lanes.
//
// Hash family (frozen by tests/golden/; changing it changes every signature):
//   key(s)   = MurmurHash3_x86_32 of the 8 little-endian bytes of shingle s,
//              seeded with a 32-bit key seed drawn from the MinHasher seed.
//              This one strong mix per shingle destroys input structure
//              (consecutive integers, shared prefixes), so the per-lane
//              functions can be cheap.
//   classic  lane i = min over the set of (a_i * key + b_i) mod 2^32, with
//              a_i odd and b_i drawn by SplitMix64 from the seed: a
//              bijection of the key per lane, 3 SIMD ops per lane and key
//              (multiply, add, min) in 32-bit lanes.
//   one permutation: bin = (key * k) >> 32 (bins are contiguous key
//              intervals, any k works), lane = min key in the bin; an empty
//              bin i copies the first filled bin of its own order: the
//              first max(8, min(128, 32768 / k)) draws from (seed, i,
//              attempt), then its partners in rounds r = 0, 1, ... of a
//              seeded permutation of the bins shifted by a draw from (seed,
//              r) - optimal densification at a cost of O(K log K) (see
//              DensifyOnePermutation in sketch/minhash_internal.h). The
//              first releases drew on without end, at a cost of about K^2 /
//              (2 filled bins); a sketch whose empty bins all met a filled
//              one within the draws is the same as theirs. Values of
//              different bins never collide, so only a copy of the same bin
//              can match.
//   Non-empty sketches clamp every lane to 0xFFFFFFFE, so kEmptyLane only
//   ever means "no element".
#ifndef CHAFF_SKETCH_MINHASH_H_
#define CHAFF_SKETCH_MINHASH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace chaff {
namespace internal {
struct DensifyTables;
}  // namespace internal

inline constexpr int kDefaultNumHashes = 128;
inline constexpr uint64_t kDefaultMinHashSeed = 0x63686166666d6831ULL;  // "chaffmh1"

// Every lane of the sketch of an empty set: it matches nothing.
inline constexpr uint32_t kEmptyLane = 0xFFFFFFFFu;

enum class SketchMode : uint8_t { kClassic = 0, kOnePermutation = 1 };

class MinHasher {
 public:
  // Preconditions: k >= 1.
  MinHasher(int k, SketchMode mode, uint64_t seed = kDefaultMinHashSeed);

  int k() const { return k_; }
  SketchMode mode() const { return mode_; }

  // Writes the k lanes of the sketch of shingles[0, n) to sig[0, k). The
  // shingles may repeat (a multiset is sketched as its set). n == 0 gives the
  // empty sketch (all lanes kEmptyLane). Dispatches to the best SIMD target
  // once per call.
  void Sketch(const uint64_t* shingles, size_t n, uint32_t* sig) const;

  // The scalar reference every SIMD target is tested against.
  void SketchScalar(const uint64_t* shingles, size_t n, uint32_t* sig) const;

  // Per-lane parameters (exposed for tests and tools): the additive
  // constants b_i and the odd multipliers a_i of the classic lanes (the
  // multipliers are padded past k), and the seed of the shingle key.
  const std::vector<uint32_t>& seeds() const { return seeds_; }
  const std::vector<uint32_t>& multipliers() const { return mul_; }
  uint32_t key_seed() const { return key_seed_; }

 private:
  int k_;
  SketchMode mode_;
  uint64_t seed_;
  uint32_t key_seed_ = 0;
  std::vector<uint32_t> seeds_;  // b_i, k entries
  std::vector<uint32_t> mul_;    // a_i, padded for whole-vector loads
  std::vector<uint32_t> add_;    // b_i, padded for whole-vector loads
  // One-permutation mode: what densification looks up (about 4 * 170 * k
  // bytes; see internal::DensifyTables), shared by copies.
  std::shared_ptr<const internal::DensifyTables> densify_;
};

// True when every lane is kEmptyLane.
bool IsEmptySketch(const uint32_t* sig, int k);

// Fraction of equal lanes of two sketches made by the same MinHasher; 0 when
// either is empty.
double EstimateJaccard(const uint32_t* a, const uint32_t* b, int k);

}  // namespace chaff

#endif  // CHAFF_SKETCH_MINHASH_H_
