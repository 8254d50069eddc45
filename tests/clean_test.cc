#include "chaff/detect/clean.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "chaff/report/annotate.h"

using chaff::CleanResult;
using chaff::LineDecision;
using chaff::Reason;

namespace {

std::string ReadSeed(const std::string& name) {
  std::ifstream in(std::string(CHAFF_SOURCE_DIR) + "/seeds/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Applies hand-made decisions (by 0-based line) and returns the result.
CleanResult Apply(const std::string& text, const std::vector<Reason>& reasons) {
  CleanResult r;
  r.lines = chaff::SegmentLines(text);
  r.decisions.resize(r.lines.size());
  for (size_t i = 0; i < reasons.size(); ++i) r.decisions[i].reason = reasons[i];
  chaff::ApplyDecisions(text, &r);
  return r;
}

constexpr Reason K = Reason::kKeep;
constexpr Reason C = Reason::kChrome;

}  // namespace

TEST_CASE("apply: removed lines are cut, endings kept", "[clean]") {
  CHECK(Apply("a\r\nb\r\nc", {K, C, K}).cleaned == "a\r\nc");
  CHECK(Apply("a\nb", {K, C}).cleaned == "a\n");
  CHECK(Apply("", {}).cleaned.empty());
}

TEST_CASE("apply: blank runs left by a removal collapse", "[clean]") {
  // a, blank, X, blank, b  ->  a, blank, b
  CHECK(Apply("a\n\nX\n\nb\n", {K, K, C, K, K}).cleaned == "a\n\nb\n");
  // Leading chrome and its blank line go; trailing too.
  CHECK(Apply("X\n\na\n\nY\n", {C, K, K, K, C}).cleaned == "a\n");
  // Blank runs not touched by a removal stay.
  CHECK(Apply("a\n\n\nb\n", {K, K, K, K}).cleaned == "a\n\n\nb\n");
  const CleanResult r = Apply("a\n\nX\n\nb\n", {K, K, C, K, K});
  CHECK(r.decisions[3].reason == Reason::kChrome);  // takes the removal's reason
}

TEST_CASE("apply: every byte is accounted for", "[clean]") {
  const std::string text = "X\n\na\r\n\nY\nb\n\nZ";
  const CleanResult r = Apply(text, {C, K, K, K, Reason::kTemplate, K, K, Reason::kRepeat});
  CHECK(r.accounting.total_bytes() == text.size());
  CHECK(r.accounting.kept_bytes() == r.cleaned.size());
  uint64_t span_bytes = 0;
  for (const auto& s : r.spans) span_bytes += s.end - s.begin;
  CHECK(span_bytes == r.accounting.removed_bytes());
}

TEST_CASE("repeats: seed 002, the article pasted twice, is given back once", "[clean][seeds]") {
  const std::string text = ReadSeed("002_8f3e413f6ae2009f.txt");
  REQUIRE(!text.empty());
  chaff::Cleaner cleaner{chaff::CleanOptions{}};
  CleanResult r;
  cleaner.Clean(text, &r);
  REQUIRE(r.lines.size() == 77);
  auto removed_as_repeat = [&](int line1) {
    const auto& d = r.decisions[static_cast<size_t>(line1 - 1)];
    return d.reason == Reason::kRepeat;
  };
  CHECK(removed_as_repeat(38));
  CHECK(removed_as_repeat(40));
  for (int l = 44; l <= 73; ++l) {
    if (!r.lines[static_cast<size_t>(l - 1)].blank) CHECK(removed_as_repeat(l));
  }
  for (int l = 5; l <= 36; ++l) {
    INFO("line " << l);
    CHECK(r.decisions[static_cast<size_t>(l - 1)].reason == Reason::kKeep);
  }
  // Repeats point at their first occurrence.
  CHECK(r.decisions[37].ref_line == 4);
  CHECK(r.decisions[39].ref_line == 14);
}

TEST_CASE("repeats: near repeats with small edits; short lines left alone", "[clean]") {
  const std::string text =
      "The committee approved the new budget after a long debate on Tuesday evening.\n"
      "Pros\n"
      "Other text that is different from everything else in this small document.\n"
      "Pros\n"
      "A fresh line of text that appears only once in this small document.\n"
      "The committee approved the new budget after a long debate on Tuesday night.\n";
  chaff::CleanOptions opts;
  opts.remove_chrome = false;
  chaff::Cleaner cleaner(opts);
  CleanResult r;
  cleaner.Clean(text, &r);
  CHECK(r.decisions[3].reason == Reason::kKeep);    // "Pros": short, not in a block
  CHECK(r.decisions[5].reason == Reason::kRepeat);  // near repeat of line 1
  CHECK(r.decisions[5].ref_line == 0);
  CHECK(r.decisions[5].score >= 0.8f);
}

TEST_CASE("annotate: spans as JSON with first occurrences", "[clean]") {
  const std::string text =
      "alpha beta gamma delta epsilon zeta eta theta\n\nalpha beta gamma delta epsilon zeta eta theta\n";
  chaff::CleanOptions opts;
  opts.remove_chrome = false;
  CleanResult r;
  chaff::Cleaner(opts).Clean(text, &r);
  std::string json;
  chaff::AppendAnnotationJson(r, &json);
  CHECK(json ==
        "{\"bytes\":93,\"kept_bytes\":46,\"removed\":[{\"start\":46,\"end\":93,"
        "\"reason\":\"repeat\",\"lines\":[2,3],\"first\":{\"start\":0,\"end\":46,"
        "\"lines\":[1,1]}}]}");
}

TEST_CASE("repeats: list and table rows are not repeats", "[clean]") {
  const std::string text =
      "The draw for the regional cup was made on Monday in the capital city.\n"
      "Alpha v Beta\n"
      "Winners meet in final match\n"
      "Gamma v Delta\n"
      "Winners meet in final match\n"
      "- Ann Lee, Daily Post: Film - The Long Road; director - Sam Hill; actor - Joe Bloggs.\n"
      "- Bob Ray, Evening Star: Film - The Long Road; director - Kim Cole; actor - Joe Bloggs.\n"
      "- Cat Fox, Morning Sun: Film - Green Fields; director - Sam Hill; actor - Joe Bloggs.\n"
      "- Ann Lee, Daily Post: Film - The Long Road; director - Kim Cole; actor - Joe Bloggs.\n";
  chaff::CleanOptions opts;
  opts.remove_chrome = false;
  CleanResult r;
  chaff::Cleaner(opts).Clean(text, &r);
  for (size_t i = 0; i < r.lines.size(); ++i) {
    INFO("line " << i + 1);
    CHECK(r.decisions[i].reason == Reason::kKeep);
  }
}

TEST_CASE("repeats: a short line inside a repeated block goes with it", "[clean]") {
  const std::string text =
      "Short Title Here\n"
      "\n"
      "The first paragraph of the story has enough words to be judged alone.\n"
      "Short Title Here\n"
      "The first paragraph of the story has enough words to be judged alone.\n";
  chaff::CleanOptions opts;
  opts.remove_chrome = false;
  CleanResult r;
  chaff::Cleaner(opts).Clean(text, &r);
  CHECK(r.decisions[3].reason == Reason::kRepeat);
  CHECK(r.decisions[3].ref_line == 0);
  CHECK(r.decisions[4].reason == Reason::kRepeat);
}

TEST_CASE("repeats: one long line repeating several earlier paragraphs", "[clean]") {
  const std::string p1 =
      "The council voted on Monday to close the old bridge for repairs next spring, "
      "after a report found that traffic had doubled in ten years.";
  const std::string p2 =
      "Engineers said the steel frame had rusted far faster than anyone had expected, "
      "and that the deck would need to be replaced within the decade.";
  const std::string p3 =
      "Drivers will be sent on a detour through the town centre for at least six months, "
      "while buses will use a temporary lane on the eastern side.";
  const std::string text = p1 + "\n" + p2 + "\n" + p3 + "\n" + p1 + " " + p2 + " " + p3 + "\n";
  chaff::CleanOptions opts;
  opts.remove_chrome = false;
  CleanResult r;
  chaff::Cleaner(opts).Clean(text, &r);
  CHECK(r.decisions[3].reason == Reason::kRepeat);
  CHECK(r.decisions[0].reason == Reason::kKeep);
}
