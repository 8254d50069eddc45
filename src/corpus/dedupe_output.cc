#include "chaff/corpus/dedupe_output.h"

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "chaff/io/jsonl.h"
#include "chaff/io/warc.h"

namespace chaff {
namespace fs = std::filesystem;

namespace {

// "-", a .jsonl file, or what OutputFile writes in place: /dev/stdout and
// other links to a descriptor, an existing device or FIFO (/dev/null, a
// named pipe).
bool IsJsonlOutput(const std::string& out) {
  if (out == kStdio || KindOfPath(out) == InputKind::kJsonl) return true;
  const StatusOr<OutputTarget> target = ResolveOutput(out);
  return target.ok() && target->in_place();
}

std::string TreeTarget(const std::string& out, const CorpusInput& in) {
  return (fs::path(out) / RecordsRelativeName(in)).string();
}

}  // namespace

// --- Writing -------------------------------------------------------------------

Status CheckDedupeOutputs(const std::vector<CorpusInput>& inputs,
                          const DedupeOutputOptions& options) {
  const std::string& out = options.output;
  if (out.empty()) {
    return InvalidArgument(
        "-o OUT is required: a .jsonl file (also .gz/.zst), - for stdout, or a "
        "directory to mirror the inputs under");
  }
  // Each path is checked against all inputs with one stat(): comparing
  // every tree target with every input took 2 s for 300 files.
  FileIndex input_files;
  for (size_t i = 0; i < inputs.size(); ++i) input_files.Add(inputs[i].path, i);
  if (!options.clusters.empty()) {
    if (const size_t* same = input_files.Find(options.clusters)) {
      return InvalidArgument("refusing to overwrite input " + inputs[*same].name +
                             " with the clusters file " + options.clusters);
    }
  }
  // Outputs are compared as written: links followed, "-" and /dev/stdout
  // alike, ./a and a alike (SameOutput).
  if (!options.clusters.empty() && SameOutput(options.clusters, out)) {
    return InvalidArgument("--clusters " + options.clusters + " and -o " + out +
                           " would write to the same file");
  }
  if (IsJsonlOutput(out)) {
    const size_t* same = input_files.Find(out);
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!WritesJsonl(inputs[i].kind)) {
        return InvalidArgument("-o " + out + " is JSONL, but input " + inputs[i].name +
                               " is a text file; give a directory instead");
      }
      if (same != nullptr && *same == i) {
        return InvalidArgument("refusing to overwrite input " + inputs[i].name +
                               " with output " + out);
      }
    }
    return Status::Ok();
  }
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    return InvalidArgument("-o " + out + " exists and is not a directory");
  }
  // The clusters file inside the mirrored tree, where an input's mirror
  // would go: its path below -o, compared with each input's.
  std::string clusters_below;
  if (!options.clusters.empty()) {
    const StatusOr<OutputTarget> clusters = ResolveOutput(options.clusters);
    const StatusOr<OutputTarget> tree = ResolveOutput(out);
    if (clusters.ok() && tree.ok() && clusters->kind == OutputTarget::Kind::kFile) {
      const std::string c = CanonicalOutputPath(*clusters);
      const std::string t = CanonicalOutputPath(*tree) + "/";
      if (c.compare(0, t.size(), t) == 0) clusters_below = c.substr(t.size());
    }
  }
  std::unordered_map<std::string, std::string> seen;
  for (const auto& in : inputs) {
    const std::string target = TreeTarget(out, in);
    if (!clusters_below.empty() &&
        fs::path(in.relative).lexically_normal().string() == clusters_below) {
      return InvalidArgument("--clusters " + options.clusters + " is also where -o " + out +
                             " mirrors input " + in.name + " (" + target + ")");
    }
    if (const size_t* same = input_files.Find(target)) {
      return InvalidArgument("refusing to overwrite input " + inputs[*same].name + " (output " +
                             target + " is the same file)");
    }
    auto [it, fresh] = seen.emplace(target, in.name);
    if (!fresh) {
      return InvalidArgument("inputs " + it->second + " and " + in.name +
                             " would both be written to " + target);
    }
  }
  return Status::Ok();
}

