// The learned line model: tree inference against a plain descent of every
// tree (on every SIMD target), model files (what is accepted and what is
// refused), the built-in model, the features' shape, and the decoding on
// pages whose structure is clear (content kept, furniture removed, a
// headline kept across a byline).
#include "chaff/detect/line_model.h"

#include <xxhash.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "chaff/detect/clean.h"
#include "detect/line_features.h"
#include "detect/line_model_data.h"
#include "detect/tree_ensemble.h"
#include "detect/tree_ensemble_internal.h"
#include "hwy_target_loop.h"

namespace {

using chaff::internal::TreeEnsemble;
using Node = TreeEnsemble::ExportedNode;

// A deterministic generator (splitmix64).
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

// A random tree of `leaves` leaves over `features` features: splits grow
// from random leaves, so depths vary as in leaf-wise boosting.
std::vector<Node> RandomTree(Rng* rng, int leaves, int features) {
  std::vector<Node> nodes{{-1, 0.0, -1, -1, rng->Uniform() - 0.5}};
  std::vector<int> open{0};
  while (static_cast<int>(open.size()) < leaves) {
    const size_t pick = rng->Next() % open.size();
    const int n = open[pick];
    open.erase(open.begin() + static_cast<long>(pick));
    const auto left = static_cast<int32_t>(nodes.size());
    nodes.push_back({-1, 0.0, -1, -1, rng->Uniform() - 0.5});
    nodes.push_back({-1, 0.0, -1, -1, rng->Uniform() - 0.5});
    // Thresholds on a coarse grid, so that rows often equal them.
    nodes[static_cast<size_t>(n)] = {static_cast<int32_t>(rng->Next() % features),
                                     std::floor(rng->Uniform() * 8) / 4, left, left + 1, 0.0};
    open.push_back(left);
    open.push_back(left + 1);
  }
  return nodes;
}

}  // namespace

TEST_CASE("line model: trees give what a descent of each tree gives", "[lines]") {
  CHAFF_FOR_EACH_TARGET(target);
  Rng rng{42};
  const int features = 7;
  std::vector<std::vector<Node>> trees;
  for (int t = 0; t < 40; ++t) trees.push_back(RandomTree(&rng, 1 + t % 32, features));
  auto e = TreeEnsemble::FromExported(0.25, features, trees);
  REQUIRE(e.ok());
  for (size_t rows : {1, 7, 16, 17, 100}) {
    const size_t stride = TreeEnsemble::RoundUpRows(rows);
    std::vector<float> columns(features * stride, 0.0f);
    for (size_t c = 0; c < static_cast<size_t>(features); ++c) {
      for (size_t r = 0; r < rows; ++r) {
        // Values on the thresholds' grid, between them, and beyond.
        columns[c * stride + r] = static_cast<float>(std::floor(rng.Uniform() * 24 - 4) / 8);
      }
    }
    std::vector<double> fast(rows), slow(rows);
    e->PredictRaw(columns.data(), stride, rows, fast.data());
    e->PredictRawReference(columns.data(), stride, rows, slow.data());
    for (size_t r = 0; r < rows; ++r) CHECK(fast[r] == slow[r]);
  }
}

TEST_CASE("line model: the tree kernel equals its scalar reference", "[lines]") {
  CHAFF_FOR_EACH_TARGET(target);
  Rng rng{7};
  const size_t stride = 80, features = 5, trees = 9;
  std::vector<float> columns(features * stride);
  for (auto& x : columns) x = static_cast<float>(rng.Uniform());
  std::vector<int32_t> feature;
  std::vector<float> threshold;
  std::vector<uint32_t> mask, split_end, leaf_begin;
  std::vector<double> leaves;
  for (size_t t = 0; t < trees; ++t) {
    for (size_t s = 0; s < 1 + t * 7 % 31; ++s) {
      feature.push_back(static_cast<int32_t>(rng.Next() % features));
      threshold.push_back(s % 5 == 0 ? columns[s] : static_cast<float>(rng.Uniform()));  // ties
      // The last leaf always survives, as a tree's exit leaf does.
      mask.push_back(static_cast<uint32_t>(rng.Next()) | 0x80000000u);
    }
    split_end.push_back(static_cast<uint32_t>(feature.size()));
    leaf_begin.push_back(static_cast<uint32_t>(leaves.size()));
    for (size_t l = 0; l < 32; ++l) leaves.push_back(rng.Uniform() - 0.5);
  }
  const chaff::internal::TreeArrays arrays{feature.data(),    threshold.data(),
                                           mask.data(),       split_end.data(),
                                           leaf_begin.data(), leaves.data(),
                                           leaves.data(),     trees,
                                           features,          0.125};
  for (size_t rows : {16, 32, 48, 80}) {
    std::vector<double> a(rows), b(rows);
    chaff::internal::PredictTreesSimd(arrays, columns.data(), stride, rows, a.data());
    chaff::internal::PredictTreesScalar(arrays, columns.data(), stride, rows, b.data());
    CHECK(a == b);
  }
}

TEST_CASE("line model: a double threshold is honoured on floats", "[lines]") {
  // 0.1 is not a float: rows at the float nearest below and above it must
  // go as sklearn sends them (x <= 0.1 left, else right).
  const double t = 0.1;
  const float below = std::nextafter(static_cast<float>(t), 0.0f);
  const float above = std::nextafter(static_cast<float>(t), 1.0f);
  const float nearest = static_cast<float>(t);  // > 0.1 as a double
  REQUIRE(static_cast<double>(nearest) > t);
  std::vector<std::vector<Node>> trees{{{0, t, 1, 2, 0.0}, {-1, 0, -1, -1, -1.0},
                                        {-1, 0, -1, -1, 1.0}}};
  auto e = TreeEnsemble::FromExported(0.0, 1, trees);
  REQUIRE(e.ok());
  std::vector<float> x(16, 0.0f);
  x[0] = below;
  x[1] = nearest;
  x[2] = above;
  std::vector<double> raw(3);
  e->PredictRaw(x.data(), 16, 3, raw.data());
  CHECK(raw == std::vector<double>{-1.0, 1.0, 1.0});
}

