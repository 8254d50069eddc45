#include "chaff/io/jsonl.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwy_target_loop.h"
#include "io/json_escape_internal.h"

using chaff::JsonlParser;
using chaff::JsonlRecord;

TEST_CASE("jsonl: text and id extracted, other bytes passed through", "[jsonl]") {
  JsonlParser parser;
  JsonlRecord rec;
  const std::string line =
      R"({"url": "http://x/1", "text": "a\nb \"q\" \u00e9", "id": 17, "meta": {"k": [1, 2]}})";
  REQUIRE(parser.Parse(line, "text", "id", &rec).ok());
  CHECK(rec.text == "a\nb \"q\" \xC3\xA9");
  CHECK(rec.has_id);
  CHECK(rec.id == "17");
  std::string out;
  chaff::AppendRecordWithText(line, rec, "new\ttext", &out);
  CHECK(out == R"({"url": "http://x/1", "text": "new\ttext", "id": 17, "meta": {"k": [1, 2]}})");
}

TEST_CASE("jsonl: round trip of the unchanged text is byte-identical modulo escaping", "[jsonl]") {
  JsonlParser parser;
  JsonlRecord rec;
  const std::string line = R"({"id":"a","text":"plain text, 2 lines\nsecond"})";
  REQUIRE(parser.Parse(line, "text", "id", &rec).ok());
  std::string out;
  chaff::AppendRecordWithText(line, rec, rec.text, &out);
  CHECK(out == line);
}

TEST_CASE("jsonl: errors say what is wrong", "[jsonl]") {
  JsonlParser parser;
  JsonlRecord rec;
  auto msg = [&](const std::string& line) {
    const chaff::Status s = parser.Parse(line, "text", "id", &rec);
    return s.ok() ? std::string("ok") : s.message();
  };
  CHECK(msg(R"({"text": 5})") == "expected a string in field \"text\"");
  CHECK(msg(R"({"body": "x"})") == "missing field \"text\"");
  CHECK(msg(R"([1, 2])") == "expected a JSON object");
  CHECK(msg(R"({"text": "x", "id": [1]})") == "expected a string or a number in field \"id\"");
  CHECK(msg(R"({"text": "x")").rfind("invalid JSON", 0) == 0);
  CHECK(msg(R"({"text": "x"} {})").rfind("invalid JSON", 0) == 0);
  CHECK(msg(R"({"text": "x", "bad": tru})").rfind("invalid JSON", 0) == 0);
}

TEST_CASE("jsonl: string escaping is valid JSON for any bytes", "[jsonl]") {
  std::string out;
  chaff::AppendJsonString(std::string("a\"\\\x01\xff\xC3\xA9", 7), &out);
  CHECK(out == "\"a\\\"\\\\\\u0001\xEF\xBF\xBD\xC3\xA9\"");
}

TEST_CASE("jsonl: invalid UTF-8 becomes U+FFFD per maximal subpart, as Python decodes it",
          "[jsonl]") {
  // bytes -> Python's bytes.decode("utf-8", "replace") (3.11), checked by
  // tests/cli/attributes.sh against python3 itself.
  const std::string r = "\xEF\xBF\xBD";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"\xE2\x82" "A", r + "A"},              // a three-byte character cut short
      {"\xF0\x9F\x98", r},                   // an emoji cut short at the end
      {"\xF0\x9F\x98\n\xF0\x9F\x98\x80", r + "\\n\xF0\x9F\x98\x80"},
      {"\xED\xA0\x80", r + r + r},           // an encoded surrogate
      {"\xC0\xAF", r + r},                   // overlong
      {"\xE0\x80\x80", r + r + r},           // overlong
      {"\xF4\x90\x80\x80", r + r + r + r},   // above U+10FFFF
      {"\xF0\x80", r + r},
      {"\x80\x80x", r + r + "x"},            // continuation bytes alone
      {"\xF8\x88\x80\x80\x80", r + r + r + r + r},
      {"\xFF\xC3\xA9\xC3", r + "\xC3\xA9" + r},
  };
  for (const auto& [in, want] : cases) {
    std::string out;
    chaff::AppendJsonString(in, &out);
    INFO(in);
    CHECK(out == "\"" + want + "\"");
  }
}

TEST_CASE("jsonl: CharOffsets counts code points as Python indexes the decoded text",
          "[jsonl]") {
  // "é" 2 bytes, "日" 3, "😀" 4 (one code point, not two as in UTF-16).
  const std::string text = "a\xC3\xA9\n\xE6\x97\xA5\xF0\x9F\x98\x80\nz";
  chaff::CharOffsets chars(text);
  CHECK(chars.At(0) == 0);
  CHECK(chars.At(1) == 1);
  CHECK(chars.At(4) == 3);   // after "aé\n"
  CHECK(chars.At(4) == 3);   // the same offset again
  CHECK(chars.At(11) == 5);  // after "日😀"
  CHECK(chars.At(12) == 6);
  CHECK(chars.Length() == 7);
  // Invalid bytes: one per maximal subpart.
  const std::string bad = "\xE2\x82" "A\n\xED\xA0\x80\n\xF0\x9F\x98";
  chaff::CharOffsets b(bad);
  CHECK(b.At(3) == 2);   // U+FFFD, "A"
  CHECK(b.At(4) == 3);
  CHECK(b.At(8) == 7);   // three U+FFFD, "\n"
  CHECK(b.Length() == 8);
  CHECK(chaff::CharOffsets("").Length() == 0);
}

