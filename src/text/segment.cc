#include "chaff/text/segment.h"

#include <cstring>

namespace chaff {
namespace {

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') {
      return false;
    }
  }
  return true;
}

}  // namespace

void SegmentLines(std::string_view text, std::vector<Line>* out) {
  out->clear();
  const char* base = text.data();
  const uint64_t n = text.size();
  uint64_t pos = 0;
  uint32_t paragraph = 0;
  bool in_paragraph = false;
  bool seen_paragraph = false;
  while (pos < n) {
    // memchr is vectorised by glibc; lines are found at memory speed.
    const void* nl = std::memchr(base + pos, '\n', n - pos);
    Line line;
    line.begin = pos;
    if (nl == nullptr) {
      line.end = n;
      line.next = n;
    } else {
      const uint64_t at = static_cast<uint64_t>(static_cast<const char*>(nl) - base);
      line.next = at + 1;
      line.end = (at > pos && base[at - 1] == '\r') ? at - 1 : at;
    }
    line.blank = IsBlank(text.substr(line.begin, line.end - line.begin));
    if (line.blank) {
      in_paragraph = false;
    } else if (!in_paragraph) {
      if (seen_paragraph) ++paragraph;
      seen_paragraph = true;
      in_paragraph = true;
    }
    line.paragraph = paragraph;
    out->push_back(line);
    pos = line.next;
  }
}

std::vector<Line> SegmentLines(std::string_view text) {
  std::vector<Line> lines;
  SegmentLines(text, &lines);
  return lines;
}

}  // namespace chaff
