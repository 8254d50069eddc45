// LSH and clustering costs, separate from sketching (bench_minhash.cc):
// band selection, band keys, the verification estimate, deciding N
// documents' sketches (stars in input order, or union-find components), and
// the dedupe sketch on one and two threads. Fixed seeds; throughput in
// documents (or bytes) per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "bench_corpus.h"
#include "chaff/corpus/dedupe.h"
#include "chaff/sketch/lsh.h"

namespace {

void BM_OptimalLshParams(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto p = chaff::OptimalLshParams(0.8, k, chaff::kDefaultDedupeLshWeights);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_OptimalLshParams)->Arg(128)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

void BM_BandKeys(benchmark::State& state) {
  std::mt19937 rng(1);
  std::vector<uint32_t> sig(256);
  for (auto& x : sig) x = static_cast<uint32_t>(rng());
  std::vector<uint32_t> keys(25);
  for (auto _ : state) {
    chaff::BandKeys(sig.data(), chaff::LshParams{25, 10}, keys.data());
    benchmark::DoNotOptimize(keys.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BandKeys);

void BM_EstimateLowBytes(benchmark::State& state) {
  std::vector<uint8_t> a(256), b(256);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<uint8_t>(i * 7);
    b[i] = static_cast<uint8_t>(i % 3 ? i * 7 : i);
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(chaff::EstimateJaccardFromLowBytes(a.data(), b.data(), 256));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EstimateLowBytes);

// N synthetic sketches under the default options, 10% of them exact or
// near copies of an earlier one (a near copy differs in 20 of 256 lanes):
// the low bytes of the lanes and the band keys, document after document.
struct SyntheticSketches {
  chaff::DedupeOptions options;
  size_t k = 0;
  size_t bands = 0;
  std::vector<uint8_t> lanes;
  std::vector<uint32_t> keys;

  explicit SyntheticSketches(size_t n)
      : options(*chaff::ResolveDedupeOptions(chaff::DedupeOptions())),
        k(static_cast<size_t>(options.num_hashes)),
        bands(static_cast<size_t>(options.lsh.bands)),
        lanes(n * k),
        keys(n * bands) {
    std::mt19937_64 rng(7);
    std::vector<std::vector<uint32_t>> sigs(n, std::vector<uint32_t>(k));
    for (size_t i = 0; i < n; ++i) {
      if (i > 0 && rng() % 10 == 0) {
        sigs[i] = sigs[rng() % i];
        for (int c = 0; c < 20; ++c) sigs[i][rng() % k] = static_cast<uint32_t>(rng());
      } else {
        for (auto& x : sigs[i]) x = static_cast<uint32_t>(rng());
      }
      for (size_t j = 0; j < k; ++j) lanes[i * k + j] = static_cast<uint8_t>(sigs[i][j]);
      chaff::BandKeys(sigs[i].data(), options.lsh, keys.data() + i * bands);
    }
  }
  const uint8_t* Lanes(size_t i) const { return lanes.data() + i * k; }
  const uint32_t* Keys(size_t i) const { return keys.data() + i * bands; }
};

// Connected components (DedupeIndex, `--no-split-chains`) of N sketches.
void BM_Cluster(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const SyntheticSketches s(n);
  for (auto _ : state) {
    chaff::DedupeIndex index(s.options);
    for (size_t i = 0; i < n; ++i) {
      auto added = index.Add(s.Lanes(i), s.Keys(i), false, nullptr);
      benchmark::DoNotOptimize(added);
    }
    auto result = index.Cluster();
    benchmark::DoNotOptimize(result.removed);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_Cluster)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// Stars decided in input order (StarDeduper, what `chaff dedupe` runs by
// default) of N sketches, the tables sized up front and the next
// documents' table lines prefetched, as DedupeCorpus does.
void BM_StarDeduper(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const SyntheticSketches s(n);
  for (auto _ : state) {
    chaff::StarDeduper stars(s.options);
    if (!stars.Reserve(n).ok()) state.SkipWithError("cannot allocate the tables");
    for (size_t i = 0; i < n; ++i) {
      if (i + 2 < n) stars.Prefetch(s.Keys(i + 2));
      auto d = stars.Add(s.Lanes(i), s.Keys(i), false, nullptr);
      benchmark::DoNotOptimize(d);
    }
    auto result = stars.Finish();
    benchmark::DoNotOptimize(result.removed);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_StarDeduper)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// What `chaff dedupe` does per document before deciding (tokenize, shingle,
// one-permutation MinHash K = 256, band keys), on the best target, over
// `copies` copies of the corpus held in memory (1: 5 MB, which the caches
// hold; 10: 50 MB, which comes from DRAM, as in a run over the 55.7 MB
// benchmark corpus), on one and on two threads, each thread taking every
// other document. bytes/s is both threads' bytes over wall time, so 2
// threads / 1 thread is how far this machine's cores scale the sketching
// itself.
const std::vector<std::string>& CorpusCopies(size_t copies) {
  static std::map<size_t, std::vector<std::string>> cache;
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  auto& docs = cache[copies];
  if (docs.empty()) {
    for (size_t c = 0; c < copies; ++c) {
      for (const std::string& d : chaff_bench::GetCorpus().docs) docs.push_back(d);
    }
  }
  return docs;
}

void BM_DedupeSketch(benchmark::State& state) {
  const auto& docs = CorpusCopies(static_cast<size_t>(state.range(0)));
  const chaff::DedupeOptions options = *chaff::ResolveDedupeOptions(chaff::DedupeOptions());
  const chaff::DedupeSketcher sketcher(options);
  chaff::DedupeSketcher::Scratch scratch;
  chaff::DocumentSketch sketch;
  const auto step = static_cast<size_t>(state.threads());
  size_t bytes = 0;
  for (size_t i = static_cast<size_t>(state.thread_index()); i < docs.size(); i += step) {
    bytes += docs[i].size();
  }
  for (auto _ : state) {
    for (size_t i = static_cast<size_t>(state.thread_index()); i < docs.size(); i += step) {
      sketcher.Sketch(docs[i], &scratch, &sketch);
      benchmark::DoNotOptimize(sketch.band_keys.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetLabel(chaff_bench::GetCorpus().source);
}
BENCHMARK(BM_DedupeSketch)
    ->ArgName("copies")
    ->Arg(1)
    ->Arg(10)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
