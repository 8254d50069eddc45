// The features the line model reads, for every non-blank line of a page:
// the line's own shape, its neighbours and windows of lines around it, the
// page's shape, where the page's densest blocks of text are, and runs of
// lines of the same shape. Numbers only: no word is looked up except in the
// built-in stoplists and the time-word list. Computed from a Document in
// O(1) per line (windows by prefix sums).
//
// Units: "lines" below are the page's non-blank lines (a line of white space
// only is blank), numbered 0..n-1; windows and distances count them.
// Words are the Document's tokens.
#ifndef CHAFF_DETECT_LINE_FEATURES_H_
#define CHAFF_DETECT_LINE_FEATURES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "chaff/text/document.h"

namespace chaff {
namespace internal {

// The features in order (their names are what training scripts see).
const std::vector<std::string_view>& LineFeatureNames();

// A page's features: a row per non-blank line, in order, stored by column
// (a feature's values for every row side by side, as the tree kernel reads
// them), each column padded to a multiple of 16 rows with zeros.
struct LineFeatureMatrix {
  size_t rows = 0;
  size_t cols = 0;              // the features (LineFeatureNames())
  size_t columns = 0;           // cols and the room left for a model's own
  size_t stride = 0;            // floats per column: rows, padded
  std::vector<float> values;    // columns x stride
  std::vector<uint32_t> line;   // per row: its line index in the Document
  std::vector<uint32_t> words;  // per row: its tokens

  const float* column(size_t c) const { return values.data() + c * stride; }
  float* column(size_t c) { return values.data() + c * stride; }
  float at(size_t r, size_t c) const { return values[c * stride + r]; }
};

// Computes the features of every non-blank line of `doc` into *out
// (buffers reused), leaving `extra` more columns for a model's own
// features. Thread-safe. Features are defined in double precision and
// stored as float: models are trained on these same floats. (Quotients of
// two counts are computed in float where that gives the same float; see
// WindowColumns in line_features.cc.)
void ComputeLineFeatures(const Document& doc, LineFeatureMatrix* out, size_t extra = 0);

// Shared with the line model's decoding (line_model.cc).
// cs = the prefix sums of x: cs[0] = 0, cs[i + 1] = cs[i] + x[i].
void Prefix(const std::vector<double>& x, std::vector<double>* cs);
// The first run [s, e] of w with the largest positive sum (ties: the
// earliest start, the shortest end); false when no weight is positive.
bool MaxSumRun(const std::vector<double>& w, long* s, long* e);

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_DETECT_LINE_FEATURES_H_
