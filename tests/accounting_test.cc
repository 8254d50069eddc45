// The accounting identity: for every document, the bytes (and lines) kept
// plus those removed under each reason equal the input, the cleaned text is
// the original minus the removed spans, and the per-reason totals agree
// with the spans. Checked on the seeds, on hostile synthetic inputs and on
// the benchmark corpus (../shared/data/bbc/articles.jsonl when present),
// with corpus template statistics on, as `chaff clean` runs by default.
//
// CHAFF_TEST_MAX_DOCS limits how many corpus documents are checked (the
// ASan+UBSan build sets it; the Release build checks them all).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chaff/detect/clean.h"
#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/detect/templates.h"

namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Checks every form of the identity on one result; returns the accounting.
chaff::Accounting CheckIdentity(std::string_view text, const chaff::CleanResult& r,
                                const std::string& where) {
  INFO(where);
  const chaff::Accounting& a = r.accounting;
  REQUIRE(a.total_bytes() == text.size());
  REQUIRE(a.kept_bytes() + a.removed_bytes() == text.size());
  uint64_t lines = 0;
  for (uint64_t n : a.lines) lines += n;
  REQUIRE(lines == r.lines.size());
  REQUIRE(r.cleaned.size() == a.kept_bytes());

  // Spans: ordered, disjoint, and their bytes per reason match the totals.
  std::array<uint64_t, chaff::kNumReasons> span_bytes{};
  std::string rebuilt;
  uint64_t pos = 0;
  for (const chaff::RemovedSpan& s : r.spans) {
    REQUIRE(s.begin >= pos);
    REQUIRE(s.end > s.begin);
    REQUIRE(s.end <= text.size());
    REQUIRE(s.reason != chaff::Reason::kKeep);
    span_bytes[static_cast<size_t>(s.reason)] += s.end - s.begin;
    rebuilt.append(text.substr(pos, s.begin - pos));
    pos = s.end;
  }
  rebuilt.append(text.substr(pos));
  REQUIRE(rebuilt == r.cleaned);
  for (int reason = 1; reason < chaff::kNumReasons; ++reason) {
    const auto i = static_cast<size_t>(reason);
    INFO("reason " << chaff::ReasonName(static_cast<chaff::Reason>(reason)));
    CHECK(span_bytes[i] == a.bytes[i]);
  }
  // Per-line decisions agree with the per-reason line counts.
  std::array<uint64_t, chaff::kNumReasons> decided{};
  for (const auto& d : r.decisions) ++decided[static_cast<size_t>(d.reason)];
  CHECK(decided == a.lines);
  return a;
}

// Cleans a set of documents the way `chaff clean` does: pass 1 counts
// template lines over all of them, pass 2 cleans each with its flags.
struct CorpusCheck {
  chaff::Cleaner cleaner{chaff::CleanOptions()};
  chaff::TemplateOptions template_options;
  chaff::Accounting total;
  uint64_t input_bytes = 0;

  void Run(const std::vector<std::string>& docs, const std::string& name) {
    chaff::TemplateCounter counter(template_options);
    for (const auto& d : docs) counter.AddDocument("", d);
    const chaff::TemplateIndex index = counter.Finish();
    chaff::CleanResult r;
    chaff::Document doc;
    chaff::TemplateFlags flags;
    for (size_t i = 0; i < docs.size(); ++i) {
      const std::string& d = docs[i];
      doc.Build(d);
      index.Flags("", doc, &flags);
      cleaner.Clean(doc, flags, &r);
      total += CheckIdentity(d, r, name + " document " + std::to_string(i));
      input_bytes += d.size();
    }
  }
};

}  // namespace

TEST_CASE("accounting: every seed document, with corpus templates", "[accounting]") {
  std::vector<std::string> docs;
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(std::string(CHAFF_SOURCE_DIR) + "/seeds")) {
    if (e.path().extension() == ".txt") paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  REQUIRE(paths.size() >= 5);
  for (const auto& p : paths) docs.push_back(ReadFile(p));
  CorpusCheck check;
  check.Run(docs, "seeds");
  CHECK(check.total.total_bytes() == check.input_bytes);
  // The seeds do hold chrome and repeats: the identity is not trivially met
  // by removing nothing.
  CHECK(check.total.removed_bytes() > 0);
}

TEST_CASE("accounting: hostile inputs", "[accounting]") {
  static const char kNul[] = "NUL \0 inside\n\0\0\0\n";
  const std::string big_line(1 << 20, 'x');
  std::string many_blank_runs;
  for (int i = 0; i < 2000; ++i) many_blank_runs += "Share this\n\n\n\nA paragraph of content.\n";
  const std::vector<std::string> docs = {
      "",
      "\n",
      "\r\n\r\n",
      "no newline at the end",
      std::string(kNul, sizeof(kNul) - 1),
      "Caf\xe9 \xff\xfe\xfd invalid \xc3\x28 UTF-8\n\xe2\x82\n",
      "lone\rcarriage\rreturns\r",
      "Home | News\r\n\r\nA paragraph.\r\n\r\nA paragraph.\r\n\r\n(c) 2024\r\n",
      big_line,
      big_line + "\n" + big_line + "\n",
      many_blank_runs,
  };
  CorpusCheck check;
  check.Run(docs, "hostile");
  CHECK(check.total.total_bytes() == check.input_bytes);
}

TEST_CASE("accounting: the benchmark corpus (BBC articles)", "[accounting][corpus]") {
  const std::string path = std::string(CHAFF_SHARED_DATA_DIR) + "/bbc/articles.jsonl";
  if (!fs::exists(path)) {
    WARN("SKIPPED: " << path << " is not present");
    return;
  }
  uint64_t max_docs = UINT64_MAX;
  if (const char* env = std::getenv("CHAFF_TEST_MAX_DOCS")) {
    max_docs = std::strtoull(env, nullptr, 10);
  }
  auto reader = chaff::LineReader::Open(path);
  REQUIRE(reader.ok());
  chaff::JsonlParser parser;
  chaff::JsonlRecord record;
  std::vector<std::string> docs;
  std::string_view line;
  for (;;) {
    auto more = (*reader)->Next(&line);
    REQUIRE(more.ok());
    if (!*more || docs.size() >= max_docs) break;
    const chaff::Status st = parser.Parse(line, "text", "id", "", &record);
    INFO(path << ":" << (*reader)->line_number() << ": " << st.message());
    REQUIRE(st.ok());
    docs.push_back(record.text);
  }
  REQUIRE(!docs.empty());
  CorpusCheck check;
  check.Run(docs, path);
  CHECK(check.total.total_bytes() == check.input_bytes);
  WARN("checked " << docs.size() << " documents, " << check.input_bytes << " bytes, "
                  << check.total.removed_bytes() << " removed");
}
