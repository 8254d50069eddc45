// `chaff count`: pass 1 of `chaff clean` alone, for cleaning shard by shard.
// `chaff count SHARD... -o COUNTS` counts the template lines of the shards
// per site into a counts file; `chaff count --merge COUNTS... -o ALL` adds
// counts files up; `chaff clean --counts ALL SHARD -o OUT` then cleans one
// shard with the counts of the whole corpus (corpus/clean_corpus.h,
// docs/cluster.md).
#ifndef CHAFF_CLI_CMD_COUNT_H_
#define CHAFF_CLI_CMD_COUNT_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace chaff {
namespace cli {

struct CountFlags {
  std::vector<std::string> inputs;  // shards, or counts files with --merge
  std::string output;               // the counts file
  bool merge = false;
  int min_count = 0;  // --merge --min-count: pruned, final counts
  std::string text_field = "text";
  std::string site_field = "url";
  bool skip_bad_records = false;
  int threads = 0;
  bool quiet = false;
};

CLI::App* AddCountCommand(CLI::App* app, CountFlags* flags);
int RunCount(const CountFlags& flags);

}  // namespace cli
}  // namespace chaff

#endif  // CHAFF_CLI_CMD_COUNT_H_
