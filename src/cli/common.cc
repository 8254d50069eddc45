#include "cli/common.h"

#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <system_error>
#include <thread>
#include <vector>

#include "chaff/io/files.h"

namespace chaff {
namespace cli {

std::atomic<bool>& Interrupted() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {

extern "C" void OnSigint(int) {
  if (Interrupted().exchange(true)) {
    // A second Ctrl-C: the user insists. Nothing is left behind: no
    // temporary file, never a half-written file under a final name.
    RemoveTemporaryFiles();
    ::_exit(kExitInterrupted);
  }
}

// Large plain inputs are memory-mapped; touching a page that a truncation
// by another process took away raises SIGBUS. The run cannot go on, but it
// can say why and leave no temporary file.
extern "C" void OnSigbus(int) {
  static const char kMessage[] =
      "chaff: error: bus error reading a memory-mapped input: was an input file truncated "
      "while chaff read it? Unfinished outputs were removed.\n";
  RemoveTemporaryFiles();
  const ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
  (void)ignored;
  ::_exit(kExitError);
}

}  // namespace

void InstallSignalHandlers() {
  // A closed pipe must surface as EPIPE from write(), not kill us silently
  // mid-file; the writer then stops quietly.
  ::signal(SIGPIPE, SIG_IGN);
  // Past a file size limit (ulimit -f), write() must fail with EFBIG and be
  // reported like a full disk, instead of SIGXFSZ killing us mid-file.
  ::signal(SIGXFSZ, SIG_IGN);
  // sa_flags has no SA_RESTART: a SIGINT interrupts a blocked read of stdin,
  // and the I/O layer then gives up instead of retrying.
  SetCancelFlag(&Interrupted());
  struct sigaction sa {};
  sa.sa_handler = OnSigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  struct sigaction bus {};
  bus.sa_handler = OnSigbus;
  sigemptyset(&bus.sa_mask);
  bus.sa_flags = 0;
  ::sigaction(SIGBUS, &bus, nullptr);
}

void PrintError(const std::string& message) {
  std::fprintf(stderr, "chaff: %s\n", message.c_str());
}

void PrintWarning(const std::string& message) {
  std::fprintf(stderr, "chaff: warning: %s\n", message.c_str());
}

int ExitFor(const Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == StatusCode::kBrokenPipe) return kExitOk;
  if (status.code() == StatusCode::kCancelled) {
    PrintError(status.message());
    return kExitInterrupted;
  }
  PrintError(status.message());
  return kExitError;
}

std::string WithCommas(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) {
    s.insert(static_cast<size_t>(i), ",");
  }
  return s;
}

std::string HumanBytes(double bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024.0 && u < 4) {
    bytes /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[u]);
  return buf;
}

Progress::Progress(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled && ::isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::~Progress() { Finish(); }

void Progress::Update(uint64_t docs, uint64_t bytes, uint64_t total_bytes) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200) ||
      now - start_ < std::chrono::milliseconds(500)) {
    return;
  }
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(bytes) / secs : 0.0;
  char pct[16] = "";
  if (total_bytes > 0) {
    std::snprintf(pct, sizeof(pct), " %3.0f%%",
                  100.0 * static_cast<double>(bytes) / static_cast<double>(total_bytes));
  }
  std::fprintf(stderr, "\r\033[K%s%s %s docs, %s, %s/s", label_.c_str(), pct,
               WithCommas(docs).c_str(), HumanBytes(static_cast<double>(bytes)).c_str(),
               HumanBytes(rate).c_str());
  std::fflush(stderr);
  shown_ = true;
}

void Progress::Finish() {
  if (shown_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }
}

void ParallelFor(size_t n, int threads,
                 const std::function<void(size_t index, int worker)>& fn) {
  if (threads <= 1 || n <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&](int worker) {
    for (size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) fn(i, worker);
  };
  const size_t extra = std::min<size_t>(static_cast<size_t>(threads) - 1, n - 1);
  std::vector<std::thread> pool;
  pool.reserve(extra);
  try {
    for (size_t t = 0; t < extra; ++t) pool.emplace_back(work, static_cast<int>(t + 1));
  } catch (const std::system_error&) {
    // No more threads to be had: those running (and this one) share the work.
  }
  work(0);
  for (auto& t : pool) t.join();
}

int DefaultThreads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) {
    return CPU_COUNT(&set);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

int ResolveThreads(int requested, bool* capped) {
  const int cpus = DefaultThreads();
  const bool lowered = requested > cpus;
  if (capped != nullptr) *capped = lowered;
  return requested <= 0 || lowered ? cpus : requested;
}

}  // namespace cli
}  // namespace chaff