namespace {

Status InputsChanged(size_t first, const std::string& second) {
  return DataError("the inputs changed between the two passes (" + std::to_string(first) +
                   " records in the first, " + second + " in the second); nothing was written");
}

// With `input_ends` (records after each input, cumulative): fails unless
// input `i` ended after `index` records in all.
Status CheckInputEnd(const std::vector<CorpusInput>& inputs, size_t i, size_t index,
                     const std::vector<uint64_t>* input_ends) {
  if (input_ends == nullptr || (*input_ends)[i] == index) return Status::Ok();
  const uint64_t was = (*input_ends)[i] - (i == 0 ? 0 : (*input_ends)[i - 1]);
  const uint64_t begin = i == 0 ? 0 : (*input_ends)[i - 1];
  return DataError(inputs[i].name + ": the input changed since its records were decided (" +
                   std::to_string(was) + " records then, " +
                   (index >= begin ? std::to_string(index - begin) : std::string("fewer")) +
                   " now); nothing was written");
}

// Pass 2 for one JSONL input when no ids are needed: the decompressed bytes
// are scanned in large blocks and runs of consecutive kept records go out as
// single writes (a run over 1 MiB is written without a copy), instead of a
// parse, a copy and two writes per record. The records and the output bytes
// are exactly those of the record-by-record path (CorpusReader, then each
// kept record + "\n"): lines end at '\n', one '\r' before it is dropped, a
// line of only spaces and tabs is not a record.
class KeptRecordCopier {
 public:
  // What to write from one block: byte ranges of `data`, each followed by a
  // "\n" when `newline` (a record whose own line ending was not a bare
  // '\n').
  struct Piece {
    size_t begin;
    size_t end;
    bool newline;
  };
  struct Block {
    RawBuffer data;                // the bytes read (unless the input is mapped)
    const char* base = nullptr;    // what the pieces index: data, or the mapping
    std::vector<Piece> pieces;
    uint64_t bytes_read = 0;  // input bytes consumed so far
    size_t records = 0;       // records seen so far (index after this block)
    bool last = false;
    Status status;
  };

  KeptRecordCopier(const DedupeResult& result, OutputFile* out, DedupeWriteStats* stats)
      : result_(result), out_(out), stats_(stats) {}

  Status Copy(const CorpusInput& in, size_t* index, uint64_t* bytes_read,
              const std::function<Status()>& on_block) {
    // A large plain file is mapped: kept runs are written from the page
    // cache without being read into a buffer first.
    std::unique_ptr<MappedFile> map = MappedFile::Open(in.path, LineReader::kMapThreshold);
    std::unique_ptr<ByteSource> source;
    if (!map) {
      CHAFF_ASSIGN_OR_RETURN(source, OpenSource(in.path));
    }
    Scanner scanner(result_, std::move(source), std::move(map), in.name, *index, *bytes_read);
    auto write = [&](Block* b) -> Status {
      CHAFF_RETURN_IF_ERROR(b->status);
      parts_.clear();
      for (const Piece& p : b->pieces) {
        parts_.emplace_back(b->base + p.begin, p.end - p.begin);
        stats_->bytes_written += p.end - p.begin;
        if (p.newline) {
          parts_.emplace_back("\n");
          stats_->bytes_written += 1;
        }
      }
      CHAFF_RETURN_IF_ERROR(out_->WriteParts(parts_.data(), parts_.size()));
      *index = b->records;
      *bytes_read = b->bytes_read;
      return on_block ? on_block() : Status::Ok();
    };
    // One thread: handing 4 MiB blocks to a second thread measured slower
    // (fresh pages, cross-core copies) than reading and writing in turn.
    std::unique_ptr<Block> b = std::move(spare_);  // the previous input's
    for (;;) {
      b = scanner.Next(std::move(b));
      CHAFF_RETURN_IF_ERROR(write(b.get()));
      if (b->last) break;
    }
    spare_ = std::move(b);
    stats_->kept += scanner.kept();
    return Status::Ok();
  }

