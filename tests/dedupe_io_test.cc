#include "chaff/corpus/dedupe_output.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "test_util.h"

namespace fs = std::filesystem;

using chaff_test::TempDir;
using chaff_test::Word;
using chaff_test::ReadLines;

namespace {

std::string Words(std::mt19937_64* rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? " " : "") + Word((*rng)() % 5000);
  return s;
}

// JSONL records: every 4th is a near copy of the one before it.
std::vector<std::string> Records(int n) {
  std::mt19937_64 rng(11);
  std::vector<std::string> texts, lines;
  for (int i = 0; i < n; ++i) {
    if (i % 4 == 3) {
      texts.push_back(texts.back() + " tail");
    } else {
      texts.push_back(Words(&rng, 200));
    }
    std::string line = "{\"id\":\"doc" + std::to_string(i) + "\",\"meta\":[1,{\"x\":2}],\"text\":";
    chaff::AppendJsonString(texts.back(), &line);
    line += "}";
    lines.push_back(line);
  }
  return lines;
}

void WriteFile(const std::string& path, const std::vector<std::string>& lines) {
  auto out = chaff::OutputFile::Create(path);
  REQUIRE(out.ok());
  for (const auto& l : lines) {
    REQUIRE((*out)->Write(l).ok());
    REQUIRE((*out)->Write("\n").ok());
  }
  REQUIRE((*out)->Commit().ok());
}


std::string ReadWhole(const std::string& path) {
  auto text = chaff::ReadWholeFile(path);
  REQUIRE(text.ok());
  return *text;
}

std::vector<chaff::CorpusInput> Inputs(const std::vector<std::string>& paths) {
  std::vector<std::string> warnings;
  auto inputs = chaff::ListCorpusInputs(paths, &warnings);
  REQUIRE(inputs.ok());
  return *inputs;
}

chaff::StatusOr<chaff::DedupeResult> Dedupe(const std::vector<chaff::CorpusInput>& inputs,
                                            int threads, bool skip_bad = false) {
  chaff::DedupeOptions o;
  o.threads = threads;
  o.batch_bytes = 2048;
  chaff::JsonlFields fields;
  fields.skip_bad_records = skip_bad;
  chaff::CorpusReader reader(&inputs);
  return chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, fields), o);
}

}  // namespace

TEST_CASE("dedupe io: plain, .gz and .zst inputs and outputs round-trip", "[dedupe][io]") {
  TempDir dir;
  const auto lines = Records(200);
  std::vector<std::string> expected_kept;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i % 4 != 3) expected_kept.push_back(lines[i]);
  }
  chaff::DedupeResult base;
  for (const std::string ext : {".jsonl", ".jsonl.gz", ".jsonl.zst"}) {
    INFO("input " << ext);
    const std::string in = dir / ("in" + ext);
    WriteFile(in, lines);
    const auto inputs = Inputs({in});
    auto res = Dedupe(inputs, 2);
    REQUIRE(res.ok());
    CHECK(res->documents == lines.size());
    CHECK(res->removed == 50);
    if (ext == std::string(".jsonl")) {
      base = *res;
    } else {
      CHECK(res->representative == base.representative);
    }
    for (const std::string out_ext : {".jsonl", ".jsonl.gz", ".jsonl.zst"}) {
      INFO("output " << out_ext);
      chaff::DedupeOutputOptions out;
      out.output = dir / ("out" + out_ext);
      out.clusters = dir / ("clusters" + out_ext);
      chaff::DedupeWriteStats stats;
      REQUIRE(chaff::WriteDedupeOutputs(inputs, *res, out, {}, &stats).ok());
      CHECK(stats.documents == 200);
      CHECK(stats.kept == 150);
      // Kept records are the original bytes, other fields untouched.
      CHECK(ReadLines(out.output) == expected_kept);
      const auto clusters = ReadLines(out.clusters);
      REQUIRE(clusters.size() == 200);
      CHECK(clusters[3].rfind("{\"id\":\"doc3\",\"cluster\":2,\"representative\":\"doc2\"", 0) == 0);
      CHECK(clusters[3].find("\"kept\":false") != std::string::npos);
      CHECK(clusters[4].find("\"similarity\":1.0000,\"kept\":true") != std::string::npos);
    }
  }
}

