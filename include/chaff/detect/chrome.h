// Site chrome: navigation, share and newsletter prompts, "latest" lists of
// unrelated headlines, time stamps, copyright lines, found from plain text
// alone, line by line.
//
// The algorithm, in four steps (jusText's, adapted to plain text, plus a
// main-segment step):
//  1. Features per line, from one pass of the project tokenizer over the
//     document: length in characters and words, stopword density, terminal
//     sentence punctuation (an ellipsis is not one: it ends teasers), share
//     of title-case words, numbers, time-stamp lines ("11 minutes -",
//     "Updated 1:39 am EST, May 2, 2019", "20.11.2019 14:35"), copyright
//     lines ("(c) 2019 ...", "(C) Example", "Copyright 2019",
//     "All rights reserved").
//  2. A first class per line: good (long, sentence-like), near-good, short
//     (too short to judge alone) or bad. Time-stamp and copyright lines are
//     bad whatever their context; so are short lines that occur twice or
//     more in the document ("Reply", "Advertisement"). Lines with numbers
//     are never bad alone (table rows, prices, scores): they are short; so
//     are bulleted or numbered list items of three words or more (lists
//     inside an article are content without sentence punctuation; a
//     bulleted menu at a page's edge still takes its bad neighbours'
//     class). On the 2,225 BBC articles (all content) the list rule keeps
//     7 of the 67 content runs the classifier removed; on ScrapingHub it
//     changes no score.
//  3. Context smoothing (jusText): short lines take the class of their
//     nearest non-short neighbours, near-good lines become good unless both
//     neighbours are bad; the document edges and lines already removed by
//     other detectors count as bad neighbours. A document without any good
//     line judges its near-good lines as good ones.
//  4. Main segment: the run of lines with the largest sum of signed weights
//     is the content (good lines +words, near-good sentences +0.6 x words,
//     short lines -3, bad lines -max(words, 15), time stamps and copyright
//     lines -max(words, 30)); captions and inline promos inside an article
//     are small negative weights and do not end it, a menu, a comment form
//     or a list of dated items does. Lines outside the segment, and bad
//     lines inside it, are chrome. A title line directly above the segment
//     (blank lines between) that shares at least two words with the head of
//     the segment is kept.
// When a document's text does not fit the stoplist (another language, or
// CJK), stopword density is not used and the classes come from length and
// punctuation alone (each CJK character is a word and 。！？ end sentences),
// so the fallback never removes a whole article for lacking English
// stopwords.
//
// Quality: chaff-eval-scrapinghub (tools/eval_scrapinghub.cc) scores the
// whole cleaner on the ScrapingHub plain-text pages.
#ifndef CHAFF_DETECT_CHROME_H_
#define CHAFF_DETECT_CHROME_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/detect/decision.h"
#include "chaff/status.h"
#include "chaff/text/document.h"
#include "chaff/text/line_shape.h"
#include "chaff/text/stoplist.h"

namespace chaff {

// Thresholds of the chrome classifier. The defaults start from jusText's
// and were tuned on the ScrapingHub plain-text pages, all 181 of them, with
// each half (even and odd positions) reported separately to catch settings
// that only suit one half (tools/eval_scrapinghub.cc prints both); nothing
// is fitted to a site. The CLI exposes each of them (src/cli/chrome_flags.cc).
struct ChromeOptions {
  bool enabled = true;

