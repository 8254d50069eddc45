// Per-line chrome classifier: features, jusText-style context smoothing and
// main-segment selection. See include/chaff/chrome.h for the algorithm.
#include "chaff/detect/chrome.h"

#include <utf8proc.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_set>

#include "chaff/text/tokenize.h"
#include "text/stoplist_internal.h"
#include "text/unicode_fold.h"

namespace chaff {
namespace {

using internal::BestBuiltinList;
using internal::CountHits;
using internal::SnowballStoplists;
using internal::kClearlyEnglish;

// Stoplists match tokens by the tokenizer's own hash (tokenize.h: XXH3 of
// the normalized token with kDefaultTokenSeed), so the classifier looks
// words up straight from Tokenize's output.
uint64_t HashNormalized(std::string_view norm) {
  return XXH3_64bits_withSeed(norm.data(), norm.size(), kDefaultTokenSeed);
}

// Hashes of the tokens that make up copyright lines.
struct CopyrightHashes {
  uint64_t copyright = HashNormalized("copyright");
  uint64_t rights = HashNormalized("rights");
  uint64_t reserved = HashNormalized("reserved");
  uint64_t c = HashNormalized("c");
};
const CopyrightHashes& Copyright() {
  static const CopyrightHashes* const kHashes = new CopyrightHashes();
  return *kHashes;
}

bool IsDigitByte(uint8_t c) { return c >= '0' && c <= '9'; }

// Classes of a token by its first code point, as bits.
constexpr uint32_t kAlpha = 1;  // a letter (any ASCII byte that is not a digit)
constexpr uint32_t kTitle = 2;  // an upper-case or title-case letter
constexpr uint32_t kDigit = 4;  // a decimal digit

// The classes of tokens that start with an ASCII byte.
constexpr std::array<uint8_t, 128> AsciiTokenClasses() {
  std::array<uint8_t, 128> classes{};
  for (int c = 0; c < 128; ++c) {
    classes[c] = c >= '0' && c <= '9'   ? kDigit
                 : c >= 'A' && c <= 'Z' ? kAlpha | kTitle
                                        : kAlpha;
  }
  return classes;
}
constexpr std::array<uint8_t, 128> kAsciiTokenClasses = AsciiTokenClasses();

// Classifies the first code point of the token p[b, e). ASCII (nearly every
// token of most text) needs no Unicode tables.
uint32_t TokenClass(const uint8_t* p, size_t b, size_t e) {
  const uint8_t first = p[b];
  if (first < 0x80) return kAsciiTokenClasses[first];
  utf8proc_int32_t cp = -1;
  utf8proc_iterate(p + b, static_cast<utf8proc_ssize_t>(e - b), &cp);
  const auto cat = utf8proc_category(cp);
  if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT) return kAlpha | kTitle;
  if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) return kAlpha;
  return cat == UTF8PROC_CATEGORY_ND ? kDigit : 0;
}

// Sets f->alpha_words, f->title_words and f->number_words from the classes
// of tokens[t0, t1). Digits and title-case letters are counted in the two
// halves of one 64-bit word (Tokenize takes at most 4 GiB: fewer than 2^32
// tokens), and every token that is neither a digit nor a letter starts with
// a byte from 0x80: ASCII tokens cost one table load and one add.
void CountTokenClasses(const uint8_t* p, const Tokens& tokens, size_t t0, size_t t1,
                       LineFeatures* f) {
  constexpr uint64_t kTitleOne = uint64_t{1} << 32;
  auto counts = [](uint32_t cls) {
    return ((cls & kDigit) ? 1 : 0) + ((cls & kTitle) ? kTitleOne : 0);
  };
  static constexpr auto kAsciiCounts = [counts] {
    std::array<uint64_t, 128> a{};
    for (size_t c = 0; c < a.size(); ++c) a[c] = counts(kAsciiTokenClasses[c]);
    return a;
  }();
  uint64_t digits_titles = 0;
  int neither = 0;
  for (size_t t = t0; t < t1; ++t) {
    const uint32_t b = tokens.begin[t];
    if (p[b] < 0x80) {
      digits_titles += kAsciiCounts[p[b]];
    } else {
      const uint32_t cls = TokenClass(p, b, tokens.end[t]);
      digits_titles += counts(cls);
      neither += (cls & (kAlpha | kDigit)) == 0;
    }
  }
  f->number_words = static_cast<int>(digits_titles & 0xFFFFFFFF);
  f->title_words = static_cast<int>(digits_titles >> 32);
  f->alpha_words = static_cast<int>(t1 - t0) - f->number_words - neither;
}

