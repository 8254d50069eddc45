// Differential fuzzer for the Highway kernels: the same text is tokenized,
// shingled and sketched on every SIMD target compiled into this binary and supported by
// this CPU, and each result must equal the scalar reference bit for bit
// (which makes all targets equal to each other). Any difference aborts with
// the target's name. Works with whatever targets exist: the list comes from
// hwy::SupportedAndGeneratedTargets() at run time.
//
// Input layout: byte 0 picks the sketch size k (1..256) and mode, byte 1 the
// shingle width (1..8); the rest is the text.
#include <hwy/targets.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "chaff/sketch/minhash.h"
#include "chaff/sketch/shingle.h"
#include "chaff/text/tokenize.h"
#include "fuzz_common.h"
#include "simd/scoped_target.h"

namespace {

void CheckTokens(const chaff::Tokens& want, const chaff::Tokens& got,
                 const char* target) {
  FUZZ_CHECK(want.size() == got.size(), "%s: %zu tokens, scalar %zu", target,
             got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    FUZZ_CHECK(want.hashes[i] == got.hashes[i] && want.begin[i] == got.begin[i] &&
                   want.end[i] == got.end[i],
               "%s: token %zu differs: [%u, %u) vs scalar [%u, %u)", target, i,
               got.begin[i], got.end[i], want.begin[i], want.end[i]);
  }
}

}  // namespace

// Names the targets once, so a CI log shows what was actually compared.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::fprintf(stderr, "fuzz_simd_targets: comparing with the scalar reference:");
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    std::fprintf(stderr, " %s", hwy::TargetName(target));
  }
  std::fprintf(stderr, "\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int k = 1 + (data[0] & 0x7f) * 2;  // odd and even sizes, 1..255
  const chaff::SketchMode mode = (data[0] & 0x80) ? chaff::SketchMode::kOnePermutation
                                                  : chaff::SketchMode::kClassic;
  const int width = 1 + (data[1] & 7);
  const std::string_view text(reinterpret_cast<const char*>(data) + 2, size - 2);

  chaff::Tokens want;
  chaff::TokenizeScalar(text, chaff::kDefaultTokenSeed, &want);
  // The reference shingles: each window hashed on its own.
  std::vector<uint64_t> shingles;
  const size_t w = static_cast<size_t>(width);
  if (want.size() > 0 && want.size() < w) {
    shingles.push_back(chaff::ShingleHash(want.hashes.data(), want.size()));
  }
  for (size_t i = 0; i + w <= want.size(); ++i) {
    shingles.push_back(chaff::ShingleHash(want.hashes.data() + i, w));
  }
  // Also a sketch of raw 64-bit words of the input: structured keys
  // (repeats, small integers) that token hashes would never produce.
  std::vector<uint64_t> words((text.size() + 7) / 8, 0);
  for (size_t i = 0; i < text.size(); ++i) {
    words[i / 8] |= static_cast<uint64_t>(static_cast<uint8_t>(text[i])) << (8 * (i % 8));
  }
  const chaff::MinHasher hasher(k, mode);
  const size_t lanes = static_cast<size_t>(k);
  std::vector<uint32_t> want_sig(lanes), want_words(lanes);
  hasher.SketchScalar(shingles.data(), shingles.size(), want_sig.data());
  hasher.SketchScalar(words.data(), words.size(), want_words.data());

  chaff::Tokens got;
  std::vector<uint64_t> got_shingles;
  std::vector<uint32_t> sig(lanes);
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    const chaff::internal::ScopedTarget scoped(target);
    const char* name = hwy::TargetName(target);
    chaff::Tokenize(text, chaff::kDefaultTokenSeed, &got);
    CheckTokens(want, got, name);
    chaff::Shingles(want.hashes.data(), want.size(), width, &got_shingles);
    FUZZ_CHECK(got_shingles == shingles, "%s: width %d: shingles differ from the reference",
               name, width);
    hasher.Sketch(shingles.data(), shingles.size(), sig.data());
    for (size_t i = 0; i < lanes; ++i) {
      FUZZ_CHECK(sig[i] == want_sig[i], "%s: k=%d mode=%d lane %zu: %u, scalar %u",
                 name, k, static_cast<int>(mode), i, sig[i], want_sig[i]);
    }
    hasher.Sketch(words.data(), words.size(), sig.data());
    for (size_t i = 0; i < lanes; ++i) {
      FUZZ_CHECK(sig[i] == want_words[i], "%s: words k=%d mode=%d lane %zu: %u, scalar %u",
                 name, k, static_cast<int>(mode), i, sig[i], want_words[i]);
    }
  }
  return 0;
}
