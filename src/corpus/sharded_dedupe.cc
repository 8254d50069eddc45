#include "chaff/corpus/sharded_dedupe.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <unordered_map>

#include "io/binary_codec.h"

namespace chaff {
namespace fs = std::filesystem;

namespace {

using internal::Decoder;
using internal::Encoder;
using internal::LoadLittleEndian;
using internal::StoreLittleEndian;


uint64_t Hash(const void* p, size_t n) { return XXH3_64bits(p, n); }

// --- Sketch files (docs/formats.md) ---------------------------------------------

constexpr char kSketchMagic[8] = {'C', 'H', 'A', 'F', 'F', 'S', 'K', 'T'};
constexpr char kSketchEndMagic[8] = {'C', 'H', 'A', 'F', 'F', 'E', 'N', 'D'};
constexpr size_t kEndMarkerBytes = 32;   // magic, documents, blocks, checksum
constexpr size_t kBlockHeaderBytes = 16; // documents, payload bytes, checksum
// Documents per block at most: a block is what a reader holds.
constexpr size_t kMaxBlockDocuments = 4096;

// The parameters block of both formats (docs/formats.md): 40 bytes.
void EncodeParams(const SketchParams& p, Encoder* e) {
  e->U32(static_cast<uint32_t>(p.num_hashes));
  e->U32(static_cast<uint32_t>(p.lsh.bands));
  e->U32(static_cast<uint32_t>(p.lsh.rows));
  e->U32(static_cast<uint32_t>(p.shingle_width));
  e->U8(p.sketch_mode == SketchMode::kClassic ? 1 : 0);
  e->U8(0);
  e->U8(0);
  e->U8(0);
  e->F64(p.threshold);
  e->U64(p.token_seed);
  e->U64(p.minhash_seed);
}

// False when the block is out of range (a corrupt file).
bool DecodeParams(Decoder* d, SketchParams* p) {
  p->num_hashes = static_cast<int>(d->U32());
  p->lsh.bands = static_cast<int>(d->U32());
  p->lsh.rows = static_cast<int>(d->U32());
  p->shingle_width = static_cast<int>(d->U32());
  const uint8_t mode = d->U8();
  p->sketch_mode = mode == 1 ? SketchMode::kClassic : SketchMode::kOnePermutation;
  d->U8();
  d->U8();
  d->U8();
  p->threshold = d->F64();
  p->token_seed = d->U64();
  p->minhash_seed = d->U64();
  return d->ok() && mode <= 1 && p->num_hashes >= 8 && p->num_hashes <= 4096 &&
         ValidateLshParams(p->lsh, p->num_hashes).ok() && p->shingle_width >= 1 &&
         p->shingle_width <= 64 && p->threshold > 0.0 && p->threshold < 1.0;
}

std::string EncodeSketchHeader(const SketchFileHeader& h) {
  std::string fields;
  Encoder f(&fields);
  f.U32(h.shard_index);
  f.U32(h.shard_count);
  f.U64(h.list_fingerprint);
  EncodeParams(h.params, &f);
  f.U64(h.file_bytes);
  f.Str(h.name);
  f.Str(h.text_field);
  f.Str(h.id_field);
  std::string out;
  Encoder e(&out);
  e.Bytes(kSketchMagic, sizeof(kSketchMagic));
  e.U32(kSketchFileVersion);
  e.U32(static_cast<uint32_t>(fields.size()));
  out += fields;
  e.U64(Hash(out.data(), out.size()));
  return out;
}

// Writes one shard's sketch file block by block.
class SketchFileWriter {
 public:
  static StatusOr<std::unique_ptr<SketchFileWriter>> Create(const std::string& path,
                                                            const SketchFileHeader& header) {
    std::unique_ptr<SketchFileWriter> w(new SketchFileWriter());
    w->k_ = static_cast<size_t>(header.params.num_hashes);
    w->bands_ = static_cast<size_t>(header.params.lsh.bands);
    CHAFF_ASSIGN_OR_RETURN(w->file_, OutputFile::Create(path));
    CHAFF_RETURN_IF_ERROR(w->Write(EncodeSketchHeader(header)));
    return w;
  }

  // Documents [begin, end) of `b`.
  Status Add(const SketchedBatch& b, size_t begin, size_t end) {
    for (size_t first = begin; first < end; first += kMaxBlockDocuments) {
      CHAFF_RETURN_IF_ERROR(AddBlock(b, first, std::min(end, first + kMaxBlockDocuments)));
    }
    return Status::Ok();
  }

  Status Commit() {
    std::string end;
    Encoder e(&end);
    e.Bytes(kSketchEndMagic, sizeof(kSketchEndMagic));
    e.U64(documents_);
    e.U64(blocks_);
    e.U64(Hash(end.data(), end.size()));
    CHAFF_RETURN_IF_ERROR(Write(end));
    return file_->Commit();
  }