TEST_CASE("dedupe io: a malformed record is reported with file:line", "[dedupe][io]") {
  TempDir dir;
  auto lines = Records(40);
  lines.insert(lines.begin() + 5, "");                          // line 6: blank, skipped
  lines.insert(lines.begin() + 30, "{\"id\":\"bad\",\"text\":");  // line 31: truncated
  lines.insert(lines.begin() + 35, "{\"id\":\"worse\"}");        // line 36: no text
  const std::string in = dir / "bad.jsonl";
  WriteFile(in, lines);
  const auto inputs = Inputs({in});
  for (int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    auto res = Dedupe(inputs, threads);
    REQUIRE_FALSE(res.ok());
    CHECK(res.status().code() == chaff::StatusCode::kDataError);
    // The first bad record in input order, whatever the thread count.
    CHECK(res.status().message().rfind(in + ":31: invalid JSON", 0) == 0);
  }
  auto skipped = Dedupe(inputs, 2, /*skip_bad=*/true);
  REQUIRE(skipped.ok());
  CHECK(skipped->documents == 42);  // the blank line is not a record
  CHECK(skipped->empty_documents == 2);
  // The same on compressed input.
  const std::string gz = dir / "bad.jsonl.gz";
  WriteFile(gz, lines);
  auto res = Dedupe(Inputs({gz}), 2);
  REQUIRE_FALSE(res.ok());
  CHECK(res.status().message().rfind(gz + ":31: ", 0) == 0);
}

TEST_CASE("dedupe io: ids in the clusters file, also for escaped field names",
          "[dedupe][io]") {
  TempDir dir;
  auto lines = Records(8);
  // The text field's name written with an escape (dedupe rewrites nothing,
  // so this is a valid record), a numeric id, and a record without an id.
  std::string escaped = lines[3];
  escaped.replace(escaped.find("\"text\":"), 7, "\"te\\u0078t\":");
  lines[3] = escaped;
  lines[5] = "{\"id\":12.50,\"text\":\"" + std::string("numbered record ") + "\"}";
  lines[6] = "{\"text\":\"a record without any id at all\"}";
  const std::string in = dir / "ids.jsonl";
  WriteFile(in, lines);
  const auto inputs = Inputs({in});
  auto res = Dedupe(inputs, 1);
  REQUIRE(res.ok());
  CHECK(res->empty_documents == 0);
  chaff::DedupeOutputOptions out;
  out.output = dir / "kept.jsonl";
  out.clusters = dir / "clusters.jsonl";
  chaff::DedupeWriteStats stats;
  REQUIRE(chaff::WriteDedupeOutputs(inputs, *res, out, {}, &stats).ok());
  const auto clusters = ReadLines(out.clusters);
  REQUIRE(clusters.size() == 8);
  CHECK(clusters[3].rfind("{\"id\":\"doc3\",", 0) == 0);
  CHECK(clusters[5].rfind("{\"id\":\"12.50\",", 0) == 0);
  CHECK(clusters[6].rfind("{\"id\":\"" + in + ":7\",", 0) == 0);
}

TEST_CASE("dedupe io: a text tree is mirrored with duplicates left out", "[dedupe][io]") {
  TempDir dir;
  std::mt19937_64 rng(5);
  const std::string a = Words(&rng, 300), b = Words(&rng, 300);
  fs::create_directories(dir / "tree/sub");
  std::ofstream(dir / "tree/sub/1.txt") << a;
  std::ofstream(dir / "tree/sub/2.txt") << a << "\nsigned, the editor";
  std::ofstream(dir / "tree/3.txt") << b;
  std::ofstream(dir / "tree/4.bin") << std::string("bin\0ary", 7);
  std::vector<std::string> warnings;
  auto inputs = chaff::ListCorpusInputs({dir / "tree"}, &warnings);
  REQUIRE(inputs.ok());
  auto res = Dedupe(*inputs, 2);
  REQUIRE(res.ok());
  CHECK(res->documents == 3);  // 3.txt, sub/1.txt, sub/2.txt; the binary skipped
  chaff::DedupeOutputOptions out;
  out.output = dir / "out";
  out.clusters = dir / "clusters.jsonl";
  chaff::DedupeWriteStats stats;
  REQUIRE(chaff::WriteDedupeOutputs(*inputs, *res, out, {}, &stats).ok());
  CHECK(fs::exists(dir / "out/3.txt"));
  CHECK(fs::exists(dir / "out/sub/1.txt"));
  CHECK_FALSE(fs::exists(dir / "out/sub/2.txt"));
  CHECK_FALSE(fs::exists(dir / "out/4.bin"));
  const auto clusters = ReadLines(out.clusters);
  REQUIRE(clusters.size() == 3);
  CHECK(clusters[2].find("\"representative\":\"" + (dir / "tree") + "/sub/1.txt\"") !=
        std::string::npos);
  // JSONL output is refused for text inputs, and inputs are never outputs.
  out.output = dir / "x.jsonl";
  CHECK_FALSE(chaff::CheckDedupeOutputs(*inputs, out).ok());
  out.output = dir / "out";
  out.clusters = dir / "tree/3.txt";
  CHECK_FALSE(chaff::CheckDedupeOutputs(*inputs, out).ok());
  // A tree written onto itself, directly or through a link to it, would
  // replace its inputs; a fresh directory replaces nothing.
  out.clusters.clear();
  fs::create_directory_symlink(dir / "tree", dir / "link");
  for (const std::string& onto : {dir / "tree", dir / "link"}) {
    out.output = onto;
    const chaff::Status same = chaff::CheckDedupeOutputs(*inputs, out);
    CHECK(same.message().find("refusing to overwrite input") != std::string::npos);
  }
  out.output = dir / "elsewhere";
  CHECK(chaff::CheckDedupeOutputs(*inputs, out).ok());
}

