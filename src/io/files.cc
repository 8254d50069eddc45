#include "chaff/io/files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace chaff {
namespace fs = std::filesystem;

namespace {

constexpr size_t kChunk = 1 << 20;
// First read of a file: most inputs are small, and a zero-filled 1 MiB buffer
// per file dominated the cost of reading many tiny files.
constexpr size_t kFirstChunk = 64 << 10;

std::string ErrnoText(int err) { return std::strerror(err); }

std::atomic<const std::atomic<bool>*> g_cancel_flag{nullptr};

// True when an EINTR should end the call rather than be retried.
bool CancelRequested() {
  const std::atomic<bool>* flag = g_cancel_flag.load();
  return flag != nullptr && flag->load();
}

Status ErrnoStatus(const std::string& path, const char* what, int err) {
  if (err == EFAULT) {
    // write() from a memory-mapped input whose file shrank under it.
    return IoError(path + ": " + what +
                   ": the bytes to write could not be read (was an input file truncated "
                   "while chaff read it?)");
  }
  if (err == EPIPE) {
    return Status(StatusCode::kBrokenPipe, path + ": " + what + ": broken pipe");
  }
  if (err == ENOENT) return NotFound(path + ": " + what + ": " + ErrnoText(err));
  return IoError(path + ": " + what + ": " + ErrnoText(err));
}

// Reads from a file descriptor, retrying on EINTR. When a cancel flag is
// set (SetCancelFlag), waits for data in poll() steps of 200 ms and gives up
// once the flag is raised: a thread blocked on an idle pipe does not get the
// signal (the main thread does), so its read() alone would wait for data.
StatusOr<size_t> ReadFd(int fd, const std::string& path, char* buf, size_t n) {
  if (g_cancel_flag.load() != nullptr) {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      const int ready = ::poll(&p, 1, 200);
      if (ready > 0 || (ready < 0 && errno != EINTR)) break;  // read() says what
      if (CancelRequested()) return Cancelled(path + ": read interrupted");
    }
  }
  for (;;) {
    const ssize_t got = ::read(fd, buf, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno == EINTR) {
      if (CancelRequested()) return Cancelled(path + ": read interrupted");
      continue;
    }
    return ErrnoStatus(path, "read failed", errno);
  }
}

// The compression of a stream from its first bytes (magic numbers).
Compression CompressionOfHead(std::string_view h) {
  const auto* b = reinterpret_cast<const uint8_t*>(h.data());
  if (h.size() >= 2 && b[0] == 0x1f && b[1] == 0x8b) return Compression::kGzip;
  if (h.size() >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) {
    return Compression::kZstd;
  }
  return Compression::kNone;
}

// Up to `n` bytes of the start of the stream whose first bytes are `raw`,
// decompressed; fewer when `raw` does not hold that many (or is corrupt).
std::string DecompressHead(std::string_view raw, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  switch (CompressionOfHead(raw)) {
    case Compression::kNone:
      return std::string(raw.substr(0, n));
    case Compression::kGzip: {
      z_stream zs{};
      if (inflateInit2(&zs, 15 + 32) != Z_OK) return std::string();
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
      zs.avail_in = static_cast<uInt>(std::min<size_t>(raw.size(), 1u << 30));
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(n);
      while (zs.avail_out > 0) {
        const int rc = inflate(&zs, Z_SYNC_FLUSH);
        if (rc == Z_STREAM_END && zs.avail_in > 0 && inflateReset(&zs) == Z_OK) continue;
        if (rc != Z_OK) break;
      }
      got = n - zs.avail_out;
      inflateEnd(&zs);
      break;
    }
    case Compression::kZstd: {
      ZSTD_DStream* ds = ZSTD_createDStream();
      if (ds == nullptr) return std::string();
      ZSTD_inBuffer in{raw.data(), raw.size(), 0};
      ZSTD_outBuffer o{out.data(), n, 0};
      while (o.pos < o.size && in.pos < in.size) {
        const size_t before = in.pos + o.pos;
        if (ZSTD_isError(ZSTD_decompressStream(ds, &o, &in))) break;
        if (in.pos + o.pos == before) break;  // no progress: needs more input
      }
      got = o.pos;
      ZSTD_freeDStream(ds);
      break;
    }
  }
  out.resize(got);
  return out;
}

// Bytes of stdin that PeekInput("-") read ahead and the next OpenSource("-")
// serves first (stdin cannot be reopened or rewound).
std::string& StdinReadAhead() {
  static std::string bytes;
  return bytes;
}

