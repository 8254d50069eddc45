// Helpers shared by the fuzz targets: a failed invariant prints what broke
// and aborts, which libFuzzer reports as a crash with the input saved.
#ifndef CHAFF_TESTS_FUZZ_FUZZ_COMMON_H_
#define CHAFF_TESTS_FUZZ_FUZZ_COMMON_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, ...)                                              \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__,      \
                   __LINE__, #cond);                                       \
      std::fprintf(stderr, __VA_ARGS__);                                   \
      std::fprintf(stderr, "\n");                                          \
      std::abort();                                                        \
    }                                                                      \
  } while (0)

#endif  // CHAFF_TESTS_FUZZ_FUZZ_COMMON_H_
