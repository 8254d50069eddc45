#include "cli/cmd_clean.h"

#include <xxhash.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <unordered_map>

#include "chaff/annotate.h"
#include "chaff/io.h"
#include "chaff/jsonl.h"
#include "cli/common.h"

namespace chaff {
namespace cli {
namespace {

namespace fs = std::filesystem;

// Records (or files) handled per parallel batch: enough to keep every core
// busy, small enough that memory does not grow with the input.
constexpr size_t kBatchRecords = 2048;
constexpr size_t kBatchBytes = 32u << 20;
constexpr size_t kBatchFiles = 64;

enum class OutputMode { kStdout, kSingleJsonl, kTree };

struct Plan {
  OutputMode mode = OutputMode::kStdout;
  std::vector<InputFile> inputs;
  std::vector<std::string> outputs;  // per input (kTree only)
};

// What happened to one input file, for the summary and the report.
struct FileReport {
  std::string path;
  uint64_t documents = 0;
  uint64_t bad_records = 0;
  bool skipped = false;  // binary file in a directory walk
  Accounting accounting;
};

bool IsStdin(const InputFile& f) { return f.path == kStdio; }

StatusOr<Plan> MakePlan(const CleanFlags& flags, std::vector<std::string>* warnings) {
  Plan plan;
  std::vector<std::string> paths = flags.inputs;
  if (paths.empty()) paths.push_back(std::string(kStdio));
  auto listed = ListInputs(paths, warnings);
  if (!listed.ok()) return listed.status();
  plan.inputs = std::move(*listed);

  std::string out = flags.output;
  if (out.empty()) {
    bool all_stdin = true;
    for (const auto& f : plan.inputs) all_stdin &= IsStdin(f);
    if (!all_stdin) {
      return InvalidArgument(
          "-o OUT is required when cleaning files: a directory to mirror the "
          "inputs under, a .jsonl file, or - for stdout");
    }
    out = std::string(kStdio);
  }
  if (out == kStdio) {
    plan.mode = OutputMode::kStdout;
    return plan;
  }
  if (KindOfPath(out) == InputKind::kJsonl) {
    for (const auto& f : plan.inputs) {
      if (!IsStdin(f) && KindOfPath(f.path) != InputKind::kJsonl) {
        return InvalidArgument("-o " + out + " is a JSONL file, but input " + f.path +
                               " is not JSONL; give a directory instead");
      }
      if (SameFile(f.path, out)) {
        return InvalidArgument("refusing to overwrite input " + f.path + " with output " + out);
      }
    }
    plan.mode = OutputMode::kSingleJsonl;
    return plan;
  }
  plan.mode = OutputMode::kTree;
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    return InvalidArgument("-o " + out + " exists and is not a directory");
  }
  std::unordered_map<std::string, std::string> seen;  // output -> input
  for (const auto& f : plan.inputs) {
    if (IsStdin(f)) {
      return InvalidArgument("stdin (-) can only be cleaned to -o - or -o FILE.jsonl");
    }
    std::string target = (fs::path(out) / f.relative).string();
    if (flags.annotate && KindOfPath(f.path) == InputKind::kText) target += ".json";
    for (const auto& g : plan.inputs) {
      if (!IsStdin(g) && SameFile(g.path, target)) {
        return InvalidArgument("refusing to overwrite input " + g.path + " (output " +
                               target + " is the same file)");
      }
    }
    auto [it, fresh] = seen.emplace(target, f.path);
    if (!fresh) {
      return InvalidArgument("inputs " + it->second + " and " + f.path +
                             " would both be written to " + target);
    }
    plan.outputs.push_back(std::move(target));
  }
  return plan;
}

// One document's work, filled by a worker thread.
struct Job {
  // Input.
  std::string line;  // the JSONL record (empty for text files)
  uint64_t line_number = 0;
  std::string text;  // the document (text files: the file's bytes)
  bool binary = false;  // a binary file met in a directory walk: skipped
  // Output.
  Status status;
  JsonlRecord record;
  CleanResult result;
  std::string out;  // bytes to write for this document
};

void RenderText(const CleanFlags& flags, Job* job) {
  if (flags.annotate) {
    AppendAnnotationJson(job->result, &job->out);
    job->out.push_back('\n');
  } else {
    job->out.append(job->result.cleaned);
  }
}

void RenderRecord(const CleanFlags& flags, Job* job) {
  if (!flags.annotate) {
    AppendRecordWithText(job->line, job->record, job->result.cleaned, &job->out);
  } else {
    // Keep the record as it is and add a "chaff" member before its final '}'.
    std::string_view line = job->line;
    size_t close = line.find_last_of('}');
    job->out.append(line.substr(0, close));
    job->out.append(",\"chaff\":");
    AppendAnnotationJson(job->result, &job->out);
    job->out.append(line.substr(close));
  }
  job->out.push_back('\n');
}

class CleanRun {
 public:
  explicit CleanRun(const CleanFlags& flags)
      : flags_(flags),
        cleaner_(flags.clean),
        threads_(flags.threads > 0 ? flags.threads : DefaultThreads()),
        progress_("chaff clean", !flags.quiet) {}

