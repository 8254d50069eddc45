// Cross-document template lines: pass 1 counts normalized lines per site in
// a count-min sketch, pass 2 flags the lines seen on many pages of a site.
#include "chaff/detect/templates.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>

#include "chaff/detect/chrome.h"
#include "chaff/text/tokenize.h"

namespace chaff {
namespace {

uint64_t SiteHash(std::string_view site) {
  return XXH3_64bits_withSeed(site.data(), site.size(), 0x73697465ULL);  // "site"
}

// Row r's counter index for (site, line). One 64-bit mix per row keeps the
// rows independent (a different seed per row).
size_t CellIndex(uint64_t site_hash, uint64_t line_hash, int row, uint32_t mask) {
  const uint64_t key[2] = {site_hash, line_hash};
  const uint64_t h = XXH3_64bits_withSeed(key, sizeof(key), static_cast<uint64_t>(row) + 1);
  return static_cast<size_t>(row) * (static_cast<size_t>(mask) + 1) + (h & mask);
}

// The identity of a line, or 0 when it holds no word (a "-" or "|" line is
// left to the per-line classifier).
uint64_t LineIdentity(std::string_view line, std::string* norm) {
  norm->clear();
  NormalizeForHash(line, norm);
  if (norm->empty()) return 0;
  const uint64_t h = XXH3_64bits_withSeed(norm->data(), norm->size(), kDefaultTokenSeed);
  return h == 0 ? 1 : h;
}

uint32_t RoundUpPowerOfTwo(uint32_t x) {
  uint32_t p = 1;
  while (p < x && p < (1u << 31)) p <<= 1;
  return p;
}

}  // namespace

std::string SiteFromUrl(std::string_view url) {
  std::string_view host = url;
  const size_t scheme = host.find("://");
  if (scheme != std::string_view::npos) host.remove_prefix(scheme + 3);
  const size_t path = host.find_first_of("/?#");
  if (path != std::string_view::npos) host = host.substr(0, path);
  const size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  // A port follows the last ':' unless the host is an IPv6 literal "[...]".
  const size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    host = host.substr(0, colon);
  } else if (colon != std::string_view::npos && host.back() != ']') {
    host = host.substr(0, colon);
  }
  std::string out(host);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  }
  if (out.compare(0, 4, "www.") == 0) out.erase(0, 4);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

TemplateCounter::TemplateCounter(TemplateOptions options)
    : options_(std::move(options)) {
  const uint32_t width = RoundUpPowerOfTwo(std::max<uint32_t>(options_.sketch_width, 1));
  mask_ = width - 1;
  const int depth = std::max(1, options_.sketch_depth);
  options_.sketch_depth = depth;
  sketch_.Allocate(static_cast<size_t>(width) * static_cast<size_t>(depth));
}

void TemplateCounter::AddDocument(std::string_view site, std::string_view text) {
  const uint64_t site_hash = SiteHash(site);
  ++site_documents_[site_hash];
  std::vector<Line> lines;
  SegmentLines(text, &lines);
  scratch_.clear();
  std::string norm;
  for (const Line& line : lines) {
    if (line.blank) continue;
    const uint64_t h = LineIdentity(LineText(text, line), &norm);
    if (h != 0) scratch_.push_back(h);
  }
  // Each line counts once per document: a menu repeated at the top and the
  // bottom of one page is still one page's evidence.
  std::sort(scratch_.begin(), scratch_.end());
  scratch_.erase(std::unique(scratch_.begin(), scratch_.end()), scratch_.end());
  const int depth = options_.sketch_depth;
  size_t cells[16];
  for (uint64_t h : scratch_) {
    // Conservative update: raise only the rows that hold the minimum, which
    // keeps over-counting from collisions much lower than plain count-min.
    uint32_t min = UINT32_MAX;
    for (int r = 0; r < depth && r < 16; ++r) {
      cells[r] = CellIndex(site_hash, h, r, mask_);
      min = std::min(min, sketch_[cells[r]]);
    }
    if (min == UINT32_MAX) continue;  // saturated
    for (int r = 0; r < depth && r < 16; ++r) {
      if (sketch_[cells[r]] == min) ++sketch_[cells[r]];
    }
  }
}

size_t TemplateCounter::MemoryBytes() const {
  // An unordered_map node: key, value, next pointer, cached hash, bucket.
  return sketch_.size() * sizeof(uint32_t) + site_documents_.size() * 40;
}

TemplateIndex TemplateCounter::Finish() {
  TemplateIndex index;
  index.options_ = options_;
  index.mask_ = mask_;
  index.sketch_.swap(sketch_);
  index.site_documents_.swap(site_documents_);
  sketch_.clear();
  site_documents_.clear();
  return index;
}

uint32_t TemplateIndex::Estimate(uint64_t site_hash, uint64_t line_hash) const {
  if (sketch_.empty()) return 0;
  uint32_t min = UINT32_MAX;
  for (int r = 0; r < options_.sketch_depth && r < 16; ++r) {
    min = std::min(min, sketch_[CellIndex(site_hash, line_hash, r, mask_)]);
  }
  return min;
}

uint32_t TemplateIndex::Documents(std::string_view site) const {
  auto it = site_documents_.find(SiteHash(site));
  return it == site_documents_.end() ? 0 : it->second;
}

uint32_t TemplateIndex::LineDocuments(std::string_view site, std::string_view line) const {
  std::string norm;
  const uint64_t h = LineIdentity(line, &norm);
  if (h == 0) return 0;
  return std::min(Estimate(SiteHash(site), h), Documents(site));
}

TemplateFlags TemplateIndex::Flags(std::string_view site, std::string_view text,
                                   const std::vector<Line>& lines) const {
  TemplateFlags flags(lines.size(), 0);
  if (!options_.enabled) return flags;
  const uint64_t site_hash = SiteHash(site);
  const uint32_t docs = Documents(site);
  if (docs == 0 || docs < static_cast<uint32_t>(std::max(1, options_.min_documents))) {
    return flags;
  }
  const double needed = std::max<double>(
      options_.min_count, std::ceil(options_.min_share * static_cast<double>(docs)));
  std::string norm;
  // Candidates first: frequent lines that are not long sentence-like ones.
  // Lines without words are neither candidates nor content (skipped below).
  std::vector<uint8_t> has_words(lines.size(), 0);
  const Stoplist no_stopwords;  // only length and punctuation are used
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].blank) continue;
    const std::string_view line = LineText(text, lines[i]);
    const uint64_t h = LineIdentity(line, &norm);
    if (h == 0) continue;
    has_words[i] = 1;
    if (static_cast<double>(Estimate(site_hash, h)) < needed) continue;
    const LineFeatures f = ComputeLineFeatures(line, no_stopwords);
    if (f.words >= options_.long_sentence_words && f.terminal) continue;
    flags[i] = 1;
  }
  // A candidate that heads content of this page (the next line with words
  // is not a candidate but a line of this page's own) is a section label or
  // this page's title: it is left to the per-line classifier.
  bool has_next = false;
  bool next_is_candidate = false;
  for (size_t i = lines.size(); i-- > 0;) {
    if (!has_words[i]) continue;
    const bool candidate = flags[i] != 0;
    if (candidate && has_next && !next_is_candidate) flags[i] = 0;
    has_next = true;
    next_is_candidate = candidate;
  }
  return flags;
}

}  // namespace chaff
