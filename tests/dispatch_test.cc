// The build compiles several Highway targets and dispatch really switches.
#include <catch2/catch.hpp>

#include "hwy/highway.h"
#include "hwy_target_loop.h"
#include "sketch/minhash_internal.h"
#include "simd/cpu_targets.h"
#include "text/tokenize_internal.h"

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
  // instead (src/simd/hwy_runtime.cc). Same CPU, same answer, or the CLI would run
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

TEST_CASE("dispatch: targets from CPUID words follow libhwy 1.0.3's groups", "[dispatch]") {
  using chaff::internal::CpuidWords;
  using chaff::internal::TargetsFromCpuid;
  constexpr int64_t kAlways = HWY_SCALAR | HWY_EMU128;
  auto bits = [](std::initializer_list<int> list) {
    uint32_t w = 0;
    for (int b : list) w |= 1u << b;
    return w;
  };
  // A Haswell-class CPU: SSE..SSE4.2, PCLMUL, AES, AVX, F16C, FMA, OSXSAVE;
  // leaf 7: BMI1, AVX2, BMI2; LZCNT.
  CpuidWords avx2;
  avx2.leaf1_ecx = bits({0, 1, 9, 12, 19, 20, 25, 27, 28, 29});
  avx2.leaf1_edx = bits({25, 26});
  avx2.leaf7_ebx = bits({3, 5, 8});
  avx2.ext1_ecx = bits({5});
  constexpr int64_t kUpToAvx2 = kAlways | HWY_SSSE3 | HWY_SSE4 | HWY_AVX2;
  CHECK(TargetsFromCpuid(avx2, 0x7) == kUpToAvx2);
  // The OS does not save YMM: no AVX2. Not even XMM: nothing but the always-there.
  CHECK(TargetsFromCpuid(avx2, 0x3) == (kAlways | HWY_SSSE3 | HWY_SSE4));
  CHECK(TargetsFromCpuid(avx2, 0x1) == kAlways);
  // Without OSXSAVE libhwy 1.0.3 does not look at XCR0 at all.
  CpuidWords no_osxsave = avx2;
  no_osxsave.leaf1_ecx &= ~bits({27});
  CHECK(TargetsFromCpuid(no_osxsave, 0) == kUpToAvx2);
  // One flag missing drops its group and every group after it.
  CpuidWords no_aes = avx2;
  no_aes.leaf1_ecx &= ~bits({25});
  CHECK(TargetsFromCpuid(no_aes, 0x7) == (kAlways | HWY_SSSE3));
  CpuidWords no_lzcnt = avx2;
  no_lzcnt.ext1_ecx = 0;
  CHECK(TargetsFromCpuid(no_lzcnt, 0x7) == (kAlways | HWY_SSSE3 | HWY_SSE4));
  CpuidWords no_ssse3 = avx2;
  no_ssse3.leaf1_ecx &= ~bits({9});
  CHECK(TargetsFromCpuid(no_ssse3, 0x7) == kAlways);
  // AVX-512: F, DQ, BW, VL; then the Ice Lake extensions for AVX3_DL.
  CpuidWords avx3 = avx2;
  avx3.leaf7_ebx |= bits({16, 17, 30, 31});
  CHECK(TargetsFromCpuid(avx3, 0xE7) == (kUpToAvx2 | HWY_AVX3));
  CHECK(TargetsFromCpuid(avx3, 0x7) == kUpToAvx2);  // no opmask/ZMM state
  CpuidWords avx3_dl = avx3;
  avx3_dl.leaf7_ecx = bits({1, 6, 9, 10, 11, 12, 14});
  CHECK(TargetsFromCpuid(avx3_dl, 0xE7) == (kUpToAvx2 | HWY_AVX3 | HWY_AVX3_DL));
  CpuidWords no_bitalg = avx3_dl;
  no_bitalg.leaf7_ecx &= ~bits({12});
  CHECK(TargetsFromCpuid(no_bitalg, 0xE7) == (kUpToAvx2 | HWY_AVX3));
  // Nothing reported: the targets every x86-64 build can run anyway.
  CHECK(TargetsFromCpuid(CpuidWords{}, 0) == kAlways);
}
