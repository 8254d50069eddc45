// Tests of cross-document template lines: site grouping, thresholds, the
// long-sentence and heading exemptions, bounded memory, counts files.
#include "chaff/detect/templates.h"

#include <xxhash.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <utility>
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

// --- Counts files: Serialize / MergeSerialized (chaff count) ------------------

namespace {

// Pages of three sites (20 each) and one page of a fourth: menus and
// footers on every page, a line on every fifth page (4 of each site), one
// on 3 pages of a site (min_count), and a body of their own.
std::vector<std::pair<std::string, std::string>> SitePages() {
  std::vector<std::pair<std::string, std::string>> pages;
  const char* const kSites[] = {"a.example", "b.example", "c.example"};
  for (int i = 0; i < 60; ++i) {
    std::string text = std::string(kSites[i % 3]) + " menu\nSecond menu line\n" + Page(i);
    if (i % 5 == 0) text += "On every fifth page\n";
    if (i % 21 == 0) text += "On three pages of a.example\n";  // i = 0, 21, 42: min_count
    text += "Footer of " + std::string(kSites[i % 3]) + "\n";
    pages.emplace_back(kSites[i % 3], text);
  }
  pages.emplace_back("d.example", "Only page\nof a site with one document\n");
  return pages;
}

chaff::TemplateCounter CountPages(const std::vector<std::pair<std::string, std::string>>& pages,
                                  const std::vector<size_t>& order) {
  chaff::TemplateCounter counter{chaff::TemplateOptions()};
  for (size_t i : order) counter.AddDocument(pages[i].first, pages[i].second);
  return counter;
}

std::vector<size_t> Iota(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// The flags of every page, one vector per page.
std::vector<chaff::TemplateFlags> AllFlags(
    const chaff::TemplateIndex& index,
    const std::vector<std::pair<std::string, std::string>>& pages) {
  std::vector<chaff::TemplateFlags> out;
  for (const auto& [site, text] : pages) {
    const chaff::Document doc(text);
    out.emplace_back();
    index.Flags(site, doc, &out.back());
  }
  return out;
}

void PutU32(std::string* bytes, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*bytes)[at + i] = static_cast<char>(v >> (8 * i));
}
void PutU64(std::string* bytes, size_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) (*bytes)[at + i] = static_cast<char>(v >> (8 * i));
}

}  // namespace

TEST_CASE("templates: counts serialize and merge back to the same flags", "[templates]") {
  const auto pages = SitePages();
  chaff::TemplateCounter original = CountPages(pages, Iota(pages.size()));
  const std::string bytes = original.Serialize();
  // 40-byte header, 12 bytes per site and per (site, line) pair, 8-byte checksum.
  CHECK(original.sites() == 4);
  CHECK(original.documents() == pages.size());
  CHECK(bytes.size() == 40 + 12 * (original.sites() + original.pairs()) + 8);
  CHECK(bytes.compare(0, 8, "CHAFFCNT") == 0);

  chaff::TemplateCounter read{chaff::TemplateOptions()};
  REQUIRE(read.MergeSerialized(bytes).ok());
  CHECK(read.documents() == original.documents());
  CHECK(read.sites() == original.sites());
  CHECK(read.pairs() == original.pairs());
  CHECK(read.Serialize() == bytes);
  const size_t all_pairs = original.pairs();
  const auto want_index = original.Finish();
  const auto got_index = read.Finish();
  const auto want = AllFlags(want_index, pages);
  CHECK(AllFlags(got_index, pages) == want);
  // The flags are not trivial: menus and footers are flagged.
  size_t flagged = 0;
  for (const auto& f : want) flagged += static_cast<size_t>(std::count(f.begin(), f.end(), 1));
  CHECK(flagged >= 3 * 60);
  CHECK(got_index.Documents("b.example") == 20);
  CHECK(got_index.LineDocuments("a.example", "On every fifth page") == 4);
  CHECK(got_index.LineDocuments("a.example", "On three pages of a.example") == 3);
  CHECK(std::count(want[21].begin(), want[21].end(), 1) == 8);  // the line of 3 pages too

  // Complete counts read without the pairs below min_count (what chaff
  // clean --counts does with one file): fewer pairs, the same flags.
  chaff::TemplateCounter skipped{chaff::TemplateOptions()};
  REQUIRE(skipped.MergeSerialized(bytes, chaff::TemplateOptions().min_count).ok());
  CHECK(skipped.documents() == pages.size());
  CHECK(skipped.pairs() < all_pairs / 2);  // the bodies are on one page each
  CHECK(AllFlags(skipped.Finish(), pages) == want);

  // Read twice: the counts double (a merge adds).
  chaff::TemplateCounter twice{chaff::TemplateOptions()};
  REQUIRE(twice.MergeSerialized(bytes).ok());
  REQUIRE(twice.MergeSerialized(bytes).ok());
  CHECK(twice.documents() == 2 * pages.size());
  CHECK(twice.Finish().LineDocuments("c.example", "Footer of c.example") == 40);

  // An empty counter: a header and a checksum, and it reads back.
  chaff::TemplateCounter empty{chaff::TemplateOptions()};
  const std::string none = empty.Serialize();
  CHECK(none.size() == 48);
  chaff::TemplateCounter from_none{chaff::TemplateOptions()};
  CHECK(from_none.MergeSerialized(none).ok());
  CHECK(from_none.documents() == 0);
  CHECK(from_none.Serialize() == none);
}

