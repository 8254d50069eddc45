// Segmentation: a document is a sequence of lines (blocks); blank lines
// separate paragraphs. Every line keeps its byte offsets into the original
// text, so every later decision is a byte span of the original and cleaned
// text is cut from it, never re-emitted from a normalized copy.
#ifndef CHAFF_TEXT_SEGMENT_H_
#define CHAFF_TEXT_SEGMENT_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace chaff {

// One line of a document. Offsets are bytes into the original text:
//   [begin, end)      the line's content, without its terminator;
//   [end, next)       its terminator: "\n", "\r\n", or nothing for a last
//                     line without a trailing newline.
// A lone "\r" is not a terminator (it stays in the content), as in most
// tools that read text files line by line.
struct Line {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t next = 0;
  // True when the content holds only ASCII white space (or nothing).
  bool blank = false;
  // Index of the paragraph this line belongs to (paragraphs are runs of
  // non-blank lines; a blank line carries the index of the paragraph that
  // precedes it, or 0 before the first one).
  uint32_t paragraph = 0;

  uint64_t size() const { return end - begin; }
};

// Splits `text` into lines. Never fails: any bytes (invalid UTF-8, NUL) are
// accepted. Empty text gives no lines; text that ends with a terminator gives
// no empty line after it. `out` is cleared first.
void SegmentLines(std::string_view text, std::vector<Line>* out);

// Convenience wrapper returning the lines by value.
std::vector<Line> SegmentLines(std::string_view text);

// The content of `line` within `text` (without its terminator).
inline std::string_view LineText(std::string_view text, const Line& line) {
  return text.substr(line.begin, line.end - line.begin);
}

}  // namespace chaff

#endif  // CHAFF_TEXT_SEGMENT_H_
