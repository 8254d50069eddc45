#include "chaff/corpus/dedupe.h"

#include <sys/mman.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "chaff/io/raw_buffer.h"
#include "chaff/sketch/exact_jaccard.h"
#include "corpus/batch_pipeline.h"

namespace chaff {

StatusOr<DedupeOptions> ResolveDedupeOptions(DedupeOptions options) {
  if (!(options.threshold > 0.0 && options.threshold < 1.0)) {
    return InvalidArgument("--threshold must be in (0, 1), got " +
                           std::to_string(options.threshold));
  }
  if (options.num_hashes < 8 || options.num_hashes > 4096) {
    return InvalidArgument("--num-hashes must be in [8, 4096], got " +
                           std::to_string(options.num_hashes));
  }
  if (options.shingle_width < 1 || options.shingle_width > 64) {
    return InvalidArgument("--shingle-width must be in [1, 64], got " +
                           std::to_string(options.shingle_width));
  }
  if (options.threads < 0) {
    return InvalidArgument("--threads must be >= 0 (0: all cores)");
  }
  if (options.threads == 0) {
    options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  if (options.batch_bytes == 0) options.batch_bytes = 1;
  if (options.lsh.bands == 0 && options.lsh.rows == 0) {
    CHAFF_ASSIGN_OR_RETURN(options.lsh,
                           OptimalLshParams(options.threshold, options.num_hashes,
                                            options.lsh_weights));
  } else {
    Status s = ValidateLshParams(options.lsh, options.num_hashes);
    if (!s.ok()) return s.WithPrefix("--bands/--rows");
  }
  return options;
}

// --- Sketching ---------------------------------------------------------------

DedupeSketcher::DedupeSketcher(const DedupeOptions& options)
    : options_(options),
      hasher_(options.num_hashes, options.sketch_mode, options.minhash_seed) {}

void DedupeSketcher::Sketch(std::string_view text, Scratch* scratch,
                            DocumentSketch* out) const {
  Tokenize(text, options_.token_seed, &scratch->tokens);
  SketchTokens(scratch->tokens.hashes.data(), scratch->tokens.size(), scratch, out);
}

void DedupeSketcher::SketchTokens(const uint64_t* token_hashes, size_t n, Scratch* scratch,
                                  DocumentSketch* out) const {
  const auto k = static_cast<size_t>(options_.num_hashes);
  out->lanes.assign(k, 0);
  out->band_keys.assign(static_cast<size_t>(options_.lsh.bands), 0);
  out->shingles.clear();
  out->empty = n == 0;
  if (out->empty) return;
  Shingles(token_hashes, n, options_.shingle_width, &scratch->shingles);
  scratch->signature.resize(k);
  hasher_.Sketch(scratch->shingles.data(), scratch->shingles.size(),
                 scratch->signature.data());
  for (size_t i = 0; i < k; ++i) {
    out->lanes[i] = static_cast<uint8_t>(scratch->signature[i]);
  }
  BandKeys(scratch->signature.data(), options_.lsh, out->band_keys.data());
  if (options_.exact) {
    out->shingles = scratch->shingles;
    std::sort(out->shingles.begin(), out->shingles.end());
    out->shingles.erase(std::unique(out->shingles.begin(), out->shingles.end()),
                        out->shingles.end());
  }
}

double EstimateJaccardFromLowBytes(const uint8_t* a, const uint8_t* b, int k) {
  if (k <= 0) return 0.0;
  int eq = 0;
  for (int i = 0; i < k; ++i) eq += (a[i] == b[i]);
  constexpr double kChance = 1.0 / 256.0;
  const double f = static_cast<double>(eq) / k;
  return std::clamp((f - kChance) / (1.0 - kChance), 0.0, 1.0);
}

// --- Index and clustering ------------------------------------------------------

struct DedupeIndex::Impl {
  // Fixed-size chunks rather than one growing vector: a vector doubling its
  // capacity would transiently hold 3x the signatures.
  static constexpr size_t kChunkDocs = 4096;

  DedupeOptions options;
  size_t k;
  size_t bands;
  size_t n = 0;
  bool clustered = false;
  std::vector<std::unique_ptr<uint8_t[]>> lane_chunks;
  std::vector<std::unique_ptr<uint32_t[]>> key_chunks;
  std::vector<uint8_t> empty;
  std::vector<std::vector<uint64_t>> shingles;  // exact only

  explicit Impl(const DedupeOptions& o)
      : options(o),
        k(static_cast<size_t>(o.num_hashes)),
        bands(static_cast<size_t>(o.lsh.bands)) {}

  const uint8_t* Lanes(size_t i) const {
    return lane_chunks[i / kChunkDocs].get() + (i % kChunkDocs) * k;
  }
  // Band keys are stored band-major within a chunk (key of band j of the
  // chunk's document d at [j * kChunkDocs + d]), so clustering one band
  // reads them sequentially.
  uint32_t Key(size_t i, size_t band) const {
    return key_chunks[i / kChunkDocs][band * kChunkDocs + i % kChunkDocs];
  }

  // The similarity that decides whether a and b are duplicates.
  double Similarity(uint32_t a, uint32_t b) const {
    if (options.exact) return ExactJaccard(shingles[a], shingles[b]);
    return EstimateJaccardFromLowBytes(Lanes(a), Lanes(b), options.num_hashes);
  }
};

DedupeIndex::DedupeIndex(const DedupeOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}

DedupeIndex::~DedupeIndex() = default;

size_t DedupeIndex::size() const { return impl_->n; }

StatusOr<uint32_t> DedupeIndex::Add(DocumentSketch* sketch) {
  return Add(sketch->lanes.data(), sketch->band_keys.data(), sketch->empty,
             &sketch->shingles);
}

StatusOr<uint32_t> DedupeIndex::Add(const uint8_t* lanes,
                                    const uint32_t* band_keys, bool empty,
                                    std::vector<uint64_t>* shingles) {
  Impl& m = *impl_;
  if (m.n >= UINT32_MAX - 1) {
    return InvalidArgument("too many documents for one dedupe run (max 2^32 - 2)");
  }
  if (m.n % Impl::kChunkDocs == 0) {
    m.lane_chunks.emplace_back(new uint8_t[Impl::kChunkDocs * m.k]);
    m.key_chunks.emplace_back(new uint32_t[Impl::kChunkDocs * std::max<size_t>(m.bands, 1)]);
  }
  const size_t slot = m.n % Impl::kChunkDocs;
  std::memcpy(m.lane_chunks.back().get() + slot * m.k, lanes, m.k);
  if (!empty) {
    uint32_t* chunk = m.key_chunks.back().get();
    for (size_t j = 0; j < m.bands; ++j) chunk[j * Impl::kChunkDocs + slot] = band_keys[j];
  }
  m.empty.push_back(empty ? 1 : 0);
  if (m.options.exact) {
    m.shingles.emplace_back();
    if (shingles != nullptr && !empty) m.shingles.back().swap(*shingles);
  }
  return static_cast<uint32_t>(m.n++);
}

DedupeResult DedupeIndex::Cluster() {
  Impl& m = *impl_;
  DedupeResult result;
  result.lsh = m.options.lsh;
  result.documents = m.n;
  const auto n32 = static_cast<uint32_t>(m.n);
  UnionFind uf(m.n);
  const double threshold = m.options.threshold;

  // Members of the current run grouped by component: a new member is
  // compared with the members of each group it is not yet connected to,
  // until one verifies. This checks every candidate pair that is not already
  // connected (so the components are those of the full verified candidate
  // graph) while a run of 10,000 identical documents costs O(10,000), not
  // O(10,000^2).
  // The group vectors are reused from run to run (no allocation per run).
  std::vector<std::vector<uint32_t>> groups;
  size_t used = 0;
  auto process_run = [&](const uint64_t* begin, const uint64_t* end) {
    used = 0;
    for (const uint64_t* e = begin; e != end; ++e) {
      const auto doc = static_cast<uint32_t>(*e);
      int target = -1;
      for (size_t g = 0; g < used; ++g) {
        auto& group = groups[g];
        if (group.empty()) continue;
        bool joined = uf.Find(group.front()) == uf.Find(doc);
        if (!joined) {
          for (uint32_t other : group) {
            ++result.candidate_checks;
            const double s = m.Similarity(other, doc);
            if (s >= threshold) {
              uf.Union(other, doc);
              if (m.options.record_edges) {
                result.edges.push_back(DedupeEdge{other, doc, static_cast<float>(s)});
              }
              joined = true;
              break;
            }
          }
        }
        if (!joined) continue;
        if (target < 0) {
          target = static_cast<int>(g);
        } else {
          auto& into = groups[static_cast<size_t>(target)];
          into.insert(into.end(), group.begin(), group.end());
          group.clear();
        }
      }
      if (target < 0) {
        if (used == groups.size()) groups.emplace_back();
        groups[used].assign(1, doc);
        ++used;
      } else {
        groups[static_cast<size_t>(target)].push_back(doc);
      }
    }
  };

  // The (key, doc) entries of one band that can be in a run of two or more,
  // in (key, doc) order. Almost every band key is unique, so instead of
  // sorting all N entries a saturating counter (0, 1, 2+) per slot of a
  // table of >= 8N slots (indexed by the key's low bits; keys are hashes)
  // first finds the keys seen at least twice; only those entries (true runs
  // plus ~1/8 false positives) are sorted. All linear: two passes over the
  // keys, with the table in L2 for corpora up to ~100k documents, and a
  // radix sort (std::sort took two thirds of the clustering time).
  const size_t slots = [&] {
    size_t sz = 1024;
    while (sz < 8 * m.n) sz <<= 1;
    return sz;
  }();
  auto build_band = [&m, n32, slots](size_t band, std::vector<uint64_t>* entries,
                                     std::vector<uint8_t>* counts,
                                     std::vector<uint64_t>* scratch,
                                     std::vector<uint32_t>* digit_counts) {
    const uint32_t mask = static_cast<uint32_t>(slots - 1);
    counts->assign(slots, 0);
    uint8_t* c = counts->data();
    for (uint32_t i = 0; i < n32; ++i) {
      if (m.empty[i]) continue;
      uint8_t& slot = c[m.Key(i, band) & mask];
      slot = static_cast<uint8_t>(slot + (slot < 2));
    }
    entries->clear();
    for (uint32_t i = 0; i < n32; ++i) {
      if (m.empty[i]) continue;
      const uint32_t key = m.Key(i, band);
      if (c[key & mask] >= 2) entries->push_back(static_cast<uint64_t>(key) << 32 | i);
    }
    // Grouped by key with a stable radix sort on the key's 32 bits (three
    // passes of 11 bits): the entries were appended in document order, so
    // each run stays in document order, as a full sort would leave it.
    constexpr int kDigitBits = 11;
    constexpr size_t kDigits = size_t{1} << kDigitBits;
    scratch->resize(entries->size());
    uint64_t* src = entries->data();
    uint64_t* dst = scratch->data();
    const size_t count = entries->size();
    std::vector<uint32_t>& offsets = *digit_counts;
    for (int shift = 32; shift < 64; shift += kDigitBits) {
      offsets.assign(kDigits + 1, 0);
      for (size_t i = 0; i < count; ++i) ++offsets[((src[i] >> shift) & (kDigits - 1)) + 1];
      for (size_t d = 0; d < kDigits; ++d) offsets[d + 1] += offsets[d];
      for (size_t i = 0; i < count; ++i) dst[offsets[(src[i] >> shift) & (kDigits - 1)]++] = src[i];
      std::swap(src, dst);
    }
    if (src != entries->data()) entries->swap(*scratch);
  };
  auto process_band = [&](const std::vector<uint64_t>& entries) {
    for (size_t i = 0; i < entries.size();) {
      size_t j = i + 1;
      while (j < entries.size() && (entries[j] >> 32) == (entries[i] >> 32)) ++j;
      if (j - i > 1) process_run(entries.data() + i, entries.data() + j);
      i = j;
    }
  };
  {
    // The bands are built in groups of up to kMaxBuilders, one per thread
    // (a thread's count table is 8n bytes, and a group's entries are what
    // clustering holds beyond the index), then the group's runs are
    // processed on this thread in band order.
    constexpr size_t kMaxBuilders = 4;
    const size_t builders = std::max<size_t>(
        1, std::min({static_cast<size_t>(std::max(m.options.threads, 1)), m.bands, kMaxBuilders}));
    struct Builder {
      std::vector<uint64_t> entries;
      std::vector<uint8_t> counts;
      std::vector<uint64_t> scratch;
      std::vector<uint32_t> digit_counts;
    };
    std::vector<Builder> b(builders);
    for (size_t first = 0; first < m.bands; first += builders) {
      const size_t count = std::min(builders, m.bands - first);
      auto build = [&](size_t t) {
        build_band(first + t, &b[t].entries, &b[t].counts, &b[t].scratch, &b[t].digit_counts);
      };
      std::vector<std::thread> threads;
      size_t started = 1;
      try {
        for (; started < count; ++started) threads.emplace_back(build, started);
      } catch (const std::system_error&) {
        // No thread to spare: the bands not started are built here (the
        // result does not depend on which thread builds a band).
      }
      build(0);
      for (size_t t = started; t < count; ++t) build(t);
      for (auto& t : threads) t.join();
      for (size_t t = 0; t < count; ++t) process_band(b[t].entries);
    }
  }

  result.representative.resize(m.n);
  result.similarity.resize(m.n);
  for (uint32_t i = 0; i < n32; ++i) {
    const uint32_t root = uf.Find(i);
    result.representative[i] = root;
    result.similarity[i] = root == i ? 1.0f : static_cast<float>(m.Similarity(root, i));
    result.empty_documents += m.empty[i];
  }
  std::vector<uint8_t> has_members(m.n, 0);
  for (uint32_t i = 0; i < n32; ++i) {
    const uint32_t rep = result.representative[i];
    if (rep == i) continue;
    ++result.removed;
    if (!has_members[rep]) {
      has_members[rep] = 1;
      ++result.duplicate_clusters;
    }
  }
  m.clustered = true;
  return result;
}

// --- Stars, decided in input order ---------------------------------------------

namespace {

// Backs a fresh anonymous mapping with pages now, in steps of 1 MiB:
// MAP_POPULATE does it in one call that holds the address-space lock (read)
// throughout (~4 ms for the 10 MB of a 24k-document run), so another
// thread's mmap or mprotect (a new batch, a malloc arena growing) would wait
// behind all of it. Returns 0 or an errno (ENOMEM: out of memory). Before
// Linux 5.14 (no MADV_POPULATE_WRITE) pages are faulted in by a write each.
int PopulateBlock(void* p, size_t bytes) {
#ifndef MADV_POPULATE_WRITE
  constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14
#endif
  constexpr size_t kStep = size_t{1} << 20;
  static std::atomic<bool> unsupported{false};
  auto* base = static_cast<volatile char*>(p);
  for (size_t at = 0; at < bytes; at += kStep) {
    const size_t len = std::min(kStep, bytes - at);
    if (!unsupported.load(std::memory_order_relaxed)) {
      if (::madvise(const_cast<char*>(base + at), len, MADV_POPULATE_WRITE) == 0) continue;
      if (errno != EINVAL) return errno;
      unsupported.store(true, std::memory_order_relaxed);
    }
    for (size_t page = 0; page < len; page += 4096) base[at + page] = 0;
  }
  return 0;
}

}  // namespace

struct StarDeduper::Impl {
  // Kept documents are numbered 0, 1, ... in input order ("slots"); their
  // signatures live in fixed-size chunks (no 3x transient of a growing
  // vector).
  static constexpr size_t kChunkDocs = 4096;
  // One table per band of kept documents' band keys, in buckets of one
  // cache line: 8 keys, then the 8 slots they belong to. A lookup reads one
  // line per band (25 lines per document, fetched in parallel), compares
  // its 8 keys without a branch per entry, and goes on to the next bucket
  // only when this one is full (linear probing by bucket; nothing is ever
  // removed, so a bucket with room ends every chain through it). Duplicate
  // keys are allowed: two kept documents may share a band key without
  // being similar. Key 0 marks an empty entry, so a key of 0 is stored as
  // 1 (one more candidate to verify, now and then).
  static constexpr size_t kBucketEntries = 8;
  struct alignas(64) Bucket {
    uint32_t key[kBucketEntries];
    uint32_t slot[kBucketEntries];
  };
  static_assert(sizeof(Bucket) == 64);
  static constexpr size_t kMinBuckets = 256;
  // Grow (by half) when the tables would be more than this full (entries /
  // room): few full buckets (a mean of 5 per 8); 320-480 bytes of tables
  // per kept document at 25 bands, 320 when Reserve sized them.
  static constexpr size_t kMaxLoadPercent = 62;

  DedupeOptions options;
  size_t k;
  size_t bands;
  uint32_t n = 0;
  std::vector<std::unique_ptr<uint8_t[]>> lane_chunks;  // kept documents'
  std::vector<uint32_t> kept_doc;          // slot -> input index
  std::vector<uint8_t> has_members;        // slot -> a removed document names it
  std::vector<std::vector<uint64_t>> shingles;  // slot -> set (exact only)
  // The band tables, one block: band j's buckets are [j * buckets, (j + 1)
  // * buckets). Mapped zero-filled and populated up front (PopulateBlock):
  // faulting in a fresh block page by page as entries land cost more than
  // all the lookups (26 MB of growing tables for 24k documents: ~6,000
  // faults).
  size_t buckets = 0;                      // per band, any number
  struct Block {
    Bucket* data = nullptr;
    size_t bytes = 0;
    Block() = default;
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    ~Block() {
      if (data != nullptr) ::munmap(data, bytes);
    }
    void swap(Block& other) {
      std::swap(data, other.data);
      std::swap(bytes, other.bytes);
    }
  };
  Block tables;
  std::vector<Bucket*> insert_at;          // per band: home bucket, then the one with room
  std::vector<uint32_t> masks;             // per band: matches | room << 8
  std::vector<uint32_t> candidates;
  DedupeResult result;

  explicit Impl(const DedupeOptions& o)
      : options(o),
        k(static_cast<size_t>(o.num_hashes)),
        bands(static_cast<size_t>(o.lsh.bands)),
        insert_at(bands),
        masks(bands) {
    result.lsh = o.lsh;
    // A few hundred kilobytes; a failure shows at the first Add (Reserve).
    (void)Grow(kMinBuckets);
  }

  const uint8_t* Lanes(uint32_t slot) const {
    return lane_chunks[slot / kChunkDocs].get() + (slot % kChunkDocs) * k;
  }

  static uint32_t StoredKey(uint32_t key) { return key == 0 ? 1 : key; }
  // Band keys are XXH3 outputs, uniform over 32 bits: key * buckets / 2^32
  // spreads them over a table of any size (no rounding up to a power of
  // two, which would leave tables up to half empty).
  Bucket* Home(size_t band, uint32_t key) const {
    return tables.data + band * buckets + ((uint64_t{key} * buckets) >> 32);
  }
  Bucket* Next(size_t band, const Bucket* b) const {
    Bucket* first = tables.data + band * buckets;
    const size_t i = static_cast<size_t>(b - first) + 1;
    return first + (i == buckets ? 0 : i);
  }

  void Prefetch(const uint32_t* keys) const {
    for (size_t j = 0; j < bands; ++j) __builtin_prefetch(Home(j, StoredKey(keys[j])));
  }

  // Bit e set when b.key[e] == key (key 0: the empty entries).
  static uint32_t MatchMask(const Bucket& b, uint32_t key) {
#if defined(__SSE2__)
    const __m128i k = _mm_set1_epi32(static_cast<int>(key));
    const __m128i lo = _mm_cmpeq_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(b.key)), k);
    const __m128i hi =
        _mm_cmpeq_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(b.key + 4)), k);
    return static_cast<uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(lo)) |
                                 _mm_movemask_ps(_mm_castsi128_ps(hi)) << 4);
