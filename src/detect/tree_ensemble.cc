#include "detect/tree_ensemble.h"

#include "detect/tree_ensemble_internal.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace chaff {
namespace internal {

static_assert(TreeArrays::kPaddedLeaves == TreeEnsemble::kMaxLeaves,
              "the kernel's leaves are a tree's leaves, padded");

namespace {

// The largest float not above d (for a float x: x > it exactly when x > d).
float FloatAtOrBelow(double d) {
  if (std::isinf(d)) return static_cast<float>(d);
  float f = static_cast<float>(d);
  if (static_cast<double>(f) > d) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

}  // namespace

StatusOr<TreeEnsemble> TreeEnsemble::FromExported(
    double baseline, int num_features, const std::vector<std::vector<ExportedNode>>& trees) {
  TreeEnsemble e;
  e.baseline_ = baseline;
  e.num_features_ = num_features;
  for (size_t t = 0; t < trees.size(); ++t) {
    const auto& in = trees[t];
    const std::string where = "tree " + std::to_string(t);
    if (in.empty()) return InvalidArgument(where + " has no node");
    e.num_nodes_ += in.size();
    Tree tree{static_cast<uint32_t>(e.split_feature_.size()), 0,
              static_cast<uint32_t>(e.leaves_.size())};
    // In order (left subtree, node, right subtree), numbering the leaves
    // left to right; a split's left subtree covers leaves [first, last).
    struct Visit {
      int32_t node;
      bool left_done;
      uint32_t first_leaf;
    };
    std::vector<uint8_t> seen(in.size(), 0);
    std::vector<Visit> stack{{0, false, 0}};
    seen[0] = 1;
    uint32_t leaves = 0;
    while (!stack.empty()) {
      Visit& v = stack.back();
      const ExportedNode& n = in[static_cast<size_t>(v.node)];
      if (n.feature < 0) {
        if (leaves >= kMaxLeaves) {
          return InvalidArgument(where + " has more than " + std::to_string(kMaxLeaves) +
                                 " leaves");
        }
        e.leaves_.push_back(n.value);
        ++leaves;
        stack.pop_back();
        continue;
      }
      if (n.feature >= num_features) {
        return InvalidArgument(where + ": feature " + std::to_string(n.feature) +
                               " out of range");
      }
      const int32_t child = v.left_done ? n.right : n.left;
      if (child < 0 || static_cast<size_t>(child) >= in.size() ||
          seen[static_cast<size_t>(child)]) {
        return InvalidArgument(where + ": bad child " + std::to_string(child));
      }
      seen[static_cast<size_t>(child)] = 1;
      if (!v.left_done) {
        v.left_done = true;
        v.first_leaf = leaves;
        stack.push_back({child, false, 0});
        continue;
      }
      // The left subtree is done: leaves [first_leaf, leaves) are its own.
      uint32_t mask = 0xFFFFFFFFu;
      for (uint32_t l = v.first_leaf; l < leaves; ++l) mask &= ~(uint32_t{1} << l);
      e.split_feature_.push_back(n.feature);
      e.split_threshold_.push_back(FloatAtOrBelow(n.threshold));
      e.split_mask_.push_back(mask);
      ++tree.split_count;
      stack.pop_back();  // the right subtree replaces this node
      stack.push_back({child, false, 0});
    }
    e.trees_.push_back(tree);
    e.split_end_.push_back(tree.split_begin + tree.split_count);
    e.leaf_begin_.push_back(tree.leaf_begin);
    e.padded_leaves_.insert(e.padded_leaves_.end(), e.leaves_.begin() + tree.leaf_begin,
                            e.leaves_.end());
    e.padded_leaves_.resize(e.trees_.size() * kMaxLeaves, 0.0);
    e.exported_.push_back(in);
  }
  return e;
}

StatusOr<TreeEnsemble> TreeEnsemble::FromJson(std::string_view json, std::string_view name) {
  const std::string where(name);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root)) return DataError(where + ": not valid JSON");
  std::string_view format;
  if (root["format"].get(format) || format != "chaff-hgb-v1") {
    return DataError(where + ": not a chaff-hgb-v1 model");
  }
  int64_t num_features = 0;
  double baseline = 0;
  simdjson::dom::array trees;
  if (root["n_features"].get(num_features) || root["baseline"].get(baseline) ||
      root["trees"].get(trees) || num_features <= 0 || num_features > 4096) {
    return DataError(where + ": missing n_features, baseline or trees");
  }
  std::vector<std::vector<ExportedNode>> exported;
  for (simdjson::dom::element tree : trees) {
    simdjson::dom::array nodes;
    if (tree["nodes"].get(nodes)) return DataError(where + ": a tree without nodes");
    std::vector<ExportedNode> out;
    for (simdjson::dom::element node : nodes) {
      simdjson::dom::array a;
      if (node.get(a) || a.size() < 5) return DataError(where + ": a malformed node");
      int64_t feature = 0, left = 0, right = 0;
      double threshold = 0, value = 0;
      std::string_view text;
      if (a.at(1).get(threshold)) {
        // Thresholds of +inf are written as "inf" (JSON has no infinity).
        if (a.at(1).get(text) || text != "inf") return DataError(where + ": a bad threshold");
        threshold = std::numeric_limits<double>::infinity();
      }
      if (a.at(0).get(feature) || a.at(2).get(left) || a.at(3).get(right) ||
          a.at(4).get(value)) {
        return DataError(where + ": a malformed node");
      }
      out.push_back(ExportedNode{static_cast<int32_t>(feature), threshold,
                                 static_cast<int32_t>(left), static_cast<int32_t>(right), value});
    }
    exported.push_back(std::move(out));
  }
  auto e = FromExported(baseline, static_cast<int>(num_features), exported);
  if (!e.ok()) return e.status().WithPrefix(where);
  simdjson::dom::array names;
  if (!root["feature_names"].get(names)) {
    for (simdjson::dom::element n : names) {
      std::string_view s;
      if (!n.get(s)) e->feature_names_.emplace_back(s);
    }
  }
  return e;
}

void TreeEnsemble::PredictRaw(const float* columns, size_t column_stride, size_t num_rows,
                              double* raw) const {
  if (num_rows == 0) return;
  const TreeArrays arrays{split_feature_.data(),   split_threshold_.data(),
                          split_mask_.data(),      split_end_.data(),
                          leaf_begin_.data(),      leaves_.data(),
                          padded_leaves_.data(),   trees_.size(),
                          static_cast<size_t>(num_features_), baseline_};
  // The kernel scores whole vectors of rows, the padding too.
  thread_local std::vector<double> padded;
  padded.resize(RoundUpRows(num_rows));
  PredictTreesSimd(arrays, columns, column_stride, padded.size(), padded.data());
  std::copy(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(num_rows), raw);
}

void TreeEnsemble::PredictRawReference(const float* columns, size_t column_stride,
                                       size_t num_rows, double* raw) const {
  for (size_t r = 0; r < num_rows; ++r) {
    double sum = baseline_;
    for (const auto& nodes : exported_) {
      size_t i = 0;
      while (nodes[i].feature >= 0) {
        const double x = columns[static_cast<size_t>(nodes[i].feature) * column_stride + r];
        i = static_cast<size_t>(x > nodes[i].threshold ? nodes[i].right : nodes[i].left);
      }
      sum += nodes[i].value;
    }
    raw[r] = sum;
  }
}

}  // namespace internal
}  // namespace chaff
