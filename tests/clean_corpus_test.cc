// The corpus clean engine through its public header alone (no CLI): a small
// JSONL corpus of two sites is cleaned to a JSONL file and to a tree, with
// template lines, repeats, near-duplicates and a bad record; the same bytes
// come out at 1 and 3 threads; every document is tokenized once per pass.
#include "chaff/corpus/clean_corpus.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/io/warc.h"
#include "test_util.h"
#include "text/tokenize_internal.h"

namespace fs = std::filesystem;

namespace {

using chaff_test::Word;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

// A story paragraph of 40 words, distinct for each n.
std::string Story(int n) {
  std::string s = "The council of " + Word(static_cast<uint64_t>(n)) + " said that";
  for (int i = 0; i < 36; ++i) s += " " + Word(static_cast<uint64_t>(n * 100 + i));
  return s + ".";
}

std::string Record(const std::string& id, const std::string& url, const std::string& text) {
  std::string line = "{\"id\":\"" + id + "\",\"url\":\"" + url + "\",\"text\":";
  chaff::AppendJsonString(text, &line);
  return line + "}\n";
}

struct Corpus {
  std::string dir;
  std::vector<chaff::CorpusInput> inputs;
  uint64_t documents = 0;
};

// 8 pages of site a (each ending with the same two footer lines), 3 of site b
// (a footer too, but too few pages for templates), one page of a pasted
// twice, one near-duplicate of page a/1 (one word changed), one bad record.
Corpus MakeCorpus(const std::string& name) {
  Corpus c;
  c.dir = (fs::temp_directory_path() / ("chaff_clean_corpus_test_" + name)).string();
  fs::remove_all(c.dir);
  fs::create_directories(c.dir);
  std::string a, b;
  for (int i = 0; i < 8; ++i) {
    std::string text = Story(i) + "\n\n" + Story(i + 50) + "\n";
    if (i == 3) text += Story(i) + "\n";  // pasted twice
    text += "Navigation menu of the a site\nFollow the a site on every network\n";
    a += Record("a" + std::to_string(i), "https://www.a.example/p" + std::to_string(i), text);
  }
  std::string near = Story(1);
  near.replace(near.find(" said "), 6, " told ");
  a += Record("a-near", "https://a.example/x", near + "\n\n" + Story(51) + "\n");
  for (int i = 0; i < 3; ++i) {
    b += Record("b" + std::to_string(i), "https://b.example/p" + std::to_string(i),
                Story(200 + i) + "\nFollow the b site\n");
  }
  b += "{\"id\":\"bad\",\"text\":42}\n";
  WriteAll(c.dir + "/a.jsonl", a);
  WriteAll(c.dir + "/b.jsonl", b);
  for (const char* f : {"a.jsonl", "b.jsonl"}) {
    chaff::CorpusInput in;
    in.path = c.dir + "/" + f;
    in.name = in.path;
    in.relative = f;
    in.kind = chaff::InputKind::kJsonl;
    c.inputs.push_back(in);
  }
  c.documents = 13;
  return c;
}

chaff::CleanCorpusOptions Options(int threads) {
  chaff::CleanCorpusOptions o;
  o.clean.remove_chrome = false;  // the detectors under test here: templates, repeats
  o.fields.skip_bad_records = true;
  o.dedupe = true;
  o.threads = threads;
  o.batch_bytes = 512;  // many batches, so threads take turns
  return o;
}

}  // namespace