// True when p[b, e) starts with a list marker and a space: a bullet ("-",
// "*", "+", U+2022 bullet, U+00B7 middle dot, U+2013 en dash, U+25AA and
// U+25B8 small squares and triangles, U+25CF black circle) or an item
// number of one to three digits or one letter followed by "." or ")".
bool StartsLikeListItem(const uint8_t* p, size_t b, size_t e) {
  size_t marker = 0;  // bytes of the marker
  const uint8_t c = b < e ? p[b] : 0;
  if (c == '-' || c == '*' || c == '+') {
    marker = 1;
  } else if (c == 0xC2 && b + 1 < e && p[b + 1] == 0xB7) {
    marker = 2;
  } else if (c == 0xE2 && b + 2 < e &&
             ((p[b + 1] == 0x80 && (p[b + 2] == 0xA2 || p[b + 2] == 0x93)) ||
              (p[b + 1] == 0x96 && (p[b + 2] == 0xAA || p[b + 2] == 0xB8)) ||
              (p[b + 1] == 0x97 && p[b + 2] == 0x8F))) {
    marker = 3;
  } else {
    size_t i = b;
    while (i < e && i < b + 3 && IsDigitByte(p[i])) ++i;
    if (i == b && i < e && ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z'))) ++i;
    if (i > b && i < e && (p[i] == '.' || p[i] == ')')) marker = i + 1 - b;
  }
  return marker > 0 && b + marker < e && p[b + marker] == ' ';
}

// Measures the line text[b, e) whose tokens are tokens[t0, t1) (offsets
// into `text`). The per-token work is split in separate loops (stopwords;
// classes of the first characters; separators and copyright words; time
// words, on short lines only) so that each keeps its state in registers.
LineFeatures MeasureLine(std::string_view text, size_t b, size_t e,
                         const Tokens& tokens, size_t t0, size_t t1,
                         const Stoplist& stoplist, int max_timestamp_words) {
  LineFeatures f;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  while (b < e && IsSpaceByte(p[b])) ++b;
  while (e > b && IsSpaceByte(p[e - 1])) --e;
  f.chars = CountCodePoints(p, b, e);
  f.terminal = EndsLikeSentence(p, b, e);
  f.list_item = StartsLikeListItem(p, b, e);
  f.words = static_cast<int>(t1 - t0);
  f.stopwords = static_cast<int>(CountHits(stoplist, tokens, t0, t1));

  const uint32_t* const tok_begin = tokens.begin.data();
  const uint32_t* const tok_end = tokens.end.data();
  const uint64_t* const hashes = tokens.hashes.data();
  const CopyrightHashes& copyright = Copyright();
  bool time_pattern = false;  // "12:30", "20/11/2019", "2019-11-20"
  bool copyright_line = false;
  // Separators p[gap_begin, gap_end): the copyright sign, and punctuation
  // between two numbers.
  auto scan_gap = [&](size_t gap_begin, size_t gap_end) {
    for (size_t i = gap_begin; i < gap_end; ++i) {
      const uint8_t c = p[i];
      if (c == 0xC2 && i + 1 < gap_end && p[i + 1] == 0xA9) {
        copyright_line = true;  // ©
      } else if ((c == ':' || c == '/' || c == '-' || c == '.') && i > b &&
                 i + 1 < e && IsDigitByte(p[i - 1]) && IsDigitByte(p[i + 1])) {
        time_pattern = true;
      }
    }
  };
  CountTokenClasses(p, tokens, t0, t1, &f);
  bool prev_special = false;  // the previous token is one of the copyright words
  uint64_t prev_h = 0;        // and this is its hash
  size_t gap_begin = b;  // separator bytes before the current token
  for (size_t t = t0; t < t1; ++t) {
    const size_t begin = tok_begin[t];
    // Most gaps are one space.
    if (begin != gap_begin + 1 || p[gap_begin] != ' ') scan_gap(gap_begin, begin);
    gap_begin = tok_end[t];
    const uint64_t h = hashes[t];
    const bool special = h == copyright.copyright || h == copyright.reserved ||
                         h == copyright.c || h == copyright.rights;
    if (special || prev_special) {
      // Rare: "copyright 2019", "rights reserved", "(c)". A bare "copyright"
      // is a photo credit ("Image copyright Agency") as often as a footer.
      if (prev_special && prev_h == copyright.copyright &&
          (TokenClass(p, begin, gap_begin) & kDigit)) {
        copyright_line = true;
      }
      if (prev_special && prev_h == copyright.rights && h == copyright.reserved) {
        copyright_line = true;
      }
      if (h == copyright.c && begin > b && gap_begin < e && p[begin - 1] == '(' &&
          p[gap_begin] == ')') {
        copyright_line = true;
      }
    }
    prev_special = special;
    prev_h = h;
  }
  scan_gap(gap_begin, e);
  f.copyright = copyright_line;
  if (f.words <= max_timestamp_words) {
    const Stoplist& time_words = TimeWords();
    for (size_t t = t0; t < t1; ++t) {
      if (TokenClass(p, tok_begin[t], tok_end[t]) & kAlpha) {
        f.time_words += time_words.ContainsHash(hashes[t]);
      }
    }
  }
  if (f.words > 0 && !f.copyright && f.words <= max_timestamp_words) {
    // Mostly numbers and time words, with at least one sign of time (a time
    // word or a "12:30"-like pattern), so a lone price or count is not one.
    const int timeish = f.number_words + f.time_words;
    f.timestamp = 10 * timeish >= 6 * f.words && (f.time_words > 0 || time_pattern);
  }
  return f;
}

}  // namespace