TEST_CASE("templates: serialized counts do not depend on order or splits", "[templates]") {
  const auto pages = SitePages();
  const std::string want = CountPages(pages, Iota(pages.size())).Serialize();

  std::vector<size_t> reversed = Iota(pages.size());
  std::reverse(reversed.begin(), reversed.end());
  CHECK(CountPages(pages, reversed).Serialize() == want);
  std::vector<size_t> interleaved;
  for (size_t start : {size_t{1}, size_t{0}}) {
    for (size_t i = start; i < pages.size(); i += 2) interleaved.push_back(i);
  }
  CHECK(CountPages(pages, interleaved).Serialize() == want);

  // Two halves, merged in memory either way round or through their bytes.
  const std::vector<size_t> all = Iota(pages.size());
  const std::vector<size_t> first(all.begin(), all.begin() + 25);
  const std::vector<size_t> second(all.begin() + 25, all.end());
  chaff::TemplateCounter a = CountPages(pages, first);
  chaff::TemplateCounter b = CountPages(pages, second);
  CHECK(a.Serialize() != want);
  const std::string a_bytes = a.Serialize(), b_bytes = b.Serialize();
  a.Merge(b);
  CHECK(a.Serialize() == want);
  chaff::TemplateCounter b_then_a = CountPages(pages, second);
  b_then_a.Merge(CountPages(pages, first));
  CHECK(b_then_a.Serialize() == want);
  chaff::TemplateCounter from_files{chaff::TemplateOptions()};
  REQUIRE(from_files.MergeSerialized(b_bytes).ok());
  REQUIRE(from_files.MergeSerialized(a_bytes).ok());
  CHECK(from_files.Serialize() == want);
}

TEST_CASE("templates: damaged counts are refused and leave the counter as it was",
          "[templates]") {
  const auto pages = SitePages();
  const std::string good = CountPages(pages, Iota(pages.size())).Serialize();
  REQUIRE(good.size() > 100);
  // The counter that refuses holds counts of its own.
  std::vector<size_t> some = {0, 1, 2, 3, 4, 5, 6};
  chaff::TemplateCounter counter = CountPages(pages, some);
  const std::string before = counter.Serialize();

  auto refused = [&](const std::string& bytes, const std::string& says) {
    const chaff::Status s = counter.MergeSerialized(bytes);
    CHECK_FALSE(s.ok());
    CHECK(s.code() == chaff::StatusCode::kDataError);
    INFO(s.message());
    CHECK(s.message().find(says) != std::string::npos);
    CHECK(counter.Serialize() == before);
  };

  SECTION("truncated") {
    // Anywhere past the magic: in the header, between entries, in the last checksum.
    for (size_t n : {size_t{8}, size_t{20}, size_t{39}, size_t{40}, size_t{52}, size_t{100},
                     good.size() / 2, good.size() - 12, good.size() - 8, good.size() - 1}) {
      INFO("cut at " << n << " of " << good.size());
      refused(good.substr(0, n), "truncated counts file");
    }
  }
  SECTION("empty or shorter than the magic: not a counts file") {
    refused("", "not a chaff counts file");
    refused(good.substr(0, 5), "not a chaff counts file");
  }
  SECTION("trailing bytes") {
    refused(good + std::string(1, '\0'), "after its end");
    refused(good + good, "after its end");
  }
  SECTION("bad magic") {
    std::string bytes = good;
    bytes[0] = 'X';
    refused(bytes, "not a chaff counts file");
    refused("{\"id\": 1, \"text\": \"a JSONL line, not counts at all\"}\n", "not a chaff counts file");
  }
  SECTION("a corrupted entry byte") {
    for (size_t at : {size_t{40}, size_t{40 + 12 * 4 + 3}, good.size() - 9, good.size() - 1}) {
      std::string bytes = good;
      bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
      INFO("byte " << at);
      refused(bytes, "checksum mismatch");
    }
  }
  SECTION("a corrupted header byte") {
    std::string bytes = good;
    bytes[17] = static_cast<char>(bytes[17] ^ 0x40);  // the site count
    refused(bytes, "checksum mismatch");
  }
  SECTION("another version") {
    std::string bytes = good;
    PutU32(&bytes, 8, chaff::kTemplateCountsVersion + 1);
    PutU64(&bytes, 32, XXH3_64bits(bytes.data(), 32));
    refused(bytes, "version " + std::to_string(chaff::kTemplateCountsVersion + 1));
    refused(bytes, "this chaff reads version " + std::to_string(chaff::kTemplateCountsVersion));
  }
  SECTION("a header that claims more entries than there are bytes") {
    std::string bytes = good;
    PutU64(&bytes, 24, uint64_t{1} << 62);  // pairs
    PutU64(&bytes, 32, XXH3_64bits(bytes.data(), 32));
    refused(bytes, "truncated counts file");
    PutU64(&bytes, 16, ~uint64_t{0});  // sites
    PutU64(&bytes, 24, ~uint64_t{0});
    PutU64(&bytes, 32, XXH3_64bits(bytes.data(), 32));
    refused(bytes, "truncated counts file");
  }
  // Still good after all of that.
  CHECK(counter.MergeSerialized(good).ok());
  CHECK(counter.documents() == some.size() + pages.size());
}

