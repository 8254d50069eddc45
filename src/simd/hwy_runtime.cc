// Highway's two run-time dispatch entry points, linked into the chaff
// executable in place of libhwy.so (see src/simd/cpu_targets.h for why).
// HWY_DYNAMIC_DISPATCH needs exactly these: the first call through any
// exported table asks SupportedTargets() once and records the choice in
// GetChosenTarget(); every later call indexes the table directly.
//
// Only the executable links this file. The tests, benchmarks and fuzzers
// link libhwy.so, whose SetSupportedTargetsForTest they use, and
// tests/dispatch_test.cc checks DetectCpuTargets() against libhwy's
// SupportedTargets() on the machine that runs it.
#include "simd/cpu_targets.h"

#if !CHAFF_HAVE_CPU_TARGETS
#error "hwy_runtime.cc is for x86-64 with GCC or Clang; elsewhere link hwy::hwy"
#endif

namespace hwy {
namespace {
// Constant-initialised (ChosenTarget's constructor is constexpr): usable from
// any static constructor, no initialisation-order question.
ChosenTarget chosen_target;
}  // namespace

HWY_DLLEXPORT ChosenTarget& GetChosenTarget() { return chosen_target; }

HWY_DLLEXPORT int64_t SupportedTargets() {
  static const int64_t targets = chaff::internal::DetectCpuTargets();
  return targets;
}

}  // namespace hwy
