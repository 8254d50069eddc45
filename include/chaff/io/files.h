// Input and output: files, directories, stdin/stdout, gzip and zstd.
//
// Compressed input is recognised by its magic bytes (so it works on stdin
// too); compressed output is chosen by the output path's extension (.gz,
// .zst). Outputs are written to a temporary file beside the final path and
// renamed into place by Commit(), so no reader ever sees half a file under
// the final name. Nothing here prints: every failure is a Status naming the
// path.
#ifndef CHAFF_IO_FILES_H_
#define CHAFF_IO_FILES_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/io/raw_buffer.h"
#include "chaff/status.h"

namespace chaff {

// "-" names stdin (as an input) or stdout (as an output).
inline constexpr std::string_view kStdio = "-";

enum class Compression : uint8_t { kNone, kGzip, kZstd };

// A byte stream that decompresses gzip or zstd transparently.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `buf`; returns 0 at the end of the stream.
  virtual StatusOr<size_t> Read(char* buf, size_t n) = 0;
  virtual Compression compression() const = 0;
};

// Opens `path` ("-": stdin) for reading; compression is detected from the
// first bytes.
StatusOr<std::unique_ptr<ByteSource>> OpenSource(const std::string& path);

// Reads `bytes` as they are (an uncompressed stream; not copied, so they
// must outlive the source): for readers fed from memory (tests, benchmarks,
// a caller that holds the input).
std::unique_ptr<ByteSource> MemoryByteSource(std::string_view bytes);

// chaff reads UTF-8 (and ASCII). A text that starts with the byte order
// mark of UTF-16 or UTF-32 is refused rather than cut at 0x0A bytes inside
// its characters: UnicodeBom names such a mark, and BomError says what to do
// ("a.txt: UTF-16LE text (byte order mark FF FE), not UTF-8; convert it
// first, e.g. iconv -f UTF-16 -t UTF-8 a.txt > a.utf8.txt"). A UTF-8 byte
// order mark (EF BB BF), which many Windows tools write, is read: as part of
// a text document (its bytes are the document's), or skipped before the
// first line of a JSONL file (LineReader).
enum class UnicodeBom : uint8_t { kNone, kUtf8, kUtf16LE, kUtf16BE, kUtf32LE, kUtf32BE };
UnicodeBom BomOf(std::string_view head);
// DataError for a UTF-16 or UTF-32 mark at the start of `path`; Ok otherwise.
Status BomError(const std::string& path, UnicodeBom bom);

// Reads a whole file (decompressed). "-" reads stdin. Fails (BomError) on
// UTF-16 or UTF-32 text.
StatusOr<std::string> ReadWholeFile(const std::string& path);

// A plain (uncompressed) regular file mapped read-only, for readers that
// want the page cache without a copy. As with any mapped file, an input
// truncated by another process while it is mapped ends the process
// (SIGBUS) when the lost pages are touched.
class MappedFile {
 public:
  // Maps `path` when it is a regular file of at least `min_size` bytes that
  // does not start like gzip or zstd; returns null otherwise (or when the
  // mapping fails), and the caller reads the file instead.
  static std::unique_ptr<MappedFile> Open(const std::string& path, size_t min_size);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return std::string_view(data_, size_); }
  // Bytes readable from bytes().data(): the size rounded up to whole pages.
  size_t readable() const { return readable_; }
  // Gives back the resident pages wholly before `offset` (touched again,
  // they fault back in from the page cache), so a sequential reader's
  // resident memory stays bounded whatever the file's size.
  void ReleaseBefore(size_t offset);

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t readable_ = 0;
  size_t released_ = 0;
};

// Reads a file line by line without holding it all in memory. Lines are
// returned without "\n" (and without a "\r" before it). A line may be of any
// length (the buffer grows). A UTF-8 byte order mark at the start of the
// (decompressed) file is not part of line 1 (it counts in
// bytes_consumed()); UTF-16 or UTF-32 text fails to Open with BomError (Open
// reads the first bytes). Every line returned is followed by at least
// kPadding readable bytes (of unspecified value), so a JSON parser can read
// it in place.
//
// A large plain file is mapped (MappedFile) rather than read: lines are then
// views of the page cache, with no copy at all; pages behind the reader are
// released as it goes.
class LineReader {
 public:
  static constexpr size_t kPadding = RawBuffer::kPadding;
  // Plain files at least this large are mapped.
  static constexpr size_t kMapThreshold = size_t{1} << 20;

  static StatusOr<std::unique_ptr<LineReader>> Open(const std::string& path);

  // Sets *line to the next line (valid until the next call) and returns
  // true; returns false at the end of input.
  StatusOr<bool> Next(std::string_view* line);

