#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

#include "chaff/sketch/shingle.h"
#include "hwy_target_loop.h"

TEST_CASE("shingle: counts for empty, short and long token lists", "[shingle]") {
  std::vector<uint64_t> tokens = {11, 22, 33, 44, 55, 66, 77};
  std::vector<uint64_t> out = {1, 2, 3};
  chaff::Shingles(tokens.data(), 0, 5, &out);
  CHECK(out.empty());
  chaff::Shingles(tokens.data(), 3, 5, &out);
  REQUIRE(out.size() == 1);
  CHECK(out[0] == chaff::ShingleHash(tokens.data(), 3));
  chaff::Shingles(tokens.data(), 5, 5, &out);
  REQUIRE(out.size() == 1);
  CHECK(out[0] == chaff::ShingleHash(tokens.data(), 5));
  chaff::Shingles(tokens.data(), 7, 5, &out);
  CHECK(out.size() == 3);
  chaff::Shingles(tokens.data(), 7, 1, &out);
  CHECK(out.size() == 7);
}

TEST_CASE("shingle: every target's windows equal the hash of each window", "[shingle]") {
  CHAFF_FOR_EACH_TARGET(target);
  std::mt19937_64 rng(3);
  std::vector<uint64_t> tokens(500);
  for (auto& t : tokens) t = rng();
  std::vector<uint64_t> out;
  // Every width up to 12 and every count of windows up to 40 (whole
  // vectors, tails and windows fewer than a vector), after a longer run (the
  // output buffer is reused, as callers do).
  for (int w = 1; w <= 12; ++w) {
    for (size_t n : {size_t{500}, size_t{0}, size_t{1}, size_t{3}}) {
      chaff::Shingles(tokens.data(), n, w, &out);
    }
    for (size_t windows = 1; windows <= 40; ++windows) {
      const size_t n = windows + static_cast<size_t>(w) - 1;
      chaff::Shingles(tokens.data() + windows, n, w, &out);
      REQUIRE(out.size() == windows);
      for (size_t i = 0; i < out.size(); ++i) {
        REQUIRE(out[i] == chaff::ShingleHash(tokens.data() + windows + i, static_cast<size_t>(w)));
      }
    }
    chaff::Shingles(tokens.data(), tokens.size(), w, &out);
    REQUIRE(out.size() == tokens.size() - static_cast<size_t>(w) + 1);
    for (size_t i = 0; i < out.size(); ++i) {
      REQUIRE(out[i] == chaff::ShingleHash(tokens.data() + i, static_cast<size_t>(w)));
    }
  }
}

TEST_CASE("shingle: order, content and length matter; position does not", "[shingle]") {
  const std::vector<uint64_t> a = {1, 2, 3, 4, 5, 9, 1, 2, 3, 4, 5};
  std::vector<uint64_t> out;
  chaff::Shingles(a.data(), a.size(), 5, &out);
  CHECK(out.front() == out.back());  // same window at two positions
  const std::vector<uint64_t> swapped = {2, 1, 3, 4, 5};
  const std::vector<uint64_t> changed = {1, 2, 3, 4, 6};
  CHECK(chaff::ShingleHash(a.data(), 5) != chaff::ShingleHash(swapped.data(), 5));
  CHECK(chaff::ShingleHash(a.data(), 5) != chaff::ShingleHash(changed.data(), 5));
  CHECK(chaff::ShingleHash(a.data(), 4) != chaff::ShingleHash(a.data(), 5));
  const std::vector<uint64_t> zeros = {0, 0, 0};
  CHECK(chaff::ShingleHash(zeros.data(), 1) != chaff::ShingleHash(zeros.data(), 2));
}
