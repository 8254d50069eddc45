// Tests of cross-document template lines: site grouping, thresholds, the
// long-sentence and heading exemptions, bounded memory.
#include "chaff/detect/templates.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace {

// A distinct word per number (digits all normalize to '0', so numbers alone
// do not make lines distinct).
std::string Word(int i) {
  static const char* const kSyllables[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo"};
  std::string w;
  do {
    w += kSyllables[i % 8];
    i /= 8;
  } while (i > 0);
  return w;
}

// A page of `site`: a menu, a unique body, a footer.
std::string Page(int i) {
  return "Home\nWorld\nBusiness\n\nThe story of " + Word(i) +
         " tells how the harbour of " + Word(i + 1000) +
         " was rebuilt after the storm.\n\nShare this article\n"
         "Contact the newsroom\n";
}

std::vector<std::string> FlaggedLines(const chaff::TemplateIndex& index,
                                      const std::string& site,
                                      const std::string& text) {
  const chaff::Document doc(text);
  const auto& lines = doc.lines();
  chaff::TemplateFlags flags;
  index.Flags(site, doc, &flags);
  REQUIRE(flags.size() == lines.size());
  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (flags[i]) out.emplace_back(chaff::LineText(text, lines[i]));
  }
  return out;
}

}  // namespace

TEST_CASE("templates: site keys from URLs", "[templates]") {
  CHECK(chaff::SiteFromUrl("https://www.Example.com:8080/a/b?c=d") == "example.com");
  CHECK(chaff::SiteFromUrl("http://user:pw@news.example.org/x") == "news.example.org");
  CHECK(chaff::SiteFromUrl("https://example.net") == "example.net");
  CHECK(chaff::SiteFromUrl("example.net/path") == "example.net");
  CHECK(chaff::SiteFromUrl("http://[::1]:80/") == "[::1]");
  CHECK(chaff::SiteFromUrl("") == "");
}

TEST_CASE("templates: lines on many pages of a site are flagged", "[templates]") {
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  for (int i = 0; i < 20; ++i) counter.AddDocument("a.example", Page(i));
  const auto index = counter.Finish();
  CHECK(index.Documents("a.example") == 20);
  CHECK(index.LineDocuments("a.example", "Home") == 20);
  CHECK(index.LineDocuments("a.example", "HOME!") == 20);  // normalized identity
  const std::string page = Page(3);
  const auto flagged = FlaggedLines(index, "a.example", page);
  // The menu and footer are template lines; the story is not. "Business",
  // the last menu line, heads this page's own text: left to the classifier.
  CHECK(flagged == std::vector<std::string>{"Home", "World", "Share this article",
                                            "Contact the newsroom"});
}

TEST_CASE("templates: sites are counted separately", "[templates]") {
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  for (int i = 0; i < 20; ++i) counter.AddDocument("a.example", Page(i));
  for (int i = 0; i < 3; ++i) counter.AddDocument("b.example", Page(100 + i));
  const auto index = counter.Finish();
  // b.example has too few documents: nothing is judged there.
  CHECK(FlaggedLines(index, "b.example", Page(100)).empty());
  // An unseen site has no statistics.
  CHECK(FlaggedLines(index, "c.example", Page(1)).empty());
  CHECK(index.LineDocuments("b.example", "Home") == 3);
}

TEST_CASE("templates: too few documents never fire", "[templates]") {
  chaff::TemplateOptions o;
  chaff::TemplateCounter counter(o);
  for (int i = 0; i < o.min_documents - 1; ++i) counter.AddDocument("", Page(i));
  const auto index = counter.Finish();
  CHECK(FlaggedLines(index, "", Page(0)).empty());
}

TEST_CASE("templates: a line counts once per document", "[templates]") {
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  for (int i = 0; i < 10; ++i) counter.AddDocument("s", "Menu\nMenu\nMenu\n");
  const auto index = counter.Finish();
  CHECK(index.LineDocuments("s", "Menu") == 10);
}

