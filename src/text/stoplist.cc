#include "chaff/text/stoplist.h"

#include <xxhash.h>

#include <array>

#include "text/stoplist_en.h"
#include "text/stoplist_internal.h"
#include "text/stoplist_snowball.h"

namespace chaff {
namespace {

// Stoplists match tokens by the tokenizer's own hash (tokenize.h: XXH3 of
// the normalized token with kDefaultTokenSeed), so a tokenized document is
// looked up with no second hashing.
uint64_t HashNormalized(std::string_view norm) {
  return XXH3_64bits_withSeed(norm.data(), norm.size(), kDefaultTokenSeed);
}

}  // namespace

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


namespace internal {

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

// How many of tokens[t0, t1) are in `list`.
size_t CountHits(const Stoplist& list, const Tokens& tokens, size_t t0, size_t t1) {
  size_t hits = 0;
  for (size_t t = t0; t < t1; ++t) hits += list.ContainsHash(tokens.hashes[t]) ? 1 : 0;
  return hits;
}


namespace {

// The Snowball lists as one open-addressing table: a token's hash gives the
// set of lists that hold it (bit i: kSnowballLists[i]) in one probe, so
// choosing a document's language costs one lookup per token, not one per
// list. Membership is by the full 64-bit hash.
class SnowballMasks {
 public:
  static constexpr size_t kMaxLists = 32;

  SnowballMasks() {
    const auto& lists = SnowballStoplists();
    size_t entries = 0;
    for (const auto& l : lists) entries += l->hashes().size();
    size_t size = 64;
    while (size < 4 * entries) size <<= 1;  // at most 1/4 full: short probes
    table_.assign(size, Entry{0, 0});
    mask_ = size - 1;
    for (size_t i = 0; i < lists.size() && i < kMaxLists; ++i) {
      for (const uint64_t h : lists[i]->hashes()) {
        size_t slot = h & mask_;
        while (table_[slot].lists != 0 && table_[slot].hash != h) slot = (slot + 1) & mask_;
        table_[slot].hash = h;
        table_[slot].lists |= uint32_t{1} << i;
      }
    }
  }

  uint32_t Lookup(uint64_t h) const {
    for (size_t slot = h & mask_;; slot = (slot + 1) & mask_) {
      const Entry& e = table_[slot];
      if (e.lists == 0 || e.hash == h) return e.lists;  // a free slot: in no list
    }
  }

 private:
  struct Entry {
    uint64_t hash;
    uint32_t lists;  // 0: a free slot
  };
  std::vector<Entry> table_;
  size_t mask_ = 0;
};

const SnowballMasks& Masks() {
  static const SnowballMasks* const kMasks = new SnowballMasks();
  return *kMasks;
}

}  // namespace

// Which built-in list fits `tokens` best: -1 for English, else an index in
// kSnowballLists; -2 when no list holds `min_density` of the tokens.
int BestBuiltinList(const Tokens& tokens, double min_density) {
  if (tokens.size() == 0) return -2;
  const double n = static_cast<double>(tokens.size());
  size_t best_hits = CountHits(*Stoplist::English(), tokens, 0, tokens.size());
  if (static_cast<double>(best_hits) >= kClearlyEnglish * min_density * n) return -1;
  int best = -1;
  const auto& lists = SnowballStoplists();
  std::array<size_t, SnowballMasks::kMaxLists> counts{};
  const SnowballMasks& masks = Masks();
  for (size_t t = 0; t < tokens.size(); ++t) {
    for (uint32_t m = masks.Lookup(tokens.hashes[t]); m != 0; m &= m - 1) {
      ++counts[static_cast<size_t>(__builtin_ctz(m))];
    }
  }
  for (size_t i = 0; i < lists.size(); ++i) {
    const size_t hits = i < SnowballMasks::kMaxLists ? counts[i] : CountHits(*lists[i], tokens, 0, tokens.size());
    if (hits > best_hits) {
      best_hits = hits;
      best = static_cast<int>(i);
    }
  }
  if (static_cast<double>(best_hits) < min_density * n) return -2;
  return best;
}


}  // namespace internal

const Stoplist& AllBuiltinStopwords() {
  static const Stoplist* const kAll = [] {
    std::vector<std::string> words(internal::kEnglishStopwords,
                                   internal::kEnglishStopwords + internal::kNumEnglishStopwords);
    for (size_t i = 0; i < internal::kNumSnowballLists; ++i) {
      const internal::SnowballList& l = internal::kSnowballLists[i];
      words.insert(words.end(), l.words, l.words + l.size);
    }
    return new Stoplist(Stoplist::FromWords(words));
  }();
  return *kAll;
}

std::string_view BuiltinStoplistLanguage(std::string_view text, double min_density) {
  Tokens tokens;
  Tokenize(text, kDefaultTokenSeed, &tokens);
  const int i = internal::BestBuiltinList(tokens, min_density);
  if (i == -1) return "english";
  return i < 0 ? std::string_view() : internal::kSnowballLists[i].language;
}

}  // namespace chaff
