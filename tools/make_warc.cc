// Writes a WARC file (WARC 1.1 / 1.0 as Common Crawl writes it) of the
// documents of a JSONL corpus, for tests and benchmarks of chaff's WARC
// input (io/warc.h). Nothing is downloaded: the documents come from JSONL
// (e.g. ../shared/data/bbc/articles.jsonl, or wcxb-dev/inputs.jsonl, which
// has urls).
//
//   chaff-make-warc -i IN.jsonl [-i ...] -o OUT.warc[.gz] [--jsonl SAME.jsonl]
//                   [--response-every N] [--noise-every N] [--truncate-last]
//                   [--single-member] [--warc-version 1.0] [--seed 1] [--limit N]
//
// The file starts with a `warcinfo` record. Each document is a `conversion`
// record (a WET file's layout: its block is the text), or, every
// --response-every-th document, a `request` record, a `response` record
// whose HTTP payload is the text as text/plain, and a `metadata` record.
// After every --noise-every-th document come records a reader must skip:
// a request, a text/html response and a metadata record. Headers end with
// CRLF; a record's block is followed by CRLF CRLF.
//
// OUT ending in .gz is written as one gzip member per record, as Common
// Crawl does (--single-member: one member for the whole file); anything else
// is plain. --truncate-last cuts the last record (its gzip member, when
// compressed) in half, as an interrupted download leaves it.
//
// --jsonl writes the documents as chaff reads them out of the WARC file:
// {"id","url","date","text"} records (AppendWarcJson), in order, so
// that a run on the WARC file and a run on this JSONL file can be compared
// byte for byte. A document without a url gets https://siteK.example.com/ID
// (K cycling over --hosts sites). Deterministic: the same flags give the
// same bytes (record ids from --seed, dates counted from 2024-03-01).
#include <zlib.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/io/warc.h"
#include "chaff/status.h"

namespace {

using chaff::Status;
using chaff::StatusOr;

struct Flags {
  std::vector<std::string> inputs;
  std::string output;
  std::string jsonl;
  std::string text_field = "text";
  std::string id_field = "id";
  std::string url_field = "url";
  int response_every = 0;
  int noise_every = 0;
  bool truncate_last = false;
  bool single_member = false;
  std::string version = "1.0";
  uint64_t seed = 1;
  uint64_t limit = 0;
  int hosts = 7;
  int level = 6;
};

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// "<urn:uuid:xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx>", the n-th of the seed.
std::string RecordId(uint64_t seed, uint64_t n) {
  const uint64_t a = SplitMix(seed * 0x100000001b3ULL + 2 * n);
  const uint64_t b = SplitMix(seed * 0x100000001b3ULL + 2 * n + 1);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "<urn:uuid:%08x-%04x-4%03x-8%03x-%012llx>",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xfff), static_cast<unsigned>(b >> 52),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

// 2024-03-01T00:00:00Z plus n seconds (within the 28 days that follow).
std::string Date(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "2024-03-%02uT%02u:%02u:%02uZ",
                static_cast<unsigned>(1 + (n / 86400) % 28), static_cast<unsigned>(n / 3600 % 24),
                static_cast<unsigned>(n / 60 % 60), static_cast<unsigned>(n % 60));
  return buf;
}

// "https://host/path" -> "host", "/path".
void SplitUrl(const std::string& url, std::string* host, std::string* path) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const size_t slash = url.find('/', start);
  *host = url.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
  *path = slash == std::string::npos ? "/" : url.substr(slash);
}

class Writer {
 public:
  Writer(const Flags& flags, std::FILE* out) : flags_(flags), out_(out) {}

  // Appends a record: header fields in this order, then the block.
  void Record(const std::string& type, const std::string& url, const std::string& date,
              const std::string& id, const std::vector<std::string>& extra,
              const std::string& content_type, std::string_view block) {
    std::string r = "WARC/" + flags_.version + "\r\n";
    r += "WARC-Type: " + type + "\r\n";
    if (!url.empty()) r += "WARC-Target-URI: " + url + "\r\n";
    r += "WARC-Date: " + date + "\r\n";
    r += "WARC-Record-ID: " + id + "\r\n";
    for (const auto& e : extra) r += e + "\r\n";
    r += "Content-Type: " + content_type + "\r\n";
    r += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n";
    r.append(block);
    r += "\r\n\r\n";
    pending_.push_back(std::move(r));
    // One record behind: the last one may still be cut (--truncate-last).
    if (pending_.size() > 1) Flush(pending_.front(), false);
  }