TEST_CASE("FileIndex and GetFileId: links, missing paths, stdin", "[io]") {
  TempDir dir;
  std::ofstream(dir / "a.txt") << "a";
  std::ofstream(dir / "b.txt") << "a";
  fs::create_hard_link(dir / "a.txt", dir / "hard.txt");
  fs::create_symlink(dir / "a.txt", dir / "soft.txt");
  chaff::FileIndex index;
  index.Add(dir / "b.txt", 1);
  index.Add(dir / "a.txt", 0);
  index.Add(dir / "hard.txt", 2);  // a.txt again: the first value stays
  index.Add(dir / "missing.txt", 3);
  index.Add("-", 4);
  auto find = [&](const std::string& path) -> long {
    const size_t* v = index.Find(path);
    return v == nullptr ? -1 : static_cast<long>(*v);
  };
  CHECK(find(dir / "a.txt") == 0);
  CHECK(find(dir / "hard.txt") == 0);
  CHECK(find(dir / "soft.txt") == 0);  // links are followed
  CHECK(find(dir.path().string() + "/./a.txt") == 0);
  CHECK(find(dir / "b.txt") == 1);  // equal bytes, another file
  CHECK(find(dir / "missing.txt") == -1);
  CHECK(find("-") == -1);  // stdin and stdout are not files here
  chaff::FileId a, hard, b;
  REQUIRE(chaff::GetFileId(dir / "a.txt", &a));
  REQUIRE(chaff::GetFileId(dir / "hard.txt", &hard));
  REQUIRE(chaff::GetFileId(dir / "b.txt", &b));
  CHECK(a == hard);
  CHECK_FALSE(a == b);
  CHECK((a < b) != (b < a));
  REQUIRE(index.Find(hard) != nullptr);  // by identity: no stat
  CHECK(*index.Find(hard) == 0);
  REQUIRE(index.Find(b) != nullptr);
  CHECK(*index.Find(b) == 1);
  chaff::FileId untouched = b;
  CHECK_FALSE(chaff::GetFileId(dir / "missing.txt", &untouched));
  CHECK(untouched == b);
}

TEST_CASE("dedupe io: inputs that change between passes are an error", "[dedupe][io]") {
  TempDir dir;
  auto lines = Records(20);
  const std::string in = dir / "c.jsonl";
  WriteFile(in, lines);
  const auto inputs = Inputs({in});
  auto res = Dedupe(inputs, 1);
  REQUIRE(res.ok());
  lines.pop_back();
  WriteFile(in, lines);
  chaff::DedupeOutputOptions out;
  out.output = dir / "o.jsonl";
  chaff::DedupeWriteStats stats;
  const chaff::Status s = chaff::WriteDedupeOutputs(inputs, *res, out, {}, &stats);
  REQUIRE_FALSE(s.ok());
  CHECK(s.message().find("changed between the two passes") != std::string::npos);
  CHECK_FALSE(fs::exists(out.output));  // nothing half-written
}

