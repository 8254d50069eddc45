// Internal: the Highway kernel of TreeEnsemble (tree_ensemble_hwy.cc).
#ifndef CHAFF_DETECT_TREE_ENSEMBLE_INTERNAL_H_
#define CHAFF_DETECT_TREE_ENSEMBLE_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace chaff {
namespace internal {

// For rows r < num_rows (a multiple of 16; every column holds that many
// readable floats): exits[r] = the AND of mask[s] over the splits s < count
// that row r fails (columns[feature[s] * column_stride + r] > threshold[s]),
// starting from all ones. Dispatches to the best target once per call.
void AndSplitMasksSimd(const float* columns, size_t column_stride, size_t num_rows,
                       const int32_t* feature, const float* threshold, const uint32_t* mask,
                       size_t count, uint32_t* exits);

// The scalar reference of the kernel, for tests.
void AndSplitMasksScalar(const float* columns, size_t column_stride, size_t num_rows,
                         const int32_t* feature, const float* threshold,
                         const uint32_t* mask, size_t count, uint32_t* exits);

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_DETECT_TREE_ENSEMBLE_INTERNAL_H_
