// Highway kernels for MinHash sketches (one kernel family, all targets).
// The scalar reference is MinHasher::SketchScalar in src/minhash.cc; the hash
// family is defined in src/minhash_internal.h. Both kernels are dispatched
// once per document (per Sketch call), never per shingle.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "sketch/minhash_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "chaff/sketch/minhash.h"
#include "sketch/minhash_internal.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Shingles are keyed in chunks small enough that their keys stay in L1 while
// every lane block sweeps over them.
constexpr size_t kKeyChunk = 512;

template <class D, class V>
HWY_INLINE V MixBlockV(D d, V h, V k) {
  k = hn::Mul(k, hn::Set(d, 0xcc9e2d51u));
  k = hn::RotateRight<17>(k);  // == Rotl32(k, 15)
  k = hn::Mul(k, hn::Set(d, 0x1b873593u));
  h = hn::Xor(h, k);
  h = hn::RotateRight<19>(h);  // == Rotl32(h, 13)
  // h * 5 as a shift and add: one multiply less on targets where 32-bit
  // multiplies are emulated (SSSE3).
  h = hn::Add(h, hn::ShiftLeft<2>(h));
  return hn::Add(h, hn::Set(d, 0xe6546b64u));
}

template <class D, class V>
HWY_INLINE V Fmix32V(D d, V h) {
  h = hn::Xor(h, hn::ShiftRight<16>(h));
  h = hn::Mul(h, hn::Set(d, 0x85ebca6bu));
  h = hn::Xor(h, hn::ShiftRight<13>(h));
  h = hn::Mul(h, hn::Set(d, 0xc2b2ae35u));
  return hn::Xor(h, hn::ShiftRight<16>(h));
}

// internal::ShingleKey for the N shingles whose 32-bit halves are lo and hi.
template <class D, class V>
HWY_INLINE V ShingleKeyV(D d, V lo, V hi, V seed) {
  V h = MixBlockV(d, seed, lo);
  h = MixBlockV(d, h, hi);
  return Fmix32V(d, hn::Xor(h, hn::Set(d, 8u)));
}

// keys[i] = ShingleKey(shingles[i], seed) for i < m. Assumes a little-endian
// target (the even 32-bit word of a shingle is its low half), as does every
// target Highway 1.0.3 supports.
HWY_NOINLINE void ShingleKeys(const uint64_t* HWY_RESTRICT shingles, size_t m,
                              uint32_t seed, uint32_t* HWY_RESTRICT keys) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const auto vseed = hn::Set(d, seed);
  hn::Vec<decltype(d)> lo, hi;
  size_t i = 0;
  for (; i + N <= m; i += N) {
    hn::LoadInterleaved2(d, reinterpret_cast<const uint32_t*>(shingles + i),
                         lo, hi);
    hn::StoreU(ShingleKeyV(d, lo, hi, vseed), d, keys + i);
  }
  if (i < m) {
    // Tail: run the same vector code on a zero-padded copy, so no target
    // ever reads past the caller's array.
    constexpr size_t kMax = HWY_MAX_BYTES / sizeof(uint32_t);
    HWY_ALIGN uint64_t padded[kMax] = {};
    HWY_ALIGN uint32_t out[kMax];
    std::memcpy(padded, shingles + i, (m - i) * sizeof(uint64_t));
    hn::LoadInterleaved2(d, reinterpret_cast<const uint32_t*>(padded), lo, hi);
    hn::Store(ShingleKeyV(d, lo, hi, vseed), d, out);
    std::memcpy(keys + i, out, (m - i) * sizeof(uint32_t));
  }
}

