#include "chaff/report/annotate.h"

#include <algorithm>

namespace chaff {
namespace {

void AppendUint(uint64_t v, std::string* out) { out->append(std::to_string(v)); }

void AppendRange(const char* key, uint64_t a, uint64_t b, std::string* out) {
  out->push_back('"');
  out->append(key);
  out->append("\":[");
  AppendUint(a, out);
  out->push_back(',');
  AppendUint(b, out);
  out->push_back(']');
}

}  // namespace

void AppendAnnotationJson(const CleanResult& result, std::string* out) {
  out->append("{\"bytes\":");
  AppendUint(result.accounting.total_bytes(), out);
  out->append(",\"kept_bytes\":");
  AppendUint(result.accounting.kept_bytes(), out);
  out->append(",\"removed\":[");
  bool first_span = true;
  for (const RemovedSpan& span : result.spans) {
    if (!first_span) out->push_back(',');
    first_span = false;
    out->append("{\"start\":");
    AppendUint(span.begin, out);
    out->append(",\"end\":");
    AppendUint(span.end, out);
    out->append(",\"reason\":\"");
    out->append(ReasonName(span.reason));
    out->append("\",");
    AppendRange("lines", static_cast<uint64_t>(span.first_line) + 1,
                static_cast<uint64_t>(span.last_line) + 1, out);
    if (span.reason == Reason::kRepeat && span.ref_line >= 0) {
      int32_t last_ref = span.ref_line;
      for (int32_t k = span.first_line; k <= span.last_line; ++k) {
        last_ref = std::max(last_ref, result.decisions[static_cast<size_t>(k)].ref_line);
      }
      const Line& a = result.lines[static_cast<size_t>(span.ref_line)];
      const Line& b = result.lines[static_cast<size_t>(last_ref)];
      out->append(",\"first\":{\"start\":");
      AppendUint(a.begin, out);
      out->append(",\"end\":");
      AppendUint(b.next, out);
      out->push_back(',');
      AppendRange("lines", static_cast<uint64_t>(span.ref_line) + 1,
                  static_cast<uint64_t>(last_ref) + 1, out);
      out->push_back('}');
    }
    out->push_back('}');
  }
  out->append("]}");
}

}  // namespace chaff
