// Cross-document template lines: pass 1 counts line identities per site
// exactly, pass 2 flags the lines seen on many pages of a site.
#include "chaff/detect/templates.h"

#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "chaff/text/line_shape.h"
#include "io/binary_codec.h"
#include "chaff/text/tokenize.h"

namespace chaff {
namespace {

uint64_t SiteHash(std::string_view site) {
  return XXH3_64bits_withSeed(site.data(), site.size(), 0x73697465ULL);  // "site"
}

// The key of a (site, line) pair. Line identities are XXH3 hashes already:
// one multiply-xorshift mixes the site in (a collision of two pairs needs
// equal 64-bit keys: ~2^-64 per pair of pairs).
uint64_t PairKey(uint64_t site_hash, uint64_t identity) {
  uint64_t k = identity ^ (site_hash * 0x9E3779B97F4A7C15ULL);
  k ^= k >> 31;
  return k;
}

}  // namespace

namespace internal {

// Open addressing with linear probing over 12-byte slots (a 64-bit key and
// a 32-bit count, packed: a pass 1 over many pages holds millions of them),
// at most 3/4 full. Key 0 marks a free slot; its count lives apart.
struct CountTable::Impl {
#pragma pack(push, 4)
  struct Slot {
    uint64_t key;
    uint32_t count;
  };
#pragma pack(pop)
  static_assert(sizeof(Slot) == 12);

  std::vector<Slot> slots = std::vector<Slot>(16, Slot{0, 0});
  size_t mask = 15;
  size_t used = 0;
  uint32_t zero_count = 0;  // the key 0
  bool has_zero = false;

  Slot* Find(uint64_t key) {
    for (size_t i = key & mask;; i = (i + 1) & mask) {
      Slot& s = slots[i];
      if (s.key == key || s.key == 0) return &s;
    }
  }

  // Room for `n` keys without growing.
  void Reserve(size_t n) {
    while (4 * n > 3 * (mask + 1)) Grow();
  }