TEST_CASE("templates: pruned counts decide alike and cannot be added to", "[templates]") {
  const auto pages = SitePages();
  chaff::TemplateCounter counts = CountPages(pages, Iota(pages.size()));
  const std::string complete = counts.Serialize();
  const std::string pruned = counts.Serialize(3);
  CHECK(pruned.size() < complete.size() / 2);
  CHECK(counts.Serialize(1) == complete);  // every pair is seen once at least
  const auto want = AllFlags(CountPages(pages, Iota(pages.size())).Finish(), pages);

  chaff::TemplateCounter read{chaff::TemplateOptions()};
  REQUIRE(read.MergeSerialized(pruned).ok());
  CHECK(read.pruned_below() == 3);
  CHECK(read.sites() == counts.sites());
  CHECK(read.documents() == counts.documents());
  CHECK(read.Serialize() == pruned);  // still pruned when written again
  const auto index = read.Finish();
  REQUIRE(chaff::CheckPrunedCounts(index).ok());
  CHECK(AllFlags(index, pages) == want);

  // A stricter clean may use them; a looser one may not.
  chaff::TemplateOptions strict;
  strict.min_count = 4;
  chaff::TemplateCounter s4(strict);
  REQUIRE(s4.MergeSerialized(pruned).ok());
  chaff::TemplateCounter full4(strict);
  REQUIRE(full4.MergeSerialized(complete).ok());
  const auto idx4 = s4.Finish();
  CHECK(chaff::CheckPrunedCounts(idx4).ok());
  CHECK(AllFlags(idx4, pages) == AllFlags(full4.Finish(), pages));
  chaff::TemplateOptions loose;
  loose.min_count = 2;
  chaff::TemplateCounter s2(loose);
  REQUIRE(s2.MergeSerialized(pruned).ok());
  const chaff::Status refused = chaff::CheckPrunedCounts(s2.Finish());
  CHECK(refused.code() == chaff::StatusCode::kInvalidArgument);
  CHECK(refused.message().find("needs the complete counts") != std::string::npos);

  // Pruned counts are final: nothing is added to them, nor they to others.
  chaff::TemplateCounter a{chaff::TemplateOptions()};
  REQUIRE(a.MergeSerialized(pruned).ok());
  const std::string before = a.Serialize();
  CHECK(a.MergeSerialized(complete).code() == chaff::StatusCode::kInvalidArgument);
  CHECK(a.MergeSerialized(pruned).code() == chaff::StatusCode::kInvalidArgument);
  CHECK(a.Serialize() == before);
  chaff::TemplateCounter b{chaff::TemplateOptions()};
  REQUIRE(b.MergeSerialized(complete).ok());
  CHECK(b.MergeSerialized(pruned).code() == chaff::StatusCode::kInvalidArgument);
  CHECK(b.Serialize() == complete);
}