TEST_CASE("line model: malformed trees and model files are refused", "[lines]") {
  std::vector<std::vector<Node>> cycle{{{0, 0.5, 0, 1, 0}, {-1, 0, -1, -1, 1}}};
  CHECK_FALSE(TreeEnsemble::FromExported(0, 1, cycle).ok());
  std::vector<std::vector<Node>> range{{{3, 0.5, 1, 2, 0}, {-1, 0, -1, -1, 1},
                                        {-1, 0, -1, -1, 1}}};
  CHECK_FALSE(TreeEnsemble::FromExported(0, 2, range).ok());
  Rng rng{1};
  CHECK_FALSE(TreeEnsemble::FromExported(0, 2, {RandomTree(&rng, 33, 2)}).ok());

  auto bad = chaff::LineModel::FromJson("{\"format\":\"other\"}", "m.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "m.json: not a chaff line model (chaff-line-model-v1)");
  CHECK(chaff::LineModel::FromJson("not json", "m.json").status().message() ==
        "m.json: not valid JSON");
  auto other_features = chaff::LineModel::FromJson(
      "{\"format\":\"chaff-line-model-v1\",\"features\":[\"nch\",\"colour\"]}", "m.json");
  REQUIRE_FALSE(other_features.ok());
  CHECK(other_features.status().message().find("retrain it") != std::string::npos);
  CHECK(chaff::LineModel::Load("/nonexistent/model.json").status().code() ==
        chaff::StatusCode::kNotFound);
}

TEST_CASE("line model: the built-in model is the generated file, and loads", "[lines]") {
  // tools/train/train_line_model.py --final regenerates
  // src/detect/line_model_data.cc; retraining changes this checksum, which
  // must then be updated here (the script's training data and code are
  // what make the model, and a change of either should be seen).
  const std::string_view json = chaff::internal::DefaultLineModelJson();
  INFO("XXH3 of the built-in model: " << XXH3_64bits(json.data(), json.size()));
  CHECK(XXH3_64bits(json.data(), json.size()) == 0x6e6e7018205ad247ULL);
  const auto model = chaff::LineModel::Default();
  REQUIRE(model != nullptr);
  CHECK(model->Describe().find("trees") != std::string::npos);
  // The same text through the loader: the same model.
  auto again = chaff::LineModel::FromJson(json, "copy");
  REQUIRE(again.ok());
}

TEST_CASE("line model: every non-blank line gets the features, in columns", "[lines]") {
  const std::string text = "A heading\n\nfirst paragraph of words here.\n\n\nlast line";
  const chaff::Document doc(text);
  chaff::internal::LineFeatureMatrix m;
  chaff::internal::ComputeLineFeatures(doc, &m, 5);
  CHECK(m.rows == 3);
  CHECK(m.cols == chaff::internal::LineFeatureNames().size());
  CHECK(m.columns == m.cols + 5);
  CHECK(m.stride == 16);
  CHECK(m.line == std::vector<uint32_t>{0, 2, 5});
  CHECK(m.words == std::vector<uint32_t>{2, 5, 2});
  CHECK(m.at(1, 1) == 5.0f);  // nw of the paragraph
  CHECK(m.at(2, 1) == 2.0f);
}

TEST_CASE("line model: an article is kept, its furniture removed, its headline kept",
          "[lines]") {
  std::string page =
      "Home\nNews\nSport\nWeather\nSign in\n\n"
      "Council approves the new bridge over the river Avon\n"
      "By a staff reporter\n"
      "12 March 2024\n\n";
  const char* paragraphs[] = {
      "The city council approved the new bridge over the river Avon on Tuesday, after "
      "a debate that lasted most of the afternoon and ended with a clear majority.",
      "Engineers expect the work to start in the spring and to take two years, during "
      "which the old crossing will stay open to pedestrians and cyclists.",
      "Residents who had opposed the plan said they would keep watching the costs, "
      "which have already risen twice since the first design was published.",
      "The mayor said the bridge would link two neighbourhoods that have been cut off "
      "from each other since the old bridge was closed to traffic in 2019."};
  for (const char* p : paragraphs) page += std::string(p) + "\n\n";
  page += "Share this article\nFacebook\nTwitter\nEmail\n\nMost read\n"
          "Five things to do this weekend\nTraffic news for the ring road\n"
          "(c) 2024 Example News. All rights reserved.\n";
  const chaff::Cleaner cleaner{chaff::CleanOptions()};
  chaff::CleanResult r;
  cleaner.Clean(page, &r);
  for (const char* p : paragraphs) CHECK(r.cleaned.find(p) != std::string::npos);
  CHECK(r.cleaned.find("Council approves the new bridge") != std::string::npos);
  for (const char* furniture : {"Sign in", "Share this article", "All rights reserved",
                                "Five things to do"}) {
    INFO(furniture);
    CHECK(r.cleaned.find(furniture) == std::string::npos);
  }
  CHECK(r.content_threshold > 0.0);
  // Every non-blank line has its probability; blank lines none.
  for (size_t i = 0; i < r.lines.size(); ++i) {
    CHECK((r.decisions[i].content >= 0) == !r.lines[i].blank);
  }
  // Switched off, the model keeps everything.
  chaff::CleanOptions off;
  off.lines.enabled = false;
  chaff::Cleaner(off).Clean(page, &r);
  CHECK(r.cleaned == page);
}