  uint64_t bytes() const { return bytes_; }

 private:
  SketchFileWriter() = default;

  Status Write(std::string_view data) {
    bytes_ += data.size();
    return file_->Write(data);
  }

  Status AddBlock(const SketchedBatch& b, size_t begin, size_t end) {
    const size_t n = end - begin;
    payload_.clear();
    payload_.append(reinterpret_cast<const char*>(b.lanes + begin * k_), n * k_);
    StoreLittleEndian(b.band_keys + begin * bands_, n * bands_, &payload_);
    payload_.append(reinterpret_cast<const char*>(b.empty + begin), n);
    StoreLittleEndian(b.lines + begin, n, &payload_);
    name_ends_.clear();
    uint32_t names = 0;
    for (size_t i = begin; i < end; ++i) {
      const size_t len = b.names != nullptr ? b.names[i].size() : 0;
      if (len > UINT32_MAX - names) return InvalidArgument("document names too long for a sketch block");
      names += static_cast<uint32_t>(len);
      name_ends_.push_back(names);
    }
    StoreLittleEndian(name_ends_.data(), n, &payload_);
    for (size_t i = begin; i < end && b.names != nullptr; ++i) payload_ += b.names[i];
    if (payload_.size() > UINT32_MAX) return InvalidArgument("a sketch block over 4 GiB");
    std::string head;
    Encoder e(&head);
    e.U32(static_cast<uint32_t>(n));
    e.U32(static_cast<uint32_t>(payload_.size()));
    e.U64(Hash(payload_.data(), payload_.size()));
    CHAFF_RETURN_IF_ERROR(Write(head));
    CHAFF_RETURN_IF_ERROR(Write(payload_));
    documents_ += n;
    ++blocks_;
    return Status::Ok();
  }