  void Grow() {
    std::vector<Slot> bigger(2 * slots.size(), Slot{0, 0});
    const size_t m = bigger.size() - 1;
    for (const Slot& s : slots) {
      if (s.key == 0) continue;
      size_t i = s.key & m;
      while (bigger[i].key != 0) i = (i + 1) & m;
      bigger[i] = s;
    }
    slots.swap(bigger);
    mask = m;
  }
};

CountTable::CountTable() : impl_(std::make_unique<Impl>()) {}
CountTable::~CountTable() = default;
CountTable::CountTable(CountTable&&) noexcept = default;
CountTable& CountTable::operator=(CountTable&&) noexcept = default;

void CountTable::Add(uint64_t key, uint32_t n) {
  Impl& m = *impl_;
  uint32_t* count = &m.zero_count;
  if (key == 0) {
    m.has_zero = true;
  } else {
    if (4 * (m.used + 1) > 3 * (m.mask + 1)) m.Grow();
    Impl::Slot* s = m.Find(key);
    if (s->key == 0) {
      s->key = key;
      s->count = 0;
      ++m.used;
    }
    count = &s->count;
  }
  *count = *count > UINT32_MAX - n ? UINT32_MAX : *count + n;
}

uint32_t CountTable::Get(uint64_t key) const {
  if (key == 0) return impl_->zero_count;
  const Impl::Slot* s = impl_->Find(key);
  return s->key == key ? s->count : 0;
}

void CountTable::Prefetch(uint64_t key) const {
  __builtin_prefetch(&impl_->slots[key & impl_->mask]);
}

void CountTable::MergeFrom(const CountTable& other, uint32_t skip_below) {
  const Impl& o = *other.impl_;
  if (skip_below == 0) impl_->Reserve(impl_->used + o.used);
  if (o.has_zero && o.zero_count >= skip_below) Add(0, o.zero_count);
  // Not in slot order: keys taken in the order of their home slots would
  // each probe past every key placed before them (linear probing's run
  // grows with each insert: quadratic). An odd stride visits every slot.
  const size_t n = o.mask + 1;
  const size_t stride = static_cast<size_t>(0x9E3779B97F4A7C15ULL) | 1;
  for (size_t j = 0, i = 0; j < n; ++j, i = (i + stride) & o.mask) {
    const Impl::Slot& s = o.slots[i];
    if (s.key != 0 && s.count >= skip_below) Add(s.key, s.count);
  }
}

size_t CountTable::size() const { return impl_->used + (impl_->has_zero ? 1 : 0); }
size_t CountTable::MemoryBytes() const { return impl_->slots.capacity() * sizeof(Impl::Slot); }

void CountTable::ForEach(const std::function<void(uint64_t, uint32_t)>& f) const {
  if (impl_->has_zero) f(0, impl_->zero_count);
  for (const Impl::Slot& s : impl_->slots) {
    if (s.key != 0) f(s.key, s.count);
  }
}

}  // namespace internal

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

TemplateCounter::TemplateCounter(TemplateOptions options) : options_(std::move(options)) {}

void TemplateCounter::AddDocument(std::string_view site, const Document& doc) {
  const uint64_t site_hash = SiteHash(site);
  sites_.Add(site_hash, 1);
  scratch_.clear();
  for (size_t i = 0; i < doc.num_lines(); ++i) {
    const uint64_t id = doc.identity(i);
    if (id != 0) scratch_.push_back(id);
  }
  // Each line counts once per document: a menu repeated at the top and the
  // bottom of one page is still one page's evidence.
  std::sort(scratch_.begin(), scratch_.end());
  scratch_.erase(std::unique(scratch_.begin(), scratch_.end()), scratch_.end());
  // Every line is one random access into a large table: keys first, their
  // slots fetched a few lines ahead of the updates.
  constexpr size_t kAhead = 8;
  for (uint64_t& id : scratch_) id = PairKey(site_hash, id);
  for (size_t i = 0; i < std::min(kAhead, scratch_.size()); ++i) lines_.Prefetch(scratch_[i]);
  for (size_t i = 0; i < scratch_.size(); ++i) {
    if (i + kAhead < scratch_.size()) lines_.Prefetch(scratch_[i + kAhead]);
    lines_.Add(scratch_[i], 1);
  }
}

void TemplateCounter::AddDocument(std::string_view site, std::string_view text) {
  thread_local Document doc;
  doc.Build(text);
  AddDocument(site, doc);
}

void TemplateCounter::Merge(const TemplateCounter& other, uint32_t skip_below) {
  lines_.MergeFrom(other.lines_, skip_below);
  sites_.MergeFrom(other.sites_);
  pruned_below_ = std::max(pruned_below_, other.pruned_below_);
}

size_t TemplateCounter::MemoryBytes() const {
  return lines_.MemoryBytes() + sites_.MemoryBytes();
}

uint64_t TemplateCounter::documents() const {
  uint64_t n = 0;
  sites_.ForEach([&](uint64_t, uint32_t count) { n += count; });
  return n;
}
size_t TemplateCounter::sites() const { return sites_.size(); }
size_t TemplateCounter::pairs() const { return lines_.size(); }

// --- Counts files (docs/formats.md) ---------------------------------------------
//
//   "CHAFFCNT", u32 version, u32 pruned_below (0: complete), u64 sites, u64 pairs,
//   u64 XXH3 of the 32 bytes before (the header, 40 bytes);
//   sites x (u64 key, u32 documents), then pairs x (u64 key, u32 documents),
//   each part sorted by key;
//   u64 XXH3 of the entries.
namespace {

constexpr char kCountsMagic[8] = {'C', 'H', 'A', 'F', 'F', 'C', 'N', 'T'};
constexpr size_t kCountsHeaderBytes = TemplateCountsHeader::kBytes;

// The entries of `table` counted at least `least` times, sorted by key.
std::vector<std::pair<uint64_t, uint32_t>> SortedEntries(const internal::CountTable& table,
                                                         uint32_t least) {
  std::vector<std::pair<uint64_t, uint32_t>> entries;
  entries.reserve(least <= 1 ? table.size() : 0);
  table.ForEach([&](uint64_t key, uint32_t count) {
    if (count >= least) entries.emplace_back(key, count);
  });
  std::sort(entries.begin(), entries.end());
  return entries;
}

void AppendEntries(const std::vector<std::pair<uint64_t, uint32_t>>& entries,
                   internal::Encoder* e) {
  for (const auto& [key, count] : entries) {
    e->U64(key);
    e->U32(count);
  }
}

}  // namespace

std::string TemplateCountsHeader::Encode() const {
  std::string out;
  internal::Encoder e(&out);
  e.Bytes(kCountsMagic, sizeof(kCountsMagic));
  e.U32(kTemplateCountsVersion);
  e.U32(pruned_below);
  e.U64(sites);
  e.U64(pairs);
  e.U64(XXH3_64bits(out.data(), out.size()));
  return out;
}

StatusOr<TemplateCountsHeader> TemplateCountsHeader::Parse(std::string_view head) {
  if (head.size() < sizeof(kCountsMagic) ||
      std::memcmp(head.data(), kCountsMagic, sizeof(kCountsMagic)) != 0) {
    return DataError("not a chaff counts file (made by chaff count)");
  }
  if (head.size() < kBytes) return DataError("truncated counts file (its header is cut)");
  internal::Decoder h(head.data() + sizeof(kCountsMagic), kBytes - sizeof(kCountsMagic));
  const uint32_t version = h.U32();
  TemplateCountsHeader out;
  out.pruned_below = h.U32();
  out.sites = h.U64();
  out.pairs = h.U64();
  const uint64_t header_sum = h.U64();
  if (XXH3_64bits(head.data(), kBytes - 8) != header_sum) {
    return DataError("corrupt counts file: header checksum mismatch");
  }
  if (version != kTemplateCountsVersion) {
    return DataError("counts file of version " + std::to_string(version) + ", this chaff reads version " +
                     std::to_string(kTemplateCountsVersion) + ": count the shards again with this chaff");
  }
  return out;
}

uint64_t TemplateCountsHeader::FileBytes() const {
  constexpr uint64_t kMaxEntries = (UINT64_MAX - kBytes - kEndBytes) / kEntryBytes;
  if (sites > kMaxEntries || pairs > kMaxEntries - sites) return 0;
  return kBytes + kEntryBytes * (sites + pairs) + kEndBytes;
}

std::string TemplateCounter::Serialize(uint32_t min_count) const {
  // Counted at least once is every pair: the complete counts.
  const uint32_t pruned = std::max(pruned_below_, min_count <= 1 ? 0u : min_count);
  const auto sites = SortedEntries(sites_, 0);
  const auto pairs = SortedEntries(lines_, pruned);
  TemplateCountsHeader header;
  header.pruned_below = pruned;
  header.sites = sites.size();
  header.pairs = pairs.size();
  std::string out = header.Encode();
  out.reserve(header.FileBytes());
  internal::Encoder e(&out);
  AppendEntries(sites, &e);
  AppendEntries(pairs, &e);
  e.U64(XXH3_64bits(out.data() + kCountsHeaderBytes, out.size() - kCountsHeaderBytes));
  return out;
}

Status TemplateCounter::MergeSerialized(std::string_view bytes, uint32_t skip_below) {
  CHAFF_ASSIGN_OR_RETURN(const TemplateCountsHeader header, TemplateCountsHeader::Parse(bytes));
  const uint32_t pruned = header.pruned_below;
  const uint64_t sites = header.sites, pairs = header.pairs;
  // The size the header promises (none when it overflows: a file that long
  // cannot exist, so this one is cut).
  const uint64_t want = header.FileBytes();
  if (want == 0 || bytes.size() < want) {
    return DataError("truncated counts file: " + std::to_string(bytes.size()) +
                     " bytes, its header says " +
                     (want != 0 ? std::to_string(want) : std::string("more")));
  }
  if (bytes.size() > want) {
    return DataError("corrupt counts file: " + std::to_string(bytes.size() - want) +
                     " bytes after its end");
  }
  // Pruned counts are final: a pair left out of them may be frequent in
  // the sum.
  if (pruned > 0 && (pruned_below_ > 0 || sites_.size() > 0)) {
    return InvalidArgument("counts pruned to pairs seen at least " + std::to_string(pruned) +
                           " times (chaff count --merge --min-count) cannot be added to other "
                           "counts: merge the complete counts files instead");
  }
  if (pruned == 0 && pruned_below_ > 0) {
    return InvalidArgument("counts cannot be added to counts pruned to pairs seen at least " +
                           std::to_string(pruned_below_) + " times: merge the complete counts "
                           "files instead");
  }
  const char* entries = bytes.data() + kCountsHeaderBytes;
  const size_t entries_bytes = bytes.size() - kCountsHeaderBytes - 8;
  uint64_t sum;
  internal::LoadLittleEndian(entries + entries_bytes, 1, &sum);
  if (XXH3_64bits(entries, entries_bytes) != sum) {
    return DataError("corrupt counts file: checksum mismatch in its counts");
  }
  internal::Decoder d(entries, entries_bytes);
  auto add = [&d](uint64_t n, uint32_t least, internal::CountTable* table) {
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t key = d.U64();
      const uint32_t count = d.U32();
      if (count >= least) table->Add(key, count);
    }
  };
  add(sites, 0, &sites_);
  add(pairs, skip_below, &lines_);
  pruned_below_ = pruned;
  return Status::Ok();
}

