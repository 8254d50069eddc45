// Files out for corpus deduplication (`chaff dedupe`, `chaff clean
// --dedupe`): a writer that writes documents as they are decided
// (DedupeStreamWriter, the sink of a one-pass DedupeCorpus), and pass 2 for
// decisions known only at the end (WriteDedupeOutputs: reads the inputs
// again). Reading is io/corpus_reader.h.
#ifndef CHAFF_CORPUS_DEDUPE_OUTPUT_H_
#define CHAFF_CORPUS_DEDUPE_OUTPUT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/corpus/dedupe.h"
#include "chaff/io/files.h"
#include "chaff/status.h"

namespace chaff {

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

// The clusters file (DedupeOutputOptions::clusters): one JSONL line per
// document, in input order. Shared by `chaff dedupe` (DedupeStreamWriter) and
// `chaff cluster` (which names documents from their sketches). Nothing
// appears under the final name before Commit.
class ClustersFileWriter {
 public:
  // `named` (may be null; indexed by document, must outlive the writer):
  // when the decisions are known before writing, marks the representatives
  // that some removed document names, and only their names are held. Null:
  // every kept document's name is held (8 bytes plus the name each).
  static StatusOr<std::unique_ptr<ClustersFileWriter>> Create(
      const std::string& path, const std::vector<uint8_t>* named = nullptr);
  ~ClustersFileWriter();
  ClustersFileWriter(const ClustersFileWriter&) = delete;
  ClustersFileWriter& operator=(const ClustersFileWriter&) = delete;

  // Writes the line of the next document (`index` 0, 1, ... in turn) named
  // `name` (RecordName), whose representative (its own index when kept) was
  // an earlier document, with its similarity to it.
  Status Add(uint32_t index, std::string_view name, uint32_t representative,
             float similarity);
  Status Commit();

 private:
  ClustersFileWriter() = default;
  std::unique_ptr<OutputFile> file_;
  const std::vector<uint8_t>* named_ = nullptr;
  // Names of kept documents (a removed one names its representative's):
  // document i's is names_[begin_[i], begin_[i + 1]); removed documents, and
  // kept ones not in `named_`, add none.
  std::string names_;
  std::vector<uint64_t> begin_{0};
  std::string line_;
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
// if the inputs changed since pass 1 (a different number of records; with
// `input_ends`, the cumulative number of records after each input, checked
// input by input). `progress` is called about once per MiB read.
Status WriteDedupeOutputs(const std::vector<CorpusInput>& inputs,
                          const DedupeResult& result,
                          const DedupeOutputOptions& options,
                          const DedupeProgressCallback& progress,
                          DedupeWriteStats* stats,
                          const std::vector<uint64_t>* input_ends = nullptr);

}  // namespace chaff

#endif  // CHAFF_CORPUS_DEDUPE_OUTPUT_H_