TEST_CASE("dedupe io: a text transform decides what is compared", "[dedupe][io]") {
  TempDir dir;
  std::mt19937_64 rng(21);
  const std::string body = Words(&rng, 150);
  std::vector<std::string> lines;
  for (int i = 0; i < 2; ++i) {
    // The same article under two long, different footers (site chrome).
    std::string text = body + "\n--\n" + Words(&rng, 300);
    std::string line = "{\"text\":";
    chaff::AppendJsonString(text, &line);
    lines.push_back(line + "}");
  }
  const std::string in = dir / "t.jsonl";
  WriteFile(in, lines);
  const auto inputs = Inputs({in});
  chaff::DedupeOptions o;
  o.threads = 2;
  {
    chaff::CorpusReader reader(&inputs);
    auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}), o);
    REQUIRE(res.ok());
    CHECK(res->removed == 0);
  }
  auto cut_footer = [](std::string_view text, std::string* storage) {
    storage->assign(text.substr(0, text.find("\n--\n")));
    return std::string_view(*storage);
  };
  chaff::CorpusReader reader(&inputs);
  auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}, nullptr, cut_footer), o);
  REQUIRE(res.ok());
  CHECK(res->removed == 1);
}

TEST_CASE("dedupe io: block copy of kept records equals the record-by-record path",
          "[dedupe][io]") {
  TempDir dir;
  // Awkward line endings and blank lines, about 11 MB so that records cross
  // the 4 MiB block boundary, a record longer than a block, and no newline
  // at the very end. The plain file is read through a mapping, the .zst one
  // as a stream: both must give the same bytes.
  auto records = Records(4800);
  {
    std::mt19937_64 rng(5);
    std::string huge = "{\"id\":\"huge\",\"text\":";
    chaff::AppendJsonString(Words(&rng, 900000), &huge);
    records[2000] = huge + "}";
    REQUIRE(records[2000].size() > (size_t{4} << 20));
  }
  std::string bytes;
  std::string first_output;
  for (size_t i = 0; i < records.size(); ++i) {
    bytes += records[i];
    bytes += (i % 7 == 0) ? "\r\n" : "\n";
    if (i % 13 == 0) bytes += "\n";
    if (i % 17 == 0) bytes += " \t \n";
  }
  bytes += records[0] + " ";  // a final record without a newline
  REQUIRE(bytes.size() > (size_t{4} << 20));
  for (const std::string ext : {".jsonl", ".jsonl.zst"}) {
    INFO(ext);
    const std::string in = dir / ("awkward" + ext);
    {
      auto out = chaff::OutputFile::Create(in);
      REQUIRE(out.ok());
      REQUIRE((*out)->Write(bytes).ok());
      REQUIRE((*out)->Commit().ok());
    }
    const auto inputs = Inputs({in});
    auto res = Dedupe(inputs, 2);
    REQUIRE(res.ok());
    CHECK(res->documents == 4801);
    CHECK(res->removed > 1000);
    chaff::DedupeOutputOptions slow, fast;
    slow.output = dir / "slow.jsonl";
    slow.record_by_record = true;
    fast.output = dir / "fast.jsonl";
    chaff::DedupeWriteStats slow_stats, fast_stats;
    REQUIRE(chaff::WriteDedupeOutputs(inputs, *res, slow, {}, &slow_stats).ok());
    REQUIRE(chaff::WriteDedupeOutputs(inputs, *res, fast, {}, &fast_stats).ok());
    CHECK(ReadWhole(slow.output) == ReadWhole(fast.output));
    if (first_output.empty()) {
      first_output = ReadWhole(fast.output);
    } else {
      CHECK(ReadWhole(fast.output) == first_output);
    }
    CHECK(slow_stats.kept == fast_stats.kept);
    CHECK(slow_stats.bytes_written == fast_stats.bytes_written);
    CHECK(slow_stats.documents == fast_stats.documents);
    // One pass, writing as documents are decided: records of the mapped
    // plain file go out as views (writev), those of the .zst as copies.
    for (int threads : {1, 2, 8}) {
      INFO("one pass, threads " << threads);
      chaff::DedupeOutputOptions one;
      one.output = dir / "one.jsonl";
      auto writer = chaff::DedupeStreamWriter::Create(&inputs, one);
      REQUIRE(writer.ok());
      chaff::DedupeOptions o;
      o.threads = threads;
      chaff::CorpusReader reader(&inputs);
      auto decided = chaff::DedupeCorpus(
          &reader, chaff::CorpusDecoders(&inputs, {}), o, {},
          [&](const chaff::DecidedDocument& d) { return (*writer)->Add(d); });
      REQUIRE(decided.ok());
      REQUIRE((*writer)->Finish().ok());
      CHECK(decided->representative == res->representative);
      CHECK(ReadWhole(one.output) == ReadWhole(fast.output));
    }
    // Trees too.
    slow.output = dir / "slow_tree";
    fast.output = dir / "fast_tree";
    REQUIRE(chaff::WriteDedupeOutputs(inputs, *res, slow, {}, &slow_stats).ok());
    REQUIRE(chaff::WriteDedupeOutputs(inputs, *res, fast, {}, &fast_stats).ok());
    CHECK(ReadWhole(dir / ("slow_tree/awkward" + ext)) == ReadWhole(dir / ("fast_tree/awkward" + ext)));
  }
}

