// Cleaning a corpus: the engine behind `chaff clean`, for any program.
//
//   pass 1 (templates; skipped when they are off): every record is read,
//          parsed and turned into a Document on all threads, and each
//          thread counts the document's line identities per site in a
//          TemplateCounter of its own; the counters are merged (exact
//          counts add up, so the result does not depend on the threads).
//   pass 2: every record is read again, parsed, built into a Document once,
//          cleaned (repeats, templates with the pass-1 counts, chrome) and
//          rendered on the workers; with dedupe, the kept lines' tokens are
//          sketched on the workers too (no second tokenization). Batches are
//          collected in input order: near-duplicates decided (stars, as
//          `chaff dedupe` decides them), outputs written, reports counted.
// Reading, batching and in-order collection are the dedupe engine's
// (internal::BatchPipeline, io/corpus_reader.h): the same bytes come out at
// any number of threads.
//
// Inputs that cannot be read (a missing file, an I/O error, a corrupt
// gzip/zstd stream, also midway) are left out whole: the pass that found one
// starts again without it, no output of it is written, and the result lists
// it (the caller warns and exits with an error). Stdin cannot be left out.
//
// WARC inputs (io/warc.h): each document (a conversion record, a text/plain
// response) is a record; its site is the host of its WARC-Target-URI, so
// template lines are counted per host with no option; it is written as
// JSONL {"id","url","date","text"} (AppendWarcJson) with the cleaned text,
// or with --annotate the same record with the original text and a "chaff"
// member. A malformed WARC record (or a truncated gzip member) stops the
// run with the file and offset of the record (kDataError), unless
// fields.skip_bad_records: then it is skipped and counted, as the reader
// does (CleanCorpusResult::warc). WARC-Record-IDs are not checked for
// duplicates (the standard makes them unique; checking would hold a table
// growing with the file).
//
// Attributes (CleanOutputPlan::attributes, report/attributes.h): beside the
// cleaned output, per input a JSONL file of dolma attributes, one line per
// record in input order, bad records passed through included (with empty
// lists), near-duplicates dropped from the output included.
#ifndef CHAFF_CORPUS_CLEAN_CORPUS_H_
#define CHAFF_CORPUS_CLEAN_CORPUS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/corpus/dedupe.h"
#include "chaff/detect/clean.h"
#include "chaff/detect/templates.h"
#include "chaff/io/corpus_reader.h"
#include "chaff/io/files.h"
#include "chaff/status.h"