TEST_CASE("clean corpus: a JSONL corpus through the library", "[corpus]") {
  Corpus c = MakeCorpus("jsonl");
  std::string first_output;
  for (int threads : {1, 3}) {
    const std::string out = c.dir + "/out" + std::to_string(threads) + ".jsonl";
    auto plan = chaff::PlanCleanOutputs(c.inputs, out, false);
    REQUIRE(plan.ok());
    CHECK(plan->mode == chaff::CleanOutputPlan::Mode::kJsonl);
    std::vector<uint64_t> observed;
    auto result = chaff::CleanCorpus(c.inputs, *plan, Options(threads), {},
                                     [&](const chaff::CleanedDocument& d) {
                                       observed.push_back(d.index);
                                     });
    REQUIRE(result.ok());
    const std::string text = ReadAll(out);
    // Template lines of site a (8 + 1 pages share them) are gone; site b's
    // footer stays (3 pages: too few to judge).
    CHECK(text.find("Navigation menu") == std::string::npos);
    CHECK(text.find("Follow the a site") == std::string::npos);
    CHECK(text.find("Follow the b site") != std::string::npos);
    // The pasted repeat is gone, the first copy stays.
    CHECK(text.find(Story(3)) != std::string::npos);
    // The near-duplicate of page 1 is dropped whole; the bad record passes.
    CHECK(text.find("a-near") == std::string::npos);
    CHECK(text.find("{\"id\":\"bad\",\"text\":42}\n") != std::string::npos);
    REQUIRE(result->files.size() == 2);
    CHECK(result->files[0].documents == 9);
    CHECK(result->files[0].duplicates == 1);
    CHECK(result->files[1].documents == 3);
    CHECK(result->files[1].bad_records == 1);
    const auto& acc = result->files[0].accounting;
    CHECK(acc.bytes[static_cast<size_t>(chaff::Reason::kTemplate)] > 0);
    CHECK(acc.bytes[static_cast<size_t>(chaff::Reason::kRepeat)] > 0);
    CHECK(acc.bytes[static_cast<size_t>(chaff::Reason::kNearDuplicate)] > 0);
    // The observer saw every document in order (not the bad record).
    CHECK(observed.size() == 12);
    for (size_t i = 1; i < observed.size(); ++i) CHECK(observed[i] > observed[i - 1]);
    if (threads == 1) {
      first_output = text;
    } else {
      CHECK(text == first_output);
    }
  }
  fs::remove_all(c.dir);
}

TEST_CASE("clean corpus: a tree output mirrors the inputs", "[corpus]") {
  Corpus c = MakeCorpus("tree");
  auto plan = chaff::PlanCleanOutputs(c.inputs, c.dir + "/tree", false);
  REQUIRE(plan.ok());
  REQUIRE(plan->mode == chaff::CleanOutputPlan::Mode::kTree);
  auto result = chaff::CleanCorpus(c.inputs, *plan, Options(2));
  REQUIRE(result.ok());
  CHECK(ReadAll(c.dir + "/tree/a.jsonl").find("Navigation menu") == std::string::npos);
  CHECK(ReadAll(c.dir + "/tree/b.jsonl").find("Follow the b site") != std::string::npos);
  // An output that would overwrite an input is refused.
  auto same = chaff::PlanCleanOutputs(c.inputs, c.dir, false);
  CHECK_FALSE(same.ok());
  fs::remove_all(c.dir);
}

TEST_CASE("clean corpus: each document is tokenized once per pass", "[corpus]") {
  Corpus c = MakeCorpus("tokenize");
  const std::string out = c.dir + "/out.jsonl";
  auto plan = chaff::PlanCleanOutputs(c.inputs, out, false);
  REQUIRE(plan.ok());
  // Cleaning with dedupe, no templates: one pass. The chrome classifier,
  // the repeat detector and the near-duplicate sketch all read the one
  // Document built per record (the bad record has no text to tokenize).
  chaff::CleanCorpusOptions o = Options(1);
  o.clean.remove_chrome = true;
  o.templates.enabled = false;
  uint64_t before = chaff::internal::TokenizeCalls();
  REQUIRE(chaff::CleanCorpus(c.inputs, *plan, o).ok());
  CHECK(chaff::internal::TokenizeCalls() - before == c.documents - 1);
  // With templates, pass 1 tokenizes each document once more.
  o.templates.enabled = true;
  before = chaff::internal::TokenizeCalls();
  REQUIRE(chaff::CleanCorpus(c.inputs, *plan, o).ok());
  CHECK(chaff::internal::TokenizeCalls() - before == 2 * (c.documents - 1));
  fs::remove_all(c.dir);
}

namespace {

// A WARC record (CRLF headers) of `type`, with a block.
std::string WarcRecord(const std::string& type, const std::string& id, const std::string& url,
                       const std::string& block, const std::string& extra = "") {
  std::string r = "WARC/1.1\r\nWARC-Type: " + type + "\r\n" + extra;
  if (!url.empty()) r += "WARC-Target-URI: " + url + "\r\n";
  r += "WARC-Date: 2024-03-01T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:" + id + ">\r\n";
  r += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n" + block + "\r\n\r\n";
  return r;
}

}  // namespace

