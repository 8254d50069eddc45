#include "chaff/sketch/lsh.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using chaff::CandidateProbability;
using chaff::FalseNegativeArea;
using chaff::FalsePositiveArea;
using chaff::LshParams;
using chaff::OptimalLshParams;
using chaff::UnionFind;

TEST_CASE("lsh: S-curve values computed by hand", "[lsh]") {
  // P(s) = 1 - (1 - s^r)^b.
  CHECK(CandidateProbability(0.5, 1, 1) == Approx(0.5));
  CHECK(CandidateProbability(0.5, 2, 1) == Approx(0.75));    // 1 - 0.5^2
  CHECK(CandidateProbability(0.5, 1, 2) == Approx(0.25));    // 0.5^2
  CHECK(CandidateProbability(0.5, 2, 2) == Approx(0.4375));  // 1 - 0.75^2
  // 0.8^13 = 0.0549755813888; 1 - (1 - 0.0549755813888)^9 = 0.398843878...
  CHECK(CandidateProbability(0.8, 9, 13) == Approx(0.3988438782).epsilon(1e-9));
  CHECK(CandidateProbability(0.0, 25, 10) == 0.0);
  CHECK(CandidateProbability(1.0, 25, 10) == 1.0);
}

TEST_CASE("lsh: false positive and negative areas match closed forms", "[lsh]") {
  for (double t : {0.3, 0.5, 0.7, 0.8, 0.95}) {
    INFO("t = " << t);
    // b = 1, r = 1: P = s.
    CHECK(FalsePositiveArea(t, 1, 1) == Approx(t * t / 2).epsilon(1e-12));
    CHECK(FalseNegativeArea(t, 1, 1) == Approx((1 - t) * (1 - t) / 2).epsilon(1e-12));
    // b = 2, r = 1: P = 2s - s^2; 1 - P = (1 - s)^2.
    CHECK(FalsePositiveArea(t, 2, 1) == Approx(t * t - t * t * t / 3).epsilon(1e-12));
    CHECK(FalseNegativeArea(t, 2, 1) ==
          Approx((1 - t) * (1 - t) * (1 - t) / 3).epsilon(1e-12));
    // b = 1, r = 2: P = s^2.
    CHECK(FalsePositiveArea(t, 1, 2) == Approx(t * t * t / 3).epsilon(1e-12));
    CHECK(FalseNegativeArea(t, 1, 2) ==
          Approx((1 - t) - (1 - t * t * t) / 3).epsilon(1e-12));
    // b = 2, r = 2: P = 2s^2 - s^4; 1 - P = 1 - 2s^2 + s^4.
    const double t3 = t * t * t, t5 = t3 * t * t;
    CHECK(FalsePositiveArea(t, 2, 2) == Approx(2 * t3 / 3 - t5 / 5).epsilon(1e-12));
    CHECK(FalseNegativeArea(t, 2, 2) ==
          Approx(8.0 / 15 - t + 2 * t3 / 3 - t5 / 5).epsilon(1e-12));
  }
}

TEST_CASE("lsh: band selection on a grid small enough to check by hand", "[lsh]") {
  // K = 2, t = 0.7, weights 0.5/0.5. From the closed forms above:
  //   (1,1): (0.245 + 0.045) / 2          = 0.1450
  //   (1,2): (0.114333 + 0.081) / 2       = 0.0977  <- minimum
  //   (2,1): (0.375667 + 0.009) / 2       = 0.1923
  auto p = OptimalLshParams(0.7, 2);
  REQUIRE(p.ok());
  CHECK(p->bands == 1);
  CHECK(p->rows == 2);
  // Mirror image at t = 0.3: (2,1) wins.
  p = OptimalLshParams(0.3, 2);
  REQUIRE(p.ok());
  CHECK(p->bands == 2);
  CHECK(p->rows == 1);
}

TEST_CASE("lsh: band selection agrees with datasketch's rule", "[lsh]") {
  // Reference values from an independent Simpson-rule evaluation of
  // datasketch's _optimal_param over the same grid.
  auto p = OptimalLshParams(0.8, 128);
  REQUIRE(p.ok());
  CHECK(p->bands == 9);
  CHECK(p->rows == 13);
  p = OptimalLshParams(0.8, 256);
  REQUIRE(p.ok());
  CHECK(p->bands == 17);
  CHECK(p->rows == 15);
  // The weights chaff dedupe uses by default (false negatives cost more).
  p = OptimalLshParams(0.8, 256, chaff::LshWeights{0.05, 0.95});
  REQUIRE(p.ok());
  CHECK(p->bands == 25);
  CHECK(p->rows == 10);
  CHECK(CandidateProbability(0.85, p->bands, p->rows) > 0.99);
  // Every choice respects b * r <= K.
  for (double t : {0.3, 0.5, 0.9}) {
    for (int k : {16, 64, 200}) {
      auto q = OptimalLshParams(t, k);
      REQUIRE(q.ok());
      CHECK(q->bands * q->rows <= k);
      CHECK(chaff::ValidateLshParams(*q, k).ok());
    }
  }
}