TemplateIndex TemplateCounter::Finish() {
  TemplateIndex index;
  index.options_ = options_;
  index.lines_ = std::move(lines_);
  index.sites_ = std::move(sites_);
  index.pruned_below_ = pruned_below_;
  lines_ = internal::CountTable();
  sites_ = internal::CountTable();
  pruned_below_ = 0;
  return index;
}

Status CheckPrunedCounts(const TemplateIndex& index) {
  if (index.pruned_below() <= static_cast<uint32_t>(std::max(1, index.options().min_count))) {
    return Status::Ok();
  }
  return InvalidArgument("the counts hold only the lines seen on at least " +
                         std::to_string(index.pruned_below()) +
                         " pages (chaff count --merge --min-count): --template-min-count " +
                         std::to_string(index.options().min_count) + " needs the complete counts");
}

uint32_t TemplateIndex::Documents(std::string_view site) const {
  return sites_.Get(SiteHash(site));
}

uint32_t TemplateIndex::LineDocuments(std::string_view site, std::string_view line) const {
  Tokens tokens;
  Tokenize(line, kDefaultTokenSeed, &tokens);
  const uint64_t id = Document::Identity(tokens.hashes.data(), tokens.size());
  if (id == 0) return 0;
  return lines_.Get(PairKey(SiteHash(site), id));
}

