// Writes the line model's features of every non-blank line of the pages of a
// JSONL file, for the training script (tools/train/train_line_model.py):
// exactly what `chaff clean` computes, so that a model is trained on the
// numbers it will see.
//
//   chaff-line-features PAGES.jsonl -o DIR [--text-field text]
//
// DIR gets NumPy arrays (.npy, little-endian), one row per non-blank line,
// pages in input order:
//   features.npy   float32 [rows, cols]   (names in names.txt, one a line)
//   page.npy       uint32  [rows]         0-based page (record) index
//   line.npy       uint32  [rows]         0-based line index in the page
//   begin.npy, end.npy  uint64 [rows]     the line's bytes [begin, end) in
//                                         the page's text (UTF-8)
//   tok_indptr.npy int64   [rows + 1]     the line's distinct token buckets
//   tok_idx.npy    int32   [...]          (token hash & (2^18 - 1)) are
//                                         tok_idx[tok_indptr[r]:tok_indptr[r+1]], sorted
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/text/document.h"
#include "detect/line_features.h"

namespace {

constexpr uint64_t kTokenBuckets = uint64_t{1} << 18;

// Writes a NumPy .npy file (format 1.0) holding `data`.
bool WriteNpy(const std::string& path, const char* dtype, const std::vector<size_t>& shape,
              const void* data, size_t bytes) {
  std::string dims;
  for (size_t d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();
  std::string header = "{'descr': '" + std::string(dtype) +
                       "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header, padded to 64 with '\n'.
  while ((10 + header.size() + 1) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const unsigned char magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  const uint16_t len = static_cast<uint16_t>(header.size());
  const unsigned char len_le[] = {static_cast<unsigned char>(len & 0xFF),
                                  static_cast<unsigned char>(len >> 8)};
  bool ok = std::fwrite(magic, 1, sizeof(magic), f) == sizeof(magic) &&
            std::fwrite(len_le, 1, 2, f) == 2 &&
            std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
            (bytes == 0 || std::fwrite(data, 1, bytes, f) == bytes);
  ok = std::fclose(f) == 0 && ok;
  return ok;
}

template <typename T>
bool Save(const std::string& dir, const char* name, const char* dtype, const std::vector<T>& v,
          std::vector<size_t> shape = {}) {
  if (shape.empty()) shape = {v.size()};
  return WriteNpy(dir + "/" + name, dtype, shape, v.data(), v.size() * sizeof(T));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Writes the line model's features of every non-blank line of JSONL pages"};
  std::string input, out_dir, text_field = "text";
  app.add_option("pages", input, "JSONL file of pages")->required();
  app.add_option("-o,--output", out_dir, "Directory for the .npy files")->required();
  app.add_option("--text-field", text_field, "JSONL field holding the page text")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto reader = chaff::LineReader::Open(input);
  if (!reader.ok()) {
    std::fprintf(stderr, "chaff-line-features: %s\n", reader.status().message().c_str());
    return 2;
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  chaff::JsonlParser parser;
  chaff::JsonlRecord record;
  chaff::Document doc;
  chaff::internal::LineFeatureMatrix m;
  std::vector<float> features;
  std::vector<uint32_t> page, line;
  std::vector<uint64_t> begin, end;
  std::vector<int64_t> tok_indptr{0};
  std::vector<int32_t> tok_idx, buckets;
  uint32_t pages = 0;
  std::string_view text_line;
  for (;;) {
    auto more = (*reader)->Next(&text_line);
    if (!more.ok() || !*more) {
      if (!more.ok()) {
        std::fprintf(stderr, "chaff-line-features: %s\n", more.status().message().c_str());
        return 2;
      }
      break;
    }
    if (text_line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const chaff::Status s = parser.Parse(text_line, text_field, "", &record);
    if (!s.ok()) {
      std::fprintf(stderr, "chaff-line-features: %s:%llu: %s\n", input.c_str(),
                   static_cast<unsigned long long>((*reader)->line_number()),
                   s.message().c_str());
      return 2;
    }
    doc.Build(record.text);
    chaff::internal::ComputeLineFeatures(doc, &m);
    for (size_t r = 0; r < m.rows; ++r) {
      for (size_t c = 0; c < m.cols; ++c) features.push_back(m.at(r, c));
    }
    for (size_t r = 0; r < m.rows; ++r) {
      const uint32_t k = m.line[r];
      page.push_back(pages);
      line.push_back(k);
      begin.push_back(doc.lines()[k].begin);
      end.push_back(doc.lines()[k].end);
      buckets.clear();
      for (size_t t = doc.token_begin(k); t < doc.token_end(k); ++t) {
        buckets.push_back(static_cast<int32_t>(doc.tokens().hashes[t] & (kTokenBuckets - 1)));
      }
      std::sort(buckets.begin(), buckets.end());
      buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
      tok_idx.insert(tok_idx.end(), buckets.begin(), buckets.end());
      tok_indptr.push_back(static_cast<int64_t>(tok_idx.size()));
    }
    ++pages;
  }
  const auto& names = chaff::internal::LineFeatureNames();
  const size_t cols = names.size();
  const size_t rows = page.size();
  bool ok = Save(out_dir, "features.npy", "<f4", features, {rows, cols}) &&
            Save(out_dir, "page.npy", "<u4", page) && Save(out_dir, "line.npy", "<u4", line) &&
            Save(out_dir, "begin.npy", "<u8", begin) && Save(out_dir, "end.npy", "<u8", end) &&
            Save(out_dir, "tok_indptr.npy", "<i8", tok_indptr) &&
            Save(out_dir, "tok_idx.npy", "<i4", tok_idx);
  if (std::FILE* f = std::fopen((out_dir + "/names.txt").c_str(), "w")) {
    for (auto n : names) std::fprintf(f, "%.*s\n", static_cast<int>(n.size()), n.data());
    ok = std::fclose(f) == 0 && ok;
  } else {
    ok = false;
  }
  if (!ok) {
    std::fprintf(stderr, "chaff-line-features: cannot write %s\n", out_dir.c_str());
    return 2;
  }
  std::fprintf(stderr, "chaff-line-features: %u pages, %zu lines, %zu features -> %s\n", pages,
               rows, cols, out_dir.c_str());
  return 0;
}
