// The HTML report: escaping, one marked element per line with its evidence,
// the document limit and the totals.
#include <catch2/catch.hpp>

#include <string>

#include "chaff/detect/clean.h"
#include "chaff/report/html_report.h"

namespace {

size_t Occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("AppendHtmlEscaped makes any bytes safe in an element or attribute") {
  std::string out;
  chaff::AppendHtmlEscaped(std::string("a<b>&\"c'\0d", 10), &out);
  CHECK(out == "a&lt;b&gt;&amp;&quot;c&#39;\xEF\xBF\xBD" "d");
  out.clear();
  chaff::AppendHtmlEscaped("plain text", &out);
  CHECK(out == "plain text");
}

TEST_CASE("HtmlReport marks every line with its decision and evidence") {
  // Chrome around an article with a repeated paragraph.
  const std::string text =
      "Skip to main content\nHome\nNews\nSport\n\n"
      "The council approved the new budget on Tuesday after a long debate about "
      "the cost of the bridge repairs and the future of the library service.\n\n"
      "Members said the plan would protect services while keeping the tax rise "
      "below the rate of inflation for the second year in a row.\n\n"
      "The council approved the new budget on Tuesday after a long debate about "
      "the cost of the bridge repairs and the future of the library service.\n\n"
      "Share this <story> & more\nFacebook\nTwitter\n";
  chaff::Cleaner cleaner(chaff::CleanOptions{});
  chaff::CleanResult result;
  cleaner.Clean(text, &result);
  REQUIRE(result.accounting.removed_bytes() > 0);

  chaff::HtmlReport report(1);
  report.AddDocument(0, "page <1>.txt", text, result);
  report.AddDocument(2, "second.txt", text, result, /*duplicate_of=*/0, 0.97f);
  const std::string html = report.Render("chaff clean pages -o out");

  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("</html>") != std::string::npos);
  // Names and text are escaped.
  CHECK(html.find("page &lt;1&gt;.txt") != std::string::npos);
  CHECK(html.find("Share this &lt;story&gt; &amp; more") != std::string::npos);
  CHECK(html.find("<story>") == std::string::npos);
  // One line element per line of the first document only (the limit is 1).
  CHECK(Occurrences(html, "<span class=\"n\">") == result.lines.size());
  CHECK(html.find("second.txt") == std::string::npos);
  // Each removed line carries its reason and evidence.
  size_t removed = 0, repeats = 0;
  for (const auto& d : result.decisions) {
    removed += d.reason != chaff::Reason::kKeep;
    repeats += d.reason == chaff::Reason::kRepeat;
  }
  REQUIRE(repeats > 0);
  CHECK(Occurrences(html, "<span class=\"l ") == removed);
  size_t blank_removed = 0;
  for (size_t i = 0; i < result.lines.size(); ++i) {
    blank_removed += result.lines[i].blank && result.decisions[i].reason != chaff::Reason::kKeep;
  }
  CHECK(Occurrences(html, "<span class=\"l chrome\" title=\"chrome: probability of content") +
            Occurrences(html, "<span class=\"l repeat\" title=\"repeat of line") +
            Occurrences(html, "a blank line left by the removal") ==
        removed);
  CHECK(blank_removed > 0);
  CHECK(html.find("title=\"repeat of line 6 (containment 1.00)\"") != std::string::npos);
  // Totals count both documents, and the near-duplicate.
  CHECK(html.find("2 documents, 1 of them near-duplicates") != std::string::npos);
  CHECK(html.find("The first 1 of 2") != std::string::npos);
}

TEST_CASE("HtmlReport names the document a near-duplicate copies, and caps long documents") {
  chaff::Cleaner cleaner(chaff::CleanOptions{});
  const std::string text =
      "The council approved the new budget on Tuesday after a long debate about "
      "the cost of the bridge repairs and the future of the library service.\n";
  chaff::CleanResult result;
  cleaner.Clean(text, &result);
  chaff::HtmlReport report(10);
  // Record 1 is not a document (a bad record passed through): indexes skip it.
  report.AddDocument(0, "in.jsonl:1", text, result);
  report.AddDocument(2, "in.jsonl:3", text, result);
  report.AddDocument(3, "in.jsonl:4", text, result, /*duplicate_of=*/2, 1.0f);
  std::string long_text;
  while (long_text.size() <= chaff::HtmlReport::kMaxShownBytes + 1000) long_text += text;
  chaff::CleanResult long_result;
  cleaner.Clean(long_text, &long_result);
  report.AddDocument(4, "long.txt", long_text, long_result);
  const std::string html = report.Render("run");
  CHECK(html.find("#4 <b>in.jsonl:4</b>") != std::string::npos);
  CHECK(html.find("(near-duplicate of #3 in.jsonl:3, similarity 1.00)") != std::string::npos);
  CHECK(html.find("title=\"near_duplicate: of #3, similarity 1.00\"") != std::string::npos);
  CHECK(html.find("more lines not shown") != std::string::npos);
  CHECK(html.size() < 4 * chaff::HtmlReport::kMaxShownBytes);
}
