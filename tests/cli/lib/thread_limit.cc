// Test shim (LD_PRELOAD) for tests/cli/thread_limit.sh: pthread_create
// succeeds CHAFF_SHIM_THREADS times (default 0) in the process's life, then
// fails with EAGAIN, as it does when a limit on threads or memory is
// reached. Lets the test reach the failure without starting thousands of
// threads on a shared machine.
#include <dlfcn.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>

namespace {

std::atomic<long> started{0};

long Allowed() {
  const char* s = std::getenv("CHAFF_SHIM_THREADS");
  return s != nullptr ? std::strtol(s, nullptr, 10) : 0;
}

}  // namespace

extern "C" int pthread_create(pthread_t* thread, const pthread_attr_t* attr,
                              void* (*start)(void*), void* arg) {
  using Real = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
  static const Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "pthread_create"));
  if (real == nullptr || started.fetch_add(1) >= Allowed()) return EAGAIN;
  return real(thread, attr, start, arg);
}
