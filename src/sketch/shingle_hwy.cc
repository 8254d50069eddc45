// Highway kernel for word n-gram shingles (include/chaff/shingle.h defines
// the hash). The scalar form rolls the polynomial in O(1) per window but is
// bound by its four 64-bit multiplies per window; targets with a 64-bit lane
// multiply (AVX-512 in Highway 1.0.3) evaluate N windows at once by Horner's
// rule instead: w + 1 vector multiplies per N windows. Both are exact in
// Z/2^64, so every target gives the same hashes (tests/shingle_test.cc).
#include <cstddef>
#include <cstdint>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "sketch/shingle_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "sketch/shingle_internal.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// dst[i] = hash of the window t[i, i + w) for i < m (the caller guarantees
// that t holds m + w - 1 tokens).
void ShingleWindows(const uint64_t* HWY_RESTRICT t, size_t m, size_t w,
                    uint64_t* HWY_RESTRICT dst) {
  size_t i = 0;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  const hn::ScalableTag<uint64_t> d;
  const size_t N = hn::Lanes(d);
  const auto base = hn::Set(d, internal::kShingleBase);
  const auto salt = hn::Set(d, static_cast<uint64_t>(w) * internal::kShingleLengthSalt);
  const auto c1 = hn::Set(d, 0xff51afd7ed558ccdULL);
  const auto c2 = hn::Set(d, 0xc4ceb9fe1a85ec53ULL);
  for (; i + N <= m; i += N) {
    auto poly = hn::LoadU(d, t + i);
    for (size_t j = 1; j < w; ++j) poly = hn::Add(hn::Mul(poly, base), hn::LoadU(d, t + i + j));
    auto h = hn::Xor(poly, salt);
    h = hn::Xor(h, hn::ShiftRight<33>(h));
    h = hn::Mul(h, c1);
    h = hn::Xor(h, hn::ShiftRight<33>(h));
    h = hn::Mul(h, c2);
    hn::StoreU(hn::Xor(h, hn::ShiftRight<33>(h)), d, dst + i);
  }
  if (i == m) return;
#endif
  // Rolling: drop the oldest token's term (weight P^(w-1)), shift, add the
  // newest.
  uint64_t top = 1;  // P^(w-1)
  for (size_t j = 1; j < w; ++j) top *= internal::kShingleBase;
  uint64_t poly = 0;
  for (size_t j = 0; j < w; ++j) poly = poly * internal::kShingleBase + t[i + j];
  dst[i] = internal::FinishShingle(poly, w);
  for (++i; i < m; ++i) {
    poly = (poly - t[i - 1] * top) * internal::kShingleBase + t[i + w - 1];
    dst[i] = internal::FinishShingle(poly, w);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace chaff {
namespace internal {

HWY_EXPORT(ShingleWindows);

void ShingleWindowsSimd(const uint64_t* token_hashes, size_t m, size_t w, uint64_t* dst) {
  HWY_DYNAMIC_DISPATCH(ShingleWindows)(token_hashes, m, w, dst);
}

}  // namespace internal
}  // namespace chaff
#endif  // HWY_ONCE
