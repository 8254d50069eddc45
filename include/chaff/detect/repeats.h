// Paragraphs repeated inside one document (an article pasted twice by a
// broken CMS export, a headline repeated above a second copy).
#ifndef CHAFF_DETECT_REPEATS_H_
#define CHAFF_DETECT_REPEATS_H_

#include <string_view>
#include <vector>

#include "chaff/detect/decision.h"
#include "chaff/text/document.h"

namespace chaff {

struct RepeatOptions {
  // Lines with at least this many tokens are judged on their own, as
  // paragraphs. Shorter lines (a headline, a "Pros" label, a table row) are
  // only repeats when they are part of a repeated block: an exact repeat
  // whose nearest non-blank neighbour (before or after) is itself a repeat.
  // Lines recurring on their own are left to the chrome and template
  // detectors; short rows legitimately recur in lists and tables.
  int min_tokens = 8;
  // Word n-gram width for near repeats.
  int shingle_width = 5;
  // A line is a near repeat when at least this share of its shingles occur
  // in ONE earlier line (onion-style containment, but against a single
  // source: rows of a list or table share most of their shingles with the
  // union of the rows above them without repeating any one of them).
  double containment = 0.8;
  // Detect near repeats (exact repeats are always detected).
  bool near = true;
};

// Marks as Reason::kRepeat the lines of `text` that repeat earlier content:
//  * a line of >= min_tokens tokens that equals an earlier line after
//    normalization, or whose shingles are >= containment contained in one
//    earlier line (for a line of >= 3 * min_tokens tokens: in all earlier
//    text, which catches a whole article repeated as one long line);
//  * a shorter line equal to an earlier line whose nearest non-blank
//    neighbour is marked (this spreads along a repeated block).
// ref_line is set to the line of the first occurrence (for a near repeat:
// the earlier line holding most of it); score to the containment (1 for an
// exact repeat). The first occurrence is never marked. Only lines whose
// decision is still kKeep are changed. Preconditions: decisions->size() ==
// doc.num_lines(). Thread-safe (per-thread scratch tables, reused).
void FindRepeats(const Document& doc, const RepeatOptions& options,
                 std::vector<LineDecision>* decisions);

}  // namespace chaff

#endif  // CHAFF_DETECT_REPEATS_H_
