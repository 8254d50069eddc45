// Test helper: run a check once per Highway target compiled into the library
// and supported by this CPU, with dispatch forced to that target.
#ifndef CHAFF_TESTS_HWY_TARGET_LOOP_H_
#define CHAFF_TESTS_HWY_TARGET_LOOP_H_

#include <catch2/catch.hpp>
#include <cstdint>

#include "hwy/targets.h"
#include "simd/scoped_target.h"


// Use inside a TEST_CASE: the rest of the test body runs once per target,
// with `target` naming it.
#define CHAFF_FOR_EACH_TARGET(target)                                     \
  const int64_t target = GENERATE(from_range(hwy::SupportedAndGeneratedTargets())); \
  INFO("target " << hwy::TargetName(target));                             \
  chaff::internal::ScopedTarget scoped_target_##target(target)

#endif  // CHAFF_TESTS_HWY_TARGET_LOOP_H_
