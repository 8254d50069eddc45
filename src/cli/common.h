// Shared pieces of the command-line front end: messages, progress, exit
// codes, parallel batches. Only the CLI talks to the user.
#ifndef CHAFF_CLI_COMMON_H_
#define CHAFF_CLI_COMMON_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "chaff/status.h"

namespace chaff {
namespace cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 2;
inline constexpr int kExitInterrupted = 130;

// Set by the SIGINT handler; long loops poll it and stop cleanly (outputs
// not committed are removed by their destructors).
std::atomic<bool>& Interrupted();
void InstallSignalHandlers();

// "chaff: <message>" on stderr.
void PrintError(const std::string& message);
void PrintWarning(const std::string& message);

// Maps a failed status to the exit code and prints it (a broken pipe is
// quiet and exits 0, as `chaff ... | head` should).
int ExitFor(const Status& status);

// 12345678 -> "12,345,678".
std::string WithCommas(uint64_t n);
// 5242880 -> "5.0 MiB".
std::string HumanBytes(double bytes);

// A one-line progress display on stderr, shown only when stderr is a
// terminal and the run lasts more than half a second.
class Progress {
 public:
  explicit Progress(std::string label, bool enabled = true);
  ~Progress();
  void Update(uint64_t docs, uint64_t bytes, uint64_t total_bytes = 0);
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

// Runs fn(i, worker) for i in [0, n) on up to `threads` threads (the calling
// thread included); worker in [0, threads) identifies the thread, for
// per-thread scratch state. Work is split dynamically; callers write results
// by index, so the output order never depends on the thread count. When the
// system refuses to start a thread, the threads already running (at least
// the calling one) do all the work.
void ParallelFor(size_t n, int threads,
                 const std::function<void(size_t index, int worker)>& fn);

// The CPUs this process may run on (its affinity mask: taskset, cpusets),
// at least 1: the number of threads for --threads 0.
int DefaultThreads();

// The worker threads for --threads `requested`, for every command: 0 means
// DefaultThreads(), and more than that is capped to it. The work is
// CPU-bound, so threads beyond the CPUs only cost memory (`chaff dedupe` on
// 2 CPUs: -j 4 and -j 8 no faster than -j 2, +14 and +50 MB), and
// --threads 100000 used to abort the run when thread creation failed. Sets
// *capped (when given) to whether the request was lowered.
int ResolveThreads(int requested, bool* capped = nullptr);
inline constexpr const char* kThreadsHelp =
    "Worker threads (0: one per CPU this process may use; more than that is lowered to it)";

}  // namespace cli
}  // namespace chaff

#endif  // CHAFF_CLI_COMMON_H_
