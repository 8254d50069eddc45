// `chaff explain`: every line of a document with its decision and reason.
#ifndef CHAFF_CLI_CMD_EXPLAIN_H_
#define CHAFF_CLI_CMD_EXPLAIN_H_

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "chaff/detect/clean.h"
#include "chaff/detect/templates.h"

namespace chaff {
namespace cli {

struct ExplainFlags {
  std::string input;
  uint64_t record = 0;  // JSONL: 1-based line number of the record
  std::string text_field = "text";
  bool scores = false;
  bool no_chrome = false;
  bool no_repeats = false;
  std::string line_model_path;
  CleanOptions clean;
  // Template lines need a corpus; explain sees one document, so these
  // options are accepted (for symmetry with clean) but have no effect.
  TemplateOptions templates;
};

CLI::App* AddExplainCommand(CLI::App* app, ExplainFlags* flags);
int RunExplain(const ExplainFlags& flags);

}  // namespace cli
}  // namespace chaff

#endif  // CHAFF_CLI_CMD_EXPLAIN_H_
