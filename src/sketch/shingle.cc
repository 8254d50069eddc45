#include "chaff/sketch/shingle.h"

#include "sketch/shingle_internal.h"

namespace chaff {

// The reference: the polynomial evaluated directly, one window at a time.
uint64_t ShingleHash(const uint64_t* token_hashes, size_t len) {
  uint64_t poly = 0;
  for (size_t j = 0; j < len; ++j) poly = poly * internal::kShingleBase + token_hashes[j];
  return internal::FinishShingle(poly, len);
}

void Shingles(const uint64_t* token_hashes, size_t n, int width,
              std::vector<uint64_t>* out) {
  const size_t w = static_cast<size_t>(width);
  if (n == 0) {
    out->clear();
    return;
  }
  if (n < w) {
    out->assign(1, ShingleHash(token_hashes, n));
    return;
  }
  // No clear() first: a buffer reused across documents is then zero-filled
  // only where it grows.
  out->resize(n - w + 1);
  internal::ShingleWindowsSimd(token_hashes, n - w + 1, w, out->data());
}

}  // namespace chaff
