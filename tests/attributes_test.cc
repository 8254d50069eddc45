// dolma attributes (report/attributes.h): the line written for a document,
// character offsets over multi-byte text, the scores, empty lists.
#include "chaff/report/attributes.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "chaff/detect/clean.h"

namespace {

// A result with the given per-line decisions over `text` (lines split at
// '\n'), as Cleaner would leave it.
chaff::CleanResult Decide(const std::string& text, const std::vector<chaff::LineDecision>& d) {
  chaff::CleanResult r;
  uint64_t begin = 0;
  while (begin < text.size()) {
    chaff::Line line;
    line.begin = begin;
    const size_t nl = text.find('\n', begin);
    line.end = nl == std::string::npos ? text.size() : nl;
    line.next = nl == std::string::npos ? text.size() : nl + 1;
    line.blank = line.end == line.begin;
    r.lines.push_back(line);
    begin = line.next;
  }
  REQUIRE(r.lines.size() == d.size());
  r.decisions = d;
  chaff::ApplyDecisions(text, &r);
  return r;
}

// A decision; `content`: the line model's probability of content.
chaff::LineDecision D(chaff::Reason reason, float content = -1.0f) {
  chaff::LineDecision d;
  d.reason = reason;
  d.content = content;
  return d;
}

}  // namespace

TEST_CASE("attributes: spans in code points, scores, every list written", "[attributes]") {
  using chaff::Reason;
  // "Menü 😀" is 6 code points and 10 bytes; "日本" 2 and 6.
  const std::string text =
      "Men\xC3\xBC \xF0\x9F\x98\x80\n"  // chrome, probability of content 0.25
      "Home\n"                          // chrome, probability of content 0
      "\xE6\x97\xA5\xE6\x9C\xAC text\n"  // kept
      "Footer\n"                        // template
      "\xE6\x97\xA5\xE6\x9C\xAC text\n";  // repeat
  const auto r = Decide(text, {D(Reason::kChrome, 0.25f), D(Reason::kChrome, 0.0f),
                               D(Reason::kKeep, 1.0f), D(Reason::kTemplate, 0.9f),
                               D(Reason::kRepeat, 0.9f)});
  std::string out;
  const uint64_t chars = chaff::AppendAttributesStart("\"d1\"", text, r, &out);
  CHECK(chars == 7 + 5 + 8 + 7 + 8);
  chaff::AppendAttributesEnd(chars, false, 0.0f, &out);
  CHECK(out ==
        "{\"id\":\"d1\",\"attributes\":{\"chaff__chrome\":[[0,12,0.75]],"
        "\"chaff__template\":[[20,27,1.0]],\"chaff__repeat\":[[27,35,1.0]],"
        "\"chaff__near_duplicate\":[]}}");
  // Dropped as a near-duplicate: the whole text, with the similarity.
  out.clear();
  chaff::AppendAttributesEnd(35, true, 0.8125f, &out);
  CHECK(out == ",\"chaff__near_duplicate\":[[0,35,0.8125]]}}");
}

TEST_CASE("attributes: nothing removed, and a bad record, give empty lists", "[attributes]") {
  const chaff::CleanResult nothing;
  std::string out;
  CHECK(chaff::AppendAttributesStart("null", "", nothing, &out) == 0);
  chaff::AppendAttributesEnd(0, false, 0.0f, &out);
  CHECK(out ==
        "{\"id\":null,\"attributes\":{\"chaff__chrome\":[],\"chaff__template\":[],"
        "\"chaff__repeat\":[],\"chaff__near_duplicate\":[]}}");
}

TEST_CASE("attributes: invalid UTF-8 counts one character per maximal subpart",
          "[attributes]") {
  using chaff::Reason;
  // "\xE2\x82" is one U+FFFD (Python: b"\xe2\x82x".decode("utf-8", "replace")
  // is "\ufffdx"), "\xC0\xAF" two.
  const std::string text = "\xE2\x82x\n\xC0\xAF\nrest\n";
  const auto r =
      Decide(text, {D(Reason::kKeep, 1.0f), D(Reason::kChrome, 0.5f), D(Reason::kKeep, 1.0f)});
  std::string out;
  CHECK(chaff::AppendAttributesStart("1", text, r, &out) == 3 + 3 + 5);
  CHECK(out.find("\"chaff__chrome\":[[3,6,0.5]]") != std::string::npos);
}
