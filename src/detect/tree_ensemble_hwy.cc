// Highway kernel of the tree ensemble (tree_ensemble.h): for a vector of
// rows at a time, the AND of the leaf masks of the splits the rows fail.
// The rows' running masks stay in a register across a tree's splits; each
// split is a load of one feature for the vector of rows, a compare and a
// masked AND. Exact on every target (integer ANDs of float compares).
#include <cstddef>
#include <cstdint>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "detect/tree_ensemble_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "detect/tree_ensemble_internal.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void AndSplitMasks(const float* HWY_RESTRICT columns, size_t column_stride, size_t num_rows,
                   const int32_t* HWY_RESTRICT feature, const float* HWY_RESTRICT threshold,
                   const uint32_t* HWY_RESTRICT mask, size_t count,
                   uint32_t* HWY_RESTRICT exits) {
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  const size_t n = hn::Lanes(df);
  const auto all = hn::Set(du, 0xFFFFFFFFu);
  size_t r = 0;
  for (; r + n <= num_rows; r += n) {
    auto v = all;
    for (size_t s = 0; s < count; ++s) {
      const auto x = hn::LoadU(df, columns + static_cast<size_t>(feature[s]) * column_stride + r);
      const auto failed = hn::RebindMask(du, hn::Gt(x, hn::Set(df, threshold[s])));
      v = hn::And(v, hn::IfThenElse(failed, hn::Set(du, mask[s]), all));
    }
    hn::StoreU(v, du, exits + r);
  }
  // Fewer rows than a vector are left only on targets wider than 16 floats.
  if (r < num_rows) {
    internal::AndSplitMasksScalar(columns + r, column_stride, num_rows - r, feature, threshold,
                                  mask, count, exits + r);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace chaff {
namespace internal {

HWY_EXPORT(AndSplitMasks);

void AndSplitMasksSimd(const float* columns, size_t column_stride, size_t num_rows,
                       const int32_t* feature, const float* threshold, const uint32_t* mask,
                       size_t count, uint32_t* exits) {
  HWY_DYNAMIC_DISPATCH(AndSplitMasks)(columns, column_stride, num_rows, feature, threshold,
                                      mask, count, exits);
}

void AndSplitMasksScalar(const float* columns, size_t column_stride, size_t num_rows,
                         const int32_t* feature, const float* threshold,
                         const uint32_t* mask, size_t count, uint32_t* exits) {
  for (size_t r = 0; r < num_rows; ++r) {
    uint32_t v = 0xFFFFFFFFu;
    for (size_t s = 0; s < count; ++s) {
      if (columns[static_cast<size_t>(feature[s]) * column_stride + r] > threshold[s]) v &= mask[s];
    }
    exits[r] = v;
  }
}

}  // namespace internal
}  // namespace chaff
#endif  // HWY_ONCE