  size_t k_ = 0;
  size_t bands_ = 0;
  std::unique_ptr<OutputFile> file_;
  std::string payload_;
  std::vector<uint32_t> name_ends_;
  uint64_t documents_ = 0;
  uint64_t blocks_ = 0;
  uint64_t bytes_ = 0;
};

std::string SketchFileName(const std::string& dir, uint32_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06u", index);
  return (fs::path(dir) / (std::string(name) + std::string(kSketchFileExtension))).string();
}

uint64_t FileBytes(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

SketchParams SketchParams::Of(const DedupeOptions& o) {
  SketchParams p;
  p.num_hashes = o.num_hashes;
  p.lsh = o.lsh;
  p.shingle_width = o.shingle_width;
  p.sketch_mode = o.sketch_mode;
  p.threshold = o.threshold;
  p.token_seed = o.token_seed;
  p.minhash_seed = o.minhash_seed;
  return p;
}

DedupeOptions SketchParams::ToOptions(bool split_chains, int threads) const {
  DedupeOptions o;
  o.num_hashes = num_hashes;
  o.lsh = lsh;
  o.shingle_width = shingle_width;
  o.sketch_mode = sketch_mode;
  o.threshold = threshold;
  o.token_seed = token_seed;
  o.minhash_seed = minhash_seed;
  o.split_chains = split_chains;
  o.threads = threads;
  return o;
}

bool SketchParams::operator==(const SketchParams& o) const {
  return num_hashes == o.num_hashes && lsh.bands == o.lsh.bands && lsh.rows == o.lsh.rows &&
         shingle_width == o.shingle_width && sketch_mode == o.sketch_mode &&
         threshold == o.threshold && token_seed == o.token_seed && minhash_seed == o.minhash_seed;
}

std::string SketchParams::Describe() const {
  char buf[160];
  std::snprintf(buf, sizeof(buf), "%d %s hashes, %d bands x %d rows, shingles of %d, threshold %g",
                num_hashes, sketch_mode == SketchMode::kClassic ? "classic" : "oph", lsh.bands,
                lsh.rows, shingle_width, threshold);
  return buf;
}

uint64_t ShardListFingerprint(const std::vector<CorpusInput>& shards) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (const auto& s : shards) {
    XXH3_64bits_update(state, s.name.data(), s.name.size());
    XXH3_64bits_update(state, "", 1);
  }
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

// --- SketchFileReader ---------------------------------------------------------------

SketchFileReader::~SketchFileReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status SketchFileReader::Read(uint64_t offset, size_t n, void* out) const {
  auto* p = static_cast<char*>(out);
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, p + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      return IoError(path_ + ": cannot read: " + std::strerror(errno));
    }
    if (got == 0) return DataError(path_ + ": truncated sketch file (re-run chaff sketch for its shard)");
    done += static_cast<size_t>(got);
  }
  return Status::Ok();
}

Status SketchFileReader::Corrupt(const std::string& what) const {
  return DataError(path_ + ": corrupt sketch file: " + what +
                   " (re-run chaff sketch for its shard)");
}

StatusOr<std::unique_ptr<SketchFileReader>> SketchFileReader::Open(const std::string& path) {
  std::unique_ptr<SketchFileReader> r(new SketchFileReader());
  r->path_ = path;
  r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) {
    const int err = errno;
    const std::string m = path + ": cannot open: " + std::strerror(err);
    return err == ENOENT ? NotFound(m) : IoError(m);
  }
  struct stat st;
  if (::fstat(r->fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    return InvalidArgument(path + ": not a regular file");
  }
  r->file_size_ = static_cast<uint64_t>(st.st_size);
  // The fixed part of the header: magic, version, length of the fields.
  char fixed[16];
  const size_t have = static_cast<size_t>(std::min<uint64_t>(r->file_size_, sizeof(fixed)));
  if (have > 0) CHAFF_RETURN_IF_ERROR(r->Read(0, have, fixed));
  if (have < sizeof(kSketchMagic) || std::memcmp(fixed, kSketchMagic, sizeof(kSketchMagic)) != 0) {
    return DataError(path + ": not a chaff sketch file (made by chaff sketch)");
  }
  if (have < sizeof(fixed)) {
    return DataError(path + ": truncated sketch file (re-run chaff sketch for its shard)");
  }
  Decoder fixed_dec(fixed, sizeof(fixed));
  fixed_dec.Take(sizeof(kSketchMagic));
  const uint32_t version = fixed_dec.U32();
  const uint32_t fields_len = fixed_dec.U32();
  if (version != kSketchFileVersion) {
    return DataError(path + ": sketch file format version " + std::to_string(version) +
                     "; this chaff reads version " + std::to_string(kSketchFileVersion) +
                     " (sketch the shards again with this chaff)");
  }
  const uint64_t header_end = sizeof(fixed) + uint64_t{fields_len} + 8;
  if (header_end + kEndMarkerBytes > r->file_size_) {
    return DataError(path + ": truncated sketch file (re-run chaff sketch for its shard)");
  }
  std::string header(static_cast<size_t>(header_end), '\0');
  CHAFF_RETURN_IF_ERROR(r->Read(0, header.size(), header.data()));
  uint64_t stored;
  LoadLittleEndian(header.data() + header.size() - 8, 1, &stored);
  if (Hash(header.data(), header.size() - 8) != stored) return r->Corrupt("header checksum mismatch");
  Decoder d(header.data() + sizeof(fixed), fields_len);
  SketchFileHeader& h = r->header_;
  h.shard_index = d.U32();
  h.shard_count = d.U32();
  h.list_fingerprint = d.U64();
  const bool params_ok = DecodeParams(&d, &h.params);
  h.file_bytes = d.U64();
  h.name = d.Str();
  h.text_field = d.Str();
  h.id_field = d.Str();
  if (!d.ok()) return r->Corrupt("header too short");
  if (!params_ok || h.shard_index >= h.shard_count) {
    return r->Corrupt("header out of range");
  }
  // The end marker: a file cut anywhere (even between blocks) has none.
  char end[kEndMarkerBytes];
  CHAFF_RETURN_IF_ERROR(r->Read(r->file_size_ - kEndMarkerBytes, sizeof(end), end));
  Decoder e(end, sizeof(end));
  const char* magic = e.Take(sizeof(kSketchEndMagic));
  r->documents_ = e.U64();
  e.U64();  // blocks
  const uint64_t end_hash = e.U64();
  if (std::memcmp(magic, kSketchEndMagic, sizeof(kSketchEndMagic)) != 0 ||
      Hash(end, kEndMarkerBytes - 8) != end_hash) {
    return DataError(path + ": truncated sketch file: no end marker (re-run chaff sketch for its shard)");
  }
  r->pos_ = header_end;
  r->blocks_end_ = r->file_size_ - kEndMarkerBytes;
  return r;
}

StatusOr<bool> SketchFileReader::Next(SketchBlock* block) {
  if (pos_ == blocks_end_) {
    if (read_docs_ != documents_) {
      return Corrupt(std::to_string(read_docs_) + " documents in its blocks, " +
                     std::to_string(documents_) + " in its end marker");
    }
    return false;
  }
  if (pos_ + kBlockHeaderBytes > blocks_end_) return Corrupt("a block runs into the end marker");
  char head[kBlockHeaderBytes];
  CHAFF_RETURN_IF_ERROR(Read(pos_, sizeof(head), head));
  Decoder hd(head, sizeof(head));
  const uint32_t n = hd.U32();
  const uint32_t bytes = hd.U32();
  const uint64_t sum = hd.U64();
  if (n == 0 || pos_ + kBlockHeaderBytes + bytes > blocks_end_) {
    return Corrupt("bad block header at byte " + std::to_string(pos_));
  }
  payload_.resize(bytes);
  CHAFF_RETURN_IF_ERROR(Read(pos_ + kBlockHeaderBytes, bytes, payload_.data()));
  if (Hash(payload_.data(), bytes) != sum) {
    return Corrupt("checksum mismatch in the block at byte " + std::to_string(pos_));
  }
  const size_t k = static_cast<size_t>(header_.params.num_hashes);
  const size_t bands = static_cast<size_t>(header_.params.lsh.bands);
  Decoder d(payload_.data(), payload_.size());
  const char* lanes = d.Take(size_t{n} * k);
  const char* keys = d.Take(size_t{n} * bands * 4);
  const char* empty = d.Take(n);
  const char* lines = d.Take(size_t{n} * 8);
  const char* ends = d.Take(size_t{n} * 4);
  if (!d.ok()) return Corrupt("a block too short for its documents");
  block->size = n;
  block->lanes.assign(lanes, lanes + size_t{n} * k);
  block->band_keys.resize(size_t{n} * bands);
  LoadLittleEndian(keys, size_t{n} * bands, block->band_keys.data());
  block->empty.assign(empty, empty + n);
  block->lines.resize(n);
  LoadLittleEndian(lines, n, block->lines.data());
  block->name_end.resize(n);
  LoadLittleEndian(ends, n, block->name_end.data());
  uint32_t prev = 0;
  for (uint32_t e : block->name_end) {
    if (e < prev) return Corrupt("names out of order in a block");
    prev = e;
  }
  if (prev != d.left()) return Corrupt("names do not fill their block");
  block->names.assign(d.Take(prev), prev);
  pos_ += kBlockHeaderBytes + bytes;
  read_docs_ += n;
  return true;
}

// --- sketch ------------------------------------------------------------------------

StatusOr<SketchShardsStats> SketchShards(const std::vector<CorpusInput>& shards,
                                         const SketchShardsOptions& options,
                                         const DedupeProgressCallback& progress,
                                         std::shared_ptr<std::atomic<uint64_t>> bad_records,
                                         std::vector<std::string>* warnings) {
  CHAFF_ASSIGN_OR_RETURN(const DedupeOptions o, ResolveDedupeOptions(options.dedupe));
  if (o.exact) {
    return InvalidArgument(
        "--exact cannot be used with sharded dedupe: the sketches would hold every shingle");
  }
  if (options.output_dir.empty()) return InvalidArgument("-o DIR is required: where the sketch files go");
  if (shards.size() > UINT32_MAX) return InvalidArgument("too many shards");
  for (const auto& s : shards) {
    if (s.path == kStdio) {
      return InvalidArgument("stdin (-) cannot be a shard: chaff apply reads every shard again");
    }
  }
  // The shards to read, in the list's order.
  std::vector<uint32_t> only = options.only;
  if (only.empty()) {
    for (size_t i = 0; i < shards.size(); ++i) only.push_back(static_cast<uint32_t>(i));
  }
  std::sort(only.begin(), only.end());
  for (size_t i = 0; i < only.size(); ++i) {
    if (only[i] >= shards.size()) {
      return InvalidArgument("shard " + std::to_string(only[i]) + " asked for, but the list has " +
                             std::to_string(shards.size()));
    }
    if (i > 0 && only[i] == only[i - 1]) {
      return InvalidArgument("shard " + std::to_string(only[i]) + " asked for twice");
    }
  }
  std::vector<CorpusInput> selected;
  for (uint32_t i : only) selected.push_back(shards[i]);

  std::error_code ec;
  fs::create_directories(options.output_dir, ec);
  if (!fs::is_directory(options.output_dir, ec)) {
    return IoError(options.output_dir + ": cannot create the sketch directory");
  }

  SketchFileHeader base;
  base.shard_count = static_cast<uint32_t>(shards.size());
  base.list_fingerprint = ShardListFingerprint(shards);
  base.params = SketchParams::Of(o);
  base.text_field = options.fields.text_field;
  base.id_field = options.fields.id_field;

  SketchShardsStats stats;
  stats.lsh = o.lsh;
  // Shards are finished in order: `next` is the first selected shard whose
  // file is not yet committed, `writer` its file once it has a document.
  size_t next = 0;
  std::unique_ptr<SketchFileWriter> writer;
  auto open = [&]() -> Status {
    SketchFileHeader h = base;
    h.shard_index = only[next];
    h.name = selected[next].name;
    h.file_bytes = FileBytes(selected[next].path);
    CHAFF_ASSIGN_OR_RETURN(writer,
                           SketchFileWriter::Create(SketchFileName(options.output_dir, h.shard_index), h));
    return Status::Ok();
  };
  auto finish_before = [&](size_t end) -> Status {
    for (; next < end; ++next) {
      if (!writer) CHAFF_RETURN_IF_ERROR(open());  // a shard with no records
      CHAFF_RETURN_IF_ERROR(writer->Commit());
      stats.sketch_bytes += writer->bytes();
      ++stats.shards;
      writer.reset();
    }
    return Status::Ok();
  };
  auto sink = [&](SketchedBatch& b) -> Status {
    for (size_t i = 0; i < b.size;) {
      const uint32_t source = b.sources[i];
      size_t j = i + 1;
      while (j < b.size && b.sources[j] == source) ++j;
      CHAFF_RETURN_IF_ERROR(finish_before(source));
      if (!writer) CHAFF_RETURN_IF_ERROR(open());
      CHAFF_RETURN_IF_ERROR(writer->Add(b, i, j));
      i = j;
    }
    return Status::Ok();
  };
  CorpusReader reader(&selected);
  auto run = SketchCorpus(&reader, CorpusDecoders(&selected, options.fields, bad_records), o,
                          /*names=*/true, sink, progress);
  if (warnings != nullptr) {
    for (const auto& w : reader.warnings()) warnings->push_back(w);
  }
  if (!run.ok()) return run.status();
  CHAFF_RETURN_IF_ERROR(finish_before(selected.size()));
  stats.documents = run->documents;
  stats.input_bytes = run->bytes;
  return stats;
}

// --- cluster -----------------------------------------------------------------------

StatusOr<std::vector<std::string>> FindSketchFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& f = it->path();
        if (f.extension() == kSketchFileExtension && it->is_regular_file(ec)) {
          found.push_back(f.string());
        }
      }
      if (ec) return IoError(p + ": cannot list: " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
      continue;
    }
    if (!fs::exists(p, ec)) return NotFound(p + ": no such file or directory");
    files.push_back(p);
  }
  if (files.empty()) return InvalidArgument("no sketch files (*.sketch) found: run chaff sketch first");
  return files;
}