TEST_CASE("clean corpus: WARC documents clean as the same JSONL; sites are hosts",
          "[corpus][warc]") {
  chaff_test::TempDir dir;
  // 8 pages of one host sharing a footer (a template line), 8 pages of 8
  // hosts sharing another line (no site has it often enough), a request and
  // a metadata record to skip, one page as a text/plain response.
  std::string warc = WarcRecord("warcinfo", "info", "", "software: test\r\n");
  std::string same;  // the documents as JSONL, as chaff writes them
  for (int i = 0; i < 16; ++i) {
    const bool one_host = i < 8;
    const std::string url = one_host ? "https://www.host.example/p" + std::to_string(i)
                                     : "https://h" + std::to_string(i) + ".example/p";
    const std::string id = "doc-" + std::to_string(i);
    const std::string text = Story(i) + "\n\n" + Story(i + 50) + "\n" +
                             (one_host ? "Share this page with the host community\n"
                                       : "Share this page with every other community\n");
    if (i == 5) {
      warc += WarcRecord("request", "req", url, "GET / HTTP/1.1\r\n\r\n");
      warc += WarcRecord("response", id, url,
                         "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + text,
                         "Content-Type: application/http; msgtype=response\r\n");
    } else {
      warc += WarcRecord("conversion", id, url, text);
    }
    warc += WarcRecord("metadata", "meta", url, "fetchTimeMs: 1\r\n");
    chaff::WarcDocument doc;
    const std::string full_id = "<urn:uuid:" + id + ">", date = "2024-03-01T10:00:00Z";
    doc.id = full_id;
    doc.url = url;
    doc.date = date;
    doc.text = text;
    chaff::AppendWarcJson(doc, &same);
    same.push_back('\n');
  }
  WriteAll(dir / "x.warc.wet", warc);
  WriteAll(dir / "same.jsonl", same);
  auto input = [&](const std::string& name, chaff::InputKind kind) {
    chaff::CorpusInput in;
    in.path = dir / name;
    in.name = in.path;
    in.relative = name;
    in.kind = kind;
    return std::vector<chaff::CorpusInput>{in};
  };
  const auto warc_in = input("x.warc.wet", chaff::InputKind::kWarc);
  const auto jsonl_in = input("same.jsonl", chaff::InputKind::kJsonl);
  chaff::CleanCorpusOptions o = Options(2);
  o.annotate = true;
  auto run = [&](const std::vector<chaff::CorpusInput>& in, const std::string& out,
                 const std::string& attributes) {
    auto plan = chaff::PlanCleanOutputs(in, out, o.annotate);
    REQUIRE(plan.ok());
    REQUIRE(chaff::PlanAttributeOutputs(in, attributes, &*plan).ok());
    auto result = chaff::CleanCorpus(in, *plan, o);
    REQUIRE(result.ok());
    return *result;
  };
  const auto w = run(warc_in, dir / "warc.jsonl", dir / "warc-attrs");
  run(jsonl_in, dir / "ref.jsonl", dir / "ref-attrs");
  CHECK(ReadAll(dir / "warc.jsonl") == ReadAll(dir / "ref.jsonl"));
  CHECK(ReadAll(dir / "warc-attrs/x.warc.wet.jsonl") == ReadAll(dir / "ref-attrs/same.jsonl"));
  CHECK(w.read_warc);
  CHECK(w.warc.Summary() ==
        "34 records: 16 documents; skipped 16 metadata, 1 request, 1 warcinfo; 0 bad");
  CHECK(w.files[0].documents == 16);
  // The host's footer is a template line; the line shared across hosts is not.
  const auto lines = chaff_test::ReadLines(dir / "warc.jsonl");
  REQUIRE(lines.size() == 16);
  for (size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i]);
    CHECK(lines[i].rfind("{\"id\":\"<urn:uuid:doc-" + std::to_string(i) + ">\",\"url\":", 0) ==
          0);
    CHECK((lines[i].find("\"reason\":\"template\"") != std::string::npos) == (i < 8));
  }
  // A tree names a WARC input's records .jsonl; so do its attributes.
  auto tree = chaff::PlanCleanOutputs(warc_in, dir / "tree", false);
  REQUIRE(tree.ok());
  CHECK(tree->outputs[0] == dir / "tree/x.warc.wet.jsonl");
  CHECK_FALSE(chaff::PlanAttributeOutputs(warc_in, dir / "tree", &*tree).ok());
  REQUIRE(chaff::PlanAttributeOutputs(warc_in, dir / "attrs", &*tree).ok());
  CHECK(tree->attributes[0] == dir / "attrs/x.warc.wet.jsonl");
}
