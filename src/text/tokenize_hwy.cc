// Highway dispatch of the tokenizer's kernels (tokenize-inl.h): byte
// classification, token boundaries of pure-ASCII block runs and short-token
// hashing. The walk that drives them, and the scalar reference they must
// match, are in src/tokenize.cc and src/tokenize_scalar.cc.
#include <cstddef>
#include <cstdint>

#include <xxhash.h>  // the library builds with XXH_INLINE_ALL

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "text/tokenize_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "text/tokenize-inl.h"
#include "text/tokenize_internal.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {

size_t ClassifyBytes(const uint8_t* HWY_RESTRICT text, size_t n,
                     uint8_t* HWY_RESTRICT norm, uint8_t* HWY_RESTRICT word_bits,
                     uint8_t* HWY_RESTRICT high_bits) {
  return ClassifyBytesImpl(text, n, norm, word_bits, high_bits);
}

size_t HashShortTokens(const uint8_t* HWY_RESTRICT norm,
                       const uint32_t* HWY_RESTRICT begin,
                       const uint32_t* HWY_RESTRICT end, size_t count,
                       uint64_t seed, uint64_t* HWY_RESTRICT long_tokens,
                       uint64_t* HWY_RESTRICT hashes) {
  return HashShortTokensImpl(norm, begin, end, count, seed, long_tokens, hashes);
}

uint64_t AsciiRuns(const uint64_t* HWY_RESTRICT word_bits, size_t num_blocks,
                   uint32_t base, uint64_t carry, uint32_t* HWY_RESTRICT starts,
                   size_t* num_starts, uint32_t* HWY_RESTRICT ends, size_t* num_ends) {
  return AsciiRunsImpl(word_bits, num_blocks, base, carry, starts, num_starts, ends,
                       num_ends);
}

// Whether this target runs the vector kernels above (Tokenize then uses them;
// elsewhere it files tokens by length class and hashes them itself).
bool ShortTokenHashIsVector() {
  return HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL;
}

// The target this code was compiled for (lets tests prove that the dispatch
// really switched targets).
int64_t TokenizeTarget() { return HWY_TARGET; }

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace chaff {
namespace internal {

HWY_EXPORT(ClassifyBytes);
HWY_EXPORT(HashShortTokens);
HWY_EXPORT(AsciiRuns);
HWY_EXPORT(ShortTokenHashIsVector);
HWY_EXPORT(TokenizeTarget);

size_t ClassifyBytesSimd(const uint8_t* text, size_t n, uint8_t* norm,
                         uint8_t* word_bits, uint8_t* high_bits) {
  return HWY_DYNAMIC_DISPATCH(ClassifyBytes)(text, n, norm, word_bits, high_bits);
}

size_t HashShortTokensSimd(const uint8_t* norm, const uint32_t* begin,
                           const uint32_t* end, size_t count, uint64_t seed,
                           uint64_t* long_tokens, uint64_t* hashes) {
  return HWY_DYNAMIC_DISPATCH(HashShortTokens)(norm, begin, end, count, seed,
                                               long_tokens, hashes);
}

uint64_t AsciiRunsSimd(const uint64_t* word_bits, size_t num_blocks, uint32_t base,
                       uint64_t carry, uint32_t* starts, size_t* num_starts,
                       uint32_t* ends, size_t* num_ends) {
  return HWY_DYNAMIC_DISPATCH(AsciiRuns)(word_bits, num_blocks, base, carry, starts,
                                         num_starts, ends, num_ends);
}

bool ShortTokenHashIsVector() { return HWY_DYNAMIC_DISPATCH(ShortTokenHashIsVector)(); }

int64_t TokenizeKernelTarget() { return HWY_DYNAMIC_DISPATCH(TokenizeTarget)(); }

}  // namespace internal

const char* SimdTargetName() { return hwy::TargetName(internal::TokenizeKernelTarget()); }
}  // namespace chaff
#endif  // HWY_ONCE