 private:
  class Scanner {
   public:
    Scanner(const DedupeResult& result, std::unique_ptr<ByteSource> source,
            std::unique_ptr<MappedFile> map, std::string name, size_t index,
            uint64_t bytes_read)
        : result_(result), source_(std::move(source)), map_(std::move(map)),
          name_(std::move(name)), index_(index), bytes_read_(bytes_read) {}

    size_t kept() const { return kept_; }

    // The next block's pieces. Read: the block's data starts with the
    // unfinished line of the previous one. Mapped: the block is the next
    // whole lines of the mapping. `reuse` (may be null) lends its buffers.
    std::unique_ptr<Block> Next(std::unique_ptr<Block> reuse) {
      constexpr size_t kBlock = size_t{4} << 20;
      auto b = reuse ? std::move(reuse) : std::make_unique<Block>();
      b->pieces.clear();
      b->status = Status::Ok();
      b->last = false;
      run_begin_ = run_end_ = 0;
      if (map_) {
        const std::string_view all = map_->bytes();
        if (map_pos_ == 0 && BomOf(all) == UnicodeBom::kUtf8) {
          map_pos_ = 3;  // not part of line 1, as LineReader reads it
          bytes_read_ += 3;
        }
        map_->ReleaseBefore(map_pos_);  // earlier blocks are written
        const char* data = all.data();
        size_t end = std::min(all.size(), map_pos_ + kBlock);
        if (end < all.size()) {
          // Up to the window's last newline, or past a line longer than it.
          const void* nl = ::memrchr(data + map_pos_, '\n', end - map_pos_);
          if (nl == nullptr) nl = std::memchr(data + end, '\n', all.size() - end);
          end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) + 1 : all.size();
        }
        const bool eof = end == all.size();
        b->base = data;
        if (Scan(b.get(), map_pos_, end, eof) == kFailed) return b;
        bytes_read_ += end - map_pos_;
        map_pos_ = end;
        return Finish(std::move(b), eof);
      }
      // Reads start at 64 KiB and double up to kBlock: a tree of small
      // files is not read 4 MiB at a time.
      constexpr size_t kFirstRead = size_t{64} << 10;
      read_step_ = read_step_ == 0 ? kFirstRead : std::min(kBlock, 2 * read_step_);
      const size_t have = carry_.size();
      b->data.Reserve(have + read_step_);
      if (have > 0) std::memcpy(b->data.data(), carry_.data(), have);
      auto got = source_->Read(b->data.data() + have, read_step_);
      if (!got.ok()) {
        b->status = got.status().WithPrefix(name_);
        b->last = true;
        return b;
      }
      const bool eof = *got == 0;
      bytes_read_ += *got;
      const size_t end = have + *got;
      b->data.set_size(end);
      b->base = b->data.data();
      size_t begin = 0;
      if (first_read_) {  // the first read is 64 KiB, or the whole file
        first_read_ = false;
        if (BomOf(std::string_view(b->base, end)) == UnicodeBom::kUtf8) begin = 3;
      }
      const size_t pos = Scan(b.get(), begin, end, eof);
      if (pos == kFailed) return b;
      carry_.assign(b->base + pos, end - pos);
      return Finish(std::move(b), eof);
    }

   private:
    static constexpr size_t kFailed = ~size_t{0};

    // Cuts b->base[pos, end) into lines; with `eof`, an unterminated last
    // line is a line too. Returns where the unfinished line starts, or
    // kFailed (the error is in the block).
    size_t Scan(Block* b, size_t pos, size_t end, bool eof) {
      for (;;) {
        const void* nl = std::memchr(b->base + pos, '\n', end - pos);
        if (nl == nullptr) break;
        const size_t e = static_cast<size_t>(static_cast<const char*>(nl) - b->base);
        if (!Line(b, pos, e, /*has_newline=*/true)) return kFailed;
        pos = e + 1;
      }
      if (eof && pos < end) {
        if (!Line(b, pos, end, /*has_newline=*/false)) return kFailed;
        pos = end;
      }
      FlushRun(b);
      return pos;
    }

