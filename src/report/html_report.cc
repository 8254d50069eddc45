#include "chaff/report/html_report.h"

#include <algorithm>
#include <cstdio>

#include "chaff/detect/decision.h"

namespace chaff {

namespace {

std::string Count(uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string Percent(uint64_t part, uint64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f%%",
                whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

constexpr const char* kStyle = R"(
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; max-width: 80em; }
h1 { font-size: 1.3em; margin-bottom: 0.2em; }
.run { color: #555; margin-top: 0; word-break: break-all; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { padding: 0.2em 0.8em; text-align: right; border-bottom: 1px solid #ddd; }
th:first-child, td:first-child { text-align: left; }
details { margin: 0.4em 0; }
summary { cursor: pointer; }
.doc { font: 12.5px/1.4 ui-monospace, monospace; white-space: pre-wrap;
       word-break: break-word; border: 1px solid #ddd; padding: 0.4em 0; margin: 0.3em 0 1em; }
.l { display: block; padding: 0 0.6em 0 0; min-height: 1.4em; }
.n { display: inline-block; width: 4.5em; padding-right: 0.8em; text-align: right;
     color: #999; user-select: none; }
.chrome { background: #fde2e1; color: #7a1f1f; }
.template { background: #fff0c2; color: #6b4e00; }
.repeat { background: #dbeafe; color: #1e3a6b; }
.near_duplicate { background: #e5e7eb; color: #444; }
.chrome .t, .template .t, .repeat .t, .near_duplicate .t { text-decoration: line-through; }
.key span { padding: 0.1em 0.5em; margin-right: 0.5em; }
)";

}  // namespace

void AppendHtmlEscaped(std::string_view text, std::string* out) {
  size_t plain = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char* rep = nullptr;
    switch (text[i]) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '"': rep = "&quot;"; break;
      case '\'': rep = "&#39;"; break;
      case '\0': rep = "\xEF\xBF\xBD"; break;
      default: continue;
    }
    out->append(text.data() + plain, i - plain);
    out->append(rep);
    plain = i + 1;
  }
  out->append(text.data() + plain, text.size() - plain);
}

void HtmlReport::AddDocument(uint64_t index, std::string_view name, std::string_view text,
                             const CleanResult& result, int64_t duplicate_of,
                             float similarity) {
  const uint64_t number = documents_++;
  total_ += result.accounting;
  if (duplicate_of >= 0) ++duplicates_;
  if (number >= max_documents_) return;
  names_.emplace_back(index, std::string(name));

  const Accounting& a = result.accounting;
  std::string& out = shown_;
  out += number < 3 ? "<details open><summary>" : "<details><summary>";
  out += "#" + Count(index + 1) + " <b>";
  AppendHtmlEscaped(name, &out);
  out += "</b> &mdash; " + Count(result.lines.size()) + " lines, " +
         Count(a.total_bytes()) + " bytes, " + Percent(a.removed_bytes(), a.total_bytes()) +
         " removed";
  std::string original;  // what a near-duplicate copies
  if (duplicate_of >= 0) {
    const auto rep = static_cast<uint64_t>(duplicate_of);
    original = "#" + Count(rep + 1);
    const auto it = std::lower_bound(
        names_.begin(), names_.end(), rep,
        [](const std::pair<uint64_t, std::string>& e, uint64_t i) { return e.first < i; });
    if (it != names_.end() && it->first == rep) original += " " + it->second;
    char sim[32];
    std::snprintf(sim, sizeof(sim), "%.2f", static_cast<double>(similarity));
    out += " (near-duplicate of ";
    AppendHtmlEscaped(original, &out);
    out += ", similarity ";
    out += sim;
    out += ")";
  }
  out += "</summary>\n<div class=\"doc\">";
  char evidence[160];
  size_t shown_bytes = 0;
  for (size_t i = 0; i < result.lines.size(); ++i) {
    if (shown_bytes >= kMaxShownBytes) {
      out += "<span class=\"l\"><span class=\"n\"></span><i>... " +
             Count(result.lines.size() - i) + " more lines not shown</i></span>";
      break;
    }
    const Line& line = result.lines[i];
    const LineDecision& d = result.decisions[i];
    const Reason reason = duplicate_of >= 0 ? Reason::kNearDuplicate : d.reason;
    evidence[0] = '\0';
    const std::string_view reason_name = ReasonName(reason);
    const bool left_blank =
        reason != Reason::kKeep && reason != Reason::kNearDuplicate && line.blank;
    if (left_blank) {
      std::snprintf(evidence, sizeof(evidence), "%.*s: a blank line left by the removal",
                    static_cast<int>(reason_name.size()), reason_name.data());
    }
    switch (left_blank ? Reason::kKeep : reason) {
      case Reason::kKeep:
        break;
      case Reason::kChrome:
        std::snprintf(evidence, sizeof(evidence),
                      "chrome: probability of content %.3f (line model) < %.3f, the "
                      "threshold of this page",
                      static_cast<double>(d.content), result.content_threshold);
        break;
      case Reason::kTemplate:
        std::snprintf(evidence, sizeof(evidence),
                      "template: seen in many documents of this site");
        break;
      case Reason::kRepeat:
        if (d.ref_line >= 0) {
          std::snprintf(evidence, sizeof(evidence), "repeat of line %d (containment %.2f)",
                        d.ref_line + 1, static_cast<double>(d.score));
        } else {
          std::snprintf(evidence, sizeof(evidence), "repeat");
        }
        break;
      case Reason::kNearDuplicate:
        std::snprintf(evidence, sizeof(evidence), "near_duplicate: of #%lld, similarity %.2f",
                      static_cast<long long>(duplicate_of) + 1, static_cast<double>(similarity));
        break;
    }
    if (reason == Reason::kKeep) {
      out += "<span class=\"l\">";
    } else {
      out += "<span class=\"l ";
      out += reason_name;
      out += "\" title=\"";
      out += evidence;
      out += "\">";
    }
    out += "<span class=\"n\">" + std::to_string(i + 1) + "</span><span class=\"t\">";
    AppendHtmlEscaped(text.substr(line.begin, line.end - line.begin), &out);
    shown_bytes += line.next - line.begin;
    out += "</span></span>";
  }
  out += "</div></details>\n";
}

std::string HtmlReport::Render(std::string_view title) const {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>chaff report</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<h1>chaff: what was kept and removed</h1>\n<p class=\"run\">";
  AppendHtmlEscaped(title, &out);
  out += "</p>\n<p>" + Count(documents_) + " documents";
  if (duplicates_ > 0) out += ", " + Count(duplicates_) + " of them near-duplicates";
  out += "; " + Count(total_.total_bytes()) + " bytes, " +
         Percent(total_.removed_bytes(), total_.total_bytes()) + " removed.</p>\n";
  out += "<table>\n<tr><th>decision</th><th>lines</th><th>bytes</th><th>share of bytes</th></tr>\n";
  for (int r = 0; r < kNumReasons; ++r) {
    const auto i = static_cast<size_t>(r);
    const std::string_view name = ReasonName(static_cast<Reason>(r));
    out += "<tr><td><span class=\"";
    out += name;
    out += "\">";
    out += name;
    out += "</span></td><td>" + Count(total_.lines[i]) + "</td><td>" + Count(total_.bytes[i]) +
           "</td><td>" + Percent(total_.bytes[i], total_.total_bytes()) + "</td></tr>\n";
  }
  out += "</table>\n<p class=\"key\">Removed lines are struck through and coloured by reason "
         "(hover for the evidence): <span class=\"chrome\">chrome</span>"
         "<span class=\"template\">template</span><span class=\"repeat\">repeat</span>"
         "<span class=\"near_duplicate\">near_duplicate</span></p>\n";
  const uint64_t shown = documents_ < max_documents_ ? documents_ : max_documents_;
  out += "<h2>Documents</h2>\n<p>The first " + Count(shown) + " of " + Count(documents_) +
         ", in input order.</p>\n";
  out += shown_;
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace chaff
