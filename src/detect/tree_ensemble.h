// Inference for gradient-boosted decision trees as scikit-learn's
// HistGradientBoostingClassifier (binary) trains them: raw score = baseline +
// the leaf value of every tree, P = 1 / (1 + exp(-raw)). A split sends a row
// left when its feature value is <= the split's threshold (a value the
// feature takes, as a double). Features are never NaN here, so sklearn's
// missing-value routing is not needed (a model that routes NaN elsewhere
// than left is still exact for rows without NaN).
//
// Layout: each tree's nodes are renumbered so that the two children of a
// split are adjacent (right = left + 1): descending is one compare and one
// add, no branch on the direction. Rows are scored tree by tree, so a
// tree's nodes stay in cache while every row of a page descends it.
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

  // raw[r] = baseline + sum of leaf values for rows[r * stride, + num_features).
  void PredictRaw(const double* rows, size_t num_rows, size_t stride, double* raw) const;

  int num_features() const { return num_features_; }
  size_t num_trees() const { return roots_.size(); }
  size_t num_nodes() const { return nodes_.size(); }
  const std::vector<std::string>& feature_names() const { return feature_names_; }

 private:
  // A split (feature >= 0): rows with x[feature] <= threshold go to
  // `left`, others to left + 1. A leaf (feature < 0): value in threshold.
  struct Node {
    double threshold;
    int32_t feature;
    uint32_t left;
  };

  double baseline_ = 0.0;
  int num_features_ = 0;
  std::vector<Node> nodes_;
  std::vector<uint32_t> roots_;
  std::vector<std::string> feature_names_;
};

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_DETECT_TREE_ENSEMBLE_H_