    std::unique_ptr<Block> Finish(std::unique_ptr<Block> b, bool eof) {
      b->bytes_read = bytes_read_;
      b->records = index_;
      b->last = eof;
      return b;
    }

    // Line [s, e) of the block, without its '\n'. False on an error (set in
    // the block).
    bool Line(Block* b, size_t s, size_t e, bool has_newline) {
      const char* buf = b->base;
      size_t len = e - s;
      const bool cr = len > 0 && buf[e - 1] == '\r';
      if (cr) --len;
      bool blank = true;
      for (size_t i = s; i < s + len && blank; ++i) blank = buf[i] == ' ' || buf[i] == '\t';
      if (blank) {
        FlushRun(b);
        return true;
      }
      if (index_ >= result_.representative.size()) {
        b->status = InputsChanged(result_.representative.size(), "more");
        b->last = true;
        return false;
      }
      if (!result_.Kept(index_++)) {
        FlushRun(b);
        return true;
      }
      ++kept_;
      if (!cr && has_newline) {
        if (run_end_ != s || run_end_ == run_begin_) {
          FlushRun(b);
          run_begin_ = s;
        }
        run_end_ = e + 1;
        return true;
      }
      FlushRun(b);
      b->pieces.push_back(Piece{s, s + len, true});
      return true;
    }

    void FlushRun(Block* b) {
      if (run_end_ > run_begin_) b->pieces.push_back(Piece{run_begin_, run_end_, false});
      run_begin_ = run_end_ = 0;
    }

    const DedupeResult& result_;
    std::unique_ptr<ByteSource> source_;
    std::unique_ptr<MappedFile> map_;
    size_t map_pos_ = 0;
    std::string name_;
    size_t index_;
    uint64_t bytes_read_;
    size_t kept_ = 0;
    std::string carry_;
    bool first_read_ = true;
    size_t read_step_ = 0;  // bytes asked of source_ per block
    size_t run_begin_ = 0;
    size_t run_end_ = 0;
  };

  const DedupeResult& result_;
  OutputFile* out_;
  DedupeWriteStats* stats_;
  std::vector<std::string_view> parts_;  // one block's writes
  std::unique_ptr<Block> spare_;          // buffers for the next input
};

// Pass 2 without a clusters file: JSONL inputs through KeptRecordCopier,
// text files copied whole when kept.
Status WriteKeptOnly(const std::vector<CorpusInput>& inputs, const DedupeResult& result,
                     const DedupeOutputOptions& options,
                     const DedupeProgressCallback& progress, DedupeWriteStats* stats,
                     const std::vector<uint64_t>* input_ends) {
  const size_t n = result.representative.size();
  const bool jsonl_out = IsJsonlOutput(options.output);
  std::unique_ptr<OutputFile> shared;
  if (jsonl_out) {
    CHAFF_ASSIGN_OR_RETURN(shared, OutputFile::Create(options.output));
  }
  size_t index = 0;
  uint64_t bytes_read = 0;
  DedupeProgress state;
  auto report = [&]() -> Status {
    state.documents = index;
    state.bytes = bytes_read;
    if (progress && !progress(state)) return Cancelled("interrupted; no partial output was kept");
    return Status::Ok();
  };
  for (size_t input = 0; input < inputs.size(); ++input) {
    if (input > 0) CHAFF_RETURN_IF_ERROR(CheckInputEnd(inputs, input - 1, index, input_ends));
    const CorpusInput& in = inputs[input];
    const std::string target = jsonl_out ? std::string() : TreeTarget(options.output, in);
    if (in.kind == InputKind::kJsonl) {
      std::unique_ptr<OutputFile> own;
      OutputFile* out = shared.get();
      if (!jsonl_out) {
        std::error_code ec;
        fs::create_directories(fs::path(target).parent_path(), ec);
        CHAFF_ASSIGN_OR_RETURN(own, OutputFile::Create(target));
        out = own.get();
      }
      KeptRecordCopier copier(result, out, stats);
      CHAFF_RETURN_IF_ERROR(copier.Copy(in, &index, &bytes_read, report));
      if (own) CHAFF_RETURN_IF_ERROR(own->Commit());
      continue;
    }
    CHAFF_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(in.path));
    bytes_read += text.size();
    if (in.from_walk && LooksBinary(text)) continue;  // as CorpusReader
    if (index >= n) return InputsChanged(n, "more");
    if (result.Kept(index++)) {
      ++stats->kept;
      std::error_code ec;
      fs::create_directories(fs::path(target).parent_path(), ec);
      CHAFF_ASSIGN_OR_RETURN(auto file, OutputFile::Create(target));
      CHAFF_RETURN_IF_ERROR(file->Write(text));
      CHAFF_RETURN_IF_ERROR(file->Commit());
      stats->bytes_written += text.size();
    }
    CHAFF_RETURN_IF_ERROR(report());
  }
  stats->documents = index;
  if (!inputs.empty()) {
    CHAFF_RETURN_IF_ERROR(CheckInputEnd(inputs, inputs.size() - 1, index, input_ends));
  }
  if (index != n) return InputsChanged(n, std::to_string(index));
  if (shared) CHAFF_RETURN_IF_ERROR(shared->Commit());
  return Status::Ok();
}

}  // namespace

