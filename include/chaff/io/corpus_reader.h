// Reading a corpus: the records of a list of inputs (lines of JSONL files,
// whole text files) in a fixed order, and the decoders that take a
// document's text out of a record. Shared by the corpus engines (dedupe,
// clean), which read on one thread and decode on their workers.
//
// Records: every line of a JSONL file that is not blank (spaces and tabs
// only) is one record; every text file is one record (binary files met in
// a directory walk are skipped, with a warning, every time); every document
// of a WARC file (io/warc.h) is one record: its id, url, date and text as
// AppendWarcDocument lays them out (ParseWarcDocument reads them back, the
// text as it is, nothing to unescape), written as JSONL
// {"id","url","date","text"} (AppendWarcJson) by the engines that keep it.
// The i-th record of one reading is the i-th of the next, so indexes
// computed in one pass apply in the next.
#ifndef CHAFF_IO_CORPUS_READER_H_
#define CHAFF_IO_CORPUS_READER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/warc.h"
#include "chaff/status.h"

namespace chaff {

// Readable bytes after a padded record (see RawDocument::padded).
inline constexpr size_t kRecordPadding = 64;

// One input record as read, before decoding. `bytes` stays valid until the
// next call to Next.
struct RawDocument {
  std::string_view bytes;
  // bytes.data() is followed by kRecordPadding readable bytes (a JSON
  // parser may then read the record in place).
  bool padded = false;
  uint32_t source = 0;  // index of the file, for messages
  // 1-based line of the record in its file (0: whole file); for a WARC
  // file, the 1-based number of the WARC record among all of the file's
  // records (WarcRecord::number).
  uint64_t line = 0;
  // When set, `bytes` (and its padding) stay valid as long as this is held
  // (e.g. a line of a mapped file): workers then take the record as it is,
  // without copying it into their batch.
  std::shared_ptr<const void> owner;
};

// Yields the corpus's records in input order (lines of JSONL files, whole
// text files, ...). Used from one thread.
class DocumentReader {
 public:
  virtual ~DocumentReader() = default;
  // Fills *doc and returns true, or returns false at the end of input.
  virtual StatusOr<bool> Next(RawDocument* doc) = 0;
  // The name of source `index` for messages ("data/a.jsonl"). May be called
  // from worker threads while another thread is in Next.
  virtual std::string SourceName(uint32_t index) const = 0;
  // The reader's caller keeps up to `bytes` of records read (RawDocument::
  // owner) in use behind the reader's position; a reader that gives back
  // memory as it goes (a mapped file) keeps at least that much. Called
  // before the first Next.
  virtual void KeepBehind(size_t bytes) { (void)bytes; }
};

// Extracts the text to deduplicate from a record (e.g. a JSONL line's text
// field). One decoder per worker thread, so it may keep scratch state.
// `source` is RawDocument::source (a decoder may treat files differently).
class TextDecoder {
 public:
  virtual ~TextDecoder() = default;
  // Sets *text to the document's text (which may point into `record` or
  // into the decoder's own storage, valid until the next call). `padded`:
  // as RawDocument::padded. A failure stops the run; its message is
  // prefixed with "file:line: ".
  virtual Status Decode(std::string_view record, uint32_t source, bool padded,
                        std::string_view* text) = 0;
  // Sets *name to the name the record goes by in a clusters file (see
  // RecordName). Called after Decode for the same record, only by callers
  // that keep names (sharded dedupe's sketches). The default names a record
  // by its place: "source:line".
  virtual void Name(std::string_view record, uint32_t source, uint64_t line,
                    std::string* name);
};

// Makes a decoder per worker; an empty function means "the record is the
// text".
using TextDecoderFactory = std::function<std::unique_ptr<TextDecoder>()>;

// One input of a corpus.
struct CorpusInput {
  std::string path;      // opened
  std::string name;      // shown in messages and used as an id ("<stdin>")
  std::string relative;  // below the directory named on the command line
  InputKind kind = InputKind::kText;
  bool from_walk = false;
};

// True when what is written for the records of an input of this kind is
// JSONL: JSONL inputs (their lines), WARC inputs (AppendWarcJson).
inline bool WritesJsonl(InputKind kind) {
  return kind == InputKind::kJsonl || kind == InputKind::kWarc;
}

// The name, below an output directory, of the file that mirrors `in`:
// in.relative, except that a WARC input's records are JSONL, so
// "crawl/a.warc.wet.gz" becomes "crawl/a.warc.wet.jsonl" (".jsonl" after
// the name without .gz/.zst; uncompressed, as every mirrored JSONL file is
// written).
std::string RecordsRelativeName(const CorpusInput& in);

// ListInputs (files, directories walked in sorted order) as CorpusInputs,
// each of the kind DetectInputKind gives (a WARC file is recognised by its
// content too). "-" is rejected: stdin is an input of its own (path "-", or
// a spooled copy when it must be read twice), which the caller adds (its
// kind from PeekInput: WARC when LooksLikeWarc, else JSONL).
StatusOr<std::vector<CorpusInput>> ListCorpusInputs(
    const std::vector<std::string>& paths, std::vector<std::string>* warnings);

// The same from files already listed by ListInputs (e.g. by `chaff clean`),
// by name only (KindOfPath), as the caller decided its kinds.
// Precondition: no file is "-".
std::vector<CorpusInput> ToCorpusInputs(const std::vector<InputFile>& files);

// The bytes `inputs` hold when that is known before reading them (every
// input a file, none compressed), else 0: a size hint for progress and for
// sizing tables.
uint64_t KnownInputBytes(const std::vector<CorpusInput>& inputs);

// The records of `inputs`, in order. RawDocument::source indexes `inputs`;
// RawDocument::line is the JSONL line number (0 for a text file, the record
// number for a WARC file).
class CorpusReader final : public DocumentReader {
 public:
  // `inputs` must outlive the reader.
  explicit CorpusReader(const std::vector<CorpusInput>* inputs);
  ~CorpusReader() override;

