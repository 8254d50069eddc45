// The build compiles several Highway targets and dispatch really switches.
#include <catch2/catch.hpp>

#include "hwy/highway.h"
#include "hwy_target_loop.h"
#include "minhash_internal.h"
#include "simd/cpu_targets.h"
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

TEST_CASE("dispatch: the executable's target detection agrees with libhwy's", "[dispatch]") {
#if CHAFF_HAVE_CPU_TARGETS
  // This binary links libhwy.so; the chaff executable uses DetectCpuTargets
  // instead (src/hwy_runtime). Same CPU, same answer, or the CLI would run
  // different kernels than the tests check.
  const chaff::internal::ScopedTarget no_mock(0);
  const int64_t ours = chaff::internal::DetectCpuTargets();
  const int64_t libhwy = hwy::SupportedTargets();
  INFO("ours 0x" << std::hex << ours << ", libhwy 0x" << libhwy);
  CHECK(ours == libhwy);
  CHECK((ours & HWY_SCALAR) != 0);
  // And the target dispatch picks from it: the best compiled one.
  CHECK(chaff::internal::TokenizeKernelTarget() ==
        static_cast<int64_t>(1) << hwy::Num0BitsBelowLS1Bit_Nonzero64(
            static_cast<uint64_t>(ours & HWY_TARGETS)));
#else
  SUCCEED("no own detection on this platform: the executable links libhwy.so");
#endif
}
