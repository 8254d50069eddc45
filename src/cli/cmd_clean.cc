#include "cli/cmd_clean.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <set>
#include <utility>

#include "chaff/corpus/clean_corpus.h"
#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/report/html_report.h"
#include "cli/detector_flags.h"
#include "cli/common.h"
#include "cli/flag_checks.h"

namespace chaff {
namespace cli {
namespace {

namespace fs = std::filesystem;

// The first bytes of a file (fewer when it is shorter).
std::string FilePrefix(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string head(n, '\0');
  in.read(head.data(), static_cast<std::streamsize>(n));
  head.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return head;
}

// The inputs as the engine reads them. Stdin is copied (decompressed) to a
// temporary file first (pass 1 and pass 2 both read it); it is WARC when it
// starts with a WARC version line, JSONL when its first byte (after white
// space) opens a JSON object, else one text document.
struct Inputs {
  std::vector<CorpusInput> files;
  std::unique_ptr<TempFile> stdin_copy;
};

StatusOr<Inputs> ListCleanInputs(const CleanFlags& flags, std::vector<std::string>* warnings) {
  Inputs in;
  std::vector<std::string> paths = flags.inputs;
  if (paths.empty()) paths.push_back(std::string(kStdio));
  for (const auto& p : paths) {
    if (p != kStdio) {
      CHAFF_ASSIGN_OR_RETURN(auto listed, ListCorpusInputs({p}, warnings));
      for (auto& f : listed) in.files.push_back(std::move(f));
      continue;
    }
    if (!in.stdin_copy) {
      CHAFF_ASSIGN_OR_RETURN(in.stdin_copy, TempFile::FromStdin(".stdin"));
    }
    CorpusInput f;
    f.path = in.stdin_copy->path();
    f.name = "<stdin>";
    f.relative = "stdin";
    const std::string head = FilePrefix(f.path, 4096);
    const size_t first = head.find_first_not_of(" \t\r\n");
    f.kind = LooksLikeWarc(head) ? InputKind::kWarc
             : first != std::string::npos && head[first] == '{' ? InputKind::kJsonl
                                                                 : InputKind::kText;
    in.files.push_back(std::move(f));
  }
  return in;
}

// The report files are outputs too: never an input, the output (or one of a
// tree's outputs) or each other. "-" (stdout) is fine for one of them when
// the cleaned text does not go to stdout.
Status CheckReportPaths(const CleanFlags& flags, const std::vector<CorpusInput>& inputs,
                        const CleanOutputPlan& plan) {
  const std::pair<const char*, const std::string*> reports[] = {
      {"--report", &flags.report_path}, {"--html-report", &flags.html_report_path}};
  auto normal = [](const std::string& p) {
    std::error_code ec;
    const fs::path abs = fs::absolute(p, ec);
    return (ec ? fs::path(p) : abs).lexically_normal().string();
  };
  std::set<std::string> tree_outputs;  // normalized, tree mode only
  for (const auto& o : plan.outputs) tree_outputs.insert(normal(o));
  std::set<std::string> attributes;  // normalized
  for (const auto& o : plan.attributes) attributes.insert(normal(o));
  FileIndex input_files;  // filled when a report path exists
  bool inputs_known = false;
  for (const auto& [option, path] : reports) {
    if (path->empty()) continue;
    if (*path == kStdio) {
      if (plan.mode == CleanOutputPlan::Mode::kStream && plan.path == kStdio) {
        return InvalidArgument(std::string(option) +
                               " -: stdout already receives the cleaned text");
      }
      continue;
    }
    const std::string where = normal(*path);
    FileId id;
    const bool exists = GetFileId(*path, &id);
    if (exists) {
      if (!inputs_known) {
        for (size_t i = 0; i < inputs.size(); ++i) input_files.Add(inputs[i].path, i);
        inputs_known = true;
      }
      if (input_files.Find(id) != nullptr) {
        return InvalidArgument("refusing to overwrite input " + *path + " with " + option);
      }
    }
    bool is_output = tree_outputs.count(where) != 0;
    if (plan.mode == CleanOutputPlan::Mode::kJsonl) {
      FileId out;
      is_output |= normal(plan.path) == where ||
                   (exists && GetFileId(plan.path, &out) && out == id);
    }
    if (is_output) {
      return InvalidArgument(std::string(option) + " " + *path + " is also an output of -o");
    }
    if (attributes.count(where) != 0) {
      return InvalidArgument(std::string(option) + " " + *path +
                             " is also an attributes file of --attributes");
    }
  }
  if (!flags.report_path.empty() && !flags.html_report_path.empty()) {
    FileId a, b;
    const bool same =
        flags.report_path == kStdio || flags.html_report_path == kStdio
            ? flags.report_path == flags.html_report_path
            : normal(flags.report_path) == normal(flags.html_report_path) ||
                  (GetFileId(flags.report_path, &a) &&
                   GetFileId(flags.html_report_path, &b) && a == b);
    if (same) {
      return InvalidArgument("--report and --html-report name the same file " +
                             flags.report_path);
    }
  }
  return Status::Ok();
}

std::string ReasonList(const Accounting& a) {
  std::string s;
  for (int r = 1; r < kNumReasons; ++r) {
    const auto i = static_cast<size_t>(r);
    if (a.lines[i] == 0) continue;
    if (!s.empty()) s += ", ";
    s += std::string(ReasonName(static_cast<Reason>(r))) + " " + WithCommas(a.lines[i]) +
         (a.lines[i] == 1 ? " line/" : " lines/") + WithCommas(a.bytes[i]) + " B";
  }
  return s.empty() ? "nothing removed" : s;
}

void PrintSummary(const std::vector<CleanFileReport>& reports) {
  constexpr size_t kMaxListed = 20;
  Accounting total;
  uint64_t docs = 0, bad = 0, skipped = 0, files = 0, unreadable = 0, duplicates = 0;
  size_t listed = 0;
  for (const auto& r : reports) {
    total += r.accounting;
    docs += r.documents;
    duplicates += r.duplicates;
    bad += r.bad_records;
    skipped += r.skipped ? 1 : 0;
    unreadable += r.unreadable ? 1 : 0;
    files += (r.skipped || r.unreadable) ? 0 : 1;
    if (r.skipped || r.unreadable || listed >= kMaxListed) continue;
    ++listed;
    uint64_t lines = 0;
    for (auto n : r.accounting.lines) lines += n;
    std::fprintf(stderr, "  %s: removed %s of %s lines, %s of %s bytes (%s)\n",
                 r.name.c_str(), WithCommas(lines - r.accounting.lines[0]).c_str(),
                 WithCommas(lines).c_str(), WithCommas(r.accounting.removed_bytes()).c_str(),
                 WithCommas(r.accounting.total_bytes()).c_str(),
                 ReasonList(r.accounting).c_str());
  }
  if (listed < files) {
    std::fprintf(stderr, "  ... and %s more files (see --report)\n",
                 WithCommas(files - listed).c_str());
  }
  const double pct = total.total_bytes()
                         ? 100.0 * static_cast<double>(total.removed_bytes()) /
                               static_cast<double>(total.total_bytes())
                         : 0.0;
  std::fprintf(stderr,
               "chaff: %s file(s), %s document(s), %s bytes in: kept %s, removed %s "
               "(%.1f%%: %s)",
               WithCommas(files).c_str(), WithCommas(docs).c_str(),
               WithCommas(total.total_bytes()).c_str(), WithCommas(total.kept_bytes()).c_str(),
               WithCommas(total.removed_bytes()).c_str(), pct, ReasonList(total).c_str());
  if (duplicates) {
    std::fprintf(stderr, "; %s near-duplicate document(s) dropped",
                 WithCommas(duplicates).c_str());
  }
  if (bad) std::fprintf(stderr, "; %s bad record(s) passed through", WithCommas(bad).c_str());
  if (skipped) std::fprintf(stderr, "; %s binary file(s) skipped", WithCommas(skipped).c_str());
  if (unreadable) {
    std::fprintf(stderr, "; %s unreadable file(s) skipped", WithCommas(unreadable).c_str());
  }
  std::fprintf(stderr, "\n");
}

void AppendAccountingJson(const Accounting& a, std::string* out) {
  *out += "{\"bytes\":" + std::to_string(a.total_bytes()) +
          ",\"kept_bytes\":" + std::to_string(a.kept_bytes()) +
          ",\"removed_bytes\":" + std::to_string(a.removed_bytes()) + ",\"removed\":{";
  for (int r = 1; r < kNumReasons; ++r) {
    const auto i = static_cast<size_t>(r);
    if (r > 1) out->push_back(',');
    *out += "\"" + std::string(ReasonName(static_cast<Reason>(r))) + "\":{\"bytes\":" +
            std::to_string(a.bytes[i]) + ",\"lines\":" + std::to_string(a.lines[i]) + "}";
  }
  out->append("}}");
}

// Writes `data` to `path` under a temporary name, held in `group`.
Status WriteOutput(const std::string& path, std::string_view data, OutputGroup* group) {
  CHAFF_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path));
  CHAFF_RETURN_IF_ERROR(out->Write(data));
  return group->Add(std::move(out));
}

Status WriteReport(const std::string& path, const std::vector<CleanFileReport>& reports,
                   OutputGroup* group) {
  std::string json = "{\"files\":[";
  Accounting total;
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    if (i) json.push_back(',');
    json += "{\"path\":";
    AppendJsonString(r.name, &json);
    json += ",\"documents\":" + std::to_string(r.documents) +
            ",\"near_duplicates\":" + std::to_string(r.duplicates) +
            ",\"bad_records\":" + std::to_string(r.bad_records) +
            ",\"skipped\":" + (r.skipped ? "true" : "false") +
            ",\"unreadable\":" + (r.unreadable ? "true" : "false") + ",\"accounting\":";
    AppendAccountingJson(r.accounting, &json);
    json.push_back('}');
    total += r.accounting;
  }
  json += "],\"total\":";
  AppendAccountingJson(total, &json);
  json += "}\n";
  return WriteOutput(path, json, group);
}



}  // namespace

