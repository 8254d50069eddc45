// The corpus engines' driver (dedupe, clean): records are read in input
// order on whichever worker holds the reader, cut into numbered batches,
// processed on the workers in any order, and collected strictly in batch
// order, one batch at a time. Batches (hence everything decided in
// collection) do not depend on the number of threads.
#ifndef CHAFF_CORPUS_BATCH_PIPELINE_H_
#define CHAFF_CORPUS_BATCH_PIPELINE_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "chaff/io/corpus_reader.h"
#include "chaff/io/raw_buffer.h"
#include "chaff/status.h"

namespace chaff {
namespace internal {

// Records handed to a worker. An engine derives from it to carry its
// per-batch results (a sketch per record, the rendered output, ...).
struct RecordBatch {
  static_assert(RawBuffer::kPadding >= kRecordPadding);

  virtual ~RecordBatch() = default;

  uint64_t seq = 0;
  // Records that came with an owner (lines of a mapped file) are views kept
  // alive by `owners`; the others are copied into `data`, back to back (each
  // followed by at least kRecordPadding readable bytes). A record is
  // [begin, begin + size) of its mapping when `view` is set, else of data.
  struct Ref {
    const char* view;
    size_t begin;
    size_t size;
  };
  RawBuffer data;
  std::vector<Ref> refs;
  std::vector<std::shared_ptr<const void>> owners;  // each distinct one once
  uint64_t bytes = 0;  // of all records
  std::vector<uint32_t> sources;
  std::vector<uint64_t> lines;
  // Set by processing: the first record (index `failed`) that failed, and
  // why; records after it are not collected.
  Status status;
  size_t failed = 0;
  Status read_status;  // the reader failed after the records above

  size_t size() const { return refs.size(); }
  // Records that processing accepted (all of them, or those before `failed`).
  size_t ok_size() const { return status.ok() ? size() : failed; }
  std::string_view Record(size_t i) const {
    const Ref& r = refs[i];
    return std::string_view(r.view != nullptr ? r.view : data.data() + r.begin, r.size);
  }
  void Fail(size_t i, Status s) {
    if (status.ok() || i < failed) {
      status = std::move(s);
      failed = i;
    }
  }
  // Clears the records (an engine's own results are its to clear).
  void Clear();
  void Add(const RawDocument& doc);
};

struct BatchPipelineOptions {
  int threads = 1;
  // Batches hold about this many bytes of records (and at most 65,536).
  size_t batch_bytes = size_t{1} << 20;
  // The input's size when known (0: unknown): near its end batches get
  // smaller, so that the threads finish together.
  uint64_t input_bytes_hint = 0;
};

class BatchPipeline {
 public:
  // Batches in flight (being read, processed or waiting their turn) per
  // thread: with 2 x threads a worker sat idle while the other collected the
  // first, slow, batch of a dedupe run.
  static constexpr size_t kBatchesPerThread = 4;

  // Makes an empty batch of the engine's type.
  using NewBatch = std::function<std::unique_ptr<RecordBatch>()>;
  // Processes a batch on worker `worker` (0 <= worker < threads); records
  // that fail are marked with RecordBatch::Fail. Called concurrently.
  using Process = std::function<void(size_t worker, RecordBatch* batch)>;
  // Collects a batch: called in batch order, one call at a time, from the
  // worker threads. A failure stops the run.
  using Collect = std::function<Status(RecordBatch* batch)>;

  // Starts the workers. The reader is told how much it must keep behind its
  // position (DocumentReader::KeepBehind) before the first read.
  BatchPipeline(DocumentReader* reader, const BatchPipelineOptions& options,
                NewBatch new_batch, Process process, Collect collect);
  // Stops and joins the workers (after Wait, or to abandon a run).
  ~BatchPipeline();
  BatchPipeline(const BatchPipeline&) = delete;
  BatchPipeline& operator=(const BatchPipeline&) = delete;

  // Blocks until every batch is collected or the run failed (the first
  // failure in input order: a record's, with the record's source and line
  // as prefix, or the reader's). Calls tick(documents, bytes) from this
  // thread about ten times a second; tick returning false cancels the run.
  Status Wait(const std::function<bool(uint64_t documents, uint64_t bytes)>& tick);

  uint64_t documents() const { return documents_; }  // collected, after Wait
  uint64_t bytes() const { return bytes_; }

 private:
  void Run(size_t worker);
  size_t BatchTarget() const;
  void Drain();
  bool DrainLocked();

  DocumentReader* reader_;
  BatchPipelineOptions options_;
  NewBatch new_batch_;
  Process process_;
  Collect collect_;
  std::vector<std::thread> threads_;
  // Reading: the reader itself, batch numbers, end of input.
  std::mutex read_mu_;
  uint64_t seq_ = 0;
  uint64_t read_bytes_ = 0;  // records read, plus one byte each for the newline
  bool eof_ = false;
  // Collecting, one batch at a time.
  std::mutex collect_mu_;
  // Everything else.
  std::mutex mu_;
  std::condition_variable cv_;       // workers: a permit, or abort
  std::condition_variable done_cv_;  // Wait: finished or failed (and ticks)
  uint64_t permits_;
  std::vector<std::unique_ptr<RecordBatch>> spare_;
  std::map<uint64_t, std::unique_ptr<RecordBatch>> done_;
  uint64_t next_ = 0;
  bool total_known_ = false;
  uint64_t total_ = 0;
  std::atomic<bool> abort_{false};  // set under mu_; the reading loop reads it without
  Status error_;
  uint64_t documents_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_CORPUS_BATCH_PIPELINE_H_
