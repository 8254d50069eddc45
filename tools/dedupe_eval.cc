// Near-duplicate quality of chaff's MinHash + LSH dedupe against the exact
// reference (chaff::AllPairsAboveThreshold over exact word-shingle sets).
//
//   chaff-dedupe-eval CORPUS... [--threshold 0.8] [--recall-at 0.85]
//                     [--floor 0.7] [dedupe flags] [--check]
//
// It runs the same engine as `chaff dedupe` (DedupeCorpus over the same
// records, deciding stars in input order by default) and computes every
// document's exact shingle set, then prints:
//   * recall: of all pairs with exact Jaccard >= --recall-at, the fraction
//     that dedupe put in one cluster (so one of the two is removed), and the
//     same at the threshold itself;
//   * reported pairs: each removed document with the representative that
//     replaces it (what --clusters reports), and each verified pair that
//     joined two clusters; for both, the lowest exact Jaccard and how many
//     are below --floor and below the threshold;
//   * a histogram of the exact Jaccard of removed documents to their
//     representatives.
// --check exits 1 unless recall >= 0.99 and no reported pair is below --floor.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "chaff/corpus/dedupe.h"
#include "chaff/corpus/dedupe_output.h"
#include "chaff/sketch/exact_jaccard.h"
#include "chaff/text/tokenize.h"

namespace {

using chaff::Status;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

struct PairStats {
  uint64_t count = 0;
  uint64_t below_floor = 0;
  uint64_t below_threshold = 0;
  double min = 1.0;
  uint32_t min_a = 0, min_b = 0;
  void Add(double j, double floor, double threshold, uint32_t a, uint32_t b) {
    ++count;
    below_floor += j < floor;
    below_threshold += j < threshold;
    if (j < min) {
      min = j;
      min_a = a;
      min_b = b;
    }
  }
};

// Records of the corpus, in the order dedupe numbers them, as shingle sets.
Status ShingleSets(const std::vector<chaff::CorpusInput>& inputs,
                   const chaff::JsonlFields& fields, int width,
                   std::vector<std::vector<uint64_t>>* sets, std::vector<std::string>* names) {
  chaff::CorpusReader reader(&inputs);
  auto decoder = chaff::CorpusDecoders(&inputs, fields)();
  chaff::Tokens tokens;
  chaff::RawDocument doc;
  for (;;) {
    auto more = reader.Next(&doc);
    if (!more.ok()) return more.status();
    if (!*more) break;
    std::string_view text;
    Status s = decoder->Decode(doc.bytes, doc.source, doc.padded, &text);
    if (!s.ok()) {
      return s.WithPrefix(reader.SourceName(doc.source) + ":" + std::to_string(doc.line));
    }
    sets->emplace_back();
    chaff::ShingleSet(text, width, chaff::kDefaultTokenSeed, &tokens, &sets->back());
    names->push_back(reader.SourceName(doc.source) + ":" + std::to_string(doc.line));
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Scores chaff dedupe against exact shingle-set Jaccard (see the file header)."};
  std::vector<std::string> paths;
  double recall_at = 0.85, floor = 0.7;
  bool check = false;
  chaff::DedupeOptions o;
  chaff::JsonlFields fields;
  double fn_weight = o.lsh_weights.false_negative;
  std::string sketch = "oph";
  app.add_option("corpus", paths, "JSONL files or text trees")->required();
  app.add_option("--threshold", o.threshold, "Dedupe threshold")->capture_default_str();
  app.add_option("--recall-at", recall_at, "Recall is measured over pairs with exact J >= this")
      ->capture_default_str();
  app.add_option("--floor", floor, "Reported pairs below this exact J are errors")
      ->capture_default_str();
  app.add_option("--bands", o.lsh.bands, "LSH bands (with --rows)");
  app.add_option("--rows", o.lsh.rows, "LSH rows (with --bands)");
  app.add_option("--num-hashes", o.num_hashes, "Signature length K")->capture_default_str();
  app.add_option("--sketch", sketch, "oph or classic")
      ->check(CLI::IsMember({"oph", "classic"}))
      ->capture_default_str();
  app.add_option("--fn-weight", fn_weight, "False-negative weight for band selection")
      ->capture_default_str();
  app.add_flag("--exact", o.exact, "Verify candidates by exact Jaccard");
  app.add_flag("--split-chains,!--no-split-chains", o.split_chains,
               "Stars decided in input order (default; as chaff dedupe); "
               "--no-split-chains: union-find components");
  app.add_option("--threads", o.threads, "Threads (0: all cores)")->capture_default_str();
  app.add_option("--text-field", fields.text_field, "JSONL text field")->capture_default_str();
  app.add_flag("--check", check, "Exit 1 unless recall >= 0.99 and nothing is below --floor");
  CLI11_PARSE(app, argc, argv);
  o.sketch_mode = sketch == "classic" ? chaff::SketchMode::kClassic
                                      : chaff::SketchMode::kOnePermutation;
  o.lsh_weights = chaff::LshWeights{1.0 - fn_weight, fn_weight};
  o.record_edges = true;

  auto fail = [](const Status& s) {
    std::fprintf(stderr, "chaff-dedupe-eval: %s\n", s.message().c_str());
    return 2;
  };
  std::vector<std::string> warnings;
  auto inputs = chaff::ListCorpusInputs(paths, &warnings);
  if (!inputs.ok()) return fail(inputs.status());
  auto resolved = chaff::ResolveDedupeOptions(o);
  if (!resolved.ok()) return fail(resolved.status());
  o = *resolved;

  auto t0 = std::chrono::steady_clock::now();
  chaff::CorpusReader reader(&*inputs);
  auto result = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&*inputs, fields), o);
  if (!result.ok()) return fail(result.status());
  const double dedupe_secs = Seconds(t0);
  const chaff::DedupeResult& r = *result;

