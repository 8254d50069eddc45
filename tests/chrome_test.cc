// Unit tests of the chrome classifier: features, classes, smoothing, the
// main segment and the title, on synthetic documents.
#include "chaff/detect/chrome.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "chaff/detect/clean.h"
#include "text/stoplist_snowball.h"

namespace {

using chaff::ChromeClass;
using chaff::ChromeOptions;
using chaff::Reason;

const chaff::Stoplist& English() { return *chaff::Stoplist::English(); }

// Article paragraphs: long, sentence-like, full of stopwords.
const char* const kProse[] = {
    "The committee met on Tuesday and agreed that the new bridge would be "
    "built over the river by the end of next year, after months of debate "
    "about its cost and about the route of the road that leads to it.",
    "Engineers said that the design had been changed twice because the "
    "ground on the eastern bank was softer than they had first thought, and "
    "that the piers would now go deeper into the bed of the river.",
    "Residents who live near the site told reporters that they were worried "
    "about noise, but most of them welcomed the plan and its new footpath, "
    "which will link the two parks for the first time in a century.",
    "The council will now ask for bids from builders, and it hopes that work "
    "can start in the spring if the weather is kind to the crews on site and "
    "if the money from the regional fund arrives on time this year.",
};

// Cleans `text` with default options and returns the decisions.
chaff::CleanResult Clean(const std::string& text,
                         ChromeOptions chrome = ChromeOptions()) {
  chaff::CleanOptions options;
  options.chrome = std::move(chrome);
  chaff::CleanResult result;
  chaff::Cleaner(options).Clean(text, &result);
  return result;
}

// The reason given to the line whose text is `needle`.
Reason ReasonOf(const chaff::CleanResult& r, const std::string& text,
                const std::string& needle) {
  for (size_t i = 0; i < r.lines.size(); ++i) {
    if (chaff::LineText(text, r.lines[i]) == needle) return r.decisions[i].reason;
  }
  FAIL("no line " << needle);
  return Reason::kKeep;
}

std::string Article() {
  std::string s;
  for (const char* p : kProse) s += std::string(p) + "\n\n";
  return s;
}

}  // namespace

TEST_CASE("chrome: line features", "[chrome]") {
  auto f = chaff::ComputeLineFeatures("The cat sat on the mat.", English());
  CHECK(f.words == 6);
  CHECK(f.stopwords >= 2);  // "the" twice at least
  CHECK(f.terminal);
  CHECK(f.title_words == 1);
  CHECK(f.alpha_words == 6);
  CHECK_FALSE(f.timestamp);
  CHECK_FALSE(f.copyright);

  f = chaff::ComputeLineFeatures("  Quiet River Walks Reopen  ", English());
  CHECK(f.chars == 24);  // surrounding space is not counted
  CHECK(f.title_words == 4);
  CHECK_FALSE(f.terminal);

  // Closing quotes and brackets after the stop still end a sentence.
  CHECK(chaff::ComputeLineFeatures("He said \"it is done.\"", English()).terminal);
  CHECK(chaff::ComputeLineFeatures("(as planned.)", English()).terminal);
  CHECK_FALSE(chaff::ComputeLineFeatures("Read more:", English()).terminal);
  // CJK full stop; each ideograph is a word.
  f = chaff::ComputeLineFeatures("今日は晴れです。", English());
  CHECK(f.terminal);
  CHECK(f.words >= 4);
}

