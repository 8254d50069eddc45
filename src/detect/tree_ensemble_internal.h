// Internal: the Highway kernel of TreeEnsemble (tree_ensemble_hwy.cc).
#ifndef CHAFF_DETECT_TREE_ENSEMBLE_INTERNAL_H_
#define CHAFF_DETECT_TREE_ENSEMBLE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace chaff {
namespace internal {

// An ensemble as the kernel reads it (views into TreeEnsemble's arrays).
// Tree t's splits are [split_end[t - 1], split_end[t]) (from 0 for t = 0)
// of feature, threshold and mask; its leaves, left to right, start at
// leaves + leaf_begin[t].
struct TreeArrays {
  static constexpr size_t kPaddedLeaves = 32;

  const int32_t* feature;
  const float* threshold;
  const uint32_t* mask;  // the leaves still possible after going right
  const uint32_t* split_end;
  const uint32_t* leaf_begin;
  const double* leaves;
  const double* padded_leaves;  // tree t's at t * kPaddedLeaves, zeros after its own
  size_t num_trees;
  size_t num_features;  // the columns the splits read
  double baseline;
};

// For rows r < num_rows (a multiple of 16; every column holds that many
// readable floats): raw[r] = baseline + the leaf value of every tree in
// tree order, the exit leaf of a tree being the lowest set bit of the AND of
// mask[s] over its splits s that row r fails (columns[feature[s] *
// column_stride + r] > threshold[s]). Dispatches to the best target once
// per call.
void PredictTreesSimd(const TreeArrays& trees, const float* columns, size_t column_stride,
                      size_t num_rows, double* raw);

// The scalar reference of the kernel, for tests.
void PredictTreesScalar(const TreeArrays& trees, const float* columns, size_t column_stride,
                        size_t num_rows, double* raw);

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_DETECT_TREE_ENSEMBLE_INTERNAL_H_