namespace {

constexpr char kDecisionsMagic[8] = {'C', 'H', 'A', 'F', 'F', 'D', 'E', 'C'};

// The sketch files of one list, in the global order, checked to be whole.
StatusOr<std::vector<std::unique_ptr<SketchFileReader>>> OpenSketchSet(
    const std::vector<std::string>& files) {
  std::vector<std::unique_ptr<SketchFileReader>> readers;
  for (const auto& f : files) {
    CHAFF_ASSIGN_OR_RETURN(auto r, SketchFileReader::Open(f));
    readers.push_back(std::move(r));
  }
  std::stable_sort(readers.begin(), readers.end(), [](const auto& a, const auto& b) {
    return a->header().shard_index < b->header().shard_index;
  });
  const SketchFileHeader& first = readers.front()->header();
  for (const auto& r : readers) {
    const SketchFileHeader& h = r->header();
    if (h.list_fingerprint != first.list_fingerprint || h.shard_count != first.shard_count) {
      return InvalidArgument(r->path() + " and " + readers.front()->path() +
                             " were sketched from different shard lists (every chaff sketch run "
                             "must be given the same list of shards)");
    }
    if (!(h.params == first.params)) {
      return InvalidArgument(r->path() + " (" + h.params.Describe() + ") and " +
                             readers.front()->path() + " (" + first.params.Describe() +
                             ") were sketched with different options");
    }
  }
  for (size_t i = 1; i < readers.size(); ++i) {
    if (readers[i]->header().shard_index == readers[i - 1]->header().shard_index) {
      return InvalidArgument(readers[i - 1]->path() + " and " + readers[i]->path() +
                             " both hold shard " +
                             std::to_string(readers[i]->header().shard_index) + " (" +
                             readers[i]->header().name + ")");
    }
  }
  if (readers.size() != first.shard_count) {
    std::string missing;
    int listed = 0;
    size_t at = 0;
    for (uint32_t i = 0; i < first.shard_count && listed < 5; ++i) {
      if (at < readers.size() && readers[at]->header().shard_index == i) {
        ++at;
        continue;
      }
      missing += (listed++ ? ", " : "") + std::to_string(i);
    }
    return InvalidArgument("sketches of " + std::to_string(readers.size()) + " of " +
                           std::to_string(first.shard_count) + " shards; missing shard(s) " +
                           missing + (readers.size() + 5 < first.shard_count ? ", ..." : "") +
                           " (run chaff sketch for them)");
  }
  return readers;
}

}  // namespace