TEST_CASE("chrome: line features of tokens that start outside ASCII", "[chrome]") {
  // Letters (upper, lower, title case "ǅ", CJK), digits of other scripts
  // ("٣"), and a token that is neither ("½").
  auto f = chaff::ComputeLineFeatures("Élan über 12 ٣ ½ ǅemal café, naïve — 今日 Rights",
                                      English());
  CHECK(f.chars == 46);
  CHECK(f.words == 11);
  CHECK(f.alpha_words == 8);
  CHECK(f.title_words == 3);
  CHECK(f.number_words == 2);
  // Multi-byte characters on both sides of 8-byte boundaries.
  f = chaff::ComputeLineFeatures("  “À la carte” cafés naïvetés résumés  ", English());
  CHECK(f.chars == 35);
  CHECK(f.words == 6);
  CHECK(f.alpha_words == 6);
  CHECK(f.title_words == 1);
  // "Copyright" followed by a number in another script; "rights reserved"
  // in a short line with a time word.
  f = chaff::ComputeLineFeatures("Copyright ٣٢ Example", English());
  CHECK(f.copyright);
  CHECK(f.number_words == 1);
  f = chaff::ComputeLineFeatures("rights reserved 12:30 pm", English());
  CHECK(f.copyright);
  CHECK(f.time_words == 1);
  CHECK_FALSE(f.timestamp);
}

TEST_CASE("chrome: time-stamp and copyright lines", "[chrome]") {
  const auto& en = English();
  CHECK(chaff::ComputeLineFeatures("4 hours ago", en).timestamp);
  CHECK(chaff::ComputeLineFeatures("27 minutes -", en).timestamp);
  CHECK(chaff::ComputeLineFeatures("Posted 3:15 pm EST, Friday, March 6, 2020", en).timestamp);
  CHECK(chaff::ComputeLineFeatures("06.03.2020 15:42", en).timestamp);
  // A price or a count alone is content, not a time stamp.
  CHECK_FALSE(chaff::ComputeLineFeatures("$1,299", en).timestamp);
  CHECK_FALSE(chaff::ComputeLineFeatures("42", en).timestamp);
  CHECK_FALSE(chaff::ComputeLineFeatures(kProse[0], en).timestamp);

  CHECK(chaff::ComputeLineFeatures("\xC2\xA9 2020 Riverside Gazette", en).copyright);
  CHECK(chaff::ComputeLineFeatures("(c) 2019 Some Media Group", en).copyright);
  CHECK(chaff::ComputeLineFeatures("Copyright 2018 Example Press", en).copyright);
  CHECK(chaff::ComputeLineFeatures("All rights reserved.", en).copyright);
  // A photo credit is not a copyright line.
  CHECK_FALSE(chaff::ComputeLineFeatures("Image copyright Some Agency", en).copyright);
  // "rights reserved" only in a row.
  CHECK_FALSE(chaff::ComputeLineFeatures("The rights of tenants were reserved.", en).copyright);
  CHECK_FALSE(chaff::ComputeLineFeatures("Tenants asked about their rights.", en).copyright);
}

TEST_CASE("chrome: first classes", "[chrome]") {
  const ChromeOptions o;
  const auto& en = English();
  CHECK(chaff::ClassifyLine(chaff::ComputeLineFeatures(kProse[0], en), o, true) ==
        ChromeClass::kGood);
  CHECK(chaff::ClassifyLine(chaff::ComputeLineFeatures("Menu", en), o, true) ==
        ChromeClass::kShort);
  // A long run of Title Case words without a stop: a headline or link.
  const auto headline = chaff::ComputeLineFeatures(
      "Local Team Wins Regional Final After Dramatic Late Comeback Victory", en);
  CHECK(chaff::ClassifyLine(headline, o, true) == ChromeClass::kBad);
  // A sentence with few stopwords (names, numbers) is still near-good.
  const auto names = chaff::ComputeLineFeatures(
      "Smith finished second, Jones third and Brown fourth in 4:02.5.", en);
  CHECK(chaff::ClassifyLine(names, o, true) == ChromeClass::kNearGood);
  // Fallback without stopwords: a long sentence is good.
  CHECK(chaff::ClassifyLine(chaff::ComputeLineFeatures(kProse[1], en), o, false) ==
        ChromeClass::kGood);
  // Time stamps are bad whatever their length.
  CHECK(chaff::ClassifyLine(chaff::ComputeLineFeatures("2 hours ago", en), o, true) ==
        ChromeClass::kBad);
}