// --- The clusters file ------------------------------------------------------------

StatusOr<std::unique_ptr<ClustersFileWriter>> ClustersFileWriter::Create(
    const std::string& path, const std::vector<uint8_t>* named) {
  std::unique_ptr<ClustersFileWriter> w(new ClustersFileWriter());
  CHAFF_ASSIGN_OR_RETURN(w->file_, OutputFile::Create(path));
  w->named_ = named;
  return w;
}

ClustersFileWriter::~ClustersFileWriter() = default;

Status ClustersFileWriter::Add(uint32_t index, std::string_view name, uint32_t representative,
                               float similarity) {
  if (index + 1 != begin_.size() || representative > index) {
    return Internal("clusters file: documents out of order");
  }
  const bool kept = representative == index;
  if (kept && (named_ == nullptr || (*named_)[index])) names_ += name;
  begin_.push_back(names_.size());
  line_.assign("{\"id\":");
  AppendJsonString(name, &line_);
  line_ += ",\"cluster\":" + std::to_string(representative) + ",\"representative\":";
  const uint32_t rep = representative;
  AppendJsonString(kept ? name
                        : std::string_view(names_).substr(begin_[rep], begin_[rep + 1] - begin_[rep]),
                   &line_);
  char sim[48];
  std::snprintf(sim, sizeof(sim), ",\"similarity\":%.4f,\"kept\":%s}\n",
                static_cast<double>(similarity), kept ? "true" : "false");
  line_ += sim;
  return file_->Write(line_);
}

Status ClustersFileWriter::Commit() { return file_->Commit(); }

// --- Writing document by document ---------------------------------------------

struct DedupeStreamWriter::Impl {
  const std::vector<CorpusInput>* inputs;
  DedupeOutputOptions options;
  bool jsonl_out = false;
  bool want_ids = false;
  std::unique_ptr<OutputFile> shared;    // JSONL output
  // Kept records of the current batch bound for `shared`, written at the
  // batch's end (DecidedDocument::batch_end) without being copied first:
  // `parts`, then the run [run_begin, run_end) of records that follow each
  // other in memory one newline apart (lines of a mapped input), which goes
  // out as one piece.
  std::vector<std::string_view> parts;
  const char* run_begin = nullptr;  // null: no run
  const char* run_end = nullptr;
  size_t pending_bytes = 0;
  std::unique_ptr<ClustersFileWriter> clusters;  // --clusters
  std::unique_ptr<OutputFile> tree_file;  // the current JSONL input's mirror
  // Mirrors that are complete but not yet renamed into place: outputs
  // appear at Finish, so a run that fails leaves none (up to
  // OutputGroup::kMaxHeld of them).
  OutputGroup finished;
  uint32_t tree_source = UINT32_MAX;
  std::vector<uint8_t> mirrored;
  uint32_t next_index = 0;
  JsonlParser parser;
  std::string id;
  std::string warc_line;  // a kept WARC document as JSONL

