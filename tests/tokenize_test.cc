// The Highway tokenizer against the scalar reference, on every target.
#include <xxhash.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "chaff/text/tokenize.h"
#include "hwy_target_loop.h"

namespace {

// Pieces that exercise every path: ASCII runs (also longer than a 64-byte
// block), case and digits, accents, ligatures, scripts with and without
// spaces, combining marks, separators outside ASCII, and invalid UTF-8.
const std::vector<std::string>& Pieces() {
  static const std::vector<std::string> pieces = {
      "the", "Quick", "BROWN", "fox", "2024", "a1B2", "x", " ", " ", "  ",
      "\n", "\r\n", ",", ".", "-", "'", "\t", std::string(1, '\0'),
      std::string(70, 'a'), std::string(130, 'Z'), "café", "CAFÉ", "naïve",
      "Straße", "\xEF\xAC\x81", "İstanbul", "Ωμέγα", "Москва", "עברית",
      "العربية", "हिन्दी", "東京", "漢字", "タワー", "ｶﾀｶﾅ", "한국어", "ᄀ",
      "e\xCC\x81", "\xCC\x81", "\xCC\x81\xCC\x88", "ＡＢＣ１２", "٣٤", "½",
      "😀", "“", "”", "’", "—", "…", "£", "€", "\xC2\xA0",
      "\xFF", "\xC3", "\xE6\x9D", "\xED\xA0\x80", "\xC0\xAF",
      "\xF4\x90\x80\x80", "\xF0\x9F\x98", "\x80\x80",
  };
  return pieces;
}

std::string RandomText(std::mt19937_64& rng, size_t pieces) {
  const auto& p = Pieces();
  std::string s;
  for (size_t i = 0; i < pieces; ++i) s += p[rng() % p.size()];
  return s;
}

void RequireSame(const chaff::Tokens& a, const chaff::Tokens& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO("token " << i);
    REQUIRE(a.begin[i] == b.begin[i]);
    REQUIRE(a.end[i] == b.end[i]);
    REQUIRE(a.hashes[i] == b.hashes[i]);
  }
}

}  // namespace

TEST_CASE("tokenize: every target matches the scalar reference on random text",
          "[tokenize][dispatch]") {
  CHAFF_FOR_EACH_TARGET(target);
  std::mt19937_64 rng(20240601);
  chaff::Tokens simd, ref;
  for (int iter = 0; iter < 3000; ++iter) {
    const std::string text = RandomText(rng, rng() % 40);
    // Also every suffix start within the first block: shifts the text
    // against the 64-byte blocks and vector widths.
    const size_t skip = iter % 7;
    const std::string_view view =
        std::string_view(text).substr(std::min(skip, text.size()));
    INFO("iteration " << iter);
    chaff::Tokenize(view, chaff::kDefaultTokenSeed, &simd);
    chaff::TokenizeScalar(view, chaff::kDefaultTokenSeed, &ref);
    RequireSame(simd, ref);
  }
  const std::string big = RandomText(rng, 200000);
  chaff::Tokenize(big, 7, &simd);
  chaff::TokenizeScalar(big, 7, &ref);
  RequireSame(simd, ref);
}

