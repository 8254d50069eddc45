// Internal: the ScrapingHub plain-text benchmark (loading and the metric of
// its evaluate.py), shared by tools/eval_scrapinghub.cc and
// tests/scrapinghub_test.cc. Header-only; needs simdjson and utf8proc.
#ifndef CHAFF_TOOLS_EVAL_SCRAPINGHUB_H_
#define CHAFF_TOOLS_EVAL_SCRAPINGHUB_H_

#include <simdjson.h>
#include <utf8proc.h>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chaff/detect/clean.h"
#include "chaff/status.h"
#include "chaff/detect/templates.h"

namespace chaff {
namespace eval {

struct Page {
  std::string id;
  std::string text;   // whole page as plain text
  std::string truth;  // article body
  std::string site;   // host of the ground-truth url
};

struct Counts {
  double tp = 0, fp = 0, fn = 0;  // normalized to sum 1 (0 when empty)
};

inline bool IsWordCodePoint(int32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= '0' && cp <= '9') || cp == '_';
  }
  // Python's \w: str.isalnum() (letters, decimal/digit/numeric) or '_'.
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

inline std::vector<std::string> WordTokens(std::string_view text) {
  std::vector<std::string> out;
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  size_t i = 0;
  std::string cur;
  while (i < text.size()) {
    utf8proc_int32_t cp = -1;
    utf8proc_ssize_t len = utf8proc_iterate(
        p + i, static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (len <= 0) len = 1, cp = -1;
    if (cp >= 0 && IsWordCodePoint(cp)) {
      cur.append(text.substr(i, static_cast<size_t>(len)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
    i += static_cast<size_t>(len);
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

inline std::unordered_map<std::string, int> Shingles(std::string_view text) {
  const auto tokens = WordTokens(text);
  std::unordered_map<std::string, int> out;
  const size_t n = 4;
  const size_t count = tokens.size() >= n ? tokens.size() - n + 1 : 1;
  for (size_t i = 0; i < count && i < tokens.size(); ++i) {
    std::string key;
    for (size_t j = i; j < std::min(i + n, tokens.size()); ++j) {
      key += tokens[j];
      key += '\x1f';
    }
    ++out[key];
  }
  return out;
}

inline Counts Score(std::string_view truth, std::string_view pred) {
  const auto t = Shingles(truth);
  const auto p = Shingles(pred);
  Counts c;
  for (const auto& [k, tc] : t) {
    auto it = p.find(k);
    const int pc = it == p.end() ? 0 : it->second;
    c.tp += std::min(tc, pc);
    c.fn += std::max(0, tc - pc);
  }
  for (const auto& [k, pc] : p) {
    auto it = t.find(k);
    const int tc = it == t.end() ? 0 : it->second;
    c.fp += std::max(0, pc - tc);
  }
  const double s = c.tp + c.fp + c.fn;
  if (s > 0) c.tp /= s, c.fp /= s, c.fn /= s;
  return c;
}

struct Prf {
  double p = 0, r = 0, f1 = 0;
};

// evaluate.py's metrics_from_tp_fp_fns.
inline Prf Aggregate(const std::vector<Counts>& all) {
  double ps = 0, rs = 0;
  int pn = 0, rn = 0;
  for (const Counts& c : all) {
    if (c.tp + c.fp > 0) {
      ps += (c.fp == 0 && c.fn == 0) ? 1.0 : (c.tp == 0 && c.fp == 0) ? 0.0 : c.tp / (c.tp + c.fp);
      ++pn;
    }
    if (c.tp + c.fn > 0) {
      rs += (c.fp == 0 && c.fn == 0) ? 1.0 : (c.tp == 0 && c.fn == 0) ? 0.0 : c.tp / (c.tp + c.fn);
      ++rn;
    }
  }
  Prf m;
  m.p = pn ? ps / pn : 0;
  m.r = rn ? rs / rn : 0;
  m.f1 = m.p + m.r > 0 ? 2 * m.p * m.r / (m.p + m.r) : 0;
  return m;
}


// Reads DIR/scrapinghub/{plain-text,ground-truth}.json into `pages`, sorted
// by id. kNotFound when a file is missing.
inline Status LoadScrapinghub(const std::string& data_dir,
                              std::map<std::string, Page>* pages) {
  const std::string plain_path = data_dir + "/scrapinghub/plain-text.json";
  const std::string truth_path = data_dir + "/scrapinghub/ground-truth.json";
  simdjson::padded_string plain_json, truth_json;
  if (simdjson::padded_string::load(plain_path).get(plain_json) ||
      simdjson::padded_string::load(truth_path).get(truth_json)) {
    return NotFound(plain_path + " or " + truth_path + " not found");
  }
  simdjson::dom::parser parser;
  simdjson::dom::element truth;
  if (parser.parse(truth_json).get(truth)) return DataError(truth_path + ": invalid JSON");
  simdjson::dom::object truth_object;
  if (truth.get_object().get(truth_object)) return DataError(truth_path + ": not an object");
  for (auto [key, value] : truth_object) {
    Page& page = (*pages)[std::string(key)];
    page.id = std::string(key);
    std::string_view body, url;
    if (value["articleBody"].get(body) || value["url"].get(url)) {
      return DataError(truth_path + ": " + page.id + " lacks articleBody or url");
    }
    page.truth = std::string(body);
    page.site = SiteFromUrl(url);
  }
  simdjson::dom::parser parser2;
  simdjson::dom::element plain;
  simdjson::dom::object output;
  if (parser2.parse(plain_json).get(plain) || plain["output"].get_object().get(output)) {
    return DataError(plain_path + ": invalid JSON or no \"output\" object");
  }
  for (auto [key, value] : output) {
    auto it = pages->find(std::string(key));
    std::string_view body;
    if (it == pages->end() || value["articleBody"].get(body)) {
      return DataError(plain_path + ": page " + std::string(key) + " has no ground truth");
    }
    it->second.text = std::string(body);
  }
  return Status::Ok();
}

// Cleans every page (template detection over the page set grouped by site
// when `templates` is not null) and scores it; `cleaned` (optional) gets
// the cleaned texts in page order.
inline std::vector<Counts> CleanAndScore(const std::map<std::string, Page>& pages,
                                         const Cleaner& cleaner,
                                         const TemplateOptions* templates,
                                         std::vector<std::string>* cleaned) {
  TemplateIndex index;
  if (templates != nullptr) {
    TemplateCounter counter(*templates);
    for (const auto& [id, page] : pages) counter.AddDocument(page.site, page.text);
    index = counter.Finish();
  }
  std::vector<Counts> out;
  CleanResult result;
  Document doc;
  TemplateFlags flags;
  for (const auto& [id, page] : pages) {
    doc.Build(page.text);
    flags.clear();
    if (templates != nullptr) index.Flags(page.site, doc, &flags);
    cleaner.Clean(doc, flags, &result);
    out.push_back(Score(page.truth, result.cleaned));
    if (cleaned != nullptr) cleaned->push_back(result.cleaned);
  }
  return out;
}

}  // namespace eval
}  // namespace chaff

#endif  // CHAFF_TOOLS_EVAL_SCRAPINGHUB_H_
