// chaff: the command-line front end. A thin layer over the library: it
// parses flags (CLI11), prints messages and maps errors to exit codes
// (0 success, 2 error, 130 interrupted).
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "cli/cmd_clean.h"
#include "cli/cmd_count.h"
#include "cli/cmd_dedupe.h"
#include "cli/cmd_explain.h"
#include "cli/cmd_stages.h"
#include "chaff/text/tokenize.h"
#include "cli/common.h"
#include "cli/man_page.h"
#include "chaff/io/files.h"

namespace {

constexpr const char* kVersion = "0.1.0";

}  // namespace

int main(int argc, char** argv) {
  using namespace chaff::cli;  // NOLINT
  // glibc gives each worker thread its own heap and grows it a few pages at
  // a time with mprotect, which takes the address-space lock for writing and
  // makes the other cores flush their TLBs: early in a dedupe run one worker
  // sat 2-5 ms blocked behind the other's page faults, and every run made
  // ~80 such calls. Heaps that start with 16 MiB of room (address space,
  // not memory: pages are only backed when touched) need a few.
  mallopt(M_TOP_PAD, 16 << 20);
  InstallSignalHandlers();
  CLI::App app{
      "chaff: separates the grain of a text corpus from its chaff. It removes "
      "site chrome, lines repeated across a site's pages, paragraphs repeated "
      "inside a document and near-duplicate documents, and says why."};
  app.set_version_flag("--version", [] {
    return std::string("chaff ") + kVersion + " (SIMD kernels: " + chaff::SimdTargetName() + ")";
  });
  app.require_subcommand(1);

  // Only the command that is run is defined (its options cost a few tenths
  // of a millisecond to build); all of them when the first argument names
  // none (help, version, a mistake).
  const std::string first = argc > 1 ? argv[1] : "";
  const bool all = first != "clean" && first != "dedupe" && first != "explain" &&
                   first != "sketch" && first != "cluster" && first != "apply" && first != "count";
  CleanFlags clean;
  DedupeFlags dedupe;
  ExplainFlags explain;
  SketchFlags sketch;
  ClusterFlags cluster;
  ApplyFlags apply;
  CountFlags count;
  CLI::App* clean_cmd = all || first == "clean" ? AddCleanCommand(&app, &clean) : nullptr;
  CLI::App* dedupe_cmd = all || first == "dedupe" ? AddDedupeCommand(&app, &dedupe) : nullptr;
  CLI::App* explain_cmd = all || first == "explain" ? AddExplainCommand(&app, &explain) : nullptr;
  // `chaff dedupe` in three stages with files between them (docs/cluster.md).
  CLI::App* sketch_cmd = all || first == "sketch" ? AddSketchCommand(&app, &sketch) : nullptr;
  CLI::App* cluster_cmd = all || first == "cluster" ? AddClusterCommand(&app, &cluster) : nullptr;
  CLI::App* apply_cmd = all || first == "apply" ? AddApplyCommand(&app, &apply) : nullptr;
  // `chaff clean`'s pass 1 alone, for cleaning shard by shard.
  CLI::App* count_cmd = all || first == "count" ? AddCountCommand(&app, &count) : nullptr;

  // `chaff --man [FILE]`: the manual page, made from the commands just
  // defined (the build writes chaff.1 so). Not listed by --help: it is for
  // the build, not for users, who read the page it writes.
  if (first == "--man" && argc <= 3) {
    const std::string page = ManPage(app, kVersion);
    if (argc == 2) return std::fwrite(page.data(), 1, page.size(), stdout) == page.size() ? 0 : 2;
    auto out = chaff::OutputFile::Create(argv[2]);
    chaff::Status s = out.ok() ? (*out)->Write(page) : out.status();
    if (s.ok()) s = (*out)->Commit();
    return ExitFor(s);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(e.what() + std::string(" (see chaff --help)"));
    return kExitError;
  }

  try {
    if (clean_cmd != nullptr && clean_cmd->parsed()) return RunClean(clean);
    if (dedupe_cmd != nullptr && dedupe_cmd->parsed()) return RunDedupe(dedupe);
    if (explain_cmd != nullptr && explain_cmd->parsed()) return RunExplain(explain);
    if (sketch_cmd != nullptr && sketch_cmd->parsed()) return RunSketch(sketch);
    if (cluster_cmd != nullptr && cluster_cmd->parsed()) return RunCluster(cluster);
    if (apply_cmd != nullptr && apply_cmd->parsed()) return RunApply(apply);
    if (count_cmd != nullptr && count_cmd->parsed()) return RunCount(count);
  } catch (const std::bad_alloc&) {
    PrintError("out of memory");
    return kExitError;
  } catch (const std::exception& e) {
    PrintError(std::string("internal error: ") + e.what());
    return kExitError;
  }
  return kExitError;
}
