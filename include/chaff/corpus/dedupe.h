// Document-level near-duplicate detection across a corpus.
//
// Pipeline (one direction):
//   text -> tokens -> word n-gram shingles -> MinHash signature (K lanes)
//        -> b band keys (LSH) + the signature's low bytes (for verification)
// then one of two ways to decide (DedupeOptions::split_chains):
//   stars (the default), decided while reading: documents are taken in input
//        order; a document's candidates are the kept documents that share a
//        band key with it (one hash table per band, holding kept documents
//        only); it is a duplicate of the first of them (in input order) that
//        verifies on the full signature (or, with exact, on exact
//        shingle-set Jaccard), otherwise it is kept and enters the tables.
//        Every removed document is similar to the one kept in its place, and
//        each decision is final when it is made, so `chaff dedupe` writes its
//        output in the same pass (DedupeSink).
//   components: all documents -> per band: group (key, doc) by key -> runs of
//        equal keys are candidate pairs -> verified -> union-find -> clusters
//        (connected components, which can chain: A ~ B ~ C drops C even when
//        C is far from A). Needs every document before any decision.
// The representative of a cluster is its first document in input order, and
// it is the one kept.
//
// Memory per document is fixed: K bytes of signature (the low byte of each
// lane: b-bit minwise hashing with b = 8, Li & Koenig 2010) plus 4 bytes per
// band key plus a few bytes of bookkeeping for components; for stars, the
// signature and one 8-byte table entry per band (at a load of at most 0.62)
// of each kept document and 8 bytes of each removed one. No text is kept
// (except with `exact`, which keeps shingle sets, 8 bytes per shingle).
//
// Determinism: documents get indexes in input order; sketching is a pure
// function of the text; decisions are made in input order (stars) or after
// all documents are in, in a fixed order (band, key, document) (components,
// whose union-find root is always the smallest index), so the output is the
// same at any thread count.
#ifndef CHAFF_CORPUS_DEDUPE_H_
#define CHAFF_CORPUS_DEDUPE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/io/corpus_reader.h"
#include "chaff/sketch/lsh.h"
#include "chaff/sketch/minhash.h"
#include "chaff/sketch/shingle.h"
#include "chaff/status.h"
#include "chaff/text/tokenize.h"