TEST_CASE("lsh: band selection is the minimum of the reference areas", "[lsh]") {
  // OptimalLshParams integrates with its own rule (exact Gauss-Legendre up to
  // K = 1022); its choice must be the first minimum, in datasketch's order,
  // of the weighted areas as FalsePositiveArea/FalseNegativeArea compute them.
  for (int k : {16, 100, 256}) {
    for (double t : {0.5, 0.8}) {
      for (const chaff::LshWeights w : {chaff::LshWeights{0.5, 0.5}, chaff::LshWeights{0.05, 0.95}}) {
        double best = 1e300;
        int best_b = 0, best_r = 0;
        for (int b = 1; b <= k; ++b) {
          for (int r = 1; r <= k / b; ++r) {
            const double e = w.false_positive * FalsePositiveArea(t, b, r) +
                             w.false_negative * FalseNegativeArea(t, b, r);
            if (e < best) {
              best = e;
              best_b = b;
              best_r = r;
            }
          }
        }
        auto p = OptimalLshParams(t, k, w);
        REQUIRE(p.ok());
        INFO("K " << k << " t " << t << " weights " << w.false_positive);
        CHECK(p->bands == best_b);
        CHECK(p->rows == best_r);
      }
    }
  }
  // Beyond K = 1022 (composite rule): still a valid choice.
  auto big = OptimalLshParams(0.8, 2048);
  REQUIRE(big.ok());
  CHECK(chaff::ValidateLshParams(*big, 2048).ok());
  CHECK(CandidateProbability(0.9, big->bands, big->rows) > 0.9);
}

TEST_CASE("lsh: invalid band selection arguments fail", "[lsh]") {
  CHECK_FALSE(OptimalLshParams(0.0, 128).ok());
  CHECK_FALSE(OptimalLshParams(1.0, 128).ok());
  CHECK_FALSE(OptimalLshParams(0.8, 0).ok());
  CHECK_FALSE(OptimalLshParams(0.8, 128, chaff::LshWeights{0, 0}).ok());
  CHECK_FALSE(OptimalLshParams(0.8, 128, chaff::LshWeights{-1, 1}).ok());
  CHECK_FALSE(chaff::ValidateLshParams(LshParams{20, 10}, 128).ok());
  CHECK_FALSE(chaff::ValidateLshParams(LshParams{0, 10}, 128).ok());
  CHECK(chaff::ValidateLshParams(LshParams{16, 8}, 128).ok());
}

TEST_CASE("lsh: band keys follow band equality", "[lsh]") {
  std::vector<uint32_t> a(64), b;
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint32_t>(i * 2654435761u);
  b = a;
  const LshParams p{8, 8};
  std::vector<uint32_t> ka(8), kb(8);
  chaff::BandKeys(a.data(), p, ka.data());
  chaff::BandKeys(b.data(), p, kb.data());
  CHECK(ka == kb);
  b[19] ^= 1;  // lane 19 is in band 2
  chaff::BandKeys(b.data(), p, kb.data());
  for (size_t j = 0; j < 8; ++j) {
    INFO("band " << j);
    CHECK((ka[j] == kb[j]) == (j != 2));
  }
  // Identical lanes in different bands still give different keys.
  std::vector<uint32_t> flat(16, 7u), kf(2);
  chaff::BandKeys(flat.data(), LshParams{2, 8}, kf.data());
  CHECK(kf[0] != kf[1]);
}

TEST_CASE("lsh: union-find roots are the first index, whatever the order", "[lsh]") {
  constexpr uint32_t kN = 2000;
  std::mt19937 rng(7);
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  for (int i = 0; i < 1500; ++i) {
    edges.emplace_back(static_cast<uint32_t>(rng() % kN), static_cast<uint32_t>(rng() % kN));
  }
  UnionFind forward(kN);
  for (auto [a, b] : edges) forward.Union(a, b);
  std::vector<uint32_t> roots(kN);
  for (uint32_t i = 0; i < kN; ++i) roots[i] = forward.Find(i);
  // Each root is the smallest member of its set.
  for (uint32_t i = 0; i < kN; ++i) {
    CHECK(roots[i] <= i);
    CHECK(roots[roots[i]] == roots[i]);
  }
  // Any permutation of the unions, with flipped endpoints, gives the same.
  for (int trial = 0; trial < 5; ++trial) {
    auto shuffled = edges;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    UnionFind uf(kN);
    for (auto [a, b] : shuffled) {
      if (rng() & 1) std::swap(a, b);
      uf.Union(a, b);
    }
    std::vector<uint32_t> got(kN);
    for (uint32_t i = 0; i < kN; ++i) got[i] = uf.Find(i);
    CHECK(got == roots);
  }
  UnionFind small(3);
  CHECK(small.Union(2, 1));
  CHECK_FALSE(small.Union(1, 2));
  CHECK(small.Find(2) == 1);
  CHECK(small.Add() == 3);
  CHECK(small.Find(3) == 3);
}
