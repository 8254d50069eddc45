#include "chaff/sketch/exact_jaccard.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace chaff {
namespace {

// ceil(t * n), rounded down by a hair so that floating-point noise can only
// lengthen a prefix (which costs time), never shorten it (which would miss
// pairs).
size_t MinOverlap(double t, size_t n) {
  const double x = std::ceil(t * static_cast<double>(n) - 1e-9);
  size_t o = x < 1.0 ? 1 : static_cast<size_t>(x);
  return std::min(o, n);
}

template <typename T>
size_t IntersectionSize(const std::vector<T>& a, const std::vector<T>& b) {
  size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++inter;
      ++i;
      ++j;
    }
  }
  return inter;
}

template <typename T>
double JaccardOfSorted(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.empty() || b.empty()) return 0.0;
  const size_t inter = IntersectionSize(a, b);
  return static_cast<double>(inter) /
         static_cast<double>(a.size() + b.size() - inter);
}

}  // namespace

void ShingleSet(std::string_view text, int width, uint64_t token_seed,
                Tokens* tokens, std::vector<uint64_t>* out) {
  Tokenize(text, token_seed, tokens);
  Shingles(tokens->hashes.data(), tokens->size(), width, out);
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

double ExactJaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  return JaccardOfSorted(a, b);
}

StatusOr<std::vector<SimilarPair>> AllPairsAboveThreshold(
    const std::vector<std::vector<uint64_t>>& sets, double threshold) {
  if (!(threshold > 0.0 && threshold <= 1.0)) {
    return InvalidArgument("Jaccard threshold must be in (0, 1], got " +
                           std::to_string(threshold));
  }
  if (sets.size() > UINT32_MAX) return InvalidArgument("too many sets");

  // Global order: rarest shingle first (document frequency, then value), so
  // prefixes hold rare shingles and the posting lists stay short.
  std::vector<uint64_t> uniq;
  std::vector<uint32_t> rank;
  {
    size_t total = 0;
    for (const auto& s : sets) total += s.size();
    std::vector<uint64_t> all;
    all.reserve(total);
    for (const auto& s : sets) all.insert(all.end(), s.begin(), s.end());
    std::sort(all.begin(), all.end());
    std::vector<uint32_t> df;
    for (size_t i = 0; i < all.size();) {
      size_t j = i;
      while (j < all.size() && all[j] == all[i]) ++j;
      uniq.push_back(all[i]);
      df.push_back(static_cast<uint32_t>(j - i));
      i = j;
    }
    std::vector<uint32_t> order(uniq.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(),
                     [&](uint32_t x, uint32_t y) { return df[x] < df[y]; });
    rank.resize(uniq.size());
    for (size_t r = 0; r < order.size(); ++r) {
      rank[order[r]] = static_cast<uint32_t>(r);
    }
  }

  // Every set as sorted ranks (rarest first).
  std::vector<std::vector<uint32_t>> ranked(sets.size());
  for (size_t d = 0; d < sets.size(); ++d) {
    auto& out = ranked[d];
    out.reserve(sets[d].size());
    for (uint64_t v : sets[d]) {
      const size_t u = static_cast<size_t>(
          std::lower_bound(uniq.begin(), uniq.end(), v) - uniq.begin());
      out.push_back(rank[u]);
    }
    std::sort(out.begin(), out.end());
  }
  std::vector<uint64_t>().swap(uniq);
  std::vector<uint32_t>().swap(rank);

  // Inverted index of the prefixes, built by sorting (rank, doc) entries.
  std::vector<uint64_t> postings;
  for (size_t d = 0; d < ranked.size(); ++d) {
    const size_t n = ranked[d].size();
    if (n == 0) continue;
    const size_t prefix = n - MinOverlap(threshold, n) + 1;
    for (size_t k = 0; k < prefix; ++k) {
      postings.push_back(static_cast<uint64_t>(ranked[d][k]) << 32 | d);
    }
  }
  std::sort(postings.begin(), postings.end());

  // Candidates: documents sharing a prefix element, within the length filter.
  std::vector<uint64_t> candidates;
  for (size_t i = 0; i < postings.size();) {
    size_t j = i;
    while (j < postings.size() && (postings[j] >> 32) == (postings[i] >> 32)) ++j;
    for (size_t x = i; x < j; ++x) {
      const auto a = static_cast<uint32_t>(postings[x]);
      for (size_t y = x + 1; y < j; ++y) {
        const auto b = static_cast<uint32_t>(postings[y]);
        const double na = static_cast<double>(ranked[a].size());
        const double nb = static_cast<double>(ranked[b].size());
        if (std::min(na, nb) < threshold * std::max(na, nb) - 1e-9) continue;
        candidates.push_back(static_cast<uint64_t>(a) << 32 | b);  // a < b
      }
    }
    i = j;
  }
  std::vector<uint64_t>().swap(postings);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());

  std::vector<SimilarPair> pairs;
  for (uint64_t c : candidates) {
    const auto a = static_cast<uint32_t>(c >> 32);
    const auto b = static_cast<uint32_t>(c);
    const double j = JaccardOfSorted(ranked[a], ranked[b]);
    if (j >= threshold) pairs.push_back(SimilarPair{a, b, j});
  }
  return pairs;
}

}  // namespace chaff
