// Template lines: a line that recurs in many documents of the same site
// (menus, footers, share prompts, "more from this site" headings) is site
// chrome even when it looks like a sentence on one page.
//
// Two passes over a corpus:
//   pass 1: TemplateCounter::AddDocument(site, doc) for every document
//           (counters of several threads or machines add up with Merge);
//           each line identity (Document::identity) is counted once per
//           document, exactly, per site.
//   pass 2: TemplateIndex::Flags(site, doc) flags the template lines of one
//           document; pass the flags to Cleaner::Clean.
// Group documents by site with SiteFromUrl(url) when the input has a url (or
// site) field; otherwise use one empty site for the whole input.
//
// A line is a template line of its site when all hold:
//  * the site has at least min_documents documents (below that, a line
//    seen on every page may still be chance: template detection is off);
//  * the line is in at least max(min_count, min_share * documents) of them;
//  * it is not part of a shared passage: a long sentence-like paragraph
//    (>= long_sentence_words words ending like a sentence) next to another
//    one that is also frequent is the page's own copy (wire copy, an
//    article republished at two addresses: near-duplicate detection judges
//    those), while a lone frequent sentence ("Sign up to our newsletter
//    ...") is a template line like any other;
//  * it does not head this page's own content: when the next non-blank line
//    of the document is not itself a template line, the line is a section
//    label ("Pros", "Key features") or this page's title listed in other
//    pages' "related" boxes, and is left to the per-line classifier.
// Counts are exact (a hash table of 64-bit keys: a (site, line) pair and
// its count in 12 bytes, at most 3/4 full: 16-32 bytes per distinct pair),
// so they never depend on the order of documents or on how the corpus was
// split between threads, and two counters merge by adding.
#ifndef CHAFF_DETECT_TEMPLATES_H_
#define CHAFF_DETECT_TEMPLATES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/detect/clean.h"
#include "chaff/status.h"
#include "chaff/text/document.h"

namespace chaff {

struct TemplateOptions {
  bool enabled = true;
  // Sites with fewer documents are never judged.
  int min_documents = 5;
  // A line must be in at least this many documents of its site...
  int min_count = 3;
  // ... and in at least this share of them.
  double min_share = 0.1;
  // Lines with at least this many words that end like a sentence, next to
  // another such frequent line, are a shared passage: not template lines.
  int long_sentence_words = 15;
};

// The site key of a URL: its host, lower-cased, without user info, port
// and a leading "www.". "https://www.Example.com:8080/a?b" -> "example.com".
// Returns the input lower-cased when it has no "scheme://" (a bare host).
std::string SiteFromUrl(std::string_view url);

class TemplateIndex;

// The version of the counts file format, and of the line identities it
// holds: a change to how lines are normalized changes it too, so that
// counts made by another version are refused instead of silently matching
// nothing.
inline constexpr uint32_t kTemplateCountsVersion = 1;

// The header of a counts file (docs/formats.md), for readers that stream
// the entries (MergeTemplateCountsFiles) instead of loading them.
struct TemplateCountsHeader {
  static constexpr size_t kBytes = 40;       // the header
  static constexpr size_t kEntryBytes = 12;  // a site or pair entry: u64 key, u32 count
  static constexpr size_t kEndBytes = 8;     // the entries' XXH3-64
  uint32_t pruned_below = 0;
  uint64_t sites = 0;
  uint64_t pairs = 0;

  std::string Encode() const;
  // Checks the magic, the header checksum and the version of the first
  // kBytes of a file (`head` may be shorter: a cut file). kDataError
  // saying what is wrong.
  static StatusOr<TemplateCountsHeader> Parse(std::string_view head);
  // The size of the whole file; 0 when it cannot exist (too large).
  uint64_t FileBytes() const;
};

namespace internal {
// Counts keyed by (site, line) or by site: open addressing over 64-bit keys.
class CountTable {
 public:
  CountTable();
  ~CountTable();
  CountTable(CountTable&&) noexcept;
  CountTable& operator=(CountTable&&) noexcept;

  void Add(uint64_t key, uint32_t n);  // saturates at 2^32 - 1
  uint32_t Get(uint64_t key) const;
  void Prefetch(uint64_t key) const;
  // Entries of `other` with a count below `skip_below` are left out.
  void MergeFrom(const CountTable& other, uint32_t skip_below = 0);
  size_t size() const;
  size_t MemoryBytes() const;
  // Calls f(key, count) for every entry, in no particular order.
  void ForEach(const std::function<void(uint64_t, uint32_t)>& f) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
}  // namespace internal

// Pass 1: counts, per site, in how many documents each line occurs. Not
// thread-safe: one counter per thread, merged at the end.
class TemplateCounter {
 public:
  explicit TemplateCounter(TemplateOptions options);

