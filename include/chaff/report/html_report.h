// A visual report of a cleaning run: one self-contained HTML page (no
// scripts, no external files) with what was kept and removed per reason,
// then the run's first documents with every line marked by its decision;
// hovering a removed line shows the evidence (the chrome classifier's
// content score, the line a repeat repeats, the document a near-duplicate
// copies). For auditing a run by eye; the JSON run report and --annotate
// are the machine-readable accounts.
#ifndef CHAFF_REPORT_HTML_REPORT_H_
#define CHAFF_REPORT_HTML_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chaff/detect/clean.h"

namespace chaff {

class HtmlReport {
 public:
  // Documents after the first `max_documents` count in the totals only.
  explicit HtmlReport(size_t max_documents = 100) : max_documents_(max_documents) {}

  // At most this many bytes of a document's text are shown (whole lines;
  // a note says how many lines are left out).
  static constexpr size_t kMaxShownBytes = size_t{64} << 10;

  // Adds the next document of the run, in input order: its 0-based index
  // among the run's records (increasing, not necessarily by one: records
  // that are not documents, such as bad ones passed through, are skipped),
  // its name (file, or file:line of a JSONL record), its text and what
  // cleaning made of it (result.accounting counts in the totals).
  // `duplicate_of` >= 0: the whole document was dropped as a near-duplicate
  // of the record with that index (an earlier one) at `similarity`.
  void AddDocument(uint64_t index, std::string_view name, std::string_view text,
                   const CleanResult& result, int64_t duplicate_of = -1,
                   float similarity = 0.0f);

  // The page; `title` says what run it is (e.g. the command line).
  std::string Render(std::string_view title) const;

  uint64_t documents() const { return documents_; }

 private:
  size_t max_documents_;
  uint64_t documents_ = 0;
  uint64_t duplicates_ = 0;
  Accounting total_;
  std::string shown_;  // the rendered documents
  // Index and name of each document shown (increasing indexes), to name
  // the document a shown near-duplicate copies.
  std::vector<std::pair<uint64_t, std::string>> names_;
};

// Appends `text` to `out` with &, <, >, " and ' escaped and NUL bytes
// replaced by U+FFFD, so any bytes are safe inside an element or a quoted
// attribute.
void AppendHtmlEscaped(std::string_view text, std::string* out);

}  // namespace chaff

#endif  // CHAFF_REPORT_HTML_REPORT_H_
