#include "chaff/shingle.h"

namespace chaff {
namespace {

// P = 3 (mod 4): P - 1 has a single factor of two, so windows that differ by
// a swap of two tokens still collide only with probability 2^-63.
constexpr uint64_t kShingleBase = 0xc2b2ae3d27d4eb4fULL;
constexpr uint64_t kShingleLengthSalt = 0x9e3779b97f4a7c15ULL;

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

inline uint64_t Finish(uint64_t poly, size_t len) {
  return Fmix64(poly ^ (static_cast<uint64_t>(len) * kShingleLengthSalt));
}

}  // namespace

uint64_t ShingleHash(const uint64_t* token_hashes, size_t len) {
  uint64_t poly = 0;
  for (size_t j = 0; j < len; ++j) poly = poly * kShingleBase + token_hashes[j];
  return Finish(poly, len);
}

void Shingles(const uint64_t* token_hashes, size_t n, int width,
              std::vector<uint64_t>* out) {
  out->clear();
  if (n == 0) return;
  const size_t w = static_cast<size_t>(width);
  if (n < w) {
    out->push_back(ShingleHash(token_hashes, n));
    return;
  }
  out->resize(n - w + 1);
  uint64_t* dst = out->data();
  // Rolling evaluation of the same polynomial: drop the oldest token's term
  // (its weight is P^(w-1)), shift, add the newest. Exact in Z/2^64, so
  // every window equals ShingleHash of it, in O(1) per shingle.
  uint64_t top = 1;  // P^(w-1)
  for (size_t j = 1; j < w; ++j) top *= kShingleBase;
  uint64_t poly = 0;
  for (size_t j = 0; j < w; ++j) poly = poly * kShingleBase + token_hashes[j];
  dst[0] = Finish(poly, w);
  for (size_t i = 1; i + w <= n; ++i) {
    poly = (poly - token_hashes[i - 1] * top) * kShingleBase +
           token_hashes[i + w - 1];
    dst[i] = Finish(poly, w);
  }
}

}  // namespace chaff
