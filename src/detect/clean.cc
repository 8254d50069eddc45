#include "chaff/detect/clean.h"

namespace chaff {

std::string_view ReasonName(Reason r) {
  switch (r) {
    case Reason::kKeep: return "keep";
    case Reason::kChrome: return "chrome";
    case Reason::kTemplate: return "template";
    case Reason::kRepeat: return "repeat";
    case Reason::kNearDuplicate: return "near_duplicate";
  }
  return "unknown";
}

uint64_t Accounting::removed_bytes() const {
  uint64_t sum = 0;
  for (int r = 1; r < kNumReasons; ++r) sum += bytes[static_cast<size_t>(r)];
  return sum;
}

Accounting& Accounting::operator+=(const Accounting& other) {
  for (size_t r = 0; r < static_cast<size_t>(kNumReasons); ++r) {
    bytes[r] += other.bytes[r];
    lines[r] += other.lines[r];
  }
  return *this;
}

namespace {

// Drops kept blank lines that a removal made redundant (see ApplyDecisions).
void CollapseBlankRuns(const std::vector<Line>& lines,
                       std::vector<LineDecision>* decisions) {
  auto& d = *decisions;
  bool last_emitted_blank = true;  // the start of the output acts as a blank
  bool removed_since_emit = false;
  Reason removal = Reason::kKeep;
  // Kept blank lines emitted since the last kept non-blank line.
  std::vector<size_t> trailing_blanks;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (d[i].reason != Reason::kKeep) {
      removed_since_emit = true;
      removal = d[i].reason;
      continue;
    }
    if (lines[i].blank) {
      if (removed_since_emit && last_emitted_blank) {
        d[i] = LineDecision{removal, -1, 0.0f};
        continue;
      }
      last_emitted_blank = true;
      removed_since_emit = false;
      trailing_blanks.push_back(i);
    } else {
      last_emitted_blank = false;
      removed_since_emit = false;
      trailing_blanks.clear();
    }
  }
  // Blank lines left dangling at the end by a removal after them.
  if (removed_since_emit) {
    for (size_t i : trailing_blanks) d[i] = LineDecision{removal, -1, 0.0f};
  }
}

// True when `b`, a repeat line after repeat line `a` in the same span, has a
// first occurrence that continues a's (only blank lines between the two).
bool RefsContinue(const std::vector<Line>& lines, int32_t ref_a, int32_t ref_b) {
  if (ref_a < 0 || ref_b <= ref_a) return false;
  for (int32_t k = ref_a + 1; k < ref_b; ++k) {
    if (!lines[static_cast<size_t>(k)].blank) return false;
  }
  return true;
}

}  // namespace

void ApplyDecisions(std::string_view text, CleanResult* result) {
  const auto& lines = result->lines;
  auto& d = result->decisions;
  CollapseBlankRuns(lines, &d);

  result->spans.clear();
  result->cleaned.clear();
  result->cleaned.reserve(text.size());
  result->accounting = Accounting();
  int32_t last_ref = -1;  // ref of the last non-blank line of the open span
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& line = lines[i];
    const LineDecision& dec = d[i];
    const auto r = static_cast<size_t>(dec.reason);
    result->accounting.bytes[r] += line.next - line.begin;
    result->accounting.lines[r] += 1;
    if (dec.reason == Reason::kKeep) {
      result->cleaned.append(text.data() + line.begin, line.next - line.begin);
      continue;
    }
    const auto index = static_cast<int32_t>(i);
    RemovedSpan* open = result->spans.empty() ? nullptr : &result->spans.back();
    bool extend = open != nullptr && open->end == line.begin &&
                  open->reason == dec.reason;
    if (extend && dec.reason == Reason::kRepeat && dec.ref_line >= 0 &&
        last_ref >= 0) {
      extend = RefsContinue(lines, last_ref, dec.ref_line);
    }
    if (extend) {
      open->end = line.next;
      open->last_line = index;
      if (open->ref_line < 0) open->ref_line = dec.ref_line;
    } else {
      RemovedSpan span;
      span.begin = line.begin;
      span.end = line.next;
      span.reason = dec.reason;
      span.first_line = index;
      span.last_line = index;
      span.ref_line = dec.reason == Reason::kRepeat ? dec.ref_line : -1;
      result->spans.push_back(span);
      last_ref = -1;
    }
    if (dec.ref_line >= 0) last_ref = dec.ref_line;
  }
}

void Cleaner::Clean(const Document& doc, const TemplateFlags& template_flags,
                    CleanResult* out) const {
  out->lines = doc.lines();
  out->decisions.assign(out->lines.size(), LineDecision());
  if (options_.remove_repeats) FindRepeats(doc, options_.repeats, &out->decisions);
  if (template_flags.size() == out->lines.size()) {
    for (size_t i = 0; i < out->lines.size(); ++i) {
      if (template_flags[i] && out->decisions[i].reason == Reason::kKeep) {
        out->decisions[i].reason = Reason::kTemplate;
      }
    }
  }
  out->content_threshold =
      options_.remove_chrome ? ClassifyLines(doc, options_.lines, &out->decisions) : -1.0;
  ApplyDecisions(doc.text(), out);
}

void Cleaner::Clean(std::string_view text, const TemplateFlags& template_flags,
                    CleanResult* out) const {
  thread_local Document doc;
  doc.Build(text);
  Clean(doc, template_flags, out);
}

}  // namespace chaff
