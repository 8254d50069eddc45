// Command-line options of the line model and the template detector, shared
// by `chaff clean`, `chaff explain` and the evaluation tools.
#ifndef CHAFF_CLI_DETECTOR_FLAGS_H_
#define CHAFF_CLI_DETECTOR_FLAGS_H_

#include <string>

#include "chaff/detect/line_model.h"
#include "chaff/detect/templates.h"
#include "chaff/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace chaff {

// Adds --line-model FILE and the --template-* options to `cmd`, bound to the
// given values (whose current values are shown as defaults). The caller
// loads `*line_model_path`, when not empty, with LoadLineModelFile.
void AddDetectorFlags(CLI::App* cmd, TemplateOptions* templates, std::string* line_model_path);

// Reads the model file at `path` into lines->model (LineModel::Load).
Status LoadLineModelFile(const std::string& path, LineModelOptions* lines);

}  // namespace chaff

#endif  // CHAFF_CLI_DETECTOR_FLAGS_H_
