// `chaff dedupe`: document-level near-duplicate removal across a corpus.
//
// Registration (as for the other commands, in main.cc):
//   DedupeFlags dedupe;
//   CLI::App* dedupe_cmd = AddDedupeCommand(&app, &dedupe);
//   ...
//   if (dedupe_cmd->parsed()) return RunDedupe(dedupe);
#ifndef CHAFF_CLI_CMD_DEDUPE_H_
#define CHAFF_CLI_CMD_DEDUPE_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "chaff/corpus/dedupe.h"

namespace chaff {
namespace cli {

struct DedupeFlags {
  std::vector<std::string> inputs;  // empty: stdin
  std::string output;
  std::string clusters;
  std::string text_field = "text";
  std::string id_field = "id";
  double threshold = 0.8;
  int bands = 0;  // 0 with rows 0: chosen from the threshold
  int rows = 0;
  int num_hashes = kDefaultDedupeNumHashes;
  std::string sketch = "oph";  // "oph" or "classic"
  int shingle_width = kDefaultShingleWidth;
  double fn_weight = kDefaultDedupeLshWeights.false_negative;
  bool exact = false;
  bool split_chains = true;
  int threads = 0;  // 0: all CPUs (ResolveThreads)
  bool quiet = false;
  bool skip_bad_records = false;
};

// Adds the `dedupe` subcommand, filling `flags` when it is parsed.
CLI::App* AddDedupeCommand(CLI::App* app, DedupeFlags* flags);

// Adds the options that say how documents are sketched (fields, threshold,
// LSH, hashes, shingles, threads, -q, --skip-bad-records) to `cmd`: shared
// by `chaff dedupe` and `chaff sketch`, whose sketches must agree.
void AddSketchingOptions(CLI::App* cmd, DedupeFlags* flags);

// Converts parsed flags to library options (fails on inconsistent flags,
// e.g. --bands without --rows). Exposed for tests.
StatusOr<DedupeOptions> DedupeOptionsFromFlags(const DedupeFlags& flags);

// Runs it; returns the process exit code. Prints errors, the progress bar
// (stderr, when a terminal) and the summary.
int RunDedupe(const DedupeFlags& flags);

}  // namespace cli
}  // namespace chaff

#endif  // CHAFF_CLI_CMD_DEDUPE_H_
