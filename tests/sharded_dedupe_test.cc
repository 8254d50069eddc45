// Sharded dedupe (corpus/sharded_dedupe.h): sketch -> cluster -> apply makes
// DedupeCorpus's decisions whatever the split of the work, and every
// intermediate file that is truncated, corrupt or of another version is
// refused with a message naming it.
#include "chaff/corpus/sharded_dedupe.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "test_util.h"

namespace fs = std::filesystem;
using chaff_test::TempDir;
using chaff_test::Word;

namespace {

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Four shards of JSONL records, near copies of earlier records spread across
// shards (and some records without an id), an empty shard and a text file.
std::vector<std::string> MakeShards(const TempDir& dir) {
  std::mt19937_64 rng(5);
  std::vector<std::string> texts;
  std::vector<std::string> paths;
  for (int shard = 0; shard < 4; ++shard) {
    std::string lines;
    for (int i = 0; i < 60; ++i) {
      std::string text;
      if (!texts.empty() && rng() % 4 == 0) {
        text = texts[rng() % texts.size()] + " " + Word(rng() % 100);
      } else {
        for (int w = 0; w < 120; ++w) text += (w ? " " : "") + Word(rng() % 3000);
      }
      if (rng() % 20 == 0) text.clear();  // empty documents
      texts.push_back(text);
      std::string line = "{";
      if (i % 7 != 0) line += "\"id\":\"s" + std::to_string(shard) + "-" + std::to_string(i) + "\",";
      line += "\"text\":";
      chaff::AppendJsonString(text, &line);
      lines += line + "}\n";
    }
    paths.push_back(dir / ("shard-" + std::to_string(shard) + ".jsonl"));
    WriteBytes(paths.back(), lines);
  }
  paths.push_back(dir / "shard-4.jsonl");
  WriteBytes(paths.back(), "");
  return paths;
}

std::vector<chaff::CorpusInput> Inputs(const std::vector<std::string>& paths) {
  std::vector<std::string> warnings;
  auto inputs = chaff::ListCorpusInputs(paths, &warnings);
  REQUIRE(inputs.ok());
  return *inputs;
}

chaff::DedupeResult OnePass(const std::vector<chaff::CorpusInput>& inputs, bool split_chains) {
  chaff::DedupeOptions o;
  o.threads = 2;
  o.batch_bytes = 4096;
  o.split_chains = split_chains;
  chaff::CorpusReader reader(&inputs);
  auto r = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}), o);
  REQUIRE(r.ok());
  return std::move(*r);
}

// Sketches `inputs` into `dir` in runs of the given shards each.
void Sketch(const std::vector<chaff::CorpusInput>& inputs, const std::string& dir,
            const std::vector<std::vector<uint32_t>>& runs, int threads) {
  for (const auto& only : runs) {
    chaff::SketchShardsOptions o;
    o.dedupe.threads = threads;
    o.dedupe.batch_bytes = 3000;
    o.output_dir = dir;
    o.only = only;
    auto stats = chaff::SketchShards(inputs, o);
    REQUIRE(stats.ok());
  }
}

}  // namespace

TEST_CASE("sharded dedupe: the decisions of one pass, however the sketching is split",
          "[sharded]") {
  TempDir dir;
  const auto inputs = Inputs(MakeShards(dir));
  for (const bool split_chains : {true, false}) {
    const chaff::DedupeResult want = OnePass(inputs, split_chains);
    REQUIRE(want.removed > 10);
    const std::vector<std::vector<std::vector<uint32_t>>> splits = {
        {{}},                          // all at once
        {{4, 2, 0}, {1, 3}},           // two runs, out of order
        {{3}, {1}, {4}, {0}, {2}},     // one shard per run
    };
    for (size_t s = 0; s < splits.size(); ++s) {
      const std::string sk = dir / ("sk-" + std::to_string(s));
      Sketch(inputs, sk, splits[s], static_cast<int>(s % 2) + 1);
      auto files = chaff::FindSketchFiles({sk});
      REQUIRE(files.ok());
      REQUIRE(files->size() == inputs.size());
      chaff::ClusterOptions co;
      co.split_chains = split_chains;
      co.decisions = dir / "decisions";
      co.clusters = dir / "clusters.jsonl";
      auto got = chaff::ClusterSketches(*files, co);
      REQUIRE(got.ok());
      CHECK(got->result.representative == want.representative);
      CHECK(got->result.similarity == want.similarity);
      CHECK(got->result.removed == want.removed);
      // The decisions file holds the same kept flags.
      auto df = chaff::ReadDecisionsFile(co.decisions);
      REQUIRE(df.ok());
      REQUIRE(df->shards.size() == inputs.size());
      CHECK(df->split_chains == split_chains);
      size_t doc = 0;
      for (size_t i = 0; i < df->shards.size(); ++i) {
        CHECK(df->shards[i].name == inputs[i].name);
        auto kept = chaff::ReadKeptFlags(*df, i);
        REQUIRE(kept.ok());
        for (uint8_t k : *kept) CHECK((k != 0) == want.Kept(doc++));
      }
      CHECK(doc == want.representative.size());
    }
  }
}

