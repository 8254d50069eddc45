// Internal: which Highway targets this CPU and OS can run, computed the way
// libhwy 1.0.3's hwy::SupportedTargets() does on x86-64 (same CPUID feature
// groups, same XCR0 checks), so that the chaff binary can provide Highway's
// two run-time dispatch entry points itself instead of loading libhwy.so.
//
// Why: libhwy.so calibrates a benchmark timer in a load-time constructor
// (hwy::platform::TimerResolution, about 5 ms here), which every process
// that links it pays before main, whether or not it ever times anything.
// For a command run once per shard in a pipeline that is most of a small
// run. tests/dispatch_test.cc checks the result against libhwy's own.
#ifndef CHAFF_SIMD_CPU_TARGETS_H_
#define CHAFF_SIMD_CPU_TARGETS_H_

#include <cstdint>

#include "hwy/targets.h"

// Defined where the detection below exists: x86-64 with GCC or Clang.
#if HWY_ARCH_X86_64 && (HWY_COMPILER_GCC || HWY_COMPILER_CLANG)
#define CHAFF_HAVE_CPU_TARGETS 1
#else
#define CHAFF_HAVE_CPU_TARGETS 0
#endif

namespace chaff {
namespace internal {

#if CHAFF_HAVE_CPU_TARGETS
// Bit set of HWY_* targets (HWY_SCALAR and HWY_EMU128 always included), as
// libhwy's SupportedTargets() returns it without DisableTargets or a test
// mock. Runs CPUID (a VM exit under a hypervisor): call once and keep it.
int64_t DetectCpuTargets();
#endif

// The CPUID words the detection reads (sub-leaf 0; leaf 7 all zero when the
// maximum basic leaf is below 7) and XCR0 (read only when leaf 1 reports
// OSXSAVE), and the targets they mean: DetectCpuTargets without the
// instructions, for tests of other CPUs than the one running them.
struct CpuidWords {
  uint32_t leaf1_ecx = 0, leaf1_edx = 0;
  uint32_t leaf7_ebx = 0, leaf7_ecx = 0;
  uint32_t ext1_ecx = 0;  // leaf 0x80000001
};
int64_t TargetsFromCpuid(const CpuidWords& words, uint32_t xcr0);

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_SIMD_CPU_TARGETS_H_
