// Per-line chrome classifier: features, jusText-style context smoothing and
// main-segment selection. See include/chaff/chrome.h for the algorithm.
#include "chaff/chrome.h"

#include <utf8proc.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <unordered_set>

#include "chaff/tokenize.h"
#include "stoplist_en.h"
#include "stoplist_snowball.h"
#include "unicode_fold.h"

namespace chaff {
namespace {

// Stoplists match tokens by the tokenizer's own hash (tokenize.h: XXH3 of
// the normalized token with kDefaultTokenSeed), so the classifier looks
// words up straight from Tokenize's output.
uint64_t HashNormalized(std::string_view norm) {
  return XXH3_64bits_withSeed(norm.data(), norm.size(), kDefaultTokenSeed);
}

// Words that make up time stamps and date lines. English, like most of the
// web's time stamps; numbers and "12:30" patterns carry the other languages.
const Stoplist& TimeWords() {
  static const Stoplist* const kList = new Stoplist(Stoplist::FromWords({
      "am", "pm", "ago", "min", "mins", "minute", "minutes", "hr", "hrs",
      "hour", "hours", "day", "days", "week", "weeks", "month", "months",
      "year", "years", "yesterday", "today", "updated", "published",
      "posted", "edt", "est", "cdt", "cst", "pdt", "pst", "gmt", "utc", "bst",
      "cet", "cest", "ist", "jan", "january", "feb", "february", "mar",
      "march", "apr", "april", "may", "jun", "june", "jul", "july", "aug",
      "august", "sep", "sept", "september", "oct", "october", "nov",
      "november", "dec", "december", "mon", "monday", "tue", "tues",
      "tuesday", "wed", "wednesday", "thu", "thur", "thurs", "thursday",
      "fri", "friday", "sat", "saturday", "sun", "sunday", "st", "nd", "rd",
      "th", "at", "on"}));
  return *kList;
}

bool IsSpaceByte(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}

// True for code points that end a sentence (Latin, CJK and other scripts).
bool IsTerminalCodePoint(int32_t cp) {
  switch (cp) {
    case '.': case '!': case '?':
    case 0x2026:  // … horizontal ellipsis
    case 0x3002:  // 。 ideographic full stop
    case 0xFF01:  // ！
    case 0xFF1F:  // ？
    case 0xFF0E:  // ．
    case 0x061F:  // ؟ Arabic question mark
    case 0x06D4:  // ۔ Arabic full stop
    case 0x0964:  // । Devanagari danda
    case 0x0965:  // ॥
      return true;
    default:
      return false;
  }
}

// Closing quotes and brackets that may follow a sentence's final stop.
bool IsClosingCodePoint(int32_t cp) {
  switch (cp) {
    case '"': case '\'': case ')': case ']': case '*':
    case 0x2019: case 0x201D: case 0x00BB: case 0x203A:  // ’ ” » ›
    case 0x300D: case 0x300F: case 0xFF09:  // 」 』 ）
      return true;
    default:
      return false;
  }
}

// Decodes the code point that ends at `end` (exclusive) in p[begin, end);
// sets *start to its first byte. Invalid bytes decode as -1, one byte long.
int32_t LastCodePoint(const uint8_t* p, size_t begin, size_t end, size_t* start) {
  size_t s = end - 1;
  while (s > begin && (p[s] & 0xC0) == 0x80 && end - s < 4) --s;
  utf8proc_int32_t cp = -1;
  const utf8proc_ssize_t len = utf8proc_iterate(
      p + s, static_cast<utf8proc_ssize_t>(end - s), &cp);
  if (len <= 0 || static_cast<size_t>(len) != end - s) {
    *start = end - 1;
    return -1;
  }
  *start = s;
  return cp;
}

bool EndsLikeSentence(const uint8_t* p, size_t begin, size_t end) {
  while (end > begin) {
    size_t start = 0;
    const int32_t cp = LastCodePoint(p, begin, end, &start);
    // An ellipsis ends truncated text: teasers of other stories ("The
    // council said that...") and prompts ("Loading..."), rarely an article.
    if (cp == 0x2026 || (cp == '.' && start > begin && p[start - 1] == '.')) {
      return false;
    }
    if (IsTerminalCodePoint(cp)) return true;
    if (!IsClosingCodePoint(cp)) return false;
    end = start;
  }
  return false;
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

// Measures the line text[b, e) whose tokens are tokens[t0, t1) (offsets
// into `text`). Appends the hashes of its non-stopword, non-number tokens
// to `content_hashes` when not null.
LineFeatures MeasureLine(std::string_view text, size_t b, size_t e,
                         const Tokens& tokens, size_t t0, size_t t1,
                         const Stoplist& stoplist, int max_timestamp_words,
                         std::vector<uint64_t>* content_hashes) {
  LineFeatures f;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  while (b < e && IsSpaceByte(p[b])) ++b;
  while (e > b && IsSpaceByte(p[e - 1])) --e;
  // Code points: every byte that is not a UTF-8 continuation byte.
  int continuation = 0;
  for (size_t i = b; i < e; ++i) continuation += (p[i] & 0xC0) == 0x80;
  f.chars = static_cast<int>(e - b) - continuation;
  f.terminal = EndsLikeSentence(p, b, e);

  const CopyrightHashes& copyright = Copyright();
  const Stoplist& time_words = TimeWords();
  const bool may_be_stamp = static_cast<int>(t1 - t0) <= max_timestamp_words;
  bool time_pattern = false;  // "12:30", "20/11/2019", "2019-11-20"
  bool copyright_line = false;
  bool prev_rights = false;
  bool prev_copyright = false;
  // Counters live in registers; the common path has no unpredictable branch.
  int stopwords = 0, alpha_words = 0, title_words = 0, number_words = 0, time_hits = 0;
  size_t gap_begin = b;  // separator bytes before the current token
  for (size_t t = t0; t <= t1; ++t) {
    const size_t gap_end = t < t1 ? tokens.begin[t] : e;
    // Separators: the copyright sign, and punctuation between two numbers.
    // Most gaps are one space.
    if (gap_end != gap_begin + 1 || p[gap_begin] != ' ') {
      for (size_t i = gap_begin; i < gap_end; ++i) {
        const uint8_t c = p[i];
        if (c == 0xC2 && i + 1 < gap_end && p[i + 1] == 0xA9) {
          copyright_line = true;  // ©
        } else if ((c == ':' || c == '/' || c == '-' || c == '.') && i > b &&
                   i + 1 < e && IsDigitByte(p[i - 1]) && IsDigitByte(p[i + 1])) {
          time_pattern = true;
        }
      }
    }
    if (t == t1) break;
    gap_begin = tokens.end[t];
    const uint64_t h = tokens.hashes[t];
    const uint8_t first = p[tokens.begin[t]];
    bool alpha;
    bool upper;
    bool digit;
    if (first < 0x80) {
      upper = static_cast<uint8_t>(first - 'A') < 26;
      digit = static_cast<uint8_t>(first - '0') < 10;
      alpha = !digit;
    } else {
      utf8proc_int32_t cp = -1;
      utf8proc_iterate(p + tokens.begin[t],
                       static_cast<utf8proc_ssize_t>(tokens.end[t] - tokens.begin[t]), &cp);
      const auto cat = utf8proc_category(cp);
      upper = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
      alpha = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
      digit = cat == UTF8PROC_CATEGORY_ND;
    }
    alpha_words += alpha;
    title_words += alpha & upper;
    number_words += digit;
    const bool stop = stoplist.ContainsHash(h);
    stopwords += stop;
    if (may_be_stamp && alpha) time_hits += time_words.ContainsHash(h);
    if (prev_copyright && digit) copyright_line = true;  // "Copyright 2019"
    prev_copyright = false;
    if (h == copyright.copyright || h == copyright.reserved || h == copyright.c ||
        h == copyright.rights) {
      // Rare: "copyright 2019", "rights reserved", "(c)". A bare "copyright"
      // is a photo credit ("Image copyright Agency") as often as a footer.
      prev_copyright = h == copyright.copyright;
      if (prev_rights && h == copyright.reserved) copyright_line = true;
      if (h == copyright.c && tokens.begin[t] > b && tokens.end[t] < e &&
          p[tokens.begin[t] - 1] == '(' && p[tokens.end[t]] == ')') {
        copyright_line = true;
      }
    }
    prev_rights = h == copyright.rights;
    if (content_hashes != nullptr && !stop && !digit) content_hashes->push_back(h);
  }
  f.words = static_cast<int>(t1 - t0);
  f.stopwords = stopwords;
  f.alpha_words = alpha_words;
  f.title_words = title_words;
  f.number_words = number_words;
  f.time_words = time_hits;
  f.copyright = copyright_line;
  if (f.words > 0 && !f.copyright && f.words <= max_timestamp_words) {
    // Mostly numbers and time words, with at least one sign of time (a time
    // word or a "12:30"-like pattern), so a lone price or count is not one.
    const int timeish = f.number_words + f.time_words;
    f.timestamp = 10 * timeish >= 6 * f.words && (f.time_words > 0 || time_pattern);
  }
  return f;
}

}  // namespace

// ---------------------------------------------------------------------------
// Stoplist
// ---------------------------------------------------------------------------

// A two-choice table of 32-bit fingerprints: an entry lives in one of two
// slots picked by two different parts of its hash, so a lookup is two loads
// and no branch (a stopword test is a coin flip the branch predictor cannot
// learn), and the English list fits in 4 KiB of L1 cache. Kept at most 1/4
// full; when both slots of a new entry are taken the table doubles and
// every entry is placed again. Two 32-bit fingerprints collide with odds of
// 2^-31 per lookup: a negligible error in a density estimate.
namespace {
uint32_t Fingerprint(uint64_t hash) {
  const auto f = static_cast<uint32_t>(hash >> 32);
  return f == 0 ? 1 : f;
}
size_t SecondSlot(uint64_t hash, int shift) {
  return static_cast<size_t>((hash * 0x9E3779B97F4A7C15ULL) >> shift);
}
}  // namespace

void Stoplist::Insert(uint64_t hash) {
  if (ContainsHash(hash)) return;
  std::vector<uint64_t> pending{hash};
  while (!pending.empty()) {
    const uint64_t h = pending.back();
    if (!slots_.empty() && slots_.size() >= 4 * (size_ + 1)) {
      const size_t a = h & (slots_.size() - 1);
      const size_t b = SecondSlot(h, shift_);
      if (slots_[a] == 0 || slots_[b] == 0) {
        slots_[slots_[a] == 0 ? a : b] = Fingerprint(h);
        hashes_.push_back(h);
        ++size_;
        pending.pop_back();
        continue;
      }
    }
    // Grow and re-place everything (the pending entries included).
    pending.insert(pending.end(), hashes_.begin(), hashes_.end());
    hashes_.clear();
    const size_t size = std::max<size_t>(64, slots_.size() * 2);
    slots_.assign(size, 0);
    shift_ = 64;
    for (size_t s = size; s > 1; s >>= 1) --shift_;
    size_ = 0;
  }
}

bool Stoplist::ContainsHash(uint64_t hash) const {
  if (slots_.empty()) return false;
  const uint32_t f = Fingerprint(hash);
  // Bitwise on purpose: both loads, no branch.
  return (static_cast<int>(slots_[hash & (slots_.size() - 1)] == f) |
          static_cast<int>(slots_[SecondSlot(hash, shift_)] == f)) != 0;
}

bool Stoplist::ContainsNormalized(std::string_view norm) const {
  return ContainsHash(HashNormalized(norm));
}

Stoplist Stoplist::FromWords(const std::vector<std::string>& words) {
  Stoplist list;
  std::string norm;
  for (const auto& w : words) {
    norm.clear();
    NormalizeForHash(w, &norm);
    // Each token of an entry is a stopword of its own.
    size_t i = 0;
    while (i < norm.size()) {
      size_t j = norm.find(' ', i);
      if (j == std::string::npos) j = norm.size();
      if (j > i) list.Insert(HashNormalized(std::string_view(norm).substr(i, j - i)));
      i = j + 1;
    }
  }
  return list;
}

std::shared_ptr<const Stoplist> Stoplist::English() {
  static const std::shared_ptr<const Stoplist> kEnglish = [] {
    std::vector<std::string> words(
        internal::kEnglishStopwords,
        internal::kEnglishStopwords + internal::kNumEnglishStopwords);
    return std::make_shared<const Stoplist>(FromWords(words));
  }();
  return kEnglish;
}

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
                     ChromeOptions().max_timestamp_words, nullptr);
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
  Tokens tokens;
  std::vector<uint32_t> item_line;
  std::vector<LineFeatures> features;
  std::vector<uint32_t> token_begin;
  std::vector<ChromeClass> first, cls, prev_strict, next_strict, prev_loose, next_loose;
  std::vector<uint8_t> fixed;
  std::vector<uint64_t> identity, sorted;
  std::vector<double> weight;
};

