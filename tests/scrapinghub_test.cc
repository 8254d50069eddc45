// Quality gate on the ScrapingHub plain-text pages, cleaned with default
// options (tools/eval_scrapinghub.cc prints the details). The built-in line
// model is trained on wcxb-dev alone, so these pages are held out: it scores
// 0.887 (precision 0.845, recall 0.934); the gate is 0.88, each half 0.86,
// so that a change suiting only one half shows. (Issue 17's target, 0.93,
// is not reached: the model keeps too much of news pages' link lists.)
// Skipped when ../shared/data is absent.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "eval_scrapinghub.h"

TEST_CASE("scrapinghub: default cleaning reaches F1 >= 0.88",
          "[scrapinghub][lines]") {
  std::map<std::string, chaff::eval::Page> pages;
  const chaff::Status s = chaff::eval::LoadScrapinghub(CHAFF_SHARED_DATA_DIR, &pages);
  if (s.code() == chaff::StatusCode::kNotFound) {
    WARN("SKIPPED: " << s.message());
    return;
  }
  REQUIRE(s.ok());
  REQUIRE(pages.size() == 181);
  const chaff::TemplateOptions templates;
  const chaff::Cleaner cleaner{chaff::CleanOptions()};
  const auto counts = chaff::eval::CleanAndScore(pages, cleaner, &templates, nullptr);
  const chaff::eval::Prf m = chaff::eval::Aggregate(counts);
  INFO("precision " << m.p << " recall " << m.r << " F1 " << m.f1);
  CHECK(m.f1 >= 0.88);
  // Both halves hold too.
  std::vector<chaff::eval::Counts> half[2];
  for (size_t i = 0; i < counts.size(); ++i) half[i % 2].push_back(counts[i]);
  CHECK(chaff::eval::Aggregate(half[0]).f1 >= 0.86);
  CHECK(chaff::eval::Aggregate(half[1]).f1 >= 0.86);
}

TEST_CASE("scrapinghub: the metric matches the benchmark's evaluate.py", "[scrapinghub]") {
  using chaff::eval::Score;
  // Identical texts: all true positives.
  auto c = Score("one two three four five", "one two three four five");
  CHECK(c.tp == Approx(1.0));
  // Case is kept (\w+ tokens are not lower-cased), so "One" != "one".
  c = Score("one two three four", "One two three four");
  CHECK(c.tp == 0.0);
  CHECK(c.fp == Approx(0.5));
  // Fewer than 4 tokens: one shingle of all of them.
  c = Score("a b", "a b");
  CHECK(c.tp == Approx(1.0));
  // Empty prediction: no precision term, recall 0.
  c = Score("a b c d", "");
  CHECK(c.tp + c.fp == 0.0);
  const auto m = chaff::eval::Aggregate({c, Score("w x y z", "w x y z")});
  CHECK(m.p == Approx(1.0));
  CHECK(m.r == Approx(0.5));
  // Underscore and non-ASCII letters are word characters; punctuation not.
  CHECK(chaff::eval::WordTokens("snake_case, café—naïve 42").size() == 4);
}
