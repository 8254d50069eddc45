// WARC input (io/warc.h) and its way through CorpusReader to the corpus
// engines: record types, CRLF headers, records split across the reader's
// reads, gzip members, malformed records and the bad-record policy, bounded
// memory, detection by content.
#include "chaff/io/warc.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "chaff/corpus/dedupe.h"
#include "chaff/corpus/dedupe_output.h"
#include "chaff/detect/templates.h"
#include "chaff/io/corpus_reader.h"
#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "test_util.h"

namespace {

using chaff_test::TempDir;
using chaff_test::Word;

// One WARC record: the version line, WARC-Type, optional WARC-Target-URI,
// WARC-Date, WARC-Record-ID, `extra` lines, Content-Length, the block, then
// CRLF CRLF. `eol` ends the header lines.
std::string Record(std::string_view type, std::string_view id, std::string_view url,
                   std::string_view block, std::vector<std::string> extra = {},
                   std::string_view version = "WARC/1.1", std::string_view eol = "\r\n") {
  std::string r(version);
  r.append(eol);
  r += "WARC-Type: " + std::string(type);
  r.append(eol);
  if (!url.empty()) {
    r += "WARC-Target-URI: " + std::string(url);
    r.append(eol);
  }
  r += "WARC-Date: 2024-03-01T10:00:00Z";
  r.append(eol);
  r += "WARC-Record-ID: <urn:uuid:" + std::string(id) + ">";
  r.append(eol);
  for (const auto& e : extra) {
    r += e;
    r.append(eol);
  }
  r += "Content-Length: " + std::to_string(block.size());
  r.append(eol);
  r.append(eol);
  r.append(block);
  r += "\r\n\r\n";
  return r;
}

std::string HttpResponse(std::string_view content_type, std::string_view body,
                         std::string_view more = "") {
  return "HTTP/1.1 200 OK\r\nServer: test\r\nContent-Type: " + std::string(content_type) +
         "\r\n" + std::string(more) + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + std::string(body);
}

const std::vector<std::string> kHttp = {"Content-Type: application/http; msgtype=response"};

std::string GzipMember(std::string_view data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

void WriteBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// A plain file of the records, and a .gz file of one member per record.
void WriteWarc(const std::string& plain, const std::string& gz,
               const std::vector<std::string>& records) {
  std::string all, members;
  for (const auto& r : records) {
    all += r;
    members += GzipMember(r);
  }
  if (!plain.empty()) WriteBytes(plain, all);
  if (!gz.empty()) WriteBytes(gz, members);
}

struct Doc {
  std::string type, id, url, date, text;
  uint64_t offset = 0;
  uint64_t number = 0;
};

struct ReadResult {
  chaff::Status status;
  std::vector<Doc> docs;
  chaff::WarcCounts counts;
  std::vector<std::string> bad_messages;
  size_t capacity = 0;
};

ReadResult ReadAll(const std::string& path, chaff::WarcReaderOptions options = {}) {
  ReadResult r;
  auto reader = chaff::WarcReader::Open(path, path, options);
  REQUIRE(reader.ok());
  chaff::WarcRecord rec;
  for (;;) {
    auto more = (*reader)->Next(&rec);
    if (!more.ok()) {
      r.status = more.status();
      break;
    }
    if (!*more) break;
    r.docs.push_back(Doc{std::string(rec.type), std::string(rec.id), std::string(rec.url),
                         std::string(rec.date), std::string(rec.text), rec.offset, rec.number});
  }
  r.counts = (*reader)->counts();
  r.bad_messages = (*reader)->bad_messages();
  r.capacity = (*reader)->buffer_capacity();
  return r;
}

// The texts of the mixed file below.
const std::string kText1 = "Über den Wolken\r\nmuss die Freiheit \"wohl\" grenzenlos sein\\\n";
const std::string kText2 = "plain text response\nsecond line\n";
std::string BigText() {
  std::string s;
  for (int i = 0; i < 3000; ++i) s += Word(static_cast<uint64_t>(i)) + (i % 12 == 11 ? "\n" : " ");
  return s;  // ~20 KB: larger than most read sizes below
}

// warcinfo, conversion, request, response (text/plain), metadata, response
// (text/html), revisit, conversion (big), response (gzip-coded text).
std::vector<std::string> MixedRecords() {
  return {
      Record("warcinfo", "0", "", "software: test\r\nformat: WARC File Format 1.1\r\n",
             {"Content-Type: application/warc-fields"}),
      Record("conversion", "1", "https://www.Example.com:8080/a?x=1", kText1,
             {"WARC-Refers-To: <urn:uuid:r1>", "Content-Type: text/plain"}),
      Record("request", "2", "https://news.test/b", "GET /b HTTP/1.1\r\nHost: news.test\r\n\r\n",
             {"Content-Type: application/http; msgtype=request"}),
      Record("response", "3", "https://news.test/b",
             HttpResponse("text/plain; charset=utf-8", kText2), kHttp),
      Record("metadata", "4", "https://news.test/b", "fetchTimeMs: 4\r\n",
             {"Content-Type: application/warc-fields"}),
      Record("response", "5", "https://news.test/c", HttpResponse("text/html", "<p>no</p>"), kHttp),
      Record("revisit", "6", "https://news.test/b", "", {}),
      Record("conversion", "7", "http://blog.test/big", BigText(), {"Content-Type: text/plain"}),
      Record("response", "8", "https://news.test/z",
             HttpResponse("text/plain", "\x1f\x8b not really", "Content-Encoding: gzip\r\n"),
             kHttp),
  };
}

void CheckMixed(const ReadResult& r) {
  REQUIRE(r.status.ok());
  REQUIRE(r.docs.size() == 3);
  CHECK(r.docs[0].type == "conversion");
  CHECK(r.docs[0].id == "<urn:uuid:1>");
  CHECK(r.docs[0].url == "https://www.Example.com:8080/a?x=1");
  CHECK(r.docs[0].date == "2024-03-01T10:00:00Z");
  CHECK(r.docs[0].text == kText1);
  CHECK(r.docs[0].number == 2);
  CHECK(r.docs[1].type == "response");
  CHECK(r.docs[1].id == "<urn:uuid:3>");
  CHECK(r.docs[1].url == "https://news.test/b");
  CHECK(r.docs[1].text == kText2);  // the HTTP headers are not text
  CHECK(r.docs[2].id == "<urn:uuid:7>");
  CHECK(r.docs[2].text == BigText());
  CHECK(r.counts.records == 9);
  CHECK(r.counts.documents == 3);
  CHECK(r.counts.bad == 0);
  CHECK(r.counts.skipped == std::map<std::string, uint64_t>{{"metadata", 1},
                                                            {"request", 1},
                                                            {"response (not text/plain)", 2},
                                                            {"revisit", 1},
                                                            {"warcinfo", 1}});
  CHECK(r.counts.Summary() ==
        "9 records: 3 documents; skipped 1 metadata, 1 request, 2 response (not text/plain), "
        "1 revisit, 1 warcinfo; 0 bad");
}

}  // namespace

TEST_CASE("warc: documents of every record type, at every read size, plain and gzip",
          "[warc]") {
  TempDir dir;
  const auto records = MixedRecords();
  WriteWarc(dir / "m.warc", dir / "m.warc.gz", records);
  // Offsets of the records in the (decompressed) stream.
  std::vector<uint64_t> offsets;
  uint64_t at = 0;
  for (const auto& r : records) {
    offsets.push_back(at);
    at += r.size();
  }
  // Read sizes that cut records, headers, CRLFs and the end marks at every
  // kind of place; 1 MiB holds the whole file.
  for (const size_t read_size : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{64},
                                 size_t{333}, size_t{4096}, size_t{1} << 20}) {
    for (const std::string name : {"m.warc", "m.warc.gz"}) {
      INFO(name << " read size " << read_size);
      chaff::WarcReaderOptions options;
      options.read_size = read_size;
      const ReadResult r = ReadAll(dir / name, options);
      CheckMixed(r);
      CHECK(r.docs[0].offset == offsets[1]);
      CHECK(r.docs[1].offset == offsets[3]);
      CHECK(r.docs[2].offset == offsets[7]);
    }
  }
  // All records in one gzip member read the same.
  std::string all;
  for (const auto& r : records) all += r;
  WriteBytes(dir / "one.warc.gz", GzipMember(all));
  CheckMixed(ReadAll(dir / "one.warc.gz"));
}

