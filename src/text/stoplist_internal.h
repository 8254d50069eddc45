// Internal: the built-in lists one by one, for the choice of a document's
// language (the chrome classifier).
#ifndef CHAFF_TEXT_STOPLIST_INTERNAL_H_
#define CHAFF_TEXT_STOPLIST_INTERNAL_H_

#include <cstddef>
#include <memory>
#include <vector>

#include "chaff/text/stoplist.h"
#include "chaff/text/tokenize.h"

namespace chaff {
namespace internal {

// The Snowball lists, in the order of kSnowballLists.
const std::vector<std::unique_ptr<const Stoplist>>& SnowballStoplists();

// English is taken without looking further when at least this many times
// the minimum density of a document's tokens are English stopwords (short
// English words such as "a", "do", "no" are common in other languages too).
inline constexpr double kClearlyEnglish = 2.0;

// Which built-in list fits `tokens` best: -1 for English, else an index in
// kSnowballLists; -2 when no list holds `min_density` of the tokens.
int BestBuiltinList(const Tokens& tokens, double min_density);

// How many of tokens[t0, t1) are in `list`.
size_t CountHits(const Stoplist& list, const Tokens& tokens, size_t t0, size_t t1);

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_TEXT_STOPLIST_INTERNAL_H_
