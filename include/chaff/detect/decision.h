// What chaff decided about each line of a document, and why.
#ifndef CHAFF_DETECT_DECISION_H_
#define CHAFF_DETECT_DECISION_H_

#include <cstdint>
#include <string_view>

namespace chaff {

// Why a line was removed (kKeep: it was not). The order is the priority when
// several detectors flag the same line: the most specific reason wins
// (repeat > template > chrome).
enum class Reason : uint8_t {
  kKeep = 0,
  kChrome = 1,         // site furniture found by the per-line classifier
  kTemplate = 2,       // a line seen in many documents of the same site
  kRepeat = 3,         // repeats content earlier in the same document
  kNearDuplicate = 4,  // the whole document is a near-duplicate of another
};
inline constexpr int kNumReasons = 5;

// "keep", "chrome", "template", "repeat", "near_duplicate".
std::string_view ReasonName(Reason r);

struct LineDecision {
  Reason reason = Reason::kKeep;
  // For kRepeat: index of the line holding the first occurrence; else -1.
  int32_t ref_line = -1;
  // For kRepeat: the containment of a near repeat (1 for an exact one).
  float score = 0.0f;
  // The line model's probability that the line is content (-1: not scored:
  // a blank line, or the model was off). A line it removes is kChrome.
  float content = -1.0f;
};

}  // namespace chaff

#endif  // CHAFF_DETECT_DECISION_H_
