#include "chaff/text/segment.h"

#include <catch2/catch.hpp>
#include <string>

using chaff::Line;
using chaff::SegmentLines;

TEST_CASE("segment: empty input gives no lines", "[segment]") {
  CHECK(SegmentLines("").empty());
}

TEST_CASE("segment: LF, CRLF and a missing trailing newline", "[segment]") {
  const std::string text = "a\r\nbb\n\nccc";
  const auto lines = SegmentLines(text);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].begin == 0);
  CHECK(lines[0].end == 1);
  CHECK(lines[0].next == 3);  // "\r\n" belongs to the terminator
  CHECK(chaff::LineText(text, lines[1]) == "bb");
  CHECK(lines[2].blank);
  CHECK(lines[3].begin == 7);
  CHECK(lines[3].end == 10);
  CHECK(lines[3].next == 10);  // no terminator
  CHECK(lines[0].paragraph == 0);
  CHECK(lines[1].paragraph == 0);
  CHECK(lines[3].paragraph == 1);
}

TEST_CASE("segment: trailing newline gives no empty last line", "[segment]") {
  CHECK(SegmentLines("x\n").size() == 1);
  CHECK(SegmentLines("\n").size() == 1);
  CHECK(SegmentLines("\n\n").size() == 2);
}

TEST_CASE("segment: lone CR stays in the content, blank with spaces", "[segment]") {
  const std::string text = "a\rb\n \t\r\nc";
  const auto lines = SegmentLines(text);
  REQUIRE(lines.size() == 3);
  CHECK(chaff::LineText(text, lines[0]) == "a\rb");
  CHECK(lines[1].blank);
  CHECK_FALSE(lines[2].blank);
}

TEST_CASE("segment: offsets cover every byte exactly once", "[segment]") {
  std::string text;
  for (int i = 0; i < 1000; ++i) {
    text += (i % 7 == 0) ? "\r\n" : (i % 5 == 0 ? "\n" : "w");
    if (i % 11 == 0) text.push_back('\0');
    if (i % 13 == 0) text.push_back('\xff');
  }
  const auto lines = SegmentLines(text);
  uint64_t pos = 0;
  for (const Line& l : lines) {
    CHECK(l.begin == pos);
    CHECK(l.begin <= l.end);
    CHECK(l.end <= l.next);
    pos = l.next;
  }
  CHECK(pos == text.size());
}