TEST_CASE("warc: WARC/1.0, LF-only headers, folded lines and blank lines between records",
          "[warc]") {
  TempDir dir;
  std::string folded = Record("conversion", "f", "https://a.test/x", "folded\n");
  // Fold the target URI over two lines (WARC 1.0 allows linear white space).
  const std::string uri = "WARC-Target-URI: https://a.test/x\r\n";
  folded.replace(folded.find(uri), uri.size(), "WARC-Target-URI: https://a.test/x\r\n  ?more\r\n");
  WriteWarc(dir / "v.warc", "",
            {Record("conversion", "a", "https://a.test/1", "one\n", {}, "WARC/1.0"),
             "\r\n",  // stray blank lines between records are tolerated
             Record("conversion", "b", "https://a.test/2", "two\n", {}, "WARC/1.1", "\n"),
             folded});
  const ReadResult r = ReadAll(dir / "v.warc");
  INFO(r.status.message());
  REQUIRE(r.status.ok());
  REQUIRE(r.docs.size() == 3);
  CHECK(r.docs[0].text == "one\n");
  CHECK(r.docs[1].text == "two\n");
  CHECK(r.docs[1].url == "https://a.test/2");
  CHECK(r.docs[2].url == "https://a.test/x ?more");
}

TEST_CASE("warc: a truncated last gzip member is a bad record at its offset", "[warc]") {
  TempDir dir;
  const auto records = MixedRecords();
  std::string members;
  uint64_t last_offset = 0;
  for (size_t i = 0; i + 1 < records.size(); ++i) {
    members += GzipMember(records[i]);
    last_offset += records[i].size();
  }
  const std::string last = GzipMember(records.back());
  members += last.substr(0, last.size() / 2);
  WriteBytes(dir / "t.warc.gz", members);
  for (const size_t read_size : {size_t{5}, size_t{1} << 20}) {
    INFO("read size " << read_size);
    chaff::WarcReaderOptions options;
    options.read_size = read_size;
    ReadResult r = ReadAll(dir / "t.warc.gz", options);
    // Every record before the cut is read; then the error names the file and
    // the record's offset in the decompressed stream.
    CHECK(r.docs.size() == 3);
    REQUIRE_FALSE(r.status.ok());
    CHECK(r.status.code() == chaff::StatusCode::kDataError);
    CHECK(r.status.message().rfind(dir / "t.warc.gz" + ": WARC record at offset " +
                                       std::to_string(last_offset) + " (decompressed): ",
                                   0) == 0);
    CHECK(r.status.message().find("truncated gzip stream") != std::string::npos);

    options.skip_bad_records = true;
    r = ReadAll(dir / "t.warc.gz", options);
    REQUIRE(r.status.ok());
    CHECK(r.docs.size() == 3);
    CHECK(r.counts.bad == 1);
    CHECK(r.counts.records == records.size());
    REQUIRE(r.bad_messages.size() == 1);
    CHECK(r.bad_messages[0].find("truncated gzip stream") != std::string::npos);
  }
  // A plain file cut inside the last block.
  std::string plain;
  for (const auto& rec : records) plain += rec;
  WriteBytes(dir / "t.warc", plain.substr(0, plain.size() - 20));
  const ReadResult r = ReadAll(dir / "t.warc");
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.message() == dir / "t.warc" + ": WARC record at offset " +
                                  std::to_string(last_offset) +
                                  ": the input ends inside the record's block of " +
                                  std::to_string(HttpResponse("text/plain", "\x1f\x8b not really",
                                                              "Content-Encoding: gzip\r\n")
                                                     .size()) +
                                  " bytes (Content-Length)");
}

