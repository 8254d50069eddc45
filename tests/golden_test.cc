// Golden signatures of the seed documents (seeds/*.txt): token hashes and
// offsets, shingles, and K = 128 sketches in both modes, frozen under
// tests/golden/. xxHash's output is frozen since 0.8.0, so any difference is
// a change of chaff's own hashing (tokenizer, shingle or MinHash family),
// which changes every stored signature and LSH band key downstream.
// To accept an intended change, rerun with CHAFF_UPDATE_GOLDEN=1.
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chaff/sketch/minhash.h"
#include "chaff/sketch/shingle.h"
#include "chaff/text/tokenize.h"
#include "hwy_target_loop.h"

namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string SketchLine(const char* name, const chaff::MinHasher& h,
                       const std::vector<uint64_t>& shingles) {
  std::vector<uint32_t> sig(static_cast<size_t>(h.k()));
  h.Sketch(shingles.data(), shingles.size(), sig.data());
  std::string line = name;
  char buf[10];
  for (uint32_t lane : sig) {
    std::snprintf(buf, sizeof(buf), " %08x", lane);
    line += buf;
  }
  return line + "\n";
}

// The golden text of one seed document.
std::string Golden(const std::string& name, const std::string& text) {
  chaff::Tokens tokens;
  chaff::Tokenize(text, chaff::kDefaultTokenSeed, &tokens);
  std::vector<uint64_t> shingles;
  chaff::Shingles(tokens.hashes.data(), tokens.size(), chaff::kDefaultShingleWidth, &shingles);
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  XXH3_64bits_update(st, tokens.hashes.data(), tokens.size() * sizeof(uint64_t));
  XXH3_64bits_update(st, tokens.begin.data(), tokens.size() * sizeof(uint32_t));
  XXH3_64bits_update(st, tokens.end.data(), tokens.size() * sizeof(uint32_t));
  const uint64_t token_digest = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  std::string out = "# chaff golden signatures of seeds/" + name + "\n";
  out += "tokens " + std::to_string(tokens.size()) + " digest " + Hex64(token_digest) + "\n";
  out += "first_token " + (tokens.size() ? Hex64(tokens.hashes[0]) : std::string("-")) + "\n";
  out += "shingles " + std::to_string(shingles.size()) + " digest " +
         Hex64(XXH3_64bits(shingles.data(), shingles.size() * sizeof(uint64_t))) + "\n";
  out += SketchLine("classic_k128", chaff::MinHasher(128, chaff::SketchMode::kClassic),
                    shingles);
  out += SketchLine("oph_k128", chaff::MinHasher(128, chaff::SketchMode::kOnePermutation),
                    shingles);
  return out;
}

std::string SelfPath() {
  char buf[4096];
  const ssize_t len = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return len > 0 ? std::string(buf, static_cast<size_t>(len)) : std::string("chaff_tests");
}

}  // namespace

TEST_CASE("golden: seed signatures match tests/golden on every target", "[golden][dispatch]") {
  const fs::path seeds = fs::path(CHAFF_SOURCE_DIR) / "seeds";
  const fs::path golden = fs::path(CHAFF_SOURCE_DIR) / "tests" / "golden";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(seeds)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 5);
  const bool update = std::getenv("CHAFF_UPDATE_GOLDEN") != nullptr;
  const std::string regenerate =
      "CHAFF_UPDATE_GOLDEN=1 " + SelfPath() + " \"[golden]\"";
  CHAFF_FOR_EACH_TARGET(target);
  for (const fs::path& file : files) {
    const std::string name = file.filename().string();
    const std::string got = Golden(name, ReadFile(file));
    const fs::path want_path = golden / (file.stem().string() + ".sig");
    if (update) {
      std::ofstream(want_path, std::ios::binary) << got;
      WARN("wrote " << want_path.string());
      continue;
    }
    INFO("golden file " << want_path.string());
    INFO("if the change is intended, regenerate with:\n  " << regenerate);
    REQUIRE(fs::exists(want_path));
    CHECK(got == ReadFile(want_path));
  }
}