// The built-in stoplists of other languages (Snowball), built once.
const std::vector<std::unique_ptr<const Stoplist>>& SnowballStoplists() {
  static const auto* const kLists = [] {
    auto* lists = new std::vector<std::unique_ptr<const Stoplist>>();
    for (size_t i = 0; i < internal::kNumSnowballLists; ++i) {
      const internal::SnowballList& l = internal::kSnowballLists[i];
      lists->push_back(std::make_unique<const Stoplist>(
          Stoplist::FromWords(std::vector<std::string>(l.words, l.words + l.size))));
    }
    return lists;
  }();
  return *kLists;
}

size_t CountHits(const Stoplist& list, const Tokens& tokens) {
  size_t hits = 0;
  for (uint64_t h : tokens.hashes) hits += list.ContainsHash(h) ? 1 : 0;
  return hits;
}

// English is taken without looking further when at least this many times
// min_doc_stop_density of a document's tokens are English stopwords (short
// English words such as "a", "do", "no" are common in other languages too).
constexpr double kClearlyEnglish = 2.0;

// Which built-in list fits `tokens` best: -1 for English, else an index in
// kSnowballLists; -2 when no list holds `min_density` of the tokens.
int BestBuiltinList(const Tokens& tokens, double min_density) {
  if (tokens.size() == 0) return -2;
  const double n = static_cast<double>(tokens.size());
  size_t best_hits = CountHits(*Stoplist::English(), tokens);
  if (static_cast<double>(best_hits) >= kClearlyEnglish * min_density * n) return -1;
  int best = -1;
  const auto& lists = SnowballStoplists();
  for (size_t i = 0; i < lists.size(); ++i) {
    const size_t hits = CountHits(*lists[i], tokens);
    if (hits > best_hits) {
      best_hits = hits;
      best = static_cast<int>(i);
    }
  }
  if (static_cast<double>(best_hits) < min_density * n) return -2;
  return best;
}

}  // namespace

