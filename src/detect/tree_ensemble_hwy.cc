// Highway kernel of the tree ensemble (tree_ensemble.h): every tree for a
// block of rows at a time. Per tree, the rows' running masks (the AND of
// the leaf masks of the splits they fail) stay in registers across the
// tree's splits; each split is a broadcast of its threshold and mask, then
// per vector of rows a load of one feature, a compare and a masked AND.
// Up to four vectors of rows (64 on AVX-512) share each split's scalar work
// (its feature's address, the broadcasts) where the rows allow, and the
// block's features, copied side by side (30 KiB for the built-in model's
// 117 features), stay in L1 across all the trees. Then the exit
// leaves' values are added in tree order, as the scalar reference adds
// them. One dispatch per page, not one per tree. Exact on every target
// (integer ANDs of float compares; the same double additions).
//
// Measured on the built-in model (100 trees of 30 splits, AVX3 on an AMD
// EPYC, BM_LineTrees, wcxb-dev): a dispatch and a pass over the page per
// tree 91 ms; blocks of two vectors 80 ms; leaf values by lane permutes
// 67 ms; blocks of four vectors 61 ms. Gathering the leaf values
// (vgatherqpd) and comparing the floats as ordered integers did not pay.
#include <cstddef>
#include <cstdint>
#include <vector>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "detect/tree_ensemble_hwy.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "detect/tree_ensemble_internal.h"

