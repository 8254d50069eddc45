#include "chaff/lsh.h"

#include <xxhash.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace chaff {
namespace {

// 8-point Gauss-Legendre nodes and weights on [-1, 1].
constexpr double kGlNodes[8] = {
    -0.9602898564975363, -0.7966664774136267, -0.5255324099163290,
    -0.1834346424956498, 0.1834346424956498,  0.5255324099163290,
    0.7966664774136267,  0.9602898564975363};
constexpr double kGlWeights[8] = {
    0.1012285362903763, 0.2223810344533745, 0.3137066458778873,
    0.3626837833783620, 0.3626837833783620, 0.3137066458778873,
    0.2223810344533745, 0.1012285362903763};

// The integrands are polynomials of degree b*r <= K, steep near the
// threshold; 64 panels of 8-point Gauss-Legendre agree with scipy's quad
// (what datasketch uses) to ~1e-12, far below the gaps between grid points.
constexpr int kPanels = 64;

template <typename F>
double Integrate(F f, double a, double b) {
  if (b <= a) return 0.0;
  const double h = (b - a) / kPanels;
  double sum = 0.0;
  for (int p = 0; p < kPanels; ++p) {
    const double mid = a + (p + 0.5) * h;
    for (int i = 0; i < 8; ++i) sum += kGlWeights[i] * f(mid + 0.5 * h * kGlNodes[i]);
  }
  return sum * 0.5 * h;
}

}  // namespace

double CandidateProbability(double s, int bands, int rows) {
  return 1.0 - std::pow(1.0 - std::pow(s, rows), bands);
}

double FalsePositiveArea(double threshold, int bands, int rows) {
  return Integrate([&](double s) { return CandidateProbability(s, bands, rows); },
                   0.0, threshold);
}

double FalseNegativeArea(double threshold, int bands, int rows) {
  // 1 - P(s) computed directly, not as 1 - P, to keep precision where P ~ 1.
  return Integrate(
      [&](double s) { return std::pow(1.0 - std::pow(s, rows), bands); },
      threshold, 1.0);
}

