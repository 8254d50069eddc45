#include "cli/cmd_count.h"

#include <cstdio>
#include <limits>

#include "chaff/corpus/clean_corpus.h"
#include "chaff/io/files.h"
#include "cli/cmd_clean.h"
#include "cli/common.h"
#include "cli/flag_checks.h"

namespace chaff {
namespace cli {
namespace {

void PrintCounts(uint64_t docs, uint64_t sites, uint64_t pairs, uint64_t written,
                 const std::string& output, uint64_t bytes) {
  const std::string kept = written == pairs ? "" : " (" + WithCommas(written) + " written)";
  std::fprintf(stderr,
               "chaff count: %s document(s) of %s site(s), %s distinct (site, line) pair(s)%s "
               "-> %s (%s, %.1f bytes per document)\n",
               WithCommas(docs).c_str(), WithCommas(sites).c_str(), WithCommas(pairs).c_str(),
               kept.c_str(), output.c_str(), HumanBytes(static_cast<double>(bytes)).c_str(),
               docs ? static_cast<double>(bytes) / static_cast<double>(docs) : 0.0);
}

Status RunMerge(const CountFlags& flags) {
  if (flags.inputs.empty()) return InvalidArgument("--merge needs counts files to add up");
  CHAFF_ASSIGN_OR_RETURN(const MergeCountsStats stats,
                         MergeTemplateCountsFiles(flags.inputs, flags.output,
                                                  static_cast<uint32_t>(flags.min_count)));
  if (!flags.quiet) {
    PrintCounts(stats.documents, stats.sites, stats.pairs, stats.pairs_written, flags.output,
                stats.bytes);
    if (flags.min_count > 1) {
      std::fprintf(stderr,
                   "chaff count: kept the pairs seen on at least %d pages (for chaff clean "
                   "--template-min-count %d or more); this file cannot be merged again\n",
                   flags.min_count, flags.min_count);
    }
  }
  return Status::Ok();
}

Status RunCountStage(const CountFlags& flags) {
  if (flags.inputs.empty()) return InvalidArgument("name the shards to count");
  if (flags.min_count > 0) {
    return InvalidArgument("--min-count prunes merged counts: use it with --merge");
  }
  for (const auto& p : flags.inputs) {
    if (p == kStdio) {
      return InvalidArgument("stdin (-) cannot be counted: chaff clean --counts reads the shard "
                             "again, so name its file");
    }
  }
  std::vector<std::string> warnings;
  auto shards = ListCorpusInputs(flags.inputs, &warnings);
  for (const auto& w : warnings) PrintWarning(w);
  if (!shards.ok()) return shards.status();
  {  // the files found by the walk, not only the paths given
    std::vector<std::string> paths;
    for (const auto& in : *shards) paths.push_back(in.path);
    CHAFF_RETURN_IF_ERROR(CheckCountsPaths(paths, flags.output, false));
  }
  CleanCorpusOptions options;
  options.fields.text_field = flags.text_field;
  options.fields.skip_bad_records = flags.skip_bad_records;
  options.site_field = flags.site_field;
  bool capped = false;
  options.threads = ResolveThreads(flags.threads, &capped);
  if (capped && !flags.quiet) {
    std::fprintf(stderr, "chaff count: --threads %d lowered to %d, the CPUs this process may use\n",
                 flags.threads, options.threads);
  }
  options.bad_record_hint = " (use --skip-bad-records to skip such records)";
  const uint64_t total = KnownInputBytes(*shards);
  StatusOr<CountCorpusResult> result = Status(StatusCode::kInternal, "not run");
  {
    Progress progress("chaff count", !flags.quiet);
    result = CountCorpusTemplates(*shards, options, [&](const CleanProgress& p) {
      if (Interrupted().load()) return false;
      progress.Update(p.documents, p.bytes, total);
      return true;
    });
    progress.Finish();
  }
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kCancelled) {
      return Cancelled("interrupted; nothing was written");
    }
    return result.status();
  }
  for (const CleanFileReport& f : result->files) WarnIfSkipped(f);
  if (result->bad_records > 0) {
    PrintWarning(WithCommas(result->bad_records) + " bad record(s) skipped (--skip-bad-records)");
  }
  CHAFF_ASSIGN_OR_RETURN(const uint64_t bytes, WriteTemplateCounts(result->counts, flags.output));
  if (!flags.quiet) {
    const TemplateCounter& c = result->counts;
    PrintCounts(c.documents(), c.sites(), c.pairs(), c.pairs(), flags.output, bytes);
  }
  if (result->unreadable > 0) {
    // The counts of the other shards were written; cleaning with them would
    // miss the lines of the unreadable ones, so the run still fails.
    return DataError(WithCommas(result->unreadable) +
                     " file(s) could not be read (see the warnings above); the counts of the "
                     "others were written to " + flags.output);
  }
  return Status::Ok();
}

}  // namespace

CLI::App* AddCountCommand(CLI::App* app, CountFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "count",
      "Count the template lines of shards (pass 1 of chaff clean) into a counts file; "
      "with --merge, add counts files up. Then chaff clean --counts FILE cleans each "
      "shard with the counts of the whole corpus, as one chaff clean over all of them "
      "would.");
  cmd->add_option("paths", flags->inputs,
                  "Shards (files or directories, as chaff clean reads them), or with "
                  "--merge the counts files to add up")
      ->required();
  cmd->add_option("-o,--output", flags->output,
                  "The counts file to write (docs/formats.md; never an input)")
      ->required();
  cmd->add_flag("--merge", flags->merge, "The paths are counts files: write their sum");
  cmd->add_option("--min-count", flags->min_count,
                  "With --merge: write final counts for cleaning only, without the lines "
                  "seen on fewer pages of their site than this (they cannot be template "
                  "lines for chaff clean --template-min-count N >= this): a much smaller "
                  "file, which cannot be merged again. 0: the complete counts")
      ->capture_default_str()->check(IntegerIn(0, std::numeric_limits<int>::max()));
  cmd->add_option("--text-field", flags->text_field, "JSONL field holding the document text")
      ->capture_default_str();
  cmd->add_option("--site-field", flags->site_field,
                  "JSONL field holding the document's URL (or site): lines are counted "
                  "per host, as chaff clean counts them")
      ->capture_default_str();
  cmd->add_flag("--skip-bad-records", flags->skip_bad_records,
                "Skip malformed JSONL and WARC records instead of stopping with exit code 2");
  cmd->add_option("-j,--threads", flags->threads,
                  std::string(kThreadsHelp) + "; the counts are identical for any value")
      ->capture_default_str()->check(IntegerIn(0, std::numeric_limits<int>::max()));
  cmd->add_flag("-q,--quiet", flags->quiet, "No summary and no progress on stderr");
  return cmd;
}

int RunCount(const CountFlags& flags) {
  return ExitFor(flags.merge ? RunMerge(flags) : RunCountStage(flags));
}

}  // namespace cli
}  // namespace chaff
