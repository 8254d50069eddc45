#include "chaff/corpus/dedupe.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "chaff/sketch/exact_jaccard.h"
#include "test_util.h"

using chaff_test::Word;

namespace {

// A pseudo-random text of `words` words from a 20,000-word vocabulary.
std::string RandomText(std::mt19937_64* rng, int words) {
  std::string s;
  for (int i = 0; i < words; ++i) {
    if (i > 0) s += (i % 17 == 0) ? "\n" : " ";
    s += Word((*rng)() % 20000);
  }
  return s;
}

// `text` with about `rate` of its words replaced.
std::string Mutate(const std::string& text, double rate, std::mt19937_64* rng) {
  std::string out;
  size_t i = 0;
  std::uniform_real_distribution<double> u(0, 1);
  while (i < text.size()) {
    size_t j = text.find_first_of(" \n", i);
    if (j == std::string::npos) j = text.size();
    if (u(*rng) < rate) {
      out += "x" + Word((*rng)() % 1000000);
    } else {
      out.append(text, i, j - i);
    }
    if (j < text.size()) out += text[j];
    i = j + 1;
  }
  return out;
}

std::vector<std::string_view> Views(const std::vector<std::string>& v) {
  return std::vector<std::string_view>(v.begin(), v.end());
}

// A corpus with planted clusters: sources, near copies at various edit
// rates (placed later), exact copies and empty documents.
std::vector<std::string> PlantedCorpus(int sources, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> docs;
  for (int i = 0; i < sources; ++i) {
    docs.push_back(RandomText(&rng, 150 + static_cast<int>(rng() % 300)));
    if (i % 3 == 0 && i > 0) {
      const auto& src = docs[rng() % docs.size()];
      docs.push_back(Mutate(src, 0.002 * static_cast<double>(rng() % 30), &rng));
    }
    if (i % 11 == 0) docs.push_back(docs[rng() % docs.size()]);
    if (i % 50 == 0) docs.push_back("");
  }
  return docs;
}

chaff::DedupeOptions Options(int threads) {
  chaff::DedupeOptions o;
  o.threads = threads;
  o.batch_bytes = 4096;  // many batches, so thread interleaving matters
  o.record_edges = true;
  return o;
}

}  // namespace

TEST_CASE("dedupe: low-byte estimate", "[dedupe]") {
  std::vector<uint8_t> a(256), b(256);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<uint8_t>(i);
    b[i] = static_cast<uint8_t>(i + 1);
  }
  CHECK(chaff::EstimateJaccardFromLowBytes(a.data(), a.data(), 256) == 1.0);
  CHECK(chaff::EstimateJaccardFromLowBytes(a.data(), b.data(), 256) == 0.0);
  for (size_t i = 0; i < 128; ++i) b[i] = a[i];
  // Half equal: (0.5 - 1/256) / (1 - 1/256).
  CHECK(chaff::EstimateJaccardFromLowBytes(a.data(), b.data(), 256) ==
        Approx((0.5 - 1.0 / 256) / (1 - 1.0 / 256)));
}

TEST_CASE("dedupe: options are checked and bands chosen", "[dedupe]") {
  chaff::DedupeOptions o;
  auto r = chaff::ResolveDedupeOptions(o);
  REQUIRE(r.ok());
  CHECK(r->lsh.bands == 25);
  CHECK(r->lsh.rows == 10);
  CHECK(r->threads >= 1);
  o.lsh = chaff::LshParams{30, 10};
  r = chaff::ResolveDedupeOptions(o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("--bands/--rows") != std::string::npos);
  o = chaff::DedupeOptions();
  o.threshold = 1.5;
  CHECK_FALSE(chaff::ResolveDedupeOptions(o).ok());
}

TEST_CASE("dedupe: clusters a small corpus, first document kept", "[dedupe]") {
  std::mt19937_64 rng(1);
  const std::string a = RandomText(&rng, 400);
  const std::string b = RandomText(&rng, 400);
  std::vector<std::string> docs = {
      a,                        // 0 kept
      a.substr(0, a.size() / 2) + " changed" + a.substr(a.size() / 2),  // 1 near 0
      b,                        // 2 kept
      b,                        // 3 exact copy of 2
      "",                       // 4 empty: never a duplicate
      "",                       // 5 empty: not a duplicate of 4 either
      a + "\n",                 // 6 same words as 0
      RandomText(&rng, 400),    // 7 unrelated
  };
  for (bool exact : {false, true}) {
    INFO("exact = " << exact);
    auto opts = Options(2);
    opts.exact = exact;
    auto res = chaff::DedupeTexts(Views(docs), opts);
    REQUIRE(res.ok());
    CHECK(res->representative == std::vector<uint32_t>{0, 0, 2, 2, 4, 5, 0, 7});
    CHECK(res->removed == 3);
    CHECK(res->duplicate_clusters == 2);
    CHECK(res->empty_documents == 2);
    CHECK(res->similarity[3] == 1.0f);
    CHECK(res->similarity[1] > 0.8f);
    CHECK(res->similarity[1] < 1.0f);
    CHECK(res->Kept(7));
    CHECK_FALSE(res->Kept(6));
  }
}