  // When the line last returned by Next() is a view of the mapping (a large
  // plain file), the mapping: holding it keeps that line's bytes (and its
  // padding) valid after later calls, and after the reader is gone. Null
  // when the line is in the reader's own buffer (valid until the next call).
  std::shared_ptr<const void> line_owner() const {
    return last_mapped_ ? std::shared_ptr<const void>(map_) : nullptr;
  }

  // A mapped file's pages are given back this far behind the reader
  // (default kReleaseLag): a consumer that keeps lines (line_owner) for
  // longer, e.g. many batches in flight, sets a longer lag so that they are
  // not faulted back in.
  static constexpr size_t kReleaseLag = size_t{8} << 20;
  void set_release_lag(size_t bytes) { release_lag_ = bytes; }

  // 1-based number of the line last returned by Next().
  uint64_t line_number() const { return line_number_; }
  // Decompressed bytes consumed so far, terminators included.
  uint64_t bytes_consumed() const { return consumed_; }
  const std::string& path() const { return path_; }

 private:
  LineReader(std::string path, std::unique_ptr<ByteSource> source)
      : path_(std::move(path)), source_(std::move(source)) {}
  StatusOr<bool> NextMapped(std::string_view* line);
  // Reads the next chunk after the unread bytes (sets eof_ at the end).
  Status ReadMore();
  // Looks at the first bytes (at least 4, or all there are): skips a UTF-8
  // byte order mark, refuses UTF-16 and UTF-32.
  Status CheckHead(std::string_view head);

  std::string path_;
  std::unique_ptr<ByteSource> source_;
  RawBuffer buf_;
  size_t pos_ = 0;  // start of unread data in buf_ (in map_ when mapped)
  std::shared_ptr<MappedFile> map_;
  bool last_mapped_ = false;
  bool eof_ = false;
  Status deferred_;  // a read error met by Open, returned by Next
  uint64_t line_number_ = 0;
  uint64_t consumed_ = 0;
  size_t release_lag_ = kReleaseLag;
};

// Puts `path`, a temporary file of this process, on the list that
// RemoveTemporaryFiles() empties, until Release() or destruction. Register
// before the file is created and release after it is removed (or renamed),
// so no signal can fall in between. Paths of 1 KiB or more, and files
// beyond 128 at once, are not listed (their owners still remove them).
class TemporaryFileGuard {
 public:
  TemporaryFileGuard() = default;
  ~TemporaryFileGuard() { Release(); }
  TemporaryFileGuard(const TemporaryFileGuard&) = delete;
  TemporaryFileGuard& operator=(const TemporaryFileGuard&) = delete;

  void Register(const std::string& path);
  void Release();

 private:
  int slot_ = -1;
};

// A file's identity: its device and inode, symbolic links followed. Two
// paths name the same file when their identities are equal; a set of them
// checks many paths against many files with one stat() per path.
struct FileId {
  uint64_t device = 0;
  uint64_t inode = 0;
  bool operator==(const FileId& o) const { return device == o.device && inode == o.inode; }
  bool operator!=(const FileId& o) const { return !(*this == o); }
  bool operator<(const FileId& o) const {
    return device != o.device ? device < o.device : inode < o.inode;
  }
};

// Where an output path leads: symbolic links are followed to their final
// target, as the shell's `>` does.
struct OutputTarget {
  enum class Kind : uint8_t {
    kDescriptor,  // "-" (descriptor 1), or a link to /dev/fd/N or
                  // /proc/self/fd/N such as /dev/stdout: written through a
                  // copy of descriptor N, whatever it is open on (a pipe, a
                  // terminal, a file: it goes on where the descriptor is)
    kStream,      // an existing device, FIFO or socket (/dev/null, a named
                  // pipe): opened and written in place
    kDirectory,   // an existing directory: not a file output
    kFile,        // a regular file, existing or to be created at `path`
  };
  Kind kind = Kind::kFile;
  int fd = -1;       // kDescriptor
  std::string path;  // kStream, kDirectory, kFile: the path with every link
                     // of its last component followed (a link that leads
                     // nowhere: where it points)
  bool exists = false;   // the target exists now (kDescriptor: is open)
  bool regular = false;  // ... and is a regular file (also behind a descriptor)
  FileId id;             // its identity, when it exists
  // Written in place (no temporary file, no rename): kDescriptor, kStream.
  bool in_place() const { return kind == Kind::kDescriptor || kind == Kind::kStream; }
};

// Resolves `path` ("-": stdout). Fails only on a loop of links (ELOOP) or
// an unreadable link; a path that does not exist is a kFile to create.
StatusOr<OutputTarget> ResolveOutput(const std::string& path);