TEST_CASE("dedupe io: a truncated compressed input is an error naming the file",
          "[dedupe][io]") {
  TempDir dir;
  const std::string gz = dir / "t.jsonl.gz";
  WriteFile(gz, Records(400));
  const std::string whole = ReadWhole(gz);  // decompressed
  CHECK(!whole.empty());
  // Cut the compressed file in half.
  const auto size = fs::file_size(gz);
  fs::resize_file(gz, size / 2);
  for (int threads : {1, 2}) {
    auto res = Dedupe(Inputs({gz}), threads);
    REQUIRE_FALSE(res.ok());
    CHECK(res.status().message().rfind(gz + ":", 0) == 0);
  }
}

TEST_CASE("dedupe io: a progress callback can cancel the run at any thread count",
          "[dedupe][io]") {
  TempDir dir;
  const std::string in = dir / "c.jsonl";
  WriteFile(in, Records(3000));
  const auto inputs = Inputs({in});
  for (int threads : {1, 2, 4}) {
    INFO("threads " << threads);
    chaff::DedupeOptions o;
    o.threads = threads;
    o.batch_bytes = 4096;
    int calls = 0;
    chaff::CorpusReader reader(&inputs);
    auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}), o,
                                   [&](const chaff::DedupeProgress&) { return ++calls < 2; });
    // Once the callback has said stop, the run must end cancelled (with
    // many threads it may finish before a second call; then it never said
    // stop).
    if (calls >= 2) {
      REQUIRE_FALSE(res.ok());
      CHECK(res.status().code() == chaff::StatusCode::kCancelled);
    } else {
      CHECK(res.ok());
    }
  }
}

