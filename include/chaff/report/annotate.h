// Annotations: what chaff removed from a document, as JSON byte spans of the
// original text, so a pipeline can apply, audit or undo every decision.
#ifndef CHAFF_REPORT_ANNOTATE_H_
#define CHAFF_REPORT_ANNOTATE_H_

#include <string>

#include "chaff/detect/clean.h"

namespace chaff {

// Appends a JSON object describing `result` to `out`:
//   {"bytes":N,"kept_bytes":K,"removed":[
//     {"start":S,"end":E,"reason":"chrome","lines":[A,B]},
//     {"start":S,"end":E,"reason":"repeat","lines":[A,B],
//      "first":{"start":S0,"end":E0,"lines":[A0,B0]}}, ...]}
// Offsets are bytes of the original text, [start, end), terminators
// included; line numbers start at 1. For a repeat, "first" is the span of
// the earlier occurrence it repeats.
void AppendAnnotationJson(const CleanResult& result, std::string* out);

}  // namespace chaff

#endif  // CHAFF_REPORT_ANNOTATE_H_
