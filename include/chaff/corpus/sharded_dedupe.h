// Deduplication in stages with files between them, so that any scheduler
// (a shell loop, a Slurm array, Dask) can run it shard by shard, on as many
// machines as it has:
//
//   sketch  (SketchShards, `chaff sketch SHARD... -o DIR`): per shard, one
//           file DIR/NNNNNN.sketch of its documents' names, line numbers,
//           signature low bytes and band keys;
//   cluster (ClusterSketches, `chaff cluster DIR -o DECISIONS`): reads every
//           shard's sketches in the global order and makes the decisions of
//           DedupeCorpus (the same StarDeduper or DedupeIndex, fed from the
//           files); writes which records are kept (and the clusters file);
//   apply   (ApplyDecisions, `chaff apply DECISIONS SHARD... -o OUT`):
//           writes each shard's kept records.
//
// The global order. A shard list is the inputs in the order given (files,
// and directories walked in sorted order, exactly as `chaff dedupe` lists
// them); shard i of the list is the i-th. Each sketch file records its
// shard's index, the number of shards and a fingerprint of the whole list
// (XXH3 of the names), so every `chaff sketch` run that takes part must be
// given the same list (and may sketch only some of it: `only`). `chaff
// cluster` orders the files by index, whatever their names or the order in
// which they were made, and refuses a set with a shard missing, twice, or
// from another list. Documents are then in the order `chaff dedupe` reads
// them given the same list, and every decision, the kept records and the
// clusters file are byte for byte those of `chaff dedupe`.
//
// The file formats (little-endian, versioned, every part checksummed with
// XXH3-64) are documented in docs/formats.md; a reader fails with a message
// that names the file and says what is wrong (not a sketch file, another
// version, truncated, corrupt).
#ifndef CHAFF_CORPUS_SHARDED_DEDUPE_H_
#define CHAFF_CORPUS_SHARDED_DEDUPE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/corpus/dedupe.h"
#include "chaff/corpus/dedupe_output.h"
#include "chaff/io/corpus_reader.h"
#include "chaff/status.h"

namespace chaff {

inline constexpr uint32_t kSketchFileVersion = 1;
inline constexpr uint32_t kDecisionsFileVersion = 1;
// Sketch files are named by shard index: DIR/000042.sketch.
inline constexpr std::string_view kSketchFileExtension = ".sketch";

// XXH3-64 of the shard names in order (each followed by a NUL byte): what
// ties the sketch files of one shard list together.
uint64_t ShardListFingerprint(const std::vector<CorpusInput>& shards);

// The options (DedupeOptions) that make sketches and decide on them: every
// sketch file of one run shares them, and the decisions file repeats them.
struct SketchParams {
  int num_hashes = 0;
  LshParams lsh;
  int shingle_width = 0;
  SketchMode sketch_mode = SketchMode::kOnePermutation;
  double threshold = 0.0;
  uint64_t token_seed = 0;
  uint64_t minhash_seed = 0;

  static SketchParams Of(const DedupeOptions& options);
  // `split_chains` and `threads` are not sketch parameters.
  DedupeOptions ToOptions(bool split_chains, int threads) const;
  bool operator==(const SketchParams& o) const;
  std::string Describe() const;  // "256 oph hashes, 25 bands x 10 rows, ..."
};

// What a sketch file says about itself (its header).
struct SketchFileHeader {
  uint32_t shard_index = 0;
  uint32_t shard_count = 0;
  uint64_t list_fingerprint = 0;
  SketchParams params;
  // The shard: its name (CorpusInput::name) and its size in bytes when it
  // was sketched (0: unknown), which `chaff apply` checks.
  std::string name;
  uint64_t file_bytes = 0;
  // Provenance only: the JSONL fields the names and texts came from.
  std::string text_field;
  std::string id_field;
};

// Sketches of consecutive documents of one shard, as read back.
struct SketchBlock {
  size_t size = 0;                  // documents
  std::vector<uint8_t> lanes;       // size x K
  std::vector<uint32_t> band_keys;  // size x bands
  std::vector<uint8_t> empty;       // size
  std::vector<uint64_t> lines;      // size: line in the shard (0: a text file)
  std::string names;                // document i's name: names[name_end[i-1], name_end[i])
  std::vector<uint32_t> name_end;

  std::string_view Name(size_t i) const {
    const uint32_t b = i == 0 ? 0 : name_end[i - 1];
    return std::string_view(names).substr(b, name_end[i] - b);
  }
};

// Reads a sketch file block by block (memory: one block, a few hundred
// documents). Every failure names the file.
class SketchFileReader {
 public:
  // Reads and checks the header and the end marker (so a truncated file
  // fails here, before any work).
  static StatusOr<std::unique_ptr<SketchFileReader>> Open(const std::string& path);
  ~SketchFileReader();
  SketchFileReader(const SketchFileReader&) = delete;
  SketchFileReader& operator=(const SketchFileReader&) = delete;

  const SketchFileHeader& header() const { return header_; }
  // Documents in the file (from its end marker).
  uint64_t documents() const { return documents_; }
  // Size of the file in bytes.
  uint64_t file_size() const { return file_size_; }
  const std::string& path() const { return path_; }

  // Fills *block with the next block and returns true; false after the
  // last. Fails on a corrupt block.
  StatusOr<bool> Next(SketchBlock* block);