TEST_CASE("warc: malformed records are named by file and offset, and skipped on request",
          "[warc]") {
  TempDir dir;
  const std::string good1 = Record("conversion", "g1", "https://a.test/1", "first\n");
  const std::string good2 = Record("conversion", "g2", "https://a.test/2", "second\n");
  struct Case {
    const char* what;
    std::string record;
    const char* message;
  };
  auto without = [](std::string r, const std::string& line) {
    const size_t at = r.find(line);
    REQUIRE(at != std::string::npos);
    r.erase(at, r.find('\n', at) + 1 - at);
    return r;
  };
  auto replace = [](std::string r, const std::string& from, const std::string& to) {
    const size_t at = r.find(from);
    REQUIRE(at != std::string::npos);
    r.replace(at, from.size(), to);
    return r;
  };
  const std::string bad = Record("conversion", "b", "https://a.test/b", "0123456789\n");
  const std::vector<Case> cases = {
      {"no Content-Length", without(bad, "Content-Length"), "missing Content-Length"},
      {"a Content-Length that is not a number",
       replace(bad, "Content-Length: 11", "Content-Length: 1x"),
       "Content-Length is not a number: \"1x\""},
      {"a negative Content-Length", replace(bad, "Content-Length: 11", "Content-Length: -11"),
       "Content-Length is not a number: \"-11\""},
      {"no WARC-Record-ID", without(bad, "WARC-Record-ID"), "missing WARC-Record-ID"},
      {"no WARC-Date", without(bad, "WARC-Date"), "missing WARC-Date"},
      {"no WARC-Type", without(bad, "WARC-Type"), "missing WARC-Type"},
      {"no WARC-Target-URI on a conversion", without(bad, "WARC-Target-URI"),
       "missing WARC-Target-URI"},
      {"a Content-Length too small", replace(bad, "Content-Length: 11", "Content-Length: 5"),
       "the block of 5 bytes (Content-Length) is not followed by CRLF CRLF"},
      {"a Content-Length too large", replace(bad, "Content-Length: 11", "Content-Length: 40"),
       "the block of 40 bytes (Content-Length) is not followed by CRLF CRLF"},
      {"a header line without ':'", replace(bad, "WARC-Type:", "WARC-Type"),
       "header line without ':'"},
      {"another version", replace(bad, "WARC/1.1", "WARC/2.0"), "unsupported WARC version"},
      {"garbage", "<html>this is not a WARC record</html>\r\n",
       "expected a WARC version line (\"WARC/1.1\"), found \"<html>"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    WriteWarc(dir / "b.warc", dir / "b.warc.gz", {good1, c.record, good2});
    for (const size_t read_size : {size_t{3}, size_t{1} << 20}) {
      INFO("read size " << read_size);
      chaff::WarcReaderOptions options;
      options.read_size = read_size;
      ReadResult r = ReadAll(dir / "b.warc", options);
      REQUIRE_FALSE(r.status.ok());
      CHECK(r.docs.size() == 1);
      CHECK(r.status.message().rfind(dir / "b.warc: WARC record at offset " +
                                         std::to_string(good1.size()) + ": " + c.message,
                                     0) == 0);
      // Skipped: counted, and reading goes on with the next record.
      options.skip_bad_records = true;
      for (const std::string name : {"b.warc", "b.warc.gz"}) {
        INFO(name);
        r = ReadAll(dir / name, options);
        REQUIRE(r.status.ok());
        REQUIRE(r.docs.size() == 2);
        CHECK(r.docs[0].text == "first\n");
        CHECK(r.docs[1].text == "second\n");
        CHECK(r.counts.bad == 1);
        CHECK(r.counts.documents == 2);
      }
    }
  }
}

TEST_CASE("warc: a document larger than the limit is a bad record", "[warc]") {
  TempDir dir;
  WriteWarc(dir / "l.warc", "",
            {Record("conversion", "1", "https://a.test/1", std::string(5000, 'x')),
             Record("conversion", "2", "https://a.test/2", "small\n")});
  chaff::WarcReaderOptions options;
  options.max_document_bytes = 1000;
  ReadResult r = ReadAll(dir / "l.warc", options);
  REQUIRE_FALSE(r.status.ok());
  CHECK(r.status.message().find("Content-Length 5000 is larger than a document may be") !=
        std::string::npos);
  options.skip_bad_records = true;
  r = ReadAll(dir / "l.warc", options);
  REQUIRE(r.status.ok());
  REQUIRE(r.docs.size() == 1);
  CHECK(r.docs[0].text == "small\n");
}

TEST_CASE("warc: memory stays bounded whatever the size of the file", "[warc]") {
  TempDir dir;
  // 1,000 documents of ~10 KB and, between them, skipped records of 100 KB
  // (never held whole): 100 MB of records, far beyond the bound below.
  std::string gz;
  const std::string skipped_block(100 << 10, 'm');
  const std::string skipped_member =
      GzipMember(Record("metadata", "m", "https://a.test/", skipped_block));
  size_t largest = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string text;
    for (int w = 0; w < 1500; ++w) text += Word(static_cast<uint64_t>(i * 7 + w)) + " ";
    const std::string rec =
        Record("conversion", std::to_string(i), "https://a.test/" + std::to_string(i), text);
    largest = std::max(largest, rec.size());
    gz += GzipMember(rec);
    gz += skipped_member;
  }
  WriteBytes(dir / "big.warc.gz", gz);
  chaff::WarcReaderOptions options;
  options.read_size = 64 << 10;
  const ReadResult r = ReadAll(dir / "big.warc.gz", options);
  REQUIRE(r.status.ok());
  CHECK(r.docs.size() == 1000);
  CHECK(r.counts.skipped.at("metadata") == 1000);
  CHECK(r.capacity <= 2 * (largest + options.read_size));
}