StatusOr<ClusterStats> ClusterSketches(const std::vector<std::string>& files,
                                       const ClusterOptions& options,
                                       const DedupeProgressCallback& progress) {
  if (options.decisions.empty()) return InvalidArgument("-o DECISIONS is required");
  if (files.empty()) return InvalidArgument("no sketch files");
  if (!options.clusters.empty() && options.clusters == options.decisions) {
    return InvalidArgument("--clusters and -o name the same file " + options.decisions);
  }
  CHAFF_ASSIGN_OR_RETURN(auto readers, OpenSketchSet(files));
  const SketchFileHeader& h = readers.front()->header();
  CHAFF_ASSIGN_OR_RETURN(const DedupeOptions o,
                         ResolveDedupeOptions(h.params.ToOptions(options.split_chains,
                                                                 options.threads)));

  uint64_t total = 0;
  for (const auto& r : readers) total += r->documents();
  if (total >= UINT32_MAX - 1) {
    return InvalidArgument("too many documents for one dedupe run (max 2^32 - 2)");
  }
  std::unique_ptr<StarDeduper> stars;
  std::unique_ptr<DedupeIndex> index;
  if (o.split_chains) {
    stars = std::make_unique<StarDeduper>(o);
    // Every document's count is known from the end markers: the tables are
    // sized once.
    CHAFF_RETURN_IF_ERROR(stars->Reserve(static_cast<size_t>(total)));
  } else {
    index = std::make_unique<DedupeIndex>(o);
  }
  const size_t k = static_cast<size_t>(o.num_hashes);
  const size_t bands = static_cast<size_t>(o.lsh.bands);

  ClusterStats stats;
  stats.shards = readers.size();
  DedupeProgress state;
  SketchBlock block;
  auto noop = [](size_t, const StarDeduper::Decision&) { return Status::Ok(); };
  for (auto& r : readers) {
    for (;;) {
      CHAFF_ASSIGN_OR_RETURN(const bool more, r->Next(&block));
      if (!more) break;
      if (stars) {
        CHAFF_RETURN_IF_ERROR(stars->AddBatch(block.size, block.lanes.data(),
                                              block.band_keys.data(), block.empty.data(),
                                              nullptr, noop));
      } else {
        for (size_t i = 0; i < block.size; ++i) {
          CHAFF_RETURN_IF_ERROR(index
                                    ->Add(block.lanes.data() + i * k,
                                          block.band_keys.data() + i * bands,
                                          block.empty[i] != 0, nullptr)
                                    .status());
        }
      }
      state.documents += block.size;
    }
    stats.sketch_bytes += r->file_size();
    state.bytes = stats.sketch_bytes;
    if (progress && !progress(state)) return Cancelled("interrupted");
  }
  state.clustering = true;
  if (progress && !progress(state)) return Cancelled("interrupted");
  stats.result = stars ? stars->Finish() : index->Cluster();
  const DedupeResult& result = stats.result;
  if (result.representative.size() != total) return Internal("cluster: documents lost");

  // The decisions file: header with the shard table, then a kept bitmap per
  // shard.
  std::string bitmaps;
  std::string table;
  Encoder t(&table);
  uint64_t first = 0;
  uint64_t kept_total = 0;
  for (const auto& r : readers) {
    const uint64_t n = r->documents();
    std::string bits((n + 7) / 8, '\0');
    uint64_t kept = 0;
    for (uint64_t i = 0; i < n; ++i) {
      if (result.Kept(first + i)) {
        bits[i / 8] = static_cast<char>(bits[i / 8] | (1 << (i % 8)));
        ++kept;
      }
    }
    t.U64(n);
    t.U64(kept);
    t.U64(r->header().file_bytes);
    t.U64(Hash(bits.data(), bits.size()));
    t.Str(r->header().name);
    bitmaps += bits;
    first += n;
    kept_total += kept;
  }
  std::string fields;
  Encoder f(&fields);
  f.U64(h.list_fingerprint);
  f.U32(h.shard_count);
  f.U8(o.split_chains ? 1 : 0);
  f.U8(0);
  f.U8(0);
  f.U8(0);
  EncodeParams(h.params, &f);
  f.U64(total);
  f.U64(kept_total);
  fields += table;
  std::string out;
  Encoder e(&out);
  e.Bytes(kDecisionsMagic, sizeof(kDecisionsMagic));
  e.U32(kDecisionsFileVersion);
  e.U32(static_cast<uint32_t>(fields.size()));
  out += fields;
  e.U64(Hash(out.data(), out.size()));
  CHAFF_ASSIGN_OR_RETURN(auto decisions, OutputFile::Create(options.decisions));
  CHAFF_RETURN_IF_ERROR(decisions->Write(out));
  CHAFF_RETURN_IF_ERROR(decisions->Write(bitmaps));
  CHAFF_RETURN_IF_ERROR(decisions->Close());

  // The clusters file: the sketches again, for the names (only the
  // representatives that removed documents name are held).
  if (!options.clusters.empty()) {
    std::vector<uint8_t> named(result.representative.size(), 0);
    for (size_t i = 0; i < named.size(); ++i) {
      if (!result.Kept(i)) named[result.representative[i]] = 1;
    }
    CHAFF_ASSIGN_OR_RETURN(auto clusters, ClustersFileWriter::Create(options.clusters, &named));
    uint32_t doc = 0;
    for (const auto& r : readers) {
      CHAFF_ASSIGN_OR_RETURN(auto again, SketchFileReader::Open(r->path()));
      for (;;) {
        CHAFF_ASSIGN_OR_RETURN(const bool more, again->Next(&block));
        if (!more) break;
        for (size_t i = 0; i < block.size; ++i, ++doc) {
          CHAFF_RETURN_IF_ERROR(clusters->Add(doc, block.Name(i), result.representative[doc],
                                              result.similarity[doc]));
        }
      }
      if (progress && !progress(state)) return Cancelled("interrupted");
    }
    if (doc != total) return DataError("the sketch files changed while chaff cluster read them");
    CHAFF_RETURN_IF_ERROR(clusters->Commit());
  }
  CHAFF_RETURN_IF_ERROR(decisions->Commit());
  return stats;
}