TEST_CASE("sharded dedupe: apply writes what a one-pass dedupe writes", "[sharded]") {
  TempDir dir;
  const auto paths = MakeShards(dir);
  const auto inputs = Inputs(paths);
  // One pass, with its clusters file.
  chaff::DedupeOutputOptions one;
  one.output = dir / "one.jsonl";
  one.clusters = dir / "one-clusters.jsonl";
  {
    auto writer = chaff::DedupeStreamWriter::Create(&inputs, one);
    REQUIRE(writer.ok());
    chaff::DedupeOptions o;
    chaff::CorpusReader reader(&inputs);
    auto r = chaff::DedupeCorpus(&reader, chaff::CorpusDecoders(&inputs, {}), o, {},
                                 [&](const chaff::DecidedDocument& d) { return (*writer)->Add(d); });
    REQUIRE(r.ok());
    REQUIRE((*writer)->Finish().ok());
  }
  Sketch(inputs, dir / "sk", {{}}, 2);
  chaff::ClusterOptions co;
  co.decisions = dir / "decisions";
  co.clusters = dir / "clusters.jsonl";
  auto files = chaff::FindSketchFiles({dir / "sk"});
  REQUIRE(files.ok());
  REQUIRE(chaff::ClusterSketches(*files, co).ok());
  CHECK(ReadBytes(co.clusters) == ReadBytes(one.clusters));

  chaff::DedupeOutputOptions out;
  out.output = dir / "all.jsonl";
  auto stats = chaff::ApplyDecisions(co.decisions, inputs, out);
  REQUIRE(stats.ok());
  CHECK(ReadBytes(out.output) == ReadBytes(one.output));
  // Shard by shard, given in any order: the parts in the list's order make
  // the whole.
  std::string parts;
  for (size_t i = 0; i < inputs.size(); ++i) {
    chaff::DedupeOutputOptions part;
    part.output = dir / ("part-" + std::to_string(i) + ".jsonl");
    REQUIRE(chaff::ApplyDecisions(co.decisions, {inputs[i]}, part).ok());
    parts += ReadBytes(part.output);
  }
  CHECK(parts == ReadBytes(one.output));
  chaff::DedupeOutputOptions reversed;
  reversed.output = dir / "reversed.jsonl";
  REQUIRE(chaff::ApplyDecisions(co.decisions, {inputs[3], inputs[0], inputs[1], inputs[2], inputs[4]},
                                reversed)
              .ok());
  CHECK(ReadBytes(reversed.output) == ReadBytes(one.output));

  SECTION("a shard that is not one of the decisions', or given twice") {
    auto other = Inputs({co.clusters});
    auto s = chaff::ApplyDecisions(co.decisions, other, out);
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("is not a shard of"));
    s = chaff::ApplyDecisions(co.decisions, {inputs[1], inputs[1]}, out);
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("given twice"));
  }
  SECTION("a shard that changed since it was sketched") {
    const std::string bytes = ReadBytes(paths[1]);
    WriteBytes(paths[1], bytes + bytes.substr(0, bytes.find('\n') + 1));
    chaff::DedupeOutputOptions o2;
    o2.output = dir / "changed.jsonl";
    auto s = chaff::ApplyDecisions(co.decisions, inputs, o2);
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("changed since it was sketched"));
    CHECK(!fs::exists(o2.output));
    // The same size, one record more: a space turned into a line break.
    std::string split = bytes;
    split[split.find(' ', 100)] = '\n';
    WriteBytes(paths[1], split);
    s = chaff::ApplyDecisions(co.decisions, inputs, o2);
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains(inputs[1].name + ": the input changed"));
    CHECK(!fs::exists(o2.output));
  }
}

