// Word n-gram shingles hashed from token hashes.
//
// The hash of a window t_0 .. t_{L-1} of token hashes (frozen by
// tests/golden/) is
//   fmix64( (sum_j t_j * P^(L-1-j) mod 2^64) XOR L * 0x9e3779b97f4a7c15 )
// with P = 0xc2b2ae3d27d4eb4f and fmix64 MurmurHash3's 64-bit finalizer.
// The polynomial is order-sensitive and rolls in O(1) per window, so
// shingling costs a few multiplies per token for any width; the finalizer
// makes every output bit depend on every input bit. Token hashes are XXH3
// outputs, so two different windows collide with probability about 2^-63.
#ifndef CHAFF_SKETCH_SHINGLE_H_
#define CHAFF_SKETCH_SHINGLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chaff {

inline constexpr int kDefaultShingleWidth = 5;

// Hash of the window token_hashes[0, len) as defined above (len >= 1).
uint64_t ShingleHash(const uint64_t* token_hashes, size_t len);

// Writes to `out` (cleared first) the hash of every run of `width`
// consecutive tokens of `token_hashes[0, n)`:
//   n == 0          -> no shingle (an empty text matches nothing);
//   0 < n < width   -> one shingle of all n tokens;
//   otherwise       -> n - width + 1 shingles.
// Precondition: width >= 1.
void Shingles(const uint64_t* token_hashes, size_t n, int width,
              std::vector<uint64_t>* out);

}  // namespace chaff

#endif  // CHAFF_SKETCH_SHINGLE_H_