// Owns a descriptor, plus bytes already read: up to 4 to sniff the format,
// or what PeekInput read ahead from stdin.
class FdReader {
 public:
  FdReader(int fd, bool owned, std::string path, std::string read_ahead = std::string())
      : fd_(fd), owned_(owned), path_(std::move(path)), peek_(std::move(read_ahead)) {}
  ~FdReader() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  StatusOr<size_t> Read(char* buf, size_t n) {
    if (peek_pos_ < peek_.size()) {
      const size_t take = std::min(n, peek_.size() - peek_pos_);
      std::memcpy(buf, peek_.data() + peek_pos_, take);
      peek_pos_ += take;
      return take;
    }
    return ReadFd(fd_, path_, buf, n);
  }
  // Makes sure that at least 4 bytes (fewer at the end of the input) are
  // read ahead, to identify the compression, and returns them.
  StatusOr<std::string_view> Peek() {
    peek_.erase(0, peek_pos_);
    peek_pos_ = 0;
    char tmp[4];
    while (peek_.size() < sizeof(tmp)) {
      auto got = ReadFd(fd_, path_, tmp, sizeof(tmp) - peek_.size());
      if (!got.ok()) return got.status();
      if (*got == 0) break;
      peek_.append(tmp, *got);
    }
    return std::string_view(peek_);
  }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  bool owned_;
  std::string path_;
  std::string peek_;
  size_t peek_pos_ = 0;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<FdReader> in) : in_(std::move(in)) {}
  StatusOr<size_t> Read(char* buf, size_t n) override { return in_->Read(buf, n); }
  Compression compression() const override { return Compression::kNone; }

 private:
  std::unique_ptr<FdReader> in_;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<FdReader> in) : in_(std::move(in)) {
    std::memset(&zs_, 0, sizeof(zs_));
    // 15 + 32: zlib or gzip header, detected automatically.
    init_ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&zs_); }
  Compression compression() const override { return Compression::kGzip; }

  // The bytes decompressed before an error are returned first; the error
  // comes with the next call (and every call after it), so a reader gets
  // every record that precedes a truncated or corrupt member.
  StatusOr<size_t> Read(char* buf, size_t n) override {
    if (!init_ok_) return Internal(in_->path() + ": cannot initialise zlib");
    if (!error_.ok()) return error_;
    if (done_) return size_t{0};
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    auto produced = [&] {
      return static_cast<size_t>(reinterpret_cast<char*>(zs_.next_out) - buf);
    };
    auto fail = [&](Status s) -> StatusOr<size_t> {
      error_ = std::move(s);
      if (produced() > 0) return produced();
      return error_;
    };
    while (zs_.avail_out > 0) {
      if (zs_.avail_in == 0) {
        auto got = in_->Read(inbuf_.get(), kChunk);
        if (!got.ok()) return fail(got.status());
        if (*got == 0) {
          if (stream_started_) return fail(DataError(in_->path() + ": truncated gzip stream"));
          done_ = true;
          break;
        }
        zs_.next_in = reinterpret_cast<Bytef*>(inbuf_.get());
        zs_.avail_in = static_cast<uInt>(*got);
      }
      stream_started_ = true;
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Concatenated gzip members (as `cat a.gz b.gz` makes) continue.
        stream_started_ = false;
        if (inflateReset(&zs_) != Z_OK) return fail(DataError(in_->path() + ": bad gzip stream"));
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return fail(DataError(in_->path() + ": bad gzip data (" +
                              (zs_.msg ? zs_.msg : "inflate failed") + ")"));
      }
    }
    return produced();
  }

 private:
  std::unique_ptr<FdReader> in_;
  z_stream zs_;
  bool init_ok_ = false;
  bool done_ = false;
  bool stream_started_ = false;
  Status error_;  // sticky, once the bytes before it are returned
  // Not zero-filled: a small file touches only the pages it is read into.
  std::unique_ptr<char[]> inbuf_{new char[kChunk]};
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<FdReader> in)
      : in_(std::move(in)), ds_(ZSTD_createDStream()) {
    inbuf_.resize(ZSTD_DStreamInSize());
    in_buf_ = ZSTD_inBuffer{inbuf_.data(), 0, 0};
  }
  ~ZstdSource() override { ZSTD_freeDStream(ds_); }
  Compression compression() const override { return Compression::kZstd; }

  // As GzipSource: the bytes before an error first, then the error.
  StatusOr<size_t> Read(char* buf, size_t n) override {
    if (ds_ == nullptr) return Internal(in_->path() + ": cannot initialise zstd");
    if (!error_.ok()) return error_;
    ZSTD_outBuffer out{buf, n, 0};
    auto fail = [&](Status s) -> StatusOr<size_t> {
      error_ = std::move(s);
      if (out.pos > 0) return out.pos;
      return error_;
    };
    while (out.pos < out.size) {
      if (in_buf_.pos == in_buf_.size) {
        auto got = in_->Read(inbuf_.data(), inbuf_.size());
        if (!got.ok()) return fail(got.status());
        if (*got == 0) {
          if (frame_open_) return fail(DataError(in_->path() + ": truncated zstd stream"));
          break;
        }
        in_buf_ = ZSTD_inBuffer{inbuf_.data(), *got, 0};
      }
      const size_t rc = ZSTD_decompressStream(ds_, &out, &in_buf_);
      if (ZSTD_isError(rc)) {
        return fail(DataError(in_->path() + ": bad zstd data (" +
                              ZSTD_getErrorName(rc) + ")"));
      }
      frame_open_ = rc != 0;
      if (out.pos > 0 && in_buf_.pos == in_buf_.size) break;
    }
    return out.pos;
  }

 private:
  std::unique_ptr<FdReader> in_;
  ZSTD_DStream* ds_;
  std::string inbuf_;
  ZSTD_inBuffer in_buf_;
  bool frame_open_ = false;
  Status error_;  // sticky, once the bytes before it are returned
};

}  // namespace

StatusOr<std::unique_ptr<ByteSource>> OpenSource(const std::string& path) {
  std::unique_ptr<FdReader> reader;
  if (path == kStdio) {
    reader = std::make_unique<FdReader>(STDIN_FILENO, false, "<stdin>",
                                        std::move(StdinReadAhead()));
    StdinReadAhead().clear();
  } else {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(path, "cannot open", errno);
    if (S_ISDIR(st.st_mode)) return InvalidArgument(path + ": is a directory");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
    reader = std::make_unique<FdReader>(fd, true, path);
  }
  auto head = reader->Peek();
  if (!head.ok()) return head.status();
  switch (CompressionOfHead(*head)) {
    case Compression::kGzip:
      return std::unique_ptr<ByteSource>(new GzipSource(std::move(reader)));
    case Compression::kZstd:
      return std::unique_ptr<ByteSource>(new ZstdSource(std::move(reader)));
    case Compression::kNone:
      break;
  }
  return std::unique_ptr<ByteSource>(new PlainSource(std::move(reader)));
}

