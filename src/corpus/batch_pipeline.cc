#include "corpus/batch_pipeline.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <system_error>
#include <utility>

namespace chaff {
namespace internal {

void RecordBatch::Clear() {
  data.clear();
  refs.clear();
  owners.clear();
  bytes = 0;
  sources.clear();
  lines.clear();
  status = Status::Ok();
  failed = 0;
  read_status = Status::Ok();
}

void RecordBatch::Add(const RawDocument& doc) {
  if (doc.owner != nullptr && doc.padded) {  // decoders may read past a record
    if (owners.empty() || owners.back() != doc.owner) owners.push_back(doc.owner);
    refs.push_back(Ref{doc.bytes.data(), 0, doc.bytes.size()});
  } else {
    refs.push_back(Ref{nullptr, data.size(), doc.bytes.size()});
    data.Append(doc.bytes.data(), doc.bytes.size());
  }
  bytes += doc.bytes.size();
  sources.push_back(doc.source);
  lines.push_back(doc.line);
}

// Every worker takes turns at the reader (under a lock: records are read in
// order and cut into numbered batches), processes its batch on its own, then
// collects every finished batch that is next in order (under another lock,
// so collection stays in input order). No thread only collects: a collector
// thread would need a core of its own to keep the workers from stalling. At
// most kBatchesPerThread x threads batches exist at once (bounded memory).
BatchPipeline::BatchPipeline(DocumentReader* reader, const BatchPipelineOptions& options,
                             NewBatch new_batch, Process process, Collect collect)
    : reader_(reader),
      options_(options),
      new_batch_(std::move(new_batch)),
      process_(std::move(process)),
      collect_(std::move(collect)),
      permits_(kBatchesPerThread * static_cast<uint64_t>(std::max(1, options.threads))) {
  options_.threads = std::max(1, options_.threads);
  // Records stay in use until their batch is collected: up to
  // kBatchesPerThread batches per thread, each about batch_bytes.
  reader_->KeepBehind(kBatchesPerThread * static_cast<size_t>(options_.threads) *
                      options_.batch_bytes);
  try {
    for (int t = 0; t < options_.threads; ++t) {
      threads_.emplace_back([this, t] { Run(static_cast<size_t>(t)); });
    }
  } catch (const std::system_error& e) {
    // Out of threads (a process or memory limit): the ones started stop,
    // and Wait reports it.
    {
      std::lock_guard<std::mutex> lock(mu_);
      abort_ = true;
      error_ = IoError("cannot start " + std::to_string(options_.threads) +
                       " worker threads (" + e.what() + "); use fewer threads");
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }
}

BatchPipeline::~BatchPipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    abort_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

Status BatchPipeline::Wait(const std::function<bool(uint64_t, uint64_t)>& tick) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!error_.ok()) return error_;
    if (total_known_ && next_ >= total_) return Status::Ok();
    done_cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (tick) {
      const uint64_t docs = documents_, bytes = bytes_;
      lock.unlock();
      const bool go = tick(docs, bytes);
      lock.lock();
      if (!go) {
        abort_ = true;
        cv_.notify_all();
        return Cancelled("interrupted");
      }
    }
  }
}

void BatchPipeline::Run(size_t worker) {
  for (;;) {
    std::unique_ptr<RecordBatch> b;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return abort_ || permits_ > 0; });
      if (abort_) return;
      --permits_;
      if (!spare_.empty()) {
        b = std::move(spare_.back());
        spare_.pop_back();
      }
    }
    if (!b) {
      b = new_batch_();
      b->data.Reserve(options_.batch_bytes + options_.batch_bytes / 8);
    }
    b->Clear();
    bool last = false;
    {
      std::lock_guard<std::mutex> read_lock(read_mu_);
      if (eof_) {
        std::lock_guard<std::mutex> lock(mu_);
        ++permits_;
        return;
      }
      RawDocument doc;
      const size_t target = BatchTarget();
      while (b->bytes < target && b->size() < 65536 &&
             !abort_.load(std::memory_order_relaxed)) {
        auto more = reader_->Next(&doc);
        if (!more.ok()) {
          b->read_status = more.status();
          eof_ = true;
          break;
        }
        if (!*more) {
          eof_ = true;
          break;
        }
        b->Add(doc);
        read_bytes_ += doc.bytes.size() + 1;
      }
      const bool submit = b->size() > 0 || !b->read_status.ok();
      if (submit) b->seq = seq_++;
      last = eof_;
      if (last) {
        std::lock_guard<std::mutex> lock(mu_);
        total_known_ = true;
        total_ = seq_;
        if (!submit) ++permits_;
      }
      if (!submit) {
        cv_.notify_all();
        done_cv_.notify_all();  // everything may be collected already
        return;
      }
    }
    // Records read before a read failure are processed too: a bad record
    // among them comes first in input order and is the error to report.
    if (b->size() > 0) process_(worker, b.get());
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_[b->seq] = std::move(b);
    }
    Drain();
    if (last) return;
  }
}

size_t BatchPipeline::BatchTarget() const {
  const uint64_t hint = options_.input_bytes_hint;
  if (hint == 0) return options_.batch_bytes;
  const uint64_t left = hint > read_bytes_ ? hint - read_bytes_ : 0;
  const uint64_t share = left / (kBatchesPerThread * static_cast<uint64_t>(options_.threads));
  constexpr uint64_t kMinBatch = 64 << 10;
  return static_cast<size_t>(
      std::min<uint64_t>(options_.batch_bytes, std::max(share, kMinBatch)));
}

// Collects every finished batch that is next in order, unless another thread
// is collecting: then this one goes back to processing (collecting decides
// and writes, which is worth overlapping), and the collector takes its
// batch. A batch put in done_ while the collector holds collect_mu_ is seen
// by the collector's check after it lets go (the batch's finisher failed
// try_lock before that), so none is left behind.
void BatchPipeline::Drain() {
  for (;;) {
    if (!collect_mu_.try_lock()) return;
    const bool ok = DrainLocked();
    collect_mu_.unlock();
    if (!ok) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (abort_ || done_.find(next_) == done_.end()) return;
  }
}

bool BatchPipeline::DrainLocked() {
  for (;;) {
    std::unique_ptr<RecordBatch> b;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (abort_) return false;
      auto it = done_.find(next_);
      if (it == done_.end()) return true;
      b = std::move(it->second);
      done_.erase(it);
    }
    Status s = collect_(b.get());
    if (s.ok() && !b->status.ok()) {
      std::string where = reader_->SourceName(b->sources[b->failed]);
      if (b->lines[b->failed] > 0) where += ":" + std::to_string(b->lines[b->failed]);
      s = b->status.WithPrefix(where);
    }
    if (s.ok() && !b->read_status.ok()) s = b->read_status;
    bool finished;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!s.ok()) {
        if (error_.ok()) error_ = s;
        abort_ = true;
      } else {
        ++next_;
        documents_ += b->size();
        bytes_ += b->bytes;
        spare_.push_back(std::move(b));
        ++permits_;
      }
      finished = !s.ok() || (total_known_ && next_ >= total_);
    }
    cv_.notify_all();
    if (finished) done_cv_.notify_all();
    if (!s.ok()) return false;
  }
}

}  // namespace internal
}  // namespace chaff
