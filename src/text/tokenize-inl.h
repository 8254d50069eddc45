// Per-target byte classification for the tokenizer (included once per
// Highway target by src/text/tokenize_hwy.cc).
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

#include <xxhash.h>  // the library builds with XXH_INLINE_ALL

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


// Token boundaries of the pure-ASCII 64-byte blocks [0, num_blocks) of the
// packed word bits (byte offset of block 0: `base`). A token starts where a
// word bit follows a non-word bit and ends (exclusive) where a non-word bit
// follows a word bit; `carry` = 1 says a token is open before block 0 (its
// start is not reported, its end is). Writes start offsets to starts[] and
// end offsets to ends[] (each may run up to 16 entries past its count), sets
// the counts and returns 1 when a token is open after the last block. No
// branch per token: with AVX-512 each 16-bit slice of a mask compresses a
// vector of offsets; elsewhere bit scans.
HWY_INLINE uint64_t AsciiRunsImpl(const uint64_t* HWY_RESTRICT word_bits,
                                  size_t num_blocks, uint32_t base, uint64_t carry,
                                  uint32_t* HWY_RESTRICT starts, size_t* num_starts,
                                  uint32_t* HWY_RESTRICT ends, size_t* num_ends) {
  size_t ns = 0, ne = 0;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  const hn::ScalableTag<uint32_t> d;  // 16 lanes
  const auto iota = hn::Iota(d, 0);
  for (size_t b = 0; b < num_blocks; ++b) {
    const uint64_t w = word_bits[b];
    const uint64_t prev = (w << 1) | carry;  // word bit of the byte before
    uint8_t start_bits[8], end_bits[8];
    const uint64_t sb = w & ~prev, eb = ~w & prev;
    std::memcpy(start_bits, &sb, 8);  // little-endian: byte q holds bits 8q..
    std::memcpy(end_bits, &eb, 8);
    carry = w >> 63;
    for (size_t q = 0; q < 4; ++q) {
      const auto offsets =
          hn::Add(iota, hn::Set(d, base + static_cast<uint32_t>(b * 64 + q * 16)));
      const auto ms = hn::LoadMaskBits(d, start_bits + 2 * q);
      const auto me = hn::LoadMaskBits(d, end_bits + 2 * q);
      // Compress in registers and store whole vectors: the compress-to-
      // memory form is microcoded and slow on AMD Zen 4.
      hn::StoreU(hn::Compress(offsets, ms), d, starts + ns);
      hn::StoreU(hn::Compress(offsets, me), d, ends + ne);
      ns += hn::CountTrue(d, ms);
      ne += hn::CountTrue(d, me);
    }
  }
#else
  for (size_t b = 0; b < num_blocks; ++b) {
    const uint64_t w = word_bits[b];
    const uint64_t prev = (w << 1) | carry;
    const uint32_t block_base = base + static_cast<uint32_t>(b * 64);
    for (uint64_t bits = w & ~prev; bits != 0; bits &= bits - 1) {
      starts[ns++] = block_base + static_cast<uint32_t>(__builtin_ctzll(bits));
    }
    for (uint64_t bits = ~w & prev; bits != 0; bits &= bits - 1) {
      ends[ne++] = block_base + static_cast<uint32_t>(__builtin_ctzll(bits));
    }
    carry = w >> 63;
  }
#endif
  *num_starts = ns;
  *num_ends = ne;
  return carry;
}