TEST_CASE("warc: recognised by name and by content", "[warc]") {
  using chaff::InputKind;
  using chaff::KindOfPath;
  for (const char* name : {"a.warc", "a.warc.gz", "a.warc.wet", "a.warc.wet.gz", "a.warc.zst",
                           "CC-MAIN-20240301-00000.warc.wet.gz", "x.wet"}) {
    INFO(name);
    CHECK(KindOfPath(name) == InputKind::kWarc);
  }
  CHECK(KindOfPath("a.warc.txt") == InputKind::kText);
  CHECK(KindOfPath("a.jsonl.gz") == InputKind::kJsonl);
  CHECK(chaff::LooksLikeWarc("WARC/1.0\r\n"));
  CHECK(chaff::LooksLikeWarc("WARC/1.1"));
  CHECK_FALSE(chaff::LooksLikeWarc("WARC/2.0"));
  CHECK_FALSE(chaff::LooksLikeWarc("WARC"));

  TempDir dir;
  const std::string rec = Record("conversion", "1", "https://a.test/1", "text\n");
  WriteWarc(dir / "crawl", dir / "crawl.gz", {rec});
  WriteBytes(dir / "crawl.zst.txt", "just text\n");
  WriteBytes(dir / "notes.txt", "WARC/1.1 is a version line, but this is a note\n");
  WriteBytes(dir / "empty", "");
  CHECK(chaff::DetectInputKind(dir / "crawl") == InputKind::kWarc);
  CHECK(chaff::DetectInputKind(dir / "crawl.gz") == InputKind::kWarc);
  CHECK(chaff::DetectInputKind(dir / "crawl.zst.txt") == InputKind::kText);
  CHECK(chaff::DetectInputKind(dir / "empty") == InputKind::kText);
  CHECK(chaff::DetectInputKind(dir / "missing") == InputKind::kText);
  // The name wins for JSONL (a JSONL file cannot start with "WARC/").
  WriteBytes(dir / "odd.jsonl", rec);
  CHECK(chaff::DetectInputKind(dir / "odd.jsonl") == InputKind::kJsonl);
  // The content of a text-named file does, though: "WARC/1.1 is..." is WARC
  // to the detector (and then a malformed record to the reader).
  CHECK(chaff::DetectInputKind(dir / "notes.txt") == InputKind::kWarc);

  std::vector<std::string> warnings;
  auto inputs = chaff::ListCorpusInputs({dir / "crawl", dir / "crawl.zst.txt"}, &warnings);
  REQUIRE(inputs.ok());
  CHECK((*inputs)[0].kind == InputKind::kWarc);
  CHECK((*inputs)[1].kind == InputKind::kText);

  // Where a tree output mirrors each: a WARC input's records are JSONL.
  auto mirror = [](const char* relative, InputKind kind) {
    chaff::CorpusInput in;
    in.relative = relative;
    in.kind = kind;
    return chaff::RecordsRelativeName(in);
  };
  CHECK(mirror("sub/a.warc.wet.gz", InputKind::kWarc) == "sub/a.warc.wet.jsonl");
  CHECK(mirror("a.warc.zst", InputKind::kWarc) == "a.warc.jsonl");
  CHECK(mirror("crawl", InputKind::kWarc) == "crawl.jsonl");
  CHECK(mirror("stdin.jsonl", InputKind::kWarc) == "stdin.jsonl");
  CHECK(mirror("a.jsonl.gz", InputKind::kJsonl) == "a.jsonl.gz");
  CHECK(mirror("notes.txt", InputKind::kText) == "notes.txt");
}