// True when outputs a and b (paths, "-" for stdout) would write to the
// same place: the same descriptor ("-" and /dev/stdout are both 1), the
// same regular file (by identity, links followed), or the same path once
// links are followed and the path made absolute (for files that do not
// exist yet). Two outputs on one device, FIFO or terminal (/dev/null twice,
// --report /dev/stderr on the terminal stdout is on) are not the same: each
// is written in place and nothing is lost. Unresolvable paths compare as
// given.
bool SameOutput(const std::string& a, const std::string& b);

// The canonical absolute path `target` (a kFile or kStream) will be
// written at: what SameOutput compares when files do not exist yet.
std::string CanonicalOutputPath(const OutputTarget& target);

// An output written atomically: bytes go to a temporary file in the same
// directory, and Commit() renames it over the final path. If the object is
// destroyed without a successful Commit() (an error, an interruption), the
// temporary file is removed and the final path is left untouched. A path
// that is a symbolic link is followed: the temporary file is made beside
// the link's final target and renamed over the target, so the link stays a
// link (a link that leads nowhere makes its target, whose directory must
// exist). "-", /dev/stdout, /dev/stderr and other links to /dev/fd/N write
// to that descriptor (a copy of it), and an existing device or FIFO
// (/dev/null) is written in place: no temporary file, no rename.
// Compression follows the extension of the path as given.
class OutputFile {
 public:
  static StatusOr<std::unique_ptr<OutputFile>> Create(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status Write(std::string_view data);
  // Writes parts[0, n) in order. Uncompressed, they go to the file without
  // being copied into the buffer first (writev).
  Status WriteParts(const std::string_view* parts, size_t n);
  // Flushes and closes the file without renaming it into place: the bytes
  // are complete but stay under the temporary name (removed if the object is
  // destroyed uncommitted) until Commit. For outputs that must appear
  // together, without holding a descriptor each. No Write after Close.
  Status Close();
  // Flushes, closes (unless Close did) and renames into place. Returns an
  // error (and leaves no file under the final path) if any byte could not
  // be written.
  Status Commit();

  const std::string& path() const { return path_; }
  // Path of the temporary file (empty for stdout).
  const std::string& temp_path() const { return temp_path_; }

 private:
  OutputFile() = default;
  static StatusOr<std::unique_ptr<OutputFile>> InitCodec(std::unique_ptr<OutputFile> out);
  Status FlushBuffer(bool finish);
  Status WriteRaw(const char* data, size_t n);
  void Written(size_t n);  // counts bytes written; starts writeback when replacing

  std::string path_;
  std::string target_path_;  // path_ with its links followed: renamed over
  std::string temp_path_;
  int fd_ = -1;
  bool is_stdout_ = false;
  bool direct_ = false;  // a descriptor, device or FIFO, written in place (no rename)
  TemporaryFileGuard temp_guard_;  // temp_path_, for RemoveTemporaryFiles()
  bool closed_ = false;
  Status close_status_;          // of Close(): Commit fails when it failed
  bool committed_ = false;
  bool replacing_ = false;       // the final path exists (a regular file)
  uint64_t written_ = 0;         // bytes written to the file
  uint64_t written_back_ = 0;    // bytes whose writeback was started
  Compression compression_ = Compression::kNone;
  std::string buf_;
  struct Codec;
  std::unique_ptr<Codec> codec_;
};

// Outputs of one run that appear together: each is added when complete
// (closed, still under its temporary name) and CommitAll renames them all
// into place; destroying the group first removes them, so a run that fails
// leaves none. Past kMaxHeld files (the signal handler can list only so
// many temporary files), the held ones are renamed as they complete, each
// still whole.
class OutputGroup {
 public:
  static constexpr size_t kMaxHeld = 64;

  // Closes `file` and holds it (or commits the held files, this one
  // included, when there are more than kMaxHeld).
  Status Add(std::unique_ptr<OutputFile> file);
  // Renames every held file into place, in the order they were added.
  Status CommitAll();
  // Removes the held files (their temporary names).
  void Discard() { held_.clear(); }
  size_t held() const { return held_.size(); }