namespace {

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  StatusOr<size_t> Read(char* buf, size_t n) override {
    const size_t take = std::min(n, bytes_.size() - pos_);
    if (take > 0) std::memcpy(buf, bytes_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  Compression compression() const override { return Compression::kNone; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteSource> MemoryByteSource(std::string_view bytes) {
  return std::make_unique<MemorySource>(bytes);
}

UnicodeBom BomOf(std::string_view head) {
  const auto b = [&](size_t i) { return i < head.size() ? static_cast<uint8_t>(head[i]) : 0x100; };
  // UTF-32LE before UTF-16LE: FF FE 00 00 starts both.
  if (b(0) == 0xFF && b(1) == 0xFE && b(2) == 0 && b(3) == 0) return UnicodeBom::kUtf32LE;
  if (b(0) == 0 && b(1) == 0 && b(2) == 0xFE && b(3) == 0xFF) return UnicodeBom::kUtf32BE;
  if (b(0) == 0xFF && b(1) == 0xFE) return UnicodeBom::kUtf16LE;
  if (b(0) == 0xFE && b(1) == 0xFF) return UnicodeBom::kUtf16BE;
  if (b(0) == 0xEF && b(1) == 0xBB && b(2) == 0xBF) return UnicodeBom::kUtf8;
  return UnicodeBom::kNone;
}

Status BomError(const std::string& path, UnicodeBom bom) {
  const char* name = nullptr;
  const char* mark = nullptr;
  const char* family = nullptr;
  switch (bom) {
    case UnicodeBom::kNone:
    case UnicodeBom::kUtf8:
      return Status::Ok();
    case UnicodeBom::kUtf16LE: name = "UTF-16LE"; mark = "FF FE"; family = "UTF-16"; break;
    case UnicodeBom::kUtf16BE: name = "UTF-16BE"; mark = "FE FF"; family = "UTF-16"; break;
    case UnicodeBom::kUtf32LE: name = "UTF-32LE"; mark = "FF FE 00 00"; family = "UTF-32"; break;
    case UnicodeBom::kUtf32BE: name = "UTF-32BE"; mark = "00 00 FE FF"; family = "UTF-32"; break;
  }
  const std::string shown = path == kStdio ? "<stdin>" : path;
  const std::string converted = path == kStdio ? "-" : path;
  return DataError(shown + ": " + name + " text (byte order mark " + mark +
                   "), not UTF-8; convert it first, e.g. iconv -f " + family + " -t UTF-8 " +
                   converted + " > utf8.txt");
}

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  auto source = OpenSource(path);
  if (!source.ok()) return source.status();
  std::string out;
  // A plain file of known size is read into one buffer of size + 1 (the
  // extra byte sees the end), never grown and copied; otherwise the buffer
  // grows in steps from kFirstChunk to kChunk.
  size_t step = kFirstChunk;
  if (path != kStdio && (*source)->compression() == Compression::kNone) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (!ec) step = static_cast<size_t>(size) + 1;
  }
  size_t used = 0;
  for (;;) {
    if (out.size() == used) {
      out.resize(used + step);
      step = std::min(kChunk, std::max(step, kFirstChunk) * 2);
    }
    auto got = (*source)->Read(out.data() + used, out.size() - used);
    if (!got.ok()) return got.status();
    if (*got == 0) break;
    used += *got;
  }
  out.resize(used);
  CHAFF_RETURN_IF_ERROR(BomError(path, BomOf(out)));
  return out;
}

std::unique_ptr<MappedFile> MappedFile::Open(const std::string& path, size_t min_size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  void* map = MAP_FAILED;
  size_t size = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      static_cast<uint64_t>(st.st_size) >= min_size) {
    size = static_cast<size_t>(st.st_size);
    map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);  // the mapping keeps the file
  if (map == MAP_FAILED) return nullptr;
  std::unique_ptr<MappedFile> file(new MappedFile());
  file->data_ = static_cast<const char*>(map);
  file->size_ = size;
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  file->readable_ = (size + page - 1) / page * page;
  if (CompressionOfHead(std::string_view(file->data_, std::min<size_t>(size, 4))) !=
      Compression::kNone) {
    return nullptr;
  }
  ::madvise(map, size, MADV_SEQUENTIAL);
  return file;
}

MappedFile::~MappedFile() { ::munmap(const_cast<char*>(data_), size_); }

void MappedFile::ReleaseBefore(size_t offset) {
  // In steps of 4 MiB: one madvise per step.
  constexpr size_t kStep = size_t{4} << 20;
  if (offset < released_ + kStep) return;
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t upto = std::min(offset, size_) / page * page;
  ::madvise(const_cast<char*>(data_) + released_, upto - released_, MADV_DONTNEED);
  released_ = upto;
}

StatusOr<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path) {
  std::unique_ptr<MappedFile> map;
  if (path != kStdio) map = MappedFile::Open(path, kMapThreshold);
  std::unique_ptr<ByteSource> source;
  if (!map) {  // a stream: stdin, compressed, small, or not mappable
    CHAFF_ASSIGN_OR_RETURN(source, OpenSource(path));
  }
  std::unique_ptr<LineReader> reader(
      new LineReader(path == kStdio ? "<stdin>" : path, std::move(source)));
  reader->map_ = std::move(map);
  if (reader->map_) {
    CHAFF_RETURN_IF_ERROR(reader->CheckHead(reader->map_->bytes()));
  } else {
    // The first bytes now, so that text this reader refuses (UTF-16) fails
    // to open, like a file that cannot be read. A read that fails here
    // (a corrupt gzip stream) fails the first Next, as it would have.
    while (!reader->eof_ && reader->buf_.size() < 4 && reader->deferred_.ok()) {
      reader->deferred_ = reader->ReadMore();
    }
    if (reader->deferred_.ok()) {
      CHAFF_RETURN_IF_ERROR(
          reader->CheckHead(std::string_view(reader->buf_.data(), reader->buf_.size())));
    }
  }
  return reader;
}

