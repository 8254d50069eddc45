#include "detect/line_features.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "chaff/text/line_shape.h"
#include "chaff/text/stoplist.h"
#include "detect/flat_map.h"

namespace chaff {
namespace internal {
namespace {

// --- Per line: counts over its characters and tokens -----------------------

struct Prims {
  double nch = 0, nw = 0, nalpha = 0, ntitle = 0, nnum = 0, nstop = 0, ntime = 0, ncaps = 0;
  double tokchars = 0, maxtok = 0;
  double nletter = 0, nupper = 0, ndigit = 0, npunct = 0, nsym = 0, ncur = 0, nsep = 0,
         ncomma = 0;
  double term = 0, ell = 0, colon = 0, bullet = 0, startdig = 0, copy = 0;
};

// Classes of a code point, as bits.
constexpr uint8_t kLetter = 1, kUpper = 2, kDigit = 4, kPunct = 8, kSymbol = 16,
                  kCurrency = 32, kSeparator = 64, kComma = 128;

uint8_t ClassOfCodePoint(int32_t cp) {
  uint8_t c = 0;
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT:
      c = kLetter | kUpper;
      break;
    case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
      c = kLetter;
      break;
    case UTF8PROC_CATEGORY_ND:
      c = kDigit;
      break;
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      c = kPunct;
      break;
    case UTF8PROC_CATEGORY_SM: case UTF8PROC_CATEGORY_SK: case UTF8PROC_CATEGORY_SO:
      c = kSymbol;
      break;
    case UTF8PROC_CATEGORY_SC:
      c = kSymbol | kCurrency;
      break;
    default:
      break;
  }
  switch (cp) {
    case '|': case '/': case '\\': case 0xB7: case 0x2022: case 0xBB: case 0x203A: case '>':
    case 0x2013: case 0x2014:
      c |= kSeparator;
      break;
    case ',': case 0xFF0C: case 0x3001:
      c |= kComma;
      break;
    default:
      break;
  }
  return c;
}

const std::array<uint8_t, 128>& AsciiClasses() {
  static const std::array<uint8_t, 128> kClasses = [] {
    std::array<uint8_t, 128> a{};
    for (int c = 0; c < 128; ++c) a[static_cast<size_t>(c)] = ClassOfCodePoint(c);
    return a;
  }();
  return kClasses;
}

// Bullets that start list items and menus.
bool IsBullet(int32_t cp) {
  switch (cp) {
    case '-': case '*': case '>': case '+': case 0x2022: case 0xB7: case 0x2013: case 0x2014:
    case 0x25AA: case 0x25CF: case 0x25E6: case 0x25BA: case 0x25B8: case 0x2023: case 0x2043:
    case 0x2192: case 0x203A: case 0xBB: case 0x2713: case 0x2714: case 0x2605: case 0x2606:
    case 0x25A0: case 0x25A1: case 0x25C6:
      return true;
    default:
      return false;
  }
}

// Decodes the code point at p[i] (< e); sets *len. Invalid bytes: -1, 1.
int32_t DecodeAt(const uint8_t* p, size_t i, size_t e, size_t* len) {
  if (p[i] < 0x80) {
    *len = 1;
    return p[i];
  }
  utf8proc_int32_t cp = -1;
  const utf8proc_ssize_t n =
      utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(e - i), &cp);
  if (n <= 0) {
    *len = 1;
    return -1;
  }
  *len = static_cast<size_t>(n);
  return cp;
}

bool IsBlankCodePoint(int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || cp == '\f' || cp == '\v' ||
         cp == 0xA0 || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A);
}

// A class byte's eight bits spread to a byte each (letters in the lowest,
// commas in the highest): adding spread classes counts the eight classes in
// 8-bit fields at once.
uint64_t Spread(uint8_t c) {
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) v |= uint64_t{(c >> k) & 1u} << (8 * k);
  return v;
}
static_assert(kLetter == 1 && kUpper == 2 && kDigit == 4 && kPunct == 8 && kSymbol == 16 &&
                  kCurrency == 32 && kSeparator == 64 && kComma == 128,
              "the counts' fields are in the order of the class bits");

// Per ASCII byte, its class spread: a run of up to 255 ASCII bytes is
// counted with one table load and one add per byte.
const std::array<uint64_t, 128>& AsciiIncrements() {
  static const std::array<uint64_t, 128> kTable = [] {
    std::array<uint64_t, 128> t{};
    const auto& cls = AsciiClasses();
    for (size_t c = 0; c < 128; ++c) t[c] = Spread(cls[c]);
    return t;
  }();
  return kTable;
}

// Which of AllBuiltinStopwords() and TimeWords() may hold a token, from
// one small table (8 KiB, in L1) instead of four loads from the lists'
// tables, which mostly miss L1 for a word that is neither. A Stoplist
// matches a hash by its 32-bit fingerprint (the high half, 0 read as 1;
// stoplist.h), so a token whose fingerprint is no entry's is in neither
// list; the table keeps two bits (stopword, time word) per 15 low bits of
// the entries' fingerprints. A set bit is then checked on the list itself,
// so the answers are ContainsHash's exactly.
class StopTimeFilter {
 public:
  static constexpr uint8_t kStop = 1, kTime = 2;

  static const StopTimeFilter& Get() {
    static const StopTimeFilter kFilter;
    return kFilter;
  }

  uint8_t MayContain(uint64_t hash) const {
    const uint32_t i = Fingerprint(hash) & (kEntries - 1);
    return static_cast<uint8_t>((bits_[i / 32] >> (2 * (i % 32))) & 3);
  }

