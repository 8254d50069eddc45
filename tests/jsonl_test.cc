#include "chaff/io/jsonl.h"

#include <catch2/catch.hpp>

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