  t0 = std::chrono::steady_clock::now();
  std::vector<std::vector<uint64_t>> sets;
  std::vector<std::string> names;
  Status s = ShingleSets(*inputs, fields, o.shingle_width, &sets, &names);
  if (!s.ok()) return fail(s);
  if (sets.size() != r.documents) {
    return fail(chaff::Internal("record counts differ between dedupe and the reference"));
  }
  const double low = std::min(recall_at, o.threshold);
  auto exact = chaff::AllPairsAboveThreshold(sets, low);
  if (!exact.ok()) return fail(exact.status());
  const double exact_secs = Seconds(t0);

  uint64_t truth_hi = 0, found_hi = 0, truth_t = 0, found_t = 0, resolved_hi = 0;
  for (const auto& p : *exact) {
    const bool same = r.representative[p.a] == r.representative[p.b];
    if (p.jaccard >= recall_at) {
      ++truth_hi;
      found_hi += same;
      resolved_hi += !(r.Kept(p.a) && r.Kept(p.b));
    }
    if (p.jaccard >= o.threshold) {
      ++truth_t;
      found_t += same;
    }
  }
  PairStats to_rep, edges;
  std::vector<uint64_t> histogram(11, 0);
  for (uint32_t i = 0; i < r.documents; ++i) {
    if (r.Kept(i)) continue;
    const double j = chaff::ExactJaccard(sets[r.representative[i]], sets[i]);
    to_rep.Add(j, floor, o.threshold, r.representative[i], i);
    ++histogram[static_cast<size_t>(std::min(10.0, std::floor(j * 10)))];
  }
  for (const auto& e : r.edges) {
    edges.Add(chaff::ExactJaccard(sets[e.a], sets[e.b]), floor, o.threshold, e.a, e.b);
  }

  const double recall_hi = truth_hi ? static_cast<double>(found_hi) / static_cast<double>(truth_hi) : 1.0;
  const double recall_t = truth_t ? static_cast<double>(found_t) / static_cast<double>(truth_t) : 1.0;
  std::printf("corpus: %llu documents, %.1f MB; dedupe: %d bands x %d rows, K=%d %s, threshold %.2f%s%s\n",
              static_cast<unsigned long long>(r.documents), static_cast<double>(r.bytes) / 1e6,
              r.lsh.bands, r.lsh.rows, o.num_hashes, sketch.c_str(), o.threshold,
              o.exact ? ", exact verification" : "", o.split_chains ? ", stars" : ", components");
  std::printf("dedupe: %llu duplicate clusters, %llu removed, %llu candidate checks (%.2f s, %d threads)\n",
              static_cast<unsigned long long>(r.duplicate_clusters),
              static_cast<unsigned long long>(r.removed),
              static_cast<unsigned long long>(r.candidate_checks), dedupe_secs, o.threads);
  std::printf("exact reference: %zu pairs with J >= %.2f (%.2f s)\n", exact->size(), low, exact_secs);
  std::printf("recall over pairs with exact J >= %.2f: %.4f (%llu of %llu in one cluster)\n",
              recall_at, recall_hi, static_cast<unsigned long long>(found_hi),
              static_cast<unsigned long long>(truth_hi));
  std::printf("  pairs of which at most one document is kept: %.4f (%llu of %llu)\n",
              truth_hi ? static_cast<double>(resolved_hi) / static_cast<double>(truth_hi) : 1.0,
              static_cast<unsigned long long>(resolved_hi),
              static_cast<unsigned long long>(truth_hi));
  std::printf("recall over pairs with exact J >= %.2f: %.4f (%llu of %llu)\n", o.threshold,
              recall_t, static_cast<unsigned long long>(found_t),
              static_cast<unsigned long long>(truth_t));
  auto print_pairs = [&](const char* what, const PairStats& p) {
    std::printf("%s: %llu pairs, lowest exact J %.4f (%s ~ %s), %llu below %.2f, %llu below %.2f\n",
                what, static_cast<unsigned long long>(p.count), p.count ? p.min : 1.0,
                p.count ? names[p.min_a].c_str() : "-", p.count ? names[p.min_b].c_str() : "-",
                static_cast<unsigned long long>(p.below_floor), floor,
                static_cast<unsigned long long>(p.below_threshold), o.threshold);
  };
  print_pairs("reported (removed document, its representative)", to_rep);
  print_pairs("reported (verified pairs joining clusters)", edges);
  std::printf("exact J of removed documents to their representative:");
  for (size_t b = 0; b < histogram.size(); ++b) {
    if (histogram[b] == 0) continue;
    std::printf(" [%.1f,%.1f%s: %llu", static_cast<double>(b) / 10,
                std::min(1.0, static_cast<double>(b + 1) / 10), b == 10 ? "]" : ")",
                static_cast<unsigned long long>(histogram[b]));
  }
  std::printf("\n");
  const bool pass = recall_hi >= 0.99 && to_rep.below_floor == 0 && edges.below_floor == 0;
  std::printf("check (recall >= 0.99 at J >= %.2f, no reported pair below %.2f): %s\n",
              recall_at, floor, pass ? "PASS" : "FAIL");
  return check && !pass ? 1 : 0;
}