#else
    uint32_t mask = 0;
    for (size_t e = 0; e < kBucketEntries; ++e) mask |= uint32_t{b.key[e] == key} << e;
    return mask;
#endif
  }
  static uint32_t EmptyMask(const Bucket& b) { return MatchMask(b, 0); }

  Status Grow(size_t new_buckets) {
    Block grown;
    grown.bytes = std::max<size_t>(bands, 1) * new_buckets * sizeof(Bucket);
    void* p = ::mmap(nullptr, grown.bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    int err = p == MAP_FAILED ? errno : 0;
    if (err == 0) {
      grown.data = static_cast<Bucket*>(p);  // zero-filled: every entry empty
      err = PopulateBlock(p, grown.bytes);
    }
    if (err != 0) {
      return IoError("cannot allocate " + std::to_string(grown.bytes >> 20) +
                     " MiB for the dedupe tables: " + std::strerror(err));
    }
    tables.swap(grown);
    const size_t old_buckets = buckets;
    buckets = new_buckets;
    if (grown.data == nullptr) return Status::Ok();
    for (size_t j = 0; j < bands; ++j) {
      const Bucket* old = grown.data + j * old_buckets;
      for (size_t i = 0; i < old_buckets; ++i) {
        for (size_t e = 0; e < kBucketEntries; ++e) {
          if (old[i].key[e] != 0) Insert(j, old[i].key[e], old[i].slot[e]);
        }
      }
    }
    return Status::Ok();
  }

  // Buckets per band for `kept` kept documents.
  static size_t BucketsFor(size_t kept) {
    const size_t room = kBucketEntries * kMaxLoadPercent;
    return std::max(kMinBuckets, (kept * 100 + room - 1) / room);
  }

  // An estimate of the documents to come is trusted up to the larger of 8
  // times the documents seen and what 64 MiB of tables hold (200k documents
  // at 25 bands): a first stretch of short records must not claim tables for
  // a hundred times the documents that will come, and growing step by step
  // moves every entry at each step.
  Status ReserveEstimate(size_t estimate, size_t seen) {
    constexpr size_t kTrustedBytes = size_t{64} << 20;
    const size_t table_bytes_per_document =
        std::max<size_t>(bands, 1) * sizeof(Bucket) * 100 / (kBucketEntries * kMaxLoadPercent);
    const size_t trusted = std::max(8 * seen, kTrustedBytes / table_bytes_per_document);
    return Reserve(std::min(estimate, trusted));
  }

  // Grows at least by half (a reservation that creeps up does not move
  // every entry each time).
  Status Reserve(size_t documents) {
    const size_t want = BucketsFor(documents);
    if (want <= buckets) return Status::Ok();
    return Grow(std::max(want, buckets + buckets / 2));
  }

  void Insert(size_t band, uint32_t key, uint32_t slot) {
    Bucket* b = Home(band, key);
    uint32_t empty;
    while ((empty = EmptyMask(*b)) == 0) b = Next(band, b);
    const auto e = static_cast<size_t>(__builtin_ctz(empty));
    b->key[e] = key;
    b->slot[e] = slot;
  }

  double Similarity(uint32_t slot, const uint8_t* lanes,
                    const std::vector<uint64_t>* doc_shingles) const {
    if (options.exact) {
      static const std::vector<uint64_t> kNone;
      return ExactJaccard(shingles[slot], doc_shingles ? *doc_shingles : kNone);
    }
    return EstimateJaccardFromLowBytes(Lanes(slot), lanes, options.num_hashes);
  }

  StatusOr<Decision> Add(const uint8_t* lanes, const uint32_t* keys, bool empty,
                         std::vector<uint64_t>* doc_shingles) {
    const size_t kept = kept_doc.size();
    if (!empty) CHAFF_RETURN_IF_ERROR(Reserve(kept + 1));
    const uint32_t doc = n++;
    Decision d;
    d.index = d.representative = doc;
    if (empty) {
      ++result.empty_documents;
      Record(d);
      return d;
    }
    // Every kept document that shares a band key; per band, the bucket
    // where an insertion would go. First the home bucket of every band,
    // without a branch on what a bucket holds, so that the 25 loads are in
    // flight together; then the matches, and the rare full buckets. The
    // lines are requested all at once before the loads, even when the
    // caller prefetched them earlier: without it one thread ran 5% slower
    // end to end (interleaved runs, 143.8 against 136.4 ms).
    Prefetch(keys);
    for (size_t j = 0; j < bands; ++j) {
      const uint32_t key = StoredKey(keys[j]);
      Bucket* b = Home(j, key);
      insert_at[j] = b;
      masks[j] = MatchMask(*b, key) | EmptyMask(*b) << kBucketEntries;
    }
    candidates.clear();
    for (size_t j = 0; j < bands; ++j) {
      Bucket* b = insert_at[j];
      uint32_t match = masks[j] & ((1u << kBucketEntries) - 1);
      uint32_t room = masks[j] >> kBucketEntries;
      while (match != 0 || room == 0) {  // rare: a shared key or a full bucket
        for (; match != 0; match &= match - 1) {
          candidates.push_back(b->slot[__builtin_ctz(match)]);
        }
        if (room != 0) break;
        b = Next(j, b);
        match = MatchMask(*b, StoredKey(keys[j]));
        room = EmptyMask(*b);
      }
      insert_at[j] = b;
    }
    if (candidates.size() > 1) {
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    }
    // The first kept document (slots are in input order) that verifies.
    for (const uint32_t slot : candidates) {
      ++result.candidate_checks;
      const double s = Similarity(slot, lanes, doc_shingles);
      if (s >= options.threshold) {
        d.representative = kept_doc[slot];
        d.similarity = static_cast<float>(s);
        ++result.removed;
        if (!has_members[slot]) {
          has_members[slot] = 1;
          ++result.duplicate_clusters;
        }
        if (options.record_edges) {
          result.edges.push_back(DedupeEdge{d.representative, doc, d.similarity});
        }
        Record(d);
        return d;
      }
    }
    // Kept: it becomes a candidate for the documents after it.
    const auto slot = static_cast<uint32_t>(kept);
    if (slot % kChunkDocs == 0) lane_chunks.emplace_back(new uint8_t[kChunkDocs * k]);
    std::memcpy(lane_chunks.back().get() + (slot % kChunkDocs) * k, lanes, k);
    kept_doc.push_back(doc);
    has_members.push_back(0);
    if (options.exact) {
      shingles.emplace_back();
      if (doc_shingles != nullptr) shingles.back().swap(*doc_shingles);
    }
    for (size_t j = 0; j < bands; ++j) {
      Bucket* b = insert_at[j];
      const auto e = static_cast<size_t>(__builtin_ctz(EmptyMask(*b)));
      b->key[e] = StoredKey(keys[j]);
      b->slot[e] = slot;
    }
    Record(d);
    return d;
  }

  void Record(const Decision& d) {
    result.representative.push_back(d.representative);
    result.similarity.push_back(d.similarity);
  }
};