Status ParseStoplist(std::string_view text, std::string_view name,
                     ChromeOptions* options) {
  std::vector<std::string> words;
  size_t line_no = 0;
  size_t pos = 0;
  std::string norm;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    while (!line.empty() && IsSpaceByte(static_cast<uint8_t>(line.front()))) line.remove_prefix(1);
    while (!line.empty() && IsSpaceByte(static_cast<uint8_t>(line.back()))) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    norm.clear();
    NormalizeForHash(line, &norm);
    if (norm.find(' ') != std::string::npos) {
      return InvalidArgument(std::string(name) + ":" + std::to_string(line_no) +
                             ": \"" + std::string(line) +
                             "\" is more than one word; a stoplist has one word per line");
    }
    if (!norm.empty()) words.emplace_back(line);
  }
  if (words.empty()) {
    return InvalidArgument(std::string(name) +
                           ": the stoplist has no words (one word per line, '#' starts a comment)");
  }
  options->stoplist = std::make_shared<const Stoplist>(Stoplist::FromWords(words));
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Features and first classes
// ---------------------------------------------------------------------------

LineFeatures ComputeLineFeatures(std::string_view line, const Stoplist& stoplist) {
  Tokens tokens;
  Tokenize(line, kDefaultTokenSeed, &tokens);
  return MeasureLine(line, 0, line.size(), tokens, 0, tokens.size(), stoplist,
                     ChromeOptions().max_timestamp_words);
}