TEST_CASE("tokenize: every code point, alone and inside words, on every target",
          "[tokenize][dispatch]") {
  // All scalar values U+0080..U+10FFFF, each between ASCII letters, so every
  // class and folding rule meets both token states. Built and tokenized by
  // the reference once (GENERATE re-runs the body per target).
  static const std::string text = [] {
    std::string s;
    s.reserve(12u << 20);
    for (int32_t cp = 0x80; cp <= 0x10FFFF; ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      char buf[4];
      size_t len;
      if (cp < 0x800) {
        buf[0] = static_cast<char>(0xC0 | (cp >> 6));
        buf[1] = static_cast<char>(0x80 | (cp & 0x3F));
        len = 2;
      } else if (cp < 0x10000) {
        buf[0] = static_cast<char>(0xE0 | (cp >> 12));
        buf[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = static_cast<char>(0x80 | (cp & 0x3F));
        len = 3;
      } else {
        buf[0] = static_cast<char>(0xF0 | (cp >> 18));
        buf[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        buf[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        buf[3] = static_cast<char>(0x80 | (cp & 0x3F));
        len = 4;
      }
      s.push_back(static_cast<char>('a' + cp % 26));
      s.append(buf, len);
      s.append((cp & 1) ? " " : "Q");
    }
    return s;
  }();
  static const chaff::Tokens ref = [] {
    chaff::Tokens t;
    chaff::TokenizeScalar(text, chaff::kDefaultTokenSeed, &t);
    return t;
  }();
  CHAFF_FOR_EACH_TARGET(target);
  chaff::Tokens simd;
  chaff::Tokenize(text, chaff::kDefaultTokenSeed, &simd);
  RequireSame(simd, ref);
}

TEST_CASE("tokenize: block and vector boundaries", "[tokenize][dispatch]") {
  CHAFF_FOR_EACH_TARGET(target);
  chaff::Tokens simd, ref;
  // A token ending, starting or crossing at every offset around 64 and 128,
  // with an ASCII, accented or CJK neighbour.
  for (size_t pad = 0; pad < 140; ++pad) {
    for (const char* tail : {"word", "café", "東京x", "e\xCC\x81z", "\xFF" "b"}) {
      const std::string text = std::string(pad, 'k') + tail + " end";
      INFO("pad " << pad << " tail " << tail);
      chaff::Tokenize(text, 1, &simd);
      chaff::TokenizeScalar(text, 1, &ref);
      RequireSame(simd, ref);
    }
  }
  for (size_t len : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129}) {
    const std::string text(len, 'W');
    chaff::Tokenize(text, 1, &simd);
    chaff::TokenizeScalar(text, 1, &ref);
    RequireSame(simd, ref);
    CHECK(simd.size() == (len > 0 ? 1u : 0u));
  }
}

TEST_CASE("tokenize: ASCII tokens hash their normalized bytes with the seed",
          "[tokenize]") {
  chaff::Tokens t;
  chaff::Tokenize("Hello, WORLD 1999", 42, &t);
  REQUIRE(t.size() == 3);
  CHECK(t.hashes[0] == XXH3_64bits_withSeed("hello", 5, 42));
  CHECK(t.hashes[1] == XXH3_64bits_withSeed("world", 5, 42));
  CHECK(t.hashes[2] == XXH3_64bits_withSeed("0000", 4, 42));
  chaff::Tokens other_seed;
  chaff::Tokenize("Hello, WORLD 1999", 43, &other_seed);
  CHECK(other_seed.hashes[0] != t.hashes[0]);
}

TEST_CASE("tokenize: offsets map back to tokens of the original bytes", "[tokenize]") {
  std::mt19937_64 rng(99);
  chaff::Tokens t, sub;
  for (int iter = 0; iter < 300; ++iter) {
    const std::string text = RandomText(rng, 30);
    chaff::Tokenize(text, 5, &t);
    for (size_t i = 0; i < t.size(); ++i) {
      REQUIRE(t.begin[i] < t.end[i]);
      REQUIRE(t.end[i] <= text.size());
      if (i > 0) REQUIRE(t.end[i - 1] <= t.begin[i]);
      // The span alone is exactly this token.
      chaff::Tokenize(std::string_view(text).substr(t.begin[i], t.end[i] - t.begin[i]), 5, &sub);
      REQUIRE(sub.size() == 1);
      CHECK(sub.hashes[0] == t.hashes[i]);
    }
  }
}

TEST_CASE("tokenize: CJK characters and hangul syllables are single tokens", "[tokenize]") {
  const std::string text = "abc東京한국def";
  chaff::Tokens t;
  chaff::Tokenize(text, 1, &t);
  REQUIRE(t.size() == 6);
  CHECK(text.substr(t.begin[1], t.end[1] - t.begin[1]) == "東");
  CHECK(text.substr(t.begin[3], t.end[3] - t.begin[3]) == "한");
  CHECK(text.substr(t.begin[5], t.end[5] - t.begin[5]) == "def");
}

TEST_CASE("tokenize: every target matches the reference on the BBC corpus",
          "[tokenize][dispatch]") {
  // Real text (pound signs, curly quotes, accented names) when the shared
  // data is present; the generated cases above cover its absence.
  static const std::vector<std::string> docs = [] {
    std::vector<std::string> out;
    std::ifstream in(std::string(CHAFF_SHARED_DATA_DIR) + "/bbc/articles.jsonl");
    std::string line;
    // Tokenizing the raw JSONL lines is enough: escapes are just more bytes.
    while (in && std::getline(in, line)) out.push_back(line);
    return out;
  }();
  if (docs.empty()) {
    WARN("SKIPPED: " CHAFF_SHARED_DATA_DIR "/bbc/articles.jsonl not found");
    return;
  }
  static const std::vector<chaff::Tokens> refs = [] {
    std::vector<chaff::Tokens> out(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) {
      chaff::TokenizeScalar(docs[i], chaff::kDefaultTokenSeed, &out[i]);
    }
    return out;
  }();
  CHAFF_FOR_EACH_TARGET(target);
  chaff::Tokens got;
  for (size_t i = 0; i < docs.size(); ++i) {
    INFO("line " << i + 1);
    chaff::Tokenize(docs[i], chaff::kDefaultTokenSeed, &got);
    RequireSame(got, refs[i]);
  }
}
