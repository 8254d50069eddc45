// Segmentation and cleaning of arbitrary bytes (invalid UTF-8, NUL, lone
// "\r", huge lines). Beyond "does not crash" (ASan/UBSan catch memory and
// arithmetic errors), it checks the invariants users rely on:
//   * lines tile the text exactly, terminators are "\n", "\r\n" or nothing;
//   * every byte is accounted for: kept + removed per reason == input size;
//   * the cleaned text is the original minus the removed spans, byte for
//     byte (text is never rewritten);
//   * the annotation JSON is valid JSON.
// The first input byte picks the options, so every detector combination is
// reached; the rest is the document.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chaff/report/annotate.h"
#include "chaff/detect/clean.h"
#include "chaff/text/segment.h"
#include "fuzz_common.h"

namespace {

void CheckLines(std::string_view text, const std::vector<chaff::Line>& lines) {
  uint64_t pos = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const chaff::Line& l = lines[i];
    FUZZ_CHECK(l.begin == pos, "line %zu begins at %llu, expected %llu", i,
               static_cast<unsigned long long>(l.begin),
               static_cast<unsigned long long>(pos));
    FUZZ_CHECK(l.begin <= l.end && l.end <= l.next && l.next <= text.size(),
               "line %zu has bad offsets", i);
    const std::string_view term = text.substr(l.end, l.next - l.end);
    const bool last = i + 1 == lines.size();
    FUZZ_CHECK(term == "\n" || term == "\r\n" || (term.empty() && last),
               "line %zu has terminator of %zu bytes", i, term.size());
    FUZZ_CHECK(text.substr(l.begin, l.end - l.begin).find('\n') ==
                   std::string_view::npos,
               "line %zu contains a newline", i);
    pos = l.next;
  }
  FUZZ_CHECK(pos == text.size(), "lines cover %llu of %zu bytes",
             static_cast<unsigned long long>(pos), text.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);

  CheckLines(text, chaff::SegmentLines(text));

  chaff::CleanOptions options;
  options.remove_repeats = (flags & 1) == 0;
  options.remove_chrome = (flags & 2) == 0;
  options.repeats.min_tokens = 1 + (flags >> 4);
  const chaff::Cleaner cleaner(options);
  chaff::CleanResult result;
  chaff::TemplateFlags templates;
  if (flags & 4) {
    // Corpus statistics from pass 1, simulated: every third line a template.
    const size_t n = chaff::SegmentLines(text).size();
    for (size_t i = 0; i < n; ++i) templates.push_back(i % 3 == 0 ? 1 : 0);
  }
  cleaner.Clean(text, templates, &result);
  CheckLines(text, result.lines);
  FUZZ_CHECK(result.decisions.size() == result.lines.size(), "%zu decisions",
             result.decisions.size());

  // Accounting identity, by bytes and by lines.
  const chaff::Accounting& a = result.accounting;
  FUZZ_CHECK(a.total_bytes() == text.size(), "accounted %llu of %zu bytes",
             static_cast<unsigned long long>(a.total_bytes()), text.size());
  uint64_t lines = 0;
  for (uint64_t n : a.lines) lines += n;
  FUZZ_CHECK(lines == result.lines.size(), "accounted %llu of %zu lines",
             static_cast<unsigned long long>(lines), result.lines.size());
  FUZZ_CHECK(result.cleaned.size() == a.kept_bytes(), "cleaned %zu, kept %llu",
             result.cleaned.size(), static_cast<unsigned long long>(a.kept_bytes()));

  // Cleaned text == original minus spans; spans ordered and disjoint.
  std::string rebuilt;
  uint64_t pos = 0;
  uint64_t span_bytes = 0;
  for (const chaff::RemovedSpan& s : result.spans) {
    FUZZ_CHECK(s.begin >= pos && s.begin < s.end && s.end <= text.size(),
               "span [%llu, %llu) out of order", static_cast<unsigned long long>(s.begin),
               static_cast<unsigned long long>(s.end));
    FUZZ_CHECK(s.reason != chaff::Reason::kKeep, "a span with reason keep");
    rebuilt.append(text.substr(pos, s.begin - pos));
    span_bytes += s.end - s.begin;
    pos = s.end;
  }
  rebuilt.append(text.substr(pos));
  FUZZ_CHECK(rebuilt == result.cleaned, "cleaned text is not original minus spans");
  FUZZ_CHECK(span_bytes == a.removed_bytes(), "spans hold %llu bytes, removed %llu",
             static_cast<unsigned long long>(span_bytes),
             static_cast<unsigned long long>(a.removed_bytes()));

  // Annotations must always be valid JSON, whatever bytes the text held.
  std::string json;
  chaff::AppendAnnotationJson(result, &json);
  static simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const auto err = parser.parse(json).get(doc);
  FUZZ_CHECK(!err, "annotation is not valid JSON (%s): %.200s",
             simdjson::error_message(err), json.c_str());
  return 0;
}