Status LineReader::CheckHead(std::string_view head) {
  const UnicodeBom bom = BomOf(head);
  if (bom == UnicodeBom::kUtf8) {  // not part of line 1
    pos_ += 3;
    consumed_ += 3;
  }
  return BomError(path_ == "<stdin>" ? std::string(kStdio) : path_, bom);
}

StatusOr<bool> LineReader::NextMapped(std::string_view* line) {
  const std::string_view bytes = map_->bytes();
  if (pos_ >= bytes.size()) return false;
  const char* start = bytes.data() + pos_;
  const size_t avail = bytes.size() - pos_;
  const void* nl = std::memchr(start, '\n', avail);
  size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : avail;
  const size_t consumed = nl ? len + 1 : len;
  if (len > 0 && start[len - 1] == '\r') --len;
  last_mapped_ = true;
  if (pos_ + len + kPadding > map_->readable()) {
    // Too close to the end of the mapping for the padding: a copy (of at
    // least one byte's room, so that even an empty line has a buffer).
    buf_.clear();
    buf_.Reserve(std::max<size_t>(len, 1));
    buf_.Append(start, len);
    start = buf_.data();
    last_mapped_ = false;
  }
  *line = std::string_view(start, len);
  // Pages are given back some way behind the reader: lines handed on
  // (line_owner) are usually still being worked on there, and would fault
  // back in.
  if (pos_ > release_lag_) map_->ReleaseBefore(pos_ - release_lag_);
  pos_ += consumed;
  consumed_ += consumed;
  ++line_number_;
  return true;
}

StatusOr<bool> LineReader::Next(std::string_view* line) {
  if (map_) return NextMapped(line);
  if (!deferred_.ok()) return deferred_;
  for (;;) {
    const char* start = buf_.data() + pos_;
    const size_t avail = buf_.size() - pos_;
    const void* nl = avail ? std::memchr(start, '\n', avail) : nullptr;
    if (nl != nullptr || (eof_ && avail > 0)) {
      size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - start) : avail;
      const size_t consumed = nl ? len + 1 : len;
      if (len > 0 && start[len - 1] == '\r') --len;
      *line = std::string_view(start, len);
      pos_ += consumed;
      consumed_ += consumed;
      ++line_number_;
      return true;
    }
    if (eof_) return false;
    CHAFF_RETURN_IF_ERROR(ReadMore());
  }
}

Status LineReader::ReadMore() {
  // Keep the partial line, read another chunk after it.
  buf_.Consume(pos_);
  pos_ = 0;
  const size_t used = buf_.size();
  // Small files get small buffers; the step grows with the capacity
  // already held, up to kChunk.
  const size_t step = std::min(kChunk, std::max(kFirstChunk, buf_.capacity()));
  buf_.Reserve(used + step);
  auto got = source_->Read(buf_.data() + used, step);
  if (!got.ok()) return got.status();
  buf_.set_size(used + *got);
  if (*got == 0) eof_ = true;
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

struct OutputFile::Codec {
  z_stream zs{};
  bool zs_init = false;
  ZSTD_CStream* zc = nullptr;
  RawBuffer out;  // compressed bytes on their way to the file
  ~Codec() {
    if (zs_init) deflateEnd(&zs);
    if (zc) ZSTD_freeCStream(zc);
  }
};

namespace {

Compression CompressionOfPath(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() &&
           path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".gz")) return Compression::kGzip;
  if (ends(".zst")) return Compression::kZstd;
  return Compression::kNone;
}

std::atomic<uint64_t> g_temp_counter{0};

// The temporary files that exist now, for RemoveTemporaryFiles(): a fixed
// table of slots holding copies of the paths. No allocation, no lock and no
// pointer to memory another thread may free, so a signal handler can read
// it at any moment.
constexpr size_t kTempSlots = 128;
constexpr size_t kTempPathMax = 1024;
struct TempSlot {
  std::atomic<int> state{0};  // kFree, kWriting or kListed
  char path[kTempPathMax] = {};  // so that the table is constant-initialized
};
constexpr int kFree = 0;
constexpr int kWriting = 1;
constexpr int kListed = 2;
TempSlot g_temp_slots[kTempSlots];

}  // namespace