TEST_CASE("warc: stdin is looked at without losing a byte", "[warc][io]") {
  TempDir dir;
  const std::string rec = Record("conversion", "1", "https://a.test/1", BigText());
  std::string gz;
  for (int i = 0; i < 20; ++i) gz += GzipMember(rec);
  WriteBytes(dir / "in.gz", gz);
  const int saved = ::dup(STDIN_FILENO);
  REQUIRE(saved >= 0);
  const int fd = ::open((dir / "in.gz").c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  REQUIRE(::dup2(fd, STDIN_FILENO) == STDIN_FILENO);
  ::close(fd);
  auto head = chaff::PeekInput("-", 8);
  auto head_again = chaff::PeekInput("-", 8);  // looks again at the same bytes
  auto whole = chaff::ReadWholeFile("-");
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  REQUIRE(head.ok());
  CHECK(*head == "WARC/1.1");
  REQUIRE(head_again.ok());
  CHECK(*head_again == "WARC/1.1");
  REQUIRE(whole.ok());
  std::string all;
  for (int i = 0; i < 20; ++i) all += rec;
  CHECK(*whole == all);
}

TEST_CASE("io: a decompressor gives every byte before a truncation, then the error",
          "[warc][io]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + "\n";
  const std::string first = GzipMember(text);
  const std::string second = GzipMember(text);
  WriteBytes(dir / "t.gz", first + second.substr(0, second.size() / 2));
  auto source = chaff::OpenSource(dir / "t.gz");
  REQUIRE(source.ok());
  std::string got;
  chaff::Status error;
  std::vector<char> buf(1 << 20);  // one read would span the cut
  for (;;) {
    auto n = (*source)->Read(buf.data(), buf.size());
    if (!n.ok()) {
      error = n.status();
      break;
    }
    REQUIRE(*n > 0);  // no clean end before the error
    got.append(buf.data(), *n);
  }
  CHECK(error.code() == chaff::StatusCode::kDataError);
  CHECK(error.message() == dir / "t.gz" + ": truncated gzip stream");
  REQUIRE(got.size() >= text.size());
  CHECK(got.substr(0, text.size()) == text);
  // The error stays.
  CHECK_FALSE((*source)->Read(buf.data(), buf.size()).ok());
}

TEST_CASE("warc: CorpusReader hands WARC documents on; decoders take the text, sites are hosts",
          "[warc]") {
  TempDir dir;
  std::vector<std::string> records = {Record("warcinfo", "0", "", "x: y\r\n")};
  // Three sites; every page carries its site's footer line.
  const char* hosts[] = {"https://www.alpha.test/", "http://beta.test:8080/",
                         "https://GAMMA.test/"};
  for (int i = 0; i < 12; ++i) {
    const std::string url = std::string(hosts[i % 3]) + "p" + std::to_string(i);
    const std::string text = "Story " + Word(static_cast<uint64_t>(i)) + " " +
                             Word(static_cast<uint64_t>(100 + i)) + "\nFooter of site " +
                             Word(static_cast<uint64_t>(i % 3)) + "\n";
    records.push_back(Record(i % 4 == 3 ? "response" : "conversion", std::to_string(i), url,
                             i % 4 == 3 ? HttpResponse("text/plain", text) : text,
                             i % 4 == 3 ? kHttp : std::vector<std::string>{}));
  }
  WriteWarc("", dir / "s.warc.wet.gz", records);
  std::vector<std::string> warnings;
  auto inputs = chaff::ListCorpusInputs({dir / "s.warc.wet.gz"}, &warnings);
  REQUIRE(inputs.ok());
  chaff::CorpusReader reader(&*inputs);
  reader.set_warc_options([] {
    chaff::WarcReaderOptions o;
    o.read_size = 100;
    return o;
  }());
  // The user's JSONL fields do not apply to WARC documents.
  auto decoder = chaff::CorpusDecoders(&*inputs, chaff::JsonlFields{"body", "key"})();
  chaff::JsonlParser parser;
  chaff::JsonlRecord rec;
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  chaff::RawDocument raw;
  int n = 0;
  for (;; ++n) {
    auto more = reader.Next(&raw);
    REQUIRE(more.ok());
    if (!*more) break;
    CHECK(raw.source == 0);
    CHECK(raw.line == static_cast<uint64_t>(n + 2));  // the record's number (warcinfo is 1)
    chaff::WarcDocument doc;
    REQUIRE(chaff::ParseWarcDocument(raw.bytes, &doc));
    CHECK(doc.id == "<urn:uuid:" + std::to_string(n) + ">");
    CHECK(doc.url.rfind(hosts[n % 3], 0) == 0);
    CHECK(doc.date == "2024-03-01T10:00:00Z");
    std::string_view text;
    REQUIRE(decoder->Decode(raw.bytes, raw.source, raw.padded, &text).ok());
    CHECK(text == doc.text);
    CHECK(text.data() == doc.text.data());  // taken where it is
    CHECK(text.rfind("Story ", 0) == 0);
    // What a writer makes of it: a JSONL record with the same fields.
    std::string line;
    chaff::AppendWarcJson(doc, &line);
    REQUIRE(parser.Parse(line, "text", "id", "url", &rec).ok());
    CHECK(rec.id == doc.id);
    CHECK(rec.site == doc.url);
    CHECK(rec.text == text);
    CHECK(line.rfind("{\"id\":\"<urn:uuid:", 0) == 0);
    CHECK(line.find(",\"date\":\"2024-03-01T10:00:00Z\",\"text\":\"Story ") != std::string::npos);
    counter.AddDocument(chaff::SiteFromUrl(doc.url), text);
  }
  chaff::WarcDocument not_one;
  CHECK_FALSE(chaff::ParseWarcDocument("{\"id\":1}", &not_one));
  const std::string too_long("\xff\xff\0\0\0\0\0\0\0\0\0\0xyz", 15);  // an id of 65,535 bytes
  CHECK_FALSE(chaff::ParseWarcDocument(too_long, &not_one));
  CHECK(n == 12);
  CHECK(reader.read_warc());
  CHECK(reader.warc_counts().documents == 12);
  CHECK(reader.warc_counts().skipped.at("warcinfo") == 1);
  const chaff::TemplateIndex index = counter.Finish();
  CHECK(index.Documents("alpha.test") == 4);
  CHECK(index.Documents("beta.test") == 4);
  CHECK(index.Documents("gamma.test") == 4);
  CHECK(index.LineDocuments("alpha.test", "Footer of site " + Word(0)) == 4);
  CHECK(index.LineDocuments("beta.test", "Footer of site " + Word(0)) == 0);
  CHECK(index.LineDocuments("beta.test", "Footer of site " + Word(1)) == 4);
}

TEST_CASE("warc: dedupe of a WARC file keeps what it keeps of the same JSONL", "[warc][dedupe]") {
  TempDir dir;
  std::vector<std::string> records;
  std::string jsonl;
  std::mt19937_64 rng(5);
  std::vector<std::string> texts;
  for (int i = 0; i < 60; ++i) {
    std::string text;
    if (i % 5 == 4) {
      text = texts.back() + " tail";
    } else {
      for (int w = 0; w < 150; ++w) text += Word(rng() % 3000) + " ";
    }
    texts.push_back(text);
    const std::string url = "https://s" + std::to_string(i % 4) + ".test/" + std::to_string(i);
    records.push_back(Record("conversion", std::to_string(i), url, text));
    if (i % 7 == 0) records.push_back(Record("metadata", "m" + std::to_string(i), url, "a: b\r\n"));
    chaff::WarcDocument w;
    const std::string id = "<urn:uuid:" + std::to_string(i) + ">";
    w.id = id;
    w.url = url;
    w.date = "2024-03-01T10:00:00Z";
    w.text = text;
    chaff::AppendWarcJson(w, &jsonl);
    jsonl += "\n";
  }
  WriteWarc(dir / "d.warc", dir / "d.warc.wet.gz", records);
  WriteBytes(dir / "d.jsonl", jsonl);
  for (const bool split_chains : {true, false}) {
    std::vector<std::string> outputs;
    for (const std::string name : {"d.jsonl", "d.warc", "d.warc.wet.gz"}) {
      INFO(name << " split_chains " << split_chains);
      std::vector<std::string> warnings;
      auto inputs = chaff::ListCorpusInputs({dir / name}, &warnings);
      REQUIRE(inputs.ok());
      chaff::DedupeOptions o;
      o.threads = 2;
      o.split_chains = split_chains;
      auto resolved = chaff::ResolveDedupeOptions(o);
      REQUIRE(resolved.ok());
      chaff::DedupeOutputOptions out;
      out.output = dir / ("out-" + name + ".jsonl");
      out.clusters = dir / ("clusters-" + name + ".jsonl");
      chaff::CorpusReader reader(&*inputs);
      if (split_chains) {
        auto writer = chaff::DedupeStreamWriter::Create(&*inputs, out);
        REQUIRE(writer.ok());
        auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&*inputs, out.fields),
                                       *resolved, {},
                                       [&](const chaff::DecidedDocument& d) {
                                         return (*writer)->Add(d);
                                       });
        REQUIRE(res.ok());
        CHECK(res->removed == 12);
        REQUIRE((*writer)->Finish().ok());
      } else {
        auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&*inputs, out.fields),
                                       *resolved);
        REQUIRE(res.ok());
        CHECK(res->removed == 12);
        chaff::DedupeWriteStats stats;
        REQUIRE(chaff::WriteDedupeOutputs(*inputs, *res, out, {}, &stats).ok());
        CHECK(stats.kept == 48);
      }
      auto kept = chaff::ReadWholeFile(out.output);
      auto clusters = chaff::ReadWholeFile(out.clusters);
      REQUIRE(kept.ok());
      REQUIRE(clusters.ok());
      CHECK(clusters->find("{\"id\":\"<urn:uuid:4>\",\"cluster\":3,\"representative\":"
                           "\"<urn:uuid:3>\"") != std::string::npos);
      outputs.push_back(*kept + *clusters);
    }
    CHECK(outputs[1] == outputs[0]);
    CHECK(outputs[2] == outputs[0]);
  }
}