StarDeduper::StarDeduper(const DedupeOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}

StarDeduper::~StarDeduper() = default;

void StarDeduper::Prefetch(const uint32_t* band_keys) const { impl_->Prefetch(band_keys); }

Status StarDeduper::Reserve(size_t documents) {
  return impl_->Reserve(std::min<size_t>(documents, size_t{1} << 32));
}

Status StarDeduper::ReserveEstimate(size_t estimate) {
  return impl_->ReserveEstimate(std::min<size_t>(estimate, size_t{1} << 32), impl_->n);
}

size_t StarDeduper::size() const { return impl_->n; }

Status StarDeduper::AddBatch(size_t n, const uint8_t* lanes, const uint32_t* band_keys,
                             const uint8_t* empty, std::vector<uint64_t>* shingles,
                             const std::function<Status(size_t, const Decision&)>& decided) {
  const size_t k = impl_->k;
  const size_t bands = impl_->bands;
  // The table lines of the documents just ahead are fetched while this one
  // is decided (each decision probes one line per band).
  constexpr size_t kAhead = 2;
  for (size_t i = 0; i < std::min(kAhead, n); ++i) {
    if (!empty[i]) Prefetch(band_keys + i * bands);
  }
  for (size_t i = 0; i < n; ++i) {
    if (i + kAhead < n && !empty[i + kAhead]) Prefetch(band_keys + (i + kAhead) * bands);
    CHAFF_ASSIGN_OR_RETURN(const Decision d,
                           Add(lanes + i * k, band_keys + i * bands, empty[i] != 0,
                               shingles != nullptr ? &shingles[i] : nullptr));
    CHAFF_RETURN_IF_ERROR(decided(i, d));
  }
  return Status::Ok();
}

