#include "chaff/io/warc.h"

#include <algorithm>
#include <cstring>
#include <deque>

#include "chaff/io/jsonl.h"

namespace chaff {

namespace {

// A record's header (and a response's HTTP header) must end within this
// many bytes: a longer one is garbage, not a header.
constexpr size_t kMaxHeaderBytes = size_t{1} << 20;
// After a block: up to 4 CR/LF bytes, then the next record's "WARC/".
constexpr size_t kMaxEndBytes = 4;
constexpr size_t kEndPeek = kMaxEndBytes + 5;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The line [begin, end) of `s` without its "\r\n" or "\n".
std::string_view LineAt(std::string_view s, size_t begin, size_t end) {
  std::string_view line = s.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Up to 40 bytes of `s` for a message, control bytes as '?'.
std::string Shown(std::string_view s) {
  std::string out(s.substr(0, 40));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return "\"" + out + (s.size() > 40 ? "...\"" : "\"");
}

// "path: truncated gzip stream" -> "truncated gzip stream".
std::string WithoutPath(const std::string& message) {
  const size_t at = message.rfind(": ");
  return at == std::string::npos ? message : message.substr(at + 2);
}

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view value) {
  value = Trim(value.substr(0, value.find(';')));
  std::string out(value);
  for (char& c : out) c = Lower(c);
  return out;
}

// True when `header` (an HTTP response's status line and header lines, up
// to its empty line) announces a body that is plain text as it is stored:
// Content-Type text/plain, no content coding, no transfer coding.
bool IsPlainTextHttp(std::string_view header) {
  if (header.substr(0, 5) != "HTTP/") return false;
  bool plain = false;
  size_t at = header.find('\n');
  while (at != std::string_view::npos && at + 1 < header.size()) {
    const size_t begin = at + 1;
    at = header.find('\n', begin);
    const std::string_view line =
        LineAt(header, begin, at == std::string_view::npos ? header.size() : at + 1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Type")) {
      plain = MediaType(value) == "text/plain";
    } else if ((EqualsIgnoreCase(name, "Content-Encoding") ||
                EqualsIgnoreCase(name, "Transfer-Encoding")) &&
               !EqualsIgnoreCase(value, "identity")) {
      return false;
    }
  }
  return plain;
}

// A header field of the record being read: a range of the record's bytes
// (offsets from its start, which stay valid when the buffer moves), or a
// value put together from folded lines.
struct Field {
  bool present = false;
  size_t begin = 0;
  size_t size = 0;
  const std::string* folded = nullptr;
};

}  // namespace

void WarcCounts::Add(const WarcCounts& other) {
  records += other.records;
  documents += other.documents;
  bad += other.bad;
  for (const auto& [type, n] : other.skipped) skipped[type] += n;
}

namespace {

// 1234567 -> "1,234,567", as the command-line summaries write counts.
std::string Count(uint64_t n) {
  std::string digits = std::to_string(n);
  for (size_t at = digits.size(); at > 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

}  // namespace

std::string WarcCounts::Summary() const {
  std::string s = Count(records) + (records == 1 ? " record: " : " records: ") +
                  Count(documents) + (documents == 1 ? " document" : " documents");
  if (!skipped.empty()) {
    s += "; skipped";
    const char* sep = " ";
    for (const auto& [type, n] : skipped) {
      s += sep + Count(n) + " " + type;
      sep = ", ";
    }
  }
  s += "; " + Count(bad) + " bad";
  return s;
}

StatusOr<std::unique_ptr<WarcReader>> WarcReader::Open(const std::string& path,
                                                       std::string name,
                                                       const WarcReaderOptions& options) {
  CHAFF_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, OpenSource(path));
  const bool compressed = source->compression() != Compression::kNone;
  return std::make_unique<WarcReader>(std::move(source), std::move(name), compressed, options);
}

WarcReader::WarcReader(std::unique_ptr<ByteSource> source, std::string name, bool compressed,
                       const WarcReaderOptions& options)
    : source_(std::move(source)), name_(std::move(name)), compressed_(compressed),
      options_(options) {
  options_.read_size = std::max<size_t>(options_.read_size, 1);
}

WarcReader::~WarcReader() = default;

Status WarcReader::RecordError(uint64_t offset, const std::string& what) const {
  return DataError(name_ + ": WARC record at offset " + std::to_string(offset) +
                   (compressed_ ? " (decompressed)" : "") + ": " + what);
}

bool WarcReader::Fill(size_t n) {
  while (buf_.size() - pos_ < n) {
    if (eof_) return false;
    // Only the unread bytes (the record being read) move to the front, and
    // only when more must be read: at most one move per read.
    if (pos_ > 0) {
      base_ += pos_;
      buf_.Consume(pos_);
      pos_ = 0;
    }
    const size_t used = buf_.size();
    buf_.Reserve(used + options_.read_size);
    auto got = source_->Read(buf_.data() + used, options_.read_size);
    if (!got.ok()) {
      stream_error_ = got.status();
      eof_ = true;
      return false;
    }
    if (*got == 0) {
      eof_ = true;
      return false;
    }
    buf_.set_size(used + *got);
  }
  return true;
}

bool WarcReader::Discard(uint64_t n) {
  for (;;) {
    const size_t have = buf_.size() - pos_;
    if (n <= have) {
      pos_ += static_cast<size_t>(n);
      return true;
    }
    n -= have;
    pos_ = buf_.size();
    if (!Fill(1)) return false;  // the buffer is empty: it does not grow
  }
}

void WarcReader::Resync(size_t from) {
  constexpr std::string_view kMark = "\nWARC/1.";
  pos_ += std::min(from, buf_.size() - pos_);
  for (;;) {
    const std::string_view have(buf_.data() + pos_, buf_.size() - pos_);
    const size_t at = have.find(kMark);
    if (at != std::string_view::npos) {
      pos_ += at + 1;
      return;
    }
    // A mark may straddle two reads: keep what could be its beginning.
    if (have.size() >= kMark.size()) pos_ += have.size() - (kMark.size() - 1);
    if (!Fill(buf_.size() - pos_ + 1)) {
      pos_ = buf_.size();
      return;
    }
  }
}

// Finds the empty line that ends a header starting `from` bytes into the
// record (its first line is not empty). Returns the offset just past it, or
// 0 when there is none within `limit` bytes of `from` (or before the end of
// the stream).
size_t WarcReader::FindHeaderEnd(size_t from, size_t limit) {
  size_t scan = from;
  size_t line_start = from;
  for (;;) {
    const char* p = buf_.data() + pos_;
    const size_t have = std::min(buf_.size() - pos_, from + limit);
    while (scan < have) {
      const void* nl = std::memchr(p + scan, '\n', have - scan);
      if (nl == nullptr) {
        scan = have;
        break;
      }
      const size_t e = static_cast<size_t>(static_cast<const char*>(nl) - p);
      size_t len = e - line_start;
      if (len > 0 && p[e - 1] == '\r') --len;
      if (len == 0 && line_start > from) return e + 1;
      line_start = scan = e + 1;
    }
    if (have >= from + limit) return 0;
    if (!Fill(have + 1)) return 0;
  }
}

// Checks the end of a record whose block ends `end` bytes into it: CRLF
// CRLF, as the standard has it; or, from writers that end lines otherwise,
// up to 4 CR/LF bytes followed by the next record's "WARC/" or by the end
// of the stream. Returns the number of bytes that end the record, or -1
// (then Content-Length is most likely wrong). The answer depends only on
// the bytes, never on how they arrived (kEndPeek bytes are looked at, or
// all there are).
int WarcReader::EndOfRecord(size_t end) {
  Fill(end + kEndPeek);  // fewer only at the end of the stream
  const std::string_view rest(buf_.data() + pos_ + end,
                              std::min(buf_.size() - pos_ - end, kEndPeek));
  if (rest.substr(0, 4) == "\r\n\r\n") return 4;
  size_t k = 0;
  while (k < rest.size() && (rest[k] == '\r' || rest[k] == '\n')) ++k;
  if (k > kMaxEndBytes) return -1;
  // Fewer than kEndPeek bytes: the stream ends within them, so what follows
  // the CR/LF bytes is all there is: nothing, or the start of a record cut
  // off (which the next call reports).
  const std::string_view next = rest.substr(k);
  const std::string_view kNext = "WARC/";
  if (next.size() < kNext.size()) {
    return kNext.substr(0, next.size()) == next ? static_cast<int>(k) : -1;
  }
  return k > 0 && next.substr(0, kNext.size()) == kNext ? static_cast<int>(k) : -1;
}

WarcReader::Outcome WarcReader::ReadRecord(WarcRecord* record, Status* error) {
  // Blank lines between records are tolerated.
  for (;;) {
    if (!Fill(1)) {
      if (stream_error_.ok() || stream_error_reported_) return Outcome::kEnd;
      if (stream_error_.code() != StatusCode::kDataError) return Outcome::kEnd;
      stream_error_reported_ = true;
      ++counts_.records;
      *error = RecordError(bytes_consumed(),
                           "the input is cut off here (" + WithoutPath(stream_error_.message()) +
                               ")");
      return Outcome::kBad;
    }
    const char c = buf_.data()[pos_];
    if (c != '\r' && c != '\n') break;
    ++pos_;
  }
  const uint64_t offset = bytes_consumed();
  ++counts_.records;
  auto bad = [&](const std::string& what, size_t resync_from) {
    *error = RecordError(offset, what);
    Resync(resync_from);
    return Outcome::kBad;
  };
  // The stream ends (or fails) inside this record.
  auto cut_off = [&](const std::string& what) {
    std::string why = what;
    if (!stream_error_.ok()) {
      stream_error_reported_ = true;
      why += " (" + WithoutPath(stream_error_.message()) + ")";
    }
    *error = RecordError(offset, why);
    pos_ = buf_.size();
    return Outcome::kBad;
  };

  // The version line.
  if (!Fill(5)) {
    return cut_off("the input ends inside the record's version line");
  }
  if (std::string_view(buf_.data() + pos_, 5) != "WARC/") {
    Fill(41);  // what the message shows, however the bytes arrived
    return bad("expected a WARC version line (\"WARC/1.1\"), found " +
                   Shown(std::string_view(buf_.data() + pos_, buf_.size() - pos_)),
               0);
  }
  const size_t header_end = FindHeaderEnd(0, kMaxHeaderBytes);
  if (header_end == 0) {
    if (buf_.size() - pos_ < kMaxHeaderBytes) {
      return cut_off("the input ends inside the record's header");
    }
    return bad("no empty line ends the record's header within 1 MiB", 0);
  }

  // The header lines.
  Field type, id, url, date, length, content_type;
  folded_.clear();
  {
    const std::string_view header(buf_.data() + pos_, header_end);
    size_t at = header.find('\n');
    const std::string_view version = LineAt(header, 0, at + 1);
    if (version.substr(0, 7) != "WARC/1.") {
      return bad("unsupported WARC version " + Shown(version), header_end - 1);
    }
    Field* last = nullptr;
    for (size_t begin = at + 1; begin < header_end; begin = at + 1) {
      at = header.find('\n', begin);
      const std::string_view line = LineAt(header, begin, at + 1);
      if (line.empty()) break;
      if (line.front() == ' ' || line.front() == '\t') {
        // A folded line continues the field before it (WARC 1.0's LWS).
        if (last != nullptr) {
          const std::string_view before =
              last->folded ? std::string_view(*last->folded)
                           : header.substr(last->begin, last->size);
          folded_.push_back(std::string(before) + " " + std::string(Trim(line)));
          last->folded = &folded_.back();
        }
        continue;
      }
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) {
        return bad("header line without ':': " + Shown(line), header_end - 1);
      }
      const std::string_view name = Trim(line.substr(0, colon));
      const std::string_view value = Trim(line.substr(colon + 1));
      Field* field = nullptr;
      if (EqualsIgnoreCase(name, "WARC-Type")) {
        field = &type;
      } else if (EqualsIgnoreCase(name, "WARC-Record-ID")) {
        field = &id;
      } else if (EqualsIgnoreCase(name, "WARC-Target-URI")) {
        field = &url;
      } else if (EqualsIgnoreCase(name, "WARC-Date")) {
        field = &date;
      } else if (EqualsIgnoreCase(name, "Content-Length")) {
        field = &length;
      } else if (EqualsIgnoreCase(name, "Content-Type")) {
        field = &content_type;
      }
      last = nullptr;
      if (field == nullptr || field->present) continue;  // the first one counts
      field->present = true;
      field->begin = static_cast<size_t>(value.data() - header.data());
      field->size = value.size();
      last = field;
    }
  }
  // Views of the header fields: valid until the buffer next moves (Fill).
  auto view = [&](const Field& f) {
    return f.folded ? std::string_view(*f.folded)
                    : std::string_view(buf_.data() + pos_ + f.begin, f.size);
  };
  for (const auto& [field, name] :
       {std::pair<const Field*, const char*>{&length, "Content-Length"},
        {&type, "WARC-Type"}, {&id, "WARC-Record-ID"}, {&date, "WARC-Date"}}) {
    if (!field->present) return bad(std::string("missing ") + name, header_end - 1);
  }
  uint64_t block = 0;
  {
    const std::string_view digits = view(length);
    bool number = !digits.empty() && digits.size() <= 18;
    for (const char c : digits) number = number && c >= '0' && c <= '9';
    if (!number) return bad("Content-Length is not a number: " + Shown(digits), header_end - 1);
    for (const char c : digits) block = block * 10 + static_cast<uint64_t>(c - '0');
  }
  // Views of the buffer (type_name too) are good until the next Fill.
  const std::string_view type_name = view(type);
  const bool conversion = type_name == "conversion";
  const bool response = type_name == "response";
  if ((conversion || response) && !url.present) {
    return bad("missing WARC-Target-URI", header_end - 1);
  }

