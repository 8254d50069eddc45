#include <catch2/catch.hpp>
#include <string>

#include "chaff/text/tokenize.h"

namespace {
std::string Norm(const std::string& s) {
  std::string out;
  chaff::NormalizeForHash(s, &out);
  return out;
}
}  // namespace

TEST_CASE("normalize: ASCII lowercase, digits to 0, punctuation separates", "[normalize]") {
  CHECK(Norm("Hello, World! 2024") == "hello world 0000");
  CHECK(Norm("  U.S.-supplied  ") == "u s supplied");
  CHECK(Norm("") == "");
  CHECK(Norm("...!!!") == "");
}

TEST_CASE("normalize: Unicode case folding and accent folding", "[normalize]") {
  CHECK(Norm("Élan CAFÉ naïve") == "elan cafe naive");
  CHECK(Norm("STRASSE Straße") == "strasse strasse");
  CHECK(Norm("ＡＢＣ１２") == "abc00");  // full-width compatibility forms
  CHECK(Norm("Ωμέγα") == "ωμεγα");
  CHECK(Norm("\xEF\xAC\x81nd") == "find");  // U+FB01 ligature fi
}

TEST_CASE("normalize: each CJK character is a token", "[normalize]") {
  CHECK(Norm("東京タワー") == "東 京 タ ワ ー");
  CHECK(Norm("abc漢字def") == "abc 漢 字 def");
}

TEST_CASE("normalize: invalid UTF-8 and NUL bytes are separators", "[normalize]") {
  CHECK(Norm(std::string("ab\xff" "cd", 5)) == "ab cd");
  CHECK(Norm(std::string("ab\0cd", 5)) == "ab cd");
  CHECK(Norm("\xC3") == "");  // truncated sequence
}

TEST_CASE("tokenize: offsets map back to the original bytes", "[tokenize]") {
  const std::string text = "Ünïcode  text, 東京!";
  chaff::Tokens t;
  chaff::TokenizeScalar(text, chaff::kDefaultTokenSeed, &t);
  REQUIRE(t.size() == 4);
  CHECK(text.substr(t.begin[0], t.end[0] - t.begin[0]) == "Ünïcode");
  CHECK(text.substr(t.begin[1], t.end[1] - t.begin[1]) == "text");
  CHECK(text.substr(t.begin[2], t.end[2] - t.begin[2]) == "東");
  CHECK(text.substr(t.begin[3], t.end[3] - t.begin[3]) == "京");
}

TEST_CASE("tokenize: equal normalized forms hash equal", "[tokenize]") {
  CHECK(chaff::NormalizedHash("The CAFÉ, 1999!") == chaff::NormalizedHash("the cafe 2000"));
  CHECK(chaff::NormalizedHash("the cafe") != chaff::NormalizedHash("the cafes"));
}
