// Internal: the shingle hash's constants and finalizer, shared by the
// reference (src/sketch/shingle.cc) and the Highway kernel (src/sketch/shingle_hwy.cc).
#ifndef CHAFF_SKETCH_SHINGLE_INTERNAL_H_
#define CHAFF_SKETCH_SHINGLE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace chaff {
namespace internal {

// P = 3 (mod 4): P - 1 has a single factor of two, so windows that differ by
// a swap of two tokens still collide only with probability 2^-63.
inline constexpr uint64_t kShingleBase = 0xc2b2ae3d27d4eb4fULL;
inline constexpr uint64_t kShingleLengthSalt = 0x9e3779b97f4a7c15ULL;

// MurmurHash3's 64-bit finalizer: every output bit depends on every bit of
// the polynomial sum, whose low bits alone would see only low token bits.
inline uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t FinishShingle(uint64_t poly, size_t len) {
  return Fmix64(poly ^ (static_cast<uint64_t>(len) * kShingleLengthSalt));
}

// Hashes of the m windows t[i, i + w), i < m, on the best Highway target
// (src/sketch/shingle_hwy.cc). Precondition: m >= 1, w >= 1.
void ShingleWindowsSimd(const uint64_t* token_hashes, size_t m, size_t w, uint64_t* dst);

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_SKETCH_SHINGLE_INTERNAL_H_
