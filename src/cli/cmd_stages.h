// `chaff sketch`, `chaff cluster`, `chaff apply`: `chaff dedupe` in three
// stages with files between them, for a scheduler to run shard by shard
// (corpus/sharded_dedupe.h; docs/cluster.md).
#ifndef CHAFF_CLI_CMD_STAGES_H_
#define CHAFF_CLI_CMD_STAGES_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/cmd_dedupe.h"

namespace chaff {
namespace cli {

struct SketchFlags {
  DedupeFlags dedupe;  // inputs, output (the directory) and the sketching options
  int task = -1;       // with tasks: sketch only shards i with i % tasks == task
  int tasks = 0;
};

struct ClusterFlags {
  std::vector<std::string> inputs;  // sketch directories or files
  std::string output;               // the decisions file
  std::string clusters;
  bool split_chains = true;
  int threads = 0;
  bool quiet = false;
};

struct ApplyFlags {
  std::string decisions;
  std::vector<std::string> inputs;  // shards
  std::string output;
  bool quiet = false;
};

CLI::App* AddSketchCommand(CLI::App* app, SketchFlags* flags);
CLI::App* AddClusterCommand(CLI::App* app, ClusterFlags* flags);
CLI::App* AddApplyCommand(CLI::App* app, ApplyFlags* flags);

// Which shards of `count` a task runs (for tests): empty means all without
// --tasks, and none with them.
StatusOr<std::vector<uint32_t>> TaskShards(const SketchFlags& flags, size_t count);

int RunSketch(const SketchFlags& flags);
int RunCluster(const ClusterFlags& flags);
int RunApply(const ApplyFlags& flags);

}  // namespace cli
}  // namespace chaff

#endif  // CHAFF_CLI_CMD_STAGES_H_