namespace chaff {

// Dedupe needs a longer signature than chaff's other uses: verification on
// the signature must separate J = 0.7 from J = 0.85 (the estimate's spread is
// sqrt(J(1-J)/K): 0.022-0.029 at K = 256, 0.032-0.041 at K = 128). With one
// permutation hashing a longer signature costs almost nothing.
inline constexpr int kDefaultDedupeNumHashes = 256;

// The LSH weights used by default. datasketch weighs false positives and
// false negatives equally (0.5/0.5) because its candidates are its answer;
// here every candidate is verified on the full signature, so a false
// positive costs one comparison of K bytes while a false negative is a
// duplicate lost for good. With these weights, threshold 0.8 and K = 256
// give 25 bands x 10 rows: candidate probability 0.996 at J = 0.85 and 0.14
// at J = 0.6 (datasketch's 17 x 15 gives 0.79 and 0.008).
inline constexpr LshWeights kDefaultDedupeLshWeights{0.05, 0.95};

struct DedupeOptions {
  // Two documents are duplicates when their estimated (or, with `exact`,
  // exact) Jaccard similarity of word shingles is >= threshold. In (0, 1).
  double threshold = 0.8;
  int num_hashes = kDefaultDedupeNumHashes;  // K, 8..4096
  SketchMode sketch_mode = SketchMode::kOnePermutation;
  int shingle_width = kDefaultShingleWidth;
  // {0, 0}: chosen by OptimalLshParams(threshold, num_hashes, lsh_weights).
  LshParams lsh;
  LshWeights lsh_weights = kDefaultDedupeLshWeights;
  // Verify candidates by exact shingle-set Jaccard instead of the signature.
  // Keeps every document's shingle set in memory (8 bytes per shingle).
  bool exact = false;
  // Worker threads for reading, decoding and sketching; 0: all cores.
  int threads = 0;
  // true (the default): stars decided in input order (see the top of this
  // file): a document joins the first earlier kept document among its LSH
  // candidates that it is itself similar to (>= threshold), otherwise it is
  // kept. Every removed document is then similar to the document that
  // replaces it, and decisions are final as they are made (DedupeSink).
  // false: union-find connected components of the verified candidate graph,
  // which chain: A ~ B and B ~ C put C in A's cluster even when C is far
  // from A (on the 10x BBC benchmark, 1 removed document in 2,059 has exact
  // J 0.699 to the kept one at threshold 0.8).
  bool split_chains = true;
  // Record verified pairs in DedupeResult::edges (for evaluation).
  bool record_edges = false;
  uint64_t token_seed = kDefaultTokenSeed;
  uint64_t minhash_seed = kDefaultMinHashSeed;
  // The input's size in bytes when known (0: unknown): once the first
  // records are in, the number of documents is estimated from it and the
  // tables are sized for them at once (a size hint only; results do not
  // depend on it).
  uint64_t input_bytes_hint = 0;
  // Documents are handed to workers in batches of about this many bytes.
  size_t batch_bytes = size_t{1} << 20;
};

// Checks the options and fills in the LSH parameters when they are {0, 0}.
// Fails with kInvalidArgument naming the offending option.
StatusOr<DedupeOptions> ResolveDedupeOptions(DedupeOptions options);

// The per-document output of sketching.
struct DocumentSketch {
  bool empty = true;                 // no tokens: never a duplicate
  std::vector<uint8_t> lanes;        // K low bytes of the signature lanes
  std::vector<uint32_t> band_keys;   // one per band
  std::vector<uint64_t> shingles;    // sorted, unique; only with `exact`
};

// Turns a text into a DocumentSketch. Thread-safe (const); each thread
// brings its own Scratch.
class DedupeSketcher {
 public:
  // Precondition: `options` went through ResolveDedupeOptions.
  explicit DedupeSketcher(const DedupeOptions& options);

  struct Scratch {
    Tokens tokens;
    std::vector<uint64_t> shingles;
    std::vector<uint32_t> signature;
  };

  void Sketch(std::string_view text, Scratch* scratch, DocumentSketch* out) const;

  // The same from a text's token hashes, as Tokenize computes them with
  // options.token_seed (e.g. a Document's, or the kept lines' of one).
  void SketchTokens(const uint64_t* token_hashes, size_t n, Scratch* scratch,
                    DocumentSketch* out) const;

 private:
  DedupeOptions options_;
  MinHasher hasher_;
};

// Similarity estimated from two K-byte lane vectors: the fraction f of equal
// bytes, corrected for the 1/256 chance that two different lanes share their
// low byte: (f - 1/256) / (1 - 1/256), clamped to [0, 1].
double EstimateJaccardFromLowBytes(const uint8_t* a, const uint8_t* b, int k);

// A verified pair: documents a < b (input indexes) joined by clustering.
struct DedupeEdge {
  uint32_t a = 0;
  uint32_t b = 0;
  float similarity = 0.0f;
};

struct DedupeResult {
  // Per document, in input order: the index of its cluster's representative
  // (the cluster's first document; itself when kept) and its estimated (or
  // exact) similarity to it (1 for a representative).
  std::vector<uint32_t> representative;
  std::vector<float> similarity;
  // Pairs that joined two clusters (only with record_edges): a spanning
  // forest of the verified candidate graph, in clustering order.
  std::vector<DedupeEdge> edges;

  uint64_t documents = 0;
  uint64_t bytes = 0;              // input bytes read (records as stored)
  uint64_t empty_documents = 0;    // no tokens: kept, never clustered
  uint64_t duplicate_clusters = 0; // clusters with two or more documents
  uint64_t removed = 0;            // documents that are not representatives
  uint64_t candidate_checks = 0;   // verifications performed
  LshParams lsh;                   // the bands and rows used

