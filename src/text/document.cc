#include "chaff/text/document.h"

#include <xxhash.h>

namespace chaff {

uint64_t Document::Identity(const uint64_t* token_hashes, size_t n) {
  if (n == 0) return 0;
  const uint64_t h = XXH3_64bits(token_hashes, n * sizeof(uint64_t));
  return h == 0 ? 1 : h;
}

void Document::Build(std::string_view text) {
  text_ = text;
  SegmentLines(text, &lines_);
  Tokenize(text, kDefaultTokenSeed, &tokens_);
  const size_t n = lines_.size();
  line_tokens_.resize(n + 1);
  identities_.resize(n);
  // Tokens and lines are both in text order, and a token lies inside the
  // content of one line ('\n' and '\r' separate tokens): one merge walk.
  const uint32_t* begin = tokens_.begin.data();
  const size_t num_tokens = tokens_.size();
  size_t t = 0;
  for (size_t i = 0; i < n; ++i) {
    const Line& line = lines_[i];
    line_tokens_[i] = static_cast<uint32_t>(t);
    while (t < num_tokens && begin[t] < line.end) ++t;
    identities_[i] = Identity(tokens_.hashes.data() + line_tokens_[i], t - line_tokens_[i]);
  }
  line_tokens_[n] = static_cast<uint32_t>(t);
}

}  // namespace chaff
