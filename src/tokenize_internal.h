// Internal: the Highway-dispatched byte classification behind Tokenize().
#ifndef CHAFF_SRC_TOKENIZE_INTERNAL_H_
#define CHAFF_SRC_TOKENIZE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace chaff {
namespace internal {

// Writes, for text[0, n) followed by zero padding up to P = RoundUp(n, 64):
// norm[0, P) the ASCII-normalized bytes, and P / 8 bytes each of packed bits
// (bit i in bit i % 8 of byte i / 8) marking ASCII letters/digits and bytes
// >= 0x80. Returns an upper bound of the number of tokens of the text.
// Dispatches to the best target once per call. See src/simd/tokenize-inl.h.
size_t ClassifyBytesSimd(const uint8_t* text, size_t n, uint8_t* norm,
                         uint8_t* word_bits, uint8_t* high_bits);

// hashes[t] = XXH3_64bits_withSeed(norm + begin[t], end[t] - begin[t], seed)
// for every t < count whose token has 1 to 8 bytes; other entries are left
// unspecified. Reads up to 8 bytes at norm + begin[t] and norm + end[t] - 4.
// scratch: room for 2 * count indices. See src/simd/tokenize-inl.h.
void HashShortTokensSimd(const uint8_t* norm, const uint32_t* begin,
                         const uint32_t* end, size_t count, uint64_t seed,
                         uint32_t* scratch, uint64_t* hashes);

// True when the target chosen now hashes short tokens in vectors (AVX-512);
// Tokenize then skips filing tokens by length class.
bool ShortTokenHashIsVector();

// The Highway target (HWY_AVX2, ...) the tokenizer kernel dispatches to now.
int64_t TokenizeKernelTarget();

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_SRC_TOKENIZE_INTERNAL_H_