void WarnIfSkipped(const CleanFileReport& f) {
  if (f.skipped) PrintWarning(f.name + ": skipped: looks binary (NUL bytes)");
  if (f.unreadable) {
    std::string reason = f.error.message();
    const std::string prefix = f.name + ": ";
    if (reason.compare(0, prefix.size(), prefix) == 0) reason.erase(0, prefix.size());
    PrintWarning(f.name + ": skipped: " + reason);
  }
}

CLI::App* AddCleanCommand(CLI::App* app, CleanFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "clean",
      "Remove site chrome, template lines and repeated paragraphs; write cleaned "
      "text (or --annotate: what would be removed and why).");
  cmd->add_option("paths", flags->inputs,
                  "Files, directories (walked recursively) or - for stdin. JSONL "
                  "files (.jsonl, .ndjson, optionally .gz/.zst) are cleaned record "
                  "by record; WARC/WET files (.warc, .warc.wet, .warc.gz, "
                  ".warc.wet.gz, or any file starting with WARC/1.) document by "
                  "document (conversion records and text/plain responses; the "
                  "site is the host of WARC-Target-URI), written as JSONL "
                  "{id,url,date,text}; other files as one document each. Default: -. In a "
                  "walk, binary files (NUL bytes), special files and links to "
                  "directories are skipped with a warning. A file that cannot be "
                  "read is skipped with a warning, the others are written, and the "
                  "exit code is 2.");
  cmd->add_option("-o,--output", flags->output,
                  "Where to write: a directory (the input tree is mirrored under "
                  "it; a WARC input a.warc.wet.gz as a.warc.wet.jsonl), a .jsonl "
                  "file (all JSONL and WARC inputs concatenated), or - for "
                  "stdout. Required unless reading stdin. Never an input file.");
  cmd->add_flag("--annotate", flags->annotate,
                "Write annotations instead of cleaned text: for text files a JSON "
                "object (FILE.json) listing removed byte spans [start, end) with "
                "their reason; for JSONL the record unchanged plus a \"chaff\" field "
                "(for WARC, its {id,url,date,text} record with the text as it is).");
  cmd->add_option("--text-field", flags->text_field,
                  "JSONL field holding the document text")->capture_default_str();
  cmd->add_option("--id-field", flags->id_field,
                  "JSONL field holding the document id (duplicate ids are an error)")
      ->capture_default_str();
  cmd->add_option("-j,--threads", flags->threads,
                  std::string(kThreadsHelp) + "; output is identical for any value")
      ->capture_default_str()->check(IntegerIn(0, std::numeric_limits<int>::max()));
  cmd->add_flag("-q,--quiet", flags->quiet, "No summary and no progress on stderr");
  cmd->add_option("--report", flags->report_path,
                  "Write a JSON run report (per file and total: bytes and lines "
                  "kept and removed per reason) to this file");
  cmd->add_option("--html-report", flags->html_report_path,
                  "Write a visual report to this HTML file: the totals per reason, "
                  "then the first documents with every line marked by its decision "
                  "(hover a removed line for the evidence)");
  cmd->add_option("--html-report-docs", flags->html_report_documents,
                  "Documents shown in the HTML report (the others count in its totals)")
      ->capture_default_str()->check(IntegerIn(0));
  cmd->add_option("--attributes", flags->attributes_dir,
                  "Also write dolma attributes to this directory: per input a JSONL "
                  "file (the input's name; a.warc.wet.gz: a.warc.wet.jsonl; a text "
                  "file: its name plus .jsonl) with one line per document in input "
                  "order: {\"id\", \"attributes\": {\"chaff__chrome\", "
                  "\"chaff__template\", \"chaff__repeat\", \"chaff__near_duplicate\"}}, "
                  "each a list of [start, end, score] spans in characters (Python "
                  "string indexes of the text) that chaff removes. Written with the "
                  "other outputs, all or none");
  cmd->add_flag("--skip-bad-records", flags->skip_bad_records,
                "Pass malformed JSONL records (and duplicate ids) through unchanged "
                "and count them, and skip malformed WARC records (a truncated gzip "
                "member: the rest of that file), instead of stopping with exit code 2");
  cmd->add_flag("--no-chrome", flags->no_chrome,
                "Do not remove site chrome (the lines the line model judges not to be content)");
  cmd->add_flag("--no-repeats", flags->no_repeats,
                "Do not remove paragraphs repeated inside a document");
  cmd->add_flag("--no-templates", flags->no_templates,
                "Do not remove template lines (lines recurring across many "
                "documents of a site); saves the first pass over the input");
  cmd->add_flag("--dedupe", flags->dedupe,
                "Also drop near-duplicate documents (keeping the first of each "
                "cluster, as chaff dedupe does), judged on their cleaned text, in "
                "the same pass");
  cmd->add_option("--dedupe-threshold", flags->dedupe_threshold,
                  "With --dedupe: word-shingle Jaccard similarity at or above "
                  "which two documents are near-duplicates")
      ->capture_default_str()->check(NumberIn(0.01, 0.99));
  cmd->add_option("--counts", flags->counts_paths,
                  "Template line counts made by chaff count (given more than once: "
                  "added up): no first pass over the input, these counts decide the "
                  "template lines. To clean a corpus shard by shard: count every "
                  "shard, merge, then clean each shard with --counts")
      ->allow_extra_args(false);
  cmd->add_option("--site-field", flags->site_field,
                  "JSONL field holding the document's URL (or site); template "
                  "lines are counted per host. Without it, across the input")
      ->capture_default_str();
  cmd->add_option("--min-repeat-tokens", flags->clean.repeats.min_tokens,
                  "Lines with at least this many tokens are judged as repeats on "
                  "their own; shorter lines only inside a repeated block (next to "
                  "a repeat), else they are left to the line model")
      ->capture_default_str()->check(IntegerIn(1, std::numeric_limits<int>::max()));
  cmd->add_option("--repeat-containment", flags->clean.repeats.containment,
                  "A line whose word 5-gram shingles are at least this much "
                  "contained in one earlier line is a near repeat")
      ->capture_default_str()->check(NumberIn(0.0, 1.0));
  AddDetectorFlags(cmd, &flags->templates, &flags->line_model_path);
  return cmd;
}

