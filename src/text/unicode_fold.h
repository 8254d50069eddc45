// Internal: per-code-point classification and folding shared by the scalar
// tokenizer and the SIMD tokenizer's non-ASCII slow path.
#ifndef CHAFF_TEXT_UNICODE_FOLD_H_
#define CHAFF_TEXT_UNICODE_FOLD_H_

#include <cstdint>
#include <string>

namespace chaff {
namespace internal {

enum class CharClass : uint8_t {
  kSeparator = 0,
  kWord = 1,      // continues or starts a token
  kIsolated = 2,  // a token of its own (CJK ideograph, kana, hangul syllable)
};

// Class of a non-ASCII code point (ASCII is classified inline by callers).
CharClass ClassifyCodePoint(int32_t cp);

// Appends the normalized (case-folded, compatibility-decomposed, accents
// stripped, decimal digits -> '0') UTF-8 form of `cp` to `out`. May append
// nothing (a combining mark).
void AppendFolded(int32_t cp, std::string* out);

// Cached ClassifyCodePoint + AppendFolded for the tokenizer's non-ASCII slow
// path: a per-thread direct-mapped cache (4096 entries, allocated on first
// use) keeps utf8proc's decomposition out of the per-character cost of
// running text in one script. Results are identical to the uncached
// functions; the cache only changes speed. Never allocates per call once the
// cache exists (folded forms longer than the cache slot are appended
// directly).
CharClass ClassifyAndAppendFolded(int32_t cp, std::string* out);

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_TEXT_UNICODE_FOLD_H_
