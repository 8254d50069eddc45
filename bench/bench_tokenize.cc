// Tokenize + hash and shingling throughput, in bytes of source text per
// second, per document of the corpus (see bench_corpus.h), on every target.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench_corpus.h"
#include "chaff/sketch/shingle.h"
#include "chaff/text/tokenize.h"

namespace {

using chaff_bench::GetCorpus;

void BM_TokenizeHash(benchmark::State& state, int64_t target) {
  const auto& corpus = GetCorpus();
  chaff_bench::ScopedTarget scoped(target);
  chaff::Tokens tokens;
  size_t count = 0;
  for (auto _ : state) {
    for (const std::string& doc : corpus.docs) {
      chaff::Tokenize(doc, chaff::kDefaultTokenSeed, &tokens);
      count += tokens.size();
      benchmark::DoNotOptimize(tokens.hashes.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetItemsProcessed(static_cast<int64_t>(count));
  state.SetLabel(corpus.source);
}

void BM_TokenizeHashScalarReference(benchmark::State& state) {
  const auto& corpus = GetCorpus();
  chaff::Tokens tokens;
  for (auto _ : state) {
    for (const std::string& doc : corpus.docs) {
      chaff::TokenizeScalar(doc, chaff::kDefaultTokenSeed, &tokens);
      benchmark::DoNotOptimize(tokens.hashes.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetLabel(corpus.source);
}
BENCHMARK(BM_TokenizeHashScalarReference)->Unit(benchmark::kMillisecond);

// Shingling alone (scalar, target independent): token hashes precomputed.
void BM_Shingle(benchmark::State& state) {
  const auto& corpus = GetCorpus();
  std::vector<std::vector<uint64_t>> token_hashes;
  chaff::Tokens tokens;
  for (const std::string& doc : corpus.docs) {
    chaff::Tokenize(doc, chaff::kDefaultTokenSeed, &tokens);
    token_hashes.push_back(tokens.hashes);
  }
  std::vector<uint64_t> shingles;
  for (auto _ : state) {
    for (const auto& t : token_hashes) {
      chaff::Shingles(t.data(), t.size(), static_cast<int>(state.range(0)), &shingles);
      benchmark::DoNotOptimize(shingles.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetLabel(corpus.source);
}
BENCHMARK(BM_Shingle)->Arg(5)->Unit(benchmark::kMillisecond);

const int kRegistered = [] {
  for (int64_t t : chaff_bench::BenchTargets()) {
    benchmark::RegisterBenchmark(
        (std::string("BM_TokenizeHash/") + hwy::TargetName(t)).c_str(),
        BM_TokenizeHash, t)
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

}  // namespace