  Status Run(const Plan& plan) {
    std::unique_ptr<OutputFile> shared;
    if (plan.mode != OutputMode::kTree) {
      auto created = OutputFile::Create(plan.mode == OutputMode::kStdout
                                            ? std::string(kStdio) : flags_.output);
      if (!created.ok()) return created.status();
      shared = std::move(*created);
    }
    for (size_t i = 0; i < plan.inputs.size();) {
      const InputFile& f = plan.inputs[i];
      if (!IsStdin(f) && KindOfPath(f.path) == InputKind::kText) {
        // A run of text files: cleaned in parallel, written in order.
        size_t j = i;
        while (j < plan.inputs.size() && j - i < kBatchFiles &&
               !IsStdin(plan.inputs[j]) &&
               KindOfPath(plan.inputs[j].path) == InputKind::kText) {
          ++j;
        }
        CHAFF_RETURN_IF_ERROR(CleanTextFiles(plan, i, j, shared.get()));
        i = j;
        continue;
      }
      std::unique_ptr<OutputFile> own;
      OutputFile* out = shared.get();
      if (plan.mode == OutputMode::kTree) {
        auto created = OutputFile::Create(plan.outputs[i]);
        if (!created.ok()) return created.status();
        own = std::move(*created);
        out = own.get();
      }
      CHAFF_RETURN_IF_ERROR(CleanStream(f, out));
      if (own) CHAFF_RETURN_IF_ERROR(own->Commit());
      ++i;
    }
    if (shared) CHAFF_RETURN_IF_ERROR(shared->Commit());
    progress_.Finish();
    return Status::Ok();
  }

  const std::vector<FileReport>& reports() const { return reports_; }

 private:
  Status CheckInterrupted() const {
    if (Interrupted().load()) return Cancelled("interrupted; no partial output was kept");
    return Status::Ok();
  }

  Status CleanTextFiles(const Plan& plan, size_t begin, size_t end, OutputFile* shared) {
    CHAFF_RETURN_IF_ERROR(CheckInterrupted());
    std::vector<Job> jobs(end - begin);
    ParallelFor(jobs.size(), threads_, [&](size_t k, int) {
      Job& job = jobs[k];
      auto text = ReadWholeFile(plan.inputs[begin + k].path);
      if (!text.ok()) {
        job.status = text.status();
        return;
      }
      job.text = std::move(*text);
      if (plan.inputs[begin + k].from_walk && LooksBinary(job.text)) {
        job.binary = true;
        return;
      }
      cleaner_.Clean(job.text, &job.result);
      RenderText(flags_, &job);
    });
    for (size_t k = 0; k < jobs.size(); ++k) {
      const InputFile& f = plan.inputs[begin + k];
      Job& job = jobs[k];
      FileReport report;
      report.path = f.path;
      if (!job.status.ok()) return job.status;
      if (job.binary) {
        PrintWarning(f.path + ": skipped: looks binary (NUL bytes)");
        report.skipped = true;
        reports_.push_back(std::move(report));
        continue;
      }
      report.documents = 1;
      report.accounting = job.result.accounting;
      bytes_done_ += job.text.size();
      ++docs_done_;
      if (plan.mode == OutputMode::kTree) {
        auto out = OutputFile::Create(plan.outputs[begin + k]);
        if (!out.ok()) return out.status();
        CHAFF_RETURN_IF_ERROR((*out)->Write(job.out));
        CHAFF_RETURN_IF_ERROR((*out)->Commit());
      } else {
        CHAFF_RETURN_IF_ERROR(shared->Write(job.out));
      }
      reports_.push_back(std::move(report));
      progress_.Update(docs_done_, bytes_done_);
    }
    return Status::Ok();
  }

