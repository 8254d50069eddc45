#include "chaff/text/line_shape.h"

#include <utf8proc.h>

#include <cstring>

namespace chaff {
namespace {

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

}  // namespace

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


bool LineEndsLikeSentence(std::string_view line) {
  const auto* p = reinterpret_cast<const uint8_t*>(line.data());
  size_t b = 0, e = line.size();
  while (b < e && IsSpaceByte(p[b])) ++b;
  while (e > b && IsSpaceByte(p[e - 1])) --e;
  return EndsLikeSentence(p, b, e);
}

// Code points in p[b, e): every byte that is not a UTF-8 continuation byte
// (10xxxxxx). Eight bytes at a time: bit 7 of each byte of `x & ~(x << 1)`
// is set when the byte's top bits are 10; the multiply sums those bits (no
// popcount instruction in the baseline ISA).
int CountCodePoints(const uint8_t* p, size_t b, size_t e) {
  constexpr uint64_t kHighBits = 0x8080808080808080ULL;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  size_t continuation = 0;
  size_t i = b;
  for (; i + 8 <= e; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, sizeof(x));
    continuation += static_cast<size_t>((((x & ~(x << 1) & kHighBits) >> 7) * kOnes) >> 56);
  }
  for (; i < e; ++i) continuation += (p[i] & 0xC0) == 0x80;
  return static_cast<int>(e - b - continuation);
}

}  // namespace chaff