StatusOr<StarDeduper::Decision> StarDeduper::Add(const uint8_t* lanes,
                                                 const uint32_t* band_keys, bool empty,
                                                 std::vector<uint64_t>* shingles) {
  if (impl_->n >= UINT32_MAX - 1) {
    return InvalidArgument("too many documents for one dedupe run (max 2^32 - 2)");
  }
  return impl_->Add(lanes, band_keys, empty, shingles);
}

DedupeResult StarDeduper::Finish() {
  DedupeResult result = std::move(impl_->result);
  result.documents = impl_->n;
  return result;
}

// --- Streaming driver ----------------------------------------------------------

namespace {

// Records and their sketches (handed to a SketchedBatchSink as a
// SketchedBatch view).
struct SketchRecordBatch final : internal::RecordBatch {
  std::vector<std::string_view> views;  // Record(i), once the batch is read
  std::vector<std::string> names;       // only when names are asked for
  std::vector<uint8_t> lanes;
  std::vector<uint32_t> keys;
  std::vector<uint8_t> empty;
  std::vector<std::vector<uint64_t>> shingles;
};

struct Worker {
  DedupeSketcher::Scratch scratch;
  DocumentSketch sketch;
  std::unique_ptr<TextDecoder> decoder;
};

void SketchBatch(const DedupeSketcher& sketcher, const DedupeOptions& options, bool names,
                 Worker* w, SketchRecordBatch* b) {
  const size_t k = static_cast<size_t>(options.num_hashes);
  const size_t bands = static_cast<size_t>(options.lsh.bands);
  const size_t n = b->size();
  b->lanes.resize(n * k);
  b->keys.resize(n * bands);
  b->empty.resize(n);
  b->views.resize(n);
  if (names) b->names.resize(n);
  if (options.exact) b->shingles.resize(n);
  for (size_t i = 0; i < n; ++i) b->views[i] = b->Record(i);
  for (size_t i = 0; i < n; ++i) {
    std::string_view text = b->views[i];
    if (w->decoder != nullptr) {
      Status s = w->decoder->Decode(b->views[i], b->sources[i], /*padded=*/true, &text);
      if (!s.ok()) {
        b->Fail(i, std::move(s));
        return;
      }
      if (names) w->decoder->Name(b->views[i], b->sources[i], b->lines[i], &b->names[i]);
    }
    sketcher.Sketch(text, &w->scratch, &w->sketch);
    std::memcpy(b->lanes.data() + i * k, w->sketch.lanes.data(), k);
    std::memcpy(b->keys.data() + i * bands, w->sketch.band_keys.data(),
                bands * sizeof(uint32_t));
    b->empty[i] = w->sketch.empty ? 1 : 0;
    if (options.exact) b->shingles[i].swap(w->sketch.shingles);
  }
}

// Reads documents from a vector (DedupeTexts).
class VectorReader : public DocumentReader {
 public:
  explicit VectorReader(const std::vector<std::string_view>& texts) : texts_(texts) {}
  StatusOr<bool> Next(RawDocument* doc) override {
    if (next_ >= texts_.size()) return false;
    doc->bytes = texts_[next_];
    doc->source = 0;
    doc->line = ++next_;
    return true;
  }
  std::string SourceName(uint32_t) const override { return "document"; }