  // A JSONL file (or stdin, which may hold one text document or JSONL).
  Status CleanStream(const InputFile& f, OutputFile* out) {
    const std::string name = IsStdin(f) ? "<stdin>" : f.path;
    bool jsonl = KindOfPath(f.path) == InputKind::kJsonl;
    FileReport report;
    report.path = name;
    if (IsStdin(f) && !jsonl) {
      // Stdin is one text document unless it looks like JSONL.
      auto text = ReadWholeFile(f.path);
      if (!text.ok()) return text.status();
      const size_t first = text->find_first_not_of(" \t\r\n");
      if (first == std::string::npos || (*text)[first] != '{') {
        Job job;
        job.text = std::move(*text);
        cleaner_.Clean(job.text, &job.result);
        RenderText(flags_, &job);
        CHAFF_RETURN_IF_ERROR(out->Write(job.out));
        report.documents = 1;
        report.accounting = job.result.accounting;
        reports_.push_back(std::move(report));
        return Status::Ok();
      }
      stdin_buffer_ = std::move(*text);
      jsonl = true;
    }
    std::unique_ptr<LineReader> reader;
    if (!IsStdin(f)) {
      auto opened = LineReader::Open(f.path);
      if (!opened.ok()) return opened.status();
      reader = std::move(*opened);
    }
    size_t mem_pos = 0;
    uint64_t mem_line = 0;
    auto next_line = [&](std::string_view* line, uint64_t* number) -> StatusOr<bool> {
      if (reader) {
        auto more = reader->Next(line);
        *number = reader->line_number();
        return more;
      }
      if (mem_pos >= stdin_buffer_.size()) return false;
      size_t nl = stdin_buffer_.find('\n', mem_pos);
      if (nl == std::string::npos) nl = stdin_buffer_.size();
      size_t len = nl - mem_pos;
      if (len > 0 && stdin_buffer_[mem_pos + len - 1] == '\r') --len;
      *line = std::string_view(stdin_buffer_).substr(mem_pos, len);
      mem_pos = nl + 1;
      *number = ++mem_line;
      return true;
    };

    std::vector<Job> jobs;
    std::vector<JsonlParser> parsers(static_cast<size_t>(threads_));
    bool done = false;
    while (!done) {
      CHAFF_RETURN_IF_ERROR(CheckInterrupted());
      jobs.clear();
      size_t batch_bytes = 0;
      while (jobs.size() < kBatchRecords && batch_bytes < kBatchBytes) {
        std::string_view line;
        uint64_t number = 0;
        auto more = next_line(&line, &number);
        if (!more.ok()) return more.status().WithPrefix(name);
        if (!*more) {
          done = true;
          break;
        }
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        jobs.emplace_back();
        jobs.back().line.assign(line);
        jobs.back().line_number = number;
        batch_bytes += line.size();
      }
      ParallelFor(jobs.size(), threads_, [&](size_t k, int worker) {
        Job& job = jobs[k];
        job.status = parsers[static_cast<size_t>(worker)].Parse(job.line, flags_.text_field,
                                              flags_.id_field, &job.record);
        if (!job.status.ok()) return;
        cleaner_.Clean(job.record.text, &job.result);
        RenderRecord(flags_, &job);
      });
      for (Job& job : jobs) {
        const std::string where = name + ":" + std::to_string(job.line_number);
        if (job.status.ok() && job.record.has_id) {
          const uint64_t h = XXH3_64bits(job.record.id.data(), job.record.id.size());
          auto [it, fresh] = ids_.emplace(h, where);
          if (!fresh) {
            job.status = DataError("duplicate id \"" + job.record.id +
                                   "\" (first seen at " + it->second + ")");
          }
        }
        if (!job.status.ok()) {
          if (!flags_.skip_bad_records) {
            return Status(job.status.code(),
                          where + ": " + job.status.message() +
                              " (use --skip-bad-records to pass such records through unchanged)");
          }
          ++report.bad_records;
          job.out.assign(job.line);
          job.out.push_back('\n');
        } else {
          ++report.documents;
          report.accounting += job.result.accounting;
          bytes_done_ += job.record.text.size();
        }
        ++docs_done_;
        CHAFF_RETURN_IF_ERROR(out->Write(job.out));
      }
      progress_.Update(docs_done_, bytes_done_);
    }
    if (report.bad_records > 0) {
      PrintWarning(name + ": passed " + WithCommas(report.bad_records) +
                   " bad record(s) through unchanged");
    }
    reports_.push_back(std::move(report));
    return Status::Ok();
  }

