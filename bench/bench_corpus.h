// Benchmark input shared by the bench_*.cc files: the BBC articles from
// ../shared/data/bbc/articles.jsonl when present (one string per "text"
// field), else deterministic generated English-like text of similar size.
#ifndef CHAFF_BENCH_BENCH_CORPUS_H_
#define CHAFF_BENCH_BENCH_CORPUS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "hwy/targets.h"
#include "simd/scoped_target.h"

namespace chaff_bench {

struct Corpus {
  std::vector<std::string> docs;
  size_t bytes = 0;
  std::string source;
};

namespace detail {

inline Corpus Generate() {
  static const char* const kWords[] = {
      "the", "of", "and", "to", "in", "said", "government", "Minister", "market",
      "profits", "2004", "company's", "shares", "rose", "BBC", "a", "is", "that",
      "for", "on", "was", "with", "he", "it", "as", "at", "by", "new", "year",
      "people", "would", "been", "election", "Labour", "chancellor", "growth",
      "technology", "mobile", "phone", "music", "film", "football", "England"};
  constexpr size_t kNumWords = sizeof(kWords) / sizeof(kWords[0]);
  Corpus c;
  c.source = "generated (no ../shared/data/bbc/articles.jsonl)";
  uint64_t x = 0x243F6A8885A308D3ULL;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (int d = 0; d < 2225; ++d) {
    std::string doc;
    const size_t target = 1000 + next() % 3000;
    while (doc.size() < target) {
      doc += kWords[next() % kNumWords];
      const uint64_t r = next() % 20;
      doc += r == 0 ? ".\n\n" : r == 1 ? ", " : " ";
    }
    c.bytes += doc.size();
    c.docs.push_back(std::move(doc));
  }
  return c;
}

}  // namespace detail

// Loaded once per process.
inline const Corpus& GetCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    auto reader = chaff::LineReader::Open(std::string(CHAFF_SHARED_DATA_DIR) +
                                          "/bbc/articles.jsonl");
    chaff::JsonlParser parser;
    std::string_view line, text;
    while (reader.ok()) {
      auto more = (*reader)->Next(&line);
      if (!more.ok() || !*more) break;
      if (!parser.ParseText(line, "text", /*padded=*/true, &text).ok()) continue;
      c.bytes += text.size();
      c.docs.emplace_back(text);
    }
    if (c.docs.empty()) return detail::Generate();
    c.source = "bbc/articles.jsonl";
    return c;
  }();
  return corpus;
}

// Highway targets to run each SIMD benchmark on (compiled and supported).
inline std::vector<int64_t> BenchTargets() { return hwy::SupportedAndGeneratedTargets(); }

using ScopedTarget = chaff::internal::ScopedTarget;

}  // namespace chaff_bench

#endif  // CHAFF_BENCH_BENCH_CORPUS_H_
