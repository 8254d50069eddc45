// Chrome classifier throughput (features, smoothing, main segment) on real
// web pages when ../shared/data is present (ScrapingHub pages rendered as
// text, BBC articles), else on generated text with menus and paragraphs.
// Segmentation is done once outside the timed loop; a second row times the
// classifier with segmentation and the template-flag pass.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <string>
#include <vector>

#include "chaff/detect/chrome.h"
#include "chaff/text/segment.h"
#include "chaff/detect/templates.h"

namespace {

struct Corpus {
  std::vector<std::string> docs;
  std::vector<std::vector<chaff::Line>> lines;
  int64_t bytes = 0;
};

// Generated pages: a menu of short lines, paragraphs of prose, a footer.
std::vector<std::string> Generated() {
  static const char* const kWords[] = {
      "the", "council", "said", "that", "bridge", "would", "be", "built", "over",
      "river", "and", "of", "engineers", "design", "residents", "plan", "to", "a",
      "in", "new", "year", "work", "start", "spring", "after", "months"};
  std::vector<std::string> docs;
  uint64_t x = 42;
  auto next = [&x]() {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (int d = 0; d < 400; ++d) {
    std::string s;
    for (int i = 0; i < 25; ++i) s += std::string("Menu item ") + kWords[next() % 26] + "\n";
    for (int p = 0; p < 12; ++p) {
      const size_t n = 15 + next() % 50;
      for (size_t w = 0; w < n; ++w) {
        s += kWords[next() % 26];
        s += w + 1 == n ? ".\n\n" : " ";
      }
    }
    s += "Share\nFollow us\n(c) 2020 Example\n";
    docs.push_back(std::move(s));
  }
  return docs;
}

void LoadReal(std::vector<std::string>* docs, std::string* source) {
  const std::string dir = CHAFF_SHARED_DATA_DIR;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (!parser.load(dir + "/scrapinghub/plain-text.json").get(root)) {
    simdjson::dom::object output;
    if (!root["output"].get_object().get(output)) {
      for (auto [key, value] : output) {
        std::string_view body;
        if (!value["articleBody"].get(body)) docs->emplace_back(body);
      }
      *source = "scrapinghub";
    }
  }
  simdjson::padded_string jsonl;
  if (!simdjson::padded_string::load(dir + "/bbc/articles.jsonl").get(jsonl)) {
    simdjson::dom::parser many_parser;
    simdjson::dom::document_stream stream;
    if (!many_parser.parse_many(jsonl).get(stream)) {
      for (auto doc : stream) {
        std::string_view text;
        if (!doc["text"].get(text)) docs->emplace_back(text);
      }
      *source += source->empty() ? "bbc" : "+bbc";
    }
  }
}

const Corpus& GetCorpus() {
  static const Corpus* const kCorpus = [] {
    auto* c = new Corpus;
    std::string source;
    LoadReal(&c->docs, &source);
    if (c->docs.empty()) c->docs = Generated();
    for (const auto& d : c->docs) {
      c->lines.push_back(chaff::SegmentLines(d));
      c->bytes += static_cast<int64_t>(d.size());
    }
    return c;
  }();
  return *kCorpus;
}

void BM_ClassifyChrome(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  const chaff::ChromeOptions options;
  std::vector<chaff::LineDecision> decisions;
  for (auto _ : state) {
    for (size_t i = 0; i < c.docs.size(); ++i) {
      decisions.assign(c.lines[i].size(), chaff::LineDecision());
      chaff::ClassifyChrome(c.docs[i], c.lines[i], options, &decisions);
      benchmark::DoNotOptimize(decisions.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * c.bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(c.docs.size()));
}
BENCHMARK(BM_ClassifyChrome)->Unit(benchmark::kMillisecond);

void BM_SegmentAndClassifyChrome(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  const chaff::ChromeOptions options;
  std::vector<chaff::Line> lines;
  std::vector<chaff::LineDecision> decisions;
  for (auto _ : state) {
    for (const auto& d : c.docs) {
      chaff::SegmentLines(d, &lines);
      decisions.assign(lines.size(), chaff::LineDecision());
      chaff::ClassifyChrome(d, lines, options, &decisions);
      benchmark::DoNotOptimize(decisions.data());
    }
  }
  state.SetBytesProcessed(state.iterations() * c.bytes);
}
BENCHMARK(BM_SegmentAndClassifyChrome)->Unit(benchmark::kMillisecond);

// Pass 1 of template detection (normalize, hash and count every line).
void BM_TemplateCount(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    chaff::TemplateCounter counter{chaff::TemplateOptions()};
    for (const auto& d : c.docs) counter.AddDocument("site", d);
    benchmark::DoNotOptimize(counter.MemoryBytes());
  }
  state.SetBytesProcessed(state.iterations() * c.bytes);
}
BENCHMARK(BM_TemplateCount)->Unit(benchmark::kMillisecond);

}  // namespace