  StatusOr<bool> Next(RawDocument* doc) override;
  std::string SourceName(uint32_t index) const override;
  void KeepBehind(size_t bytes) override { keep_behind_ = bytes; }

  // Malformed WARC records are skipped and counted (warc_counts().bad, a
  // warning for the first few) instead of failing the run. (Malformed JSONL
  // records are the decoders' business: JsonlFields::skip_bad_records.)
  // Call before the first Next.
  void set_skip_bad_records(bool skip) { skip_bad_records_ = skip; }
  // Tests read WARC files in small steps (WarcReaderOptions).
  void set_warc_options(const WarcReaderOptions& options) { warc_options_ = options; }

  // Bytes read so far (decompressed, line terminators included). May be
  // called from another thread while one is in Next (progress reports).
  uint64_t bytes_read() const { return bytes_read_.load(std::memory_order_relaxed); }
  // Binary files skipped so far, one message each, and their indexes
  // (skipped()); then the messages of malformed WARC records skipped (the
  // first WarcReader::kMaxBadMessages of each file), which have no index.
  const std::vector<std::string>& warnings() const { return warnings_; }
  const std::vector<uint32_t>& skipped() const { return skipped_; }
  // Of warnings(), the messages of malformed WARC records skipped alone.
  const std::vector<std::string>& bad_warc_messages() const { return bad_warc_messages_; }
  // The input whose opening or reading failed (the last Next returned its
  // error), or -1.
  int64_t failed_input() const { return failed_input_; }
  // What the WARC inputs read so far held (records, documents, records
  // skipped by type, malformed records skipped). Not to be read while
  // another thread is in Next.
  const WarcCounts& warc_counts() const { return warc_counts_; }
  // True once a WARC input was opened.
  bool read_warc() const { return read_warc_; }

 private:
  StatusOr<bool> NextRecord(RawDocument* doc);
  void EndWarc();

  const std::vector<CorpusInput>* inputs_;
  size_t next_input_ = 0;
  uint32_t current_ = 0;
  std::unique_ptr<LineReader> lines_;
  std::unique_ptr<WarcReader> warc_;
  std::string whole_;  // the current text file
  std::string encoded_;  // the current WARC document (AppendWarcDocument)
  uint64_t bytes_done_ = 0;
  std::atomic<uint64_t> bytes_read_{0};  // as of the last Next
  std::vector<std::string> warnings_;
  std::vector<uint32_t> skipped_;
  std::vector<std::string> bad_warc_messages_;
  int64_t failed_input_ = -1;
  size_t keep_behind_ = 0;
  bool skip_bad_records_ = false;
  WarcReaderOptions warc_options_;
  WarcCounts warc_counts_;  // of the WARC files finished
  bool read_warc_ = false;
};

struct JsonlFields {
  std::string text_field = "text";
  std::string id_field = "id";  // empty: no ids (messages use file:line)
  // A record that is not valid JSONL (or lacks a string text field) is kept
  // as an empty document (never a duplicate) instead of stopping the run.
  bool skip_bad_records = false;
};

class JsonlParser;

// The name of a record in a clusters file (`chaff dedupe --clusters`, `chaff
// cluster --clusters`): a JSONL record's `id_field` (a string's value or a
// number's digits) when it has one, else "NAME:LINE" (also for a record that
// is not valid JSON, let through by --skip-bad-records); a text file's name.
// `parser` is scratch (one per thread).
void RecordName(JsonlParser* parser, std::string_view record, const CorpusInput& in,
                uint64_t line, std::string_view id_field, std::string* name);

// Optional last step of decoding: turns a document's text into the text to
// sketch, e.g. the cleaned text (`chaff clean --dedupe` deduplicates what it
// will write, not the chrome around it). Called concurrently from the worker
// threads (must be thread-safe); `storage` belongs to the calling worker and
// may hold the result until the next call.
using TextTransform =
    std::function<std::string_view(std::string_view text, std::string* storage)>;

// Decoders for CorpusReader records: a JSONL record gives its text field, a
// text file its bytes, a WARC document its text (ParseWarcDocument), then
// `transform` (when set) applies; Name is RecordName with fields.id_field (a
// WARC document's name is its WARC-Record-ID). Each decoder counts the bad
// records it skipped into *bad_records (atomically; may be null).
TextDecoderFactory CorpusDecoders(const std::vector<CorpusInput>* inputs,
                                  const JsonlFields& fields,
                                  std::shared_ptr<std::atomic<uint64_t>> bad_records = nullptr,
                                  TextTransform transform = nullptr);

}  // namespace chaff

#endif  // CHAFF_IO_CORPUS_READER_H_