 private:
  static constexpr uint32_t kEntries = 1u << 15;

  static uint32_t Fingerprint(uint64_t hash) {
    const auto f = static_cast<uint32_t>(hash >> 32);
    return f == 0 ? 1 : f;
  }

  StopTimeFilter() {
    auto add = [this](const Stoplist& list, uint8_t flag) {
      for (uint64_t h : list.hashes()) {
        const uint32_t i = Fingerprint(h) & (kEntries - 1);
        bits_[i / 32] |= uint64_t{flag} << (2 * (i % 32));
      }
    };
    add(AllBuiltinStopwords(), kStop);
    add(TimeWords(), kTime);
  }

  std::array<uint64_t, kEntries / 32> bits_{};
};

// The line's counts; appends the hashes of its tokens that are no stopword
// (its content words) to *content. Counts are kept as integers while
// counting (a double increment per byte is a chain of dependent adds) and
// converted once at the end: the same values.
Prims LinePrims(const Document& doc, size_t line, std::vector<uint64_t>* content) {
  Prims f;
  const auto* p = reinterpret_cast<const uint8_t*>(doc.text().data());
  const size_t line_b = doc.lines()[line].begin, line_e = doc.lines()[line].end;
  size_t b = line_b, e = line_e;
  // Strip white space (ASCII, no-break and wide spaces) at both ends.
  for (;;) {
    size_t len = 0;
    if (b >= e || !IsBlankCodePoint(DecodeAt(p, b, e, &len))) break;
    b += len;
  }
  while (e > b) {
    size_t s = e - 1;
    while (s > b && (p[s] & 0xC0) == 0x80 && e - s < 4) --s;
    size_t len = 0;
    const int32_t cp = DecodeAt(p, s, e, &len);
    if (s + len != e || !IsBlankCodePoint(cp)) break;
    e = s;
  }
  if (b >= e) return f;
  const auto& ascii = AsciiClasses();
  const std::array<uint64_t, 128>& inc = AsciiIncrements();
  // Characters: runs of ASCII bytes through the 8-bit counters (flushed
  // before a field can overflow), other code points one at a time.
  uint64_t counts[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // by class bit
  auto flush = [&counts](uint64_t acc) {
    for (int k = 0; k < 8; ++k) counts[k] += (acc >> (8 * k)) & 0xFF;
  };
  {
    size_t len = 0;
    const int32_t cp = DecodeAt(p, b, e, &len);
    const uint8_t c = cp < 0 ? 0 : (cp < 0x80 ? ascii[static_cast<size_t>(cp)] : ClassOfCodePoint(cp));
    f.bullet = IsBullet(cp);
    f.startdig = (c & kDigit) != 0;
  }
  uint64_t nch = 0;
  bool copy = false;
  // Where the line's non-ASCII bytes are, in order (the first kMaxMarks),
  // so that a token is known to be ASCII without reading its bytes again.
  constexpr size_t kMaxMarks = 16;
  size_t marks[kMaxMarks + 1];
  size_t num_marks = 0;  // kMaxMarks + 1: too many to list
  auto mark = [&](size_t i) {
    if (num_marks <= kMaxMarks) marks[std::min(num_marks, kMaxMarks)] = i;
    num_marks = std::min(num_marks + 1, kMaxMarks + 1);
  };
  for (size_t i = line_b; i < b; ++i) {
    if (p[i] >= 0x80) mark(i);
  }
  for (size_t i = b; i < e;) {
    const size_t run_end = std::min(e, i + 255);
    size_t j = i;
    uint64_t acc = 0;
    for (; j < run_end && p[j] < 0x80; ++j) acc += inc[p[j]];
    nch += j - i;
    flush(acc);
    i = j;
    if (i >= e || p[i] < 0x80) continue;
    mark(i);
    size_t len = 1;
    const int32_t cp = DecodeAt(p, i, e, &len);
    if (cp >= 0) {
      flush(Spread(ClassOfCodePoint(cp)));
      if (cp == 0xA9) copy = true;  // (c)
    }
    ++nch;
    i += len;
  }
  for (size_t i = e; i < line_e; ++i) {
    if (p[i] >= 0x80) mark(i);
  }
  const bool marks_listed = num_marks <= kMaxMarks;
  f.nch = static_cast<double>(nch);
  f.copy = copy;
  f.nletter = static_cast<double>(counts[0]);
  f.nupper = static_cast<double>(counts[1]);
  f.ndigit = static_cast<double>(counts[2]);
  f.npunct = static_cast<double>(counts[3]);
  f.nsym = static_cast<double>(counts[4]);
  f.ncur = static_cast<double>(counts[5]);
  f.nsep = static_cast<double>(counts[6]);
  f.ncomma = static_cast<double>(counts[7]);
  f.term = EndsLikeSentence(p, b, e);
  f.ell = p[e - 1] == '.' ? (e - b >= 2 && p[e - 2] == '.')
                          : (e - b >= 3 && p[e - 3] == 0xE2 && p[e - 2] == 0x80 && p[e - 1] == 0xA6);
  f.colon = p[e - 1] == ':' ||
            (e - b >= 3 && p[e - 3] == 0xEF && p[e - 2] == 0xBC && p[e - 1] == 0x9A);
  // Tokens.
  const Tokens& tokens = doc.tokens();
  const Stoplist& stop = AllBuiltinStopwords();
  const Stoplist& time = TimeWords();
  const StopTimeFilter& filter = StopTimeFilter::Get();
  uint64_t nw = 0, nalpha = 0, ntitle = 0, nnum = 0, nstop = 0, ntime = 0, ncaps = 0,
           tokchars = 0, maxtok = 0;
  size_t next_mark = 0;  // the first listed mark at or after the token
  for (size_t t = doc.token_begin(line); t < doc.token_end(line); ++t) {
    const size_t tb = tokens.begin[t], te = tokens.end[t];
    const uint64_t h = tokens.hashes[t];
    uint8_t c;
    uint64_t chars;
    bool ascii_token = p[tb] < 0x80;
    if (ascii_token) {
      c = ascii[p[tb]];
      chars = te - tb;
      if (marks_listed) {
        while (next_mark < num_marks && marks[next_mark] < tb) ++next_mark;
        ascii_token = next_mark == num_marks || marks[next_mark] >= te;
      } else {
        for (size_t i = tb + 1; i < te && ascii_token; ++i) ascii_token = p[i] < 0x80;
      }
      if (!ascii_token) chars = static_cast<uint64_t>(CountCodePoints(p, tb, te));
    } else {
      size_t len = 0;
      const int32_t cp = DecodeAt(p, tb, te, &len);
      c = cp < 0 ? 0 : ClassOfCodePoint(cp);
      chars = static_cast<uint64_t>(CountCodePoints(p, tb, te));
    }
    ++nw;
    tokchars += chars;
    maxtok = std::max(maxtok, chars);
    if (c & kDigit) {
      ++nnum;
    } else if (c & kLetter) {
      ++nalpha;
      if (c & kUpper) {
        ++ntitle;
        // All in capitals: two characters or more, no lower-case letter.
        bool caps = chars >= 2;
        for (size_t i = tb; caps && i < te;) {
          if (p[i] < 0x80) {
            caps = !(p[i] >= 'a' && p[i] <= 'z');
            ++i;
            continue;
          }
          size_t l = 0;
          const int32_t x = DecodeAt(p, i, te, &l);
          if (x >= 0 && utf8proc_islower(x)) caps = false;
          i += l;
        }
        ncaps += caps;
      }
    }
    const uint8_t maybe = filter.MayContain(h);
    const bool is_stop = (maybe & StopTimeFilter::kStop) != 0 && stop.ContainsHash(h);
    nstop += is_stop;
    ntime += (maybe & StopTimeFilter::kTime) != 0 && time.ContainsHash(h);
    if (!is_stop) content->push_back(h);
  }
  f.nw = static_cast<double>(nw);
  f.nalpha = static_cast<double>(nalpha);
  f.ntitle = static_cast<double>(ntitle);
  f.nnum = static_cast<double>(nnum);
  f.nstop = static_cast<double>(nstop);
  f.ntime = static_cast<double>(ntime);
  f.ncaps = static_cast<double>(ncaps);
  f.tokchars = static_cast<double>(tokchars);
  f.maxtok = static_cast<double>(maxtok);
  return f;
}

// --- Page-level helpers ------------------------------------------------------

// Sum over the window [i + lo, i + hi] clipped to [0, n), from prefix sums;
// *m is the number of lines in it.
double WindowSum(const std::vector<double>& cs, size_t n, size_t i, long lo, long hi,
                 double* m) {
  const long a = std::clamp(static_cast<long>(i) + lo, 0L, static_cast<long>(n));
  const long b = std::clamp(static_cast<long>(i) + hi + 1, 0L, static_cast<long>(n));
  *m = static_cast<double>(b - a);
  return cs[static_cast<size_t>(b)] - cs[static_cast<size_t>(a)];
}


// Word-count buckets: 0, 1, 2, 3, 4-5, 6-8, 9-12, 13-20, 21-40, 41+.
int WordBucket(double nw) {
  static const double kEdges[] = {1, 2, 3, 4, 6, 9, 13, 21, 41};
  int b = 0;
  for (double edge : kEdges) b += nw >= edge;
  return b;
}

// Length of the run of equal keys around each line.
void RunLengths(const std::vector<int>& keys, std::vector<double>* out) {
  const size_t n = keys.size();
  out->assign(n, 1.0);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && keys[j + 1] == keys[i]) ++j;
    for (size_t k = i; k <= j; ++k) (*out)[k] = static_cast<double>(j - i + 1);
    i = j + 1;
  }
}