HWY_BEFORE_NAMESPACE();
namespace chaff {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

constexpr size_t kPaddedLeaves = internal::TreeArrays::kPaddedLeaves;

// raw[j] += leaves[the lowest set bit of exits[j]] for j < rows, a vector
// of doubles at a time: the bit's index is the exponent of the bit as a
// float (exact for a power of two; 1 << 31, read as a negative int32,
// converts to -2^31, whose exponent is 31 too), and the leaf value is
// picked from the tree's 32 leaves in registers by lane permutes (no
// memory gather: those did not pay). For targets with 8 or more doubles
// per vector (AVX-512: four permutes of 8 leaves); narrower ones would need
// more permutes than the scalar loop costs.
HWY_INLINE void AddLeaves(const double* HWY_RESTRICT leaves, const uint32_t* HWY_RESTRICT exits,
                          size_t rows, double* HWY_RESTRICT raw) {
  const hn::ScalableTag<double> dd;
  const hn::RebindToSigned<decltype(dd)> di64;
  const hn::Rebind<int32_t, decltype(dd)> di32;
  const hn::Rebind<float, decltype(dd)> df32;
  const size_t n = hn::Lanes(dd);
  for (size_t j = 0; j < rows; j += n) {
    const auto e = hn::Load(di32, reinterpret_cast<const int32_t*>(exits) + j);
    const auto bits = hn::BitCast(di32, hn::ConvertTo(df32, hn::And(e, hn::Neg(e))));
    const auto index = hn::PromoteTo(
        di64, hn::Sub(hn::And(hn::ShiftRight<23>(bits), hn::Set(di32, 0xFF)), hn::Set(di32, 127)));
    // The lane within a vector of leaves; the vector is the last one that
    // starts at or below the index.
    const auto lane =
        hn::IndicesFromVec(dd, hn::And(index, hn::Set(di64, static_cast<int64_t>(n - 1))));
    auto value = hn::TableLookupLanes(hn::LoadU(dd, leaves), lane);
    for (size_t c = n; c < kPaddedLeaves; c += n) {
      const auto before = hn::RebindMask(dd, hn::Lt(index, hn::Set(di64, static_cast<int64_t>(c))));
      value = hn::IfThenElse(before, value, hn::TableLookupLanes(hn::LoadU(dd, leaves + c), lane));
    }
    hn::StoreU(hn::Add(hn::LoadU(dd, raw + j), value), dd, raw + j);
  }
}

// Rows [r, r + kVectors * Lanes) of every tree. `block` holds room for
// num_features * kVectors * Lanes floats, aligned to a vector.
template <size_t kVectors>
HWY_INLINE void PredictBlock(const internal::TreeArrays& t, const float* HWY_RESTRICT columns,
                             size_t column_stride, size_t r, float* HWY_RESTRICT block,
                             double* HWY_RESTRICT raw) {
  static_assert(kVectors >= 1 && kVectors <= 4, "one to four vectors of rows");
  const hn::ScalableTag<float> df;
  const hn::RebindToUnsigned<decltype(df)> du;
  const size_t n = hn::Lanes(df);
  const size_t rows = kVectors * n;
  // The block's rows of every feature, side by side: a split then reads at
  // a fixed multiple of its feature, and the block fits in L1 whatever the
  // page's column stride (a stride of a multiple of 1 KiB would map every
  // column of the page to the same few cache sets).
  for (size_t c = 0; c < t.num_features; ++c) {
    for (size_t j = 0; j < rows; j += n) {
      hn::Store(hn::LoadU(df, columns + c * column_stride + r + j), df, block + c * rows + j);
    }
  }
  const hn::ScalableTag<double> dd;
  const auto all = hn::Set(du, 0xFFFFFFFFu);
  HWY_ALIGN_MAX uint32_t exits[4 * HWY_MAX_BYTES / sizeof(uint32_t)];
  for (size_t j = 0; j < rows; ++j) raw[r + j] = t.baseline;
  size_t s = 0;
  for (size_t tree = 0; tree < t.num_trees; ++tree) {
    auto v0 = all;
    auto v1 = all;
    auto v2 = all;
    auto v3 = all;
    for (const size_t end = t.split_end[tree]; s < end; ++s) {
      const float* x = block + static_cast<size_t>(t.feature[s]) * rows;
      const auto threshold = hn::Set(df, t.threshold[s]);
      const auto mask = hn::Set(du, t.mask[s]);
      // Written as a select of the AND so that AVX-512 makes it one masked
      // AND (a blend of a broadcast and an AND cost twice as much).
      const auto failed0 = hn::RebindMask(du, hn::Lt(threshold, hn::Load(df, x)));
      v0 = hn::IfThenElse(failed0, hn::And(v0, mask), v0);
      if (kVectors >= 2) {
        const auto failed1 = hn::RebindMask(du, hn::Lt(threshold, hn::Load(df, x + n)));
        v1 = hn::IfThenElse(failed1, hn::And(v1, mask), v1);
      }
      if (kVectors >= 3) {
        const auto failed2 = hn::RebindMask(du, hn::Lt(threshold, hn::Load(df, x + 2 * n)));
        v2 = hn::IfThenElse(failed2, hn::And(v2, mask), v2);
      }
      if (kVectors >= 4) {
        const auto failed3 = hn::RebindMask(du, hn::Lt(threshold, hn::Load(df, x + 3 * n)));
        v3 = hn::IfThenElse(failed3, hn::And(v3, mask), v3);
      }
    }
    hn::Store(v0, du, exits);
    if (kVectors >= 2) hn::Store(v1, du, exits + n);
    if (kVectors >= 3) hn::Store(v2, du, exits + 2 * n);
    if (kVectors >= 4) hn::Store(v3, du, exits + 3 * n);
    // The exit leaf is the lowest bit left (never none: a row's own leaf
    // survives every split it takes).
    if (hn::Lanes(dd) >= 8) {
      AddLeaves(t.padded_leaves + tree * kPaddedLeaves, exits, rows, raw + r);
    } else {
      const double* leaf = t.leaves + t.leaf_begin[tree];
      for (size_t j = 0; j < rows; ++j) {
        raw[r + j] += leaf[hwy::Num0BitsBelowLS1Bit_Nonzero32(exits[j])];
      }
    }
  }
}

void PredictTrees(const internal::TreeArrays& t, const float* HWY_RESTRICT columns,
                  size_t column_stride, size_t num_rows, double* HWY_RESTRICT raw) {
  const hn::ScalableTag<float> df;
  const size_t n = hn::Lanes(df);
  // Per thread: the block of rows, aligned to a vector.
  thread_local std::vector<float> storage;
  storage.resize(t.num_features * 4 * n + HWY_MAX_BYTES / sizeof(float));
  const uintptr_t address = reinterpret_cast<uintptr_t>(storage.data());
  float* block = storage.data() + (HWY_MAX_BYTES - address % HWY_MAX_BYTES) % HWY_MAX_BYTES /
                                      sizeof(float);
  size_t r = 0;
  for (; r + 4 * n <= num_rows; r += 4 * n) {
    PredictBlock<4>(t, columns, column_stride, r, block, raw);
  }
  for (; r + 2 * n <= num_rows; r += 2 * n) {
    PredictBlock<2>(t, columns, column_stride, r, block, raw);
  }
  for (; r + n <= num_rows; r += n) PredictBlock<1>(t, columns, column_stride, r, block, raw);
  // Fewer rows than a vector are left only on targets wider than 16 floats.
  if (r < num_rows) {
    internal::PredictTreesScalar(t, columns + r, column_stride, num_rows - r, raw + r);
  }
}

// NOLINTNEXTLINE(google-readability-namespace-comments)
}  // namespace HWY_NAMESPACE
}  // namespace chaff
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace chaff {
namespace internal {

HWY_EXPORT(PredictTrees);

void PredictTreesSimd(const TreeArrays& trees, const float* columns, size_t column_stride,
                      size_t num_rows, double* raw) {
  HWY_DYNAMIC_DISPATCH(PredictTrees)(trees, columns, column_stride, num_rows, raw);
}

void PredictTreesScalar(const TreeArrays& trees, const float* columns, size_t column_stride,
                        size_t num_rows, double* raw) {
  for (size_t r = 0; r < num_rows; ++r) {
    double sum = trees.baseline;
    size_t s = 0;
    for (size_t tree = 0; tree < trees.num_trees; ++tree) {
      uint32_t v = 0xFFFFFFFFu;
      for (; s < trees.split_end[tree]; ++s) {
        if (columns[static_cast<size_t>(trees.feature[s]) * column_stride + r] >
            trees.threshold[s]) {
          v &= trees.mask[s];
        }
      }
      sum += trees.leaves[trees.leaf_begin[tree] + hwy::Num0BitsBelowLS1Bit_Nonzero32(v)];
    }
    raw[r] = sum;
  }
}

}  // namespace internal
}  // namespace chaff
#endif  // HWY_ONCE
