// dolma-style attributes: what chaff would remove from a document, as
// character spans beside the corpus, one JSONL line per document in input
// order, so that a pipeline that applies attributes (dolma's mixer,
// `span_replacement`) can drop them without chaff rewriting the corpus:
//
//   {"id":"d17","attributes":{
//     "chaff__chrome":[[0,41,1.0],[913,960,0.75]],
//     "chaff__template":[[41,85,1.0]],
//     "chaff__repeat":[],
//     "chaff__near_duplicate":[]}}
//
// A span is [start, end, score]: [start, end) in characters as dolma counts
// them, i.e. indexes into the Python string of the document's text (code
// points; bytes that are not valid UTF-8 count as io/jsonl.h says: each
// maximal subpart of an ill-formed sequence is one U+FFFD, as
// bytes.decode("utf-8", "replace") gives). The spans are chaff's removed
// spans (the same as the annotations' byte spans, report/annotate.h): whole
// lines with their terminators, adjacent lines of one reason merged, and the
// blank lines a removal makes redundant; so removing every span of the
// first three lists leaves exactly chaff's cleaned text. Scores:
//  * chaff__chrome: 1 - the line model's probability of content
//    (LineDecision::content) of the span's line most likely to be content:
//    the higher a span scores, the surer the model is of every line of it
//    (a line is removed when its probability is below its page's
//    threshold, CleanResult::content_threshold, so a chrome span may score
//    anything above 1 - that threshold); a span of blank lines alone (left
//    by a removal) scores 0;
//  * chaff__template, chaff__repeat: 1.0;
//  * chaff__near_duplicate: [[0, length, similarity]] for a document dropped
//    as a near-duplicate of an earlier one (chaff clean --dedupe), with the
//    estimated similarity; a dropped document keeps its other lists.
// Every list is always written, [] when empty (as dolma's own deduper
// writes its span lists), so every line has the same keys.
#ifndef CHAFF_REPORT_ATTRIBUTES_H_
#define CHAFF_REPORT_ATTRIBUTES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "chaff/detect/clean.h"

namespace chaff {

// The attribute names chaff writes ("chaff__" + the reason's name).
inline constexpr const char* kChromeAttribute = "chaff__chrome";
inline constexpr const char* kTemplateAttribute = "chaff__template";
inline constexpr const char* kRepeatAttribute = "chaff__repeat";
inline constexpr const char* kNearDuplicateAttribute = "chaff__near_duplicate";

// Appends the start of a document's attribute line to `out`:
//   {"id":ID,"attributes":{"chaff__chrome":[...],"chaff__template":[...],
//   "chaff__repeat":[...]
// `id_json` is the id already written as JSON (a string literal, a number,
// or null); `text` is the document's text and `result` what Cleaner::Clean
// made of it. Returns the length of `text` in characters (for
// AppendAttributesEnd). Precondition: result describes text (its spans lie
// within it).
uint64_t AppendAttributesStart(std::string_view id_json, std::string_view text,
                               const CleanResult& result, std::string* out);

// Appends the rest of the line (no newline): the near-duplicate list, with
// one span [0, text_chars, similarity] when `near_duplicate`, then the
// closing braces.
void AppendAttributesEnd(uint64_t text_chars, bool near_duplicate, float similarity,
                         std::string* out);

}  // namespace chaff

#endif  // CHAFF_REPORT_ATTRIBUTES_H_