StatusOr<LshParams> OptimalLshParams(double threshold, int num_perm,
                                     LshWeights weights) {
  if (!(threshold > 0.0 && threshold < 1.0)) {
    return InvalidArgument("threshold must be in (0, 1), got " +
                           std::to_string(threshold));
  }
  if (num_perm < 1) {
    return InvalidArgument("the number of hashes must be >= 1, got " +
                           std::to_string(num_perm));
  }
  if (!(weights.false_positive >= 0.0 && weights.false_negative >= 0.0) ||
      weights.false_positive + weights.false_negative <= 0.0) {
    return InvalidArgument("LSH weights must be >= 0 and not both zero");
  }
  // The same quadrature as FalsePositiveArea/FalseNegativeArea, but with the
  // powers built up by multiplication: for a fixed r, (1 - s^r)^b for
  // b = 1, 2, ... is one multiply per node, so the whole grid (~K ln K
  // points, 1024 nodes each) costs about a millisecond instead of millions
  // of pow() calls. The minimum is then taken in datasketch's order.
  constexpr int kNodes = kPanels * 8;
  std::vector<double> nodes_fp(kNodes), weights_fp(kNodes);
  std::vector<double> nodes_fn(kNodes), weights_fn(kNodes);
  auto fill = [](double a, double b, double* x, double* w) {
    const double h = (b - a) / kPanels;
    for (int p = 0; p < kPanels; ++p) {
      const double mid = a + (p + 0.5) * h;
      for (int i = 0; i < 8; ++i) {
        x[p * 8 + i] = mid + 0.5 * h * kGlNodes[i];
        w[p * 8 + i] = 0.5 * h * kGlWeights[i];
      }
    }
  };
  fill(0.0, threshold, nodes_fp.data(), weights_fp.data());
  fill(threshold, 1.0, nodes_fn.data(), weights_fn.data());

  // error[offset[r] + b - 1] for b * r <= K (about K ln K entries).
  std::vector<size_t> offset(static_cast<size_t>(num_perm) + 2, 0);
  for (int r = 1; r <= num_perm; ++r) {
    offset[static_cast<size_t>(r) + 1] = offset[static_cast<size_t>(r)] +
                                          static_cast<size_t>(num_perm / r);
  }
  std::vector<double> error(offset[static_cast<size_t>(num_perm) + 1], 0.0);
  auto at = [&](int b, int r) -> double& {
    return error[offset[static_cast<size_t>(r)] + static_cast<size_t>(b - 1)];
  };
  std::vector<double> sr_fp(kNodes, 1.0), sr_fn(kNodes, 1.0);  // s^r
  std::vector<double> q_fp(kNodes), q_fn(kNodes);              // (1 - s^r)^b
  for (int r = 1; r <= num_perm; ++r) {
    for (int i = 0; i < kNodes; ++i) {
      sr_fp[i] *= nodes_fp[i];
      sr_fn[i] *= nodes_fn[i];
      q_fp[i] = 1.0;
      q_fn[i] = 1.0;
    }
    for (int b = 1; b <= num_perm / r; ++b) {
      double fp = 0.0, fn = 0.0;
      for (int i = 0; i < kNodes; ++i) {
        q_fp[i] *= 1.0 - sr_fp[i];
        q_fn[i] *= 1.0 - sr_fn[i];
        fp += weights_fp[i] * (1.0 - q_fp[i]);
        fn += weights_fn[i] * q_fn[i];
      }
      at(b, r) = weights.false_positive * fp + weights.false_negative * fn;
    }
  }
  double best = std::numeric_limits<double>::infinity();
  LshParams opt;
  for (int b = 1; b <= num_perm; ++b) {
    for (int r = 1; r <= num_perm / b; ++r) {
      const double e = at(b, r);
      if (e < best) {  // strict: the first minimum wins, as in datasketch
        best = e;
        opt = LshParams{b, r};
      }
    }
  }
  return opt;
}

Status ValidateLshParams(const LshParams& params, int num_perm) {
  if (params.bands < 1 || params.rows < 1) {
    return InvalidArgument("bands and rows must both be >= 1");
  }
  if (static_cast<int64_t>(params.bands) * params.rows > num_perm) {
    return InvalidArgument("bands x rows (" + std::to_string(params.bands) +
                           " x " + std::to_string(params.rows) +
                           ") exceeds the signature length " +
                           std::to_string(num_perm));
  }
  return Status::Ok();
}

void BandKeys(const uint32_t* sig, const LshParams& params, uint32_t* keys) {
  const size_t r = static_cast<size_t>(params.rows);
  for (int j = 0; j < params.bands; ++j) {
    // Seeded by the band index so equal lanes in different bands do not
    // share keys (bands are compared only band to band, but a distinct seed
    // keeps the keys independent for any later single-table use).
    keys[j] = static_cast<uint32_t>(XXH3_64bits_withSeed(
        sig + static_cast<size_t>(j) * r, r * sizeof(uint32_t),
        static_cast<uint64_t>(j)));
  }
}

UnionFind::UnionFind(size_t n) : parent_(n) {
  for (size_t i = 0; i < n; ++i) parent_[i] = static_cast<uint32_t>(i);
}

uint32_t UnionFind::Add() {
  const auto i = static_cast<uint32_t>(parent_.size());
  parent_.push_back(i);
  return i;
}

uint32_t UnionFind::Find(uint32_t i) {
  while (parent_[i] != i) {
    parent_[i] = parent_[parent_[i]];  // path halving
    i = parent_[i];
  }
  return i;
}

bool UnionFind::Union(uint32_t a, uint32_t b) {
  a = Find(a);
  b = Find(b);
  if (a == b) return false;
  // The smaller index becomes the root: roots are the first documents.
  if (a < b) {
    parent_[b] = a;
  } else {
    parent_[a] = b;
  }
  return true;
}

}  // namespace chaff