  void CloseRun() {
    if (run_begin == nullptr) return;
    parts.emplace_back(run_begin, static_cast<size_t>(run_end - run_begin));
    parts.emplace_back("\n", 1);
    run_begin = nullptr;
  }

  void AddKept(std::string_view record) {
    pending_bytes += record.size() + 1;
    if (record.empty()) {  // just its newline (it may have no address to run from)
      CloseRun();
      parts.emplace_back("\n", 1);
    } else if (run_begin != nullptr && run_end + 1 == record.data() && *run_end == '\n') {
      run_end = record.data() + record.size();  // the newline between goes too
    } else {
      CloseRun();
      run_begin = record.data();
      run_end = record.data() + record.size();
    }
  }

  // Small batches are copied into the output buffer as before; large ones go
  // to the file from where the records are (writev), which saves copying
  // every kept byte once.
  Status FlushKept() {
    CloseRun();
    Status s;
    if (pending_bytes < kDirectWriteBytes) {
      for (const std::string_view part : parts) {
        s = shared->Write(part);
        if (!s.ok()) break;
      }
    } else {
      s = shared->WriteParts(parts.data(), parts.size());
    }
    parts.clear();
    pending_bytes = 0;
    return s;
  }
  static constexpr size_t kDirectWriteBytes = size_t{64} << 10;

  // Directories this run created, parents first: a run that fails removes
  // them again (those still empty), so it leaves nothing behind.
  std::vector<fs::path> created_dirs;
  bool done = false;

  Impl(const std::vector<CorpusInput>* in, const DedupeOutputOptions& o)
      : inputs(in), options(o), jsonl_out(IsJsonlOutput(o.output)),
        want_ids(!o.clusters.empty()), mirrored(in->size(), 0) {}

  ~Impl() {
    if (done) return;
    // The unfinished outputs first (their temporary files go with them).
    tree_file.reset();
    finished.Discard();
    for (auto it = created_dirs.rbegin(); it != created_dirs.rend(); ++it) {
      std::error_code ec;
      fs::remove(*it, ec);  // only if empty; another process may have used it
    }
  }

  Status MakeDirs(const fs::path& dir) {
    if (dir.empty()) return Status::Ok();
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return Status::Ok();
    CHAFF_RETURN_IF_ERROR(MakeDirs(dir.parent_path()));
    if (!fs::create_directory(dir, ec) && !fs::is_directory(dir)) {
      return IoError(dir.string() + ": cannot create directory: " + ec.message());
    }
    created_dirs.push_back(dir);
    return Status::Ok();
  }

  Status Finished(std::unique_ptr<OutputFile> file) { return finished.Add(std::move(file)); }

  Status OpenTree(const CorpusInput& in, std::unique_ptr<OutputFile>* file) {
    const std::string target = TreeTarget(options.output, in);
    CHAFF_RETURN_IF_ERROR(MakeDirs(fs::path(target).parent_path()));
    CHAFF_ASSIGN_OR_RETURN(*file, OutputFile::Create(target));
    return Status::Ok();
  }

  // A WARC document's JSONL line, newline included (valid until the next
  // call).
  StatusOr<std::string_view> WarcLine(const DecidedDocument& doc) {
    WarcDocument warc;
    if (!ParseWarcDocument(doc.record, &warc)) {
      return Internal("dedupe writer: a record of a WARC input is not a WARC document");
    }
    warc_line.clear();
    AppendWarcJson(warc, &warc_line);
    warc_line.push_back('\n');
    return std::string_view(warc_line);
  }

  Status WriteClustersLine(const DecidedDocument& doc, const CorpusInput& in) {
    RecordName(&parser, doc.record, in, doc.line, options.fields.id_field, &id);
    return clusters->Add(doc.index, id, doc.representative, doc.similarity);
  }
};

DedupeStreamWriter::DedupeStreamWriter(const std::vector<CorpusInput>* inputs,
                                       const DedupeOutputOptions& options)
    : impl_(std::make_unique<Impl>(inputs, options)) {}

