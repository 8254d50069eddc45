// Throughput of the per-document stages of `chaff clean`, one core, on real
// web pages when ../shared/data is present (wcxb-dev: 1,497 pages of seven
// kinds, with their sites; else ScrapingHub pages), else on generated pages
// with menus and paragraphs. Bytes are bytes of page text.
//   BM_DocumentBuild    segmentation, tokenization, line identities
//   BM_FindRepeats      the repeat detector on a built Document
//   BM_LineFeatures     the line model's features of every line
//   BM_ClassifyLines    the line model: features, token table, trees, decoding
//   BM_LineTrees        the line model's trees alone, on features computed once
//   BM_TemplateCount    pass 1: counting line identities per site
//   BM_TemplateFlags    pass 2: template flags from the counts
//   BM_CleanDocument    Document + every detector + cleaned text
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <memory>
#include <string>
#include <vector>

#include "chaff/detect/line_model.h"
#include "chaff/detect/clean.h"
#include "chaff/detect/repeats.h"
#include "chaff/detect/templates.h"
#include "chaff/text/document.h"
#include "detect/line_features.h"
#include "detect/line_model_data.h"
#include "detect/tree_ensemble.h"

namespace {

struct Pages {
  std::vector<std::string> texts;
  std::vector<std::string> sites;
  std::vector<std::unique_ptr<chaff::Document>> docs;  // built once
  int64_t bytes = 0;
  std::string source;
};

// Generated pages: a menu of short lines, paragraphs of prose, a footer.
void Generate(Pages* p) {
  static const char* const kWords[] = {
      "the", "council", "said", "that", "bridge", "would", "be", "built", "over",
      "river", "and", "of", "engineers", "design", "residents", "plan", "to", "a",
      "in", "new", "year", "work", "start", "spring", "after", "months"};
  uint64_t x = 42;
  auto next = [&x]() {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (int d = 0; d < 400; ++d) {
    std::string s;
    for (int i = 0; i < 25; ++i) s += std::string("Menu item ") + kWords[next() % 26] + "\n";
    for (int q = 0; q < 12; ++q) {
      const size_t n = 15 + next() % 50;
      for (size_t w = 0; w < n; ++w) {
        s += kWords[next() % 26];
        s += w + 1 == n ? ".\n\n" : " ";
      }
    }
    s += "Share\nFollow us\n(c) 2020 Example\n";
    p->texts.push_back(std::move(s));
    p->sites.push_back("site" + std::to_string(d % 8));
  }
  p->source = "generated";
}

bool LoadWcxb(Pages* p) {
  simdjson::padded_string jsonl;
  const std::string path = std::string(CHAFF_SHARED_DATA_DIR) + "/wcxb-dev/inputs.jsonl";
  if (simdjson::padded_string::load(path).get(jsonl)) return false;
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  if (parser.parse_many(jsonl).get(stream)) return false;
  for (auto doc : stream) {
    std::string_view text, url;
    if (doc["text"].get(text) || doc["url"].get(url)) continue;
    p->texts.emplace_back(text);
    p->sites.push_back(chaff::SiteFromUrl(url));
  }
  p->source = "wcxb-dev";
  return !p->texts.empty();
}

const Pages& GetPages() {
  static const Pages* const kPages = [] {
    auto* p = new Pages;
    if (!LoadWcxb(p)) Generate(p);
    for (const auto& t : p->texts) {
      p->docs.push_back(std::make_unique<chaff::Document>(t));
      p->bytes += static_cast<int64_t>(t.size());
    }
    return p;
  }();
  return *kPages;
}

void Finish(benchmark::State& state, const Pages& p) {
  state.SetBytesProcessed(state.iterations() * p.bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(p.texts.size()));
  state.SetLabel(p.source);
}

void BM_DocumentBuild(benchmark::State& state) {
  const Pages& p = GetPages();
  chaff::Document doc;
  for (auto _ : state) {
    for (const auto& t : p.texts) {
      doc.Build(t);
      benchmark::DoNotOptimize(doc.num_lines());
    }
  }
  Finish(state, p);
}
BENCHMARK(BM_DocumentBuild)->Unit(benchmark::kMillisecond);

void BM_FindRepeats(benchmark::State& state) {
  const Pages& p = GetPages();
  const chaff::RepeatOptions options;
  std::vector<chaff::LineDecision> decisions;
  for (auto _ : state) {
    for (const auto& doc : p.docs) {
      decisions.assign(doc->num_lines(), chaff::LineDecision());
      chaff::FindRepeats(*doc, options, &decisions);
      benchmark::DoNotOptimize(decisions.data());
    }
  }
  Finish(state, p);
}
BENCHMARK(BM_FindRepeats)->Unit(benchmark::kMillisecond);

void BM_ClassifyLines(benchmark::State& state) {
  const Pages& p = GetPages();
  const chaff::LineModelOptions options;
  std::vector<chaff::LineDecision> decisions;
  for (auto _ : state) {
    for (const auto& doc : p.docs) {
      decisions.assign(doc->num_lines(), chaff::LineDecision());
      chaff::ClassifyLines(*doc, options, &decisions);
      benchmark::DoNotOptimize(decisions.data());
    }
  }
  Finish(state, p);
}
BENCHMARK(BM_ClassifyLines)->Unit(benchmark::kMillisecond);

void BM_LineFeatures(benchmark::State& state) {
  const Pages& p = GetPages();
  chaff::internal::LineFeatureMatrix m;
  for (auto _ : state) {
    for (const auto& doc : p.docs) {
      chaff::internal::ComputeLineFeatures(*doc, &m);
      benchmark::DoNotOptimize(m.values.data());
    }
  }
  Finish(state, p);
}
BENCHMARK(BM_LineFeatures)->Unit(benchmark::kMillisecond);

// The built-in model's stage-1 trees on every page's line features (the
// token-feature columns left at zero: the kernel's cost does not depend on
// the values). The features of each page are computed just before, as in
// ClassifyLines (warm in cache), with the timer paused.
void BM_LineTrees(benchmark::State& state) {
  const Pages& p = GetPages();
  simdjson::dom::parser parser;
  simdjson::dom::element stage1;
  if (parser.parse(simdjson::padded_string(chaff::internal::DefaultLineModelJson()))["stage1"]
          .get(stage1)) {
    state.SkipWithError("no stage-1 trees in the built-in model");
    return;
  }
  auto trees = chaff::internal::TreeEnsemble::FromJson(simdjson::minify(stage1), "stage1");
  if (!trees.ok()) {
    state.SkipWithError("the built-in trees do not parse");
    return;
  }
  const size_t extra = static_cast<size_t>(trees->num_features()) -
                       chaff::internal::LineFeatureNames().size();
  chaff::internal::LineFeatureMatrix m;
  std::vector<double> raw;
  for (auto _ : state) {
    for (const auto& doc : p.docs) {
      state.PauseTiming();
      chaff::internal::ComputeLineFeatures(*doc, &m, extra);
      raw.resize(m.rows);
      state.ResumeTiming();
      trees->PredictRaw(m.values.data(), m.stride, m.rows, raw.data());
      benchmark::DoNotOptimize(raw.data());
    }
  }
  Finish(state, p);
}
BENCHMARK(BM_LineTrees)->Unit(benchmark::kMillisecond);

void BM_TemplateCount(benchmark::State& state) {
  const Pages& p = GetPages();
  for (auto _ : state) {
    chaff::TemplateCounter counter{chaff::TemplateOptions()};
    for (size_t i = 0; i < p.docs.size(); ++i) counter.AddDocument(p.sites[i], *p.docs[i]);
    benchmark::DoNotOptimize(counter.MemoryBytes());
  }
  Finish(state, p);
}
BENCHMARK(BM_TemplateCount)->Unit(benchmark::kMillisecond);

void BM_TemplateFlags(benchmark::State& state) {
  const Pages& p = GetPages();
  // Every page three times, so that sites have enough pages to be judged.
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  for (int copy = 0; copy < 3; ++copy) {
    for (size_t i = 0; i < p.docs.size(); ++i) counter.AddDocument(p.sites[i], *p.docs[i]);
  }
  const chaff::TemplateIndex index = counter.Finish();
  chaff::TemplateFlags flags;
  for (auto _ : state) {
    for (size_t i = 0; i < p.docs.size(); ++i) {
      index.Flags(p.sites[i], *p.docs[i], &flags);
      benchmark::DoNotOptimize(flags.data());
    }
  }
  Finish(state, p);
}
BENCHMARK(BM_TemplateFlags)->Unit(benchmark::kMillisecond);

void BM_CleanDocument(benchmark::State& state) {
  const Pages& p = GetPages();
  const chaff::Cleaner cleaner{chaff::CleanOptions()};
  chaff::Document doc;
  chaff::CleanResult result;
  for (auto _ : state) {
    for (const auto& t : p.texts) {
      doc.Build(t);
      cleaner.Clean(doc, chaff::TemplateFlags(), &result);
      benchmark::DoNotOptimize(result.cleaned.data());
    }
  }
  Finish(state, p);
}
BENCHMARK(BM_CleanDocument)->Unit(benchmark::kMillisecond);

}  // namespace
