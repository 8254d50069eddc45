// Counts files added up as streams (chaff count --merge): a k-way merge of
// the inputs' sorted entries, so memory holds a buffer per input, never the
// counts. Two passes: the first checks every input whole (checksums, sizes)
// and counts what the output will hold (its header comes first), the second
// writes it.
#include <xxhash.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "chaff/corpus/clean_corpus.h"
#include "chaff/io/files.h"
#include "io/binary_codec.h"

namespace chaff {
namespace {

using Header = TemplateCountsHeader;

// One counts file read entry by entry.
class CountsStream {
 public:
  Status Open(const std::string& path) {
    path_ = path;
    CHAFF_ASSIGN_OR_RETURN(source_, OpenSource(path));
    CHAFF_RETURN_IF_ERROR(Fill(Header::kBytes));
    StatusOr<Header> h = Header::Parse(std::string_view(buf_.data(), end_));
    if (!h.ok()) return Error(h.status().message());
    header_ = *h;
    opened_ = true;
    if (header_.FileBytes() == 0) return Error("truncated counts file: its header says more");
    pos_ = Header::kBytes;
    hashed_ = pos_;
    XXH3_64bits_reset(&hash_);
    left_[0] = header_.sites;
    left_[1] = header_.pairs;
    return Status::Ok();
  }

  const Header& header() const { return header_; }

  // The next entry of `section` (0: sites, 1: pairs); false at its end.
  StatusOr<bool> Next(int section, uint64_t* key, uint32_t* count) {
    if (left_[section] == 0) return false;
    if (end_ - pos_ < Header::kEntryBytes) CHAFF_RETURN_IF_ERROR(Fill(Header::kEntryBytes));
    internal::Decoder d(buf_.data() + pos_, Header::kEntryBytes);
    *key = d.U64();
    *count = d.U32();
    pos_ += Header::kEntryBytes;
    --left_[section];
    return true;
  }

  // After the last entry: the checksum matches and nothing follows.
  Status Finish() {
    XXH3_64bits_update(&hash_, buf_.data() + hashed_, pos_ - hashed_);
    hashed_ = pos_;
    if (end_ - pos_ < Header::kEndBytes) CHAFF_RETURN_IF_ERROR(Fill(Header::kEndBytes));
    uint64_t stored;
    internal::LoadLittleEndian(buf_.data() + pos_, 1, &stored);
    pos_ += Header::kEndBytes;
    if (stored != XXH3_64bits_digest(&hash_)) {
      return Error("corrupt counts file: checksum mismatch in its counts");
    }
    uint64_t extra = end_ - pos_;
    for (;;) {
      CHAFF_ASSIGN_OR_RETURN(const size_t got, source_->Read(buf_.data(), buf_.size()));
      if (got == 0) break;
      extra += got;
    }
    if (extra > 0) {
      return Error("corrupt counts file: " + std::to_string(extra) + " bytes after its end");
    }
    return Status::Ok();
  }

 private:
  Status Error(const std::string& what) const { return DataError(path_ + ": " + what); }

  // At least `need` unread bytes in the buffer, or a truncated file.
  Status Fill(size_t need) {
    if (buf_.empty()) buf_.resize(size_t{1} << 16);
    if (hashed_ < pos_) XXH3_64bits_update(&hash_, buf_.data() + hashed_, pos_ - hashed_);
    std::copy(buf_.begin() + static_cast<long>(pos_), buf_.begin() + static_cast<long>(end_),
              buf_.begin());
    end_ -= pos_;
    pos_ = hashed_ = 0;
    while (end_ < need) {
      CHAFF_ASSIGN_OR_RETURN(const size_t got, source_->Read(buf_.data() + end_, buf_.size() - end_));
      if (got == 0) {
        if (!opened_) {  // what is there says what is wrong
          StatusOr<Header> h = Header::Parse(std::string_view(buf_.data(), end_));
          return Error(h.ok() ? "truncated counts file" : h.status().message());
        }
        return Error("truncated counts file: " + std::to_string(consumed_) +
                     " bytes, its header says " + std::to_string(header_.FileBytes()));
      }
      end_ += got;
      consumed_ += got;
    }
    return Status::Ok();
  }

