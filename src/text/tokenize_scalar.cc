// Scalar reference tokenizer. The Highway kernels (src/text/tokenize_hwy.cc) must produce
// exactly what this file produces (tests/tokenize_test.cc checks every target).
#include <utf8proc.h>
#include <xxhash.h>

#include "chaff/text/tokenize.h"
#include "text/unicode_fold.h"

namespace chaff {
namespace {

// Calls on_token(normalized, begin, end) for every token of `text`.
template <class OnToken>
void ForEachToken(std::string_view text, OnToken&& on_token) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const size_t n = text.size();
  std::string tok;
  size_t tok_begin = 0;
  size_t tok_end = 0;
  auto flush = [&]() {
    if (!tok.empty()) on_token(std::string_view(tok), tok_begin, tok_end);
    tok.clear();
  };
  bool in_token = false;
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    if (c < 0x80) {
      const bool lower = (c >= 'a' && c <= 'z');
      const bool upper = (c >= 'A' && c <= 'Z');
      const bool digit = (c >= '0' && c <= '9');
      if (lower || upper || digit) {
        if (!in_token) {
          in_token = true;
          tok_begin = i;
        }
        tok.push_back(digit ? '0' : static_cast<char>(c | 0x20));
        tok_end = i + 1;
      } else if (in_token) {
        in_token = false;
        flush();
      }
      ++i;
      continue;
    }
    utf8proc_int32_t cp = -1;
    const utf8proc_ssize_t len = utf8proc_iterate(
        p + i, static_cast<utf8proc_ssize_t>(n - i), &cp);
    if (len <= 0) {  // invalid UTF-8: one byte of separator
      if (in_token) {
        in_token = false;
        flush();
      }
      ++i;
      continue;
    }
    const size_t ulen = static_cast<size_t>(len);
    switch (internal::ClassifyCodePoint(cp)) {
      case internal::CharClass::kWord:
        if (!in_token) {
          in_token = true;
          tok_begin = i;
        }
        internal::AppendFolded(cp, &tok);
        tok_end = i + ulen;
        break;
      case internal::CharClass::kIsolated:
        if (in_token) {
          in_token = false;
          flush();
        }
        tok_begin = i;
        tok_end = i + ulen;
        internal::AppendFolded(cp, &tok);
        flush();
        break;
      case internal::CharClass::kSeparator:
        if (in_token) {
          in_token = false;
          flush();
        }
        break;
    }
    i += ulen;
  }
  if (in_token) flush();
}

}  // namespace

void TokenizeScalar(std::string_view text, uint64_t seed, Tokens* out) {
  out->clear();
  ForEachToken(text, [&](std::string_view norm, size_t b, size_t e) {
    out->hashes.push_back(XXH3_64bits_withSeed(norm.data(), norm.size(), seed));
    out->begin.push_back(static_cast<uint32_t>(b));
    out->end.push_back(static_cast<uint32_t>(e));
  });
}

void NormalizeForHash(std::string_view text, std::string* out) {
  bool first = true;
  ForEachToken(text, [&](std::string_view norm, size_t, size_t) {
    if (!first) out->push_back(' ');
    first = false;
    out->append(norm);
  });
}

uint64_t NormalizedHash(std::string_view text, uint64_t seed) {
  std::string norm;
  norm.reserve(text.size());
  NormalizeForHash(text, &norm);
  return XXH3_64bits_withSeed(norm.data(), norm.size(), seed);
}

}  // namespace chaff
