#include "chaff/detect/repeats.h"

#include <xxhash.h>

#include <algorithm>
#include <unordered_map>

#include "chaff/sketch/shingle.h"
#include "chaff/text/tokenize.h"

namespace chaff {
namespace {

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

}  // namespace

void FindRepeats(std::string_view text, const std::vector<Line>& lines,
                 const RepeatOptions& options,
                 std::vector<LineDecision>* decisions) {
  auto& d = *decisions;
  // Identity of a whole line: the hash of its token-hash sequence, equal
  // exactly when the normalized forms are (up to 64-bit collisions).
  std::unordered_map<uint64_t, int32_t> first_line_of;
  // Every shingle of earlier text -> the earlier lines that hold it (the
  // first two: enough to find the line holding most of a repeat).
  std::unordered_map<uint64_t, std::pair<int32_t, int32_t>> owners;
  std::unordered_map<int32_t, int> overlap;  // reused per line
  std::vector<ShortRepeat> short_repeats;
  Tokens tokens;
  std::vector<uint64_t> shingles;
  const size_t min_tokens = static_cast<size_t>(options.min_tokens);
  // No later line is compared with the last non-blank line, so its shingles
  // are not stored: a document that is one huge line stores none.
  size_t last_non_blank = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].blank) last_non_blank = i;
  }

  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.blank) continue;
    const auto index = static_cast<int32_t>(i);
    Tokenize(LineText(text, line), kDefaultTokenSeed, &tokens);
    if (tokens.size() == 0) continue;
    const bool open = d[i].reason == Reason::kKeep;
    const bool judged = open && tokens.size() >= min_tokens;

    const uint64_t identity =
        XXH3_64bits(tokens.hashes.data(), tokens.size() * sizeof(uint64_t));
    auto [it, inserted] = first_line_of.emplace(identity, index);
    if (!inserted) {
      if (judged) {
        d[i] = LineDecision{Reason::kRepeat, it->second, 1.0f};
      } else if (open) {
        short_repeats.push_back(ShortRepeat{i, it->second});
      }
      continue;  // its shingles are all in `owners` already
    }

    Shingles(tokens.hashes.data(), tokens.size(), options.shingle_width, &shingles);
    if (judged && options.near) {
      overlap.clear();
      size_t hits = 0;  // shingles found anywhere in earlier text
      for (uint64_t s : shingles) {
        auto owner = owners.find(s);
        if (owner == owners.end()) continue;
        ++hits;
        ++overlap[owner->second.first];
        if (owner->second.second >= 0) ++overlap[owner->second.second];
      }
      // The earlier line holding most of this one; ties go to the earliest.
      int32_t best = -1;
      int best_count = 0;
      for (const auto& [line_index, count] : overlap) {
        if (count > best_count || (count == best_count && line_index < best)) {
          best = line_index;
          best_count = count;
        }
      }
      double containment =
          static_cast<double>(best_count) / static_cast<double>(shingles.size());
      // A very long line may hold several earlier paragraphs at once (the
      // whole article dumped into one line below it): judge it against all
      // earlier text. Rows of a list or table are never this long.
      if (tokens.size() >= kUnionContainmentFactor * min_tokens) {
        containment = std::max(containment, static_cast<double>(hits) /
                                                static_cast<double>(shingles.size()));
      }
      if (best >= 0 && containment >= options.containment) {
        d[i] = LineDecision{Reason::kRepeat, best, static_cast<float>(containment)};
      }
    }
    if (i == last_non_blank) continue;
    for (uint64_t s : shingles) {
      auto [o, fresh] = owners.emplace(s, std::make_pair(index, int32_t{-1}));
      if (!fresh && o->second.second < 0 && o->second.first != index) {
        o->second.second = index;
      }
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
