// Cleaning one document: segment, run the detectors, and cut the cleaned
// text out of the original bytes. Every removed byte is accounted for.
#ifndef CHAFF_DETECT_CLEAN_H_
#define CHAFF_DETECT_CLEAN_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/detect/decision.h"
#include "chaff/detect/line_model.h"
#include "chaff/detect/repeats.h"
#include "chaff/text/document.h"
#include "chaff/text/segment.h"

namespace chaff {

struct CleanOptions {
  bool remove_repeats = true;
  // Remove the lines the line model judges not to be content (site chrome).
  bool remove_chrome = true;
  RepeatOptions repeats;
  LineModelOptions lines;
};

// A removed byte range of the original text. Adjacent removed lines with the
// same reason (and, for repeats, consecutive first occurrences) form one
// span. Line numbers are 0-based indexes into CleanResult::lines.
struct RemovedSpan {
  uint64_t begin = 0;  // bytes, [begin, end) of the original text
  uint64_t end = 0;
  Reason reason = Reason::kKeep;
  int32_t first_line = 0;
  int32_t last_line = 0;
  // For kRepeat: the line of the first occurrence of first_line, else -1.
  int32_t ref_line = -1;
};

// Bytes and lines removed per reason (indexed by Reason; kKeep holds what
// was kept). Identity: sum over all reasons of bytes == input size.
struct Accounting {
  std::array<uint64_t, kNumReasons> bytes{};
  std::array<uint64_t, kNumReasons> lines{};

  uint64_t kept_bytes() const { return bytes[0]; }
  uint64_t removed_bytes() const;
  uint64_t total_bytes() const { return kept_bytes() + removed_bytes(); }
  Accounting& operator+=(const Accounting& other);
};

struct CleanResult {
  std::vector<Line> lines;
  // One per line, final: includes blank lines dropped because a removal
  // left a run of blank lines (they take the reason of that removal).
  std::vector<LineDecision> decisions;
  std::vector<RemovedSpan> spans;
  std::string cleaned;  // original bytes minus the spans
  Accounting accounting;
  // The line model kept the lines with LineDecision::content >= this (-1:
  // the model did not run, or the page has no non-blank line).
  double content_threshold = -1;
};

// Per-document corpus knowledge from pass 1 (see templates.h): template[i]
// is true when line i is a site template line. Empty: no corpus statistics.
using TemplateFlags = std::vector<uint8_t>;

class Cleaner {
 public:
  explicit Cleaner(CleanOptions options) : options_(std::move(options)) {}

  const CleanOptions& options() const { return options_; }

  // Cleans `doc`. `template_flags` may be empty; otherwise it has one entry
  // per line of the document. Never fails.
  void Clean(const Document& doc, const TemplateFlags& template_flags,
             CleanResult* out) const;

  // The same for a text (any bytes), whose Document is built here.
  void Clean(std::string_view text, const TemplateFlags& template_flags,
             CleanResult* out) const;
  void Clean(std::string_view text, CleanResult* out) const {
    Clean(text, TemplateFlags(), out);
  }

 private:
  CleanOptions options_;
};

// Builds spans, cleaned text and accounting from final per-line decisions
// (exposed for tests and for callers that make their own decisions). Drops
// blank lines made redundant by a removal: a blank line directly after
// another emitted blank line, or at the start or end of the output, when a
// removed line lies between them. Updates `result->decisions` accordingly.
// Preconditions: result->lines and result->decisions are filled.
void ApplyDecisions(std::string_view text, CleanResult* result);

}  // namespace chaff

#endif  // CHAFF_DETECT_CLEAN_H_
