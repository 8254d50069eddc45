// The build compiles several Highway targets and dispatch really switches.
#include <catch2/catch.hpp>

#include "hwy/highway.h"
#include "hwy_target_loop.h"
#include "minhash_internal.h"
#include "tokenize_internal.h"

TEST_CASE("dispatch: at least two targets are compiled on x86-64", "[dispatch]") {
#if HWY_ARCH_X86_64
  int compiled = 0;
  for (int64_t t = HWY_TARGETS; t != 0; t &= t - 1) ++compiled;
  INFO("HWY_TARGETS = " << HWY_TARGETS);
  CHECK(compiled >= 2);
  // The baseline (SSE2 only: nobody raised -march) must not be the best.
  CHECK((HWY_TARGETS & (HWY_AVX2 | HWY_AVX3)) != 0);
  CHECK(HWY_STATIC_TARGET != HWY_AVX2);
  CHECK(HWY_STATIC_TARGET != HWY_AVX3);
#else
  SUCCEED("not x86-64");
#endif
}

TEST_CASE("dispatch: SetSupportedTargetsForTest selects each kernel target", "[dispatch]") {
  CHAFF_FOR_EACH_TARGET(target);
  CHECK(chaff::internal::MinHashKernelTarget() == target);
  CHECK(chaff::internal::TokenizeKernelTarget() == target);
}