// --- apply -------------------------------------------------------------------------

namespace {

// Reads [offset, offset + n) of `path`.
Status ReadAt(const std::string& path, uint64_t offset, size_t n, std::string* out,
              const char* what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    const std::string m = path + ": cannot open: " + std::strerror(err);
    return err == ENOENT ? NotFound(m) : IoError(m);
  }
  out->resize(n);
  size_t done = 0;
  Status s;
  while (done < n) {
    const ssize_t got = ::pread(fd, out->data() + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      s = IoError(path + ": cannot read: " + std::strerror(errno));
      break;
    }
    if (got == 0) {
      s = DataError(path + ": truncated " + what + " (run chaff cluster again)");
      break;
    }
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  return s;
}

}  // namespace

StatusOr<DecisionsFile> ReadDecisionsFile(const std::string& path) {
  DecisionsFile df;
  df.path = path;
  const uint64_t size = FileBytes(path);
  std::string fixed;
  if (size < 16) {
    if (!fs::exists(path)) return NotFound(path + ": no such file");
    CHAFF_RETURN_IF_ERROR(ReadAt(path, 0, static_cast<size_t>(size), &fixed, "decisions file"));
  } else {
    CHAFF_RETURN_IF_ERROR(ReadAt(path, 0, 16, &fixed, "decisions file"));
  }
  if (fixed.size() < sizeof(kDecisionsMagic) ||
      std::memcmp(fixed.data(), kDecisionsMagic, sizeof(kDecisionsMagic)) != 0) {
    return DataError(path + ": not a chaff decisions file (made by chaff cluster)");
  }
  if (fixed.size() < 16) return DataError(path + ": truncated decisions file (run chaff cluster again)");
  Decoder fd(fixed.data() + 8, 8);
  const uint32_t version = fd.U32();
  const uint32_t fields_len = fd.U32();
  if (version != kDecisionsFileVersion) {
    return DataError(path + ": decisions file format version " + std::to_string(version) +
                     "; this chaff reads version " + std::to_string(kDecisionsFileVersion) +
                     " (run chaff sketch and chaff cluster again with this chaff)");
  }
  const uint64_t header_end = 16 + uint64_t{fields_len} + 8;
  if (header_end > size) return DataError(path + ": truncated decisions file (run chaff cluster again)");
  std::string header;
  CHAFF_RETURN_IF_ERROR(ReadAt(path, 0, static_cast<size_t>(header_end), &header, "decisions file"));
  uint64_t stored;
  LoadLittleEndian(header.data() + header.size() - 8, 1, &stored);
  if (Hash(header.data(), header.size() - 8) != stored) {
    return DataError(path + ": corrupt decisions file: header checksum mismatch (run chaff cluster again)");
  }
  Decoder d(header.data() + 16, fields_len);
  df.list_fingerprint = d.U64();
  const uint32_t count = d.U32();
  df.split_chains = d.U8() != 0;
  d.U8();
  d.U8();
  d.U8();
  const bool params_ok = DecodeParams(&d, &df.params);
  df.documents = d.U64();
  df.kept = d.U64();
  uint64_t offset = header_end;
  uint64_t first = 0;
  for (uint32_t i = 0; i < count && d.ok(); ++i) {
    DecisionsShard sh;
    sh.records = d.U64();
    sh.kept = d.U64();
    sh.file_bytes = d.U64();
    sh.bitmap_checksum = d.U64();
    sh.name = d.Str();
    sh.first_index = first;
    sh.bitmap_offset = offset;
    first += sh.records;
    offset += (sh.records + 7) / 8;
    df.shards.push_back(std::move(sh));
  }
  if (!d.ok() || !params_ok || d.left() != 0 || first != df.documents) {
    return DataError(path + ": corrupt decisions file: bad shard table (run chaff cluster again)");
  }
  if (offset != size) {
    return DataError(path + (offset > size ? ": truncated decisions file" : ": decisions file has trailing bytes") +
                     " (run chaff cluster again)");
  }
  return df;
}