TEST_CASE("chrome: an article between menus keeps its body only", "[chrome]") {
  const std::string text =
      "Home\nNews\nSport\nWeather\n\n" + Article() +
      "Follow us\nFacebook\nTwitter\n\xC2\xA9 2020 Riverside Gazette\n";
  const auto r = Clean(text);
  CHECK(ReasonOf(r, text, "Home") == Reason::kChrome);
  CHECK(ReasonOf(r, text, "Weather") == Reason::kChrome);
  CHECK(ReasonOf(r, text, "Twitter") == Reason::kChrome);
  CHECK(ReasonOf(r, text, "\xC2\xA9 2020 Riverside Gazette") == Reason::kChrome);
  for (const char* p : kProse) CHECK(ReasonOf(r, text, p) == Reason::kKeep);
  // Every removed byte is accounted for.
  CHECK(r.accounting.total_bytes() == text.size());
  CHECK(r.cleaned.find("Facebook") == std::string::npos);
}

TEST_CASE("chrome: short lines between content lines are content", "[chrome]") {
  // A sub-heading and list items without sentence punctuation inside the
  // article take the class of the paragraphs around them.
  const std::string text = std::string(kProse[0]) + "\n\nWhat happens next\n\n" +
                           kProse[1] + "\n- steel deck\n- two lanes\n- 120 metres\n" +
                           kProse[2] + "\n" + kProse[3] + "\n";
  const auto r = Clean(text);
  CHECK(ReasonOf(r, text, "What happens next") == Reason::kKeep);
  CHECK(ReasonOf(r, text, "- steel deck") == Reason::kKeep);
  CHECK(ReasonOf(r, text, "- 120 metres") == Reason::kKeep);
}

TEST_CASE("chrome: list markers", "[chrome]") {
  const auto& en = English();
  for (const char* item : {"- steel deck", "* steel deck", "+ steel deck", "1. steel deck",
                           "12) steel deck", "a) steel deck", "B. steel deck",
                           "\xE2\x80\xA2 steel deck", "\xC2\xB7 steel deck",
                           "\xE2\x80\x93 steel deck", "   - steel deck"}) {
    INFO(item);
    CHECK(chaff::ComputeLineFeatures(item, en).list_item);
  }
  for (const char* line : {"-steel deck", "steel - deck", "1234. steel deck", "ab) steel deck",
                           "2019. It was a year", "-", "1."}) {
    INFO(line);
    CHECK_FALSE(chaff::ComputeLineFeatures(line, en).list_item);
  }
}

TEST_CASE("chrome: bulleted items inside an article are content", "[chrome]") {
  // Items too long to be short lines, without stops or many stopwords: bad
  // alone, but a list marker lets the paragraphs around them decide.
  const char* const kItems[] = {
      "- Duty cuts on capital goods, raw materials and imported industrial machinery parts",
      "- Targeted teenagers with multi-billion dollar advertising campaigns across Europe",
      "- Reduced corporate tax rates for small firms, farmers, exporters and software companies",
  };
  std::string text = std::string(kProse[0]) + "\n" + kProse[1] + "\n";
  for (const char* item : kItems) text += std::string(item) + "\n";
  text += std::string(kProse[2]) + "\n" + kProse[3] + "\n";
  const auto& en = English();
  const ChromeOptions defaults;
  for (const char* item : kItems) {
    INFO(item);
    const auto f = chaff::ComputeLineFeatures(item, en);
    CHECK(f.list_item);
    CHECK(chaff::ClassifyLine(f, defaults, true) == ChromeClass::kShort);
    CHECK(ReasonOf(Clean(text), text, item) == Reason::kKeep);
  }
  ChromeOptions off;
  off.list_item_min_words = 0;
  const auto r = Clean(text, off);
  for (const char* item : kItems) CHECK(ReasonOf(r, text, item) == Reason::kChrome);
  // A bulleted menu at the edge of the page is still chrome.
  const std::string page = "- Home page\n- World news today\n- Sport and weather\n\n" + Article();
  const auto p = Clean(page);
  CHECK(ReasonOf(p, page, "- World news today") == Reason::kChrome);
  CHECK(ReasonOf(p, page, "- Sport and weather") == Reason::kChrome);
}