 private:
  SketchFileReader() = default;
  Status Read(uint64_t offset, size_t n, void* out) const;
  Status Corrupt(const std::string& what) const;

  std::string path_;
  int fd_ = -1;
  SketchFileHeader header_;
  uint64_t file_size_ = 0;
  uint64_t pos_ = 0;        // next block
  uint64_t blocks_end_ = 0; // where the end marker starts
  uint64_t documents_ = 0;  // from the end marker
  uint64_t read_docs_ = 0;
  std::string payload_;
};

// --- sketch --------------------------------------------------------------------

struct SketchShardsOptions {
  // Sketching (num_hashes, sketch_mode, shingle_width, seeds, threshold and
  // LSH parameters, threads, batch_bytes); `exact` is refused (it would
  // store every shingle), split_chains is the cluster step's.
  DedupeOptions dedupe;
  JsonlFields fields;
  std::string output_dir;  // created when missing
  // The shards to sketch, as indexes into the list (any order, no
  // repeats); empty: all of them.
  std::vector<uint32_t> only;
};

struct SketchShardsStats {
  uint64_t shards = 0;        // sketch files written
  uint64_t documents = 0;
  uint64_t input_bytes = 0;   // of the records read
  uint64_t sketch_bytes = 0;  // of the files written
  LshParams lsh;
};

// Sketches the shards of `shards` (the whole list, in the global order)
// selected by options.only into options.output_dir, one file per shard
// (atomically: a file is complete or absent; a run that fails keeps the
// files of the shards it finished). Records that are not valid JSONL stop
// the run unless fields.skip_bad_records (then they are empty documents,
// counted in *bad_records when not null). Binary files met in a walk are
// shards with no records, as `chaff dedupe` reads them (see `warnings`).
StatusOr<SketchShardsStats> SketchShards(const std::vector<CorpusInput>& shards,
                                         const SketchShardsOptions& options,
                                         const DedupeProgressCallback& progress = {},
                                         std::shared_ptr<std::atomic<uint64_t>> bad_records = nullptr,
                                         std::vector<std::string>* warnings = nullptr);

// --- cluster -------------------------------------------------------------------

// The sketch files named by `paths`: a directory gives its *.sketch files
// (not recursively), a file is taken as it is. Sorted by path within a
// directory (ClusterSketches orders them by shard index anyway).
StatusOr<std::vector<std::string>> FindSketchFiles(const std::vector<std::string>& paths);

struct ClusterOptions {
  // Stars decided in input order (true, `chaff dedupe`'s default) or
  // union-find components (false, --no-split-chains).
  bool split_chains = true;
  int threads = 0;            // components: threads building the bands (0: all cores)
  std::string decisions;      // the decisions file to write
  std::string clusters;       // when not empty, the clusters file to write
};

struct ClusterStats {
  uint64_t shards = 0;
  uint64_t sketch_bytes = 0;  // read
  DedupeResult result;        // decisions per document (global index), counts
};

// Reads the sketch files `files` (one per shard of one list: every shard
// exactly once) in the global order, decides as DedupeCorpus would, and
// writes the decisions file (and the clusters file), atomically and
// together. Memory: the decider's (for stars, the tables and the signature
// low bytes of kept documents) plus 9 bytes per document; the files are
// read one block at a time (twice with a clusters file).
StatusOr<ClusterStats> ClusterSketches(const std::vector<std::string>& files,
                                       const ClusterOptions& options,
                                       const DedupeProgressCallback& progress = {});

// --- apply ---------------------------------------------------------------------

// What a decisions file says (its header), and where each shard's bits are.
struct DecisionsShard {
  std::string name;
  uint64_t records = 0;
  uint64_t kept = 0;
  uint64_t file_bytes = 0;    // when sketched (0: unknown)
  uint64_t first_index = 0;   // global index of the shard's first record
  uint64_t bitmap_offset = 0; // in the file
  uint64_t bitmap_checksum = 0;
};

struct DecisionsFile {
  std::string path;
  uint64_t list_fingerprint = 0;
  bool split_chains = true;
  SketchParams params;
  uint64_t documents = 0;
  uint64_t kept = 0;
  std::vector<DecisionsShard> shards;  // in the global order
};

// Reads and checks a decisions file's header (and its size).
StatusOr<DecisionsFile> ReadDecisionsFile(const std::string& path);

// Shard `shard`'s kept flags, one per record (1: kept), checked against
// their checksum.
StatusOr<std::vector<uint8_t>> ReadKeptFlags(const DecisionsFile& decisions, size_t shard);

// Writes the kept records of `shards` (some or all of the shards of the
// decisions, each found by its name, or by its absolute path when the
// names differ; written in the global order whatever the order given) to
// output.output as `chaff dedupe` would (a JSONL file, - or a directory
// mirroring them). Fails, writing nothing, when a shard is not one of the
// decisions', is given twice, or changed since it was sketched (size or
// number of records). output.clusters must be empty (`chaff cluster`
// writes the clusters file).
StatusOr<DedupeWriteStats> ApplyDecisions(const std::string& decisions,
                                          const std::vector<CorpusInput>& shards,
                                          const DedupeOutputOptions& output,
                                          const DedupeProgressCallback& progress = {});

}  // namespace chaff

#endif  // CHAFF_CORPUS_SHARDED_DEDUPE_H_
