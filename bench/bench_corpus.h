// Benchmark input shared by the bench_*.cc files: the BBC articles from
// ../shared/data/bbc/articles.jsonl when present (one string per "text"
// field), else deterministic generated English-like text of similar size.
#ifndef CHAFF_BENCH_BENCH_CORPUS_H_
#define CHAFF_BENCH_BENCH_CORPUS_H_

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "hwy/targets.h"
#include "simd/scoped_target.h"

namespace chaff_bench {

struct Corpus {
  std::vector<std::string> docs;
  size_t bytes = 0;
  std::string source;
};

namespace detail {

inline void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

inline uint32_t Hex4(std::string_view s, size_t i) {
  uint32_t v = 0;
  for (size_t j = i; j < i + 4 && j < s.size(); ++j) {
    const char c = s[j];
    v = v * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

// Decodes the JSON string value of "text" on one JSONL line (the BBC file
// is machine-written: one object per line, no nesting before "text").
inline bool ExtractText(std::string_view line, std::string* out) {
  const size_t key = line.find("\"text\"");
  if (key == std::string_view::npos) return false;
  size_t i = line.find('"', line.find(':', key) + 1);
  if (i == std::string_view::npos) return false;
  out->clear();
  for (++i; i < line.size() && line[i] != '"'; ++i) {
    if (line[i] != '\\') {
      out->push_back(line[i]);
      continue;
    }
    const char e = line[++i];
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'u': {
        uint32_t cp = Hex4(line, i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < line.size() && line[i + 1] == '\\') {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (Hex4(line, i + 3) - 0xDC00);
          i += 6;
        }
        AppendUtf8(cp, out);
        break;
      }
      default: out->push_back(e);  // \" \\ \/
    }
  }
  return true;
}

inline Corpus Generate() {
  static const char* const kWords[] = {
      "the", "of", "and", "to", "in", "said", "government", "Minister", "market",
      "profits", "2004", "company's", "shares", "rose", "BBC", "a", "is", "that",
      "for", "on", "was", "with", "he", "it", "as", "at", "by", "new", "year",
      "people", "would", "been", "election", "Labour", "chancellor", "growth",
      "technology", "mobile", "phone", "music", "film", "football", "England"};
  constexpr size_t kNumWords = sizeof(kWords) / sizeof(kWords[0]);
  Corpus c;
  c.source = "generated (no ../shared/data/bbc/articles.jsonl)";
  uint64_t x = 0x243F6A8885A308D3ULL;
  auto next = [&x] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (int d = 0; d < 2225; ++d) {
    std::string doc;
    const size_t target = 1000 + next() % 3000;
    while (doc.size() < target) {
      doc += kWords[next() % kNumWords];
      const uint64_t r = next() % 20;
      doc += r == 0 ? ".\n\n" : r == 1 ? ", " : " ";
    }
    c.bytes += doc.size();
    c.docs.push_back(std::move(doc));
  }
  return c;
}

}  // namespace detail

// Loaded once per process.
inline const Corpus& GetCorpus() {
  static const Corpus corpus = [] {
    Corpus c;
    std::ifstream in(std::string(CHAFF_SHARED_DATA_DIR) + "/bbc/articles.jsonl");
    std::string line, text;
    while (in && std::getline(in, line)) {
      if (!detail::ExtractText(line, &text)) continue;
      c.bytes += text.size();
      c.docs.push_back(text);
    }
    if (c.docs.empty()) return detail::Generate();
    c.source = "bbc/articles.jsonl";
    return c;
  }();
  return corpus;
}

// Highway targets to run each SIMD benchmark on (compiled and supported).
inline std::vector<int64_t> BenchTargets() { return hwy::SupportedAndGeneratedTargets(); }

using ScopedTarget = chaff::internal::ScopedTarget;

}  // namespace chaff_bench

#endif  // CHAFF_BENCH_BENCH_CORPUS_H_