TEST_CASE("dedupe io: one pass (writing as documents are decided) writes what pass 2 writes",
          "[dedupe][io]") {
  TempDir dir;
  // Two JSONL inputs (one compressed, with awkward line endings and a bad
  // record let through), an empty one, and a text tree.
  auto records = Records(600);
  std::string bytes;
  for (size_t i = 0; i < records.size(); ++i) {
    bytes += records[i] + ((i % 7 == 0) ? "\r\n" : "\n");
    if (i % 13 == 0) bytes += " \t \n";
  }
  bytes += "{\"id\":\"bad\",\"text\":\n";
  bytes += records[1] + " ";
  fs::create_directories(dir / "in/tree");
  {
    auto out = chaff::OutputFile::Create(dir / "in/a.jsonl.zst");
    REQUIRE(out.ok());
    REQUIRE((*out)->Write(bytes).ok());
    REQUIRE((*out)->Commit().ok());
  }
  WriteFile(dir / "in/b.jsonl", Records(300));  // copies of a.jsonl's first 300
  WriteFile(dir / "in/c.jsonl", {});
  std::mt19937_64 rng(3);
  const std::string text = Words(&rng, 300);
  std::ofstream(dir / "in/tree/1.txt") << text;
  std::ofstream(dir / "in/tree/2.txt") << text << " signed";
  std::ofstream(dir / "in/tree/3.txt") << Words(&rng, 300);
  const auto inputs = Inputs({dir / "in"});
  REQUIRE(inputs.size() == 6);
  chaff::JsonlFields fields;
  fields.skip_bad_records = true;

  struct Plan {
    std::string output;
    std::string clusters;
  };
  const std::vector<Plan> plans = {{"tree", "clusters.jsonl"}, {"tree_plain", ""}};
  for (const Plan& plan : plans) {
    // Two passes: decide, then WriteDedupeOutputs.
    chaff::DedupeOptions o;
    o.threads = 2;
    o.batch_bytes = 4096;
    chaff::DedupeOutputOptions two;
    two.output = dir / ("two_" + plan.output);
    two.fields = fields;
    if (!plan.clusters.empty()) two.clusters = dir / ("two_" + plan.clusters);
    chaff::StatusOr<chaff::DedupeResult> base = chaff::Status::Ok();
    {
      chaff::CorpusReader reader(&inputs);
      base = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, fields), o);
      REQUIRE(base.ok());
      CHECK(base->removed > 300);
      chaff::DedupeWriteStats stats;
      REQUIRE(chaff::WriteDedupeOutputs(inputs, *base, two, {}, &stats).ok());
    }
    for (int threads : {1, 2, 4}) {
      INFO(plan.output << ", threads " << threads);
      o.threads = threads;
      chaff::DedupeOutputOptions one = two;
      one.output = dir / ("one_" + plan.output + std::to_string(threads));
      if (!plan.clusters.empty()) one.clusters = dir / ("one_" + plan.clusters);
      auto writer = chaff::DedupeStreamWriter::Create(&inputs, one);
      REQUIRE(writer.ok());
      chaff::CorpusReader reader(&inputs);
      auto res = chaff::DedupeCorpus(
          &reader, chaff::CorpusDecoders(&inputs, fields), o, {},
          [&](const chaff::DecidedDocument& d) { return (*writer)->Add(d); });
      REQUIRE(res.ok());
      CHECK(res->representative == base->representative);
      // Nothing under a final name before Finish.
      CHECK_FALSE(fs::exists(one.output + "/a.jsonl.zst"));
      REQUIRE((*writer)->Finish().ok());
      CHECK((*writer)->stats().documents == res->documents);
      CHECK((*writer)->stats().kept == res->documents - res->removed);
      for (const std::string name :
           {"a.jsonl.zst", "b.jsonl", "c.jsonl", "tree/1.txt", "tree/3.txt"}) {
        INFO(name);
        REQUIRE(fs::exists(one.output + "/" + name));
        CHECK(ReadWhole(one.output + "/" + name) == ReadWhole(two.output + "/" + name));
      }
      CHECK_FALSE(fs::exists(one.output + "/tree/2.txt"));
      if (!plan.clusters.empty()) CHECK(ReadWhole(one.clusters) == ReadWhole(two.clusters));
    }
  }

  // JSONL output of the JSONL inputs alone.
  const auto jsonl = Inputs({dir / "in/a.jsonl.zst", dir / "in/b.jsonl"});
  chaff::DedupeOptions o;
  o.threads = 2;
  chaff::DedupeOutputOptions two, one;
  two.output = dir / "two.jsonl";
  two.fields = fields;
  one = two;
  one.output = dir / "one.jsonl.gz";
  chaff::CorpusReader reader(&jsonl);
  auto base = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&jsonl, fields), o);
  REQUIRE(base.ok());
  chaff::DedupeWriteStats stats;
  REQUIRE(chaff::WriteDedupeOutputs(jsonl, *base, two, {}, &stats).ok());
  auto writer = chaff::DedupeStreamWriter::Create(&jsonl, one);
  REQUIRE(writer.ok());
  chaff::CorpusReader again(&jsonl);
  auto res = chaff::DedupeCorpus(&again, chaff::CorpusDecoders(&jsonl, fields), o, {},
                                 [&](const chaff::DecidedDocument& d) { return (*writer)->Add(d); });
  REQUIRE(res.ok());
  REQUIRE((*writer)->Finish().ok());
  CHECK(ReadWhole(one.output) == ReadWhole(two.output));  // ReadWhole decompresses
  CHECK((*writer)->stats().bytes_written == stats.bytes_written);
}

TEST_CASE("dedupe io: a failing sink stops the run and leaves no output", "[dedupe][io]") {
  TempDir dir;
  WriteFile(dir / "in.jsonl", Records(400));
  const auto inputs = Inputs({dir / "in.jsonl"});
  for (int threads : {1, 2}) {
    INFO("threads " << threads);
    chaff::DedupeOptions o;
    o.threads = threads;
    o.batch_bytes = 2048;
    chaff::DedupeOutputOptions out;
    out.output = dir / "out.jsonl";
    {
      auto writer = chaff::DedupeStreamWriter::Create(&inputs, out);
      REQUIRE(writer.ok());
      chaff::CorpusReader reader(&inputs);
      auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}), o, {},
                                     [&](const chaff::DecidedDocument& d) {
                                       if (d.index == 123) return chaff::IoError("disk full");
                                       return (*writer)->Add(d);
                                     });
      REQUIRE_FALSE(res.ok());
      CHECK(res.status().message() == "disk full");
    }
    // No output and no temporary file: the input is all there is.
    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir.path())) left.push_back(e.path().filename());
    CHECK(left == std::vector<std::string>{"in.jsonl"});
  }
  // Components are known only at the end: no sink.
  chaff::DedupeOptions o;
  o.split_chains = false;
  chaff::CorpusReader reader(&inputs);
  auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}), o, {},
                                 [](const chaff::DecidedDocument&) { return chaff::Status::Ok(); });
  REQUIRE_FALSE(res.ok());
  CHECK(res.status().code() == chaff::StatusCode::kInvalidArgument);
}