TEST_CASE("sharded dedupe: damaged sketch and decisions files are refused by name",
          "[sharded]") {
  TempDir dir;
  const auto inputs = Inputs(MakeShards(dir));
  Sketch(inputs, dir / "sk", {{}}, 1);
  auto files = chaff::FindSketchFiles({dir / "sk"});
  REQUIRE(files.ok());
  const std::string victim = (*files)[1];
  const std::string good = ReadBytes(victim);
  chaff::ClusterOptions co;
  co.decisions = dir / "decisions";
  auto cluster = [&]() { return chaff::ClusterSketches(*files, co); };

  // Reads every block of one file; the first failure, if any.
  auto read_all = [&](const std::string& path) -> chaff::Status {
    auto r = chaff::SketchFileReader::Open(path);
    if (!r.ok()) return r.status();
    chaff::SketchBlock block;
    for (;;) {
      auto more = (*r)->Next(&block);
      if (!more.ok()) return more.status();
      if (!*more) return chaff::Status::Ok();
    }
  };
  REQUIRE(read_all(victim).ok());

  SECTION("truncated anywhere") {
    for (size_t len = 0; len < good.size(); len += 1 + len / 16) {
      WriteBytes(victim, good.substr(0, len));
      const chaff::Status s = read_all(victim);
      INFO("length " << len);
      REQUIRE(!s.ok());
      CHECK_THAT(s.message(), Catch::StartsWith(victim + ": "));
      CHECK_THAT(s.message(), Catch::Contains("truncated") || Catch::Contains("not a chaff sketch"));
    }
    CHECK(!cluster().ok());
    CHECK(!fs::exists(co.decisions));
  }
  SECTION("one bit flipped anywhere") {
    for (size_t at = 0; at < good.size(); at += 1 + at / 8) {
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ 0x10);
      WriteBytes(victim, bad);
      INFO("byte " << at);
      const chaff::Status s = read_all(victim);
      REQUIRE(!s.ok());
      CHECK_THAT(s.message(), Catch::StartsWith(victim + ": "));
    }
  }
  SECTION("another version") {
    std::string bad = good;
    bad[8] = 2;
    WriteBytes(victim, bad);
    auto s = cluster();
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(),
               Catch::Contains("sketch file format version 2; this chaff reads version 1"));
  }
  SECTION("a shard missing, or twice, or from another list") {
    fs::remove(victim);
    files = chaff::FindSketchFiles({dir / "sk"});
    REQUIRE(files.ok());
    auto s = cluster();
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("missing shard(s) 1"));
    WriteBytes(victim, good);
    files = chaff::FindSketchFiles({dir / "sk"});
    REQUIRE(files.ok());
    files->push_back(victim);
    s = cluster();
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("both hold shard 1"));
    files->pop_back();
    const auto fewer = std::vector<chaff::CorpusInput>(inputs.begin(), inputs.begin() + 2);
    Sketch(fewer, dir / "other", {{}}, 1);
    (*files)[0] = dir / "other/000000.sketch";
    s = cluster();
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("different shard lists"));
  }
  SECTION("decisions truncated, corrupt or of another version") {
    REQUIRE(cluster().ok());
    const std::string dec = ReadBytes(co.decisions);
    chaff::DedupeOutputOptions out;
    out.output = dir / "out.jsonl";
    for (size_t len = 0; len < dec.size(); len += 1 + len / 8) {
      WriteBytes(co.decisions, dec.substr(0, len));
      auto s = chaff::ApplyDecisions(co.decisions, inputs, out);
      INFO("length " << len);
      REQUIRE(!s.ok());
      CHECK_THAT(s.status().message(), Catch::StartsWith(co.decisions + ": "));
    }
    for (size_t at = 0; at < dec.size(); at += 1 + at / 8) {
      std::string bad = dec;
      bad[at] = static_cast<char>(bad[at] ^ 0x04);
      WriteBytes(co.decisions, bad);
      auto s = chaff::ApplyDecisions(co.decisions, inputs, out);
      INFO("byte " << at);
      REQUIRE(!s.ok());
    }
    std::string other = dec;
    other[8] = 7;
    WriteBytes(co.decisions, other);
    auto s = chaff::ApplyDecisions(co.decisions, inputs, out);
    REQUIRE(!s.ok());
    CHECK_THAT(s.status().message(), Catch::Contains("decisions file format version 7"));
    CHECK(!fs::exists(out.output));
  }
}

TEST_CASE("sharded dedupe: refused options and inputs", "[sharded]") {
  TempDir dir;
  const auto inputs = Inputs(MakeShards(dir));
  chaff::SketchShardsOptions o;
  o.output_dir = dir / "sk";
  o.dedupe.exact = true;
  auto s = chaff::SketchShards(inputs, o);
  REQUIRE(!s.ok());
  CHECK_THAT(s.status().message(), Catch::Contains("--exact"));
  o.dedupe.exact = false;
  o.only = {1, 9};
  s = chaff::SketchShards(inputs, o);
  REQUIRE(!s.ok());
  CHECK_THAT(s.status().message(), Catch::Contains("shard 9 asked for"));
  fs::create_directories(dir / "empty");
  auto none = chaff::FindSketchFiles({dir / "empty"});
  REQUIRE(!none.ok());
  CHECK_THAT(none.status().message(), Catch::Contains("run chaff sketch first"));
}