TEST_CASE("jsonl: escaping of valid UTF-8 at every place of a word, and back", "[jsonl]") {
  // The escape of one byte below 0x80, as JSON (and the byte-by-byte path)
  // writes it.
  auto escape = [](unsigned char c) -> std::string {
    switch (c) {
      case '"': return "\\\"";
      case '\\': return "\\\\";
      case '\n': return "\\n";
      case '\r': return "\\r";
      case '\t': return "\\t";
      case '\b': return "\\b";
      case '\f': return "\\f";
      default: break;
    }
    if (c >= 0x20) return std::string(1, static_cast<char>(c));
    const char* hex = "0123456789abcdef";
    return std::string("\\u00") + hex[c >> 4] + hex[c & 15];
  };
  // Pieces that the eight-byte scan must see wherever they fall: bytes
  // to escape, multi-byte characters (copied as they are), DEL, plain.
  const std::vector<std::string> pieces = {"\"", "\\", "\n", "\x01", "\x1f", " ", "\x7f",
                                           "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "!"};
  JsonlParser parser;
  for (size_t before = 0; before < 20; ++before) {
    for (const std::string& piece : pieces) {
      for (size_t after = 0; after < 12; after += 5) {
        const std::string text = std::string(before, 'a') + piece + std::string(after, 'z') + piece;
        auto escaped = [&](const std::string& s) {
          std::string e;
          for (unsigned char c : s)
            e += c < 0x80 ? escape(c) : std::string(1, static_cast<char>(c));
          return e;
        };
        const std::string want = "\"" + escaped(text) + "\"";
        std::string out = "prefix";
        chaff::AppendJsonString(text, &out);
        INFO("before " << before << " after " << after);
        CHECK(out == "prefix" + want);
        std::string_view back;
        REQUIRE(parser.ParseText("{\"text\":" + out.substr(6) + "}", "text", false, &back).ok());
        CHECK(back == text);
      }
    }
  }
  // Escapes six times as long as their byte grow the room made ahead, and
  // come in more than one batch from the kernel.
  std::string out;
  chaff::AppendJsonString(std::string(3000, '\x01') + "\xC3\xA9", &out);
  CHECK(out.size() == 1 + 18000 + 2 + 1);
  CHECK(out.substr(out.size() - 9) == "\\u0001\xC3\xA9\"");
}

TEST_CASE("jsonl: every SIMD target finds the bytes to escape where the reference does",
          "[jsonl][simd]") {
  CHAFF_FOR_EACH_TARGET(target);
  std::mt19937_64 rng(3);
  // Plain text with escapes at random places: '\n', '"', '\\', control
  // bytes, and bytes that are close but need none (0x20, 0x7f, UTF-8).
  const unsigned char specials[] = {'\n', '"', '\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xC3, 0xFF, '#'};
  for (int round = 0; round < 300; ++round) {
    const size_t n = rng() % 700;
    std::string s(n, 'a');
    const size_t density = 1 + rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      if (rng() % density == 0) s[i] = static_cast<char>(specials[rng() % sizeof(specials)]);
    }
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    for (const size_t max : {size_t{64}, size_t{100}, size_t{1024}}) {
      INFO("round " << round << " n " << n << " max " << max);
      // The whole string in steps, as AppendJsonString calls it.
      std::vector<uint32_t> want, got;
      std::vector<uint32_t> buf(max);
      size_t count = 0;
      for (size_t i = 0; i < n;) {
        const size_t scanned =
            chaff::internal::FindJsonEscapes(p + i, n - i, buf.data(), max, &count);
        REQUIRE(scanned > 0);
        REQUIRE(count <= max);
        for (size_t k = 0; k < count; ++k) got.push_back(static_cast<uint32_t>(i + buf[k]));
        i += scanned;
      }
      for (size_t i = 0; i < n; ++i) {
        if (chaff::internal::NeedsJsonEscape(p[i])) want.push_back(static_cast<uint32_t>(i));
      }
      CHECK(got == want);
      // One call stops where the reference does or earlier, listing exactly
      // the escapes before that point.
      const size_t ref_scanned =
          chaff::internal::FindJsonEscapesScalar(p, n, buf.data(), max, &count);
      const size_t ref_count = count;
      const size_t scanned = chaff::internal::FindJsonEscapes(p, n, buf.data(), max, &count);
      CHECK(scanned <= ref_scanned);
      CHECK(count <= ref_count);
      size_t before = 0;
      while (before < want.size() && want[before] < scanned) ++before;
      CHECK(count == before);
    }
  }
}
