// Command-line options of the chrome classifier and the template detector,
// shared by `chaff clean`, `chaff explain` and chaff-eval-scrapinghub.
#ifndef CHAFF_CLI_CHROME_FLAGS_H_
#define CHAFF_CLI_CHROME_FLAGS_H_

#include <string>

#include "chaff/detect/chrome.h"
#include "chaff/detect/templates.h"

namespace CLI {
class App;
}  // namespace CLI

namespace chaff {

// Adds the --chrome-* and --template-* options and --stoplist FILE to `cmd`,
// bound to the given structs (whose current values are shown as defaults).
// The caller loads `*stoplist_path`, when not empty, with LoadStoplistFile.
void AddChromeFlags(CLI::App* cmd, ChromeOptions* chrome,
                    TemplateOptions* templates, std::string* stoplist_path);

// Reads the stoplist file at `path` into chrome->stoplist (see
// ParseStoplist for the format).
Status LoadStoplistFile(const std::string& path, ChromeOptions* chrome);

}  // namespace chaff

#endif  // CHAFF_CLI_CHROME_FLAGS_H_
