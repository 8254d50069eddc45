// Segmentation throughput (memchr-bound).
#include <benchmark/benchmark.h>

#include <string>

#include "chaff/text/segment.h"

namespace {

std::string MakeText(size_t bytes) {
  std::string s;
  uint64_t x = 12345;
  while (s.size() < bytes) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const size_t len = 20 + (x >> 33) % 200;
    s.append(len, 'a');
    s.append((x >> 20) % 5 == 0 ? "\n\n" : "\n");
  }
  return s;
}

void BM_SegmentLines(benchmark::State& state) {
  const std::string text = MakeText(1 << 22);
  std::vector<chaff::Line> lines;
  for (auto _ : state) {
    chaff::SegmentLines(text, &lines);
    benchmark::DoNotOptimize(lines.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_SegmentLines);

}  // namespace
