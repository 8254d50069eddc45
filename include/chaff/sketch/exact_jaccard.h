// Exact word-shingle Jaccard similarity: the reference that MinHash + LSH
// deduplication is evaluated against.
#ifndef CHAFF_SKETCH_EXACT_JACCARD_H_
#define CHAFF_SKETCH_EXACT_JACCARD_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "chaff/sketch/shingle.h"
#include "chaff/status.h"
#include "chaff/text/tokenize.h"

namespace chaff {

// The set of word-`width`-gram shingle hashes of `text` (chaff::Tokenize then
// chaff::Shingles, the same hashes the sketches see), sorted and unique, in
// `out` (cleared first). `tokens` is scratch. Empty text -> empty set.
void ShingleSet(std::string_view text, int width, uint64_t token_seed,
                Tokens* tokens, std::vector<uint64_t>* out);

// |A n B| / |A u B| of two sorted, unique sets; 0 when either is empty (an
// empty document matches nothing).
double ExactJaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

struct SimilarPair {
  uint32_t a = 0;  // a < b: indexes into the input sets
  uint32_t b = 0;
  double jaccard = 0.0;
};

// Every pair of sets (sorted, unique; empty sets never match) whose exact
// Jaccard similarity is >= threshold, sorted by (a, b). Exact, not sampled:
// an inverted index over each set's prefix under a global rarest-first order
// (the prefix filter of AllPairs/PPJoin: two sets with J >= t share an
// element among the first |X| - ceil(t|X|) + 1 of each) yields candidates,
// a length filter (t|A| <= |B| <= |A|/t) prunes them, and every survivor is
// verified by a merge of the two full sets. Memory is about 24 bytes per
// shingle of the input. Fails when threshold is not in (0, 1].
StatusOr<std::vector<SimilarPair>> AllPairsAboveThreshold(
    const std::vector<std::vector<uint64_t>>& sets, double threshold);

}  // namespace chaff

#endif  // CHAFF_SKETCH_EXACT_JACCARD_H_
