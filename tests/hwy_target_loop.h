// Test helper: run a check once per Highway target compiled into the library
// and supported by this CPU, with dispatch forced to that target.
#ifndef CHAFF_TESTS_HWY_TARGET_LOOP_H_
#define CHAFF_TESTS_HWY_TARGET_LOOP_H_

#include <catch2/catch.hpp>
#include <cstdint>

#include "hwy/targets.h"

namespace chaff_test {

// Forces HWY_DYNAMIC_DISPATCH to `target` for its lifetime and restores
// normal dispatch (mask 0) afterwards, also when a REQUIRE throws.
class ScopedTarget {
 public:
  explicit ScopedTarget(int64_t target) { hwy::SetSupportedTargetsForTest(target); }
  ~ScopedTarget() { hwy::SetSupportedTargetsForTest(0); }
  ScopedTarget(const ScopedTarget&) = delete;
  ScopedTarget& operator=(const ScopedTarget&) = delete;
};

}  // namespace chaff_test

// Use inside a TEST_CASE: the rest of the test body runs once per target,
// with `target` naming it.
#define CHAFF_FOR_EACH_TARGET(target)                                     \
  const int64_t target = GENERATE(from_range(hwy::SupportedAndGeneratedTargets())); \
  INFO("target " << hwy::TargetName(target));                             \
  chaff_test::ScopedTarget scoped_target_##target(target)

#endif  // CHAFF_TESTS_HWY_TARGET_LOOP_H_
