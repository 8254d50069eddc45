// Highway kernel that finds the bytes a JSON string escapes in valid UTF-8
// text (io/json_escape_internal.h). Web text has one every few dozen bytes
// (mostly '\n'), so the kernel lists all of a string's escapes in one call
// (dispatch once per string, not once per escape), a vector of bytes per
// step: a byte needs an escape when min(byte, 0x1F) == byte, or it is '"'
// or '\\'; the mask's bits give the offsets. The tail (fewer bytes than a
// vector) is scanned one byte at a time: no read past p + n.
#include <cstddef>
#include <cstdint>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "io/json_escape_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "io/json_escape_internal.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

size_t FindJsonEscapes(const uint8_t* HWY_RESTRICT p, size_t n, uint32_t* HWY_RESTRICT positions,
                       size_t max_positions, size_t* count) {
  const hn::ScalableTag<uint8_t> d;
  const size_t N = hn::Lanes(d);
  const auto control = hn::Set(d, uint8_t{0x1F});
  const auto quote = hn::Set(d, uint8_t{'"'});
  const auto backslash = hn::Set(d, uint8_t{'\\'});
  uint8_t bits[HWY_MAX_BYTES / 8 + 8];
  size_t k = 0;
  size_t i = 0;
  for (; i + N <= n; i += N) {
    if (k + N > max_positions) {  // a whole vector of escapes might not fit
      *count = k;
      return i;
    }
    const auto v = hn::LoadU(d, p + i);
    const auto m = hn::Or(hn::Eq(hn::Min(v, control), v),
                          hn::Or(hn::Eq(v, quote), hn::Eq(v, backslash)));
    if (hn::AllFalse(d, m)) continue;
    const size_t bytes = hn::StoreMaskBits(d, m, bits);
    for (size_t b = 0; b < bytes; ++b) {
      for (unsigned byte = bits[b]; byte != 0; byte &= byte - 1) {
        positions[k++] =
            static_cast<uint32_t>(i + b * 8 + static_cast<size_t>(__builtin_ctz(byte)));
      }
    }
  }
  for (; i < n; ++i) {
    if (!internal::NeedsJsonEscape(p[i])) continue;
    if (k == max_positions) break;
    positions[k++] = static_cast<uint32_t>(i);
  }
  *count = k;
  return i;
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace chaff {
namespace internal {

HWY_EXPORT(FindJsonEscapes);

size_t FindJsonEscapes(const uint8_t* p, size_t n, uint32_t* positions, size_t max_positions,
                       size_t* count) {
  return HWY_DYNAMIC_DISPATCH(FindJsonEscapes)(p, n, positions, max_positions, count);
}

}  // namespace internal
}  // namespace chaff
#endif  // HWY_ONCE