  const CleanFlags& flags_;
  Cleaner cleaner_;
  int threads_;
  Progress progress_;
  std::vector<FileReport> reports_;
  std::unordered_map<uint64_t, std::string> ids_;  // id hash -> file:line
  std::string stdin_buffer_;
  uint64_t docs_done_ = 0;
  uint64_t bytes_done_ = 0;
};

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

void PrintSummary(const std::vector<FileReport>& reports) {
  constexpr size_t kMaxListed = 20;
  Accounting total;
  uint64_t docs = 0, bad = 0, skipped = 0, files = 0;
  size_t listed = 0;
  for (const auto& r : reports) {
    total += r.accounting;
    docs += r.documents;
    bad += r.bad_records;
    skipped += r.skipped ? 1 : 0;
    files += r.skipped ? 0 : 1;
    if (r.skipped || listed >= kMaxListed) continue;
    ++listed;
    uint64_t lines = 0;
    for (auto n : r.accounting.lines) lines += n;
    std::fprintf(stderr, "  %s: removed %s of %s lines, %s of %s bytes (%s)\n",
                 r.path.c_str(), WithCommas(lines - r.accounting.lines[0]).c_str(),
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
  if (bad) std::fprintf(stderr, "; %s bad record(s) passed through", WithCommas(bad).c_str());
  if (skipped) std::fprintf(stderr, "; %s binary file(s) skipped", WithCommas(skipped).c_str());
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

Status WriteReport(const std::string& path, const std::vector<FileReport>& reports) {
  std::string json = "{\"files\":[";
  Accounting total;
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    if (i) json.push_back(',');
    json += "{\"path\":";
    AppendJsonString(r.path, &json);
    json += ",\"documents\":" + std::to_string(r.documents) +
            ",\"bad_records\":" + std::to_string(r.bad_records) +
            ",\"skipped\":" + (r.skipped ? "true" : "false") + ",\"accounting\":";
    AppendAccountingJson(r.accounting, &json);
    json.push_back('}');
    total += r.accounting;
  }
  json += "],\"total\":";
  AppendAccountingJson(total, &json);
  json += "}\n";
  auto out = OutputFile::Create(path);
  if (!out.ok()) return out.status();
  CHAFF_RETURN_IF_ERROR((*out)->Write(json));
  return (*out)->Commit();
}

}  // namespace

CLI::App* AddCleanCommand(CLI::App* app, CleanFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "clean",
      "Remove site chrome, template lines and repeated paragraphs; write cleaned "
      "text (or --annotate: what would be removed and why).");
  cmd->add_option("paths", flags->inputs,
                  "Files, directories (walked recursively) or - for stdin. JSONL "
                  "files (.jsonl, .ndjson, optionally .gz/.zst) are cleaned record "
                  "by record; other files as one document each. Default: -");
  cmd->add_option("-o,--output", flags->output,
                  "Where to write: a directory (the input tree is mirrored under "
                  "it), a .jsonl file (all JSONL inputs concatenated), or - for "
                  "stdout. Required unless reading stdin. Never an input file.");
  cmd->add_flag("--annotate", flags->annotate,
                "Write annotations instead of cleaned text: for text files a JSON "
                "object (FILE.json) listing removed byte spans [start, end) with "
                "their reason; for JSONL the record unchanged plus a \"chaff\" field.");
  cmd->add_option("--text-field", flags->text_field,
                  "JSONL field holding the document text")->capture_default_str();
  cmd->add_option("--id-field", flags->id_field,
                  "JSONL field holding the document id (duplicate ids are an error)")
      ->capture_default_str();
  cmd->add_option("-j,--threads", flags->threads,
                  "Worker threads (0: one per core); output is identical for any value")
      ->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_flag("-q,--quiet", flags->quiet, "No summary and no progress on stderr");
  cmd->add_option("--report", flags->report_path,
                  "Write a JSON run report (per file and total: bytes and lines "
                  "kept and removed per reason) to this file");
  cmd->add_flag("--skip-bad-records", flags->skip_bad_records,
                "Pass malformed JSONL records (and duplicate ids) through unchanged "
                "and count them, instead of stopping with exit code 2");
  cmd->add_flag("--no-chrome", flags->no_chrome, "Do not remove site chrome");
  cmd->add_flag("--no-repeats", flags->no_repeats,
                "Do not remove paragraphs repeated inside a document");
  cmd->add_option("--min-repeat-tokens", flags->clean.repeats.min_tokens,
                  "Lines with fewer tokens are never judged as repeats (left to "
                  "the chrome detector)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--repeat-containment", flags->clean.repeats.containment,
                  "A line whose word shingles are at least this much contained in "
                  "the text before it is a near repeat")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  return cmd;
}

int RunClean(const CleanFlags& given) {
  CleanFlags flags = given;
  flags.clean.remove_chrome = !flags.no_chrome;
  flags.clean.remove_repeats = !flags.no_repeats;
  std::vector<std::string> warnings;
  auto plan = MakePlan(flags, &warnings);
  for (const auto& w : warnings) PrintWarning(w);
  if (!plan.ok()) return ExitFor(plan.status());
  CleanRun run(flags);
  Status status = run.Run(*plan);
  if (IsBrokenPipe(status)) return kExitOk;
  if (status.ok() && !flags.report_path.empty()) {
    status = WriteReport(flags.report_path, run.reports());
  }
  if (!status.ok()) return ExitFor(status);
  if (!flags.quiet) PrintSummary(run.reports());
  return kExitOk;
}

}  // namespace cli
}  // namespace chaff