// Classic MinHash: lanes of the sketch are laid out across vectors; the keys
// of a chunk are broadcast one at a time and each lane block keeps its
// running minima in registers for the whole chunk (3 ops per lane vector and
// key: multiply, add, min).
void ClassicSketch(const uint64_t* HWY_RESTRICT shingles, size_t n,
                   uint32_t key_seed, const uint32_t* HWY_RESTRICT mul,
                   const uint32_t* HWY_RESTRICT add, int k,
                   uint32_t* HWY_RESTRICT sig) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const size_t lanes = (static_cast<size_t>(k) + N - 1) / N * N;  // <= padded
  // Running minima of all (vector-rounded) lanes; the stack covers K <= 512.
  HWY_ALIGN uint32_t acc_stack[512];
  std::vector<uint32_t> acc_heap;
  uint32_t* acc = acc_stack;
  if (lanes > 512) {
    acc_heap.resize(lanes);
    acc = acc_heap.data();
  }
  std::fill(acc, acc + lanes, 0xFFFFFFFFu);
  HWY_ALIGN uint32_t keys[kKeyChunk];
  for (size_t start = 0; start < n; start += kKeyChunk) {
    const size_t m = std::min(kKeyChunk, n - start);
    ShingleKeys(shingles + start, m, key_seed, keys);
    size_t j = 0;
    for (; j + 4 * N <= lanes; j += 4 * N) {
      const auto a0 = hn::LoadU(d, mul + j);
      const auto a1 = hn::LoadU(d, mul + j + N);
      const auto a2 = hn::LoadU(d, mul + j + 2 * N);
      const auto a3 = hn::LoadU(d, mul + j + 3 * N);
      const auto b0 = hn::LoadU(d, add + j);
      const auto b1 = hn::LoadU(d, add + j + N);
      const auto b2 = hn::LoadU(d, add + j + 2 * N);
      const auto b3 = hn::LoadU(d, add + j + 3 * N);
      auto m0 = hn::LoadU(d, acc + j);
      auto m1 = hn::LoadU(d, acc + j + N);
      auto m2 = hn::LoadU(d, acc + j + 2 * N);
      auto m3 = hn::LoadU(d, acc + j + 3 * N);
      for (size_t i = 0; i < m; ++i) {
        const auto x = hn::Set(d, keys[i]);
        m0 = hn::Min(m0, hn::Add(hn::Mul(a0, x), b0));
        m1 = hn::Min(m1, hn::Add(hn::Mul(a1, x), b1));
        m2 = hn::Min(m2, hn::Add(hn::Mul(a2, x), b2));
        m3 = hn::Min(m3, hn::Add(hn::Mul(a3, x), b3));
      }
      hn::StoreU(m0, d, acc + j);
      hn::StoreU(m1, d, acc + j + N);
      hn::StoreU(m2, d, acc + j + 2 * N);
      hn::StoreU(m3, d, acc + j + 3 * N);
    }
    for (; j < lanes; j += N) {  // K not a multiple of 4 vectors
      const auto a0 = hn::LoadU(d, mul + j);
      const auto b0 = hn::LoadU(d, add + j);
      auto m0 = hn::LoadU(d, acc + j);
      for (size_t i = 0; i < m; ++i) {
        m0 = hn::Min(m0, hn::Add(hn::Mul(a0, hn::Set(d, keys[i])), b0));
      }
      hn::StoreU(m0, d, acc + j);
    }
  }
  for (int i = 0; i < k; ++i) {
    sig[i] = std::min(acc[i], internal::kMaxLaneValue);
  }
}

// One permutation: keys in SIMD, then a scalar scatter-min into the bins (a
// data-dependent store that no x86 target does faster in vectors).
void OnePermutationBins(const uint64_t* HWY_RESTRICT shingles, size_t n,
                        uint32_t key_seed, int k, uint32_t* HWY_RESTRICT sig,
                        uint64_t* HWY_RESTRICT filled) {
  HWY_ALIGN uint32_t keys[kKeyChunk];
  const uint32_t k32 = static_cast<uint32_t>(k);
  for (size_t start = 0; start < n; start += kKeyChunk) {
    const size_t m = std::min(kKeyChunk, n - start);
    ShingleKeys(shingles + start, m, key_seed, keys);
    for (size_t i = 0; i < m; ++i) {
      const uint32_t key = keys[i];
      uint32_t* lane = sig + internal::OphBin(key, k32);
      const uint32_t cur = *lane;
      const uint32_t v = std::min(key, internal::kMaxLaneValue);
      // Branch-free min with an unconditional store. Compilers otherwise
      // emit "if smaller, store", a branch that mispredicts about half the
      // time while the bins still fill; the empty asm hides the mask's origin
      // so the select stays arithmetic.
      uint32_t take = 0u - static_cast<uint32_t>(v < cur);
#if defined(__GNUC__)
      asm("" : "+r"(take));
#endif
      *lane = (v & take) | (cur & ~take);
    }
  }
  // The bitmap of filled bins for the densification: one compare and one
  // mask store per vector of bins. N divides 64 on every target with
  // N >= 4 32-bit lanes (4, 8, 16), so a vector's bits never straddle two
  // words.
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const size_t nk = static_cast<size_t>(k);
  const auto empty = hn::Set(d, kEmptyLane);
  std::fill(filled, filled + (nk + 63) / 64, uint64_t{0});
  size_t i = 0;
  if (N >= 4 && 64 % N == 0) {
    const uint64_t lane_bits = N >= 64 ? ~uint64_t{0} : (uint64_t{1} << N) - 1;
    for (; i + N <= nk; i += N) {
      uint8_t bytes[8] = {};
      hn::StoreMaskBits(d, hn::Ne(hn::LoadU(d, sig + i), empty), bytes);
      uint64_t bits;
      std::memcpy(&bits, bytes, sizeof(bits));  // little-endian, as every target
      filled[i / 64] |= (bits & lane_bits) << (i % 64);
    }
  }
  for (; i < nk; ++i) {
    filled[i / 64] |= static_cast<uint64_t>(sig[i] != kEmptyLane) << (i % 64);
  }
}

