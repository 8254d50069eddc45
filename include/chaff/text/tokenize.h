// Tokenization and normalization for hashing.
//
// A token is a maximal run of word characters, normalized and hashed:
//   * word characters: ASCII letters and digits; any other code point whose
//     Unicode category is a letter (L*), a mark (M*) or a number (N*).
//   * every CJK ideograph, kana or hangul syllable is a token of its own
//     (these scripts do not separate words by spaces).
//   * everything else, and every byte that is not part of a valid UTF-8
//     sequence, is a separator.
// Normalization (CCNet, datatrove): lowercase (Unicode case folding),
// compatibility decomposition with accents stripped (é -> e, ﬁ -> fi), and
// every decimal digit mapped to '0'. ASCII takes a fast path with no table
// lookups; other code points go through utf8proc.
// Hash: XXH3_64bits_withSeed over the normalized UTF-8 bytes of the token.
// A token whose normalization is empty (a lone combining mark) is dropped.
#ifndef CHAFF_TEXT_TOKENIZE_H_
#define CHAFF_TEXT_TOKENIZE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chaff {

// Default seed for token hashes. Changing it changes every signature.
inline constexpr uint64_t kDefaultTokenSeed = 0x63686166665f7431ULL;  // "chaff_t1"

// Tokens of a text: parallel arrays, one entry per token, in text order.
// begin/end are byte offsets into the text that was tokenized.
struct Tokens {
  std::vector<uint64_t> hashes;
  std::vector<uint32_t> begin;
  std::vector<uint32_t> end;

  size_t size() const { return hashes.size(); }
  void clear() {
    hashes.clear();
    begin.clear();
    end.clear();
  }
};

// Tokenizes `text` (any bytes; at most 4 GiB) into `out` (cleared first).
// Uses the best SIMD target of this CPU (Highway runtime dispatch, chosen once
// per call, never per token). Output is identical on every target.
void Tokenize(std::string_view text, uint64_t seed, Tokens* out);

// The name of the SIMD target (Highway's, e.g. "AVX2", "AVX3_DL") the
// tokenizer, shingling and MinHash kernels run on on this machine.
const char* SimdTargetName();

// The scalar reference the SIMD kernels are tested against.
void TokenizeScalar(std::string_view text, uint64_t seed, Tokens* out);

// Appends the normalized form of `text` to `out`: tokens as above, joined by
// single spaces (CJK characters are also separated by spaces). Used for exact
// line and paragraph identity (two lines are "the same" when their
// normalized forms are equal) and in tests.
void NormalizeForHash(std::string_view text, std::string* out);

// XXH3 (seeded) of NormalizeForHash(text): the identity of a line.
uint64_t NormalizedHash(std::string_view text, uint64_t seed = kDefaultTokenSeed);

}  // namespace chaff

#endif  // CHAFF_TEXT_TOKENIZE_H_
