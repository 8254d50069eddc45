// The shape of a line of text, byte by byte: where it ends like a
// sentence, how many code points it has. Shared by the detectors.
#ifndef CHAFF_TEXT_LINE_SHAPE_H_
#define CHAFF_TEXT_LINE_SHAPE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chaff {

// ASCII white space: ' ', '\t', '\r', '\n', '\f', '\v'.
inline bool IsSpaceByte(uint8_t c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// True when p[begin, end) ends like a sentence: . ! ? or a CJK, Arabic or
// Devanagari stop, possibly followed by closing quotes or brackets; an
// ellipsis ("...", "\u2026") is not an end: it ends teasers and prompts.
bool EndsLikeSentence(const uint8_t* p, size_t begin, size_t end);

// True when `line` (surrounding white space ignored) ends like a sentence:
// . ! ? or a CJK/Arabic/Devanagari stop, possibly followed by closing
// quotes or brackets; an ellipsis ("...", "…") is not an end.
bool LineEndsLikeSentence(std::string_view line);

// Code points in p[b, e) (bytes that are not UTF-8 continuation bytes).
int CountCodePoints(const uint8_t* p, size_t b, size_t e);

}  // namespace chaff

#endif  // CHAFF_TEXT_LINE_SHAPE_H_
