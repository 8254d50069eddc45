#include "chaff/report/attributes.h"

#include <algorithm>
#include <cstdio>
#include <utility>
#include <vector>

#include "chaff/io/jsonl.h"

namespace chaff {
namespace {

// A score with up to four decimals and at least one ("1.0", "0.75"), so
// that every score reads as a floating-point number.
void AppendScore(double score, std::string* out) {
  char buf[32];
  int n = std::snprintf(buf, sizeof(buf), "%.4f", score);
  while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.') --n;
  out->append(buf, static_cast<size_t>(n));
}

void AppendSpan(uint64_t start, uint64_t end, double score, std::string* out) {
  out->push_back('[');
  out->append(std::to_string(start));
  out->push_back(',');
  out->append(std::to_string(end));
  out->push_back(',');
  AppendScore(score, out);
  out->push_back(']');
}

// The chrome score of a span: 1 - the highest probability of content the
// line model gave one of its lines (LineDecision::content; -1 for a line it
// did not score: a blank line); 0 when it scored none of them.
double ChromeScore(const CleanResult& result, const RemovedSpan& span) {
  float content = -1.0f;
  for (int32_t l = span.first_line; l <= span.last_line; ++l) {
    content = std::max(content, result.decisions[static_cast<size_t>(l)].content);
  }
  return content < 0.0f ? 0.0 : 1.0 - static_cast<double>(std::min(content, 1.0f));
}

}  // namespace

uint64_t AppendAttributesStart(std::string_view id_json, std::string_view text,
                               const CleanResult& result, std::string* out) {
  // The spans are in text order, so one pass converts every offset; each
  // reason's list is written from the converted offsets in turn.
  CharOffsets chars(text);
  struct CharSpan {
    uint64_t start, end;
  };
  thread_local std::vector<CharSpan> converted;
  converted.clear();
  for (const RemovedSpan& span : result.spans) {
    const uint64_t start = chars.At(span.begin);
    converted.push_back(CharSpan{start, chars.At(span.end)});
  }
  const uint64_t length = chars.Length();
  out->append("{\"id\":");
  out->append(id_json);
  out->append(",\"attributes\":{");
  const std::pair<Reason, const char*> lists[] = {{Reason::kChrome, kChromeAttribute},
                                                  {Reason::kTemplate, kTemplateAttribute},
                                                  {Reason::kRepeat, kRepeatAttribute}};
  for (const auto& [reason, name] : lists) {
    if (reason != Reason::kChrome) out->push_back(',');
    out->push_back('"');
    out->append(name);
    out->append("\":[");
    bool first = true;
    for (size_t s = 0; s < result.spans.size(); ++s) {
      const RemovedSpan& span = result.spans[s];
      if (span.reason != reason) continue;
      if (!first) out->push_back(',');
      first = false;
      AppendSpan(converted[s].start, converted[s].end,
                 reason == Reason::kChrome ? ChromeScore(result, span) : 1.0, out);
    }
    out->push_back(']');
  }
  return length;
}

void AppendAttributesEnd(uint64_t text_chars, bool near_duplicate, float similarity,
                         std::string* out) {
  out->append(",\"");
  out->append(kNearDuplicateAttribute);
  out->append("\":[");
  if (near_duplicate) AppendSpan(0, text_chars, static_cast<double>(similarity), out);
  out->append("]}}");
}

}  // namespace chaff