TEST_CASE("dedupe: chained clusters are split into stars", "[dedupe]") {
  std::mt19937_64 rng(9);
  std::vector<std::string> words;
  for (int i = 0; i < 300; ++i) words.push_back(Word(rng() % 1000000));
  auto join = [](const std::vector<std::string>& w) {
    std::string s;
    for (const auto& x : w) s += x + " ";
    return s;
  };
  // B replaces 15 words of A, C 15 more: exact J(A,B) = J(B,C) = 277/315 =
  // 0.879 but J(A,C) = 258/334 = 0.772, below the threshold.
  std::vector<std::string> b = words, c;
  for (int i = 50; i < 65; ++i) b[static_cast<size_t>(i)] = "b" + Word(static_cast<uint64_t>(i));
  c = b;
  for (int i = 200; i < 215; ++i) c[static_cast<size_t>(i)] = "c" + Word(static_cast<uint64_t>(i));
  const std::vector<std::string> docs = {join(words), join(b), join(c)};
  auto opts = Options(1);
  opts.exact = true;  // exact similarities make the expectation exact
  opts.split_chains = false;
  auto components = chaff::DedupeTexts(Views(docs), opts);
  REQUIRE(components.ok());
  CHECK(components->representative == std::vector<uint32_t>{0, 0, 0});
  CHECK(components->similarity[2] == Approx(258.0 / 334).epsilon(1e-6));
  opts.split_chains = true;
  auto stars = chaff::DedupeTexts(Views(docs), opts);
  REQUIRE(stars.ok());
  CHECK(stars->representative == std::vector<uint32_t>{0, 0, 2});
  CHECK(stars->similarity[1] == Approx(277.0 / 315).epsilon(1e-6));
  CHECK(stars->removed == 1);
  CHECK(stars->duplicate_clusters == 1);
}

TEST_CASE("dedupe: identical output at any thread count", "[dedupe]") {
  const auto docs = PlantedCorpus(600, 42);
  const bool split = GENERATE(false, true);
  INFO("split_chains = " << split);
  auto options = [&](int threads) {
    auto o = Options(threads);
    o.split_chains = split;
    return o;
  };
  auto base = chaff::DedupeTexts(Views(docs), options(1));
  REQUIRE(base.ok());
  CHECK(base->removed > 50);  // the corpus has duplicates to find
  for (int threads : {2, 3, 8}) {
    INFO("threads = " << threads);
    auto res = chaff::DedupeTexts(Views(docs), options(threads));
    REQUIRE(res.ok());
    CHECK(res->representative == base->representative);
    CHECK(res->similarity == base->similarity);
    REQUIRE(res->edges.size() == base->edges.size());
    for (size_t i = 0; i < res->edges.size(); ++i) {
      CHECK(res->edges[i].a == base->edges[i].a);
      CHECK(res->edges[i].b == base->edges[i].b);
    }
  }
}

TEST_CASE("dedupe: agrees with the exact reference on planted pairs", "[dedupe]") {
  const auto docs = PlantedCorpus(900, 7);
  std::vector<std::vector<uint64_t>> sets(docs.size());
  chaff::Tokens tokens;
  for (size_t i = 0; i < docs.size(); ++i) {
    chaff::ShingleSet(docs[i], 5, chaff::kDefaultTokenSeed, &tokens, &sets[i]);
  }
  auto truth = chaff::AllPairsAboveThreshold(sets, 0.85);
  REQUIRE(truth.ok());
  REQUIRE(truth->size() > 100);
  const double n = static_cast<double>(truth->size());
  // Whole components: both documents of a true pair end in one cluster.
  auto opts = Options(2);
  opts.split_chains = false;
  auto res = chaff::DedupeTexts(Views(docs), opts);
  REQUIRE(res.ok());
  size_t found = 0;
  for (const auto& p : *truth) found += res->representative[p.a] == res->representative[p.b];
  CHECK(static_cast<double>(found) / n >= 0.99);
  for (const auto& e : res->edges) {
    CHECK(chaff::ExactJaccard(sets[e.a], sets[e.b]) >= 0.7);
  }
  // Stars (the default): at most one document of a true pair is kept, and
  // every removed document is close to the one kept in its place.
  res = chaff::DedupeTexts(Views(docs), Options(2));
  REQUIRE(res.ok());
  size_t resolved = 0;
  for (const auto& p : *truth) resolved += !(res->Kept(p.a) && res->Kept(p.b));
  CHECK(static_cast<double>(resolved) / n >= 0.99);
  for (uint32_t i = 0; i < docs.size(); ++i) {
    if (res->Kept(i)) continue;
    CHECK(chaff::ExactJaccard(sets[res->representative[i]], sets[i]) >= 0.7);
    CHECK(res->similarity[i] >= 0.8f);
  }
}