namespace chaff {

// Where cleaned documents go.
struct CleanOutputPlan {
  enum class Mode {
    kStream,  // one stream: stdout ("-"), a device/FIFO written in place, or
              // the file that one text input is cleaned into
    kJsonl,   // one .jsonl file (optionally .gz/.zst): every JSONL input
    kTree,    // a directory mirroring the inputs: one output per input
  };
  Mode mode = Mode::kStream;
  std::string path;                  // kStream / kJsonl: the stream or file
  std::vector<std::string> outputs;  // kTree: per input, its output file
  // Per input, its dolma attributes file (PlanAttributeOutputs); empty: no
  // attributes are written.
  std::vector<std::string> attributes;
};

// Checks and plans the outputs for `inputs`: `output` is "-", an existing
// device or FIFO, a .jsonl/.ndjson file (JSONL and WARC inputs only), a
// file (for one text input named on the command line, or stdin, when
// `output` is not an existing directory and does not end with '/'), or a
// directory (created if needed; never an existing file). Text inputs in a
// tree get their relative path (plus ".json" when `annotate`), JSONL inputs
// theirs, WARC inputs RecordsRelativeName's (a.warc.wet.gz: a.warc.wet.jsonl).
// Fails when an output would overwrite an input or two inputs would share
// an output.
StatusOr<CleanOutputPlan> PlanCleanOutputs(const std::vector<CorpusInput>& inputs,
                                           const std::string& output, bool annotate);

// The name, below the attributes directory, of the attributes file of `in`:
// the name of the JSONL file its records are in, so that a pipeline finds
// the attributes of documents/x/y.jsonl.gz as attributes/NAME/x/y.jsonl.gz
// (dolma's layout): a JSONL input's relative path as it is (compressed as
// the input is: OutputFile compresses by extension); a WARC input's
// RecordsRelativeName (the JSONL file chaff writes its records to);
// anything else (a text file, stdin) its relative path plus ".jsonl".
std::string AttributesRelativeName(const CorpusInput& in);

// Plans the attributes files of `inputs` under directory `dir` (created
// when the run writes them; never an existing file) into plan->attributes.
// Fails when one would overwrite an input or an output of `plan`, or two
// inputs would share one.
Status PlanAttributeOutputs(const std::vector<CorpusInput>& inputs, const std::string& dir,
                            CleanOutputPlan* plan);

struct CleanCorpusOptions {
  CleanOptions clean;
  // Template lines from pass 1; templates.enabled = false saves the pass.
  TemplateOptions templates;
  // JSONL fields (text, id) and the bad-record policy. Duplicate ids are
  // bad records too.
  JsonlFields fields;
  // The JSONL field holding a URL (or site): template lines are counted per
  // host. Empty, or a record without it: the record belongs to site "".
  std::string site_field = "url";
  // Write annotations (JSON byte spans) instead of cleaned text.
  bool annotate = false;
  // Also drop near-duplicate documents, judged on their cleaned text
  // (threshold, sketch and bands from these options; threads ignored).
  bool dedupe = false;
  DedupeOptions dedupe_options;
  // Worker threads; 0: one per core.
  int threads = 0;
  // Records are handed to workers in batches of about this many bytes.
  size_t batch_bytes = size_t{1} << 20;
  // Appended to the message of a bad record when it stops the run (e.g. the
  // command-line flag that would pass it through).
  std::string bad_record_hint;
  // Template counts made beforehand (CountCorpusTemplates, `chaff count`),
  // e.g. over every shard of a corpus: pass 1 is skipped and these decide
  // the template lines. Make it with the thresholds of `templates`:
  // TemplateCounter(templates), ReadTemplateCounts, Finish(). Must outlive
  // the call; ignored when templates are off.
  const TemplateIndex* counts = nullptr;
};

// What happened to one input.
struct CleanFileReport {
  std::string name;
  uint64_t documents = 0;     // documents cleaned (bad records excluded)
  uint64_t bad_records = 0;   // passed through unchanged
  uint64_t duplicates = 0;    // dropped as near-duplicates
  bool skipped = false;       // a binary file met in a directory walk
  bool unreadable = false;    // could not be read: no output
  Status error;               // why, when unreadable
  Accounting accounting;      // of the documents
};

struct CleanCorpusResult {
  std::vector<CleanFileReport> files;  // one per input, in input order
  uint64_t documents = 0;
  uint64_t bytes = 0;  // of records read in pass 2
  uint64_t unreadable = 0;
  size_t template_memory_bytes = 0;  // the pass-1 counts
  // What the WARC inputs held (pass 2): records, documents, records skipped
  // by type, malformed records skipped; read_warc: there was a WARC input.
  WarcCounts warc;
  bool read_warc = false;
  // The messages of the malformed WARC records skipped (the first
  // WarcReader::kMaxBadMessages of each file).
  std::vector<std::string> warc_warnings;
};

struct CleanProgress {
  int pass = 2;  // 1: counting template lines, 2: cleaning
  uint64_t documents = 0;
  uint64_t bytes = 0;  // records read so far in this pass
};
// Called about ten times a second from the calling thread; returning false
// stops the run, which then fails with kCancelled.
using CleanProgressCallback = std::function<bool(const CleanProgress&)>;

// Pass 1 alone: what CountCorpusTemplates returns.
struct CountCorpusResult {
  TemplateCounter counts{TemplateOptions()};
  // One per input, in input order: name, unreadable and error, skipped.
  std::vector<CleanFileReport> files;
  uint64_t documents = 0;    // counted
  uint64_t bad_records = 0;  // skipped (options.fields.skip_bad_records)
  uint64_t bytes = 0;        // of the records read
  uint64_t unreadable = 0;
};

// Counts the template lines of `inputs` per site, as pass 1 of CleanCorpus
// does (the same records, sites and options), and returns the counts
// unfinished: merge the counts of several shards (TemplateCounter::Merge,
// or files: WriteTemplateCounts, ReadTemplateCounts), then clean each shard
// with CleanCorpusOptions::counts. Cleaning shards with the merged counts of
// all of them writes what cleaning them in one run writes. Bad records stop
// the run (kDataError, "file:line: ...") unless
// options.fields.skip_bad_records; inputs that cannot be read are left out,
// as CleanCorpus does.
StatusOr<CountCorpusResult> CountCorpusTemplates(const std::vector<CorpusInput>& inputs,
                                                 const CleanCorpusOptions& options,
                                                 const CleanProgressCallback& progress = {});

// Adds the counts of the counts file at `path` to `counts` (errors name
// the file). skip_below: as TemplateCounter::MergeSerialized (for the one
// file of a corpus's complete counts, read to decide with min_count >=
// skip_below).
Status ReadTemplateCounts(const std::string& path, TemplateCounter* counts,
                          uint32_t skip_below = 0);
// Writes `counts` as a counts file (docs/formats.md) to `path`, which
// appears whole or not at all (compressed when it ends in .gz or .zst);
// returns its size before compression.
StatusOr<uint64_t> WriteTemplateCounts(const TemplateCounter& counts, const std::string& path);

// The template index to clean with the counts files `paths` (`chaff clean
// --counts`, CleanCorpusOptions::counts) and the thresholds of `options`:
// a file named twice is refused; one file holds a corpus's complete (or
// pruned) counts, so its pairs below options.min_count, which never
// decide, are not loaded; several are added up whole first; counts pruned
// below what options.min_count needs are refused (CheckPrunedCounts).
StatusOr<TemplateIndex> LoadTemplateCounts(const std::vector<std::string>& paths,
                                           const TemplateOptions& options);

// Refuses (kInvalidArgument) writing `output` over one of `inputs` (shards
// or counts files, compared as files: links and other names of the same
// file too), and counts files named twice in `inputs` when
// `distinct_inputs` (a file added twice would count twice).
Status CheckCountsPaths(const std::vector<std::string>& inputs, const std::string& output,
                        bool distinct_inputs);

// Refuses (kInvalidArgument) a cleaning plan that would write over one of
// the counts files it reads (`chaff clean --counts`).
Status CheckCountsNotOverwritten(const CleanOutputPlan& plan,
                                 const std::vector<std::string>& counts_paths);

// What MergeTemplateCountsFiles wrote.
struct MergeCountsStats {
  uint64_t documents = 0;      // counted, over all sites
  uint64_t sites = 0;
  uint64_t pairs = 0;          // distinct (site, line) pairs in the sum
  uint64_t pairs_written = 0;  // those written (all, unless pruned)
  uint64_t bytes = 0;          // of the output file
};

// Adds up the counts files `paths` into the counts file `output` (`chaff
// count --merge`) as streams: a k-way merge of their sorted entries, so
// memory holds a buffer per input, not the counts, whatever their size;
// more than kMaxMergeFiles inputs are merged in rounds through temporary
// files ($TMPDIR), so that at most that many are open at once. Every input
// is read twice (checked whole first: nothing is written from a damaged
// file). An output that is an input, or an input named twice, is refused. min_count > 1 writes pruned, final counts
// (TemplateCounter::Serialize). The bytes are those of loading the files
// into one TemplateCounter and serializing it. Errors name the file.
StatusOr<MergeCountsStats> MergeTemplateCountsFiles(const std::vector<std::string>& paths,
                                                    const std::string& output,
                                                    uint32_t min_count = 0);
inline constexpr size_t kMaxMergeFiles = 256;

// One document as cleaned, in input order (for reports such as HtmlReport).
struct CleanedDocument {
  uint64_t index = 0;         // 0-based among the run's records
  std::string_view name;      // "file" or "file:line"
  std::string_view id;        // the record's id, when it has one
  std::string_view text;      // the document's text (decoded)
  const CleanResult* result = nullptr;
  int64_t duplicate_of = -1;  // a near-duplicate of that record
  float similarity = 0.0f;
};
// Called from the worker that collects, one call at a time, in input order;
// the views are valid during the call.
using CleanObserver = std::function<void(const CleanedDocument&)>;

// Cleans `inputs` (must outlive the call) to `plan`. Outputs are written
// under temporary names and appear together when the run succeeds (a tree
// of more than OutputGroup::kMaxHeld files: as they complete, each whole);
// a run that fails leaves no output under a final name. When `outputs` is
// given, they are left in it for the caller to commit (with files of its
// own, e.g. reports); otherwise they are committed before returning. Bad
// records stop the run (kDataError, "file:line: ...") unless
// options.fields.skip_bad_records.
StatusOr<CleanCorpusResult> CleanCorpus(const std::vector<CorpusInput>& inputs,
                                        const CleanOutputPlan& plan,
                                        const CleanCorpusOptions& options,
                                        const CleanProgressCallback& progress = {},
                                        const CleanObserver& observer = {},
                                        OutputGroup* outputs = nullptr);

}  // namespace chaff

#endif  // CHAFF_CORPUS_CLEAN_CORPUS_H_
