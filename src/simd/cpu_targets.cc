#include "simd/cpu_targets.h"

#if CHAFF_HAVE_CPU_TARGETS
#include <cpuid.h>
#endif

namespace chaff {
namespace internal {
namespace {

// Where a feature flag lives: CPUID leaf (sub-leaf 0), register, bit.
enum Reg : uint8_t { kEbx, kEcx, kEdx };
struct Flag {
  uint32_t leaf;
  Reg reg;
  uint8_t bit;
};

// The flags libhwy 1.0.3 reads, in the order of its feature bits; a target is
// supported when every flag of its group (a prefix of this list) is set.
constexpr Flag kFlags[] = {
    // SSSE3 group: 4 flags.
    {1, kEdx, 25},  // SSE
    {1, kEdx, 26},  // SSE2
    {1, kEcx, 0},   // SSE3
    {1, kEcx, 9},   // SSSE3
    // SSE4 group: 8.
    {1, kEcx, 19},  // SSE4.1
    {1, kEcx, 20},  // SSE4.2
    {1, kEcx, 1},   // PCLMULQDQ
    {1, kEcx, 25},  // AES
    // AVX2 group: 15.
    {1, kEcx, 28},           // AVX
    {7, kEbx, 5},            // AVX2
    {1, kEcx, 29},           // F16C
    {1, kEcx, 12},           // FMA
    {0x80000001u, kEcx, 5},  // LZCNT
    {7, kEbx, 3},            // BMI1
    {7, kEbx, 8},            // BMI2
    // AVX3 group: 19.
    {7, kEbx, 16},  // AVX512F
    {7, kEbx, 31},  // AVX512VL
    {7, kEbx, 17},  // AVX512DQ
    {7, kEbx, 30},  // AVX512BW
    // AVX3_DL group: 26.
    {7, kEcx, 11},  // AVX512VNNI
    {7, kEcx, 10},  // VPCLMULQDQ
    {7, kEcx, 1},   // AVX512VBMI
    {7, kEcx, 6},   // AVX512VBMI2
    {7, kEcx, 9},   // VAES
    {7, kEcx, 14},  // AVX512VPOPCNTDQ
    {7, kEcx, 12},  // AVX512BITALG
};
constexpr int kNumFlags = static_cast<int>(sizeof(kFlags) / sizeof(kFlags[0]));

struct Group {
  int num_flags;  // the group is kFlags[0, num_flags)
  int64_t target;
};
constexpr Group kGroups[] = {{4, HWY_SSSE3},
                             {8, HWY_SSE4},
                             {15, HWY_AVX2},
                             {19, HWY_AVX3},
                             {26, HWY_AVX3_DL}};
static_assert(kGroups[4].num_flags == kNumFlags, "AVX3_DL needs every flag");

uint32_t Word(const CpuidWords& w, const Flag& f) {
  if (f.leaf == 1) return f.reg == kEcx ? w.leaf1_ecx : w.leaf1_edx;
  if (f.leaf == 7) return f.reg == kEbx ? w.leaf7_ebx : w.leaf7_ecx;
  return w.ext1_ecx;
}

#if CHAFF_HAVE_CPU_TARGETS
struct Regs {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs Cpuid(uint32_t leaf) {
  Regs r;
  __cpuid_count(leaf, 0, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

uint32_t ReadXcr0() {
  uint32_t lo, hi;
  // XGETBV with ECX = 0, spelled as bytes so that no -mxsave is needed.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
  return lo;
}
#endif

constexpr uint32_t kOsxsave = 1u << 27;  // leaf 1 ECX

}  // namespace

int64_t TargetsFromCpuid(const CpuidWords& words, uint32_t xcr0) {
  constexpr int64_t kAlways = HWY_SCALAR | HWY_EMU128;
  int have = 0;  // length of the prefix of kFlags that is all set
  while (have < kNumFlags && ((Word(words, kFlags[have]) >> kFlags[have].bit) & 1u) != 0) {
    ++have;
  }
  int64_t targets = kAlways;
  for (const Group& g : kGroups) {
    if (have >= g.num_flags) targets |= g.target;
  }
  // The OS must save the wider registers across context switches; libhwy
  // only checks when OSXSAVE is reported.
  if (words.leaf1_ecx & kOsxsave) {
    constexpr int64_t kAvx3 = HWY_AVX3 | HWY_AVX3_DL;
    if (!(xcr0 & (1u << 1))) targets = kAlways;               // XMM state
    if (!(xcr0 & (1u << 2))) targets &= ~(HWY_AVX2 | kAvx3);  // YMM
    if ((xcr0 & 0xE0u) != 0xE0u) targets &= ~kAvx3;           // opmask, ZMM
  }
  return targets;
}

#if CHAFF_HAVE_CPU_TARGETS
int64_t DetectCpuTargets() {
  CpuidWords words;
  const uint32_t max_leaf = Cpuid(0).eax;
  const Regs leaf1 = Cpuid(1);
  words.leaf1_ecx = leaf1.ecx;
  words.leaf1_edx = leaf1.edx;
  if (max_leaf >= 7) {  // as libhwy: leaf 7 only when the maximum reaches it
    const Regs leaf7 = Cpuid(7);
    words.leaf7_ebx = leaf7.ebx;
    words.leaf7_ecx = leaf7.ecx;
  }
  words.ext1_ecx = Cpuid(0x80000001u).ecx;
  return TargetsFromCpuid(words, (words.leaf1_ecx & kOsxsave) ? ReadXcr0() : 0);
}
#endif

}  // namespace internal
}  // namespace chaff
