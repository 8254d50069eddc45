// JSONL records: one JSON object per line. chaff reads one string field as
// the document text (and optionally one field as its id) and passes every
// other byte of the record through untouched: a rewritten record is the
// original line with only the text value's bytes replaced.
#ifndef CHAFF_IO_JSONL_H_
#define CHAFF_IO_JSONL_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "chaff/status.h"

namespace chaff {

struct JsonlRecord {
  std::string text;     // the decoded (unescaped) text field
  std::string id;       // the id field: a string's value, or a number's digits
  bool has_id = false;
  bool id_is_number = false;  // the id field is a JSON number (`id` holds it as written)
  std::string site;     // the site field (a string), when asked for
  // Raw byte range [value_begin, value_end) of the text field's JSON value
  // (quotes included) within the line.
  size_t value_begin = 0;
  size_t value_end = 0;
};

// Bytes a JSON parser may read past the end of a record: a record followed
// by this many readable bytes (of any value) is parsed without a copy.
inline constexpr size_t kJsonlPadding = 64;

// Parses records; reuses its buffers across calls (one per thread).
class JsonlParser {
 public:
  JsonlParser();
  ~JsonlParser();
  JsonlParser(const JsonlParser&) = delete;
  JsonlParser& operator=(const JsonlParser&) = delete;

  // Parses `line` as a JSON object and extracts `text_field` (which must be a
  // string) and, when `id_field` is not empty, `id_field` (a string or a
  // number; optional). Errors (no file or line: the caller adds them):
  // "invalid JSON (...)", "expected a JSON object", "missing field \"text\"",
  // "expected a string in field \"text\"", "expected a string or a number in
  // field \"id\"".
  Status Parse(std::string_view line, std::string_view text_field,
               std::string_view id_field, JsonlRecord* out);

  // The same, also reading the string field `site_field` (when not empty)
  // into out->site; a missing or non-string site field leaves it empty.
  Status Parse(std::string_view line, std::string_view text_field,
               std::string_view id_field, std::string_view site_field,
               JsonlRecord* out);

  // The lean path for readers that only need the text (deduplication):
  // sets *text to the decoded `text_field` (valid until the next call) with
  // the same checks and messages as Parse, except that a text field whose
  // name is written with escapes is accepted (nothing is rewritten here).
  // No id, no raw range. When `padded`, line.data() is followed by
  // kJsonlPadding readable bytes and the line is parsed in place instead of
  // copied first.
  Status ParseText(std::string_view line, std::string_view text_field, bool padded,
                   std::string_view* text);

  // Only the id: sets *id to `id_field` (a string's value or a number's
  // digits) and returns true, or returns false when the record has no such
  // field. Errors: invalid JSON, not an object, an id that is neither a
  // string nor a number. `is_number` (optional): set when the id is a JSON
  // number (*id then holds it as written).
  StatusOr<bool> ParseId(std::string_view line, std::string_view id_field, std::string* id,
                         bool* is_number = nullptr);

  // ParseId without parsing again: right after a successful ParseText of
  // `line` (no other call in between, `line` still valid), reads the id from
  // the object that call parsed. The same result as ParseId(line, ...).
  StatusOr<bool> IdOfLastText(std::string_view line, std::string_view id_field,
                              std::string* id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Bytes that are not valid UTF-8, wherever chaff writes a text as JSON or
// counts its characters, are decoded as the Unicode Standard recommends
// ("U+FFFD substitution of maximal subparts", chapter 3), which is what
// Python's bytes.decode("utf-8", "replace") and the WHATWG decoder do: each
// maximal subpart of an ill-formed sequence (a lead byte with the
// continuation bytes that could still complete it, or a single byte that
// cannot start a sequence) becomes one U+FFFD. So b"\xE2\x82A" (a three-byte
// character cut short) is "\uFFFDA", and b"\xED\xA0\x80" (an encoded
// surrogate) and b"\xC0\xAF" (an overlong '/') are one U+FFFD per byte.

// Appends `s` as a JSON string literal (with quotes) to `out`. Bytes that
// are not valid UTF-8 become U+FFFD as said above (written as the character,
// not as \uFFFD), so the output is always valid JSON.
void AppendJsonString(std::string_view s, std::string* out);

// Character offsets as Python (and dolma) count them: code points of the
// text decoded as above, i.e. indexes into the Python string
// bytes.decode("utf-8", "replace") or into the JSON string AppendJsonString
// writes. One pass over the text for any number of non-decreasing offsets.
class CharOffsets {
 public:
  explicit CharOffsets(std::string_view text);
  // The code points of text[0, byte_offset): the characters (and U+FFFDs)
  // whose encoding starts before byte_offset. Precondition: byte_offset is
  // at most text.size() and not less than the previous call's.
  uint64_t At(uint64_t byte_offset);
  // The length of the whole text in code points.
  uint64_t Length() { return At(text_.size()); }

 private:
  std::string_view text_;
  bool valid_;          // valid UTF-8: a code point is a byte that is not 10xxxxxx
  uint64_t byte_ = 0;   // where the count stopped (a sequence start, or the end)
  uint64_t chars_ = 0;  // code points before byte_
};

// Appends `line` with the text value replaced by `new_text` (as a JSON
// string) to `out`.
void AppendRecordWithText(std::string_view line, const JsonlRecord& record,
                          std::string_view new_text, std::string* out);

}  // namespace chaff

#endif  // CHAFF_IO_JSONL_H_
