// Builds the near-duplicate benchmark corpus: a JSONL corpus expanded N
// times from a seed corpus (default: ../shared/data/bbc/articles.jsonl, x10,
// about 55 MB) with planted near-duplicates. Deterministic from --seed: the
// same flags give the same bytes on every machine (no std:: distributions,
// whose output is implementation-defined).
//
// Copies. Copy 0 is the seed corpus as it is. Copy c >= 1 rewrites every
// word through a bijection of the vocabulary that only permutes words of
// similar frequency (blocks of 32 adjacent frequency ranks), so each copy has
// the seed's word-frequency, length and layout statistics, keeps the seed's
// own near-duplicate structure (the BBC set has ~157 natural pairs), and
// shares almost no 5-gram with other copies (a 5-gram survives only if all
// five words are fixed points: ~(1/32)^5).
//
// Planted near-duplicates. A base document becomes a source with probability
// --dup-rate / 1.4 and gets 1 (70%), 2 (20%) or 3 (10%) variants, so about
// --dup-rate variants per base document. Each variant of the source text:
//   * deletes and substitutes words, each at rate e/2, e uniform in
//     [0, --max-edit-rate] (word 5-gram Jaccard then spans ~0.55 to 1);
//   * with probability 0.25 drops one paragraph (not the first);
//   * with probability 0.2 adds a paragraph taken from another document;
//   * with probability 0.4 re-wraps every paragraph at a width in [50, 90]
//     (changes lines, not words: shingles are unchanged by it).
// A variant is placed at a random later position (80%) or a random earlier
// one (20%, so the variant is what a deduplicator keeps).
//
//   chaff-make-corpus [--input FILE] [--copies 10] [--seed 1] [--dup-rate 0.07]
//                     [--max-edit-rate 0.06] -o OUT.jsonl[.gz|.zst]
//                     [--truth PLANTED.jsonl]
// --truth lists every planted variant: {"id","source","edit_rate",
// "dropped_paragraph","added_paragraph","rewrapped"}.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/status.h"
#include "cli/flag_checks.h"