// Prefix sums of a page's per-line counts, for the window features.
template <typename Real>
struct WindowSums {
  std::vector<Real> nw, term, shortl, stop, num, title, alpha, rep;
};

struct Scratch {
  std::vector<Prims> prims;
  WindowSums<float> windows_f;
  WindowSums<double> windows_d;
  std::vector<uint64_t> ids;
  std::vector<double> nw, nch, term, shortl, stop, num, title, alpha, reprep, cw, tmp;
  std::vector<double> cs_term, cs_short, cs_stop, cs_num, cs_title, cs_alpha, cs_rep,
      cs_eq;
  std::vector<double> blank_before, blank_after, rep, first_occ, good;
  std::vector<double> good_prev, good_next, sig_run, short_run, term_run, per[3], grp_lines,
      grp_words, grp_pos, ov_page, ov_blk, n_content;
  std::vector<double> blk_dist[2], blk_wdist[2];
  std::vector<uint32_t> lo, hi;
  std::vector<double> cnt, wnw, walpha;
  double blk_share[2] = {0, 0};
  std::vector<int> sig, keys;
  std::vector<double> runs;
  // Per line identity: its lines, and the first of them.
  struct LineCount {
    uint32_t count;
    uint32_t first_row;
  };
  FlatMap64<LineCount> line_counts;
  // Per content word: the lines that hold it, in all and in the block of
  // sentences, and the last line that counted it (a line counts a word
  // once, however often it holds it).
  struct TokenCount {
    uint32_t lines;
    uint32_t block_lines;
    uint32_t last_row_plus1;
  };
  FlatMap64<TokenCount> page_tokens;
  std::vector<uint64_t> content;  // every line's content words, in order
  std::vector<uint32_t> content_begin;
  // The distinct content words of every line, as their entries in
  // page_tokens.
  std::vector<TokenCount*> line_tokens;
  std::vector<uint32_t> line_token_begin;
};

}  // namespace

