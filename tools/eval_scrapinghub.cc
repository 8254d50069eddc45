// Boilerplate-removal quality on the ScrapingHub article-extraction
// benchmark, from plain text: cleans every page of
// DATA/scrapinghub/plain-text.json with chaff::Cleaner (default options
// unless flags say otherwise) and scores the cleaned text against
// DATA/scrapinghub/ground-truth.json.
//
// Metric (the benchmark's evaluate.py, see DATA/README.md): tokens are \w+
// runs (Unicode letters, digits and '_', case kept); a page's shingles are
// its word 4-grams (a page with fewer than 4 tokens is one shingle of all of
// them; an empty page has none); TP, FP and FN are counted over the shingle
// multisets and divided by their sum; precision is the mean over pages whose
// cleaned text has a shingle (an empty output does not count toward
// precision), recall the mean over pages whose ground truth has one (an
// empty output counts 0 there); F1 = 2PR / (P + R).
//
// Template detection runs over the whole page set grouped by the host of
// each page's ground-truth url (pages come from many sites; with fewer than
// --template-min-documents pages per site it does not fire).
//
// Pages are also scored in two halves (sorted by id: even positions, odd
// positions) so thresholds tuned on one half can be checked on the other.
//
//   chaff-eval-scrapinghub [--data DIR] [--show ID] [--predictions FILE]
// Exits 0 with "SKIPPED: ..." when the data is absent.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "chaff/detect/clean.h"
#include "chaff/io/jsonl.h"
#include "chaff/detect/templates.h"
#include "cli/detector_flags.h"
#include "eval_scrapinghub.h"

int main(int argc, char** argv) {
  using chaff::eval::Counts;
  using chaff::eval::Prf;
  CLI::App app{"Score chaff's cleaning of the ScrapingHub plain-text pages"};
  std::string data_dir = std::string(CHAFF_SHARED_DATA_DIR);
  std::string show;
  std::string predictions;
  std::string line_model_path;
  chaff::CleanOptions options;
  chaff::TemplateOptions template_options;
  bool use_templates = true;
  app.add_option("--data", data_dir, "data folder (default " + data_dir + ")");
  app.add_option("--show", show, "print the lines of page ID (or of all pages) with their decisions");
  app.add_option("--predictions", predictions,
                 "also write the cleaned pages as {id: {\"articleBody\": text}} JSON");
  app.add_option("--templates", use_templates,
                 "run template detection over the page set (default true)");
  app.add_option("--repeats", options.remove_repeats,
                 "run the repeated-paragraph detector first, as chaff clean does (default true)");
  chaff::AddDetectorFlags(&app, &template_options, &line_model_path);
  CLI11_PARSE(app, argc, argv);
  if (!line_model_path.empty()) {
    const chaff::Status s = chaff::LoadLineModelFile(line_model_path, &options.lines);
    if (!s.ok()) {
      std::fprintf(stderr, "chaff-eval-scrapinghub: %s\n", s.message().c_str());
      return 2;
    }
  }
  std::map<std::string, chaff::eval::Page> pages;
  const chaff::Status loaded = chaff::eval::LoadScrapinghub(data_dir, &pages);
  if (loaded.code() == chaff::StatusCode::kNotFound) {
    std::printf("SKIPPED: %s (pass --data DIR)\n", loaded.message().c_str());
    return 0;
  }
  if (!loaded.ok()) {
    std::fprintf(stderr, "chaff-eval-scrapinghub: %s\n", loaded.message().c_str());
    return 2;
  }

  const chaff::Cleaner cleaner(options);
  std::vector<std::string> cleaned;
  const std::vector<Counts> all = chaff::eval::CleanAndScore(
      pages, cleaner, use_templates ? &template_options : nullptr, &cleaned);
  std::vector<Counts> half[2];
  std::string json_out = "{";
  size_t position = 0;
  for (const auto& [id, page] : pages) {
    const Counts& c = all[position];
    half[position % 2].push_back(c);
    if (!predictions.empty()) {
      if (json_out.size() > 1) json_out += ",";
      chaff::AppendJsonString(id, &json_out);
      json_out += ":{\"articleBody\":";
      chaff::AppendJsonString(cleaned[position], &json_out);
      json_out += "}";
    }
    if (id == show || show == "all") {
      chaff::CleanResult result;
      // Without template flags: they need the whole page set (and with at
      // most two pages per site in this benchmark they do not fire).
      cleaner.Clean(page.text, &result);
      for (size_t i = 0; i < result.lines.size(); ++i) {
        const auto& d = result.decisions[i];
        std::printf("%-8s %.2f | %.*s\n", std::string(chaff::ReasonName(d.reason)).c_str(),
                    static_cast<double>(d.content),
                    static_cast<int>(std::min<uint64_t>(result.lines[i].size(), 150)),
                    page.text.data() + result.lines[i].begin);
      }
      std::printf("page %s: precision %.3f recall %.3f\n\n", id.c_str(),
                  c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : 0.0,
                  c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : 0.0);
    }
    ++position;
  }
  if (!predictions.empty()) {
    std::ofstream out(predictions);
    out << json_out << "}\n";
    if (!out) {
      std::fprintf(stderr, "chaff-eval-scrapinghub: cannot write %s\n", predictions.c_str());
      return 2;
    }
  }
  const Prf m = chaff::eval::Aggregate(all);
  const Prf a = chaff::eval::Aggregate(half[0]);
  const Prf b = chaff::eval::Aggregate(half[1]);
  std::printf("ScrapingHub plain text, %zu pages (word 4-gram shingles)\n", all.size());
  std::printf("%-32s precision  recall  F1\n", "");
  std::printf("%-32s %.3f      %.3f   %.3f\n", "chaff (all pages)", m.p, m.r, m.f1);
  std::printf("%-32s %.3f      %.3f   %.3f\n", "chaff (half A: even positions)", a.p, a.r, a.f1);
  std::printf("%-32s %.3f      %.3f   %.3f\n", "chaff (half B: odd positions)", b.p, b.r, b.f1);
  std::printf("published: keep everything 0.665, jusText 0.804, boilerpipe 0.860, "
              "trafilatura 0.958 (the last three reading the HTML)\n");
  return 0;
}
