// Options of the line model and the template detector. Every help text
// states the default, taken from the structs so it cannot drift.
#include "cli/detector_flags.h"

#include <CLI/CLI.hpp>
#include <sstream>

#include "cli/flag_checks.h"

namespace chaff {
namespace {

std::string Num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
std::string Num(int v) { return std::to_string(v); }

}  // namespace

void AddDetectorFlags(CLI::App* cmd, TemplateOptions* templates, std::string* line_model_path) {
  const std::string g = "Line model and templates";
  cmd->add_option("--line-model", *line_model_path,
                  "judge lines with this model file (written by "
                  "tools/train/train_line_model.py) instead of the built-in one")
      ->check(CLI::ExistingFile)
      ->group(g);
  cmd->add_option("--template-min-documents", templates->min_documents,
                  "template lines need a site with at least this many "
                  "documents (default " + Num(templates->min_documents) + ")")
      ->check(IntegerIn(1, 1 << 30))
      ->group(g);
  cmd->add_option("--template-min-count", templates->min_count,
                  "a template line is in at least this many documents of its "
                  "site (default " + Num(templates->min_count) + ")")
      ->check(IntegerIn(1, 1 << 30))
      ->group(g);
  cmd->add_option("--template-min-share", templates->min_share,
                  "... and in at least this share of them (default " +
                      Num(templates->min_share) + ")")
      ->check(NumberIn(0.0, 1.0))
      ->group(g);
  cmd->add_option("--template-long-sentence-words", templates->long_sentence_words,
                  "sentences with this many words next to another frequent one are a shared "
                  "passage, not template lines "
                  "(default " + Num(templates->long_sentence_words) + ")")
      ->check(IntegerIn(1, 1 << 20))
      ->group(g);
}

Status LoadLineModelFile(const std::string& path, LineModelOptions* lines) {
  CHAFF_ASSIGN_OR_RETURN(lines->model, LineModel::Load(path));
  return Status::Ok();
}

}  // namespace chaff