  // Counts the distinct lines of `doc` that have an identity (lines without
  // any word character are ignored) once each for `site`.
  void AddDocument(std::string_view site, const Document& doc);
  // The same for a text (builds its Document).
  void AddDocument(std::string_view site, std::string_view text);

  // Adds the counts of `other` (same options), e.g. another thread's.
  //
  // skip_below > 0 leaves out the (site, line) pairs of `other` counted in
  // fewer documents (site totals are always added): only for loading the
  // complete counts of a corpus into an empty counter that then decides
  // with min_count >= skip_below, which never looks at such pairs (a line
  // is a template line, or the mate of one, only when counted at least
  // min_count times); the index is then smaller and quicker to build. The
  // same holds for MergeSerialized.
  void Merge(const TemplateCounter& other, uint32_t skip_below = 0);

  // Bytes held by the counts.
  size_t MemoryBytes() const;

  // Documents counted (over all sites), sites, and distinct (site, line)
  // pairs.
  uint64_t documents() const;
  size_t sites() const;
  size_t pairs() const;
  // > 0 when the counts came from a pruned counts file (Serialize with
  // min_count): they then hold only the pairs seen at least this many times,
  // serve only min_count >= pruned_below(), and cannot be added to:
  // MergeSerialized refuses it; Merge does not check (its callers merge
  // complete counts, or copy pruned ones into an empty counter).
  uint32_t pruned_below() const { return pruned_below_; }

  // The counts as the bytes of a counts file (`chaff count`; the format is
  // in docs/formats.md): entries sorted by key, so equal counts give equal
  // bytes whatever the order of the documents, the threads or the merges
  // that made them. 12 bytes per site and per distinct (site, line) pair.
  //
  // min_count > 1 writes final counts for cleaning only: the (site, line)
  // pairs seen in fewer documents are left out (every site total stays),
  // which a TemplateIndex with min_count >= this never looks at (see Merge);
  // the file says so, and MergeSerialized refuses to add it to anything
  // or anything to it.
  std::string Serialize(uint32_t min_count = 0) const;
  // Adds the counts in `bytes`, a counts file. Fails (kDataError, saying
  // what is wrong: not a counts file, another version, truncated, corrupt)
  // and leaves the counter as it was when they are not; kInvalidArgument
  // when pruned counts would be added to other counts, or others to them.
  Status MergeSerialized(std::string_view bytes, uint32_t skip_below = 0);

  // Ends pass 1. The counter is left empty.
  TemplateIndex Finish();

 private:
  TemplateOptions options_;
  internal::CountTable lines_;  // (site, line) -> documents
  internal::CountTable sites_;  // site -> documents
  uint32_t pruned_below_ = 0;   // see pruned_below()
  std::vector<uint64_t> scratch_;
};

// Pass 2: decides which lines of a document are template lines. Immutable:
// share it between threads freely.
class TemplateIndex {
 public:
  TemplateIndex() = default;

  // One flag per line of `doc`: 1 for a template line (out is resized).
  // All zeros when templates are disabled or the site has fewer than
  // min_documents documents.
  void Flags(std::string_view site, const Document& doc, TemplateFlags* out) const;

  // Documents counted for `site`.
  uint32_t Documents(std::string_view site) const;

  const TemplateOptions& options() const { return options_; }
  // TemplateCounter::pruned_below() of the counts it was made from.
  uint32_t pruned_below() const { return pruned_below_; }

  // Documents of `site` holding a line equal to `line` after normalization.
  uint32_t LineDocuments(std::string_view site, std::string_view line) const;

 private:
  friend class TemplateCounter;

  TemplateOptions options_;
  internal::CountTable lines_;
  internal::CountTable sites_;
  uint32_t pruned_below_ = 0;
};

// Fails (kInvalidArgument) when `index` was made from pruned counts that
// left out pairs its min_count would count: they cannot decide exactly.
Status CheckPrunedCounts(const TemplateIndex& index);

}  // namespace chaff

#endif  // CHAFF_DETECT_TEMPLATES_H_