void Prefix(const std::vector<double>& x, std::vector<double>* cs) {
  cs->assign(x.size() + 1, 0.0);
  for (size_t i = 0; i < x.size(); ++i) (*cs)[i + 1] = (*cs)[i] + x[i];
}

// The first run with the largest positive sum (ties: the earliest start, the
// shortest end); false when no weight is positive.
bool MaxSumRun(const std::vector<double>& w, long* s, long* e) {
  double best = 0, cur = 0;
  long cs = 0;
  *s = *e = -1;
  for (size_t i = 0; i < w.size(); ++i) {
    if (cur <= 0) {
      cur = w[i];
      cs = static_cast<long>(i);
    } else {
      cur += w[i];
    }
    if (cur > best) {
      best = cur;
      *s = cs;
      *e = static_cast<long>(i);
    }
  }
  return *s >= 0;
}

// The order here is the order of the columns.
#define CHAFF_LINE_FEATURES(X)                                                                 \
  X(nch) X(nw) X(stop_share) X(title_share) X(caps_share) X(num_share) X(time_share) X(ntime) \
  X(mean_tok_len) X(max_tok_len) X(letter_share) X(upper_share) X(digit_share)                \
  X(punct_share) X(sym_count) X(cur_count) X(sep_count) X(comma_count) X(term) X(ell)          \
  X(colon) X(bullet) X(startdig) X(copy) X(blank_before) X(blank_after) X(rep) X(first_occ)    \
  X(page_lines) X(page_words) X(page_mean_nw) X(page_max_nw) X(page_term_share)               \
  X(page_short_share) X(page_stop_share) X(page_rep_share) X(page_bullet_share)               \
  X(page_good_words_share) X(page_good_lines) X(pos_line) X(pos_words) X(nw_rel_mean)          \
  X(nw_rel_max)                                                                                \
  X(w1_nw) X(w1_term) X(w1_short) X(w1_stop) X(w1_num) X(w1_title) X(w1_rep)                  \
  X(w3_nw) X(w3_term) X(w3_short) X(w3_stop) X(w3_num) X(w3_title) X(w3_rep)                  \
  X(w5_nw) X(w5_term) X(w5_short) X(w5_stop) X(w5_num) X(w5_title) X(w5_rep)                  \
  X(w10_nw) X(w10_term) X(w10_short) X(w10_stop) X(w10_num) X(w10_title) X(w10_rep)           \
  X(w25_nw) X(w25_term) X(w25_short) X(w25_stop) X(w25_num) X(w25_title) X(w25_rep)           \
  X(prev5_nw) X(next5_nw) X(prev5_term) X(next5_term)                                          \
  X(prev1_nw) X(prev1_term) X(prev1_nch) X(next1_nw) X(next1_term) X(next1_nch) X(prev2_nw)    \
  X(next2_nw) X(blk10_dist) X(blk10_share) X(blk10_wdist) X(blkterm_dist) X(blkterm_share)     \
  X(blkterm_wdist) X(good_prev) X(good_next) X(from_first_good) X(from_last_good) X(sig_run)   \
  X(short_run) X(term_run) X(per2) X(per3) X(per4) X(grp_lines) X(grp_words) X(grp_pos)         \
  X(ov_page) X(ov_blk) X(n_content_tok)

namespace {
enum Column : size_t {
#define CHAFF_ENUM(name) k_##name,
  CHAFF_LINE_FEATURES(CHAFF_ENUM)
#undef CHAFF_ENUM
  kNumColumns
};
}  // namespace

const std::vector<std::string_view>& LineFeatureNames() {
  static const std::vector<std::string_view> kNames = {
#define CHAFF_NAME(name) #name,
      CHAFF_LINE_FEATURES(CHAFF_NAME)
#undef CHAFF_NAME
  };
  return kNames;
}

