#include "cli/cmd_dedupe.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <vector>

#include "chaff/corpus/dedupe_output.h"
#include "chaff/io/files.h"
#include "cli/common.h"
#include "cli/flag_checks.h"

namespace chaff {
namespace cli {
namespace {

// True when `message` is about one record ("file:line: ...", or "file: WARC
// record at offset N: ..."), which --skip-bad-records can pass, rather than
// about a whole stream.
bool IsRecordError(const std::string& message, const std::vector<CorpusInput>& inputs) {
  for (const auto& in : inputs) {
    const std::string prefix = in.name + ":";
    if (message.rfind(prefix, 0) == 0 && message.size() > prefix.size() &&
        message[prefix.size()] >= '0' && message[prefix.size()] <= '9') {
      return true;
    }
    if (in.kind == InputKind::kWarc && message.rfind(prefix + " WARC record at offset ", 0) == 0) {
      return true;
    }
  }
  return false;
}

Status Run(const DedupeFlags& flags, DedupeOptions options) {
  const auto start = std::chrono::steady_clock::now();
  // Stars (the default) are decided as the documents are read, so the
  // output is written in the same pass; components need a second pass.
  const bool one_pass = options.split_chains;
  // Inputs. Stdin (named "-" or no input at all) is read as it comes in one
  // pass; it is spooled to a file when it must be read twice (components,
  // or "-" named twice).
  std::vector<std::string> paths = flags.inputs;
  if (paths.empty()) paths.push_back(std::string(kStdio));
  const bool spool_stdin =
      !one_pass || std::count(paths.begin(), paths.end(), std::string(kStdio)) > 1;
  // Read twice: copied (decompressed) to a temporary file, removed at the end.
  std::unique_ptr<TempFile> spooled;
  std::vector<CorpusInput> inputs;
  std::vector<std::string> warnings;
  InputKind stdin_kind = InputKind::kJsonl;
  bool stdin_looked_at = false;
  for (const auto& p : paths) {
    if (p == kStdio) {
      // JSONL, unless its first bytes (decompressed) are a WARC version line.
      if (!stdin_looked_at) {
        CHAFF_ASSIGN_OR_RETURN(const std::string head, PeekInput(std::string(kStdio), 8));
        if (LooksLikeWarc(head)) stdin_kind = InputKind::kWarc;
        stdin_looked_at = true;
      }
      if (spool_stdin && !spooled) {
        CHAFF_ASSIGN_OR_RETURN(spooled, TempFile::FromStdin(".jsonl"));
      }
      CorpusInput in;
      in.path = spool_stdin ? spooled->path() : std::string(kStdio);
      in.name = "<stdin>";
      in.relative = "stdin.jsonl";
      in.kind = stdin_kind;
      inputs.push_back(std::move(in));
      continue;
    }
    CHAFF_ASSIGN_OR_RETURN(auto listed, ListCorpusInputs({p}, &warnings));
    for (auto& in : listed) inputs.push_back(std::move(in));
  }
  for (const auto& w : warnings) PrintWarning(w);

  DedupeOutputOptions out;
  out.output = flags.output;
  out.clusters = flags.clusters;
  out.fields.text_field = flags.text_field;
  out.fields.id_field = flags.id_field;
  out.fields.skip_bad_records = flags.skip_bad_records;
  CHAFF_RETURN_IF_ERROR(CheckDedupeOutputs(inputs, out));

  const uint64_t total = KnownInputBytes(inputs);
  options.input_bytes_hint = total;
  std::unique_ptr<DedupeStreamWriter> writer;
  if (one_pass) {
    CHAFF_ASSIGN_OR_RETURN(writer, DedupeStreamWriter::Create(&inputs, out));
  }
  CorpusReader reader(&inputs);
  reader.set_skip_bad_records(flags.skip_bad_records);
  auto bad = std::make_shared<std::atomic<uint64_t>>(0);
  StatusOr<DedupeResult> result = Status(StatusCode::kInternal, "not run");
  auto cluster_start = start;
  {
    Progress progress(one_pass ? "chaff dedupe" : "chaff dedupe: pass 1/2 (sketch)",
                      !flags.quiet);
    DedupeSink sink;
    if (writer) sink = [&](const DecidedDocument& d) { return writer->Add(d); };
    result = DedupeCorpus(
        &reader, CorpusDecoders(&inputs, out.fields, bad), options,
        [&](const DedupeProgress& p) {
          if (p.clustering) cluster_start = std::chrono::steady_clock::now();
          progress.Update(p.documents, reader.bytes_read(), total);
          return !Interrupted().load();
        },
        sink);
  }
  if (!result.ok()) {
    const Status& s = result.status();
    if (s.code() == StatusCode::kDataError && !flags.skip_bad_records &&
        IsRecordError(s.message(), inputs)) {
      const bool warc = s.message().find(": WARC record at offset ") != std::string::npos;
      return Status(s.code(), s.message() + (warc ? " (use --skip-bad-records to skip such records)"
                                                  : " (use --skip-bad-records to keep such "
                                                    "records as they are)"));
    }
    return s;
  }
  for (const auto& w : reader.warnings()) PrintWarning(w);
  const uint64_t input_bytes = reader.bytes_read();

  // Pass 2 (components): write what is kept. One pass: commit the outputs.
  const auto write_start = std::chrono::steady_clock::now();
  DedupeWriteStats written;
  if (writer) {
    CHAFF_RETURN_IF_ERROR(writer->Finish());
    written = writer->stats();
  } else {
    Progress progress("chaff dedupe: pass 2/2 (write)", !flags.quiet);
    CHAFF_RETURN_IF_ERROR(WriteDedupeOutputs(
        inputs, *result, out,
        [&](const DedupeProgress& p) {
          progress.Update(p.documents, p.bytes, total);
          return !Interrupted().load();
        },
        &written));
  }

  if (!flags.quiet) {
    const auto end = std::chrono::steady_clock::now();
    auto seconds = [](auto from, auto to) {
      return std::chrono::duration<double>(to - from).count();
    };
    const double secs = seconds(start, end);
    const DedupeResult& r = *result;
    std::fprintf(
        stderr,
        "chaff dedupe: %s documents, %.1f MB in %.2f s (%.1f MB/s): %s duplicate clusters, "
        "removed %s (%.1f%%), kept %s; %d bands x %d rows of %d %s hashes, threshold %.2f%s\n",
        WithCommas(r.documents).c_str(), static_cast<double>(input_bytes) / 1e6,
        secs, secs > 0 ? static_cast<double>(input_bytes) / secs / 1e6 : 0.0,
        WithCommas(r.duplicate_clusters).c_str(), WithCommas(r.removed).c_str(),
        r.documents ? 100.0 * static_cast<double>(r.removed) / static_cast<double>(r.documents)
                    : 0.0,
        WithCommas(written.kept).c_str(), r.lsh.bands, r.lsh.rows, options.num_hashes,
        options.sketch_mode == SketchMode::kClassic ? "classic" : "oph", options.threshold,
        options.exact ? " (exact verification)" : "");
    if (one_pass) {
      std::fprintf(stderr,
                   "chaff dedupe: time: read, sketch, decide and write %.3f s, commit %.3f s\n",
                   seconds(start, write_start), seconds(write_start, end));
    } else {
      std::fprintf(stderr,
                   "chaff dedupe: time: read and sketch %.3f s, cluster %.3f s, write %.3f s\n",
                   seconds(start, cluster_start), seconds(cluster_start, write_start),
                   seconds(write_start, end));
    }
    if (r.empty_documents > 0) {
      std::fprintf(stderr, "chaff dedupe: %s empty documents kept as they are\n",
                   WithCommas(r.empty_documents).c_str());
    }
    if (reader.read_warc()) {
      std::fprintf(stderr, "chaff dedupe: WARC: %s\n", reader.warc_counts().Summary().c_str());
    }
    if (bad->load() > 0) {
      PrintWarning(WithCommas(bad->load()) + " bad record(s) kept unchanged (--skip-bad-records)");
    }
    if (reader.warc_counts().bad > 0) {
      PrintWarning(WithCommas(reader.warc_counts().bad) +
                   " malformed WARC record(s) skipped (--skip-bad-records)");
    }
  }
  return Status::Ok();
}

}  // namespace

void AddSketchingOptions(CLI::App* cmd, DedupeFlags* flags) {
  cmd->add_option("--text-field", flags->text_field, "JSONL field holding the text")
      ->capture_default_str();
  cmd->add_option("--id-field", flags->id_field,
                  "JSONL field holding the document id (used in --clusters; absent: file:line)")
      ->capture_default_str();
  cmd->add_option("--threshold", flags->threshold,
                  "Jaccard similarity at or above which two documents are duplicates")
      ->check(NumberIn(0.01, 0.99))
      ->capture_default_str();
  cmd->add_option("--bands", flags->bands,
                  "LSH bands (with --rows; default: chosen from --threshold)")
      ->check(IntegerIn(1, 4096));
  cmd->add_option("--rows", flags->rows, "LSH rows per band (with --bands)")
      ->check(IntegerIn(1, 4096));
  cmd->add_option("--num-hashes", flags->num_hashes, "MinHash signature length K")
      ->check(IntegerIn(8, 4096))
      ->capture_default_str();
  cmd->add_option("--sketch", flags->sketch,
                  "oph: one permutation hashing with optimal densification (fast); "
                  "classic: K independent hash functions")
      ->check(CLI::IsMember({"oph", "classic"}))
      ->capture_default_str();
  cmd->add_option("--shingle-width", flags->shingle_width, "Words per shingle")
      ->check(IntegerIn(1, 64))
      ->capture_default_str();
  cmd->add_option("--fn-weight", flags->fn_weight,
                  "Weight of the false-negative area when choosing bands (false positives "
                  "get 1 - this; datasketch: 0.5)")
      ->check(NumberIn(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("-j,--threads", flags->threads, kThreadsHelp)
      ->check(IntegerIn(0, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", flags->quiet, "No progress bar and no summary");
  cmd->add_flag("--skip-bad-records", flags->skip_bad_records,
                "Keep malformed JSONL records unchanged (never duplicates) and skip malformed "
                "WARC records, counted, instead of stopping");
}

CLI::App* AddDedupeCommand(CLI::App* app, DedupeFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "dedupe",
      "Remove near-duplicate documents: keeps the first document of every cluster of "
      "documents whose word-shingle Jaccard similarity is >= --threshold (MinHash + LSH, "
      "verified on the full signature). Writes the kept documents as it reads (with "
      "--no-split-chains it reads the input twice).");
  cmd->add_option("inputs", flags->inputs,
                  "Files or directories (walked recursively, sorted); JSONL (.jsonl/.ndjson, "
                  "also .gz/.zst) holds one document per line; WARC (.warc, .warc.wet, also "
                  ".gz/.zst, or any file that starts with WARC/1.) one per conversion record "
                  "and text/plain response, written as {\"id\",\"url\",\"date\",\"text\"} "
                  "records; any other file is one document; - or nothing: JSONL or WARC on "
                  "stdin");
  cmd->add_option("-o,--output", flags->output,
                  "Where the kept documents go: a .jsonl file (.gz/.zst compress), - for "
                  "stdout, or a directory that mirrors the inputs")
      ->required();
  cmd->add_option("--clusters", flags->clusters,
                  "Also write a JSONL file with every document's id, cluster (input index of "
                  "its representative), representative id, similarity to it, and kept flag");
  AddSketchingOptions(cmd, flags);
  cmd->add_flag("--exact", flags->exact,
                "Verify candidates by exact shingle-set Jaccard (keeps every document's "
                "shingles in memory: 8 bytes per word)");
  cmd->add_flag("--split-chains,!--no-split-chains", flags->split_chains,
                "Clusters are stars decided in input order while reading: a document is a "
                "duplicate of the first earlier kept document it is similar to, so every "
                "removed document is similar to the one kept in its place (default; one "
                "pass). --no-split-chains: whole union-find components, which can chain "
                "(A~B, B~C, A!~C); needs a second pass");
  return cmd;
}

StatusOr<DedupeOptions> DedupeOptionsFromFlags(const DedupeFlags& flags) {
  if ((flags.bands == 0) != (flags.rows == 0)) {
    return InvalidArgument("--bands and --rows go together");
  }
  DedupeOptions o;
  o.threshold = flags.threshold;
  o.lsh = LshParams{flags.bands, flags.rows};
  o.num_hashes = flags.num_hashes;
  o.sketch_mode = flags.sketch == "classic" ? SketchMode::kClassic : SketchMode::kOnePermutation;
  o.shingle_width = flags.shingle_width;
  o.lsh_weights = LshWeights{1.0 - flags.fn_weight, flags.fn_weight};
  o.exact = flags.exact;
  o.split_chains = flags.split_chains;
  o.threads = ResolveThreads(flags.threads);
  return ResolveDedupeOptions(o);
}

int RunDedupe(const DedupeFlags& flags) {
  auto options = DedupeOptionsFromFlags(flags);
  if (!options.ok()) return ExitFor(options.status());
  bool capped = false;
  ResolveThreads(flags.threads, &capped);
  if (capped && !flags.quiet) {
    std::fprintf(stderr, "chaff dedupe: --threads %d lowered to %d, the CPUs this process may use\n",
                 flags.threads, options->threads);
  }
  return ExitFor(Run(flags, *options));
}

}  // namespace cli
}  // namespace chaff
