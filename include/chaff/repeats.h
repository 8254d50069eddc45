// Paragraphs repeated inside one document (an article pasted twice by a
// broken CMS export, a headline repeated above a second copy).
#ifndef CHAFF_REPEATS_H_
#define CHAFF_REPEATS_H_

#include <string_view>
#include <vector>

#include "chaff/decision.h"
#include "chaff/segment.h"

namespace chaff {

struct RepeatOptions {
  // Lines with fewer tokens are too short to judge as paragraphs (a "Share"
  // button, a "Pros" heading); they are left to the chrome detector.
  int min_tokens = 5;
  // Word n-gram width for near repeats.
  int shingle_width = 5;
  // A line whose shingles are at least this much contained in the text
  // before it (onion-style containment) is a near repeat.
  double containment = 0.8;
  // Detect near repeats (exact repeats are always detected).
  bool near = true;
};

// Marks as Reason::kRepeat every non-blank line of `text` that repeats an
// earlier line exactly (equal normalized form) or nearly (containment of its
// shingles in all earlier text >= options.containment), with ref_line set to
// the line holding the first (or most overlapping earlier) occurrence. The
// first occurrence is never marked. Only lines whose decision is still kKeep
// are changed. Preconditions: decisions->size() == lines.size().
void FindRepeats(std::string_view text, const std::vector<Line>& lines,
                 const RepeatOptions& options,
                 std::vector<LineDecision>* decisions);

}  // namespace chaff

#endif  // CHAFF_REPEATS_H_