namespace {

// Calls f(i, lo, hi) for every row i < n with [lo, hi) its window
// [i + a, i + b] clipped to [0, n): first and last the rows whose window
// the page's edges clip, between them the others in a loop with no
// clipping, which the compiler vectorizes.
template <typename F>
void ForEachWindow(size_t n, long a, long b, F f) {
  const long ln = static_cast<long>(n);
  const long first = std::clamp(-a, 0L, ln);            // i + a >= 0 from here
  const long last = std::clamp(ln - b - 1, first, ln);  // i + b + 1 <= n before here
  auto clipped = [&](long i) {
    f(static_cast<size_t>(i), static_cast<size_t>(std::clamp(i + a, 0L, ln)),
      static_cast<size_t>(std::clamp(i + b + 1, 0L, ln)));
  };
  for (long i = 0; i < first; ++i) clipped(i);
  for (long i = first; i < last; ++i) {
    f(static_cast<size_t>(i), static_cast<size_t>(i + a), static_cast<size_t>(i + b + 1));
  }
  for (long i = last; i < ln; ++i) clipped(i);
}

// The window features (w*_*, prev5_*, next5_*): sums over windows of lines
// from prefix sums, divided by the window's lines or words. Every sum and
// count is an integer. With Real = double these are the features as
// defined (the double quotient, rounded to float). With Real = float, when
// every count is below 2^24 (exact in float), the float quotient is the
// same float: rounding the exact quotient to double and then to float
// equals rounding it to float directly when the wider format has at least
// 2p + 2 bits for p-bit floats (Figueroa, "When is double rounding
// innocuous?", 1995: 53 >= 2 * 24 + 2). Floats go four to a vector with
// SSE2, and their division is cheaper.
template <typename Real>
void WindowColumns(const Scratch& s, size_t n, WindowSums<Real>* w, LineFeatureMatrix* out) {
  auto prefix = [n](const std::vector<double>& x, std::vector<Real>* cs) {
    cs->resize(n + 1);
    Real sum = 0;
    (*cs)[0] = 0;
    for (size_t i = 0; i < n; ++i) (*cs)[i + 1] = sum += static_cast<Real>(x[i]);
  };
  prefix(s.nw, &w->nw);
  prefix(s.term, &w->term);
  prefix(s.shortl, &w->shortl);
  prefix(s.stop, &w->stop);
  prefix(s.num, &w->num);
  prefix(s.title, &w->title);
  prefix(s.alpha, &w->alpha);
  prefix(s.reprep, &w->rep);
  const Real one = 1;
  // The mean over the window's lines.
  auto mean = [&](Column c, const std::vector<Real>& cs, long a, long b) {
    float* col = out->column(c);
    const Real* x = cs.data();
    ForEachWindow(n, a, b, [col, x](size_t i, size_t lo, size_t hi) {
      col[i] = static_cast<float>((x[hi] - x[lo]) / static_cast<Real>(hi - lo));
    });
  };
  // A share of the window's words (or letter tokens), at least one.
  auto share = [&](Column c, const std::vector<Real>& cs, const std::vector<Real>& den, long a,
                   long b) {
    float* col = out->column(c);
    const Real* x = cs.data();
    const Real* d = den.data();
    ForEachWindow(n, a, b, [col, x, d, one](size_t i, size_t lo, size_t hi) {
      col[i] = static_cast<float>((x[hi] - x[lo]) / std::max(d[hi] - d[lo], one));
    });
  };
  static const long kRadii[] = {1, 3, 5, 10, 25};
  for (size_t ri = 0; ri < 5; ++ri) {
    const long r = kRadii[ri];
    const size_t base = k_w1_nw + 7 * ri;
    mean(static_cast<Column>(base + 0), w->nw, -r, r);
    mean(static_cast<Column>(base + 1), w->term, -r, r);
    mean(static_cast<Column>(base + 2), w->shortl, -r, r);
    share(static_cast<Column>(base + 3), w->stop, w->nw, -r, r);
    share(static_cast<Column>(base + 4), w->num, w->nw, -r, r);
    share(static_cast<Column>(base + 5), w->title, w->alpha, -r, r);
    mean(static_cast<Column>(base + 6), w->rep, -r, r);
  }
  // One-sided: the mean, or -1 when the window is empty (a page edge).
  auto one_sided = [&](Column c, const std::vector<Real>& cs, long a, long b) {
    float* col = out->column(c);
    const Real* x = cs.data();
    ForEachWindow(n, a, b, [col, x, one](size_t i, size_t lo, size_t hi) {
      const Real cnt = static_cast<Real>(hi - lo);
      col[i] = static_cast<float>(cnt > 0 ? (x[hi] - x[lo]) / std::max(cnt, one) : -one);
    });
  };
  one_sided(k_prev5_nw, w->nw, -5, -1);
  one_sided(k_prev5_term, w->term, -5, -1);
  one_sided(k_next5_nw, w->nw, 1, 5);
  one_sided(k_next5_term, w->term, 1, 5);
}

}  // namespace