namespace {

using chaff::Status;
using chaff::StatusOr;

// splitmix64: a tiny, portable, well-mixed generator.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // In [0, n). Precondition: n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

bool IsWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string Lower(std::string_view w) {
  std::string s(w);
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

// `to` (lowercase) spelled with the case pattern of `from`.
std::string WithCaseOf(std::string_view from, std::string to) {
  bool all_upper = from.size() > 1;
  for (char c : from) all_upper &= !(c >= 'a' && c <= 'z');
  if (all_upper) {
    for (char& c : to) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
  } else if (!from.empty() && from[0] >= 'A' && from[0] <= 'Z' && !to.empty() &&
             to[0] >= 'a' && to[0] <= 'z') {
    to[0] = static_cast<char>(to[0] - 'a' + 'A');
  }
  return to;
}

// Applies `fn(word)` -> replacement to every ASCII-letter run of `text`.
template <typename F>
std::string MapWords(std::string_view text, F fn) {
  std::string out;
  out.reserve(text.size() + 16);
  size_t i = 0;
  while (i < text.size()) {
    if (!IsWordByte(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t j = i;
    while (j < text.size() && IsWordByte(text[j])) ++j;
    out += fn(text.substr(i, j - i));
    i = j;
  }
  return out;
}

struct Vocabulary {
  std::vector<std::string> words;  // by descending frequency, then spelling
  std::unordered_map<std::string, uint32_t> rank;
};

Vocabulary BuildVocabulary(const std::vector<std::string>& texts) {
  std::unordered_map<std::string, uint64_t> freq;
  for (const auto& t : texts) {
    MapWords(t, [&](std::string_view w) {
      ++freq[Lower(w)];
      return std::string();
    });
  }
  Vocabulary v;
  std::vector<std::pair<std::string, uint64_t>> items(freq.begin(), freq.end());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  for (auto& [w, f] : items) {
    v.rank.emplace(w, static_cast<uint32_t>(v.words.size()));
    v.words.push_back(w);
  }
  return v;
}

// A permutation of vocabulary ranks within blocks of 32 adjacent ranks.
std::vector<uint32_t> CopyPermutation(size_t n, uint64_t seed) {
  constexpr size_t kBlock = 32;
  std::vector<uint32_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = static_cast<uint32_t>(i);
  Rng rng(seed);
  for (size_t b = 0; b < n; b += kBlock) {
    const size_t e = std::min(n, b + kBlock);
    for (size_t i = e - 1; i > b; --i) {  // Fisher-Yates
      const size_t j = b + static_cast<size_t>(rng.Below(i - b + 1));
      std::swap(perm[i], perm[j]);
    }
  }
  return perm;
}

std::vector<std::string> SplitParagraphs(const std::string& text) {
  std::vector<std::string> paras;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find("\n\n", i);
    if (j == std::string::npos) j = text.size();
    paras.push_back(text.substr(i, j - i));
    i = j + 2;
  }
  return paras;
}

std::string JoinParagraphs(const std::vector<std::string>& paras) {
  std::string s;
  for (size_t i = 0; i < paras.size(); ++i) {
    if (i > 0) s += "\n\n";
    s += paras[i];
  }
  return s;
}

// Re-flows a paragraph into lines of at most `width` bytes (a longer word
// gets a line of its own).
std::string Rewrap(const std::string& para, size_t width) {
  std::string out, line;
  size_t i = 0;
  while (i < para.size()) {
    while (i < para.size() && (para[i] == ' ' || para[i] == '\n')) ++i;
    size_t j = i;
    while (j < para.size() && para[j] != ' ' && para[j] != '\n') ++j;
    if (j == i) break;
    const std::string_view word(para.data() + i, j - i);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line;
      out += '\n';
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    i = j;
  }
  out += line;
  return out;
}

struct Doc {
  std::string id;
  std::string text;
  double key = 0;  // position in the output (stable sort)
};

struct Planted {
  std::string id, source;
  double edit_rate = 0;
  bool dropped = false, added = false, rewrapped = false;
};

std::string MakeVariant(const std::string& src, const std::vector<Doc>& base,
                        const Vocabulary& vocab, double max_edit, Rng* rng,
                        Planted* info) {
  const double e = rng->Uniform() * max_edit;
  info->edit_rate = e;
  std::vector<std::string> paras = SplitParagraphs(src);
  if (paras.size() >= 3 && rng->Uniform() < 0.25) {
    paras.erase(paras.begin() + static_cast<long>(1 + rng->Below(paras.size() - 1)));
    info->dropped = true;
  }
  if (rng->Uniform() < 0.2) {
    const auto& other = base[rng->Below(base.size())].text;
    auto other_paras = SplitParagraphs(other);
    const std::string& add = other_paras[rng->Below(other_paras.size())];
    paras.insert(paras.begin() + static_cast<long>(1 + rng->Below(paras.size())), add);
    info->added = true;
  }
  std::string text = JoinParagraphs(paras);
  // Word edits: a deletion removes the word and the space after it.
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (!IsWordByte(text[i])) {
      out.push_back(text[i++]);
      continue;
    }
    size_t j = i;
    while (j < text.size() && IsWordByte(text[j])) ++j;
    const double u = rng->Uniform();
    if (u < e / 2) {
      if (j < text.size() && text[j] == ' ') ++j;  // delete
    } else if (u < e) {
      out += WithCaseOf(text.substr(i, j - i),
                        vocab.words[rng->Below(std::min<size_t>(vocab.words.size(), 5000))]);
    } else {
      out.append(text, i, j - i);
    }
    i = j;
  }
  if (rng->Uniform() < 0.4) {
    const size_t width = 50 + static_cast<size_t>(rng->Below(41));
    auto ps = SplitParagraphs(out);
    for (auto& p : ps) p = Rewrap(p, width);
    out = JoinParagraphs(ps);
    info->rewrapped = true;
  }
  return out;
}

Status Run(const std::string& input, int copies, uint64_t seed, double dup_rate,
           double max_edit, const std::string& output, const std::string& truth) {
  CHAFF_ASSIGN_OR_RETURN(auto reader, chaff::LineReader::Open(input));
  chaff::JsonlParser parser;
  chaff::JsonlRecord rec;
  std::vector<std::string> ids, texts;
  std::string_view line;
  for (;;) {
    CHAFF_ASSIGN_OR_RETURN(bool more, reader->Next(&line));
    if (!more) break;
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Status s = parser.Parse(line, "text", "id", &rec);
    if (!s.ok()) return s.WithPrefix(input + ":" + std::to_string(reader->line_number()));
    ids.push_back(rec.has_id ? rec.id : std::to_string(ids.size()));
    texts.push_back(rec.text);
  }
  if (texts.empty()) return chaff::InvalidArgument(input + ": no documents");
  const Vocabulary vocab = BuildVocabulary(texts);

  std::vector<Doc> base;
  base.reserve(texts.size() * static_cast<size_t>(copies));
  for (int c = 0; c < copies; ++c) {
    const auto perm = CopyPermutation(vocab.words.size(), seed * 1000003u + static_cast<uint64_t>(c));
    for (size_t d = 0; d < texts.size(); ++d) {
      Doc doc;
      doc.id = "c" + std::to_string(c) + "/" + ids[d];
      if (c == 0) {
        doc.text = texts[d];
      } else {
        doc.text = MapWords(texts[d], [&](std::string_view w) {
          const uint32_t r = vocab.rank.at(Lower(w));
          return WithCaseOf(w, vocab.words[perm[r]]);
        });
      }
      doc.key = static_cast<double>(base.size());
      base.push_back(std::move(doc));
    }
  }

  Rng rng(seed ^ 0x6d616b655f636f72ULL);
  std::vector<Doc> variants;
  std::vector<Planted> planted;
  const double n = static_cast<double>(base.size());
  for (size_t d = 0; d < base.size(); ++d) {
    if (rng.Uniform() >= dup_rate / 1.4) continue;
    const double u = rng.Uniform();
    const int count = u < 0.7 ? 1 : (u < 0.9 ? 2 : 3);
    for (int v = 0; v < count; ++v) {
      Planted info;
      Doc doc;
      doc.id = base[d].id + "/dup" + std::to_string(v + 1);
      doc.text = MakeVariant(base[d].text, base, vocab, max_edit, &rng, &info);
      const double pos = static_cast<double>(d);
      // Later (80%) or earlier (20%) than the source, never at its position.
      doc.key = rng.Uniform() < 0.8 ? pos + 0.5 + rng.Uniform() * (n - pos - 0.5)
                                    : rng.Uniform() * (pos - 0.5);
      if (doc.key < 0) doc.key = pos + 0.5;  // the first document has no "earlier"
      info.id = doc.id;
      info.source = base[d].id;
      planted.push_back(info);
      variants.push_back(std::move(doc));
    }
  }
  std::vector<Doc> all = std::move(base);
  for (auto& v : variants) all.push_back(std::move(v));
  std::stable_sort(all.begin(), all.end(),
                   [](const Doc& a, const Doc& b) { return a.key < b.key; });

  CHAFF_ASSIGN_OR_RETURN(auto out, chaff::OutputFile::Create(output));
  std::string buf;
  uint64_t bytes = 0;
  for (const auto& d : all) {
    buf.assign("{\"id\": ");
    chaff::AppendJsonString(d.id, &buf);
    buf += ", \"text\": ";
    chaff::AppendJsonString(d.text, &buf);
    buf += "}\n";
    bytes += buf.size();
    CHAFF_RETURN_IF_ERROR(out->Write(buf));
  }
  CHAFF_RETURN_IF_ERROR(out->Commit());
  if (!truth.empty()) {
    CHAFF_ASSIGN_OR_RETURN(auto t, chaff::OutputFile::Create(truth));
    for (const auto& p : planted) {
      buf.assign("{\"id\": ");
      chaff::AppendJsonString(p.id, &buf);
      buf += ", \"source\": ";
      chaff::AppendJsonString(p.source, &buf);
      char tail[160];
      std::snprintf(tail, sizeof(tail),
                    ", \"edit_rate\": %.4f, \"dropped_paragraph\": %s, "
                    "\"added_paragraph\": %s, \"rewrapped\": %s}\n",
                    p.edit_rate, p.dropped ? "true" : "false", p.added ? "true" : "false",
                    p.rewrapped ? "true" : "false");
      buf += tail;
      CHAFF_RETURN_IF_ERROR(t->Write(buf));
    }
    CHAFF_RETURN_IF_ERROR(t->Commit());
  }
  std::fprintf(stderr,
               "chaff-make-corpus: %zu documents (%zu base x %d copies + %zu planted "
               "variants of %s sources), %.1f MB -> %s\n",
               all.size(), texts.size(), copies, variants.size(),
               std::to_string(planted.empty() ? 0 : [&] {
                 size_t s = 0;
                 for (size_t i = 0; i < planted.size(); ++i) {
                   s += (i == 0 || planted[i].source != planted[i - 1].source);
                 }
                 return s;
               }()).c_str(),
               static_cast<double>(bytes) / 1e6, output.c_str());
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Builds the near-duplicate benchmark corpus (see the file header)."};
  std::string input = std::string(CHAFF_SHARED_DATA_DIR) + "/bbc/articles.jsonl";
  std::string output, truth;
  int copies = 10;
  uint64_t seed = 1;
  double dup_rate = 0.07, max_edit = 0.06;
  app.add_option("--input", input, "Seed corpus (JSONL with id and text)")->capture_default_str();
  app.add_option("--copies", copies, "Copies of the seed corpus")
      ->check(chaff::IntegerIn(1, 1000))
      ->capture_default_str();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_option("--dup-rate", dup_rate, "Planted variants per base document")
      ->check(chaff::NumberIn(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--max-edit-rate", max_edit, "Largest word edit rate of a variant")
      ->check(chaff::NumberIn(0.0, 1.0))
      ->capture_default_str();
  app.add_option("-o,--output", output, "Output JSONL (.gz/.zst compress)")->required();
  app.add_option("--truth", truth, "Also write the list of planted variants (JSONL)");
  CLI11_PARSE(app, argc, argv);
  Status s = Run(input, copies, seed, dup_rate, max_edit, output, truth);
  if (!s.ok()) {
    std::fprintf(stderr, "chaff-make-corpus: %s\n", s.message().c_str());
    return 2;
  }
  return 0;
}