// hashes[t] = XXH3_64bits_withSeed(norm + begin[t], end[t] - begin[t], seed)
// for every t < count whose token has 1 to 16 bytes; the indices of the
// others (practically never a word) are written to long_tokens[] and their
// number returned, for the caller to hash.
//
// With AVX-512 (native 64-bit lane multiply, fast gathers) 8 tokens per
// vector go through XXH3's three short-input formulas lane-wise (xxHash 0.8:
// XXH3_len_1to3_64b + XXH64_avalanche, XXH3_len_4to8_64b + XXH3_rrmxmx,
// XXH3_len_9to16_64b + XXH3_avalanche with the 128-bit product built from
// 32-bit halves) and a select: no branch per token (in running text XXH3's
// length branch mispredicts from one word to the next). Reads 8 bytes at
// norm + begin[t] and at norm + end[t] - 8, which may start up to 7 bytes
// before norm: the caller's padding on both sides must allow it. Other
// targets (where emulated 64-bit multiplies cost more than scalar XXH3;
// Tokenize files tokens by length class there instead) run the scalar loop.
HWY_INLINE size_t HashShortTokensImpl(const uint8_t* HWY_RESTRICT norm,
                                      const uint32_t* HWY_RESTRICT begin,
                                      const uint32_t* HWY_RESTRICT end,
                                      size_t count, uint64_t seed,
                                      uint64_t* HWY_RESTRICT long_tokens,
                                      uint64_t* HWY_RESTRICT hashes) {
  size_t i = 0;
  size_t num_long = 0;
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  const uint64_t bitflip_1to3 =
      (XXH_readLE32(XXH3_kSecret) ^ XXH_readLE32(XXH3_kSecret + 4)) + seed;
  const uint64_t bitflip_4to8 =
      (XXH_readLE64(XXH3_kSecret + 8) ^ XXH_readLE64(XXH3_kSecret + 16)) -
      (seed ^ (static_cast<uint64_t>(XXH_swap32(static_cast<uint32_t>(seed))) << 32));
  const uint64_t bitflip_9to16_lo =
      (XXH_readLE64(XXH3_kSecret + 24) ^ XXH_readLE64(XXH3_kSecret + 32)) + seed;
  const uint64_t bitflip_9to16_hi =
      (XXH_readLE64(XXH3_kSecret + 40) ^ XXH_readLE64(XXH3_kSecret + 48)) - seed;
  const hn::ScalableTag<uint64_t> d;
  const hn::RebindToSigned<decltype(d)> di;
  const hn::Rebind<uint32_t, decltype(d)> d32;        // half vector: offsets
  const hn::Repartition<uint32_t, decltype(d)> d32f;  // full vector: halves
  const hn::Repartition<uint8_t, decltype(d)> d8;
  const size_t N = hn::Lanes(d);
  const auto* base = reinterpret_cast<const uint64_t*>(norm);
  const auto low32 = hn::Set(d, 0xFFFFFFFFu);
  const auto low8 = hn::Set(d, 0xFFu);
  const auto k63 = hn::Set(d, 63);
  const auto mul_avalanche1 = hn::Set(d, 0xC2B2AE3D27D4EB4FULL);  // XXH_PRIME64_2
  const auto mul_avalanche2 = hn::Set(d, 0x165667B19E3779F9ULL);  // XXH_PRIME64_3
  const auto mul_rrmxmx = hn::Set(d, 0x9FB21C651E98DF25ULL);
  const auto mul_avalanche3 = hn::Set(d, 0x165667919E3779F9ULL);  // XXH3_avalanche
  // Byte reversal of each 64-bit lane (XXH_swap64) as an in-block shuffle.
  alignas(16) static constexpr uint8_t kSwap64[16] = {7,  6,  5,  4,  3,  2,  1, 0,
                                                      15, 14, 13, 12, 11, 10, 9, 8};
  const auto swap64 = hn::LoadDup128(d8, kSwap64);
  for (; i + N <= count; i += N) {
    const auto b = hn::PromoteTo(d, hn::LoadU(d32, begin + i));
    const auto e = hn::PromoteTo(d, hn::LoadU(d32, end + i));
    const auto len = hn::Sub(e, b);
    const auto len_i = hn::BitCast(di, len);
    const auto upto3 = hn::RebindMask(d, hn::Lt(len_i, hn::Set(di, 4)));
    const auto upto8 = hn::RebindMask(d, hn::Lt(len_i, hn::Set(di, 9)));
    const auto over16 = hn::RebindMask(d, hn::Gt(len_i, hn::Set(di, 16)));
    // The first 8 bytes of the token and the 8 bytes that end it.
    const auto head = hn::GatherOffset(d, base, hn::BitCast(di, b));
    const auto tail =
        hn::GatherOffset(d, base, hn::Sub(hn::BitCast(di, e), hn::Set(di, 8)));

    // 1..3 bytes: combined = c3 | len << 8 | c1 << 16 | c2 << 24, with
    // c1 = byte 0, c2 = byte len / 2, c3 = byte len - 1. Shift counts are
    // masked: lanes of other lengths are discarded but must stay defined.
    const auto c1 = hn::And(head, low8);
    const auto c2 = hn::And(
        hn::Shr(head, hn::And(hn::ShiftLeft<3>(hn::ShiftRight<1>(len)), k63)), low8);
    const auto c3 = hn::And(
        hn::Shr(head, hn::And(hn::ShiftLeft<3>(hn::Sub(len, hn::Set(d, 1))), k63)), low8);
    const auto combined = hn::Or(hn::Or(c3, hn::ShiftLeft<8>(len)),
                                 hn::Or(hn::ShiftLeft<16>(c1), hn::ShiftLeft<24>(c2)));
    auto h0 = hn::Xor(combined, hn::Set(d, bitflip_1to3));
    h0 = hn::Xor(h0, hn::ShiftRight<33>(h0));
    h0 = hn::Mul(h0, mul_avalanche1);
    h0 = hn::Xor(h0, hn::ShiftRight<29>(h0));
    h0 = hn::Mul(h0, mul_avalanche2);
    h0 = hn::Xor(h0, hn::ShiftRight<32>(h0));

    // 4..8 bytes: input64 = last4 + (first4 << 32), then rrmxmx.
    const auto input64 = hn::Add(hn::ShiftRight<32>(tail), hn::ShiftLeft<32>(head));
    auto h1 = hn::Xor(input64, hn::Set(d, bitflip_4to8));
    // rotl(h, 49) ^ rotl(h, 24) == rotr(h, 15) ^ rotr(h, 40)
    h1 = hn::Xor(h1, hn::Xor(hn::RotateRight<15>(h1), hn::RotateRight<40>(h1)));
    h1 = hn::Mul(h1, mul_rrmxmx);
    h1 = hn::Xor(h1, hn::Add(hn::ShiftRight<35>(h1), len));
    h1 = hn::Mul(h1, mul_rrmxmx);
    h1 = hn::Xor(h1, hn::ShiftRight<28>(h1));

    // 9..16 bytes: acc = len + swap64(lo) + hi + fold(lo * hi), avalanche.
    const auto lo = hn::Xor(head, hn::Set(d, bitflip_9to16_lo));
    const auto hi = hn::Xor(tail, hn::Set(d, bitflip_9to16_hi));
    // 64x64 -> 128 from 32-bit products (XXH_mult64to128's portable form).
    const auto lo_hi32 = hn::BitCast(d32f, hn::ShiftRight<32>(lo));
    const auto hi_hi32 = hn::BitCast(d32f, hn::ShiftRight<32>(hi));
    const auto p_lo_lo = hn::MulEven(hn::BitCast(d32f, lo), hn::BitCast(d32f, hi));
    const auto p_hi_lo = hn::MulEven(lo_hi32, hn::BitCast(d32f, hi));
    const auto p_lo_hi = hn::MulEven(hn::BitCast(d32f, lo), hi_hi32);
    const auto p_hi_hi = hn::MulEven(lo_hi32, hi_hi32);
    const auto cross = hn::Add(hn::Add(hn::ShiftRight<32>(p_lo_lo), hn::And(p_hi_lo, low32)),
                               p_lo_hi);
    const auto upper = hn::Add(hn::Add(hn::ShiftRight<32>(p_hi_lo), hn::ShiftRight<32>(cross)),
                               p_hi_hi);
    const auto lower = hn::Or(hn::ShiftLeft<32>(cross), hn::And(p_lo_lo, low32));
    const auto swapped = hn::BitCast(d, hn::TableLookupBytes(hn::BitCast(d8, lo), swap64));
    auto h2 = hn::Add(hn::Add(len, swapped), hn::Add(hi, hn::Xor(lower, upper)));
    h2 = hn::Xor(h2, hn::ShiftRight<37>(h2));
    h2 = hn::Mul(h2, mul_avalanche3);
    h2 = hn::Xor(h2, hn::ShiftRight<32>(h2));

    hn::StoreU(hn::IfThenElse(upto3, h0, hn::IfThenElse(upto8, h1, h2)), d, hashes + i);
    if (HWY_UNLIKELY(!hn::AllFalse(d, over16))) {  // about 1 word in 10,000
      uint8_t bits[8] = {0};
      hn::StoreMaskBits(d, over16, bits);
      for (size_t lane = 0; lane < N; ++lane) {
        if ((bits[lane / 8] >> (lane % 8)) & 1) long_tokens[num_long++] = i + lane;
      }
    }
  }
#endif
  for (; i < count; ++i) {
    const size_t len = end[i] - begin[i];
    if (len > 16) {
      long_tokens[num_long++] = i;
    } else if (len > 8) {
      hashes[i] = XXH3_len_9to16_64b(norm + begin[i], len, XXH3_kSecret, seed);
    } else if (len > 3) {
      hashes[i] = XXH3_len_4to8_64b(norm + begin[i], len, XXH3_kSecret, seed);
    } else {
      hashes[i] = XXH3_len_1to3_64b(norm + begin[i], len, XXH3_kSecret, seed);
    }
  }
  return num_long;
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#endif  // CHAFF_SRC_SIMD_TOKENIZE_INL_H_
