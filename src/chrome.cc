// Per-line chrome classifier. (Being written: issue 5.)
#include "chaff/chrome.h"

namespace chaff {

void ClassifyChrome(std::string_view, const std::vector<Line>&,
                    const ChromeOptions&, std::vector<LineDecision>*) {}

}  // namespace chaff