  bool Kept(size_t i) const { return representative[i] == i; }
};

// Stars decided in input order (split_chains; see the top of this file).
// Not thread-safe: the caller decides documents from one thread, in input
// order.
class StarDeduper {
 public:
  // Precondition: `options` went through ResolveDedupeOptions.
  explicit StarDeduper(const DedupeOptions& options);
  ~StarDeduper();
  StarDeduper(const StarDeduper&) = delete;
  StarDeduper& operator=(const StarDeduper&) = delete;

  struct Decision {
    uint32_t index = 0;           // the document's input index
    uint32_t representative = 0;  // == index when kept
    float similarity = 1.0f;
  };

  // Decides the next document: lanes[0, K), band_keys[0, bands) (ignored
  // when empty), shingles moved out when `exact` and the document is kept
  // (may be null otherwise). Fails when the index is full (2^32 - 2
  // documents).
  StatusOr<Decision> Add(const uint8_t* lanes, const uint32_t* band_keys, bool empty,
                         std::vector<uint64_t>* shingles);

  // Makes room for this many documents in all (when known or estimated):
  // growing the tables as documents come moves every entry again at each
  // step, which costs more than the lookups. Fails (as Add may) when the
  // memory cannot be had.
  Status Reserve(size_t documents);
  // The same for an estimate of the documents in all, which is trusted only
  // so far (up to the larger of 8 times the documents added and what 64 MiB
  // of tables hold): a skewed estimate costs bounded memory.
  Status ReserveEstimate(size_t estimate);

  // Hints that a document with these band keys comes next: its table
  // entries are fetched while the caller decides the one before it.
  void Prefetch(const uint32_t* band_keys) const;

  // Decides `n` consecutive documents in turn, as Add does (lanes n x K,
  // band_keys n x bands, empty n, shingles n or null), with the table lines
  // of the documents ahead fetched while one is decided; calls
  // `decided(i, decision)` after document i. The decide step of
  // DedupeCorpus and of `chaff cluster` (sketches read from files). Stops
  // at the first failure of Add or of `decided`.
  Status AddBatch(size_t n, const uint8_t* lanes, const uint32_t* band_keys,
                  const uint8_t* empty, std::vector<uint64_t>* shingles,
                  const std::function<Status(size_t, const Decision&)>& decided);

  size_t size() const;

  // The decisions so far, as a DedupeResult (bytes left 0). Can be called
  // once; the deduper is spent afterwards.
  DedupeResult Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Collects sketches in input order and clusters them into connected
// components (split_chains is not consulted: stars are StarDeduper's). Not
// thread-safe: the caller adds documents from one thread, in input order.
class DedupeIndex {
 public:
  // Precondition: `options` went through ResolveDedupeOptions.
  explicit DedupeIndex(const DedupeOptions& options);
  ~DedupeIndex();
  DedupeIndex(const DedupeIndex&) = delete;
  DedupeIndex& operator=(const DedupeIndex&) = delete;

  // Appends the next document; returns its index. Moves out the shingles.
  // Fails when the index is full (2^32 - 1 documents).
  StatusOr<uint32_t> Add(DocumentSketch* sketch);

  // The same from flat arrays: lanes[0, K), band_keys[0, bands) (ignored
  // when empty), shingles moved out when `exact` (may be null otherwise).
  StatusOr<uint32_t> Add(const uint8_t* lanes, const uint32_t* band_keys,
                         bool empty, std::vector<uint64_t>* shingles);

  size_t size() const;