  // Where a document's text starts in its block: 0 for a conversion, past
  // the HTTP header for a plain-text response; npos: not a document.
  size_t text_begin = std::string::npos;
  std::string skipped_as(type_name);
  if (conversion) {
    text_begin = 0;
  } else if (response) {
    skipped_as = "response (not text/plain)";
    if (MediaType(view(content_type)) == "application/http") {
      const size_t http_end = FindHeaderEnd(
          header_end, static_cast<size_t>(std::min<uint64_t>(block, kMaxHeaderBytes)));
      if (http_end != 0 && IsPlainTextHttp(std::string_view(buf_.data() + pos_ + header_end,
                                                            http_end - header_end))) {
        text_begin = http_end - header_end;
      }
    }
  }

  if (text_begin == std::string::npos) {  // skipped, without holding the block
    if (!Discard(header_end + block)) {
      return cut_off("the input ends inside the record's block of " + std::to_string(block) +
                     " bytes (Content-Length)");
    }
    // What follows the block is checked from there. (A Content-Length too
    // large has taken the records it covered with it.)
    const int end = EndOfRecord(0);
    if (end < 0) {
      return bad("the block of " + std::to_string(block) +
                     " bytes (Content-Length) is not followed by CRLF CRLF and the next "
                     "record: is Content-Length right?",
                 0);
    }
    pos_ += static_cast<size_t>(end);
    ++counts_.skipped[skipped_as];
    return Outcome::kSkipped;
  }

