// MinHash throughput in bytes of source text per second: shingles of every
// document precomputed, then one Sketch call per document, for K = 64, 128,
// 256 in both modes and on every compiled target; the same for short
// documents (each sentence of the corpus alone, a few shingles each) at K =
// 256 and 4096, where one-permutation sketches are mostly densification;
// plus the whole pipeline (tokenize + shingle + sketch) per document.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_corpus.h"
#include "chaff/sketch/minhash.h"
#include "chaff/sketch/shingle.h"
#include "chaff/text/tokenize.h"

namespace {

using chaff_bench::GetCorpus;

const std::vector<std::vector<uint64_t>>& CorpusShingles() {
  static const std::vector<std::vector<uint64_t>> all = [] {
    std::vector<std::vector<uint64_t>> out;
    chaff::Tokens tokens;
    std::vector<uint64_t> shingles;
    for (const std::string& doc : GetCorpus().docs) {
      chaff::Tokenize(doc, chaff::kDefaultTokenSeed, &tokens);
      chaff::Shingles(tokens.hashes.data(), tokens.size(), chaff::kDefaultShingleWidth,
                      &shingles);
      out.push_back(shingles);
    }
    return out;
  }();
  return all;
}

void BM_MinHash(benchmark::State& state, int64_t target, chaff::SketchMode mode, int k) {
  const auto& corpus = GetCorpus();
  const auto& shingles = CorpusShingles();
  chaff_bench::ScopedTarget scoped(target);
  const chaff::MinHasher hasher(k, mode);
  std::vector<uint32_t> sig(static_cast<size_t>(k));
  size_t count = 0;
  for (auto _ : state) {
    for (const auto& s : shingles) {
      hasher.Sketch(s.data(), s.size(), sig.data());
      benchmark::DoNotOptimize(sig.data());
      count += s.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(count));  // shingles
  state.SetLabel(corpus.source);
}

// Each sentence of the corpus (cut at ". " and at line ends) of at least one
// shingle, as its own document: one-sentence records, the case where most
// bins of a one-permutation sketch are empty.
struct ShortDocs {
  std::vector<std::vector<uint64_t>> shingles;
  size_t bytes = 0;
};

const ShortDocs& ShortDocShingles() {
  static const ShortDocs all = [] {
    ShortDocs out;
    chaff::Tokens tokens;
    std::vector<uint64_t> shingles;
    for (const std::string& doc : GetCorpus().docs) {
      size_t start = 0;
      while (start < doc.size()) {
        size_t end = doc.find_first_of(".\n", start);
        end = end == std::string::npos ? doc.size() : end + 1;
        const std::string_view sentence(doc.data() + start, end - start);
        start = end;
        chaff::Tokenize(sentence, chaff::kDefaultTokenSeed, &tokens);
        if (tokens.size() == 0) continue;
        chaff::Shingles(tokens.hashes.data(), tokens.size(), chaff::kDefaultShingleWidth,
                        &shingles);
        out.shingles.push_back(shingles);
        out.bytes += sentence.size();
      }
    }
    return out;
  }();
  return all;
}

void BM_MinHashShort(benchmark::State& state, int64_t target, chaff::SketchMode mode, int k) {
  const ShortDocs& docs = ShortDocShingles();
  chaff_bench::ScopedTarget scoped(target);
  const chaff::MinHasher hasher(k, mode);
  std::vector<uint32_t> sig(static_cast<size_t>(k));
  for (auto _ : state) {
    for (const auto& s : docs.shingles) {
      hasher.Sketch(s.data(), s.size(), sig.data());
      benchmark::DoNotOptimize(sig.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * docs.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * docs.shingles.size()));
  state.SetLabel(std::to_string(docs.shingles.size()) + " sentences of " +
                 GetCorpus().source);
}

void BM_MinHashScalarReference(benchmark::State& state) {
  const auto& corpus = GetCorpus();
  const auto& shingles = CorpusShingles();
  const chaff::MinHasher hasher(static_cast<int>(state.range(0)),
                                static_cast<chaff::SketchMode>(state.range(1)));
  std::vector<uint32_t> sig(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    for (const auto& s : shingles) {
      hasher.SketchScalar(s.data(), s.size(), sig.data());
      benchmark::DoNotOptimize(sig.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetLabel(corpus.source);
}
BENCHMARK(BM_MinHashScalarReference)
    ->ArgNames({"K", "mode"})
    ->Args({128, 0})
    ->Args({128, 1})
    ->Unit(benchmark::kMillisecond);

// Tokenize + shingle + sketch, per document, as the dedupe pass runs it.
void BM_Pipeline(benchmark::State& state, int64_t target, chaff::SketchMode mode) {
  const auto& corpus = GetCorpus();
  chaff_bench::ScopedTarget scoped(target);
  const chaff::MinHasher hasher(chaff::kDefaultNumHashes, mode);
  chaff::Tokens tokens;
  std::vector<uint64_t> shingles;
  std::vector<uint32_t> sig(chaff::kDefaultNumHashes);
  for (auto _ : state) {
    for (const std::string& doc : corpus.docs) {
      chaff::Tokenize(doc, chaff::kDefaultTokenSeed, &tokens);
      chaff::Shingles(tokens.hashes.data(), tokens.size(), chaff::kDefaultShingleWidth,
                      &shingles);
      hasher.Sketch(shingles.data(), shingles.size(), sig.data());
      benchmark::DoNotOptimize(sig.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetLabel(corpus.source);
}

const int kRegistered = [] {
  for (int64_t t : chaff_bench::BenchTargets()) {
    const std::string target = hwy::TargetName(t);
    for (int k : {64, 128, 256}) {
      benchmark::RegisterBenchmark(
          ("BM_MinHash/classic/K:" + std::to_string(k) + "/" + target).c_str(), BM_MinHash,
          t, chaff::SketchMode::kClassic, k)
          ->Unit(benchmark::kMillisecond);
    }
    for (int k : {64, 128, 256}) {
      benchmark::RegisterBenchmark(
          ("BM_MinHash/oph/K:" + std::to_string(k) + "/" + target).c_str(), BM_MinHash, t,
          chaff::SketchMode::kOnePermutation, k)
          ->Unit(benchmark::kMillisecond);
    }
    for (int k : {256, 4096}) {
      for (const auto mode : {chaff::SketchMode::kOnePermutation, chaff::SketchMode::kClassic}) {
        const std::string name = std::string("BM_MinHashShort/") +
                                 (mode == chaff::SketchMode::kClassic ? "classic" : "oph") +
                                 "/K:" + std::to_string(k) + "/" + target;
        benchmark::RegisterBenchmark(name.c_str(), BM_MinHashShort, t, mode, k)
            ->Unit(benchmark::kMillisecond);
      }
    }
    benchmark::RegisterBenchmark(("BM_Pipeline/classic/K:128/" + target).c_str(),
                                 BM_Pipeline, t, chaff::SketchMode::kClassic)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("BM_Pipeline/oph/K:128/" + target).c_str(), BM_Pipeline,
                                 t, chaff::SketchMode::kOnePermutation)
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

}  // namespace