 private:
  const std::vector<std::string_view>& texts_;
  size_t next_ = 0;
};

}  // namespace

StatusOr<SketchRunStats> SketchCorpus(DocumentReader* reader, const TextDecoderFactory& decoders,
                                      const DedupeOptions& options, bool names,
                                      const SketchedBatchSink& sink,
                                      const DedupeProgressCallback& progress) {
  if (names && !decoders) return Internal("SketchCorpus: names need decoders");
  const DedupeSketcher sketcher(options);
  // Hands a sketched batch to the sink, in input order (the pipeline then
  // reports a failed record with its source and line).
  auto collect = [&](internal::RecordBatch* batch) -> Status {
    auto* b = static_cast<SketchRecordBatch*>(batch);
    SketchedBatch view;
    view.size = b->ok_size();
    view.bytes = b->bytes;
    view.lanes = b->lanes.data();
    view.band_keys = b->keys.data();
    view.empty = b->empty.data();
    view.shingles = options.exact ? b->shingles.data() : nullptr;
    view.records = b->views.data();
    view.sources = b->sources.data();
    view.lines = b->lines.data();
    view.names = names ? b->names.data() : nullptr;
    if (view.size == 0 && b->bytes == 0) return Status::Ok();
    return sink(view);
  };
  // Also for one thread: a batch is sketched before it is decided, so the
  // table lines of the next documents can be fetched while one is decided
  // (1-4% faster end to end than sketching and deciding each record in
  // turn, in interleaved runs).
  internal::BatchPipelineOptions pipeline;
  pipeline.threads = std::max(1, options.threads);
  pipeline.batch_bytes = options.batch_bytes;
  pipeline.input_bytes_hint = options.input_bytes_hint;
  std::vector<Worker> workers(static_cast<size_t>(pipeline.threads));
  for (Worker& w : workers) {
    if (decoders) w.decoder = decoders();
  }
  internal::BatchPipeline run(
      reader, pipeline, [] { return std::make_unique<SketchRecordBatch>(); },
      [&](size_t worker, internal::RecordBatch* b) {
        SketchBatch(sketcher, options, names, &workers[worker], static_cast<SketchRecordBatch*>(b));
      },
      collect);
  DedupeProgress state;
  CHAFF_RETURN_IF_ERROR(run.Wait([&](uint64_t docs, uint64_t bytes) {
    state.documents = docs;
    state.bytes = bytes;
    return !progress || progress(state);
  }));
  SketchRunStats stats;
  stats.documents = run.documents();
  stats.bytes = run.bytes();
  return stats;
}

