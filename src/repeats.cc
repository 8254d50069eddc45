#include "chaff/repeats.h"

#include <xxhash.h>

#include <unordered_map>

#include "chaff/shingle.h"
#include "chaff/tokenize.h"

namespace chaff {

void FindRepeats(std::string_view text, const std::vector<Line>& lines,
                 const RepeatOptions& options,
                 std::vector<LineDecision>* decisions) {
  // Identity of a whole line: the hash of its token-hash sequence, which is
  // equal exactly when the normalized forms are (up to 64-bit collisions).
  std::unordered_map<uint64_t, int32_t> first_line_of;
  // Every shingle of earlier text -> the first line that contained it.
  std::unordered_map<uint64_t, int32_t> shingle_owner;
  std::unordered_map<int32_t, int> overlap;  // reused per line
  Tokens tokens;
  std::vector<uint64_t> shingles;
  const size_t min_tokens = static_cast<size_t>(options.min_tokens);

  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    if (line.blank) continue;
    const auto index = static_cast<int32_t>(i);
    Tokenize(LineText(text, line), kDefaultTokenSeed, &tokens);
    if (tokens.size() == 0) continue;
    const bool judged = tokens.size() >= min_tokens &&
                        (*decisions)[i].reason == Reason::kKeep;

    const uint64_t identity =
        XXH3_64bits(tokens.hashes.data(), tokens.size() * sizeof(uint64_t));
    auto [it, inserted] = first_line_of.emplace(identity, index);
    if (!inserted && judged) {
      (*decisions)[i] = LineDecision{Reason::kRepeat, it->second, 1.0f};
      continue;  // its shingles are all in shingle_owner already
    }

    Shingles(tokens.hashes.data(), tokens.size(), options.shingle_width,
             &shingles);
    if (judged && options.near) {
      overlap.clear();
      size_t hits = 0;
      for (uint64_t s : shingles) {
        auto owner = shingle_owner.find(s);
        if (owner != shingle_owner.end()) {
          ++hits;
          ++overlap[owner->second];
        }
      }
      const double containment =
          static_cast<double>(hits) / static_cast<double>(shingles.size());
      if (hits > 0 && containment >= options.containment) {
        // The earlier line that holds most of it; ties go to the earliest.
        int32_t best = -1;
        int best_count = -1;
        for (const auto& [line_index, count] : overlap) {
          if (count > best_count || (count == best_count && line_index < best)) {
            best = line_index;
            best_count = count;
          }
        }
        (*decisions)[i] = LineDecision{Reason::kRepeat, best,
                                       static_cast<float>(containment)};
      }
    }
    for (uint64_t s : shingles) shingle_owner.emplace(s, index);
  }
}

}  // namespace chaff