  // Lines shorter than this many characters (code points) are "short": too
  // short to judge alone, they take their neighbours' class (jusText's
  // length_low; lower than jusText's 70 because a plain-text line is one
  // paragraph or less, not an HTML block).
  int length_low = 30;
  // Lines at least this long with enough stopwords (or, in the
  // language-independent fallback, ending like a sentence) are "good"
  // (jusText's length_high).
  int length_high = 160;
  // Stopword density (stopwords / words) at or above which a line is
  // near-good, and good when it is also long.
  double stop_low = 0.30;
  double stop_high = 0.36;
  // When fewer than this share of a document's words are stopwords the
  // stoplist does not fit its language: the classifier falls back to
  // length, punctuation and context.
  double min_doc_stop_density = 0.12;
  // A line whose alphabetic words are at least this share title-case
  // ("Headline Of Another Story") and that does not end like a sentence is
  // demoted one class: lists of links and headlines look like this.
  double title_case_share = 0.5;
  // Lines with numbers that would be bad are short instead (table rows,
  // prices, scores): their context decides.
  bool numbers_are_short = true;
  // Bulleted or numbered list items ("- ", "* ", "• ", "1. ", "2) ") of at
  // least this many words that would be bad are short instead: lists inside
  // an article are content without sentence punctuation, so their context
  // decides. 0 turns this off.
  int list_item_min_words = 3;
  // Short lines that occur twice or more in the document are bad ("Reply",
  // "Advertisement"), not judged by their context.
  bool repeated_short_lines_are_bad = true;
  // Time-stamp lines have at most this many words.
  int max_timestamp_words = 10;
  // Keep only the main segment (the best-scoring run of lines); when false,
  // every line that is good after smoothing is kept.
  bool main_segment = true;
  // Weight of a bad line against a good one of the same length when
  // choosing the main segment (larger: segments end more easily).
  double bad_weight = 1.0;
  // A bad line costs at least this many words when choosing the main
  // segment, however short it is (a "Reply" or "Share" line still marks a
  // border between the article and what follows).
  int bad_line_words = 15;
  // Time-stamp and copyright lines cost at least this many words: they
  // head dated items (comments, other stories) or end the page.
  int stamp_line_words = 30;
  // Near-good lines that end like a sentence add this share of their words
  // to the segment sum (other near-good lines add nothing).
  double near_good_weight = 0.6;
  // A short line (with words) costs this many words in the segment sum: a
  // sub-heading between paragraphs costs nothing that matters, a menu of
  // twenty of them is a border.
  double short_line_words = 3;
  // Keep a title line directly above the main segment when at least this
  // many of its distinct non-stopword words occur in the segment (0: never
  // keep a title).
  int title_min_shared_words = 2;
  // The stoplist; null means Stoplist::English().
  std::shared_ptr<const Stoplist> stoplist;
};

// Replaces options->stoplist with the words of `text`: one word per line;
// blank lines and lines starting with '#' are ignored; surrounding white
// space is trimmed. Fails (and leaves `options` unchanged) when a line holds
// more than one token, or when the list has no words. `name` (a file name)
// prefixes error messages: "name:3: ...".
Status ParseStoplist(std::string_view text, std::string_view name,
                     ChromeOptions* options);

// What the classifier measures on one line (exposed for tests and for
// `chaff explain`).
struct LineFeatures {
  int chars = 0;          // code points, leading and trailing space excluded
  int words = 0;          // tokens (each CJK character is one)
  int stopwords = 0;      // tokens in the stoplist
  int alpha_words = 0;    // tokens that start with a letter
  int title_words = 0;    // ... of which start with an upper-case letter
  int number_words = 0;   // tokens that start with a digit
  int time_words = 0;     // month, weekday and time-unit words, am/pm, ago
  bool terminal = false;  // ends like a sentence (. ! ? ... and CJK stops)
  bool timestamp = false;
  bool copyright = false;
  bool list_item = false; // starts with a bullet or an item number and a space
};

// Measures `line` (one line, no terminator).
LineFeatures ComputeLineFeatures(std::string_view line, const Stoplist& stoplist);

// The first class of a line (step 2), before smoothing.
enum class ChromeClass : uint8_t { kBad = 0, kShort = 1, kNearGood = 2, kGood = 3 };

// Step 2 for one line. `use_stopwords` is false in the language-independent
// fallback.
ChromeClass ClassifyLine(const LineFeatures& f, const ChromeOptions& options,
                         bool use_stopwords);

// Marks as Reason::kChrome the lines of `text` that are site furniture and
// sets each non-blank line's decision.score to its content score in [0, 1]
// (the class before smoothing: 0 bad, 0.25 short, 0.5 near-good, 1 good).
// Lines already removed by another detector (decision != kKeep) are treated
// as bad context and are not changed. Blank lines are left to the cleaner.
// Preconditions: decisions->size() == doc.num_lines(). Thread-safe
// (per-thread scratch buffers, reused).
void ClassifyChrome(const Document& doc, const ChromeOptions& options,
                    std::vector<LineDecision>* decisions);

}  // namespace chaff

#endif  // CHAFF_DETECT_CHROME_H_
