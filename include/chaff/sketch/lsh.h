// Locality-sensitive hashing over MinHash signatures: band selection, band
// keys, and the union-find that turns verified candidate pairs into clusters.
//
// A signature of K lanes is cut into b bands of r rows (b * r <= K). Two
// documents whose true Jaccard similarity is s share at least one band (and
// so become a candidate pair) with probability
//   P(s) = 1 - (1 - s^r)^b          (the "S-curve").
// For a threshold t the false positive area is the integral of P over
// [0, t] and the false negative area the integral of 1 - P over [t, 1];
// OptimalLshParams picks the (b, r) that minimises their weighted sum over
// the same grid as datasketch's _optimal_param (b = 1..K, r = 1..K/b; the
// first minimum in that order wins).
#ifndef CHAFF_SKETCH_LSH_H_
#define CHAFF_SKETCH_LSH_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "chaff/status.h"

namespace chaff {

struct LshParams {
  int bands = 0;
  int rows = 0;
};

// P(s) above. Preconditions: 0 <= s <= 1, bands >= 1, rows >= 1.
double CandidateProbability(double s, int bands, int rows);

// Integral of P over [0, threshold]: the chance mass of pairs below the
// threshold that still become candidates.
double FalsePositiveArea(double threshold, int bands, int rows);

// Integral of 1 - P over [threshold, 1]: the mass of pairs at or above the
// threshold that never become candidates.
double FalseNegativeArea(double threshold, int bands, int rows);

// Weights of the two areas in the objective. datasketch uses 0.5/0.5.
struct LshWeights {
  double false_positive = 0.5;
  double false_negative = 0.5;
};

// The (b, r) with b * r <= num_perm minimising
//   w.false_positive * FalsePositiveArea + w.false_negative * FalseNegativeArea.
// Fails (kInvalidArgument) when threshold is not in (0, 1), num_perm < 1, or a
// weight is negative or both are zero.
StatusOr<LshParams> OptimalLshParams(double threshold, int num_perm,
                                     LshWeights weights = LshWeights());

// Checks user-given params against the signature length.
Status ValidateLshParams(const LshParams& params, int num_perm);

// Band keys of one signature: key[j] fingerprints lanes [j*r, (j+1)*r). Two
// signatures equal on band j have equal key[j]; unequal bands collide with
// probability 2^-32 (such a collision only adds a candidate, which
// verification then rejects). An empty sketch must not be banded: it matches
// nothing. Writes params.bands keys to keys[].
void BandKeys(const uint32_t* sig, const LshParams& params, uint32_t* keys);

// Union-find over document indexes 0..n-1 whose root is always the smallest
// index of its set, so Find(i) is the set's first document in input order:
// the representative does not depend on the order of the unions, which makes
// clusters identical at any thread count. Path halving keeps Find
// near-constant without union by rank.
class UnionFind {
 public:
  explicit UnionFind(size_t n = 0);

  size_t size() const { return parent_.size(); }
  // Adds one singleton set and returns its index.
  uint32_t Add();

  // Precondition: i < size().
  uint32_t Find(uint32_t i);
  // Joins the sets of a and b; returns false when they were already joined.
  bool Union(uint32_t a, uint32_t b);

 private:
  std::vector<uint32_t> parent_;
};

}  // namespace chaff

#endif  // CHAFF_SKETCH_LSH_H_
