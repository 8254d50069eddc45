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
  // string nor a number.
  StatusOr<bool> ParseId(std::string_view line, std::string_view id_field, std::string* id);

  // ParseId without parsing again: right after a successful ParseText of
  // `line` (no other call in between, `line` still valid), reads the id from
  // the object that call parsed. The same result as ParseId(line, ...).
  StatusOr<bool> IdOfLastText(std::string_view line, std::string_view id_field,
                              std::string* id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Appends `s` as a JSON string literal (with quotes) to `out`. Bytes that
// are not valid UTF-8 are written as \u00XX-free replacement U+FFFD so that
// the output is always valid JSON.
void AppendJsonString(std::string_view s, std::string* out);

// Appends `line` with the text value replaced by `new_text` (as a JSON
// string) to `out`.
void AppendRecordWithText(std::string_view line, const JsonlRecord& record,
                          std::string_view new_text, std::string* out);

}  // namespace chaff

#endif  // CHAFF_IO_JSONL_H_
