// Corpus deduplication over arbitrary JSONL bytes (plain: the compressed
// readers are fuzz_jsonl's, and a small compressed input can expand beyond
// any time limit): DedupeCorpus deciding stars in one pass with
// DedupeStreamWriter as its sink, against the same decisions written by pass
// 2 (WriteDedupeOutputs). The first input byte picks the options (threshold,
// exact verification, shingle width, bands, batch size, size hint). Checks:
//   * one and two threads decide the same;
//   * every removed document names an earlier kept one, similar to it (>= the
//     threshold), and the counts add up;
//   * the one-pass outputs (kept records, clusters file) are byte for byte
//     those of pass 2, record by record, and the kept records those of pass
//     2's block copy (which cuts the input into lines on its own).
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/corpus/dedupe.h"
#include "chaff/corpus/dedupe_output.h"
#include "chaff/io/files.h"
#include "fuzz_common.h"

namespace {

namespace fs = std::filesystem;

// A scratch directory of this process, removed at exit (the path is never
// freed, so the exit handler can still read it).
const std::string& ScratchDir() {
  static const std::string* const dir = [] {
    std::string tmpl = (fs::temp_directory_path() / "chaff-fuzz-dedupe-XXXXXX").string();
    FUZZ_CHECK(::mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
    std::atexit([] { std::error_code ec; fs::remove_all(ScratchDir(), ec); });
    return new std::string(tmpl);
  }();
  return *dir;
}

std::string ReadAll(const std::string& path) {
  auto text = chaff::ReadWholeFile(path);
  FUZZ_CHECK(text.ok(), "cannot read %s: %s", path.c_str(), text.status().message().c_str());
  return *text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t knobs = data[0];
  const bool compressed =
      size >= 3 && ((data[1] == 0x1f && data[2] == 0x8b) ||
                    (size >= 5 && data[1] == 0x28 && data[2] == 0xb5 && data[3] == 0x2f &&
                     data[4] == 0xfd));
  if (compressed) return 0;
  // UTF-16/32 text (by its byte order mark) is refused by the reader
  // (tests/cli/encodings.sh); a UTF-8 mark is read past, which the two
  // passes below must agree on.
  const chaff::UnicodeBom bom = chaff::BomOf(
      std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  if (bom != chaff::UnicodeBom::kNone && bom != chaff::UnicodeBom::kUtf8) return 0;
  const std::string dir = ScratchDir();
  const std::string in = dir + "/in.jsonl";
  {
    auto out = chaff::OutputFile::Create(in);
    FUZZ_CHECK(out.ok(), "cannot create the input");
    FUZZ_CHECK((*out)->Write(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1))
                   .ok(),
               "cannot write the input");
    FUZZ_CHECK((*out)->Commit().ok(), "cannot commit the input");
  }
  std::vector<std::string> warnings;
  auto listed = chaff::ListCorpusInputs({in}, &warnings);
  FUZZ_CHECK(listed.ok(), "cannot list the input");
  const std::vector<chaff::CorpusInput> inputs = *listed;

  chaff::DedupeOptions options;
  options.threshold = 0.5 + 0.1 * (knobs % 5);  // 0.5 .. 0.9
  options.exact = (knobs & 0x08) != 0;
  options.shingle_width = 1 + (knobs >> 4) % 5;
  options.batch_bytes = (knobs & 0x80) ? 64 : 4096;
  options.input_bytes_hint = (knobs & 0x40) ? size : 0;
  // Bands given (choosing them is a numeric optimisation, far too slow
  // under coverage instrumentation, and not what this fuzzes).
  static const chaff::LshParams kBands[4] = {{25, 10}, {16, 16}, {50, 5}, {8, 32}};
  options.lsh = kBands[(knobs >> 5) % 4];
  chaff::DedupeOutputOptions out;
  out.fields.skip_bad_records = true;  // arbitrary lines: keep the bad ones as they are

  std::vector<uint32_t> first_reps;
  for (int threads : {1, 2}) {
    options.threads = threads;
    out.output = dir + "/one.jsonl";
    out.clusters = dir + "/one-clusters.jsonl";
    auto writer = chaff::DedupeStreamWriter::Create(&inputs, out);
    FUZZ_CHECK(writer.ok(), "cannot create the writer: %s", writer.status().message().c_str());
    chaff::CorpusReader reader(&inputs);
    auto result = chaff::DedupeCorpus(
        &reader, chaff::CorpusDecoders(&inputs, out.fields), options, {},
        [&](const chaff::DecidedDocument& d) { return (*writer)->Add(d); });
    // Plain input with bad records skipped: nothing can stop the run.
    FUZZ_CHECK(result.ok(), "the run failed: %s", result.status().message().c_str());
    FUZZ_CHECK((*writer)->Finish().ok(), "the writer failed");
    const chaff::DedupeResult& r = *result;
    const size_t n = r.representative.size();
    FUZZ_CHECK(n == r.documents && r.similarity.size() == n, "result sizes disagree");
    size_t removed = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t rep = r.representative[i];
      FUZZ_CHECK(rep <= i, "document %zu names a later representative %u", i, rep);
      FUZZ_CHECK(r.Kept(rep), "document %zu names a removed representative %u", i, rep);
      if (rep != i) {
        ++removed;
        FUZZ_CHECK(r.similarity[i] >= options.threshold - 1e-6,
                   "document %zu removed at similarity %f", i, r.similarity[i]);
      }
    }
    FUZZ_CHECK(removed == r.removed, "removed %zu, counted %llu", removed,
               static_cast<unsigned long long>(r.removed));
    FUZZ_CHECK((*writer)->stats().kept == n - removed, "writer kept a different number");
    if (threads == 1) {
      first_reps = r.representative;
    } else {
      FUZZ_CHECK(r.representative == first_reps, "two threads decided differently");
    }

    // Pass 2 from the same decisions writes the same bytes.
    chaff::DedupeOutputOptions two = out;
    two.output = dir + "/two.jsonl";
    two.clusters = dir + "/two-clusters.jsonl";
    chaff::DedupeWriteStats stats;
    const chaff::Status s = chaff::WriteDedupeOutputs(inputs, r, two, {}, &stats);
    FUZZ_CHECK(s.ok(), "pass 2 failed: %s", s.message().c_str());
    FUZZ_CHECK(ReadAll(out.output) == ReadAll(two.output), "one pass and pass 2 differ");
    FUZZ_CHECK(ReadAll(out.clusters) == ReadAll(two.clusters), "clusters files differ");
    two.output = dir + "/block.jsonl";
    two.clusters.clear();  // no ids needed: kept runs are copied block by block
    FUZZ_CHECK(chaff::WriteDedupeOutputs(inputs, r, two, {}, &stats).ok(), "block copy failed");
    FUZZ_CHECK(ReadAll(out.output) == ReadAll(two.output), "one pass and block copy differ");
  }
  return 0;
}
