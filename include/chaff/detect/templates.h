// Template lines: a line that recurs in many documents of the same site
// (menus, footers, share prompts, "more from this site" headings) is site
// chrome even when it looks like a sentence on one page.
//
// Two passes over a corpus:
//   pass 1: TemplateCounter::AddDocument(site, text) for every document. Each
//           normalized line (NormalizedHash) is counted once per document in
//           a count-min sketch keyed by (site, line): memory is fixed by the
//           options (sketch_width * sketch_depth * 4 bytes, 16 MiB by
//           default) plus a few bytes per distinct site, whatever the size
//           of the corpus.
//   pass 2: TemplateIndex::Flags(site, text, lines) flags the template lines
//           of one document; pass the flags to Cleaner::Clean.
// Group documents by site with SiteFromUrl(url) when the input has a url (or
// site) field; otherwise use one empty site for the whole input.
//
// A line is a template line of its site when all hold:
//  * the site has at least min_documents documents (below that, a line
//    seen on every page may still be chance: template detection is off);
//  * the line is in at least max(min_count, min_share * documents) of them;
//  * it is not a long sentence-like paragraph (>= long_sentence_words words
//    ending like a sentence): wire copy is legitimately shared by pages;
//  * it does not head this page's own content: when the next non-blank line
//    of the document is not itself a template line, the line is a section
//    label ("Pros", "Key features") or this page's title listed in other
//    pages' "related" boxes, and is left to the per-line classifier.
// The count-min sketch only over-counts (never under-counts); collisions at
// the default size are negligible below ~10 million distinct (site, line)
// pairs per pass.
#ifndef CHAFF_DETECT_TEMPLATES_H_
#define CHAFF_DETECT_TEMPLATES_H_

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "chaff/detect/clean.h"
#include "chaff/text/segment.h"

namespace chaff {

struct TemplateOptions {
  bool enabled = true;
  // Sites with fewer documents are never judged.
  int min_documents = 5;
  // A line must be in at least this many documents of its site...
  int min_count = 3;
  // ... and in at least this share of them.
  double min_share = 0.1;
  // Lines with at least this many words that end like a sentence are never
  // template lines (shared wire copy).
  int long_sentence_words = 15;
  // Count-min sketch size: counters per row (rounded up to a power of two)
  // and rows. Memory: width * depth * 4 bytes.
  uint32_t sketch_width = 1u << 20;
  int sketch_depth = 4;
};

// The site key of a URL: its host, lower-cased, without user info, port
// and a leading "www.". "https://www.Example.com:8080/a?b" -> "example.com".
// Returns the input lower-cased when it has no "scheme://" (a bare host).
std::string SiteFromUrl(std::string_view url);

class TemplateIndex;

// Counters that start at zero, allocated with calloc: a large calloc takes
// fresh zero pages from the kernel, so counters never touched cost nothing
// (cleaning one small page does not zero-fill a 16 MiB sketch).
class ZeroedCounters {
 public:
  ZeroedCounters() = default;
  ZeroedCounters(const ZeroedCounters&) = delete;
  ZeroedCounters& operator=(const ZeroedCounters&) = delete;
  ZeroedCounters(ZeroedCounters&& other) noexcept { swap(other); }
  ZeroedCounters& operator=(ZeroedCounters&& other) noexcept {
    ZeroedCounters(std::move(other)).swap(*this);
    return *this;
  }

  void Allocate(size_t n) {
    data_.reset(static_cast<uint32_t*>(std::calloc(n, sizeof(uint32_t))));
    if (data_ == nullptr && n > 0) throw std::bad_alloc();
    size_ = n;
  }
  uint32_t& operator[](size_t i) { return data_.get()[i]; }
  uint32_t operator[](size_t i) const { return data_.get()[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void swap(ZeroedCounters& other) noexcept {
    data_.swap(other.data_);
    std::swap(size_, other.size_);
  }
  void clear() {
    data_.reset();
    size_ = 0;
  }

 private:
  struct Free {
    void operator()(uint32_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint32_t[], Free> data_;
  size_t size_ = 0;
};

// Pass 1: counts, per site, in how many documents each normalized line
// occurs. Not thread-safe; merge by feeding one counter.
class TemplateCounter {
 public:
  explicit TemplateCounter(TemplateOptions options);

  // Counts the distinct non-blank lines of `text` (lines without any word
  // character are ignored) once each for `site`.
  void AddDocument(std::string_view site, std::string_view text);

  // Bytes held by the counts (fixed sketch plus per-site document counts).
  size_t MemoryBytes() const;

  // Ends pass 1. The counter is left empty.
  TemplateIndex Finish();

 private:
  TemplateOptions options_;
  uint32_t mask_ = 0;
  ZeroedCounters sketch_;  // depth rows of width counters
  std::unordered_map<uint64_t, uint32_t> site_documents_;
  std::vector<uint64_t> scratch_;
};

// Pass 2: decides which lines of a document are template lines.
class TemplateIndex {
 public:
  TemplateIndex() = default;

  // One flag per line of `lines` (SegmentLines(text)): 1 for a template
  // line. Returns all zeros when templates are disabled or the site has
  // fewer than min_documents documents.
  TemplateFlags Flags(std::string_view site, std::string_view text,
                      const std::vector<Line>& lines) const;

  // Documents counted for `site`.
  uint32_t Documents(std::string_view site) const;

  // Estimated number of documents of `site` holding a line equal to `line`
  // after normalization (an upper bound: the sketch never under-counts).
  uint32_t LineDocuments(std::string_view site, std::string_view line) const;

 private:
  friend class TemplateCounter;
  uint32_t Estimate(uint64_t site_hash, uint64_t line_hash) const;

  TemplateOptions options_;
  uint32_t mask_ = 0;
  ZeroedCounters sketch_;
  std::unordered_map<uint64_t, uint32_t> site_documents_;
};

}  // namespace chaff

#endif  // CHAFF_DETECT_TEMPLATES_H_