TEST_CASE("chrome: a caption inside the article does not end it", "[chrome]") {
  const std::string text = std::string(kProse[0]) + "\n" + kProse[1] +
                           "\nPhoto: J. Doe / Agency\n" + kProse[2] + "\n" +
                           kProse[3] + "\n";
  const auto r = Clean(text);
  for (const char* p : kProse) CHECK(ReasonOf(r, text, p) == Reason::kKeep);
}

TEST_CASE("chrome: a list of headlines with time stamps after the article", "[chrome]") {
  std::string text = Article() + "More from the site\n";
  const char* const headlines[] = {
      "Farmers Count Cost Of Wet Summer Across Northern Valleys",
      "City Library Extends Weekend Opening Hours For Students",
      "Ferry Operator Adds Winter Crossings To Island Timetable"};
  for (const char* h : headlines) text += std::string(h) + "\n12 minutes ago\n";
  const auto r = Clean(text);
  for (const char* p : kProse) CHECK(ReasonOf(r, text, p) == Reason::kKeep);
  for (const char* h : headlines) CHECK(ReasonOf(r, text, h) == Reason::kChrome);
  CHECK(ReasonOf(r, text, "More from the site") == Reason::kChrome);
}

TEST_CASE("chrome: a title that leads into the content is kept", "[chrome]") {
  const std::string title = "Council Approves New River Bridge Design";
  std::string text = "Sign in\nMenu\n\n" + title + "\n\n" + Article();
  auto r = Clean(text);
  CHECK(ReasonOf(r, text, title) == Reason::kKeep);
  CHECK(ReasonOf(r, text, "Menu") == Reason::kChrome);
  // A line above the content that shares no words with it is not a title.
  text = "Listen To This Article\n" + Article();
  r = Clean(text);
  CHECK(ReasonOf(r, text, "Listen To This Article") == Reason::kChrome);
  // Title keeping can be turned off.
  ChromeOptions off;
  off.title_min_shared_words = 0;
  text = "Sign in\nMenu\n\n" + title + "\n\n" + Article();
  r = Clean(text, off);
  CHECK(ReasonOf(r, text, title) == Reason::kChrome);
}

TEST_CASE("chrome: lines removed by other detectors are bad context, unchanged",
          "[chrome]") {
  const std::string text = Article() + "Share\n";
  const chaff::Document doc(text);
  std::vector<chaff::LineDecision> d(doc.num_lines());
  d[0].reason = Reason::kTemplate;  // pretend the first paragraph is a template
  chaff::ClassifyChrome(doc, ChromeOptions(), &d);
  CHECK(d[0].reason == Reason::kTemplate);
  CHECK(d.back().reason == Reason::kChrome);
  CHECK(d[2].reason == Reason::kKeep);
  CHECK(d[2].score == Approx(1.0));
}

TEST_CASE("chrome: language-independent fallback keeps foreign and CJK prose",
          "[chrome]") {
  // Without English stopwords, long sentence-like lines are still content.
  const std::string cjk[] = {
      "市議会は火曜日に新しい橋の設計を承認し、来年末までに工事を完了する予定だと発表した。",
      "技術者によると、東岸の地盤が想定より柔らかかったため、設計は二度変更されたという。",
      "近隣の住民は騒音を心配しているが、多くは計画と新しい遊歩道を歓迎している。",
  };
  std::string text = "Menu\n";
  for (const auto& line : cjk) text += line + "\n";
  const auto r = Clean(text);
  for (size_t i = 1; i < r.lines.size(); ++i) {
    CHECK(r.decisions[i].reason == Reason::kKeep);
  }

  const std::string de =
      "Der Gemeinderat hat am Dienstag beschlossen, dass die neue Brücke bis "
      "zum Ende des nächsten Jahres über den Fluss gebaut werden soll.\n"
      "Die Ingenieure sagten, der Entwurf sei zweimal geändert worden, weil "
      "der Boden am östlichen Ufer weicher war als zunächst gedacht.\n"
      "Anwohner erklärten, sie seien wegen des Lärms besorgt, begrüßten aber "
      "mehrheitlich den Plan und den neuen Fußweg am Wasser.\n";
  const auto rd = Clean("Startseite\nAnmelden\n" + de);
  int de_kept = 0;
  for (const auto& dec : rd.decisions) de_kept += dec.reason == Reason::kKeep;
  CHECK(de_kept == 3);
}