void ComputeLineFeatures(const Document& doc, LineFeatureMatrix* out, size_t extra) {
  thread_local Scratch s;
  const auto& lines = doc.lines();
  out->line.clear();
  out->words.clear();
  for (size_t k = 0; k < lines.size(); ++k) {
    if (!lines[k].blank) out->line.push_back(static_cast<uint32_t>(k));
  }
  const size_t n = out->line.size();
  const size_t cols = kNumColumns;
  out->rows = n;
  out->cols = cols;
  out->columns = cols + extra;
  out->stride = (n + 15) / 16 * 16;
  // Every row of every feature is written below: only the padding rows and
  // the model's own columns are cleared here.
  out->values.resize(out->columns * out->stride);
  for (size_t c = 0; c < cols; ++c) std::fill(out->column(c) + n, out->column(c) + out->stride, 0.0f);
  std::fill(out->values.begin() + static_cast<long>(cols * out->stride), out->values.end(), 0.0f);
  if (n == 0) return;
  auto resize = [n](std::vector<double>* v) { v->resize(n); };
  for (auto* v : {&s.ids}) v->resize(n);
  for (auto* v : {&s.nw, &s.nch, &s.term, &s.shortl, &s.stop, &s.num, &s.title, &s.alpha,
                  &s.blank_before, &s.blank_after, &s.rep, &s.first_occ, &s.reprep, &s.good,
                  &s.good_prev, &s.good_next, &s.sig_run, &s.short_run, &s.term_run, &s.per[0],
                  &s.per[1], &s.per[2], &s.grp_lines, &s.grp_words, &s.grp_pos, &s.ov_page,
                  &s.ov_blk, &s.n_content, &s.blk_dist[0], &s.blk_dist[1], &s.blk_wdist[0],
                  &s.blk_wdist[1], &s.tmp}) {
    resize(v);
  }
  s.prims.resize(n);

  // Per line: counts, and the distinct content words of each line.
  s.line_counts.Reset(n);
  s.content.clear();
  s.content_begin.assign(1, 0);
  for (size_t i = 0; i < n; ++i) {
    s.prims[i] = LinePrims(doc, out->line[i], &s.content);
    s.content_begin.push_back(static_cast<uint32_t>(s.content.size()));
  }
  // Sized for the page's content words: the map never grows, so pointers
  // to its entries stay valid.
  s.page_tokens.Reset(s.content.size());
  s.line_tokens.clear();
  s.line_token_begin.assign(1, 0);
  for (size_t i = 0; i < n; ++i) {
    const size_t k = out->line[i];
    const Prims& f = s.prims[i];
    const auto row = static_cast<uint32_t>(i + 1);
    for (uint32_t t = s.content_begin[i]; t < s.content_begin[i + 1]; ++t) {
      bool fresh = false;
      Scratch::TokenCount* c =
          s.page_tokens.Insert(s.content[t], Scratch::TokenCount{0, 0, 0}, &fresh);
      if (c->last_row_plus1 == row) continue;  // again in this line
      c->last_row_plus1 = row;
      ++c->lines;
      s.line_tokens.push_back(c);
    }
    s.line_token_begin.push_back(static_cast<uint32_t>(s.line_tokens.size()));
    s.ids[i] = doc.identity(k);
    s.nw[i] = f.nw;
    s.nch[i] = f.nch;
    s.term[i] = f.term;
    s.shortl[i] = f.nw <= 3 ? 1.0 : 0.0;
    s.stop[i] = f.nstop;
    s.num[i] = f.nnum;
    s.title[i] = f.ntitle;
    s.alpha[i] = f.nalpha;
    s.blank_before[i] = (k == 0 || lines[k - 1].blank) ? 1.0 : 0.0;
    s.blank_after[i] = (k + 1 >= lines.size() || lines[k + 1].blank) ? 1.0 : 0.0;
    bool fresh = false;
    ++s.line_counts.Insert(s.ids[i], Scratch::LineCount{0, static_cast<uint32_t>(i)}, &fresh)
          ->count;
    out->words.push_back(static_cast<uint32_t>(f.nw));
  }
  for (size_t i = 0; i < n; ++i) {
    const Scratch::LineCount& c = *s.line_counts.Find(s.ids[i]);
    s.rep[i] = c.count;
    s.reprep[i] = c.count > 1 ? 1.0 : 0.0;
    s.first_occ[i] = c.first_row == i ? 1.0 : 0.0;
  }
  const double nd = static_cast<double>(n);
  double totw = 0, maxw = 0, sum_term = 0, sum_short = 0, sum_stop = 0, sum_rep = 0,
         sum_bullet = 0, good_words = 0, good_lines = 0;
  for (size_t i = 0; i < n; ++i) {
    const Prims& f = s.prims[i];
    totw += f.nw;
    maxw = std::max(maxw, f.nw);
    sum_term += f.term;
    sum_short += s.shortl[i];
    sum_stop += f.nstop;
    sum_rep += s.reprep[i];
    sum_bullet += f.bullet;
    s.good[i] = ((f.nw >= 12 && f.term > 0) || f.nw >= 30) ? 1.0 : 0.0;
    good_words += s.good[i] * f.nw;
    good_lines += s.good[i];
  }
  Prefix(s.nw, &s.cw);
  Prefix(s.term, &s.cs_term);
  Prefix(s.shortl, &s.cs_short);
  Prefix(s.stop, &s.cs_stop);
  Prefix(s.num, &s.cs_num);
  Prefix(s.title, &s.cs_title);
  Prefix(s.alpha, &s.cs_alpha);
  Prefix(s.reprep, &s.cs_rep);

  // The densest blocks: of long lines, and of sentences.
  long block_s = -1, block_e = -1;  // of sentences, for the overlaps below
  for (int which = 0; which < 2; ++which) {
    for (size_t i = 0; i < n; ++i) {
      s.tmp[i] = which == 0 ? s.nw[i] - 10.0 : (s.term[i] > 0 ? s.nw[i] : 0.0) - 4.0;
    }
    long bs = -1, be = -1;
    const bool found = MaxSumRun(s.tmp, &bs, &be);
    if (which == 1) {
      block_s = bs;
      block_e = be;
    }
    s.blk_share[which] =
        found ? (s.cw[static_cast<size_t>(be) + 1] - s.cw[static_cast<size_t>(bs)]) /
                    std::max(totw, 1.0)
              : 0.0;
    for (size_t i = 0; i < n; ++i) {
      const long li = static_cast<long>(i);
      double d = 200, wdist = 1;
      if (found) {
        d = static_cast<double>(std::clamp(li < bs ? li - bs : (li > be ? li - be : 0L), -200L,
                                           200L));
        const double words =
            li < bs ? s.cw[static_cast<size_t>(bs)] - s.cw[i + 1]
                    : (li > be ? s.cw[i] - s.cw[static_cast<size_t>(be) + 1] : 0.0);
        wdist = words / std::max(totw, 1.0);
      }
      s.blk_dist[which][i] = d;
      s.blk_wdist[which][i] = wdist;
    }
  }

  // Good lines before and after.
  long first_good = -1, last_good = -1;
  {
    long last = -1000000000L;
    for (size_t i = 0; i < n; ++i) {
      s.good_prev[i] = static_cast<double>(std::min(static_cast<long>(i) - last, 200L));
      if (s.good[i] > 0) {
        last = static_cast<long>(i);
        if (first_good < 0) first_good = last;
        last_good = last;
      }
    }
    last = 1000000000L;
    for (size_t i = n; i-- > 0;) {
      s.good_next[i] = static_cast<double>(std::min(last - static_cast<long>(i), 200L));
      if (s.good[i] > 0) last = static_cast<long>(i);
    }
  }

  // Runs of lines of one shape, and records that repeat every 2-4 lines.
  s.sig.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Prims& f = s.prims[i];
    s.sig[i] = WordBucket(f.nw) * 16 + static_cast<int>(f.term) * 8 +
               static_cast<int>(f.bullet) * 4 + static_cast<int>(f.startdig) * 2 +
               static_cast<int>(f.colon);
  }
  RunLengths(s.sig, &s.runs);
  for (size_t i = 0; i < n; ++i) s.sig_run[i] = std::min(s.runs[i], 200.0);
  s.keys.resize(n);
  for (size_t i = 0; i < n; ++i) s.keys[i] = static_cast<int>(s.shortl[i]);
  RunLengths(s.keys, &s.runs);
  for (size_t i = 0; i < n; ++i) s.short_run[i] = s.shortl[i] > 0 ? std::min(s.runs[i], 200.0) : 0;
  for (size_t i = 0; i < n; ++i) s.keys[i] = static_cast<int>(s.term[i]);
  RunLengths(s.keys, &s.runs);
  for (size_t i = 0; i < n; ++i) s.term_run[i] = s.term[i] > 0 ? std::min(s.runs[i], 200.0) : 0;
  for (size_t period = 2; period <= 4; ++period) {
    for (size_t i = 0; i < n; ++i) {
      s.tmp[i] = i >= period && s.sig[i] == s.sig[i - period] ? 1.0 : 0.0;
    }
    Prefix(s.tmp, &s.cs_eq);
    for (size_t i = 0; i < n; ++i) {
      double m = 0;
      s.per[period - 2][i] = WindowSum(s.cs_eq, n, i, -6, 6, &m) / m;
    }
  }

  // Groups of lines between blank lines.
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && s.blank_before[j] == 0) ++j;
    const double words = s.cw[j] - s.cw[i];
    for (size_t k = i; k < j; ++k) {
      s.grp_lines[k] = std::min(static_cast<double>(j - i), 200.0);
      s.grp_words[k] = words;
      s.grp_pos[k] = static_cast<double>(k - i);
    }
    i = j;
  }

  // Content words shared with the rest of the page and with the block of
  // sentences: each line's distinct ones counted once.
  if (block_s >= 0) {
    for (size_t i = static_cast<size_t>(block_s); i <= static_cast<size_t>(block_e); ++i) {
      for (uint32_t t = s.line_token_begin[i]; t < s.line_token_begin[i + 1]; ++t) {
        ++s.line_tokens[t]->block_lines;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    const uint32_t b = s.line_token_begin[i], e = s.line_token_begin[i + 1];
    s.n_content[i] = e - b;
    s.ov_page[i] = s.ov_blk[i] = 0;
    if (e == b) continue;
    const uint32_t in_block =
        static_cast<long>(i) >= block_s && static_cast<long>(i) <= block_e ? 1 : 0;
    double on_page = 0, on_block = 0;
    for (uint32_t t = b; t < e; ++t) {
      on_page += s.line_tokens[t]->lines > 1;
      on_block += s.line_tokens[t]->block_lines > in_block;
    }
    s.ov_page[i] = on_page / (e - b);
    s.ov_blk[i] = on_block / (e - b);
  }

  // Columns, one loop each, writing a run of floats (a row at a time wrote
  // 112 floats a stride apart). Quotients of counts in float when every
  // count of the page is below 2^24 (a page of fewer bytes), else in
  // double: the same floats (see WindowColumns).
  const bool exact_in_float = doc.text().size() < (size_t{1} << 24);
  if (exact_in_float) {
    WindowColumns(s, n, &s.windows_f, out);
  } else {
    WindowColumns(s, n, &s.windows_d, out);
  }
  const std::vector<Prims>& prims = s.prims;
  const std::vector<double>& cw = s.cw;
  auto column = [&](Column c, auto value) {
    float* x = out->column(c);
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>(value(i));
  };
  auto copy = [&](Column c, const std::vector<double>& v) {
    column(c, [&v](size_t i) { return v[i]; });
  };
  auto constant = [&](Column c, double v) {
    std::fill(out->column(c), out->column(c) + n, static_cast<float>(v));
  };
  auto field = [&](Column c, double Prims::*v) {
    column(c, [&prims, v](size_t i) { return prims[i].*v; });
  };
  auto quotients = [&](auto zero) {
    using Real = decltype(zero);
    const Real one = 1;
    // A count over another, at least one.
    auto share = [&](Column c, double Prims::*num, double Prims::*den) {
      column(c, [&prims, num, den, one](size_t i) {
        return static_cast<Real>(prims[i].*num) / std::max(static_cast<Real>(prims[i].*den), one);
      });
    };
    share(k_stop_share, &Prims::nstop, &Prims::nw);
    share(k_title_share, &Prims::ntitle, &Prims::nalpha);
    share(k_caps_share, &Prims::ncaps, &Prims::nw);
    share(k_num_share, &Prims::nnum, &Prims::nw);
    share(k_time_share, &Prims::ntime, &Prims::nw);
    share(k_mean_tok_len, &Prims::tokchars, &Prims::nw);
    share(k_letter_share, &Prims::nletter, &Prims::nch);
    share(k_upper_share, &Prims::nupper, &Prims::nletter);
    share(k_digit_share, &Prims::ndigit, &Prims::nch);
    share(k_punct_share, &Prims::npunct, &Prims::nch);
    const Real num_lines = static_cast<Real>(n);
    const Real words = std::max(static_cast<Real>(totw), one);
    const Real max_words = std::max(static_cast<Real>(maxw), one);
    column(k_pos_line, [num_lines](size_t i) { return static_cast<Real>(i) / num_lines; });
    column(k_pos_words, [&cw, words](size_t i) { return static_cast<Real>(cw[i]) / words; });
    column(k_nw_rel_max,
           [&prims, max_words](size_t i) { return static_cast<Real>(prims[i].nw) / max_words; });
  };
  if (exact_in_float) {
    quotients(0.0f);
  } else {
    quotients(0.0);
  }
  field(k_nch, &Prims::nch);
  field(k_nw, &Prims::nw);
  field(k_ntime, &Prims::ntime);
  field(k_max_tok_len, &Prims::maxtok);
  field(k_sym_count, &Prims::nsym);
  field(k_cur_count, &Prims::ncur);
  field(k_sep_count, &Prims::nsep);
  field(k_comma_count, &Prims::ncomma);
  field(k_term, &Prims::term);
  field(k_ell, &Prims::ell);
  field(k_colon, &Prims::colon);
  field(k_bullet, &Prims::bullet);
  field(k_startdig, &Prims::startdig);
  field(k_copy, &Prims::copy);
  copy(k_blank_before, s.blank_before);
  copy(k_blank_after, s.blank_after);
  const std::vector<double>& rep = s.rep;
  column(k_rep, [&rep](size_t i) { return std::min(rep[i], 50.0); });
  copy(k_first_occ, s.first_occ);
  constant(k_page_lines, nd);
  constant(k_page_words, totw);
  constant(k_page_mean_nw, totw / nd);
  constant(k_page_max_nw, maxw);
  constant(k_page_term_share, sum_term / nd);
  constant(k_page_short_share, sum_short / nd);
  constant(k_page_stop_share, sum_stop / std::max(totw, 1.0));
  constant(k_page_rep_share, sum_rep / nd);
  constant(k_page_bullet_share, sum_bullet / nd);
  constant(k_page_good_words_share, good_words / std::max(totw, 1.0));
  constant(k_page_good_lines, good_lines);
  // A quotient of a quotient: in double, as defined.
  const double mean_words = std::max(totw / nd, 1e-9);
  column(k_nw_rel_mean, [&prims, mean_words](size_t i) { return prims[i].nw / mean_words; });
  // Neighbours, -1 beyond the page's edges.
  auto neighbour = [&](Column c, const std::vector<double>& v, long offset) {
    const long ln = static_cast<long>(n);
    column(c, [&v, offset, ln](size_t i) {
      const long j = static_cast<long>(i) + offset;
      return j >= 0 && j < ln ? v[static_cast<size_t>(j)] : -1.0;
    });
  };
  neighbour(k_prev1_nw, s.nw, -1);
  neighbour(k_prev1_term, s.term, -1);
  neighbour(k_prev1_nch, s.nch, -1);
  neighbour(k_next1_nw, s.nw, 1);
  neighbour(k_next1_term, s.term, 1);
  neighbour(k_next1_nch, s.nch, 1);
  neighbour(k_prev2_nw, s.nw, -2);
  neighbour(k_next2_nw, s.nw, 2);
  copy(k_blk10_dist, s.blk_dist[0]);
  constant(k_blk10_share, s.blk_share[0]);
  copy(k_blk10_wdist, s.blk_wdist[0]);
  copy(k_blkterm_dist, s.blk_dist[1]);
  constant(k_blkterm_share, s.blk_share[1]);
  copy(k_blkterm_wdist, s.blk_wdist[1]);
  copy(k_good_prev, s.good_prev);
  copy(k_good_next, s.good_next);
  auto from = [&](Column c, long good) {
    column(c, [good](size_t i) {
      return good < 0 ? 200.0
                      : static_cast<double>(std::clamp(static_cast<long>(i) - good, -200L, 200L));
    });
  };
  from(k_from_first_good, first_good);
  from(k_from_last_good, last_good);
  copy(k_sig_run, s.sig_run);
  copy(k_short_run, s.short_run);
  copy(k_term_run, s.term_run);
  copy(k_per2, s.per[0]);
  copy(k_per3, s.per[1]);
  copy(k_per4, s.per[2]);
  copy(k_grp_lines, s.grp_lines);
  copy(k_grp_words, s.grp_words);
  copy(k_grp_pos, s.grp_pos);
  copy(k_ov_page, s.ov_page);
  copy(k_ov_blk, s.ov_blk);
  copy(k_n_content_tok, s.n_content);
}

}  // namespace internal
}  // namespace chaff