TEST_CASE("templates: a lone frequent sentence is a template, a shared passage is not",
          "[templates]") {
  const std::string prompt =
      "Sign up to our daily newsletter to get the best stories of the day delivered to "
      "your inbox every morning.";
  const std::string wire[] = {
      "The agency said on Monday that the two companies had agreed to merge their "
      "shipping businesses in a deal worth about four billion dollars.",
      "Shareholders of both companies will vote on the deal in the spring, and the "
      "regulators of three countries are expected to look at it closely.",
      "The new company would run more than two hundred ships from its base in the north "
      "of the country, the agency said."};
  auto page = [&](int i) {
    std::string p = "Top menu\nThe story of " + Word(i) + " tells how the harbour of " +
                    Word(i + 1000) + " was rebuilt after the storm, said the harbour master.\n";
    if (i % 2 == 0) p += wire[0] + "\n" + wire[1] + "\n\n" + wire[2] + "\n";
    return p + prompt + "\nEnd of page\n";
  };
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  for (int i = 0; i < 10; ++i) counter.AddDocument("s", page(i));
  const auto index = counter.Finish();
  const auto flagged = FlaggedLines(index, "s", page(4));
  auto has = [&](const std::string& line) {
    return std::find(flagged.begin(), flagged.end(), line) != flagged.end();
  };
  CHECK(has(prompt));
  CHECK(has("End of page"));
  for (const auto& w : wire) CHECK_FALSE(has(w));
  // "Top menu" heads this page's own story, which is not a template line.
  CHECK_FALSE(has("Top menu"));
}

TEST_CASE("templates: section labels that head this page's content are exempt",
          "[templates]") {
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  for (int i = 0; i < 10; ++i) {
    counter.AddDocument("reviews", "Site menu\nMore menu\nPros\nGood battery " +
                                       Word(i) + "\nCons\nHeavy case " + Word(i) + "\n");
  }
  const auto index = counter.Finish();
  const std::string doc = "Site menu\nMore menu\nPros\nGood battery " + Word(3) +
                          "\nCons\nHeavy case " + Word(3) + "\n";
  const auto flagged = FlaggedLines(index, "reviews", doc);
  // "More menu" is followed by another template line: still a menu.
  CHECK(flagged == std::vector<std::string>{"Site menu", "More menu"});
}

TEST_CASE("templates: thresholds and disabling", "[templates]") {
  chaff::TemplateOptions o;
  o.min_share = 0.9;
  chaff::TemplateCounter counter(o);
  for (int i = 0; i < 10; ++i) {
    counter.AddDocument("s", std::string(i < 5 ? "Half menu\n" : "") + "Every page\nx " +
                                 Word(i) + "\n" + "Footer\n");
  }
  const auto index = counter.Finish();
  const auto flagged = FlaggedLines(index, "s", "Half menu\nEvery page\nFooter\n");
  // "Half menu" is on 5 of 10 pages, under min_share 0.9.
  CHECK(flagged == std::vector<std::string>{"Every page", "Footer"});

  o.enabled = false;
  chaff::TemplateCounter off(o);
  for (int i = 0; i < 10; ++i) off.AddDocument("s", "Footer\n");
  CHECK(FlaggedLines(off.Finish(), "s", "Footer\n").empty());
}

TEST_CASE("templates: counts are exact and merge by adding", "[templates]") {
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  std::string doc;
  for (int i = 0; i < 2000; ++i) {
    doc.clear();
    for (int j = 0; j < 20; ++j) doc += "line " + Word(i * 20 + j) + "\n";
    doc += "shared footer\n";
    counter.AddDocument("one site", doc);
  }
  // 40,000 distinct lines, each in one document; the footer in all.
  const auto index = counter.Finish();
  CHECK(index.Documents("one site") == 2000);
  CHECK(index.LineDocuments("one site", "line " + Word(5)) == 1);
  CHECK(index.LineDocuments("one site", "Shared FOOTER!") == 2000);
  CHECK(index.LineDocuments("other site", "shared footer") == 0);

  // The same documents split between two counters (two threads, or two
  // machines) give the same counts in any split.
  chaff::TemplateCounter a{chaff::TemplateOptions()}, b{chaff::TemplateOptions()};
  for (int i = 0; i < 30; ++i) {
    const std::string page = Page(i % 7) + (i % 3 == 0 ? "Every third page\n" : "");
    (i % 4 == 1 ? b : a).AddDocument("s", page);
  }
  a.Merge(b);
  const auto merged = a.Finish();
  CHECK(merged.Documents("s") == 30);
  CHECK(merged.LineDocuments("s", "Every third page") == 10);
  CHECK(merged.LineDocuments("s", "Home") == 30);
  CHECK(merged.LineDocuments("s", "The story of " + Word(3) + " tells how the harbour of " +
                                      Word(1003) + " was rebuilt after the storm.") == 4);
}
