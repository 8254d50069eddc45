// Highway dispatch of the tokenizer's byte classification (kernel in
// tokenize-inl.h). The token walk that consumes its output, and the scalar
// reference it must match, are in src/tokenize.cc and src/tokenize_scalar.cc.
#include <cstddef>
#include <cstdint>

#include <xxhash.h>  // the library builds with XXH_INLINE_ALL

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/tokenize.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "simd/tokenize-inl.h"
#include "tokenize_internal.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {

size_t ClassifyBytes(const uint8_t* HWY_RESTRICT text, size_t n,
                     uint8_t* HWY_RESTRICT norm, uint8_t* HWY_RESTRICT word_bits,
                     uint8_t* HWY_RESTRICT high_bits) {
  return ClassifyBytesImpl(text, n, norm, word_bits, high_bits);
}

void HashShortTokens(const uint8_t* HWY_RESTRICT norm,
                     const uint32_t* HWY_RESTRICT begin,
                     const uint32_t* HWY_RESTRICT end, size_t count,
                     uint64_t seed, uint32_t* HWY_RESTRICT scratch,
                     uint64_t* HWY_RESTRICT hashes) {
  HashShortTokensImpl(norm, begin, end, count, seed, scratch, hashes);
}

// Whether HashShortTokens is the vector kernel on this target (else it is
// the scalar class-split fallback and Tokenize files tokens by class itself).
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
HWY_EXPORT(ShortTokenHashIsVector);
HWY_EXPORT(TokenizeTarget);

bool ShortTokenHashIsVector() { return HWY_DYNAMIC_DISPATCH(ShortTokenHashIsVector)(); }

void HashShortTokensSimd(const uint8_t* norm, const uint32_t* begin,
                         const uint32_t* end, size_t count, uint64_t seed,
                         uint32_t* scratch, uint64_t* hashes) {
  HWY_DYNAMIC_DISPATCH(HashShortTokens)(norm, begin, end, count, seed, scratch, hashes);
}

int64_t TokenizeKernelTarget() { return HWY_DYNAMIC_DISPATCH(TokenizeTarget)(); }

size_t ClassifyBytesSimd(const uint8_t* text, size_t n, uint8_t* norm,
                         uint8_t* word_bits, uint8_t* high_bits) {
  return HWY_DYNAMIC_DISPATCH(ClassifyBytes)(text, n, norm, word_bits, high_bits);
}

}  // namespace internal
}  // namespace chaff
#endif  // HWY_ONCE