TEST_CASE("dedupe: stars are what their definition says, decided in input order",
          "[dedupe]") {
  // The definition, by brute force over the sketches: a document is a
  // duplicate of the first earlier kept document that shares a band key
  // with it and is similar (>= threshold) on the signature (with `exact`,
  // on exact shingle-set Jaccard); otherwise kept.
  const auto docs = PlantedCorpus(500, 17);
  const bool exact = GENERATE(false, true);
  INFO("exact " << exact);
  auto base_options = Options(1);
  base_options.exact = exact;
  auto resolved = chaff::ResolveDedupeOptions(base_options);
  REQUIRE(resolved.ok());
  const chaff::DedupeOptions& o = *resolved;
  const chaff::DedupeSketcher sketcher(o);
  chaff::DedupeSketcher::Scratch scratch;
  std::vector<chaff::DocumentSketch> sketches(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) sketcher.Sketch(docs[i], &scratch, &sketches[i]);
  std::vector<uint32_t> rep(docs.size());
  std::vector<uint32_t> kept;
  for (uint32_t i = 0; i < docs.size(); ++i) {
    rep[i] = i;
    if (sketches[i].empty) continue;
    for (uint32_t j : kept) {
      bool shares = false;
      for (size_t b = 0; b < sketches[i].band_keys.size(); ++b) {
        shares |= sketches[i].band_keys[b] == sketches[j].band_keys[b];
      }
      const double similarity =
          exact ? chaff::ExactJaccard(sketches[i].shingles, sketches[j].shingles)
                : chaff::EstimateJaccardFromLowBytes(sketches[i].lanes.data(),
                                                     sketches[j].lanes.data(), o.num_hashes);
      if (shares && similarity >= o.threshold) {
        rep[i] = j;
        break;
      }
    }
    if (rep[i] == i) kept.push_back(i);
  }
  REQUIRE(kept.size() < docs.size() - 50);  // there are duplicates to find
  for (int threads : {1, 3}) {
    // Sizes far off (1 TB) must neither fail nor claim the memory they suggest.
    for (uint64_t hint : {uint64_t{0}, uint64_t{1} << 20, uint64_t{1} << 30, uint64_t{1} << 40}) {
      INFO("threads " << threads << ", size hint " << hint);
      auto opts = Options(threads);
      opts.exact = exact;
      opts.input_bytes_hint = hint;  // tables sized up front or grown: same answer
      auto res = chaff::DedupeTexts(Views(docs), opts);
      REQUIRE(res.ok());
      CHECK(res->representative == rep);
      CHECK(res->removed == docs.size() - kept.size() -
                                static_cast<size_t>(std::count_if(
                                    sketches.begin(), sketches.end(),
                                    [](const chaff::DocumentSketch& d) { return d.empty; })));
    }
  }
  // The deduper on its own, fed the same sketches, agrees document by
  // document as it goes.
  chaff::StarDeduper stars(o);
  for (uint32_t i = 0; i < docs.size(); ++i) {
    std::vector<uint64_t> shingles = sketches[i].shingles;  // moved out when kept
    auto d = stars.Add(sketches[i].lanes.data(), sketches[i].band_keys.data(),
                       sketches[i].empty, &shingles);
    REQUIRE(d.ok());
    CHECK(d->index == i);
    CHECK(d->representative == rep[i]);
  }
  CHECK(stars.Finish().representative == rep);
}

TEST_CASE("exact: all pairs by prefix filter equal brute force", "[dedupe][exact]") {
  std::mt19937_64 rng(3);
  std::vector<std::vector<uint64_t>> sets;
  // Clusters of overlapping sets over a small universe, plus empty sets.
  for (int c = 0; c < 40; ++c) {
    std::vector<uint64_t> base;
    const size_t n = 5 + rng() % 60;
    for (size_t i = 0; i < n; ++i) base.push_back(rng() % 3000);
    for (int v = 0; v < 4; ++v) {
      std::vector<uint64_t> s = base;
      for (auto& x : s) {
        if (rng() % 10 == 0) x = rng() % 3000;
      }
      if (v == 3 && c % 5 == 0) s.clear();
      std::sort(s.begin(), s.end());
      s.erase(std::unique(s.begin(), s.end()), s.end());
      sets.push_back(s);
    }
  }
  for (double t : {0.3, 0.5, 0.7, 0.85, 1.0}) {
    INFO("t = " << t);
    std::vector<std::pair<uint32_t, uint32_t>> brute;
    for (uint32_t a = 0; a < sets.size(); ++a) {
      for (uint32_t b = a + 1; b < sets.size(); ++b) {
        if (chaff::ExactJaccard(sets[a], sets[b]) >= t) brute.emplace_back(a, b);
      }
    }
    auto got = chaff::AllPairsAboveThreshold(sets, t);
    REQUIRE(got.ok());
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    for (const auto& p : *got) {
      pairs.emplace_back(p.a, p.b);
      CHECK(p.jaccard == chaff::ExactJaccard(sets[p.a], sets[p.b]));
    }
    CHECK(pairs == brute);
    if (t <= 0.5) CHECK(!brute.empty());
  }
  CHECK_FALSE(chaff::AllPairsAboveThreshold(sets, 0.0).ok());
  CHECK(chaff::ExactJaccard({}, {}) == 0.0);
  CHECK(chaff::ExactJaccard({1, 2, 3}, {2, 3, 4}) == 0.5);
}
