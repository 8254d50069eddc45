// Internal, for tests, benchmarks and fuzzers: forces Highway's dynamic
// dispatch to one target for the object's lifetime.
#ifndef CHAFF_SIMD_SCOPED_TARGET_H_
#define CHAFF_SIMD_SCOPED_TARGET_H_

#include <cstdint>

#include "hwy/targets.h"

namespace chaff {
namespace internal {

// Restores normal dispatch (mask 0, the best supported target) when it goes
// out of scope, also when a check throws or returns early.
class ScopedTarget {
 public:
  explicit ScopedTarget(int64_t target) { hwy::SetSupportedTargetsForTest(target); }
  ~ScopedTarget() { hwy::SetSupportedTargetsForTest(0); }
  ScopedTarget(const ScopedTarget&) = delete;
  ScopedTarget& operator=(const ScopedTarget&) = delete;
};

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_SIMD_SCOPED_TARGET_H_
