// MinHash: every target against the scalar reference, and the statistics of
// both modes (unbiased, spread sqrt(J(1-J)/K)) on random and structured sets.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "chaff/sketch/minhash.h"
#include "hwy_target_loop.h"

namespace {

using chaff::MinHasher;
using chaff::SketchMode;

std::vector<uint32_t> SketchOf(const MinHasher& h, const std::vector<uint64_t>& s) {
  std::vector<uint32_t> sig(static_cast<size_t>(h.k()));
  h.Sketch(s.data(), s.size(), sig.data());
  return sig;
}

std::vector<uint32_t> ScalarSketchOf(const MinHasher& h, const std::vector<uint64_t>& s) {
  std::vector<uint32_t> sig(static_cast<size_t>(h.k()));
  h.SketchScalar(s.data(), s.size(), sig.data());
  return sig;
}

const char* ModeName(SketchMode m) {
  return m == SketchMode::kClassic ? "classic" : "one-permutation";
}

}  // namespace

TEST_CASE("minhash: every target matches the scalar reference", "[minhash][dispatch]") {
  CHAFF_FOR_EACH_TARGET(target);
  std::mt19937_64 rng(77);
  // K around every vector width and unroll boundary, and past the kernel's
  // stack buffer; n around the key chunk; 0, 1 and 2 shingles.
  const int ks[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65,
                    100, 127, 128, 129, 200, 256, 257, 600};
  const size_t ns[] = {0, 1, 2, 3, 7, 16, 100, 511, 512, 513, 1500};
  for (SketchMode mode : {SketchMode::kClassic, SketchMode::kOnePermutation}) {
    for (int k : ks) {
      const MinHasher h(k, mode, 1000u + static_cast<uint64_t>(k));
      for (size_t n : ns) {
        std::vector<uint64_t> s(n);
        for (auto& x : s) x = (rng() & 1) ? rng() : rng() % 50;  // with repeats
        INFO(ModeName(mode) << " k=" << k << " n=" << n);
        REQUIRE(SketchOf(h, s) == ScalarSketchOf(h, s));
      }
    }
  }
}

TEST_CASE("minhash: empty, single and repeated shingles", "[minhash]") {
  for (SketchMode mode : {SketchMode::kClassic, SketchMode::kOnePermutation}) {
    INFO(ModeName(mode));
    const MinHasher h(128, mode);
    const std::vector<uint32_t> empty = SketchOf(h, {});
    CHECK(chaff::IsEmptySketch(empty.data(), 128));
    const std::vector<uint32_t> one = SketchOf(h, {42});
    CHECK_FALSE(chaff::IsEmptySketch(one.data(), 128));
    for (uint32_t lane : one) CHECK(lane != chaff::kEmptyLane);
    CHECK(chaff::EstimateJaccard(one.data(), empty.data(), 128) == 0.0);
    CHECK(chaff::EstimateJaccard(empty.data(), empty.data(), 128) == 0.0);
    CHECK(chaff::EstimateJaccard(one.data(), one.data(), 128) == 1.0);
    // A multiset is sketched as its set, in any order.
    CHECK(SketchOf(h, {1, 2, 3, 2, 1}) == SketchOf(h, {3, 2, 1}));
    // Different seeds give different functions.
    const MinHasher other(128, mode, 12345);
    CHECK(SketchOf(other, {1, 2, 3}) != SketchOf(h, {1, 2, 3}));
  }
}

namespace {

uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 33);
}

enum class SetKind { kRandom, kConsecutive, kSharedPrefix };

// Draws 2,000 pairs (A, B) with |A u B| in [2000, 4000) and an exact Jaccard
// J = |A n B| / |A u B| in 0.1..0.9, sketches both, and returns the mean
// error and the spread of the errors in units of sqrt(J(1-J)/K).
// Sets are large against K so that one-permutation sampling without
// replacement does not shrink the variance noticeably.
struct Stats {
  double mean_error;
  double z_std;
};