ChromeClass ClassifyLine(const LineFeatures& f, const ChromeOptions& options,
                         bool use_stopwords) {
  if (f.copyright || f.timestamp) return ChromeClass::kBad;
  if (f.chars < options.length_low) return ChromeClass::kShort;
  // A line that ends like a sentence is at least near-good: sentences
  // without many stopwords (names, numbers, other languages) are still
  // prose, while menus, link lists and headlines rarely end with a stop.
  ChromeClass c;
  if (use_stopwords && f.words > 0) {
    const double density = static_cast<double>(f.stopwords) / f.words;
    const bool long_line = f.chars >= options.length_high;
    if (density >= options.stop_high) {
      c = long_line ? ChromeClass::kGood : ChromeClass::kNearGood;
    } else if (density >= options.stop_low || f.terminal) {
      c = long_line && f.terminal ? ChromeClass::kGood : ChromeClass::kNearGood;
    } else {
      c = ChromeClass::kBad;
    }
  } else {
    // Language-independent fallback: length and punctuation only.
    if (f.terminal) {
      c = f.chars >= options.length_high ? ChromeClass::kGood : ChromeClass::kNearGood;
    } else {
      c = f.chars >= options.length_high ? ChromeClass::kNearGood : ChromeClass::kBad;
    }
  }
  // A line with numbers that is not a time stamp is a table or list row
  // (scores, specs, prices, dates of events) as often as a link: too
  // uncertain to be bad alone, it takes its neighbours' class.
  if (c == ChromeClass::kBad && f.number_words > 0 && options.numbers_are_short) {
    return ChromeClass::kShort;
  }
  if (c == ChromeClass::kBad && f.list_item && options.list_item_min_words > 0 &&
      f.words >= options.list_item_min_words) {
    return ChromeClass::kShort;
  }
  // Runs of Title Case Words without a final stop are headlines and links.
  const bool title_case =
      !f.terminal && f.alpha_words >= 3 &&
      f.title_words >= options.title_case_share * f.alpha_words;
  if (title_case && c != ChromeClass::kBad) {
    c = c == ChromeClass::kGood ? ChromeClass::kNearGood : ChromeClass::kBad;
  }
  return c;
}

// ---------------------------------------------------------------------------
// Smoothing and segment
// ---------------------------------------------------------------------------

namespace {

float ClassScore(ChromeClass c) {
  switch (c) {
    case ChromeClass::kBad: return 0.0f;
    case ChromeClass::kShort: return 0.25f;
    case ChromeClass::kNearGood: return 0.5f;
    case ChromeClass::kGood: return 1.0f;
  }
  return 0.0f;
}

// Nearest class before each item that is good or bad (skipping short lines,
// and near-good ones too when `skip_near_good`); the document edge is bad.
void NeighbourClasses(const std::vector<ChromeClass>& cls, bool skip_near_good,
                      std::vector<ChromeClass>* prev,
                      std::vector<ChromeClass>* next) {
  const size_t n = cls.size();
  prev->resize(n);
  next->resize(n);
  auto decisive = [&](ChromeClass c) {
    return c == ChromeClass::kGood || c == ChromeClass::kBad ||
           (!skip_near_good && c == ChromeClass::kNearGood);
  };
  ChromeClass last = ChromeClass::kBad;
  for (size_t i = 0; i < n; ++i) {
    (*prev)[i] = last;
    if (decisive(cls[i])) last = cls[i];
  }
  last = ChromeClass::kBad;
  for (size_t i = n; i-- > 0;) {
    (*next)[i] = last;
    if (decisive(cls[i])) last = cls[i];
  }
}

// The run [*begin, *end) of items with the largest positive sum of weights
// (Kadane); an empty run when no weight is positive.
void MaxSumRun(const std::vector<double>& weight, size_t* begin, size_t* end) {
  double best = 0;
  double run = 0;
  size_t run_begin = 0;
  *begin = 0;
  *end = 0;
  for (size_t k = 0; k < weight.size(); ++k) {
    run += weight[k];
    if (run <= 0) {
      run = 0;
      run_begin = k + 1;
      continue;
    }
    if (run > best) {
      best = run;
      *begin = run_begin;
      *end = k + 1;
    }
  }
}

struct Scratch {
  std::vector<uint32_t> item_line;
  std::vector<LineFeatures> features;
  std::vector<uint32_t> token_begin;
  std::vector<ChromeClass> first, cls, prev_strict, next_strict, prev_loose, next_loose;
  std::vector<uint8_t> fixed;
  std::vector<uint64_t> identity, sorted;
  std::vector<double> weight;
  std::vector<uint64_t> title_words;
  std::vector<uint8_t> found;
};

// Calls visit(hash) for each of tokens[t0, t1) (offsets into `text`) that
// is neither a stopword nor a number: the content words.
template <typename Visit>
void ForEachContentWord(std::string_view text, const Tokens& tokens, size_t t0,
                        size_t t1, const Stoplist& stoplist, Visit visit) {
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  for (size_t t = t0; t < t1; ++t) {
    const uint64_t h = tokens.hashes[t];
    if (stoplist.ContainsHash(h)) continue;
    if (TokenClass(p, tokens.begin[t], tokens.end[t]) & kDigit) continue;
    visit(h);
  }
}

}  // namespace

