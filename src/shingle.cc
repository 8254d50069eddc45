#include "chaff/shingle.h"

#include <xxhash.h>

namespace chaff {

void Shingles(const uint64_t* token_hashes, size_t n, int width,
              std::vector<uint64_t>* out) {
  out->clear();
  if (n == 0) return;
  const size_t w = static_cast<size_t>(width);
  if (n < w) {
    out->push_back(XXH3_64bits(token_hashes, n * sizeof(uint64_t)));
    return;
  }
  out->reserve(n - w + 1);
  for (size_t i = 0; i + w <= n; ++i) {
    out->push_back(XXH3_64bits(token_hashes + i, w * sizeof(uint64_t)));
  }
}

}  // namespace chaff
