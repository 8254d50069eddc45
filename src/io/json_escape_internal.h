// Internal: where a JSON string must escape bytes of valid UTF-8 text (a
// control byte, '"' or '\\'), found by a Highway kernel
// (src/io/json_escape_hwy.cc) for AppendJsonString (src/io/jsonl.cc).
#ifndef CHAFF_IO_JSON_ESCAPE_INTERNAL_H_
#define CHAFF_IO_JSON_ESCAPE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace chaff {
namespace internal {

// True for a byte that JSON escapes (in valid UTF-8 text, bytes >= 0x80
// belong to characters copied as they are).
inline bool NeedsJsonEscape(uint8_t c) { return c < 0x20 || c == '"' || c == '\\'; }

// Scans p[0, n) (n < 2^32) and writes the offsets of the bytes that need an
// escape, in order, to positions[0, *count), stopping early when
// max_positions would be exceeded. Returns how many bytes were scanned:
// every escape in p[0, return value) is listed, none after. The caller
// goes on from there. Precondition: max_positions >= 64 (a vector's worth),
// so that every call makes progress. On the best Highway target; the one
// below is the reference every target must match (tests/jsonl_test.cc).
size_t FindJsonEscapes(const uint8_t* p, size_t n, uint32_t* positions, size_t max_positions,
                       size_t* count);

inline size_t FindJsonEscapesScalar(const uint8_t* p, size_t n, uint32_t* positions,
                                    size_t max_positions, size_t* count) {
  size_t k = 0;
  size_t i = 0;
  for (; i < n; ++i) {
    if (!NeedsJsonEscape(p[i])) continue;
    if (k == max_positions) break;
    positions[k++] = static_cast<uint32_t>(i);
  }
  *count = k;
  return i;
}

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_IO_JSON_ESCAPE_INTERNAL_H_