void ClassifyChrome(const Document& doc, const ChromeOptions& options,
                    std::vector<LineDecision>* decisions) {
  if (!options.enabled) return;
  auto& d = *decisions;
  const std::string_view text = doc.text();
  const std::vector<Line>& lines = doc.lines();
  const std::shared_ptr<const Stoplist> english =
      options.stoplist ? nullptr : Stoplist::English();
  const Stoplist* stoplist = options.stoplist ? options.stoplist.get() : english.get();

  // Per-thread scratch buffers: a corpus is millions of small documents,
  // and reusing capacity keeps allocation out of the per-document cost.
  thread_local Scratch scratch;
  const Tokens& tokens = doc.tokens();

  // Items: the non-blank lines, in order, with their token ranges.
  std::vector<uint32_t>& item_line = scratch.item_line;
  std::vector<LineFeatures>& features = scratch.features;
  std::vector<uint32_t>& token_begin = scratch.token_begin;  // per item, and one past the last
  item_line.clear();
  features.clear();
  token_begin.clear();
  item_line.reserve(lines.size());
  features.reserve(lines.size());
  token_begin.reserve(lines.size() + 1);
  int64_t doc_words = 0;
  int64_t doc_stop = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.blank) continue;
    item_line.push_back(static_cast<uint32_t>(i));
    token_begin.push_back(static_cast<uint32_t>(doc.token_begin(i)));
    features.push_back(MeasureLine(text, line.begin, line.end, tokens, doc.token_begin(i),
                                   doc.token_end(i), *stoplist, options.max_timestamp_words));
    doc_words += features.back().words;
    doc_stop += features.back().stopwords;
  }
  token_begin.push_back(static_cast<uint32_t>(
      item_line.empty() ? 0 : doc.token_end(item_line.back())));
  auto dense_enough = [&](int64_t stop, int64_t words) {
    return words > 0 && static_cast<double>(stop) >=
                            options.min_doc_stop_density * static_cast<double>(words);
  };
  // The built-in lists: English first (no extra cost for clearly English
  // text); otherwise the built-in list that holds most of the document's
  // tokens (BuiltinStoplistLanguage), when it is not English.
  if (!options.stoplist &&
      static_cast<double>(doc_stop) <
          kClearlyEnglish * options.min_doc_stop_density * static_cast<double>(doc_words)) {
    const int best = BestBuiltinList(tokens, options.min_doc_stop_density);
    if (best >= 0) {
      // Of a line's features only its stopword count depends on the list.
      stoplist = SnowballStoplists()[static_cast<size_t>(best)].get();
      doc_stop = 0;
      for (size_t k = 0; k < features.size(); ++k) {
        const size_t t0 = token_begin[k];
        features[k].stopwords = static_cast<int>(
            CountHits(*stoplist, tokens, t0, t0 + static_cast<size_t>(features[k].words)));
        doc_stop += features[k].stopwords;
      }
    }
  }
  const size_t n = item_line.size();
  if (n == 0) return;
  const bool use_stopwords = dense_enough(doc_stop, doc_words);

  // Step 2: first classes. Lines removed by other detectors are fixed bad.
  std::vector<ChromeClass>& first = scratch.first;
  std::vector<uint8_t>& fixed = scratch.fixed;
  first.assign(n, ChromeClass::kBad);
  fixed.assign(n, 0);
  // Short lines that occur more than once in the document ("Advertisement",
  // "Read more", "Reply" under every comment) are furniture; the repeat
  // detector leaves lines this short to us.
  std::vector<uint64_t>& identity = scratch.identity;
  identity.assign(n, 0);
  std::vector<uint64_t>& sorted = scratch.sorted;
  sorted.clear();
  if (options.repeated_short_lines_are_bad) {
    for (size_t k = 0; k < n; ++k) {
      if (features[k].chars >= options.length_low || features[k].words == 0) continue;
      uint64_t h = 0x9E3779B97F4A7C15ULL;
      for (size_t j = token_begin[k]; j < token_begin[k + 1]; ++j) {
        h = (h ^ tokens.hashes[j]) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
      }
      identity[k] = h | 1;
      sorted.push_back(identity[k]);
    }
    std::sort(sorted.begin(), sorted.end());
  }
  auto repeated = [&](size_t k) {
    if (identity[k] == 0) return false;
    const auto range = std::equal_range(sorted.begin(), sorted.end(), identity[k]);
    return range.second - range.first > 1;
  };
  for (size_t k = 0; k < n; ++k) {
    LineDecision& dec = d[item_line[k]];
    if (dec.reason != Reason::kKeep) {
      first[k] = ChromeClass::kBad;
      fixed[k] = 1;
      continue;
    }
    first[k] = ClassifyLine(features[k], options, use_stopwords);
    if (first[k] == ChromeClass::kShort && repeated(k)) first[k] = ChromeClass::kBad;
    dec.score = ClassScore(first[k]);
  }

  // Step 3: context smoothing (jusText). Short lines first, from the first
  // classes of their neighbours; then near-good lines.
  std::vector<ChromeClass>& cls = scratch.cls;
  cls = first;
  std::vector<ChromeClass>& prev_strict = scratch.prev_strict;
  std::vector<ChromeClass>& next_strict = scratch.next_strict;
  std::vector<ChromeClass>& prev_loose = scratch.prev_loose;
  std::vector<ChromeClass>& next_loose = scratch.next_loose;
  NeighbourClasses(first, true, &prev_strict, &next_strict);
  NeighbourClasses(first, false, &prev_loose, &next_loose);
  // A document without any good line (short paragraphs, a list-like page)
  // has its near-good lines as its best evidence: they are judged as good
  // ones rather than all lost to the document edges.
  const bool any_good = std::find(first.begin(), first.end(), ChromeClass::kGood) != first.end();
  if (!any_good) {
    for (size_t k = 0; k < n; ++k) {
      if (first[k] == ChromeClass::kNearGood) first[k] = ChromeClass::kGood;
    }
    cls = first;
    NeighbourClasses(first, true, &prev_strict, &next_strict);
    NeighbourClasses(first, false, &prev_loose, &next_loose);
  }
  for (size_t k = 0; k < n; ++k) {
    if (first[k] != ChromeClass::kShort) continue;
    const ChromeClass p = prev_strict[k];
    const ChromeClass q = next_strict[k];
    if (p == ChromeClass::kGood && q == ChromeClass::kGood) {
      cls[k] = ChromeClass::kGood;
    } else if (p == ChromeClass::kBad && q == ChromeClass::kBad) {
      cls[k] = ChromeClass::kBad;
    } else if ((p == ChromeClass::kBad && prev_loose[k] == ChromeClass::kNearGood) ||
               (q == ChromeClass::kBad && next_loose[k] == ChromeClass::kNearGood)) {
      cls[k] = ChromeClass::kGood;
    } else {
      cls[k] = ChromeClass::kBad;
    }
  }
  NeighbourClasses(cls, true, &prev_strict, &next_strict);
  for (size_t k = 0; k < n; ++k) {
    if (cls[k] != ChromeClass::kNearGood) continue;
    cls[k] = (prev_strict[k] == ChromeClass::kBad && next_strict[k] == ChromeClass::kBad)
                 ? ChromeClass::kBad
                 : ChromeClass::kGood;
  }

  // Step 4: the main segment, by maximum-sum run (Kadane) of signed weights.
  std::vector<double>& weight = scratch.weight;
  weight.assign(n, 0.0);
  for (size_t k = 0; k < n; ++k) {
    // Good lines add their words, near-good sentences a share of them;
    // bad lines cost their words but at least bad_line_words, so a run of
    // short menu or share lines is a border.
    const double words = features[k].words;
    double w;
    if (features[k].timestamp || features[k].copyright) {
      // Time stamps head dated items (comments, other stories) and
      // copyright lines end pages: strong borders.
      w = -options.bad_weight * std::max<double>(words, options.stamp_line_words);
    } else if (fixed[k] || first[k] == ChromeClass::kBad) {
      w = -options.bad_weight * std::max<double>(words, options.bad_line_words);
    } else if (first[k] == ChromeClass::kGood) {
      w = words;
    } else if (first[k] == ChromeClass::kNearGood) {
      // Only sentences: near-good lines that do not end like one are
      // mostly headlines of other stories and link text.
      w = features[k].terminal ? options.near_good_weight * words : 0.0;
    } else if (features[k].words > 0) {
      // Short lines cost a little whatever their smoothed class: a
      // sub-heading between paragraphs costs nothing that matters, a
      // menu of twenty of them is a border.
      w = -options.short_line_words;
    } else {
      w = 0;  // no words ("* * *", a zero-width space): like a blank line
    }
    weight[k] = w;
  }
  size_t seg_begin = 0;
  size_t seg_end = n;  // items [seg_begin, seg_end)
  if (options.main_segment) {
    MaxSumRun(weight, &seg_begin, &seg_end);
  }

  // A title directly above the segment (blank lines between are fine) that
  // shares words with it leads into the content.
  bool keep_title = false;
  size_t title = 0;
  if (options.title_min_shared_words > 0 && seg_end > seg_begin && seg_begin > 0) {
    title = seg_begin - 1;
    const bool adjacent = item_line[seg_begin] > item_line[title];
    if (adjacent && !fixed[title] && !features[title].timestamp &&
        !features[title].copyright && features[title].words > 0 &&
        first[title] != ChromeClass::kGood) {
      // The title's distinct content words, and a one-word filter of them
      // (a bit per value of the hash's top six bits).
      std::vector<uint64_t>& title_words = scratch.title_words;
      title_words.clear();
      ForEachContentWord(text, tokens, token_begin[title], token_begin[title + 1], *stoplist,
                         [&](uint64_t h) { title_words.push_back(h); });
      std::sort(title_words.begin(), title_words.end());
      title_words.erase(std::unique(title_words.begin(), title_words.end()),
                        title_words.end());
      uint64_t title_filter = 0;
      for (uint64_t h : title_words) title_filter |= uint64_t{1} << (h >> 58);
      // Distinct title words found in the head of the segment: its good
      // lines up to the one that reaches 150 content words (a headline's
      // words come back in the first paragraphs). Stops as soon as enough
      // are found.
      std::vector<uint8_t>& found = scratch.found;
      found.assign(title_words.size(), 0);
      int shared = 0;
      size_t head_words = 0;
      const auto* p = reinterpret_cast<const uint8_t*>(text.data());
      for (size_t k = seg_begin; k < seg_end && head_words < 150 &&
                                 shared < options.title_min_shared_words;
           ++k) {
        if (cls[k] != ChromeClass::kGood || fixed[k]) continue;
        const size_t t0 = token_begin[k];
        const size_t t1 = token_begin[k + 1];
        for (size_t t = t0; t < t1; ++t) {
          const uint64_t h = tokens.hashes[t];
          if (((title_filter >> (h >> 58)) & 1) == 0) continue;
          const auto it = std::lower_bound(title_words.begin(), title_words.end(), h);
          if (it == title_words.end() || *it != h) continue;
          // The hash of a title word is no stopword, but a token with that
          // hash may still start with a digit where the title's did not
          // (normalization folds characters).
          if (TokenClass(p, tokens.begin[t], tokens.end[t]) & kDigit) continue;
          uint8_t& f = found[static_cast<size_t>(it - title_words.begin())];
          shared += f == 0;
          f = 1;
        }
        // Content words of the line: from its features when they cover all
        // of its tokens and it has no numbers, else counted.
        const LineFeatures& fk = features[k];
        if (t1 - t0 == static_cast<size_t>(fk.words) && fk.number_words == 0) {
          head_words += static_cast<size_t>(fk.words - fk.stopwords);
        } else {
          ForEachContentWord(text, tokens, t0, t1, *stoplist, [&](uint64_t) { ++head_words; });
        }
      }
      keep_title = shared >= options.title_min_shared_words;
    }
  }

  for (size_t k = 0; k < n; ++k) {
    if (fixed[k]) continue;
    const bool in_segment = k >= seg_begin && k < seg_end;
    const bool keep = (in_segment && (cls[k] == ChromeClass::kGood ||
                                      (first[k] == ChromeClass::kNearGood &&
                                       features[k].terminal))) ||
                      (keep_title && k == title);
    if (!keep) d[item_line[k]].reason = Reason::kChrome;
  }
}

}  // namespace chaff