namespace {

// N when `p` names descriptor N of this process: /dev/fd/N,
// /proc/self/fd/N, /proc/thread-self/fd/N or /proc/<pid>/fd/N; else -1.
// (The kernel's links there lead to "pipe:[123]" or to a file the
// descriptor was opened on, which is not the same as writing to the
// descriptor: a file would be opened afresh at offset 0, or replaced.)
int DescriptorOfPath(const std::string& p) {
  std::string_view s = p;
  const std::string own = "/proc/" + std::to_string(::getpid()) + "/fd/";
  bool matched = false;
  for (std::string_view prefix : {std::string_view("/dev/fd/"), std::string_view("/proc/self/fd/"),
                                  std::string_view("/proc/thread-self/fd/"),
                                  std::string_view(own)}) {
    if (s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      matched = true;
      break;
    }
  }
  if (!matched || s.empty() || s.size() > 9) return -1;
  int n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

void SetIdentity(const struct stat& st, OutputTarget* t) {
  t->exists = true;
  t->regular = S_ISREG(st.st_mode);
  t->id.device = static_cast<uint64_t>(st.st_dev);
  t->id.inode = static_cast<uint64_t>(st.st_ino);
}

}  // namespace

StatusOr<OutputTarget> ResolveOutput(const std::string& path) {
  OutputTarget t;
  std::string p = path;
  for (int links = 0;; ++links) {
    const int fd = p == kStdio ? STDOUT_FILENO : DescriptorOfPath(p);
    struct stat st;
    if (fd >= 0) {
      t.kind = OutputTarget::Kind::kDescriptor;
      t.fd = fd;
      if (::fstat(fd, &st) == 0) SetIdentity(st, &t);
      return t;
    }
    if (::lstat(p.c_str(), &st) != 0) {
      // Nothing there (or not reachable): a file to create, and creating it
      // says what is wrong.
      t.kind = OutputTarget::Kind::kFile;
      t.path = p;
      return t;
    }
    if (!S_ISLNK(st.st_mode)) {
      t.path = p;
      SetIdentity(st, &t);
      t.kind = S_ISDIR(st.st_mode)   ? OutputTarget::Kind::kDirectory
               : S_ISREG(st.st_mode) ? OutputTarget::Kind::kFile
                                     : OutputTarget::Kind::kStream;
      return t;
    }
    if (links >= 40) return ErrnoStatus(path, "cannot follow the symbolic link", ELOOP);
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
    for (;;) {
      const ssize_t n = ::readlink(p.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoStatus(path, "cannot read the symbolic link", errno);
      if (static_cast<size_t>(n) < target.size()) {
        target.resize(static_cast<size_t>(n));
        break;
      }
      target.resize(target.size() * 2);  // the link grew meanwhile
    }
    // A relative target is relative to the link's directory; the kernel
    // resolves any "..", as it would for the link itself.
    const size_t slash = p.rfind('/');
    p = (target.empty() || target[0] == '/' || slash == std::string::npos)
            ? target
            : p.substr(0, slash + 1) + target;
  }
}

std::string CanonicalOutputPath(const OutputTarget& target) {
  std::error_code ec;
  fs::path abs = fs::absolute(target.path, ec);
  if (ec) return target.path;
  const fs::path canonical = fs::weakly_canonical(abs, ec);
  return (ec ? abs.lexically_normal() : canonical).string();
}

bool SameOutput(const std::string& a, const std::string& b) {
  const StatusOr<OutputTarget> ra = ResolveOutput(a);
  const StatusOr<OutputTarget> rb = ResolveOutput(b);
  if (!ra.ok() || !rb.ok()) return a == b;
  using Kind = OutputTarget::Kind;
  if (ra->kind == Kind::kDescriptor && rb->kind == Kind::kDescriptor && ra->fd == rb->fd) {
    return true;
  }
  if (ra->exists && rb->exists && ra->regular && rb->regular && ra->id == rb->id) return true;
  return ra->kind == Kind::kFile && rb->kind == Kind::kFile &&
         CanonicalOutputPath(*ra) == CanonicalOutputPath(*rb);
}

StatusOr<std::unique_ptr<OutputFile>> OutputFile::Create(const std::string& path) {
  std::unique_ptr<OutputFile> out(new OutputFile());
  out->path_ = path;
  out->compression_ = CompressionOfPath(path);
  if (path == kStdio) {
    out->is_stdout_ = true;
    out->fd_ = STDOUT_FILENO;
    out->codec_ = std::make_unique<Codec>();
    return InitCodec(std::move(out));
  }
  const fs::path p(path);
  std::error_code ec;
  if (p.has_parent_path()) {
    fs::create_directories(p.parent_path(), ec);
    if (ec) {
      return IoError(path + ": cannot create directory " + p.parent_path().string() + ": " +
                     ec.message());
    }
  }
  CHAFF_ASSIGN_OR_RETURN(const OutputTarget target, ResolveOutput(path));
  switch (target.kind) {
    case OutputTarget::Kind::kDirectory:
      return InvalidArgument(path + ": is a directory");
    case OutputTarget::Kind::kDescriptor:
      // /dev/stdout and the like: a copy of the descriptor, so the bytes go
      // where it goes, at its offset (a file it was opened on is neither
      // replaced nor opened again at its start).
      out->direct_ = true;
      out->fd_ = ::fcntl(target.fd, F_DUPFD_CLOEXEC, 3);
      if (out->fd_ < 0) {
        return ErrnoStatus(path, ("cannot write to descriptor " + std::to_string(target.fd)).c_str(),
                           errno);
      }
      break;
    case OutputTarget::Kind::kStream:
      // A device or a FIFO (/dev/null, a named pipe): written in place. A
      // rename would replace the device node with a regular file.
      out->direct_ = true;
      out->fd_ = ::open(target.path.c_str(), O_WRONLY | O_CLOEXEC);
      if (out->fd_ < 0) return ErrnoStatus(path, "cannot open", errno);
      break;
    case OutputTarget::Kind::kFile: {
      // Beside the final target, so that the rename replaces the target and
      // leaves any link on the way a link.
      out->target_path_ = target.path;
      out->replacing_ = target.exists;
      out->temp_path_ = target.path + ".chaff-tmp." + std::to_string(::getpid()) + "." +
                        std::to_string(g_temp_counter.fetch_add(1));
      out->temp_guard_.Register(out->temp_path_);
      out->fd_ = ::open(out->temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (out->fd_ < 0) {
        const int err = errno;
        out->temp_guard_.Release();
        if (target.path != path) {
          return ErrnoStatus(path, ("cannot create " + target.path + ", where the link leads").c_str(),
                             err);
        }
        return ErrnoStatus(path, "cannot create", err);
      }
      break;
    }
  }
  out->codec_ = std::make_unique<Codec>();
  return InitCodec(std::move(out));
}

StatusOr<std::unique_ptr<OutputFile>> OutputFile::InitCodec(std::unique_ptr<OutputFile> out) {
  const std::string& path = out->path_;
  if (out->compression_ == Compression::kGzip) {
    // 15 + 16: write a gzip header and trailer.
    if (deflateInit2(&out->codec_->zs, 6, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return Internal(path + ": cannot initialise zlib");
    }
    out->codec_->zs_init = true;
  } else if (out->compression_ == Compression::kZstd) {
    out->codec_->zc = ZSTD_createCStream();
    if (out->codec_->zc == nullptr) return Internal(path + ": cannot initialise zstd");
    ZSTD_CCtx_setParameter(out->codec_->zc, ZSTD_c_compressionLevel, 3);
    // A content checksum, as the zstd tool writes by default: without it a
    // corrupted frame can decode to wrong bytes without any error.
    ZSTD_CCtx_setParameter(out->codec_->zc, ZSTD_c_checksumFlag, 1);
  }
  // Grows (by doubling, up to kChunk before a flush) only as far as the
  // output needs: many small outputs do not each take a megabyte.
  out->buf_.reserve(kFirstChunk);
  return out;
}

OutputFile::~OutputFile() {
  if (!is_stdout_ && fd_ >= 0) ::close(fd_);
  if (!is_stdout_ && !committed_ && !temp_path_.empty()) {
    ::unlink(temp_path_.c_str());
  }
}

Status OutputFile::WriteRaw(const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd_, data, n);
    if (w < 0) {
      if (errno == EINTR) {
        if (CancelRequested()) return Cancelled(path_ + ": write interrupted");
        continue;
      }
      return ErrnoStatus(is_stdout_ ? std::string("<stdout>") : path_,
                         "write failed", errno);
    }
    data += w;
    n -= static_cast<size_t>(w);
    Written(static_cast<size_t>(w));
  }
  return Status::Ok();
}

void OutputFile::Written(size_t n) {
  written_ += n;
  // Replacing an existing file: ext4 (auto_da_alloc) writes the new file
  // back inside the rename that replaces the old one, 20-30 ms per 50 MB at
  // the very end of a run. Starting that writeback as the bytes come moves
  // the work to where it overlaps the rest of the run. (A new file is left
  // to the kernel's flusher, after chaff has exited.)
  constexpr uint64_t kWritebackChunk = uint64_t{8} << 20;
  if (replacing_ && written_ - written_back_ >= kWritebackChunk) {
#if defined(SYNC_FILE_RANGE_WRITE)
    ::sync_file_range(fd_, static_cast<off_t>(written_back_),
                      static_cast<off_t>(written_ - written_back_), SYNC_FILE_RANGE_WRITE);
#endif
    written_back_ = written_;
  }
}

Status OutputFile::FlushBuffer(bool finish) {
  if (compression_ == Compression::kNone) {
    Status s = WriteRaw(buf_.data(), buf_.size());
    buf_.clear();
    return s;
  }
  RawBuffer& out = codec_->out;
  out.Reserve(kChunk);  // once: later flushes reuse it
  if (compression_ == Compression::kGzip) {
    z_stream& zs = codec_->zs;
    zs.next_in = reinterpret_cast<Bytef*>(buf_.data());
    zs.avail_in = static_cast<uInt>(buf_.size());
    int rc;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(out.data());
      zs.avail_out = static_cast<uInt>(kChunk);
      rc = deflate(&zs, finish ? Z_FINISH : Z_NO_FLUSH);
      if (rc == Z_STREAM_ERROR) return Internal(path_ + ": deflate failed");
      CHAFF_RETURN_IF_ERROR(WriteRaw(out.data(), kChunk - zs.avail_out));
    } while (zs.avail_out == 0 || (finish && rc != Z_STREAM_END));
  } else {
    ZSTD_inBuffer in{buf_.data(), buf_.size(), 0};
    for (;;) {
      ZSTD_outBuffer o{out.data(), kChunk, 0};
      const size_t rc = ZSTD_compressStream2(
          codec_->zc, &o, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(rc)) {
        return Internal(path_ + ": zstd: " + ZSTD_getErrorName(rc));
      }
      CHAFF_RETURN_IF_ERROR(WriteRaw(out.data(), o.pos));
      if (finish ? rc == 0 : in.pos == in.size) break;
    }
  }
  buf_.clear();
  return Status::Ok();
}

Status OutputFile::Write(std::string_view data) {
  if (buf_.size() + data.size() > kChunk) {
    CHAFF_RETURN_IF_ERROR(FlushBuffer(false));
    if (data.size() > kChunk && compression_ == Compression::kNone) {
      return WriteRaw(data.data(), data.size());
    }
  }
  buf_.append(data);
  return Status::Ok();
}

Status OutputFile::WriteParts(const std::string_view* parts, size_t n) {
  if (compression_ != Compression::kNone) {
    for (size_t i = 0; i < n; ++i) CHAFF_RETURN_IF_ERROR(Write(parts[i]));
    return Status::Ok();
  }
  CHAFF_RETURN_IF_ERROR(FlushBuffer(false));
  constexpr size_t kMaxIov = 1024;  // IOV_MAX on Linux
  struct iovec iov[kMaxIov];
  size_t i = 0;
  while (i < n) {
    size_t count = 0;
    size_t total = 0;
    for (; i + count < n && count < kMaxIov; ++count) {
      iov[count].iov_base = const_cast<char*>(parts[i + count].data());
      iov[count].iov_len = parts[i + count].size();
      total += parts[i + count].size();
    }
    const ssize_t w = ::writev(fd_, iov, static_cast<int>(count));
    if (w < 0 && errno == EINTR && !CancelRequested()) continue;
    if (w < 0) {
      if (errno == EINTR) return Cancelled(path_ + ": write interrupted");
      return ErrnoStatus(is_stdout_ ? std::string("<stdout>") : path_, "write failed", errno);
    }
    if (static_cast<size_t>(w) == total) {
      Written(total);
      i += count;
      continue;
    }
    Written(static_cast<size_t>(w));
    // A short write: finish the parts it reached one by one.
    size_t done = static_cast<size_t>(w);
    for (; done >= parts[i].size(); ++i) done -= parts[i].size();
    CHAFF_RETURN_IF_ERROR(WriteRaw(parts[i].data() + done, parts[i].size() - done));
    ++i;
  }
  return Status::Ok();
}

Status OutputFile::Close() {
  if (closed_) return close_status_;  // a failed close fails every later call
  closed_ = true;
  close_status_ = FlushBuffer(true);
  std::string().swap(buf_);  // a closed file waiting for Commit holds no buffers
  codec_.reset();
  if (is_stdout_ || !close_status_.ok()) return close_status_;
  // No fsync: the rename already guarantees that readers see either no file
  // or the whole file. Durability across a power cut is the caller's choice
  // (`sync`), as with sort -o or gzip; an fsync per output cost 45 ms a file.
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) close_status_ = ErrnoStatus(path_, "write failed", errno);
  return close_status_;
}

