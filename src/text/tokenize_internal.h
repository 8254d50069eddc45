// Internal: the Highway-dispatched byte classification behind Tokenize().
#ifndef CHAFF_TEXT_TOKENIZE_INTERNAL_H_
#define CHAFF_TEXT_TOKENIZE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace chaff {
namespace internal {

// Writes, for text[0, n) followed by zero padding up to P = RoundUp(n, 64):
// norm[0, P) the ASCII-normalized bytes, and P / 8 bytes each of packed bits
// (bit i in bit i % 8 of byte i / 8) marking ASCII letters/digits and bytes
// >= 0x80. Returns an upper bound of the number of tokens of the text.
// Dispatches to the best target once per call. See src/text/tokenize-inl.h.
size_t ClassifyBytesSimd(const uint8_t* text, size_t n, uint8_t* norm,
                         uint8_t* word_bits, uint8_t* high_bits);

// hashes[t] = XXH3_64bits_withSeed(norm + begin[t], end[t] - begin[t], seed)
// for every t < count whose token has 1 to 8 bytes; the indices of longer
// tokens go to long_tokens[] (room for count + 8) and their number is
// returned. Reads up to 8 bytes at norm + begin[t] and norm + end[t] - 4.
// See src/text/tokenize-inl.h.
size_t HashShortTokensSimd(const uint8_t* norm, const uint32_t* begin,
                           const uint32_t* end, size_t count, uint64_t seed,
                           uint64_t* long_tokens, uint64_t* hashes);

// Token starts and ends in a run of pure-ASCII 64-byte blocks (see
// AsciiRunsImpl in src/text/tokenize-inl.h): writes start offsets to
// starts[] and end offsets to ends[] (each may run 16 entries past its
// count), sets the counts, returns 1 when a token is open after the run.
uint64_t AsciiRunsSimd(const uint64_t* word_bits, size_t num_blocks, uint32_t base,
                       uint64_t carry, uint32_t* starts, size_t* num_starts,
                       uint32_t* ends, size_t* num_ends);

// True when the target chosen now runs the vector token kernels above
// (AVX-512); elsewhere Tokenize files tokens by length class itself.
bool ShortTokenHashIsVector();

// The Highway target (HWY_AVX2, ...) the tokenizer kernel dispatches to now.
int64_t TokenizeKernelTarget();

// Calls of Tokenize() on texts of at least one byte made by this process so
// far, all threads together (tests check that a pipeline stage tokenizes
// each document once).
uint64_t TokenizeCalls();

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_TEXT_TOKENIZE_INTERNAL_H_