std::string_view BuiltinStoplistLanguage(std::string_view text, double min_density) {
  Tokens tokens;
  Tokenize(text, kDefaultTokenSeed, &tokens);
  const int i = BestBuiltinList(tokens, min_density);
  if (i == -1) return "english";
  return i < 0 ? std::string_view() : internal::kSnowballLists[i].language;
}

void ClassifyChrome(std::string_view text, const std::vector<Line>& lines,
                    const ChromeOptions& options,
                    std::vector<LineDecision>* decisions) {
  if (!options.enabled) return;
  auto& d = *decisions;
  const std::shared_ptr<const Stoplist> english =
      options.stoplist ? nullptr : Stoplist::English();
  const Stoplist* stoplist = options.stoplist ? options.stoplist.get() : english.get();

  // One pass of the (SIMD) tokenizer over the whole document; every line's
  // tokens are then a range of it (a token never crosses a line break).
  // Per-thread scratch buffers: a corpus is millions of small documents,
  // and reusing capacity keeps allocation out of the per-document cost.
  thread_local Scratch scratch;
  Tokens& tokens = scratch.tokens;
  Tokenize(text, kDefaultTokenSeed, &tokens);

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
  auto measure_lines = [&]() {
  item_line.clear();
  features.clear();
  token_begin.clear();
  doc_words = 0;
  doc_stop = 0;
  size_t t = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    while (t < tokens.size() && tokens.begin[t] < line.begin) ++t;
    if (line.blank) continue;
    // A line of B bytes holds at most B tokens: binary search in that range.
    const size_t t_limit = std::min(tokens.size(), t + static_cast<size_t>(line.size()));
    const size_t t_end = static_cast<size_t>(
        std::upper_bound(tokens.end.begin() + static_cast<std::ptrdiff_t>(t),
                         tokens.end.begin() + static_cast<std::ptrdiff_t>(t_limit),
                         static_cast<uint32_t>(line.end)) -
        tokens.end.begin());
    item_line.push_back(static_cast<uint32_t>(i));
    token_begin.push_back(static_cast<uint32_t>(t));
    features.push_back(MeasureLine(text, line.begin, line.end, tokens, t, t_end,
                                   *stoplist, options.max_timestamp_words, nullptr));
    doc_words += features.back().words;
    doc_stop += features.back().stopwords;
    t = t_end;
  }
  token_begin.push_back(static_cast<uint32_t>(t));
  };
  measure_lines();
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
      stoplist = SnowballStoplists()[static_cast<size_t>(best)].get();
      measure_lines();
    }
  }
  // The non-stopword, non-number token hashes of item k.
  auto content_words = [&](size_t k, std::vector<uint64_t>* out) {
    const Line& line = lines[item_line[k]];
    MeasureLine(text, line.begin, line.end, tokens, token_begin[k], token_begin[k + 1],
                *stoplist, options.max_timestamp_words, out);
  };
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
      std::vector<uint64_t> title_words;
      content_words(title, &title_words);
      std::sort(title_words.begin(), title_words.end());
      title_words.erase(std::unique(title_words.begin(), title_words.end()),
                        title_words.end());
      std::vector<uint64_t> seg_words;
      // The head of the segment is enough: a headline's words come back in
      // the first paragraphs.
      for (size_t k = seg_begin; k < seg_end && seg_words.size() < 150; ++k) {
        if (cls[k] != ChromeClass::kGood || fixed[k]) continue;
        content_words(k, &seg_words);
      }
      // Distinct title words found in the segment head.
      std::vector<uint8_t> found(title_words.size(), 0);
      for (uint64_t h : seg_words) {
        const auto it = std::lower_bound(title_words.begin(), title_words.end(), h);
        if (it != title_words.end() && *it == h) found[static_cast<size_t>(it - title_words.begin())] = 1;
      }
      int shared = 0;
      for (uint8_t f : found) shared += f;
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