Status ApplyDetectorFlags(bool no_chrome, bool no_repeats, const std::string& line_model_path,
                          CleanOptions* clean) {
  clean->remove_chrome = !no_chrome;
  clean->remove_repeats = !no_repeats;
  if (line_model_path.empty()) return Status::Ok();
  return LoadLineModelFile(line_model_path, &clean->lines);
}

int RunClean(const CleanFlags& given) {
  CleanFlags flags = given;
  {
    Status s = ApplyDetectorFlags(flags.no_chrome, flags.no_repeats, flags.line_model_path,
                                  &flags.clean);
    if (!s.ok()) return ExitFor(s);
  }
  std::vector<std::string> warnings;
  auto inputs = ListCleanInputs(flags, &warnings);
  for (const auto& w : warnings) PrintWarning(w);
  if (!inputs.ok()) return ExitFor(inputs.status());
  const std::vector<CorpusInput>& files = inputs->files;
  std::string output = flags.output;
  if (output.empty()) {
    for (const auto& f : files) {
      if (f.name != "<stdin>") {
        return ExitFor(InvalidArgument(
            "-o OUT is required when cleaning files: a directory to mirror the "
            "inputs under, a .jsonl file, or - for stdout"));
      }
    }
    output = std::string(kStdio);
  }
  auto plan = PlanCleanOutputs(files, output, flags.annotate);
  if (!plan.ok()) return ExitFor(plan.status());
  if (!flags.attributes_dir.empty()) {
    if (Status s = PlanAttributeOutputs(files, flags.attributes_dir, &*plan); !s.ok()) {
      return ExitFor(s);
    }
  }
  if (Status s = CheckReportPaths(flags, files, *plan); !s.ok()) return ExitFor(s);

  CleanCorpusOptions options;
  options.clean = flags.clean;
  options.templates = flags.templates;
  options.templates.enabled = !flags.no_templates && flags.templates.enabled;
  options.fields.text_field = flags.text_field;
  options.fields.id_field = flags.id_field;
  options.fields.skip_bad_records = flags.skip_bad_records;
  options.site_field = flags.site_field;
  options.annotate = flags.annotate;
  options.dedupe = flags.dedupe;
  options.dedupe_options.threshold = flags.dedupe_threshold;
  bool capped = false;
  options.threads = ResolveThreads(flags.threads, &capped);
  if (capped && !flags.quiet) {
    std::fprintf(stderr, "chaff clean: --threads %d lowered to %d, the CPUs this process may use\n",
                 flags.threads, options.threads);
  }
  options.bad_record_hint = " (use --skip-bad-records to pass such records through unchanged)";
  // --counts: the corpus-wide counts, read before any output is opened.
  TemplateIndex counts;
  if (!flags.counts_paths.empty()) {
    if (!options.templates.enabled) {
      return ExitFor(InvalidArgument("--counts with --no-templates: the counts would not be used"));
    }
    if (Status s = CheckCountsNotOverwritten(*plan, flags.counts_paths); !s.ok()) {
      return ExitFor(s);
    }
    auto loaded = LoadTemplateCounts(flags.counts_paths, options.templates);
    if (!loaded.ok()) return ExitFor(loaded.status());
    counts = std::move(*loaded);
    options.counts = &counts;
  }

  std::unique_ptr<HtmlReport> html;
  CleanObserver observer;
  if (!flags.html_report_path.empty()) {
    html = std::make_unique<HtmlReport>(flags.html_report_documents);
    observer = [&html](const CleanedDocument& d) {
      std::string name(d.name);
      if (!d.id.empty()) name += " (id " + std::string(d.id) + ")";
      html->AddDocument(d.index, name, d.text, *d.result, d.duplicate_of, d.similarity);
    };
  }
  Progress progress("chaff clean", !flags.quiet);
  const uint64_t total = KnownInputBytes(files);
  // The cleaned outputs and the reports appear together, or none of them.
  OutputGroup outputs;
  auto result = CleanCorpus(
      files, *plan, options,
      [&](const CleanProgress& p) {
        if (Interrupted().load()) return false;
        progress.Update(p.documents, p.bytes, total);
        return true;
      },
      observer, &outputs);
  progress.Finish();
  if (!result.ok()) {
    const Status& s = result.status();
    if (IsBrokenPipe(s)) return kExitOk;
    if (s.code() == StatusCode::kCancelled) {
      return ExitFor(Cancelled("interrupted; no partial output was kept"));
    }
    if (s.code() == StatusCode::kDataError &&
        s.message().find(": WARC record at offset ") != std::string::npos) {
      return ExitFor(Status(s.code(), s.message() + " (use --skip-bad-records to skip such "
                                                    "records)"));
    }
    return ExitFor(s);
  }
  for (const auto& w : result->warc_warnings) PrintWarning(w);
  for (const CleanFileReport& f : result->files) {
    WarnIfSkipped(f);
    if (f.bad_records > 0) {
      PrintWarning(f.name + ": passed " + WithCommas(f.bad_records) +
                   " bad record(s) through unchanged");
    }
  }
  Status status;
  if (!flags.report_path.empty()) {
    status = WriteReport(flags.report_path, result->files, &outputs);
  }
  if (status.ok() && html) {
    std::string title = "chaff clean";
    for (const auto& in : flags.inputs) title += " " + in;
    if (!flags.output.empty()) title += " -o " + flags.output;
    status = WriteOutput(flags.html_report_path, html->Render(title), &outputs);
  }
  if (status.ok() && Interrupted().load()) {
    status = Cancelled("interrupted; no partial output was kept");
  }
  if (status.ok()) status = outputs.CommitAll();
  if (!status.ok()) return ExitFor(status);
  if (!flags.quiet) {
    PrintSummary(result->files);
    if (result->read_warc) {
      std::fprintf(stderr, "chaff: WARC: %s\n", result->warc.Summary().c_str());
    }
    if (result->warc.bad > 0) {
      PrintWarning(WithCommas(result->warc.bad) +
                   " malformed WARC record(s) skipped (--skip-bad-records)");
    }
    if (!plan->attributes.empty()) {
      // One per input read (binary files skipped and unreadable ones have none).
      uint64_t written = 0;
      for (const auto& f : result->files) written += (f.skipped || f.unreadable) ? 0 : 1;
      std::fprintf(stderr, "chaff: attributes: %s file(s) under %s\n",
                   WithCommas(written).c_str(), flags.attributes_dir.c_str());
    }
  }
  if (result->unreadable > 0) {
    PrintError(WithCommas(result->unreadable) +
               " file(s) could not be read (see the warnings above); every other "
               "output was written completely");
    return kExitError;
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace chaff
