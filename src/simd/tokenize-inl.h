// Per-target byte classification for the tokenizer (included once per
// Highway target by src/simd/tokenize.cc).
//
// For every byte of the text it produces, in one pass of whole vectors:
//   norm[i]      the ASCII-normalized byte: 'A'-'Z' lowered, '0'-'9' -> '0',
//                anything else copied (only ASCII word bytes are ever read);
//   word bit i   set when the byte is an ASCII letter or digit;
//   high bit i   set when the byte is >= 0x80 (part of a UTF-8 sequence or
//                invalid), which sends the walker to the scalar slow path.
// Bit i lives in bit (i % 8) of byte i / 8, i.e. bit i % 64 of the
// little-endian 64-bit word i / 64.

// Per-target include guard (Highway's toggle idiom).
#if defined(CHAFF_SRC_SIMD_TOKENIZE_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef CHAFF_SRC_SIMD_TOKENIZE_INL_H_
#undef CHAFF_SRC_SIMD_TOKENIZE_INL_H_
#else
#define CHAFF_SRC_SIMD_TOKENIZE_INL_H_
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Classifies one vector at `in`, writing N normalized bytes to `norm` and N
// bits of each mask starting at bit `bit` of the packed arrays.
template <class D>
HWY_INLINE void ClassifyVector(D d, const uint8_t* HWY_RESTRICT in,
                               uint8_t* HWY_RESTRICT norm, size_t bit,
                               uint8_t* HWY_RESTRICT word_bits,
                               uint8_t* HWY_RESTRICT high_bits) {
  const hn::RebindToSigned<D> di;
  const auto v = hn::LoadU(d, in);
  // Case bit set: 'A'-'Z' become 'a'-'z'; then one unsigned range check
  // (x - 'a' < 26) covers both cases.
  const auto lower = hn::Or(v, hn::Set(d, uint8_t{0x20}));
  const auto alpha =
      hn::Lt(hn::Sub(lower, hn::Set(d, uint8_t{'a'})), hn::Set(d, uint8_t{26}));
  const auto digit =
      hn::Lt(hn::Sub(v, hn::Set(d, uint8_t{'0'})), hn::Set(d, uint8_t{10}));
  const auto high = hn::RebindMask(
      d, hn::Lt(hn::BitCast(di, v), hn::Zero(di)));  // sign bit: >= 0x80
  const auto out = hn::IfThenElse(digit, hn::Set(d, uint8_t{'0'}),
                                  hn::IfThenElse(alpha, lower, v));
  hn::StoreU(out, d, norm);
  const auto word = hn::Or(alpha, digit);
#if HWY_TARGET == HWY_SCALAR
  // One lane per vector: StoreMaskBits writes a whole byte, so pack by hand.
  uint8_t w = 0, h = 0;
  hn::StoreMaskBits(d, word, &w);
  hn::StoreMaskBits(d, high, &h);
  const uint8_t shift = static_cast<uint8_t>(bit % 8);
  if (shift == 0) {
    word_bits[bit / 8] = 0;
    high_bits[bit / 8] = 0;
  }
  word_bits[bit / 8] = static_cast<uint8_t>(word_bits[bit / 8] | ((w & 1) << shift));
  high_bits[bit / 8] = static_cast<uint8_t>(high_bits[bit / 8] | ((h & 1) << shift));
#else
  // Every other target has a multiple of 8 lanes: whole bytes of bits.
  hn::StoreMaskBits(d, word, word_bits + bit / 8);
  hn::StoreMaskBits(d, high, high_bits + bit / 8);
#endif
}

// Classifies text[0, n) and the zero padding after it up to a multiple of 64
// bytes (zero is an ASCII separator), so callers read whole 64-bit words.
// Buffers: norm holds RoundUp(n, 64) bytes, each bit array RoundUp(n, 64) / 8.
// Reads exactly text[0, n): the last partial vector is copied to a padded
// buffer first. Returns an upper bound of the number of tokens: every token
// starts at the first byte of a run of ASCII word bytes or at a byte >= 0x80
// (one code point starts at most one token).
HWY_INLINE size_t ClassifyBytesImpl(const uint8_t* HWY_RESTRICT text, size_t n,
                                  uint8_t* HWY_RESTRICT norm,
                                  uint8_t* HWY_RESTRICT word_bits,
                                  uint8_t* HWY_RESTRICT high_bits) {
  const hn::ScalableTag<uint8_t> d;
  const size_t N = hn::Lanes(d);
  const size_t padded = (n + 63) / 64 * 64;
  size_t i = 0;
  for (; i + N <= n; i += N) {
    ClassifyVector(d, text + i, norm + i, i, word_bits, high_bits);
  }
  // Tail and padding. N divides 64 on every fixed-width target; on others the
  // last vector may end past `padded`, which the buffers must allow for.
  HWY_ALIGN uint8_t buf[HWY_MAX_BYTES];
  HWY_ALIGN uint8_t norm_tail[HWY_MAX_BYTES];
  for (; i < padded; i += N) {
    std::memset(buf, 0, sizeof(buf));
    if (i < n) std::memcpy(buf, text + i, n - i);
    ClassifyVector(d, buf, norm_tail, i, word_bits, high_bits);
    std::memcpy(norm + i, norm_tail, padded - i < N ? padded - i : N);
  }
  // Count run starts and high bytes 64 at a time. Inside the target region
  // the builtin becomes one instruction where the target has POPCNT.
  size_t bound = 0;
  uint64_t carry = 0;
  for (size_t b = 0; b < padded / 64; ++b) {
    uint64_t w, h;
    std::memcpy(&w, word_bits + b * 8, 8);  // little-endian bit order
    std::memcpy(&h, high_bits + b * 8, 8);
    bound += static_cast<size_t>(__builtin_popcountll(w & ~((w << 1) | carry)));
    bound += static_cast<size_t>(__builtin_popcountll(h));
    carry = w >> 63;
  }
  return bound;
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#endif  // CHAFF_SRC_SIMD_TOKENIZE_INL_H_
