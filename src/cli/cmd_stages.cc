#include "cli/cmd_stages.h"

#include <chrono>
#include <cstdio>
#include <limits>

#include "chaff/corpus/sharded_dedupe.h"
#include "chaff/io/files.h"
#include "cli/common.h"
#include "cli/flag_checks.h"

namespace chaff {
namespace cli {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Status RunSketchStage(const SketchFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  const DedupeFlags& d = flags.dedupe;
  CHAFF_ASSIGN_OR_RETURN(DedupeOptions options, DedupeOptionsFromFlags(d));
  std::vector<std::string> warnings;
  for (const auto& p : d.inputs) {
    if (p == kStdio) {
      return InvalidArgument("stdin (-) cannot be a shard: chaff apply reads every shard again");
    }
  }
  CHAFF_ASSIGN_OR_RETURN(std::vector<CorpusInput> shards, ListCorpusInputs(d.inputs, &warnings));
  for (const auto& w : warnings) PrintWarning(w);
  warnings.clear();
  SketchShardsOptions o;
  o.dedupe = options;
  o.fields.text_field = d.text_field;
  o.fields.id_field = d.id_field;
  o.fields.skip_bad_records = d.skip_bad_records;
  o.output_dir = d.output;
  CHAFF_ASSIGN_OR_RETURN(o.only, TaskShards(flags, shards.size()));
  if (flags.tasks > 0 && o.only.empty()) {
    if (!d.quiet) {
      std::fprintf(stderr, "chaff sketch: task %d of %d has no shard of the %zu\n", flags.task,
                   flags.tasks, shards.size());
    }
    return Status::Ok();
  }
  auto bad = std::make_shared<std::atomic<uint64_t>>(0);
  StatusOr<SketchShardsStats> stats = Status(StatusCode::kInternal, "not run");
  {
    Progress progress("chaff sketch", !d.quiet);
    stats = SketchShards(
        shards, o,
        [&](const DedupeProgress& p) {
          progress.Update(p.documents, p.bytes);
          return !Interrupted().load();
        },
        bad, &warnings);
  }
  for (const auto& w : warnings) PrintWarning(w);
  if (!stats.ok()) return stats.status();
  if (!d.quiet) {
    const double secs = SecondsSince(start);
    const SketchShardsStats& s = *stats;
    std::fprintf(stderr,
                 "chaff sketch: %s of %s shard(s), %s documents, %.1f MB in %.2f s (%.1f MB/s) -> "
                 "%s of sketches in %s (%.0f bytes per document, %.1f%% of the input); %d bands "
                 "x %d rows of %d %s hashes, threshold %.2f\n",
                 WithCommas(s.shards).c_str(), WithCommas(shards.size()).c_str(),
                 WithCommas(s.documents).c_str(), static_cast<double>(s.input_bytes) / 1e6, secs,
                 secs > 0 ? static_cast<double>(s.input_bytes) / secs / 1e6 : 0.0,
                 HumanBytes(static_cast<double>(s.sketch_bytes)).c_str(), d.output.c_str(),
                 s.documents ? static_cast<double>(s.sketch_bytes) / static_cast<double>(s.documents)
                             : 0.0,
                 s.input_bytes ? 100.0 * static_cast<double>(s.sketch_bytes) /
                                     static_cast<double>(s.input_bytes)
                               : 0.0,
                 s.lsh.bands, s.lsh.rows, options.num_hashes,
                 options.sketch_mode == SketchMode::kClassic ? "classic" : "oph",
                 options.threshold);
    if (bad->load() > 0) {
      PrintWarning(WithCommas(bad->load()) +
                   " bad record(s) sketched as empty documents (--skip-bad-records)");
    }
  }
  return Status::Ok();
}

Status RunClusterStage(const ClusterFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  CHAFF_ASSIGN_OR_RETURN(std::vector<std::string> files, FindSketchFiles(flags.inputs));
  ClusterOptions o;
  o.split_chains = flags.split_chains;
  o.threads = ResolveThreads(flags.threads);
  o.decisions = flags.output;
  o.clusters = flags.clusters;
  StatusOr<ClusterStats> stats = Status(StatusCode::kInternal, "not run");
  {
    Progress progress("chaff cluster", !flags.quiet);
    stats = ClusterSketches(files, o, [&](const DedupeProgress& p) {
      progress.Update(p.documents, p.bytes);
      return !Interrupted().load();
    });
  }
  if (!stats.ok()) return stats.status();
  if (!flags.quiet) {
    const ClusterStats& s = *stats;
    const DedupeResult& r = s.result;
    std::fprintf(stderr,
                 "chaff cluster: %s shard(s), %s documents (%s of sketches) in %.2f s: %s "
                 "duplicate clusters, removed %s (%.1f%%), kept %s; %d bands x %d rows%s -> %s\n",
                 WithCommas(s.shards).c_str(), WithCommas(r.documents).c_str(),
                 HumanBytes(static_cast<double>(s.sketch_bytes)).c_str(), SecondsSince(start),
                 WithCommas(r.duplicate_clusters).c_str(), WithCommas(r.removed).c_str(),
                 r.documents ? 100.0 * static_cast<double>(r.removed) /
                                   static_cast<double>(r.documents)
                             : 0.0,
                 WithCommas(r.documents - r.removed).c_str(), r.lsh.bands, r.lsh.rows,
                 flags.split_chains ? "" : " (components)", flags.output.c_str());
  }
  return Status::Ok();
}

Status RunApplyStage(const ApplyFlags& flags) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> warnings;
  for (const auto& p : flags.inputs) {
    if (p == kStdio) return InvalidArgument("stdin (-) cannot be a shard");
  }
  CHAFF_ASSIGN_OR_RETURN(std::vector<CorpusInput> shards, ListCorpusInputs(flags.inputs, &warnings));
  for (const auto& w : warnings) PrintWarning(w);
  DedupeOutputOptions out;
  out.output = flags.output;
  StatusOr<DedupeWriteStats> stats = Status(StatusCode::kInternal, "not run");
  {
    Progress progress("chaff apply", !flags.quiet);
    stats = ApplyDecisions(flags.decisions, shards, out, [&](const DedupeProgress& p) {
      progress.Update(p.documents, p.bytes);
      return !Interrupted().load();
    });
  }
  if (!stats.ok()) return stats.status();
  if (!flags.quiet) {
    const DedupeWriteStats& s = *stats;
    std::fprintf(stderr,
                 "chaff apply: %s shard(s), %s documents in %.2f s: kept %s, removed %s; %s "
                 "written to %s\n",
                 WithCommas(shards.size()).c_str(), WithCommas(s.documents).c_str(),
                 SecondsSince(start), WithCommas(s.kept).c_str(),
                 WithCommas(s.documents - s.kept).c_str(),
                 HumanBytes(static_cast<double>(s.bytes_written)).c_str(), flags.output.c_str());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<std::vector<uint32_t>> TaskShards(const SketchFlags& flags, size_t count) {
  std::vector<uint32_t> only;
  if ((flags.task < 0) != (flags.tasks <= 0)) {
    return InvalidArgument("--task and --tasks go together");
  }
  if (flags.tasks <= 0) return only;  // all
  if (flags.task >= flags.tasks) {
    return InvalidArgument("--task must be below --tasks (" + std::to_string(flags.task) +
                           " >= " + std::to_string(flags.tasks) + ")");
  }
  for (size_t i = static_cast<size_t>(flags.task); i < count; i += static_cast<size_t>(flags.tasks)) {
    only.push_back(static_cast<uint32_t>(i));
  }
  return only;
}

CLI::App* AddSketchCommand(CLI::App* app, SketchFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "sketch",
      "Stage 1 of 3 of a sharded dedupe (sketch, cluster, apply; docs/cluster.md): writes "
      "each shard's sketches (document names and lines, MinHash low bytes, LSH band keys) "
      "to DIR/NNNNNN.sketch, NNNNNN being the shard's place in the list. Give every run the "
      "same list of shards, in the order chaff dedupe would get them; --task/--tasks "
      "share the list among runs.");
  cmd->add_option("shards", flags->dedupe.inputs,
                  "Shards: files or directories (walked recursively, sorted), as for chaff "
                  "dedupe; each file is one shard")
      ->required();
  cmd->add_option("-o,--output", flags->dedupe.output,
                  "Directory for the sketch files (created when missing)")
      ->required();
  cmd->add_option("--task", flags->task,
                  "With --tasks N: sketch only the shards whose place i in the list has i % N "
                  "== this (e.g. $SLURM_ARRAY_TASK_ID)")
      ->check(IntegerIn(0, std::numeric_limits<int>::max()));
  cmd->add_option("--tasks", flags->tasks, "The number of tasks sharing the list")
      ->check(IntegerIn(1, std::numeric_limits<int>::max()));
  AddSketchingOptions(cmd, &flags->dedupe);
  return cmd;
}

CLI::App* AddClusterCommand(CLI::App* app, ClusterFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "cluster",
      "Stage 2 of 3 of a sharded dedupe: reads every shard's sketches in the order of the "
      "list given to chaff sketch, makes chaff dedupe's decisions and writes them to a "
      "decisions file for chaff apply (and, with --clusters, the clusters file chaff dedupe "
      "--clusters writes).");
  cmd->add_option("sketches", flags->inputs,
                  "Directories holding the *.sketch files of every shard (or the files)")
      ->required();
  cmd->add_option("-o,--output", flags->output, "The decisions file to write")->required();
  cmd->add_option("--clusters", flags->clusters,
                  "Also write the clusters file: one JSONL line per document, as chaff dedupe "
                  "--clusters");
  cmd->add_flag("--split-chains,!--no-split-chains", flags->split_chains,
                "Stars decided in input order (default), or whole union-find components, as "
                "chaff dedupe");
  cmd->add_option("-j,--threads", flags->threads,
                  "Threads building the LSH bands with --no-split-chains (0: all cores)")
      ->check(IntegerIn(0, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar and no summary");
  return cmd;
}

CLI::App* AddApplyCommand(CLI::App* app, ApplyFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "apply",
      "Stage 3 of 3 of a sharded dedupe: writes the kept records of the shards given (all "
      "or some of those chaff cluster decided), in the order of the list, as chaff dedupe "
      "would.");
  cmd->add_option("decisions", flags->decisions, "The decisions file of chaff cluster")
      ->required();
  cmd->add_option("shards", flags->inputs,
                  "Shards to write, named as they were given to chaff sketch (or by the same "
                  "absolute path)")
      ->required();
  cmd->add_option("-o,--output", flags->output,
                  "Where the kept records go: a .jsonl file (.gz/.zst compress), - for "
                  "stdout, or a directory that mirrors the shards")
      ->required();
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar and no summary");
  return cmd;
}

int RunSketch(const SketchFlags& flags) { return ExitFor(RunSketchStage(flags)); }
int RunCluster(const ClusterFlags& flags) { return ExitFor(RunClusterStage(flags)); }
int RunApply(const ApplyFlags& flags) { return ExitFor(RunApplyStage(flags)); }

}  // namespace cli
}  // namespace chaff
