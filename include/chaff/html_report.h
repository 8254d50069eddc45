// A visual report of a cleaning run: one self-contained HTML page (no
// scripts, no external files) with what was kept and removed per reason,
// then the run's first documents with every line marked by its decision;
// hovering a removed line shows the evidence (the chrome classifier's
// content score, the line a repeat repeats, the document a near-duplicate
// copies). For auditing a run by eye; the JSON run report and --annotate
// are the machine-readable accounts.
#ifndef CHAFF_HTML_REPORT_H_
#define CHAFF_HTML_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chaff/clean.h"

namespace chaff {

class HtmlReport {
 public:
  // Documents after the first `max_documents` count in the totals only.
  explicit HtmlReport(size_t max_documents = 100) : max_documents_(max_documents) {}

  // Adds the next document of the run (in input order): its name (file, or
  // file:line of a JSONL record), its text and what cleaning made of it
  // (result.accounting counts in the totals). `duplicate_of` >= 0: the whole
  // document was dropped as a near-duplicate of the run's document number
  // `duplicate_of` (0-based) at `similarity`.
  void AddDocument(std::string_view name, std::string_view text, const CleanResult& result,
                   int64_t duplicate_of = -1, float similarity = 0.0f);

  // The page; `title` says what run it is (e.g. the command line).
  std::string Render(std::string_view title) const;

  uint64_t documents() const { return documents_; }

 private:
  size_t max_documents_;
  uint64_t documents_ = 0;
  uint64_t duplicates_ = 0;
  Accounting total_;
  std::string shown_;  // the rendered documents
};

// Appends `text` to `out` with &, <, >, " and ' escaped and NUL bytes
// replaced by U+FFFD, so any bytes are safe inside an element or a quoted
// attribute.
void AppendHtmlEscaped(std::string_view text, std::string* out);

}  // namespace chaff

#endif  // CHAFF_HTML_REPORT_H_
