// Word n-gram shingles hashed from token hashes.
#ifndef CHAFF_SHINGLE_H_
#define CHAFF_SHINGLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chaff {

inline constexpr int kDefaultShingleWidth = 5;

// Appends to `out` (cleared first) the hash of every run of `width`
// consecutive tokens of `token_hashes[0, n)`:
//   n == 0          -> no shingle (an empty text matches nothing);
//   0 < n < width   -> one shingle of all n tokens;
//   otherwise       -> n - width + 1 shingles.
// Precondition: width >= 1.
void Shingles(const uint64_t* token_hashes, size_t n, int width,
              std::vector<uint64_t>* out);

}  // namespace chaff

#endif  // CHAFF_SHINGLE_H_