TEST_CASE("chrome: stoplists from text", "[chrome]") {
  ChromeOptions o;
  REQUIRE(chaff::ParseStoplist("# German\nder\ndie\n\n  und \nÜber\n", "de.txt", &o).ok());
  REQUIRE(o.stoplist != nullptr);
  CHECK(o.stoplist->size() == 4);
  CHECK(o.stoplist->ContainsNormalized("und"));
  CHECK(o.stoplist->ContainsNormalized("uber"));  // normalized: folded, lower case
  CHECK_FALSE(o.stoplist->ContainsNormalized("the"));
  const auto f = chaff::ComputeLineFeatures("Der Hund und die Katze", *o.stoplist);
  CHECK(f.stopwords == 3);

  ChromeOptions bad;
  const auto s = chaff::ParseStoplist("der\nzwei Wörter\n", "de.txt", &bad);
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("de.txt:2") != std::string::npos);
  CHECK(bad.stoplist == nullptr);
  CHECK_FALSE(chaff::ParseStoplist("# nothing\n\n", "empty.txt", &bad).ok());

  // The built-in list is the generated English one.
  CHECK(English().size() >= 150);
  CHECK(English().ContainsNormalized("the"));
  CHECK_FALSE(English().ContainsNormalized("bridge"));
}

TEST_CASE("chrome: disabled does nothing", "[chrome]") {
  ChromeOptions o;
  o.enabled = false;
  const std::string text = "Home\nMenu\n" + Article();
  const auto r = Clean(text, o);
  for (const auto& d : r.decisions) CHECK(d.reason == Reason::kKeep);
}

TEST_CASE("chrome: each built-in list is chosen for a text of its own words", "[chrome]") {
  // Every list's words, as one text, pick that list (every bit of the
  // combined lookup table is exercised).
  const double d = chaff::ChromeOptions().min_doc_stop_density;
  for (size_t i = 0; i < chaff::internal::kNumSnowballLists; ++i) {
    const auto& list = chaff::internal::kSnowballLists[i];
    std::string text;
    for (size_t w = 0; w < list.size; ++w) text += std::string(list.words[w]) + " ";
    INFO(list.language);
    CHECK(chaff::BuiltinStoplistLanguage(text, d) == list.language);
  }
}

TEST_CASE("chrome: a built-in stoplist is chosen for text in another language", "[chrome]") {
  const double d = chaff::ChromeOptions().min_doc_stop_density;
  CHECK(chaff::BuiltinStoplistLanguage(
            "The minister said that the plan would be ready by the end of the year, "
            "and that it was not yet clear how much it would cost.", d) == "english");
  CHECK(chaff::BuiltinStoplistLanguage(
            "O governo anunciou nesta segunda-feira um novo plano para a educação, que "
            "deve chegar a todas as escolas do país até o fim do próximo ano.", d) ==
        "portuguese");
  CHECK(chaff::BuiltinStoplistLanguage(
            "Die Regierung hat am Montag einen neuen Plan für die Schulen vorgestellt, "
            "der bis zum Ende des nächsten Jahres in allen Ländern gelten soll.", d) ==
        "german");
  CHECK(chaff::BuiltinStoplistLanguage(
            "Il governo ha presentato lunedì un nuovo piano per la scuola, che dovrebbe "
            "arrivare in tutte le regioni entro la fine del prossimo anno.", d) == "italian");
  // No list fits: names and numbers only.
  CHECK(chaff::BuiltinStoplistLanguage("Zxq 2024 Vbnm Qwrt 77 Plk", d).empty());
}