TEST_CASE("dedupe io: the sink sees every document once, in order, one call at a time",
          "[dedupe][io]") {
  // Tiny batches and a sink that yields now and then, at 1 to 8 threads: the
  // records it sees are the input's, in order, never two calls at once; a
  // sink failure at any point ends the run with that failure.
  TempDir dir;
  const auto lines = Records(600);
  WriteFile(dir / "in.jsonl", lines);
  const auto inputs = Inputs({dir / "in.jsonl"});
  std::mt19937_64 rng(8);
  for (int round = 0; round < 24; ++round) {
    const int threads = 1 + round % 8;
    const size_t batch = 1 + rng() % 3000;
    const uint32_t fail_at = round % 3 == 2 ? static_cast<uint32_t>(rng() % 600) : UINT32_MAX;
    INFO("threads " << threads << ", batch bytes " << batch << ", fail at " << fail_at);
    chaff::DedupeOptions o;
    o.threads = threads;
    o.batch_bytes = batch;
    std::atomic<int> inside{0};
    bool overlapped = false, wrong = false;
    uint32_t next = 0;
    chaff::CorpusReader reader(&inputs);
    auto res = chaff::DedupeCorpus(
        &reader, chaff::CorpusDecoders(&inputs, {}), o, {},
        [&](const chaff::DecidedDocument& d) -> chaff::Status {
          if (inside.fetch_add(1) != 0) overlapped = true;
          if (d.index % 7 == 0) std::this_thread::yield();
          wrong |= d.index != next || d.record != lines[d.index] || d.line != d.index + 1;
          ++next;
          inside.fetch_sub(1);
          if (d.index == fail_at) return chaff::IoError("sink failed");
          return chaff::Status::Ok();
        });
    CHECK_FALSE(overlapped);
    CHECK_FALSE(wrong);
    if (fail_at == UINT32_MAX) {
      REQUIRE(res.ok());
      CHECK(next == 600);
    } else {
      REQUIRE_FALSE(res.ok());
      CHECK(res.status().message() == "sink failed");
      CHECK(next == fail_at + 1);
    }
  }
}

TEST_CASE("dedupe io: the reader is told how far behind it records stay in use",
          "[dedupe][io]") {
  // A mapped input gives its pages back behind the reader; records handed to
  // the workers stay in use until their batch is decided, up to 4 batches
  // per thread: the reader learns that before it reads.
  class Recording final : public chaff::DocumentReader {
   public:
    explicit Recording(chaff::DocumentReader* inner) : inner_(inner) {}
    chaff::StatusOr<bool> Next(chaff::RawDocument* doc) override {
      read_before_told |= kept == 0;
      return inner_->Next(doc);
    }
    std::string SourceName(uint32_t i) const override { return inner_->SourceName(i); }
    void KeepBehind(size_t bytes) override {
      kept = bytes;
      inner_->KeepBehind(bytes);
    }
    size_t kept = 0;
    bool read_before_told = false;

   private:
    chaff::DocumentReader* inner_;
  };
  TempDir dir;
  WriteFile(dir / "in.jsonl", Records(50));
  const auto inputs = Inputs({dir / "in.jsonl"});
  for (const int threads : {1, 3}) {
    chaff::DedupeOptions o;
    o.threads = threads;
    o.batch_bytes = size_t{3} << 20;
    chaff::CorpusReader corpus(&inputs);
    Recording reader(&corpus);
    auto res = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}), o);
    REQUIRE(res.ok());
    CHECK(res->documents == 50);
    CHECK(reader.kept == 4 * static_cast<size_t>(threads) * (size_t{3} << 20));
    CHECK_FALSE(reader.read_before_told);
  }
}

