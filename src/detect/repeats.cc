#include "chaff/detect/repeats.h"

#include <algorithm>
#include <vector>

#include "chaff/sketch/shingle.h"
#include "detect/flat_map.h"

namespace chaff {
namespace {

using internal::FlatMap64;

// Lines of at least this many times min_tokens tokens are also judged by
// their containment in all earlier text, not only in one earlier line.
constexpr size_t kUnionContainmentFactor = 3;

// A short line that repeats an earlier one but was not judged alone.
struct ShortRepeat {
  size_t line;
  int32_t ref;
};

// Index of the nearest non-blank line before (step -1) or after (step +1)
// line i, or -1.
int64_t NearestNonBlank(const std::vector<Line>& lines, size_t i, int step) {
  int64_t k = static_cast<int64_t>(i) + step;
  while (k >= 0 && k < static_cast<int64_t>(lines.size())) {
    if (!lines[static_cast<size_t>(k)].blank) return k;
    k += step;
  }
  return -1;
}

// The earlier lines that hold a shingle: the first two, enough to find the
// line holding most of a repeat.
struct Owners {
  int32_t first;
  int32_t second;
};

// Per-thread tables, reused from document to document.
struct RepeatScratch {
  FlatMap64<int32_t> first_line_of;  // identity -> first line
  FlatMap64<Owners> owners;          // shingle -> earlier lines
  std::vector<int32_t> overlap;      // owners of one line's shingles
  std::vector<uint64_t> shingles;
  std::vector<ShortRepeat> short_repeats;
};

}  // namespace

void FindRepeats(const Document& doc, const RepeatOptions& options,
                 std::vector<LineDecision>* decisions) {
  auto& d = *decisions;
  const std::vector<Line>& lines = doc.lines();
  const uint64_t* hashes = doc.tokens().hashes.data();
  thread_local RepeatScratch scratch;
  // Identity of a whole line (Document::identity): equal exactly when the
  // normalized forms are (up to 64-bit collisions).
  FlatMap64<int32_t>& first_line_of = scratch.first_line_of;
  // Every shingle of earlier text -> the earlier lines that hold it.
  FlatMap64<Owners>& owners = scratch.owners;
  std::vector<int32_t>& overlap = scratch.overlap;
  std::vector<uint64_t>& shingles = scratch.shingles;
  std::vector<ShortRepeat>& short_repeats = scratch.short_repeats;
  first_line_of.Reset(lines.size());
  owners.Reset(doc.tokens().size());
  short_repeats.clear();
  const size_t min_tokens = static_cast<size_t>(options.min_tokens);
  // No later line is compared with the last non-blank line, so its shingles
  // are not stored: a document that is one huge line stores none.
  size_t last_non_blank = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].blank) last_non_blank = i;
  }

  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t n = doc.num_tokens(i);
    if (lines[i].blank || n == 0) continue;
    const auto index = static_cast<int32_t>(i);
    const bool open = d[i].reason == Reason::kKeep;
    const bool judged = open && n >= min_tokens;

    bool inserted = false;
    const int32_t first = *first_line_of.Insert(doc.identity(i), index, &inserted);
    if (!inserted) {
      if (judged) {
        d[i] = LineDecision{Reason::kRepeat, first, 1.0f};
      } else if (open) {
        short_repeats.push_back(ShortRepeat{i, first});
      }
      continue;  // its shingles are all in `owners` already
    }

    Shingles(hashes + doc.token_begin(i), n, options.shingle_width, &shingles);
    if (judged && options.near) {
      overlap.clear();
      size_t hits = 0;  // shingles found anywhere in earlier text
      for (uint64_t s : shingles) {
        const Owners* owner = owners.Find(s);
        if (owner == nullptr) continue;
        ++hits;
        overlap.push_back(owner->first);
        if (owner->second >= 0) overlap.push_back(owner->second);
      }
      // The earlier line holding most of this one; ties go to the earliest.
      std::sort(overlap.begin(), overlap.end());
      int32_t best = -1;
      size_t best_count = 0;
      for (size_t a = 0; a < overlap.size();) {
        size_t b = a + 1;
        while (b < overlap.size() && overlap[b] == overlap[a]) ++b;
        if (b - a > best_count) {
          best = overlap[a];
          best_count = b - a;
        }
        a = b;
      }
      double containment =
          static_cast<double>(best_count) / static_cast<double>(shingles.size());
      // A very long line may hold several earlier paragraphs at once (the
      // whole article dumped into one line below it): judge it against all
      // earlier text. Rows of a list or table are never this long.
      if (n >= kUnionContainmentFactor * min_tokens) {
        containment = std::max(containment, static_cast<double>(hits) /
                                                static_cast<double>(shingles.size()));
      }
      if (best >= 0 && containment >= options.containment) {
        d[i] = LineDecision{Reason::kRepeat, best, static_cast<float>(containment)};
      }
    }
    if (i == last_non_blank) continue;
    for (uint64_t s : shingles) {
      bool fresh = false;
      Owners* o = owners.Insert(s, Owners{index, -1}, &fresh);
      if (!fresh && o->second < 0 && o->first != index) o->second = index;
    }
  }

  // Short exact repeats inside a repeated block: spread from marked
  // neighbours until nothing changes (each pass marks at least one line, so
  // this ends; blocks are short, so it ends fast).
  bool changed = true;
  while (changed && !short_repeats.empty()) {
    changed = false;
    for (auto& r : short_repeats) {
      if (d[r.line].reason != Reason::kKeep) continue;
      const int64_t before = NearestNonBlank(lines, r.line, -1);
      const int64_t after = NearestNonBlank(lines, r.line, +1);
      const bool next_to_repeat =
          (before >= 0 && d[static_cast<size_t>(before)].reason == Reason::kRepeat) ||
          (after >= 0 && d[static_cast<size_t>(after)].reason == Reason::kRepeat);
      if (next_to_repeat) {
        d[r.line] = LineDecision{Reason::kRepeat, r.ref, 1.0f};
        changed = true;
      }
    }
  }
}

}  // namespace chaff