Status OutputFile::Commit() {
  CHAFF_RETURN_IF_ERROR(Close());
  if (is_stdout_) {
    committed_ = true;
    return Status::Ok();
  }
  if (direct_) {
    committed_ = true;
    return Status::Ok();
  }
  // A plain rename, also over an existing file. (Swapping the names with
  // renameat2(RENAME_EXCHANGE) and deleting the old file was measured 20-30
  // ms faster per 50 MB on ext4, but only because it sidesteps ext4's
  // replace-via-rename safeguard, which starts writing the new file back so
  // that a power cut does not leave an empty file where the old one was.)
  if (::rename(temp_path_.c_str(), target_path_.c_str()) != 0) {
    return ErrnoStatus(path_, "cannot rename into place", errno);
  }
  temp_guard_.Release();
  committed_ = true;
  return Status::Ok();
}

Status OutputGroup::Add(std::unique_ptr<OutputFile> file) {
  CHAFF_RETURN_IF_ERROR(file->Close());
  held_.push_back(std::move(file));
  return held_.size() > kMaxHeld ? CommitAll() : Status::Ok();
}

Status OutputGroup::CommitAll() {
  for (auto& f : held_) CHAFF_RETURN_IF_ERROR(f->Commit());
  held_.clear();
  return Status::Ok();
}

