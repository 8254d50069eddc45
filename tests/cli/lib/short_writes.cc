// Test shim (LD_PRELOAD) for tests/cli/short_writes.sh: write(2) and
// writev(2) on any descriptor but stderr write at most CHAFF_SHIM_MAX bytes
// (default 777) per call, ending inside an iovec when it falls there, and
// every third call fails with EINTR before writing anything. A correct
// writer loops until everything is out; the test compares its output with
// an unshimmed run. When CHAFF_SHIM_COUNT names a file, the number of calls
// intercepted is appended to it at exit (so the test knows the shim ran).
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace {

std::atomic<unsigned long> calls{0};

size_t Limit() {
  const char* s = std::getenv("CHAFF_SHIM_MAX");
  const size_t max = s != nullptr ? std::strtoul(s, nullptr, 10) : 777;
  return max > 0 ? max : 1;
}

__attribute__((destructor)) void ReportCalls() {
  const char* path = std::getenv("CHAFF_SHIM_COUNT");
  if (path == nullptr) return;
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  char line[32];
  const int n = std::snprintf(line, sizeof(line), "%lu\n", calls.load());
  ssize_t (*real)(int, const void*, size_t) =
      reinterpret_cast<ssize_t (*)(int, const void*, size_t)>(dlsym(RTLD_NEXT, "write"));
  if (n > 0 && real != nullptr) real(fd, line, static_cast<size_t>(n));
  ::close(fd);
}

}  // namespace

extern "C" {

ssize_t write(int fd, const void* buf, size_t n) {
  static ssize_t (*real)(int, const void*, size_t);
  if (real == nullptr) {
    real = reinterpret_cast<ssize_t (*)(int, const void*, size_t)>(dlsym(RTLD_NEXT, "write"));
  }
  if (fd == 2) return real(fd, buf, n);
  if (++calls % 3 == 0) {
    errno = EINTR;
    return -1;
  }
  const size_t max = Limit();
  return real(fd, buf, n < max ? n : max);
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  static ssize_t (*real)(int, const struct iovec*, int);
  if (real == nullptr) {
    real = reinterpret_cast<ssize_t (*)(int, const struct iovec*, int)>(dlsym(RTLD_NEXT, "writev"));
  }
  if (fd == 2) return real(fd, iov, count);
  if (++calls % 3 == 0) {
    errno = EINTR;
    return -1;
  }
  const size_t max = Limit();
  struct iovec part[64];
  int k = 0;
  size_t total = 0;
  for (; k < count && k < 64 && total < max; ++k) {
    part[k] = iov[k];
    if (total + part[k].iov_len > max) part[k].iov_len = max - total;
    total += part[k].iov_len;
  }
  return real(fd, part, k);
}

}  // extern "C"