void TemplateIndex::Flags(std::string_view site, const Document& doc,
                          TemplateFlags* out) const {
  TemplateFlags& flags = *out;
  const size_t n = doc.num_lines();
  flags.assign(n, 0);
  if (!options_.enabled) return;
  const uint64_t site_hash = SiteHash(site);
  const uint32_t docs = sites_.Get(site_hash);
  if (docs == 0 || docs < static_cast<uint32_t>(std::max(1, options_.min_documents))) {
    return;
  }
  const double needed = std::max<double>(
      options_.min_count, std::ceil(options_.min_share * static_cast<double>(docs)));
  // Every line's count is one random access into a large table: fetch a few
  // lines ahead.
  constexpr size_t kAhead = 8;
  for (size_t i = 0; i < std::min(n, kAhead); ++i) {
    if (doc.identity(i) != 0) lines_.Prefetch(PairKey(site_hash, doc.identity(i)));
  }
  // Candidates first: the frequent lines. A long sentence among them (a
  // prompt such as "Sign up to our newsletter ...") is a candidate like any
  // other, unless it is part of a passage of such sentences: two or more
  // adjacent paragraphs shared by the same pages (counts within 20% of each
  // other) are this page's own copy (wire copy, a republished article),
  // which near-duplicate detection judges, not the template counter. A
  // prompt after such a passage is on other pages than the passage, so its
  // count differs. Lines without words are neither (skipped below).
  constexpr uint8_t kFrequent = 1, kSentence = 2;
  thread_local std::vector<uint32_t> counts;
  counts.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n && doc.identity(i + kAhead) != 0) {
      lines_.Prefetch(PairKey(site_hash, doc.identity(i + kAhead)));
    }
    const uint64_t id = doc.identity(i);
    if (id == 0) continue;
    counts[i] = lines_.Get(PairKey(site_hash, id));
    if (static_cast<double>(counts[i]) < needed) continue;
    flags[i] = kFrequent;
    if (doc.num_tokens(i) >= static_cast<size_t>(options_.long_sentence_words) &&
        LineEndsLikeSentence(doc.line_text(i))) {
      flags[i] |= kSentence;
    }
  }
  constexpr uint8_t kBoth = kFrequent | kSentence;
  size_t prev = n;  // the previous line with words
  for (size_t i = 0; i < n; ++i) {
    if (doc.identity(i) == 0) continue;
    if (flags[i] == kBoth) {
      size_t next = i + 1;
      while (next < n && doc.identity(next) == 0) ++next;
      auto mate = [&](size_t j) {
        return j < n && (flags[j] & kSentence) &&
               5 * std::min(counts[i], counts[j]) >= 4 * std::max(counts[i], counts[j]);
      };
      const bool passage = mate(prev) || mate(next);
      if (passage) flags[i] = kSentence;  // kept: not kFrequent alone below
    }
    prev = i;
  }
  for (size_t i = 0; i < n; ++i) flags[i] = (flags[i] & kFrequent) ? 1 : 0;
  // A candidate that heads content of this page (the next line with words
  // is not a candidate but a line of this page's own) is a section label or
  // this page's title: it is left to the per-line classifier.
  bool has_next = false;
  bool next_is_candidate = false;
  for (size_t i = n; i-- > 0;) {
    if (doc.identity(i) == 0) continue;
    const bool candidate = flags[i] != 0;
    if (candidate && has_next && !next_is_candidate) flags[i] = 0;
    has_next = true;
    next_is_candidate = candidate;
  }
}

}  // namespace chaff
