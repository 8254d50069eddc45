#include "chaff/sketch/lsh.h"

#include <xxhash.h>

#include <cmath>
#include <iterator>
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

// The n-point Gauss-Legendre rule on [-1, 1]: nodes x and weights w. Exact
// for polynomials of degree <= 2n - 1. Roots of P_n by Newton's method from
// the usual cosine guesses, P_n and P_n' by the three-term recurrence.
void GaussLegendreRule(int n, std::vector<double>* x, std::vector<double>* w) {
  x->assign(static_cast<size_t>(n), 0.0);
  w->assign(static_cast<size_t>(n), 0.0);
  const double pi = std::acos(-1.0);
  for (int i = 0; i < (n + 1) / 2; ++i) {
    double z = std::cos(pi * (i + 0.75) / (n + 0.5));
    double derivative = 1.0;
    for (int iteration = 0; iteration < 100; ++iteration) {
      double p0 = 1.0, p1 = z;  // P_0, P_1
      for (int j = 2; j <= n; ++j) {
        const double p2 = ((2 * j - 1) * z * p1 - (j - 1) * p0) / j;
        p0 = p1;
        p1 = p2;
      }
      derivative = n * (z * p1 - p0) / (z * z - 1.0);
      const double step = p1 / derivative;
      z -= step;
      if (std::fabs(step) < 1e-16) break;
    }
    const double weight = 2.0 / ((1.0 - z * z) * derivative * derivative);
    (*x)[static_cast<size_t>(i)] = -z;
    (*x)[static_cast<size_t>(n - 1 - i)] = z;
    (*w)[static_cast<size_t>(i)] = weight;
    (*w)[static_cast<size_t>(n - 1 - i)] = weight;
  }
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
  // Both integrands are polynomials in s of degree b * r <= K, so a
  // Gauss-Legendre rule of K / 2 + 1 nodes on each side integrates them
  // exactly (to rounding; FalsePositiveArea/FalseNegativeArea's 64 panels of
  // 8 nodes agree to ~1e-12). Beyond K = 1022 the 512-node composite rule of
  // those functions is used. The powers are built up by multiplication: for
  // a fixed r, (1 - s^r)^b for b = 1, 2, ... is one multiply per node, so the
  // whole grid (~K ln K points) costs a fraction of a millisecond instead of
  // millions of pow() calls. The minimum is then taken in datasketch's order.
  //
  // The rule on [-1, 1], applied to `panels` equal panels of each interval.
  std::vector<double> rule_x, rule_w;
  int panels = 1;
  if (num_perm <= 2 * (kPanels * 8) - 2) {
    GaussLegendreRule(num_perm / 2 + 1, &rule_x, &rule_w);
  } else {
    rule_x.assign(std::begin(kGlNodes), std::end(kGlNodes));
    rule_w.assign(std::begin(kGlWeights), std::end(kGlWeights));
    panels = kPanels;
  }
  const size_t per_panel = rule_x.size();
  const size_t nodes = per_panel * static_cast<size_t>(panels);
  std::vector<double> nodes_fp(nodes), weights_fp(nodes), nodes_fn(nodes), weights_fn(nodes);
  auto fill = [&](double a, double b, double* x, double* w) {
    const double h = (b - a) / panels;
    for (int p = 0; p < panels; ++p) {
      const double mid = a + (p + 0.5) * h;
      for (size_t i = 0; i < per_panel; ++i) {
        x[p * per_panel + i] = mid + 0.5 * h * rule_x[i];
        w[p * per_panel + i] = 0.5 * h * rule_w[i];
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
  std::vector<double> sr_fp(nodes, 1.0), sr_fn(nodes, 1.0);  // s^r
  std::vector<double> q_fp(nodes), q_fn(nodes);              // (1 - s^r)^b
  for (int r = 1; r <= num_perm; ++r) {
    for (size_t i = 0; i < nodes; ++i) {
      sr_fp[i] *= nodes_fp[i];
      sr_fn[i] *= nodes_fn[i];
      q_fp[i] = 1.0;
      q_fn[i] = 1.0;
    }
    for (int b = 1; b <= num_perm / r; ++b) {
      double fp = 0.0, fn = 0.0;
      for (size_t i = 0; i < nodes; ++i) {
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