TEST_CASE("dedupe io: the stream writer writes a batch's kept records at its end",
          "[dedupe][io]") {
  // Records handed over with batch_end = false stay where they are until the
  // batch's last document; records one newline apart in memory go out as
  // one piece. The bytes must be those of writing each record and a newline.
  TempDir dir;
  WriteFile(dir / "in.jsonl", {"{}"});  // only for the input list
  const auto inputs = Inputs({dir / "in.jsonl"});
  auto run = [&](const std::string& memory, const std::vector<std::pair<size_t, size_t>>& spans,
                 const std::vector<int>& removed, const std::string& path) {
    chaff::DedupeOutputOptions out;
    out.output = path;
    auto writer = chaff::DedupeStreamWriter::Create(&inputs, out);
    REQUIRE(writer.ok());
    std::string expected;
    for (size_t i = 0; i < spans.size(); ++i) {
      chaff::DecidedDocument d;
      d.index = static_cast<uint32_t>(i);
      d.record = std::string_view(memory).substr(spans[i].first, spans[i].second);
      d.line = i + 1;
      const bool gone = std::find(removed.begin(), removed.end(), static_cast<int>(i)) !=
                        removed.end();
      d.representative = gone ? 0 : d.index;
      d.batch_end = i + 1 == spans.size() || i == 2;
      if (!gone) expected += std::string(d.record) + "\n";
      REQUIRE((*writer)->Add(d).ok());
    }
    REQUIRE((*writer)->Finish().ok());
    return expected;
  };
  // Small: copied into the output buffer. Lines 0-1 and 3-5 are adjacent,
  // line 2 is not (two newlines before it), line 4 is removed.
  const std::string small = "a1\nb22\n\nc333\nd4444\ne5\nf66\n";
  const std::vector<std::pair<size_t, size_t>> small_spans = {{0, 2},  {3, 3},  {8, 4},
                                                              {13, 5}, {19, 2}, {22, 3}};
  std::string want = run(small, small_spans, {4}, dir / "small.jsonl");
  CHECK(want == "a1\nb22\nc333\nd4444\nf66\n");
  CHECK(ReadWhole(dir / "small.jsonl") == want);
  // Empty records (the library never makes one from a JSONL line, but a
  // caller may) still end with their newline.
  want = run(small, {{0, 0}, {0, 2}, {2, 0}, {3, 3}}, {}, dir / "empty.jsonl");
  CHECK(want == "\na1\n\nb22\n");
  CHECK(ReadWhole(dir / "empty.jsonl") == want);
  // Large (past 64 KiB per batch): written from where the records are.
  std::string big;
  std::vector<std::pair<size_t, size_t>> big_spans;
  for (int i = 0; i < 300; ++i) {
    const std::string line = std::string(400 + i, static_cast<char>('a' + i % 26));
    big_spans.emplace_back(big.size(), line.size());
    big += line + (i % 7 == 0 ? "\n\n" : "\n");  // some not adjacent
  }
  want = run(big, big_spans, {5, 6, 7, 100, 299}, dir / "big.jsonl");
  CHECK(ReadWhole(dir / "big.jsonl") == want);

  {  // An empty record without an address.
    chaff::DedupeOutputOptions out;
    out.output = dir / "null.jsonl";
    auto writer = chaff::DedupeStreamWriter::Create(&inputs, out);
    REQUIRE(writer.ok());
    chaff::DecidedDocument d;
    d.record = std::string_view();
    d.batch_end = false;
    REQUIRE((*writer)->Add(d).ok());
    d.index = d.representative = 1;
    d.record = "x";
    d.batch_end = true;
    REQUIRE((*writer)->Add(d).ok());
    REQUIRE((*writer)->Finish().ok());
  }
  CHECK(ReadWhole(dir / "null.jsonl") == "\nx\n");

  // A kept record that no batch end follows is a broken contract: no output,
  // not even the clusters file.
  {
    chaff::DedupeOutputOptions out;
    out.output = dir / "broken.jsonl";
    out.clusters = dir / "broken-clusters.jsonl";
    auto writer = chaff::DedupeStreamWriter::Create(&inputs, out);
    REQUIRE(writer.ok());
    chaff::DecidedDocument d;
    d.record = "kept";
    d.batch_end = false;
    REQUIRE((*writer)->Add(d).ok());
    CHECK((*writer)->Finish().code() == chaff::StatusCode::kInternal);
  }
  CHECK_FALSE(fs::exists(dir / "broken.jsonl"));
  CHECK_FALSE(fs::exists(dir / "broken-clusters.jsonl"));
}
