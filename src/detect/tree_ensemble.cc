#include "detect/tree_ensemble.h"

#include <simdjson.h>

#include <cmath>
#include <limits>

namespace chaff {
namespace internal {

StatusOr<TreeEnsemble> TreeEnsemble::FromExported(
    double baseline, int num_features, const std::vector<std::vector<ExportedNode>>& trees) {
  TreeEnsemble e;
  e.baseline_ = baseline;
  e.num_features_ = num_features;
  for (size_t t = 0; t < trees.size(); ++t) {
    const auto& in = trees[t];
    if (in.empty()) return InvalidArgument("tree " + std::to_string(t) + " has no node");
    // Breadth-first from the root: the children of a split are placed side
    // by side. `placed` guards against cycles and shared nodes.
    const auto root = static_cast<uint32_t>(e.nodes_.size());
    e.roots_.push_back(root);
    std::vector<uint8_t> placed(in.size(), 0);
    std::vector<int32_t> queue{0};
    e.nodes_.push_back(Node{0.0, -1, 0});
    placed[0] = 1;
    for (size_t q = 0; q < queue.size(); ++q) {
      const ExportedNode& n = in[static_cast<size_t>(queue[q])];
      Node& out = e.nodes_[root + q];
      if (n.feature < 0) {
        out = Node{n.value, -1, 0};
        continue;
      }
      if (n.feature >= num_features) {
        return InvalidArgument("tree " + std::to_string(t) + ": feature " +
                               std::to_string(n.feature) + " out of range");
      }
      for (int32_t child : {n.left, n.right}) {
        if (child < 0 || static_cast<size_t>(child) >= in.size() || placed[static_cast<size_t>(child)]) {
          return InvalidArgument("tree " + std::to_string(t) + ": bad child " +
                                 std::to_string(child));
        }
        placed[static_cast<size_t>(child)] = 1;
      }
      out = Node{n.threshold, n.feature, static_cast<uint32_t>(root + queue.size())};
      queue.push_back(n.left);
      queue.push_back(n.right);
      e.nodes_.push_back(Node{0.0, -1, 0});
      e.nodes_.push_back(Node{0.0, -1, 0});
    }
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

void TreeEnsemble::PredictRaw(const double* rows, size_t num_rows, size_t stride,
                              double* raw) const {
  for (size_t r = 0; r < num_rows; ++r) raw[r] = baseline_;
  const Node* nodes = nodes_.data();
  for (const uint32_t root : roots_) {
    for (size_t r = 0; r < num_rows; ++r) {
      const double* x = rows + r * stride;
      const Node* n = nodes + root;
      while (n->feature >= 0) {
        n = nodes + n->left + (x[n->feature] > n->threshold ? 1 : 0);
      }
      raw[r] += n->threshold;
    }
  }
}

}  // namespace internal
}  // namespace chaff