 private:
  std::vector<std::unique_ptr<OutputFile>> held_;
};

// Removes every temporary file of this process that is still listed
// (TemporaryFileGuard: the uncommitted outputs of OutputFile, TempFile's
// files). Async-signal-safe (a fixed table holding copies of the paths,
// lock-free atomics, unlink() only), for a signal handler that is about to
// _exit.
void RemoveTemporaryFiles();

// Lets a blocked read or write give up when the process is asked to stop.
// After SetCancelFlag(&flag), a read or write interrupted by a signal (EINTR)
// while `flag` is true fails with StatusCode::kCancelled instead of being
// retried, so `tail -f log | chaff clean` stops on Ctrl-C. Without it (or
// with nullptr) EINTR is always retried. The flag must outlive every I/O.
void SetCancelFlag(const std::atomic<bool>* flag);

// A temporary file holding given bytes, removed when the object is
// destroyed: for data that must be read twice but came from a pipe.
class TempFile {
 public:
  // Creates $TMPDIR/chaff-XXXXXX<suffix> (or /tmp) holding `data`.
  static StatusOr<std::unique_ptr<TempFile>> Create(std::string_view data,
                                                    std::string_view suffix);
  // The same holding all of stdin (decompressed when it is gzip or zstd).
  static StatusOr<std::unique_ptr<TempFile>> FromStdin(std::string_view suffix);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  static StatusOr<std::unique_ptr<TempFile>> Fill(
      std::string_view suffix, const std::function<Status(int, const std::string&)>& write);
  std::string path_;
  TemporaryFileGuard guard_;  // destroyed after the destructor removed the file
};

// True when the status is a write to a closed pipe (EPIPE): the reader went
// away (`chaff ... | head`), which is not an error for a command-line tool.
bool IsBrokenPipe(const Status& status);

// An input file found on the command line or by walking a directory.
struct InputFile {
  std::string path;      // as opened
  std::string relative;  // path below the directory named on the command
                         // line (the file name for a file named directly)
  bool from_walk = false;
};

// kText: the whole file is one document. kJsonl: one record per line.
// kWarc: a WARC file (io/warc.h), one record per document it holds.
enum class InputKind : uint8_t { kText, kJsonl, kWarc };

// By name, optionally followed by .gz or .zst: .jsonl / .ndjson are JSONL;
// .warc, .wet (so .warc.wet, Common Crawl's name) are WARC; every other file
// is text.
InputKind KindOfPath(std::string_view path);

// True when `head`, the first (decompressed) bytes of a stream, starts like
// a WARC 1.x file: the version line "WARC/1.".
bool LooksLikeWarc(std::string_view head);

// Up to `n` of the first bytes of `path` ("-": stdin), decompressed, without
// taking them from the input: for stdin the bytes read to find them are
// kept and served again by the next OpenSource("-") (so look before the
// first OpenSource of stdin, and only from the thread that will read it).
// Fewer than `n` bytes when the stream is shorter; what a truncated or
// corrupt compressed head still gives. Fails only when `path` cannot be
// opened or read.
StatusOr<std::string> PeekInput(const std::string& path, size_t n);

// The kind of `path` (not "-") from its name (KindOfPath), and, when the
// name says text, from its content: a file whose first bytes (after
// decompression) are "WARC/1." is WARC whatever its name. A file that
// cannot be read keeps the kind of its name (reading it later says why).
InputKind DetectInputKind(const std::string& path);

// Expands `paths` (files, directories walked recursively, "-") into files in
// a deterministic order: command-line order, and sorted by path within a
// directory. Symbolic links to files are listed (under the link's own
// relative path); symbolic links to directories are not followed (no loops).
// Those links, broken links, unreadable directories and special files
// (FIFOs, sockets, devices: never opened) are reported in `warnings` and
// skipped. Fails if a named path does not exist.
StatusOr<std::vector<InputFile>> ListInputs(const std::vector<std::string>& paths,
                                            std::vector<std::string>* warnings);

// True when `head` (the first bytes of a file) looks binary: a NUL byte in
// the first 8 KiB, as git and grep decide.
bool LooksBinary(std::string_view head);

// False (and *id untouched) when `path` cannot be stat'ed: it does not
// exist, or is not reachable.
bool GetFileId(const std::string& path, FileId* id);

// Which of many files a path names, at one stat() per path: e.g. whether an
// output would overwrite one of thousands of inputs, without comparing it
// with each. "-" (stdin, stdout) names no file here.
class FileIndex {
 public:
  // Adds the file `path` names, with `value` (kept: the first value added
  // for a file); does nothing when `path` cannot be stat'ed.
  void Add(const std::string& path, size_t value);
  // The value of the file `path` names, or null (also when `path` cannot be
  // stat'ed).
  const size_t* Find(const std::string& path) const;
  // The value of the file with identity `id` (from GetFileId), or null.
  const size_t* Find(const FileId& id) const;

 private:
  std::map<FileId, size_t> values_;
};

}  // namespace chaff

#endif  // CHAFF_IO_FILES_H_