void SetCancelFlag(const std::atomic<bool>* flag) { g_cancel_flag.store(flag); }

void TemporaryFileGuard::Register(const std::string& path) {
  Release();
  if (path.size() >= kTempPathMax) return;
  for (size_t i = 0; i < kTempSlots; ++i) {
    int expected = kFree;
    if (g_temp_slots[i].state.compare_exchange_strong(expected, kWriting)) {
      std::memcpy(g_temp_slots[i].path, path.c_str(), path.size() + 1);
      g_temp_slots[i].state.store(kListed, std::memory_order_release);
      slot_ = static_cast<int>(i);
      return;
    }
  }
}

void TemporaryFileGuard::Release() {
  if (slot_ >= 0) g_temp_slots[slot_].state.store(kFree, std::memory_order_release);
  slot_ = -1;
}

void RemoveTemporaryFiles() {
  for (auto& slot : g_temp_slots) {
    int expected = kListed;
    if (slot.state.compare_exchange_strong(expected, kWriting, std::memory_order_acquire)) {
      ::unlink(slot.path);
      slot.state.store(kFree, std::memory_order_release);
    }
  }
}

namespace {

// Writes data[0, n) to fd, retrying short writes.
Status WriteAll(int fd, const std::string& name, const char* data, size_t n) {
  size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0 && errno == EINTR && !CancelRequested()) continue;
    if (w < 0) return ErrnoStatus(name, "write failed", errno);
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::unique_ptr<TempFile>> TempFile::Create(std::string_view data,
                                                     std::string_view suffix) {
  return Fill(suffix, [&](int fd, const std::string& name) {
    return WriteAll(fd, name, data.data(), data.size());
  });
}

StatusOr<std::unique_ptr<TempFile>> TempFile::FromStdin(std::string_view suffix) {
  return Fill(suffix, [](int fd, const std::string& name) -> Status {
    CHAFF_ASSIGN_OR_RETURN(auto source, OpenSource(std::string(kStdio)));
    std::vector<char> buf(1 << 20);
    for (;;) {
      auto got = source->Read(buf.data(), buf.size());
      if (!got.ok()) return got.status().WithPrefix("<stdin>");
      if (*got == 0) return Status::Ok();
      CHAFF_RETURN_IF_ERROR(WriteAll(fd, name, buf.data(), *got));
    }
  });
}

StatusOr<std::unique_ptr<TempFile>> TempFile::Fill(
    std::string_view suffix, const std::function<Status(int, const std::string&)>& write) {
  const char* dir = std::getenv("TMPDIR");
  std::string name = std::string(dir && *dir ? dir : "/tmp") + "/chaff-XXXXXX";
  name.append(suffix);
  const int fd = ::mkstemps(name.data(), static_cast<int>(suffix.size()));
  if (fd < 0) return ErrnoStatus(name, "cannot create a temporary file", errno);
  std::unique_ptr<TempFile> file(new TempFile(name));
  file->guard_.Register(name);
  Status s = write(fd, name);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus(name, "write failed", errno);
  if (!s.ok()) return s;
  return file;
}

TempFile::~TempFile() { ::unlink(path_.c_str()); }

bool IsBrokenPipe(const Status& status) {
  return status.code() == StatusCode::kBrokenPipe;
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

InputKind KindOfPath(std::string_view path) {
  auto strip = [&](std::string_view suffix) {
    if (path.size() > suffix.size() &&
        path.substr(path.size() - suffix.size()) == suffix) {
      path.remove_suffix(suffix.size());
      return true;
    }
    return false;
  };
  if (!strip(".gz")) strip(".zst");
  auto ends = [&](std::string_view suffix) {
    return path.size() > suffix.size() &&
           path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends(".jsonl") || ends(".ndjson")) return InputKind::kJsonl;
  if (ends(".warc") || ends(".wet")) return InputKind::kWarc;
  return InputKind::kText;
}

bool LooksLikeWarc(std::string_view head) { return head.substr(0, 7) == "WARC/1."; }

StatusOr<std::string> PeekInput(const std::string& path, size_t n) {
  const bool is_stdin = path == kStdio;
  const std::string name = is_stdin ? "<stdin>" : path;
  int fd = STDIN_FILENO;
  std::string raw;
  if (is_stdin) {
    raw = std::move(StdinReadAhead());
    StdinReadAhead().clear();
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(path, "cannot open", errno);
  }
  // Reads grow from 4 KiB (a small file is read once) to 1 MiB in all: a
  // compressed head that needs more is too unusual to look further.
  constexpr size_t kMaxRaw = size_t{1} << 20;
  size_t step = 4096;
  bool eof = false;
  Status status;
  std::string head = DecompressHead(raw, n);
  while (head.size() < n && !eof && raw.size() < kMaxRaw) {
    const size_t had = raw.size();
    raw.resize(had + step);
    auto got = ReadFd(fd, name, raw.data() + had, step);
    raw.resize(had + (got.ok() ? *got : 0));
    if (!got.ok()) {
      status = got.status();
      break;
    }
    eof = *got == 0;
    step = std::min<size_t>(step * 4, size_t{256} << 10);
    head = DecompressHead(raw, n);
  }
  if (is_stdin) {
    StdinReadAhead() = std::move(raw);  // what was read stays readable
  } else {
    ::close(fd);
  }
  if (!status.ok()) return status;
  return head;
}

InputKind DetectInputKind(const std::string& path) {
  const InputKind by_name = KindOfPath(path);
  if (by_name != InputKind::kText || path == kStdio) return by_name;
  // Only regular files: reading the head of a FIFO or a device would take
  // bytes that nothing can give back.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return by_name;
  auto head = PeekInput(path, 8);
  return head.ok() && LooksLikeWarc(*head) ? InputKind::kWarc : by_name;
}

StatusOr<std::vector<InputFile>> ListInputs(const std::vector<std::string>& paths,
                                            std::vector<std::string>* warnings) {
  std::vector<InputFile> out;
  for (const std::string& arg : paths) {
    if (arg == kStdio) {
      out.push_back(InputFile{arg, arg, false});
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) {
      return NotFound(arg + ": no such file or directory");
    }
    if (!fs::is_directory(st)) {
      out.push_back(InputFile{arg, fs::path(arg).filename().string(), false});
      continue;
    }
    std::vector<InputFile> found;
    fs::recursive_directory_iterator it(
        arg, fs::directory_options::skip_permission_denied, ec);
    if (ec) return IoError(arg + ": cannot read directory: " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        warnings->push_back(arg + ": skipped part of the tree: " + ec.message());
        ec.clear();
        break;
      }
      const fs::directory_entry& entry = *it;
      std::error_code ec2;
      if (entry.is_directory(ec2)) {
        if (entry.is_symlink(ec2)) {
          // Not followed (the iterator never descends into links), so a
          // link to an ancestor cannot loop; say so rather than drop it.
          warnings->push_back(entry.path().string() +
                              ": skipped: symbolic link to a directory (not followed)");
        } else if (::access(entry.path().c_str(), R_OK | X_OK) != 0) {
          warnings->push_back(entry.path().string() +
                              ": skipped: directory is not readable");
        }
        continue;
      }
      if (!entry.is_regular_file(ec2)) {
        if (entry.is_symlink(ec2)) {
          // is_directory() above followed the link; a link that lands
          // nowhere (dangling, or a loop of links) fails here.
          std::error_code target_ec;
          (void)fs::status(entry.path(), target_ec);
          warnings->push_back(entry.path().string() +
                              ": skipped: broken symbolic link (" +
                              (target_ec ? target_ec.message() : "not a regular file") + ")");
        } else {
          warnings->push_back(entry.path().string() +
                              ": skipped: not a regular file");
        }
        continue;
      }
      // Lexically, never through the file system: fs::relative() resolves
      // symbolic links, so a link to a file elsewhere would be mirrored
      // outside -o (as "../../..."), or onto another input's output.
      const std::string rel = entry.path().lexically_relative(arg).string();
      found.push_back(InputFile{entry.path().string(),
                                rel.empty() ? entry.path().filename().string() : rel, true});
    }
    std::sort(found.begin(), found.end(),
              [](const InputFile& a, const InputFile& b) { return a.relative < b.relative; });
    for (auto& f : found) out.push_back(std::move(f));
  }
  return out;
}

bool LooksBinary(std::string_view head) {
  return std::memchr(head.data(), '\0', std::min<size_t>(head.size(), 8192)) != nullptr;
}

bool GetFileId(const std::string& path, FileId* id) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  id->device = static_cast<uint64_t>(st.st_dev);
  id->inode = static_cast<uint64_t>(st.st_ino);
  return true;
}

void FileIndex::Add(const std::string& path, size_t value) {
  FileId id;
  if (path != kStdio && GetFileId(path, &id)) values_.emplace(id, value);
}

const size_t* FileIndex::Find(const std::string& path) const {
  FileId id;
  if (path == kStdio || !GetFileId(path, &id)) return nullptr;
  return Find(id);
}

const size_t* FileIndex::Find(const FileId& id) const {
  const auto it = values_.find(id);
  return it == values_.end() ? nullptr : &it->second;
}

}  // namespace chaff
