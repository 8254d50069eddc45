// Site chrome: navigation, share and newsletter prompts, "latest stories"
// lists, copyright lines, found from plain text alone, line by line.
#ifndef CHAFF_CHROME_H_
#define CHAFF_CHROME_H_

#include <string_view>
#include <vector>

#include "chaff/decision.h"
#include "chaff/segment.h"

namespace chaff {

struct ChromeOptions {
  bool enabled = true;
};

// Marks as Reason::kChrome the lines of `text` that are site furniture.
// Lines already removed by another detector (decision != kKeep) are treated
// as bad context and are not changed. Preconditions: decisions->size() ==
// lines.size().
void ClassifyChrome(std::string_view text, const std::vector<Line>& lines,
                    const ChromeOptions& options,
                    std::vector<LineDecision>* decisions);

}  // namespace chaff

#endif  // CHAFF_CHROME_H_