  // Clusters every document added so far into connected components. Can be
  // called once.
  DedupeResult Cluster();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Convenience for callers that hold the texts (tests, `chaff clean
// --dedupe` on documents already in memory): sketches texts[i] in order
// (multi-threaded as options.threads says) and decides them (DedupeCorpus).
StatusOr<DedupeResult> DedupeTexts(const std::vector<std::string_view>& texts,
                                   const DedupeOptions& options);

// --- Streaming over a corpus (records from io/corpus_reader.h) --------------

struct DedupeProgress {
  uint64_t documents = 0;
  uint64_t bytes = 0;
  bool clustering = false;  // reading is done; clustering has started
};

// One document as decided, handed to a DedupeSink in input order.
struct DecidedDocument {
  uint32_t index = 0;           // 0-based input index
  std::string_view record;      // the record as read (RawDocument::bytes)
  uint32_t source = 0;          // as RawDocument::source
  uint64_t line = 0;            // as RawDocument::line
  uint32_t representative = 0;  // == index when kept
  float similarity = 1.0f;      // to the representative
  // The last document of a batch. `record` stays valid until the sink
  // returns from the call for the batch's last document (not only from its
  // own call), so a sink may gather a batch's records and write them
  // together. A batch that fails part way ends with its last good document.
  bool batch_end = true;
  bool kept() const { return representative == index; }
};

// Receives every document right after it is decided, in input order, one
// call at a time (from whichever worker thread decides the batch: never the
// caller's). A failure stops the run with that status.
using DedupeSink = std::function<Status(const DecidedDocument&)>;

// Called from the thread that called DedupeCorpus, about ten times a
// second.
// Returning false stops the run, which then fails with kCancelled (how the
// CLI honours Ctrl-C without the library knowing about signals).
using DedupeProgressCallback = std::function<bool(const DedupeProgress&)>;

// A batch of consecutive documents as sketched, handed over in input order
// (SketchCorpus). Arrays are flat, document after document.
struct SketchedBatch {
  size_t size = 0;                        // documents
  uint64_t bytes = 0;                     // of their records
  const uint8_t* lanes = nullptr;         // size x K low bytes (zeros when empty)
  const uint32_t* band_keys = nullptr;    // size x bands (zeros when empty)
  const uint8_t* empty = nullptr;         // size: 1 when the document has no tokens
  std::vector<uint64_t>* shingles = nullptr;  // size sets (`exact` only; may be moved out)
  const std::string_view* records = nullptr;  // size: as RawDocument::bytes
  const uint32_t* sources = nullptr;      // size: as RawDocument::source
  const uint64_t* lines = nullptr;        // size: as RawDocument::line
  const std::string* names = nullptr;     // size (TextDecoder::Name), only when asked
};

// Receives batches in input order, one call at a time, from whichever
// worker thread collects (never the caller's). The records stay valid until
// it returns. A failure stops the run with that status.
using SketchedBatchSink = std::function<Status(SketchedBatch&)>;

struct SketchRunStats {
  uint64_t documents = 0;
  uint64_t bytes = 0;  // of the records
};

// Reads every record and sketches them on options.threads workers (which
// take turns at the reader and hand their batches to `sink` in input order;
// batches do not depend on the thread count). With `names`, each worker also
// names its records (TextDecoder::Name; the decoders must exist). The first
// failure in input order is returned, with its source and line. `progress`
// as for DedupeCorpus (`clustering` stays false). Precondition: `options`
// went through ResolveDedupeOptions.
StatusOr<SketchRunStats> SketchCorpus(DocumentReader* reader, const TextDecoderFactory& decoders,
                                      const DedupeOptions& options, bool names,
                                      const SketchedBatchSink& sink,
                                      const DedupeProgressCallback& progress = {});

// Reads every record, sketches them on options.threads workers (which take
// turns at the reader and add their batches in input order), and decides.
// The first failure in input order is returned, with its source and line.
// With split_chains (stars), `sink` (may be empty) gets every document as
// soon as it is decided, so the caller can write its output in this one
// pass; without split_chains a sink is an error (components are known only
// at the end: write from the result instead, WriteDedupeOutputs).
StatusOr<DedupeResult> DedupeCorpus(DocumentReader* reader,
                                    const TextDecoderFactory& decoders,
                                    const DedupeOptions& options,
                                    const DedupeProgressCallback& progress = {},
                                    const DedupeSink& sink = {});

}  // namespace chaff

#endif  // CHAFF_CORPUS_DEDUPE_H_
