// Files in, files out for corpus deduplication (`chaff dedupe`, `chaff
// clean --dedupe`): the records of a list of inputs in a fixed order, the
// decoder that takes the text out of a JSONL record, and the writers: one
// that writes documents as they are decided (DedupeStreamWriter, the sink of
// a one-pass DedupeCorpus), and pass 2 for decisions known only at the end
// (WriteDedupeOutputs: reads the inputs again).
//
// Records: every line of a JSONL file that is not blank (spaces and tabs
// only) is one record; every text file is one record (binary files met in
// a directory walk are skipped, with a warning, every time). The i-th
// record of one reading is the i-th of the next, so DedupeResult indexes
// apply.
#ifndef CHAFF_DEDUPE_IO_H_
#define CHAFF_DEDUPE_IO_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/dedupe.h"
#include "chaff/io.h"
#include "chaff/status.h"

namespace chaff {

// One input of a corpus.
struct CorpusInput {
  std::string path;      // opened
  std::string name;      // shown in messages and used as an id ("<stdin>")
  std::string relative;  // below the directory named on the command line
  InputKind kind = InputKind::kText;
  bool from_walk = false;
};

// ListInputs (files, directories walked in sorted order) as CorpusInputs.
// "-" is rejected: stdin is an input of its own (path "-", or a spooled copy
// when it must be read twice), which the caller adds.
StatusOr<std::vector<CorpusInput>> ListCorpusInputs(
    const std::vector<std::string>& paths, std::vector<std::string>* warnings);

// The same from files already listed by ListInputs (e.g. by `chaff clean`).
// Precondition: no file is "-".
std::vector<CorpusInput> ToCorpusInputs(const std::vector<InputFile>& files);

// The records of `inputs`, in order. RawDocument::source indexes `inputs`;
// RawDocument::line is the JSONL line number (0 for a text file).
class CorpusReader final : public DocumentReader {
 public:
  // `inputs` must outlive the reader.
  explicit CorpusReader(const std::vector<CorpusInput>* inputs);
  ~CorpusReader() override;

  StatusOr<bool> Next(RawDocument* doc) override;
  std::string SourceName(uint32_t index) const override;
  void KeepBehind(size_t bytes) override { keep_behind_ = bytes; }

  // Bytes read so far (decompressed, line terminators included). May be
  // called from another thread while one is in Next (progress reports).
  uint64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }
  // Binary files skipped so far, one message each.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  StatusOr<bool> NextRecord(RawDocument* doc);

  const std::vector<CorpusInput>* inputs_;
  size_t next_input_ = 0;
  uint32_t current_ = 0;
  std::unique_ptr<LineReader> lines_;
  std::string whole_;  // the current text file
  uint64_t bytes_done_ = 0;
  std::atomic<uint64_t> bytes_read_{0};  // as of the last Next
  std::vector<std::string> warnings_;
  size_t keep_behind_ = 0;
};

struct JsonlFields {
  std::string text_field = "text";
  std::string id_field = "id";  // empty: no ids (messages use file:line)
  // A record that is not valid JSONL (or lacks a string text field) is kept
  // as an empty document (never a duplicate) instead of stopping the run.
  bool skip_bad_records = false;
};

// Optional last step of decoding: turns a document's text into the text to
// sketch, e.g. the cleaned text (`chaff clean --dedupe` deduplicates what it
// will write, not the chrome around it). Called concurrently from the worker
// threads (must be thread-safe); `storage` belongs to the calling worker and
// may hold the result until the next call.
using TextTransform =
    std::function<std::string_view(std::string_view text, std::string* storage)>;

// Decoders for CorpusReader records: a JSONL record gives its text field, a
// text file its bytes, then `transform` (when set) applies. Each decoder
// counts the bad records it skipped into *bad_records (atomically; may be
// null).
TextDecoderFactory CorpusDecoders(const std::vector<CorpusInput>* inputs,
                                  const JsonlFields& fields,
                                  std::shared_ptr<std::atomic<uint64_t>> bad_records = nullptr,
                                  TextTransform transform = nullptr);

struct DedupeOutputOptions {
  // "-" (stdout), a .jsonl/.ndjson file (optionally .gz/.zst) or a device
  // such as /dev/null: the kept records of every input, in order (JSONL
  // inputs only). Anything else is a directory that mirrors the inputs: a
  // JSONL input becomes a file of its kept records under the same relative
  // name, a kept text file is copied.
  std::string output;
  // When not empty, a JSONL file with one line per document, in input order:
  // {"id":..,"cluster":N,"representative":..,"similarity":x,"kept":b}
  // where N is the input index (0-based) of the cluster's representative.
  std::string clusters;
  JsonlFields fields;
  // Without a clusters file, JSONL inputs are copied in runs of kept records
  // (no parsing); this forces the record-by-record path instead (tests
  // compare the two).
  bool record_by_record = false;
};

struct DedupeWriteStats {
  uint64_t documents = 0;      // records read in pass 2
  uint64_t kept = 0;
  uint64_t bytes_written = 0;  // uncompressed
};

// Writes the outputs of DedupeOutputOptions document by document, as they
// are decided: the sink of a one-pass `chaff dedupe` (stars), and the
// record-by-record path of WriteDedupeOutputs. Documents must come in input
// order, each exactly once. Nothing appears under a final name before
// Finish (every output is a temporary file until then); destroying an
// unfinished writer removes them.
class DedupeStreamWriter {
 public:
  // Checks the plan (CheckDedupeOutputs) and opens the shared outputs.
  // `inputs` must outlive the writer. When the decisions are known before
  // writing (pass 2), `named_representatives` (indexed by document, must
  // outlive the writer) marks the representatives some removed document
  // names: only their ids are held for the clusters file, not every kept
  // document's.
  static StatusOr<std::unique_ptr<DedupeStreamWriter>> Create(
      const std::vector<CorpusInput>* inputs, const DedupeOutputOptions& options,
      const std::vector<uint8_t>* named_representatives = nullptr);
  ~DedupeStreamWriter();
  DedupeStreamWriter(const DedupeStreamWriter&) = delete;
  DedupeStreamWriter& operator=(const DedupeStreamWriter&) = delete;

  // Writes what `doc` contributes: the record when kept, its clusters line.
  Status Add(const DecidedDocument& doc);

  // Mirrors JSONL inputs that held no record as empty files and commits
  // every output.
  Status Finish();

  const DedupeWriteStats& stats() const { return stats_; }

 private:
  DedupeStreamWriter(const std::vector<CorpusInput>* inputs, const DedupeOutputOptions& options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  DedupeWriteStats stats_;
};

// Checks the output plan before any work: the output must not be an input,
// JSONL output needs JSONL inputs, two inputs must not map to one output.
Status CheckDedupeOutputs(const std::vector<CorpusInput>& inputs,
                          const DedupeOutputOptions& options);

// Pass 2: reads `inputs` again and writes what `result` keeps (and the
// clusters file). Every output is atomic (temporary file + rename). Fails
// if the inputs changed since pass 1 (a different number of records).
// `progress` is called about once per MiB read.
Status WriteDedupeOutputs(const std::vector<CorpusInput>& inputs,
                          const DedupeResult& result,
                          const DedupeOutputOptions& options,
                          const DedupeProgressCallback& progress,
                          DedupeWriteStats* stats);

}  // namespace chaff

#endif  // CHAFF_DEDUPE_IO_H_