  std::string path_;
  std::unique_ptr<ByteSource> source_;
  Header header_;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0, hashed_ = 0;
  uint64_t consumed_ = 0;  // bytes read from the source
  bool opened_ = false;    // the header was read
  uint64_t left_[2] = {0, 0};
  XXH3_state_t hash_;
};

using Emit = std::function<Status(int section, uint64_t key, uint32_t count)>;

// One merge of every input's entries, section by section, in key order;
// counts of equal keys added (saturating).
Status MergePass(const std::vector<std::string>& paths, const Emit& emit,
                 std::vector<Header>* headers) {
  std::vector<std::unique_ptr<CountsStream>> streams;
  headers->clear();
  for (const auto& path : paths) {
    streams.push_back(std::make_unique<CountsStream>());
    CHAFF_RETURN_IF_ERROR(streams.back()->Open(path));
    headers->push_back(streams.back()->header());
  }
  struct Head {
    uint64_t key;
    uint32_t count;
    size_t stream;
    bool operator>(const Head& o) const { return key != o.key ? key > o.key : stream > o.stream; }
  };
  for (int section = 0; section < 2; ++section) {
    std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heap;
    auto advance = [&](size_t i) -> Status {
      Head h{0, 0, i};
      CHAFF_ASSIGN_OR_RETURN(const bool more, streams[i]->Next(section, &h.key, &h.count));
      if (more) heap.push(h);
      return Status::Ok();
    };
    for (size_t i = 0; i < streams.size(); ++i) CHAFF_RETURN_IF_ERROR(advance(i));
    while (!heap.empty()) {
      const uint64_t key = heap.top().key;
      uint32_t sum = 0;
      while (!heap.empty() && heap.top().key == key) {
        const Head h = heap.top();
        heap.pop();
        sum = sum > UINT32_MAX - h.count ? UINT32_MAX : sum + h.count;
        CHAFF_RETURN_IF_ERROR(advance(h.stream));
      }
      CHAFF_RETURN_IF_ERROR(emit(section, key, sum));
    }
  }
  for (auto& s : streams) CHAFF_RETURN_IF_ERROR(s->Finish());
  return Status::Ok();
}

}  // namespace

Status CheckCountsPaths(const std::vector<std::string>& inputs, const std::string& output,
                        bool distinct_inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (output != kStdio && inputs[i] != kStdio && SameOutput(inputs[i], output)) {
      return InvalidArgument("refusing to overwrite input " + inputs[i] + " with -o " + output);
    }
    if (!distinct_inputs) continue;
    for (size_t j = 0; j < i; ++j) {
      if (SameOutput(inputs[j], inputs[i])) {
        return InvalidArgument("counts file " + inputs[i] + " is given twice (as " + inputs[j] +
                               "): its counts would be added twice");
      }
    }
  }
  return Status::Ok();
}

Status CheckCountsNotOverwritten(const CleanOutputPlan& plan,
                                 const std::vector<std::string>& counts_paths) {
  for (const auto& path : counts_paths) {
    bool overwritten = false;
    if (plan.mode == CleanOutputPlan::Mode::kTree) {
      for (const auto& o : plan.outputs) overwritten |= SameOutput(o, path);
    } else {
      overwritten = plan.path != kStdio && SameOutput(plan.path, path);
    }
    for (const auto& a : plan.attributes) overwritten |= SameOutput(a, path);
    if (overwritten) {
      return InvalidArgument("refusing to overwrite the counts file " + path + " with -o");
    }
  }
  return CheckCountsPaths(counts_paths, std::string(kStdio), true);
}