Stats Measure(SketchMode mode, SetKind kind, uint64_t seed) {
  constexpr int kK = 128;
  constexpr int kPairs = 2000;
  const MinHasher h(kK, mode);
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> a, b;
  std::vector<uint32_t> sa(kK), sb(kK);
  double sum_err = 0, sum_z = 0, sum_z2 = 0;
  for (int p = 0; p < kPairs; ++p) {
    const size_t m = 2000 + rng() % 2000;
    const double target_j = 0.1 + 0.8 * static_cast<double>(rng() % 10001) / 10000.0;
    const size_t common = static_cast<size_t>(std::lround(target_j * static_cast<double>(m)));
    const size_t only_a = (m - common) / 2;
    const double j = static_cast<double>(common) / static_cast<double>(m);
    // Elements 0..m-1 of the union in one of three encodings: A holds the
    // first only_a + common, B the last common + only_b.
    const uint64_t offset = rng();
    auto element = [&](size_t i) -> uint64_t {
      switch (kind) {
        case SetKind::kRandom:
          return Fmix64(offset + i);  // a bijection: distinct elements
        case SetKind::kConsecutive:  // consecutive integers, per pair
          return static_cast<uint64_t>(p) * 100000u + i;
        case SetKind::kSharedPrefix:  // identical high 48 bits everywhere
          return 0x5eed5eed5eed0000ULL | (static_cast<uint64_t>(p) * 7919u + i) % 65536u;
      }
      return 0;
    };
    a.clear();
    b.clear();
    for (size_t i = 0; i < only_a + common; ++i) a.push_back(element(i));
    for (size_t i = only_a; i < m; ++i) b.push_back(element(i));
    h.Sketch(a.data(), a.size(), sa.data());
    h.Sketch(b.data(), b.size(), sb.data());
    const double est = chaff::EstimateJaccard(sa.data(), sb.data(), kK);
    const double err = est - j;
    const double z = err / std::sqrt(j * (1 - j) / kK);
    sum_err += err;
    sum_z += z;
    sum_z2 += z * z;
  }
  const double mean_z = sum_z / kPairs;
  return {sum_err / kPairs, std::sqrt(sum_z2 / kPairs - mean_z * mean_z)};
}

void CheckUnbiased(SketchMode mode, SetKind kind, uint64_t seed) {
  const Stats s = Measure(mode, kind, seed);
  INFO(ModeName(mode) << " mean error " << s.mean_error << ", spread / sqrt(J(1-J)/K) "
                      << s.z_std);
  CHECK(std::abs(s.mean_error) < 0.01);
  CHECK(s.z_std > 0.85);
  CHECK(s.z_std < 1.15);
}

}  // namespace

TEST_CASE("minhash: unbiased with binomial spread on random sets", "[minhash][stats]") {
  CheckUnbiased(SketchMode::kClassic, SetKind::kRandom, 1);
  CheckUnbiased(SketchMode::kOnePermutation, SetKind::kRandom, 2);
}

TEST_CASE("minhash: unbiased with binomial spread on consecutive integers",
          "[minhash][stats]") {
  CheckUnbiased(SketchMode::kClassic, SetKind::kConsecutive, 3);
  CheckUnbiased(SketchMode::kOnePermutation, SetKind::kConsecutive, 4);
}

TEST_CASE("minhash: unbiased with binomial spread on values sharing a long prefix",
          "[minhash][stats]") {
  CheckUnbiased(SketchMode::kClassic, SetKind::kSharedPrefix, 5);
  CheckUnbiased(SketchMode::kOnePermutation, SetKind::kSharedPrefix, 6);
}

TEST_CASE("minhash: unbiased on sets smaller than K (densification at work)",
          "[minhash][stats]") {
  // 10..99 elements in the union against K = 128: one-permutation sketches
  // leave most bins empty and densification fills them; classic mode is the
  // control. Only the mean is checked: densified lanes are not independent.
  for (SketchMode mode : {SketchMode::kClassic, SketchMode::kOnePermutation}) {
    const MinHasher h(128, mode);
    std::mt19937_64 rng(11);
    std::vector<uint64_t> a, b;
    std::vector<uint32_t> sa(128), sb(128);
    double sum_err = 0;
    constexpr int kPairs = 4000;
    for (int p = 0; p < kPairs; ++p) {
      const size_t m = 10 + rng() % 90;
      const size_t common = 1 + rng() % (m - 1);
      const size_t only_a = (m - common) / 2;
      const uint64_t offset = rng();
      a.clear();
      b.clear();
      for (size_t i = 0; i < only_a + common; ++i) a.push_back(Fmix64(offset + i));
      for (size_t i = only_a; i < m; ++i) b.push_back(Fmix64(offset + i));
      h.Sketch(a.data(), a.size(), sa.data());
      h.Sketch(b.data(), b.size(), sb.data());
      sum_err += chaff::EstimateJaccard(sa.data(), sb.data(), 128) -
                 static_cast<double>(common) / static_cast<double>(m);
    }
    INFO(ModeName(mode) << " mean error " << sum_err / kPairs);
    CHECK(std::abs(sum_err / kPairs) < 0.01);
  }
}
