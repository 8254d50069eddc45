// Inference for gradient-boosted decision trees as scikit-learn's
// HistGradientBoostingClassifier (binary) trains them: raw score = baseline +
// the leaf value of every tree, P = 1 / (1 + exp(-raw)). A split sends a row
// left when its feature value is <= the split's threshold (a value the
// feature takes, as a double). Features are never NaN here, so sklearn's
// missing-value routing is not needed (a model that routes NaN elsewhere
// than left is still exact for rows without NaN).
//
// Evaluation, QuickScorer's way (Lucchese et al., SIGIR 2015): a tree of at
// most 32 leaves is a bit per leaf, numbered left to right. Every split
// whose test a row fails (x > threshold: the row goes right) rules out the
// leaves of its left subtree; AND-ing the masks of all failed splits leaves
// the row's exit leaf as the lowest set bit. So a tree costs one compare and
// one AND per split for every row, with no branch and no dependent load:
// a Highway kernel (tree_ensemble_hwy.cc) runs them a vector of rows at a
// time over column-major features, for all the trees in one dispatch.
//
// Features are floats; thresholds are stored as the largest float not above
// the double threshold: for a float x, x > that float exactly when x > the
// double, so the decisions are those of scikit-learn on the same floats.
// Leaf values add up in tree order, as scikit-learn adds them.
#ifndef CHAFF_DETECT_TREE_ENSEMBLE_H_
#define CHAFF_DETECT_TREE_ENSEMBLE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/status.h"

namespace chaff {
namespace internal {

class TreeEnsemble {
 public:
  // A node as the training script exports it (chaff-hgb-v1): children by
  // index within their tree, feature -1 for a leaf.
  struct ExportedNode {
    int32_t feature;
    double threshold;
    int32_t left;
    int32_t right;
    double value;
  };

  TreeEnsemble() = default;

  // Builds the ensemble from exported trees (each a node list, root first).
  // Fails on a malformed tree (a child out of range, a cycle, a feature
  // index >= num_features).
  static StatusOr<TreeEnsemble> FromExported(double baseline, int num_features,
                                             const std::vector<std::vector<ExportedNode>>& trees);

  // Parses the JSON the training script writes ({"format": "chaff-hgb-v1",
  // "n_features", "feature_names", "baseline", "trees": [{"nodes": [[feature,
  // threshold, left, right, value, missing_left, is_leaf], ...]}]}).
  // `name` prefixes errors.
  static StatusOr<TreeEnsemble> FromJson(std::string_view json, std::string_view name);

  static constexpr size_t kMaxLeaves = 32;

  // raw[r] = baseline + the sum of the trees' leaf values for row r < num_rows,
  // whose feature f is columns[f * column_stride + r]. Columns hold at least
  // RoundUpRows(num_rows) readable floats.
  void PredictRaw(const float* columns, size_t column_stride, size_t num_rows,
                  double* raw) const;

  // Rows are read a whole vector at a time: columns are padded to this.
  static size_t RoundUpRows(size_t rows) { return (rows + 15) / 16 * 16; }

  // For tests: the same by descending each tree from its root.
  void PredictRawReference(const float* columns, size_t column_stride, size_t num_rows,
                           double* raw) const;

  int num_features() const { return num_features_; }
  size_t num_trees() const { return trees_.size(); }
  size_t num_nodes() const { return num_nodes_; }
  const std::vector<std::string>& feature_names() const { return feature_names_; }

 private:
  struct Tree {
    uint32_t split_begin;  // into the split arrays
    uint32_t split_count;
    uint32_t leaf_begin;   // into leaves_, left to right
  };
  // As exported (root first), for the reference descent.
  std::vector<std::vector<ExportedNode>> exported_;

  double baseline_ = 0.0;
  int num_features_ = 0;
  size_t num_nodes_ = 0;  // as exported
  std::vector<Tree> trees_;
  std::vector<int32_t> split_feature_;
  std::vector<float> split_threshold_;
  std::vector<uint32_t> split_mask_;  // the leaves still possible after going right
  std::vector<uint32_t> split_end_;   // per tree, for the kernel
  std::vector<uint32_t> leaf_begin_;  // per tree, for the kernel
  std::vector<double> leaves_;
  std::vector<double> padded_leaves_;  // kMaxLeaves per tree, for the kernel
  std::vector<std::string> feature_names_;
};

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_DETECT_TREE_ENSEMBLE_H_