namespace {

// One merge of at most kMaxMergeFiles inputs (see MergeTemplateCountsFiles).
StatusOr<MergeCountsStats> MergeRound(const std::vector<std::string>& paths,
                                      const std::string& output, uint32_t min_count) {
  const uint32_t least = min_count <= 1 ? 0 : min_count;
  // Pass 1: check every input, count the output.
  MergeCountsStats stats;
  std::vector<Header> headers;
  uint32_t pruned = least;
  CHAFF_RETURN_IF_ERROR(MergePass(
      paths,
      [&](int section, uint64_t, uint32_t count) {
        if (section == 0) {
          ++stats.sites;
          stats.documents += count;
        } else {
          ++stats.pairs;
          stats.pairs_written += count >= pruned ? 1 : 0;
        }
        return Status::Ok();
      },
      &headers));
  // Pruned counts are final (TemplateCounter::MergeSerialized's rule).
  for (size_t i = 0; i < headers.size(); ++i) {
    if (headers[i].pruned_below == 0 || paths.size() == 1) continue;
    return InvalidArgument(paths[i] + ": counts pruned to pairs seen at least " +
                           std::to_string(headers[i].pruned_below) +
                           " times (chaff count --merge --min-count) cannot be added to other "
                           "counts: merge the complete counts files instead");
  }
  if (paths.size() == 1 && headers[0].pruned_below > pruned) {
    // Every pair of a pruned file is counted at least its pruning: all stay.
    pruned = headers[0].pruned_below;
    stats.pairs_written = headers[0].pairs;
  }
  // Pass 2: write.
  Header out_header;
  out_header.pruned_below = pruned;
  out_header.sites = stats.sites;
  out_header.pairs = stats.pairs_written;
  CHAFF_ASSIGN_OR_RETURN(auto out, OutputFile::Create(output));
  CHAFF_RETURN_IF_ERROR(out->Write(out_header.Encode()));
  XXH3_state_t hash;
  XXH3_64bits_reset(&hash);
  std::string chunk;
  internal::Encoder e(&chunk);
  uint64_t sites = 0, pairs = 0;
  auto flush = [&]() -> Status {
    XXH3_64bits_update(&hash, chunk.data(), chunk.size());
    Status s = out->Write(chunk);
    chunk.clear();
    return s;
  };
  CHAFF_RETURN_IF_ERROR(MergePass(
      paths,
      [&](int section, uint64_t key, uint32_t count) -> Status {
        if (section == 1 && count < pruned) return Status::Ok();
        (section == 0 ? sites : pairs) += 1;
        e.U64(key);
        e.U32(count);
        if (chunk.size() >= (size_t{1} << 20)) return flush();
        return Status::Ok();
      },
      &headers));
  CHAFF_RETURN_IF_ERROR(flush());
  if (sites != out_header.sites || pairs != out_header.pairs) {
    return DataError("a counts file changed while it was merged into " + output +
                     ": merge again");
  }
  std::string end;
  internal::Encoder(&end).U64(XXH3_64bits_digest(&hash));
  CHAFF_RETURN_IF_ERROR(out->Write(end));
  CHAFF_RETURN_IF_ERROR(out->Commit());
  stats.bytes = out_header.FileBytes();
  return stats;
}

}  // namespace

StatusOr<MergeCountsStats> MergeTemplateCountsFiles(const std::vector<std::string>& paths,
                                                    const std::string& output,
                                                    uint32_t min_count) {
  if (paths.empty()) return InvalidArgument("no counts files to add up");
  CHAFF_RETURN_IF_ERROR(CheckCountsPaths(paths, output, true));
  if (paths.size() <= kMaxMergeFiles) return MergeRound(paths, output, min_count);
  // Rounds: groups of kMaxMergeFiles into complete temporary sums (pruning
  // only in the last round), until one group is left.
  std::vector<std::unique_ptr<TempFile>> held;
  std::vector<std::string> level = paths;
  while (level.size() > kMaxMergeFiles) {
    std::vector<std::unique_ptr<TempFile>> next_held;
    std::vector<std::string> next;
    for (size_t i = 0; i < level.size(); i += kMaxMergeFiles) {
      const std::vector<std::string> group(
          level.begin() + static_cast<long>(i),
          level.begin() + static_cast<long>(std::min(level.size(), i + kMaxMergeFiles)));
      CHAFF_ASSIGN_OR_RETURN(auto tmp, TempFile::Create("", ".counts"));
      CHAFF_RETURN_IF_ERROR(MergeRound(group, tmp->path(), 0).status());
      next.push_back(tmp->path());
      next_held.push_back(std::move(tmp));
    }
    level = std::move(next);
    held = std::move(next_held);  // the previous round's files are removed
  }
  return MergeRound(level, output, min_count);
}

}  // namespace chaff