StatusOr<std::vector<uint8_t>> ReadKeptFlags(const DecisionsFile& decisions, size_t shard) {
  const DecisionsShard& sh = decisions.shards.at(shard);
  std::string bits;
  CHAFF_RETURN_IF_ERROR(ReadAt(decisions.path, sh.bitmap_offset,
                               static_cast<size_t>((sh.records + 7) / 8), &bits, "decisions file"));
  if (Hash(bits.data(), bits.size()) != sh.bitmap_checksum) {
    return DataError(decisions.path + ": corrupt decisions file: checksum mismatch in the decisions of " +
                     sh.name + " (run chaff cluster again)");
  }
  std::vector<uint8_t> kept(static_cast<size_t>(sh.records));
  for (size_t i = 0; i < kept.size(); ++i) kept[i] = (bits[i / 8] >> (i % 8)) & 1;
  return kept;
}

StatusOr<DedupeWriteStats> ApplyDecisions(const std::string& decisions_path,
                                          const std::vector<CorpusInput>& shards,
                                          const DedupeOutputOptions& output,
                                          const DedupeProgressCallback& progress) {
  if (!output.clusters.empty()) {
    return InvalidArgument("chaff cluster writes the clusters file (--clusters), not chaff apply");
  }
  CHAFF_ASSIGN_OR_RETURN(const DecisionsFile df, ReadDecisionsFile(decisions_path));
  std::unordered_map<std::string, size_t> by_name;
  std::unordered_map<std::string, size_t> by_absolute;
  auto absolute = [](const std::string& p) {
    std::error_code ec;
    return fs::absolute(p, ec).lexically_normal().string();
  };
  for (size_t i = 0; i < df.shards.size(); ++i) {
    by_name.emplace(df.shards[i].name, i);
    by_absolute.emplace(absolute(df.shards[i].name), i);
  }
  // Each input's shard, then the inputs in the global order.
  std::vector<std::pair<size_t, size_t>> order;  // (shard, input)
  for (size_t i = 0; i < shards.size(); ++i) {
    const size_t* found = nullptr;
    if (auto it = by_name.find(shards[i].name); it != by_name.end()) {
      found = &it->second;
    } else if (auto at = by_absolute.find(absolute(shards[i].path)); at != by_absolute.end()) {
      found = &at->second;
    }
    if (found == nullptr) {
      return InvalidArgument(shards[i].name + " is not a shard of " + decisions_path + " (its " +
                             std::to_string(df.shards.size()) + " shards are named as given to chaff sketch, e.g. " +
                             (df.shards.empty() ? std::string("none") : df.shards.front().name) + ")");
    }
    order.emplace_back(*found, i);
  }
  std::sort(order.begin(), order.end());
  for (size_t i = 1; i < order.size(); ++i) {
    if (order[i].first == order[i - 1].first) {
      return InvalidArgument(shards[order[i].second].name + " is given twice");
    }
  }
  std::vector<CorpusInput> inputs;
  std::vector<uint64_t> ends;
  DedupeResult result;
  for (const auto& [shard, input] : order) {
    const DecisionsShard& sh = df.shards[shard];
    const CorpusInput& in = shards[input];
    const uint64_t bytes = FileBytes(in.path);
    if (sh.file_bytes != 0 && bytes != 0 && bytes != sh.file_bytes) {
      return DataError(in.name + ": changed since it was sketched (" + std::to_string(sh.file_bytes) +
                       " bytes then, " + std::to_string(bytes) + " now); nothing was written");
    }
    CHAFF_ASSIGN_OR_RETURN(const std::vector<uint8_t> kept, ReadKeptFlags(df, shard));
    // Local indexes: a removed record's representative is outside what is
    // written here, so it is marked by UINT32_MAX (only Kept() is read).
    for (uint8_t k : kept) {
      const auto i = static_cast<uint32_t>(result.representative.size());
      result.representative.push_back(k ? i : UINT32_MAX);
    }
    ends.push_back(result.representative.size());
    inputs.push_back(in);
  }
  result.similarity.assign(result.representative.size(), 1.0f);
  result.documents = result.representative.size();
  DedupeWriteStats stats;
  CHAFF_RETURN_IF_ERROR(WriteDedupeOutputs(inputs, result, output, progress, &stats, &ends));
  return stats;
}

}  // namespace chaff