// Densification rounds for few filled bins: for every rank x, the filled
// bin j whose key2[x + k - j] | j is smallest. Each source is one unaligned
// load per vector of ranks (key2 holds the keys twice over, so x + k - j
// needs no reduction), so the cost is n * k / N lanes-wide steps.
void EarliestPartners(const uint32_t* HWY_RESTRICT key2, uint32_t k,
                      const uint32_t* HWY_RESTRICT sources, size_t n,
                      uint32_t* HWY_RESTRICT out) {
  const hn::ScalableTag<uint32_t> d;
  const size_t N = hn::Lanes(d);
  const size_t lanes = (static_cast<size_t>(k) + internal::kLanePad - 1) /
                       internal::kLanePad * internal::kLanePad;
  for (size_t x = 0; x < lanes; x += 2 * N) {
    auto m0 = hn::Set(d, ~uint32_t{0});
    auto m1 = m0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t* row = key2 + x + k - sources[i];
      const auto j = hn::Set(d, sources[i]);
      m0 = hn::Min(m0, hn::Or(hn::LoadU(d, row), j));
      m1 = hn::Min(m1, hn::Or(hn::LoadU(d, row + N), j));
    }
    hn::StoreU(m0, d, out + x);
    hn::StoreU(m1, d, out + x + N);
  }
}

// Lanes of the vectors above (EarliestPartners' cost depends on them).
size_t Lanes32() { return hn::Lanes(hn::ScalableTag<uint32_t>()); }

// The target this code was compiled for (lets tests prove that the dispatch
// really switched targets).
int64_t MinHashTarget() { return HWY_TARGET; }

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace chaff {
namespace internal {

HWY_EXPORT(ClassicSketch);
HWY_EXPORT(OnePermutationBins);
HWY_EXPORT(MinHashTarget);
HWY_EXPORT(EarliestPartners);
HWY_EXPORT(Lanes32);

void EarliestPartnersSimd(const uint32_t* key2, uint32_t k, const uint32_t* sources, size_t n,
                          uint32_t* out) {
  HWY_DYNAMIC_DISPATCH(EarliestPartners)(key2, k, sources, n, out);
}

size_t MinHashLanes() { return HWY_DYNAMIC_DISPATCH(Lanes32)(); }

int64_t MinHashKernelTarget() { return HWY_DYNAMIC_DISPATCH(MinHashTarget)(); }

void ClassicSketchSimd(const uint64_t* shingles, size_t n, uint32_t key_seed,
                       const uint32_t* mul, const uint32_t* add, int k,
                       uint32_t* sig) {
  HWY_DYNAMIC_DISPATCH(ClassicSketch)(shingles, n, key_seed, mul, add, k, sig);
}

void OnePermutationBinsSimd(const uint64_t* shingles, size_t n,
                            uint32_t key_seed, int k, uint32_t* sig, uint64_t* filled) {
  HWY_DYNAMIC_DISPATCH(OnePermutationBins)(shingles, n, key_seed, k, sig, filled);
}

}  // namespace internal
}  // namespace chaff
#endif  // HWY_ONCE