DedupeStreamWriter::~DedupeStreamWriter() = default;

StatusOr<std::unique_ptr<DedupeStreamWriter>> DedupeStreamWriter::Create(
    const std::vector<CorpusInput>* inputs, const DedupeOutputOptions& options,
    const std::vector<uint8_t>* named_representatives) {
  CHAFF_RETURN_IF_ERROR(CheckDedupeOutputs(*inputs, options));
  std::unique_ptr<DedupeStreamWriter> w(new DedupeStreamWriter(inputs, options));
  Impl& m = *w->impl_;
  if (m.jsonl_out) {
    CHAFF_ASSIGN_OR_RETURN(m.shared, OutputFile::Create(options.output));
  } else {
    CHAFF_RETURN_IF_ERROR(m.MakeDirs(fs::path(options.output)));
  }
  if (m.want_ids) {
    CHAFF_ASSIGN_OR_RETURN(m.clusters,
                           ClustersFileWriter::Create(options.clusters, named_representatives));
  }
  return w;
}

Status DedupeStreamWriter::Add(const DecidedDocument& doc) {
  Impl& m = *impl_;
  if (doc.index != m.next_index || doc.source >= m.inputs->size()) {
    return Status(StatusCode::kInternal, "dedupe writer: documents out of order");
  }
  ++m.next_index;
  const CorpusInput& in = (*m.inputs)[doc.source];
  const bool kept = doc.kept();
  if (m.want_ids) CHAFF_RETURN_IF_ERROR(m.WriteClustersLine(doc, in));
  if (m.jsonl_out) {
    if (kept && in.kind == InputKind::kWarc) {
      // Made now, so written now, after what the batch kept before it.
      CHAFF_RETURN_IF_ERROR(m.FlushKept());
      CHAFF_ASSIGN_OR_RETURN(const std::string_view line, m.WarcLine(doc));
      CHAFF_RETURN_IF_ERROR(m.shared->Write(line));
      stats_.bytes_written += line.size();
    } else if (kept) {
      m.AddKept(doc.record);
      stats_.bytes_written += doc.record.size() + 1;
    }
    if (doc.batch_end && m.pending_bytes > 0) CHAFF_RETURN_IF_ERROR(m.FlushKept());
  } else if (WritesJsonl(in.kind)) {
    if (doc.source != m.tree_source) {
      if (m.tree_file) CHAFF_RETURN_IF_ERROR(m.Finished(std::move(m.tree_file)));
      CHAFF_RETURN_IF_ERROR(m.OpenTree(in, &m.tree_file));
      m.tree_source = doc.source;
      m.mirrored[doc.source] = 1;
    }
    if (kept && in.kind == InputKind::kWarc) {
      CHAFF_ASSIGN_OR_RETURN(const std::string_view line, m.WarcLine(doc));
      CHAFF_RETURN_IF_ERROR(m.tree_file->Write(line));
      stats_.bytes_written += line.size();
    } else if (kept) {
      CHAFF_RETURN_IF_ERROR(m.tree_file->Write(doc.record));
      CHAFF_RETURN_IF_ERROR(m.tree_file->Write("\n"));
      stats_.bytes_written += doc.record.size() + 1;
    }
  } else if (kept) {  // a text file's mirror
    std::unique_ptr<OutputFile> own;
    CHAFF_RETURN_IF_ERROR(m.OpenTree(in, &own));
    CHAFF_RETURN_IF_ERROR(own->Write(doc.record));
    CHAFF_RETURN_IF_ERROR(m.Finished(std::move(own)));
    stats_.bytes_written += doc.record.size();
  }
  ++stats_.documents;
  stats_.kept += kept ? 1 : 0;
  return Status::Ok();
}