  Status Finish() {
    if (!pending_.empty()) Flush(pending_.back(), flags_.truncate_last);
    if (single_) {
      CHAFF_RETURN_IF_ERROR(Deflate(std::string_view(), Z_FINISH));
      if (flags_.truncate_last) {
        // Half of the last record's compressed bytes are in the file: cut
        // the stream where they end.
        compressed_.resize(compressed_.size() - (compressed_.size() - last_member_start_) / 2);
      }
      std::fwrite(compressed_.data(), 1, compressed_.size(), out_);
    }
    return std::ferror(out_) ? chaff::IoError(flags_.output + ": write failed") : Status::Ok();
  }

  Status Init() {
    gzip_ = flags_.output.size() > 3 &&
            flags_.output.compare(flags_.output.size() - 3, 3, ".gz") == 0;
    single_ = gzip_ && flags_.single_member;
    if (single_) {
      if (deflateInit2(&zs_, flags_.level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return chaff::Internal("deflateInit2 failed");
      }
    }
    return Status::Ok();
  }

 private:
  void Flush(std::string& record, bool cut) {
    std::string bytes = std::move(record);
    pending_.erase(pending_.begin());
    if (single_) {
      last_member_start_ = compressed_.size();
      (void)Deflate(bytes, Z_NO_FLUSH);
      return;
    }
    if (gzip_) bytes = GzipMember(bytes);
    if (cut) bytes.resize(bytes.size() / 2);
    std::fwrite(bytes.data(), 1, bytes.size(), out_);
  }

  std::string GzipMember(std::string_view data) const {
    z_stream zs{};
    deflateInit2(&zs, flags_.level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
  }

  Status Deflate(std::string_view data, int flush) {
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs_.avail_in = static_cast<uInt>(data.size());
    char buf[1 << 16];
    int rc;
    do {
      zs_.next_out = reinterpret_cast<Bytef*>(buf);
      zs_.avail_out = sizeof(buf);
      rc = deflate(&zs_, flush);
      compressed_.append(buf, sizeof(buf) - zs_.avail_out);
    } while (zs_.avail_in > 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    if (flush == Z_FINISH) deflateEnd(&zs_);
    return Status::Ok();
  }

  const Flags& flags_;
  std::FILE* out_;
  bool gzip_ = false;
  bool single_ = false;
  std::vector<std::string> pending_;
  z_stream zs_{};
  std::string compressed_;  // --single-member: the whole stream
  size_t last_member_start_ = 0;
};

Status Run(const Flags& flags) {
  std::FILE* out = std::fopen(flags.output.c_str(), "wb");
  if (out == nullptr) return chaff::IoError(flags.output + ": cannot create");
  std::unique_ptr<chaff::OutputFile> jsonl;
  if (!flags.jsonl.empty()) {
    CHAFF_ASSIGN_OR_RETURN(jsonl, chaff::OutputFile::Create(flags.jsonl));
  }
  Writer w(flags, out);
  CHAFF_RETURN_IF_ERROR(w.Init());
  uint64_t records = 0;
  auto next_id = [&] { return RecordId(flags.seed, records++); };
  w.Record("warcinfo", "", Date(0), next_id(), {}, "application/warc-fields",
           "software: chaff-make-warc\r\nformat: WARC File Format 1.1\r\n"
           "description: documents of a JSONL corpus, for tests\r\n");

  chaff::JsonlParser parser;
  chaff::JsonlRecord doc;
  uint64_t n = 0;
  std::string line_out;
  for (const std::string& input : flags.inputs) {
    CHAFF_ASSIGN_OR_RETURN(auto reader, chaff::LineReader::Open(input));
    std::string_view line;
    for (;;) {
      CHAFF_ASSIGN_OR_RETURN(const bool more, reader->Next(&line));
      if (!more || (flags.limit > 0 && n >= flags.limit)) break;
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      Status s = parser.Parse(line, flags.text_field, flags.id_field, flags.url_field, &doc);
      if (!s.ok()) return s.WithPrefix(input + ":" + std::to_string(reader->line_number()));
      std::string url = doc.site;
      if (url.empty()) {
        url = "https://site" + std::to_string(n % static_cast<uint64_t>(flags.hosts)) +
              ".example.com/" + (doc.has_id ? doc.id : std::to_string(n));
      }
      std::string host, path;
      SplitUrl(url, &host, &path);
      const std::string date = Date(n + 1);
      chaff::WarcRecord record;
      record.url = url;
      record.date = date;
      record.text = doc.text;
      std::string id;
      if (flags.response_every > 0 && n % static_cast<uint64_t>(flags.response_every) ==
                                          static_cast<uint64_t>(flags.response_every) - 1) {
        const std::string request_id = next_id();
        w.Record("request", url, date, request_id, {}, "application/http; msgtype=request",
                 "GET " + path + " HTTP/1.1\r\nHost: " + host +
                     "\r\nUser-Agent: chaff-make-warc\r\nAccept: */*\r\n\r\n");
        id = next_id();
        const std::string http = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                 "Content-Length: " + std::to_string(doc.text.size()) + "\r\n\r\n";
        w.Record("response", url, date, id, {"WARC-Concurrent-To: " + request_id},
                 "application/http; msgtype=response", http + doc.text);
        w.Record("metadata", url, date, next_id(), {"WARC-Concurrent-To: " + id},
                 "application/warc-fields", "fetchTimeMs: 12\r\n");
      } else {
        id = next_id();
        w.Record("conversion", url, date, id, {"WARC-Refers-To: " + RecordId(flags.seed ^ 1, n)},
                 "text/plain", doc.text);
      }
      record.id = id;
      if (jsonl) {
        line_out.clear();
        chaff::AppendWarcJson(record, &line_out);
        line_out.push_back('\n');
        CHAFF_RETURN_IF_ERROR(jsonl->Write(line_out));
      }
      if (flags.noise_every > 0 && n % static_cast<uint64_t>(flags.noise_every) == 0) {
        const std::string noise_url = "https://" + host + "/styles.html";
        const std::string request_id = next_id();
        w.Record("request", noise_url, date, request_id, {}, "application/http; msgtype=request",
                 "GET /styles.html HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        const std::string response_id = next_id();
        w.Record("response", noise_url, date, response_id, {"WARC-Concurrent-To: " + request_id},
                 "application/http; msgtype=response",
                 "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                 "<html><body><p>not a document</p></body></html>\n");
        w.Record("metadata", noise_url, date, next_id(), {"WARC-Concurrent-To: " + response_id},
                 "application/warc-fields", "fetchTimeMs: 3\r\n");
      }
      ++n;
    }
  }
  Status s = w.Finish();
  if (std::fclose(out) != 0 && s.ok()) s = chaff::IoError(flags.output + ": write failed");
  CHAFF_RETURN_IF_ERROR(s);
  if (jsonl) CHAFF_RETURN_IF_ERROR(jsonl->Commit());
  std::fprintf(stderr, "chaff-make-warc: %llu documents in %llu records to %s\n",
               static_cast<unsigned long long>(n), static_cast<unsigned long long>(records),
               flags.output.c_str());
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes a WARC file of the documents of a JSONL corpus (see the file header)."};
  Flags f;
  app.add_option("-i,--input", f.inputs, "JSONL corpora (a text field; id and url optional)")
      ->required();
  app.add_option("-o,--output", f.output,
                 "The WARC file: .gz writes a gzip member per record, anything else is plain")
      ->required();
  app.add_option(
      "--jsonl", f.jsonl,
      "Also write the documents as chaff reads them: {\"id\",\"url\",\"date\",\"text\"}");
  app.add_option("--text-field", f.text_field, "Input field holding the text")
      ->capture_default_str();
  app.add_option("--id-field", f.id_field, "Input field holding the id (for made-up urls)")
      ->capture_default_str();
  app.add_option("--url-field", f.url_field, "Input field holding the url")->capture_default_str();
  app.add_option("--response-every", f.response_every,
                 "Every Nth document as request + text/plain response + metadata (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--noise-every", f.noise_every,
                 "After every Nth document, records to skip: request, text/html response, "
                 "metadata (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--truncate-last", f.truncate_last, "Cut the last record (gzip member) in half");
  app.add_flag("--single-member", f.single_member, "One gzip member for the whole file");
  app.add_option("--warc-version", f.version, "Version on each record's first line")
      ->check(CLI::IsMember({"1.0", "1.1"}))
      ->capture_default_str();
  app.add_option("--seed", f.seed, "Seed of the record ids")->capture_default_str();
  app.add_option("--limit", f.limit, "At most this many documents (0: all)")->capture_default_str();
  app.add_option("--hosts", f.hosts, "Sites for documents without a url")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--level", f.level, "gzip level")->check(CLI::Range(1, 9))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  const Status s = Run(f);
  if (!s.ok()) {
    std::fprintf(stderr, "chaff-make-warc: %s\n", s.message().c_str());
    return 2;
  }
  return 0;
}