namespace {

// Everything a reading gives: documents (with their offsets and numbers),
// counts, and how it ended.
std::string Transcript(const std::string& bytes, size_t read_size, bool skip) {
  chaff::WarcReaderOptions options;
  options.read_size = read_size;
  options.skip_bad_records = skip;
  chaff::WarcReader reader(chaff::MemoryByteSource(bytes), "m", false, options);
  std::string t;
  chaff::WarcRecord rec;
  for (;;) {
    auto more = reader.Next(&rec);
    if (!more.ok()) {
      t += "error " + more.status().message() + "\n";
      break;
    }
    if (!*more) break;
    t += std::to_string(rec.offset) + " " + std::to_string(rec.number) + " " +
         std::string(rec.type) + " " + std::string(rec.id) + " " + std::string(rec.url) + " " +
         std::string(rec.date) + " [" + std::string(rec.text) + "]\n";
  }
  return t + reader.counts().Summary() + "\n";
}

}  // namespace

TEST_CASE("warc: damaged files read the same at every read size", "[warc]") {
  std::string good;
  for (const auto& r : MixedRecords()) good += r;
  std::mt19937_64 rng(19);
  const char interesting[] = "\r\n: 0123456789WARC/1.-<>";
  int with_errors = 0;
  for (int round = 0; round < 400; ++round) {
    std::string bytes = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const size_t at = rng() % bytes.size();
      switch (rng() % 4) {
        case 0:  // replace a byte
          bytes[at] = rng() % 2 ? interesting[rng() % (sizeof(interesting) - 1)]
                                : static_cast<char>(rng() % 256);
          break;
        case 1:  // delete a few
          bytes.erase(at, 1 + rng() % 8);
          break;
        case 2:  // insert a few
          bytes.insert(at, std::string(1 + rng() % 3,
                                       interesting[rng() % (sizeof(interesting) - 1)]));
          break;
        default:  // cut the file
          bytes.resize(at);
      }
    }
    for (const bool skip : {false, true}) {
      const std::string want = Transcript(bytes, size_t{1} << 20, skip);
      if (!skip && want.find("error ") != std::string::npos) ++with_errors;
      for (const size_t read_size : {size_t{1}, size_t{2}, size_t{5}, size_t{13}, size_t{64}}) {
        INFO("round " << round << " skip " << skip << " read size " << read_size);
        CHECK(Transcript(bytes, read_size, skip) == want);
      }
      // Skipping never fails on bytes from memory.
      if (skip) CHECK(want.find("error ") == std::string::npos);
    }
  }
  CHECK(with_errors > 100);  // the edits do break records
}