Status DedupeStreamWriter::Finish() {
  Impl& m = *impl_;
  // Before any output is committed: a failed Finish leaves none.
  if (m.pending_bytes > 0) {
    return Status(StatusCode::kInternal, "dedupe writer: kept records after the last batch end");
  }
  if (m.tree_file) CHAFF_RETURN_IF_ERROR(m.tree_file->Commit());
  CHAFF_RETURN_IF_ERROR(m.finished.CommitAll());
  // Mirror JSONL inputs that hold no record at all as empty files.
  if (!m.jsonl_out) {
    for (size_t s = 0; s < m.inputs->size(); ++s) {
      if (!WritesJsonl((*m.inputs)[s].kind) || m.mirrored[s]) continue;
      std::unique_ptr<OutputFile> file;
      CHAFF_RETURN_IF_ERROR(m.OpenTree((*m.inputs)[s], &file));
      CHAFF_RETURN_IF_ERROR(file->Commit());
    }
  }
  if (m.clusters) CHAFF_RETURN_IF_ERROR(m.clusters->Commit());
  if (m.shared) CHAFF_RETURN_IF_ERROR(m.shared->Commit());
  m.done = true;
  return Status::Ok();
}

Status WriteDedupeOutputs(const std::vector<CorpusInput>& inputs,
                          const DedupeResult& result,
                          const DedupeOutputOptions& options,
                          const DedupeProgressCallback& progress,
                          DedupeWriteStats* stats,
                          const std::vector<uint64_t>* input_ends) {
  CHAFF_RETURN_IF_ERROR(CheckDedupeOutputs(inputs, options));
  if (input_ends != nullptr && input_ends->size() != inputs.size()) {
    return Internal("WriteDedupeOutputs: one record count per input expected");
  }
  const size_t n = result.representative.size();
  *stats = DedupeWriteStats();
  // WARC inputs are read record by record: their records are made by the
  // reader (and written as JSONL), not lines to copy.
  const bool any_warc = std::any_of(inputs.begin(), inputs.end(), [](const CorpusInput& in) {
    return in.kind == InputKind::kWarc;
  });
  if (options.clusters.empty() && !options.record_by_record && !any_warc) {
    return WriteKeptOnly(inputs, result, options, progress, stats, input_ends);
  }
  // The representatives whose ids the clusters file repeats.
  std::vector<uint8_t> named(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (!result.Kept(i)) named[result.representative[i]] = 1;
  }
  CHAFF_ASSIGN_OR_RETURN(auto writer, DedupeStreamWriter::Create(&inputs, options, &named));
  CorpusReader reader(&inputs);
  // The records of pass 1: malformed WARC records skipped there are skipped here.
  reader.set_skip_bad_records(options.fields.skip_bad_records);
  DedupeProgress state;
  uint64_t next_report = 0;
  size_t index = 0;
  uint32_t last_source = 0;
  RawDocument raw;
  for (;; ++index) {
    CHAFF_ASSIGN_OR_RETURN(const bool more, reader.Next(&raw));
    if (!more) break;
    if (index >= n) return InputsChanged(n, "more");
    if (index > 0 && raw.source != last_source) {
      for (uint32_t s = last_source; s < raw.source; ++s) {
        CHAFF_RETURN_IF_ERROR(CheckInputEnd(inputs, s, index, input_ends));
      }
    }
    last_source = raw.source;
    DecidedDocument doc;
    doc.index = static_cast<uint32_t>(index);
    doc.record = raw.bytes;
    doc.source = raw.source;
    doc.line = raw.line;
    doc.representative = result.representative[index];
    doc.similarity = result.similarity[index];
    CHAFF_RETURN_IF_ERROR(writer->Add(doc));
    state.documents = index + 1;
    state.bytes = reader.bytes_read();
    if (progress && state.bytes >= next_report) {
      if (!progress(state)) return Cancelled("interrupted; no partial output was kept");
      next_report = state.bytes + (1u << 20);
    }
  }
  *stats = writer->stats();
  for (size_t s = index > 0 ? last_source : 0; s < inputs.size(); ++s) {
    CHAFF_RETURN_IF_ERROR(CheckInputEnd(inputs, s, index, input_ends));
  }
  if (index != n) return InputsChanged(n, std::to_string(index));
  return writer->Finish();
}

}  // namespace chaff
