// `chaff clean`: the main job.
#ifndef CHAFF_CLI_CMD_CLEAN_H_
#define CHAFF_CLI_CMD_CLEAN_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "chaff/corpus/clean_corpus.h"
#include "chaff/detect/clean.h"
#include "chaff/detect/templates.h"

namespace chaff {
namespace cli {

struct CleanFlags {
  std::vector<std::string> inputs;
  std::string output;
  bool annotate = false;
  std::string text_field = "text";
  std::string id_field = "id";
  int threads = 0;  // 0: all cores
  bool quiet = false;
  std::string report_path;
  std::string html_report_path;
  std::string attributes_dir;  // --attributes: dolma attributes per input
  size_t html_report_documents = 100;
  bool skip_bad_records = false;
  bool no_chrome = false;
  bool no_repeats = false;
  bool no_templates = false;
  bool dedupe = false;  // also drop near-duplicate documents
  double dedupe_threshold = 0.8;
  std::string site_field = "url";
  std::string line_model_path;
  // --counts: template counts of the whole corpus (chaff count); no pass 1.
  std::vector<std::string> counts_paths;
  CleanOptions clean;
  TemplateOptions templates;
};

// Adds the `clean` subcommand, filling `flags` when it is parsed.
CLI::App* AddCleanCommand(CLI::App* app, CleanFlags* flags);

// Runs it; returns the process exit code. Prints errors and the summary.
int RunClean(const CleanFlags& flags);

// Warns about an input left out of the run: a binary file met in a walk,
// or one that could not be read (and why).
void WarnIfSkipped(const CleanFileReport& f);

// Applies the detector switches shared by `clean` and `explain` to `clean`:
// --no-chrome, --no-repeats and --line-model FILE (loaded here; fails naming
// the file when it is not a model this chaff can use).
Status ApplyDetectorFlags(bool no_chrome, bool no_repeats, const std::string& line_model_path,
                          CleanOptions* clean);

}  // namespace cli
}  // namespace chaff

#endif  // CHAFF_CLI_CMD_CLEAN_H_