  if (block > options_.max_document_bytes) {
    return bad("Content-Length " + std::to_string(block) + " is larger than a document may be (" +
                   std::to_string(options_.max_document_bytes) + " bytes)",
               header_end - 1);
  }
  const size_t record_end = header_end + static_cast<size_t>(block);
  if (!Fill(record_end)) {
    return cut_off("the input ends inside the record's block: " +
                   std::to_string(buf_.size() - pos_ - header_end) + " of " +
                   std::to_string(block) + " bytes (Content-Length)");
  }
  const int end = EndOfRecord(record_end);
  if (end < 0) {
    return bad("the block of " + std::to_string(block) +
                   " bytes (Content-Length) is not followed by CRLF CRLF and the next record: "
                   "is Content-Length right?",
               header_end - 1);
  }
  // The buffer no longer moves for this record: the views are final.
  record->type = conversion ? std::string_view("conversion") : std::string_view("response");
  record->id = view(id);
  record->url = view(url);
  record->date = view(date);
  record->text = std::string_view(buf_.data() + pos_ + header_end + text_begin,
                                  static_cast<size_t>(block) - text_begin);
  record->offset = offset;
  record->number = counts_.records;
  pos_ += record_end + static_cast<size_t>(end);
  return Outcome::kDocument;
}

StatusOr<bool> WarcReader::Next(WarcRecord* record) {
  for (;;) {
    Status error;
    const Outcome outcome = ReadRecord(record, &error);
    // A read error (not bad data) ends the run whatever the policy.
    if (!stream_error_.ok() && stream_error_.code() != StatusCode::kDataError) {
      return stream_error_;
    }
    switch (outcome) {
      case Outcome::kDocument:
        ++counts_.documents;
        return true;
      case Outcome::kSkipped:
        continue;
      case Outcome::kEnd:
        return false;
      case Outcome::kBad:
        if (!options_.skip_bad_records) return error;
        ++counts_.bad;
        if (bad_messages_.size() < kMaxBadMessages) bad_messages_.push_back(error.message());
        continue;
    }
  }
}

void AppendWarcDocument(const WarcDocument& doc, std::string* out) {
  auto size = [out](std::string_view field) {
    const auto n = static_cast<uint32_t>(field.size());
    const char bytes[4] = {static_cast<char>(n), static_cast<char>(n >> 8),
                           static_cast<char>(n >> 16), static_cast<char>(n >> 24)};
    out->append(bytes, 4);
  };
  size(doc.id);
  size(doc.url);
  size(doc.date);
  out->append(doc.id);
  out->append(doc.url);
  out->append(doc.date);
  out->append(doc.text);
}

bool ParseWarcDocument(std::string_view bytes, WarcDocument* doc) {
  constexpr size_t kHeader = 12;
  if (bytes.size() < kHeader) return false;
  size_t sizes[3];
  for (int f = 0; f < 3; ++f) {
    const auto* b = reinterpret_cast<const uint8_t*>(bytes.data()) + 4 * f;
    sizes[f] = static_cast<size_t>(b[0]) | static_cast<size_t>(b[1]) << 8 |
               static_cast<size_t>(b[2]) << 16 | static_cast<size_t>(b[3]) << 24;
  }
  if (sizes[0] + sizes[1] + sizes[2] > bytes.size() - kHeader) return false;
  size_t at = kHeader;
  doc->id = bytes.substr(at, sizes[0]);
  at += sizes[0];
  doc->url = bytes.substr(at, sizes[1]);
  at += sizes[1];
  doc->date = bytes.substr(at, sizes[2]);
  at += sizes[2];
  doc->text = bytes.substr(at);
  return true;
}

void AppendWarcJson(const WarcDocument& doc, std::string* out) {
  out->append("{\"id\":");
  AppendJsonString(doc.id, out);
  out->append(",\"url\":");
  AppendJsonString(doc.url, out);
  out->append(",\"date\":");
  AppendJsonString(doc.date, out);
  out->append(",\"text\":");
  AppendJsonString(doc.text, out);
  out->push_back('}');
}

}  // namespace chaff