StatusOr<DedupeResult> DedupeCorpus(DocumentReader* reader,
                                    const TextDecoderFactory& decoders,
                                    const DedupeOptions& raw_options,
                                    const DedupeProgressCallback& progress,
                                    const DedupeSink& sink) {
  CHAFF_ASSIGN_OR_RETURN(const DedupeOptions options,
                         ResolveDedupeOptions(raw_options));
  if (sink && !options.split_chains) {
    return InvalidArgument(
        "components (no split chains) are known only at the end: no sink while reading");
  }
  // Stars are decided as documents arrive; components are clustered at the
  // end from an index of every document.
  std::unique_ptr<StarDeduper> stars;
  std::unique_ptr<DedupeIndex> index;
  if (options.split_chains) {
    stars = std::make_unique<StarDeduper>(options);
  } else {
    index = std::make_unique<DedupeIndex>(options);
  }
  const size_t k = static_cast<size_t>(options.num_hashes);
  const size_t bands = static_cast<size_t>(options.lsh.bands);

  // Sizes the star tables ahead from the input's size (when known) and the
  // documents per byte seen so far (StarDeduper::ReserveEstimate bounds how
  // far an estimate is trusted).
  uint64_t seen_documents = 0, seen_bytes = 0;
  auto reserve = [&](uint64_t documents, uint64_t bytes) -> Status {
    seen_documents += documents;
    seen_bytes += bytes;
    if (!stars || options.input_bytes_hint == 0 || seen_bytes == 0) return Status::Ok();
    const double estimate = 1.1 * static_cast<double>(options.input_bytes_hint) *
                            static_cast<double>(seen_documents) / static_cast<double>(seen_bytes);
    return stars->ReserveEstimate(static_cast<size_t>(std::min(estimate, 4e9)));
  };

  // Decides a sketched batch, in input order, handing each document to the
  // sink as soon as it is decided.
  auto collect = [&](SketchedBatch& b) -> Status {
    CHAFF_RETURN_IF_ERROR(reserve(b.size, b.bytes));
    if (index) {
      for (size_t i = 0; i < b.size; ++i) {
        CHAFF_RETURN_IF_ERROR(index
                                  ->Add(b.lanes + i * k, b.band_keys + i * bands, b.empty[i] != 0,
                                        b.shingles ? &b.shingles[i] : nullptr)
                                  .status());
      }
      return Status::Ok();
    }
    if (!sink) {
      return stars->AddBatch(b.size, b.lanes, b.band_keys, b.empty, b.shingles,
                             [](size_t, const StarDeduper::Decision&) { return Status::Ok(); });
    }
    return stars->AddBatch(
        b.size, b.lanes, b.band_keys, b.empty, b.shingles,
        [&](size_t i, const StarDeduper::Decision& d) {
          DecidedDocument doc;
          doc.index = d.index;
          doc.record = b.records[i];
          doc.source = b.sources[i];
          doc.line = b.lines[i];
          doc.representative = d.representative;
          doc.similarity = d.similarity;
          doc.batch_end = i + 1 == b.size;
          return sink(doc);
        });
  };

  CHAFF_ASSIGN_OR_RETURN(const SketchRunStats run,
                         SketchCorpus(reader, decoders, options, /*names=*/false, collect,
                                      progress));
  DedupeProgress state;
  state.documents = run.documents;
  state.bytes = run.bytes;
  state.clustering = true;
  if (progress && !progress(state)) return Cancelled("interrupted");
  DedupeResult result = index ? index->Cluster() : stars->Finish();
  result.bytes = run.bytes;
  return result;
}

StatusOr<DedupeResult> DedupeTexts(const std::vector<std::string_view>& texts,
                                   const DedupeOptions& options) {
  VectorReader reader(texts);
  return DedupeCorpus(&reader, TextDecoderFactory(), options);
}

}  // namespace chaff
