// Reading WARC files (ISO 28500; WARC 1.1, and 1.0 as Common Crawl writes
// it): the documents of Common Crawl's WET files (`*.warc.wet.gz`) and of
// plain-text responses in WARC files, one record at a time.
//
// A record is a version line ("WARC/1.1"), header lines "Name: value" ended
// by CRLF, an empty line, a block of exactly Content-Length bytes, and CRLF
// CRLF. A compressed file (gzip, usually one member per record, or zstd) is
// read as one decompressed stream (concatenated members continue).
//
// Documents: every `conversion` record (its whole block is the text), and
// every `response` record whose block is an HTTP response with a
// `text/plain` Content-Type and no content or transfer coding (the text is
// the body after the HTTP headers). Every other record (warcinfo, request,
// metadata, revisit, resource, other responses, ...) is skipped, counted by
// type, without being held in memory.
//
// Malformed records (no version line, a header line without ':', a missing
// mandatory field, a Content-Length that is not a number, a block that does
// not end with CRLF CRLF where Content-Length says, a stream that ends or is
// corrupt inside a record) are errors naming the file and the byte offset of
// the record's version line in the decompressed stream:
//   "crawl.warc.wet.gz: WARC record at offset 10387 (decompressed): missing
//    Content-Length"
// (for an uncompressed file, "at offset N" is the file offset). With
// skip_bad_records they are counted instead, and reading goes on at the next
// line that starts with "WARC/1." (or ends, when the stream itself failed).
//
// Memory: one record at a time (the largest document plus a read-ahead of
// WarcReaderOptions::read_size), whatever the size of the file.
#ifndef CHAFF_IO_WARC_H_
#define CHAFF_IO_WARC_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/raw_buffer.h"
#include "chaff/status.h"

namespace chaff {

// A document's fields, as views.
struct WarcDocument {
  // WARC-Record-ID as written, angle brackets included
  // ("<urn:uuid:...>", as warcio and datatrove give it).
  std::string_view id;
  std::string_view url;   // WARC-Target-URI (its host is the document's site)
  std::string_view date;  // WARC-Date ("2024-05-01T12:00:00Z")
  // conversion: the whole block; response: the HTTP body. Bytes as stored
  // (not checked for UTF-8).
  std::string_view text;
};

// One document of a WARC file. The views stay valid until the next call to
// WarcReader::Next.
struct WarcRecord : WarcDocument {
  std::string_view type;  // WARC-Type: "conversion" or "response"
  uint64_t offset = 0;  // of the record's version line, in the decompressed stream
  uint64_t number = 0;  // 1-based among all records of the stream, skipped ones included
};

// What a reader saw, for the run's summary.
struct WarcCounts {
  uint64_t records = 0;    // every record, good, skipped or bad
  uint64_t documents = 0;  // returned by Next
  uint64_t bad = 0;        // malformed records skipped (skip_bad_records)
  // Skipped records by WARC-Type; a response that is not a plain-text HTTP
  // response is counted as "response (not text/plain)".
  std::map<std::string, uint64_t> skipped;

  void Add(const WarcCounts& other);
  // "1,003 records: 1,001 documents; skipped 1 request, 1 warcinfo; 0 bad".
  std::string Summary() const;
};

struct WarcReaderOptions {
  // Count malformed records and go on, instead of failing.
  bool skip_bad_records = false;
  // Bytes asked of the source per read (tests make it tiny, so that records
  // fall across reads).
  size_t read_size = size_t{1} << 20;
  // A document (conversion or text response) whose block is larger is
  // malformed: a Content-Length that large is more likely wrong than a
  // page of text, and the block would be held in memory whole.
  uint64_t max_document_bytes = uint64_t{256} << 20;
};

// Reads the documents of one WARC stream in order. Used from one thread.
class WarcReader {
 public:
  // Malformed records skipped with skip_bad_records keep their message, up
  // to this many per reader (bad_messages()).
  static constexpr size_t kMaxBadMessages = 10;

  // Opens `path` ("-": stdin); `name` is used in messages (e.g. "<stdin>").
  static StatusOr<std::unique_ptr<WarcReader>> Open(const std::string& path,
                                                    std::string name,
                                                    const WarcReaderOptions& options);
  // Reads `source`; `compressed` says whether offsets are in a decompressed
  // stream (for messages).
  WarcReader(std::unique_ptr<ByteSource> source, std::string name, bool compressed,
             const WarcReaderOptions& options);
  ~WarcReader();
  WarcReader(const WarcReader&) = delete;
  WarcReader& operator=(const WarcReader&) = delete;

  // Fills *record with the next document and returns true, or returns false
  // at the end of the stream. Fails on a malformed record (unless
  // skip_bad_records) and on a read error (always; kIoError, kCancelled).
  StatusOr<bool> Next(WarcRecord* record);

  const WarcCounts& counts() const { return counts_; }
  // The messages of the first kMaxBadMessages records skipped as malformed.
  const std::vector<std::string>& bad_messages() const { return bad_messages_; }
  // Bytes of the (decompressed) stream consumed so far.
  uint64_t bytes_consumed() const { return base_ + pos_; }
  // Bytes the reader holds for records and read-ahead (for tests of the
  // bound on memory).
  size_t buffer_capacity() const { return buf_.capacity(); }

 private:
  enum class Outcome { kDocument, kSkipped, kBad, kEnd };
  Outcome ReadRecord(WarcRecord* record, Status* error);
  // Makes n unread bytes available (false: the stream ended first).
  bool Fill(size_t n);
  // Consumes n bytes without keeping them (false: the stream ended first).
  bool Discard(uint64_t n);
  // Skips to the next line that starts with "WARC/1.", looking from `from`
  // bytes past the unread position.
  void Resync(size_t from);
  size_t FindHeaderEnd(size_t from, size_t limit);
  int EndOfRecord(size_t end);
  Status RecordError(uint64_t offset, const std::string& what) const;

  std::unique_ptr<ByteSource> source_;
  std::string name_;
  bool compressed_;
  WarcReaderOptions options_;
  RawBuffer buf_;
  size_t pos_ = 0;         // start of unread bytes in buf_
  uint64_t base_ = 0;      // stream offset of buf_[0]
  bool eof_ = false;
  Status stream_error_;    // why the stream ended early (eof_ is then set)
  bool stream_error_reported_ = false;  // as the error of a record
  std::deque<std::string> folded_;  // values of folded (continued) header lines
  WarcCounts counts_;
  std::vector<std::string> bad_messages_;
};

// How CorpusReader hands a WARC document on to the corpus engines
// (RawDocument::bytes of a WARC input): the sizes of id, url and date (32
// bits each, little-endian), then id, url, date and text, one after the
// other. An engine takes the text where it is (nothing to parse or
// unescape) and writes a document as JSONL (AppendWarcJson) only when it
// keeps it. In one process only: not a file format.
void AppendWarcDocument(const WarcDocument& doc, std::string* out);
// Reads one back (views into `bytes`). False when `bytes` is not one (a
// record of another kind of input: a bug in the caller).
bool ParseWarcDocument(std::string_view bytes, WarcDocument* doc);

// Appends `doc` as one JSONL line without its newline:
// {"id":...,"url":...,"date":...,"text":...}: what chaff writes for a WARC
// document. Bytes that are not valid UTF-8 become U+FFFD
// (AppendJsonString), so the line is always valid JSON.
void AppendWarcJson(const WarcDocument& doc, std::string* out);

}  // namespace chaff

#endif  // CHAFF_IO_WARC_H_
