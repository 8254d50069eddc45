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

// The Highway target (HWY_AVX2, ...) the tokenizer kernel dispatches to now.
int64_t TokenizeKernelTarget();

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_SRC_TOKENIZE_INTERNAL_H_
