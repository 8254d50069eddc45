#include "cli/cmd_clean.h"

#include <xxhash.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>
#include <unordered_map>

#include "chaff/report/annotate.h"
#include "chaff/corpus/dedupe.h"
#include "chaff/corpus/dedupe_output.h"
#include "chaff/report/html_report.h"
#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "cli/chrome_flags.h"
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
  std::string stream = "-";          // kStdout: stdout, or a device
};

// What happened to one input file, for the summary and the report.
struct FileReport {
  std::string path;
  uint64_t documents = 0;
  uint64_t bad_records = 0;
  bool skipped = false;  // binary file in a directory walk
  uint64_t duplicates = 0;  // near-duplicate documents dropped (--dedupe)
  bool unreadable = false;  // could not be read: warned about, no output
  Accounting accounting;
};

bool IsStdin(const InputFile& f) { return f.path == kStdio; }

StatusOr<Plan> PlanOutputs(const CleanFlags& flags, std::vector<std::string>* warnings) {
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
    FileId out_id;
    const bool out_exists = GetFileId(out, &out_id);
    for (const auto& f : plan.inputs) {
      if (!IsStdin(f) && KindOfPath(f.path) != InputKind::kJsonl) {
        return InvalidArgument("-o " + out + " is a JSONL file, but input " + f.path +
                               " is not JSONL; give a directory instead");
      }
      FileId id;
      if (out_exists && !IsStdin(f) && GetFileId(f.path, &id) && id == out_id) {
        return InvalidArgument("refusing to overwrite input " + f.path + " with output " + out);
      }
    }
    plan.mode = OutputMode::kSingleJsonl;
    return plan;
  }
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec) && !fs::is_regular_file(out, ec)) {
    // A device or a pipe (-o /dev/null): one stream, like stdout.
    plan.mode = OutputMode::kStdout;
    plan.stream = out;
    return plan;
  }
  plan.mode = OutputMode::kTree;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
    return InvalidArgument("-o " + out + " exists and is not a directory");
  }
  std::unordered_map<std::string, std::string> seen;  // output -> input
  // Comparing every target with every input took minutes for a few
  // thousand files.
  FileIndex input_files;  // "-" names no file there
  for (size_t i = 0; i < plan.inputs.size(); ++i) input_files.Add(plan.inputs[i].path, i);
  for (const auto& f : plan.inputs) {
    if (IsStdin(f)) {
      return InvalidArgument("stdin (-) can only be cleaned to -o - or -o FILE.jsonl");
    }
    std::string target = (fs::path(out) / f.relative).string();
    if (flags.annotate && KindOfPath(f.path) == InputKind::kText) target += ".json";
    if (const size_t* same = input_files.Find(target)) {
      return InvalidArgument("refusing to overwrite input " + plan.inputs[*same].path +
                             " (output " + target + " is the same file)");
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

// The inputs and outputs, with the report files checked: they are outputs
// too, so never an input, the output (or one of a tree's outputs) or each
// other. "-" (stdout) is fine for one of them when the output is not stdout.
StatusOr<Plan> MakePlan(const CleanFlags& flags, std::vector<std::string>* warnings) {
  auto plan = PlanOutputs(flags, warnings);
  if (!plan.ok()) return plan;
  const std::pair<const char*, const std::string*> reports[] = {
      {"--report", &flags.report_path}, {"--html-report", &flags.html_report_path}};
  auto normal = [](const std::string& p) {
    std::error_code ec;
    const fs::path abs = fs::absolute(p, ec);
    return (ec ? fs::path(p) : abs).lexically_normal().string();
  };
  std::set<std::string> tree_outputs;  // normalized, tree mode only
  for (const auto& o : plan->outputs) tree_outputs.insert(normal(o));
  FileIndex input_files;  // filled when a report path exists
  bool inputs_known = false;
  for (const auto& [option, path] : reports) {
    if (path->empty()) continue;
    if (*path == kStdio) {
      if (plan->mode == OutputMode::kStdout && plan->stream == kStdio) {
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
        for (size_t i = 0; i < plan->inputs.size(); ++i) input_files.Add(plan->inputs[i].path, i);
        inputs_known = true;
      }
      if (input_files.Find(id) != nullptr) {
        return InvalidArgument("refusing to overwrite input " + *path + " with " + option);
      }
    }
    bool is_output = tree_outputs.count(where) != 0;
    if (plan->mode == OutputMode::kSingleJsonl) {
      FileId out;
      is_output |= normal(flags.output) == where ||
                   (exists && GetFileId(flags.output, &out) && out == id);
    }
    if (is_output) {
      return InvalidArgument(std::string(option) + " " + *path + " is also an output of -o");
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

// Lines of a JSONL input: read from a file, or from stdin buffered in memory
// (stdin is read once and may be needed by two passes).
class LineSource {
 public:
  static StatusOr<LineSource> Open(const InputFile& f, const std::string* stdin_buffer) {
    LineSource src;
    if (IsStdin(f)) {
      src.memory_ = stdin_buffer;
      return src;
    }
    auto opened = LineReader::Open(f.path);
    if (!opened.ok()) return opened.status();
    src.reader_ = std::move(*opened);
    return src;
  }

  StatusOr<bool> Next(std::string_view* line, uint64_t* number) {
    if (reader_) {
      auto more = reader_->Next(line);
      *number = reader_->line_number();
      return more;
    }
    const std::string& buf = *memory_;
    if (pos_ >= buf.size()) return false;
    size_t nl = buf.find('\n', pos_);
    if (nl == std::string::npos) nl = buf.size();
    size_t len = nl - pos_;
    if (len > 0 && buf[pos_ + len - 1] == '\r') --len;
    *line = std::string_view(buf).substr(pos_, len);
    pos_ = nl + 1;
    *number = ++line_number_;
    return true;
  }

 private:
  std::unique_ptr<LineReader> reader_;
  const std::string* memory_ = nullptr;
  size_t pos_ = 0;
  uint64_t line_number_ = 0;
};

bool IsBlankLine(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

class CleanRun {
 public:
  explicit CleanRun(const CleanFlags& flags)
      : flags_(flags),
        cleaner_(flags.clean),
        use_templates_(!flags.no_templates && flags.templates.enabled),
        threads_(flags.threads > 0 ? flags.threads : DefaultThreads()),
        progress_("chaff clean", !flags.quiet) {
    if (!flags.html_report_path.empty()) {
      html_ = std::make_unique<HtmlReport>(flags.html_report_documents);
    }
  }

  Status Run(const Plan& plan) {
    for (const InputFile& f : plan.inputs) {
      if (!IsStdin(f) || stdin_read_) continue;
      // Stdin is read once, up front: both passes may need it. It is one text
      // document unless it is named .jsonl or its first byte opens an object.
      auto text = ReadWholeFile(f.path);
      if (!text.ok()) return text.status();
      stdin_buffer_ = std::move(*text);
      stdin_read_ = true;
      const size_t first = stdin_buffer_.find_first_not_of(" \t\r\n");
      stdin_jsonl_ = first != std::string::npos && stdin_buffer_[first] == '{';
    }
    if (use_templates_) CHAFF_RETURN_IF_ERROR(CountTemplates(plan));
    if (flags_.dedupe) CHAFF_RETURN_IF_ERROR(FindDuplicates(plan));
    std::unique_ptr<OutputFile> shared;
    if (plan.mode != OutputMode::kTree) {
      auto created = OutputFile::Create(plan.mode == OutputMode::kStdout
                                            ? plan.stream : flags_.output);
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
      // An unreadable file gets no output: `own` is dropped uncommitted.
      if (own && unreadable_.count(f.path) == 0) {
        CHAFF_RETURN_IF_ERROR(CheckInterrupted());
        CHAFF_RETURN_IF_ERROR(own->Commit());
      }
      ++i;
    }
    // A SIGINT that arrived during the last batch (or while a read blocked)
    // must not let a possibly truncated output be renamed into place.
    CHAFF_RETURN_IF_ERROR(CheckInterrupted());
    if (shared) CHAFF_RETURN_IF_ERROR(shared->Commit());
    progress_.Finish();
    return Status::Ok();
  }

  const std::vector<FileReport>& reports() const { return reports_; }
  const HtmlReport* html_report() const { return html_.get(); }
  // Input files skipped because they could not be read.
  size_t unreadable_count() const { return unreadable_.size(); }

 private:
  bool IsJsonlInput(const InputFile& f) const {
    return IsStdin(f) ? stdin_jsonl_ : KindOfPath(f.path) == InputKind::kJsonl;
  }

  // Pass 1: in how many documents of each site every normalized line occurs.
  // Records that fail to parse are skipped here; pass 2 reports them.
  Status CountTemplates(const Plan& plan) {
    TemplateCounter counter(flags_.templates);
    JsonlParser parser;
    JsonlRecord record;
    for (const InputFile& f : plan.inputs) {
      CHAFF_RETURN_IF_ERROR(CheckInterrupted());
      if (!IsJsonlInput(f)) {
        if (IsStdin(f)) {
          counter.AddDocument("", stdin_buffer_);
          continue;
        }
        auto text = ReadWholeFile(f.path);
        if (!text.ok()) {
          CHAFF_RETURN_IF_ERROR(SkipUnreadable(f, text.status()));
          continue;
        }
        if (!(f.from_walk && LooksBinary(*text))) counter.AddDocument("", *text);
        continue;
      }
      auto source = LineSource::Open(f, &stdin_buffer_);
      if (!source.ok()) {
        CHAFF_RETURN_IF_ERROR(SkipUnreadable(f, source.status()));
        continue;
      }
      std::string_view line;
      uint64_t number = 0;
      for (;;) {
        auto more = source->Next(&line, &number);
        if (!more.ok()) return more.status().WithPrefix(IsStdin(f) ? "<stdin>" : f.path);
        if (!*more) break;
        if (IsBlankLine(line)) continue;
        if (!parser.Parse(line, flags_.text_field, "", flags_.site_field, &record).ok()) {
          continue;
        }
        counter.AddDocument(SiteFromUrl(record.site), record.text);
      }
    }
    templates_ = counter.Finish();
    return Status::Ok();
  }

  // Pass 2 of --dedupe: clusters the documents by their cleaned text (the
  // same story on two sites differs mostly in its chrome). Template lines
  // are not removed here: the decoder sees the text without its record, so
  // without its site; chrome and repeats are.
  Status FindDuplicates(const Plan& plan) {
    std::unique_ptr<TempFile> spooled;
    std::vector<InputFile> files = plan.inputs;
    for (InputFile& f : files) {
      if (!IsStdin(f)) continue;
      auto temp = TempFile::Create(stdin_buffer_, stdin_jsonl_ ? ".jsonl" : ".txt");
      if (!temp.ok()) return temp.status();
      spooled = std::move(*temp);
      f.path = spooled->path();
    }
    std::vector<CorpusInput> inputs = ToCorpusInputs(files);
    for (size_t i = 0; i < files.size(); ++i) {
      if (IsStdin(plan.inputs[i])) inputs[i].name = "<stdin>";
    }
    DedupeOptions options;
    options.threshold = flags_.dedupe_threshold;
    options.threads = threads_;
    auto resolved = ResolveDedupeOptions(options);
    if (!resolved.ok()) return resolved.status();
    JsonlFields fields;
    fields.text_field = flags_.text_field;
    fields.id_field = flags_.id_field;
    fields.skip_bad_records = flags_.skip_bad_records;
    const TextTransform clean_text = [this](std::string_view text, std::string* storage) {
      thread_local CleanResult result;
      cleaner_.Clean(text, &result);
      storage->swap(result.cleaned);
      return std::string_view(*storage);
    };
    CorpusReader reader(&inputs);
    auto result = DedupeCorpus(&reader, CorpusDecoders(&inputs, fields, nullptr, clean_text),
                               *resolved, [](const DedupeProgress&) { return !Interrupted().load(); });
    if (!result.ok()) return result.status();
    dedupe_ = std::make_unique<DedupeResult>(std::move(*result));
    return Status::Ok();
  }

  // Advances the document index (the input order of documents and JSONL
  // records, as dedupe counts them) and sets *index to it. With --dedupe:
  // true when that document is a near-duplicate of an earlier one, with
  // *rep and *similarity set.
  bool NextIsDuplicate(uint32_t* rep, float* similarity, size_t* index) {
    const size_t i = doc_index_++;
    *index = i;
    if (!dedupe_) return false;
    if (i >= dedupe_->representative.size() || dedupe_->Kept(i)) return false;
    *rep = dedupe_->representative[i];
    *similarity = dedupe_->similarity[i];
    return true;
  }

  // A dropped near-duplicate: every byte removed for that reason, and, with
  // --annotate, an annotation saying which document it duplicates.
  void DropDuplicate(std::string_view text, uint32_t rep, float similarity, Job* job) const {
    const uint64_t lines = SegmentLines(text).size();
    const auto r = static_cast<size_t>(Reason::kNearDuplicate);
    job->result.accounting = Accounting();
    job->result.accounting.bytes[r] = text.size();
    job->result.accounting.lines[r] = lines;
    job->out.clear();
    if (!flags_.annotate) return;
    std::string ann = "{\"bytes\":" + std::to_string(text.size()) +
                      ",\"kept_bytes\":0,\"removed\":[";
    if (!text.empty()) {
      ann += "{\"start\":0,\"end\":" + std::to_string(text.size()) +
             ",\"reason\":\"near_duplicate\",\"lines\":[1," + std::to_string(lines) + "]}";
    }
    char sim[32];
    std::snprintf(sim, sizeof(sim), "%.4f", static_cast<double>(similarity));
    ann += "],\"duplicate_of\":" + std::to_string(rep) + ",\"similarity\":" + sim + "}";
    if (job->line.empty()) {
      job->out = ann + "\n";
    } else {
      const size_t close = job->line.find_last_of('}');
      job->out = job->line.substr(0, close) + ",\"chaff\":" + ann + job->line.substr(close) + "\n";
    }
  }

  // Cleans one document with the template flags of its site.
  void CleanDocument(std::string_view site, std::string_view text, CleanResult* result) const {
    if (!use_templates_) {
      cleaner_.Clean(text, result);
      return;
    }
    const TemplateFlags flags = templates_.Flags(site, text, SegmentLines(text));
    cleaner_.Clean(text, flags, result);
  }

  Status CheckInterrupted() const {
    if (Interrupted().load()) return Cancelled("interrupted; no partial output was kept");
    return Status::Ok();
  }

  // Policy for an input file that cannot be read (permissions, an I/O
  // error, corrupt gzip/zstd): one warning naming it and the reason, no
  // output for it, and the run goes on; RunClean exits 2 at the end, so a
  // pipeline notices while the other outputs are complete. Stdin, and
  // anything that is not about reading this file, still stops the run.
  Status SkipUnreadable(const InputFile& f, const Status& error) {
    if (IsStdin(f) || error.code() == StatusCode::kCancelled) return error;
    if (unreadable_.count(f.path) != 0) return Status::Ok();
    unreadable_.emplace(f.path, error);
    std::string reason = error.message();
    const std::string prefix = f.path + ": ";
    if (reason.compare(0, prefix.size(), prefix) == 0) reason.erase(0, prefix.size());
    PrintWarning(f.path + ": skipped: " + reason);
    FileReport report;
    report.path = f.path;
    report.unreadable = true;
    reports_.push_back(std::move(report));
    return Status::Ok();
  }

  Status CleanTextFiles(const Plan& plan, size_t begin, size_t end, OutputFile* shared) {
    CHAFF_RETURN_IF_ERROR(CheckInterrupted());
    std::vector<Job> jobs(end - begin);
    ParallelFor(jobs.size(), threads_, [&](size_t k, int) {
      Job& job = jobs[k];
      const auto known = unreadable_.find(plan.inputs[begin + k].path);
      if (known != unreadable_.end()) {  // already failed in pass 1
        job.status = known->second;
        return;
      }
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
      CleanDocument("", job.text, &job.result);
      RenderText(flags_, &job);
    });
    // A batch can take long (one huge file): stop before writing its outputs.
    CHAFF_RETURN_IF_ERROR(CheckInterrupted());
    for (size_t k = 0; k < jobs.size(); ++k) {
      const InputFile& f = plan.inputs[begin + k];
      Job& job = jobs[k];
      FileReport report;
      report.path = f.path;
      if (!job.status.ok()) {
        CHAFF_RETURN_IF_ERROR(SkipUnreadable(f, job.status));
        continue;
      }
      if (job.binary) {
        PrintWarning(f.path + ": skipped: looks binary (NUL bytes)");
        report.skipped = true;
        reports_.push_back(std::move(report));
        continue;
      }
      uint32_t rep = 0;
      float similarity = 0.0f;
      size_t index = 0;
      const bool dropped = NextIsDuplicate(&rep, &similarity, &index);
      if (dropped) DropDuplicate(job.text, rep, similarity, &job);
      if (html_) {
        html_->AddDocument(index, f.path, job.text, job.result, dropped ? int64_t{rep} : -1,
                           similarity);
      }
      report.duplicates = dropped ? 1 : 0;
      report.documents = 1;
      report.accounting = job.result.accounting;
      bytes_done_ += job.text.size();
      ++docs_done_;
      if (dropped && !flags_.annotate) {
        // Not written at all: in a mirrored tree the file is absent.
      } else if (plan.mode == OutputMode::kTree) {
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

  // A JSONL file, or stdin (one text document, or JSONL).
  Status CleanStream(const InputFile& f, OutputFile* out) {
    const std::string name = IsStdin(f) ? "<stdin>" : f.path;
    FileReport report;
    report.path = name;
    if (!IsJsonlInput(f)) {
      Job job;
      CleanDocument("", stdin_buffer_, &job.result);
      RenderText(flags_, &job);
      uint32_t rep = 0;
      float similarity = 0.0f;
      size_t index = 0;
      const bool dropped = NextIsDuplicate(&rep, &similarity, &index);
      if (dropped) DropDuplicate(stdin_buffer_, rep, similarity, &job);
      if (html_) {
        html_->AddDocument(index, name, stdin_buffer_, job.result,
                           dropped ? int64_t{rep} : -1, similarity);
      }
      CHAFF_RETURN_IF_ERROR(out->Write(job.out));
      report.documents = 1;
      report.accounting = job.result.accounting;
      reports_.push_back(std::move(report));
      return Status::Ok();
    }
    if (unreadable_.count(f.path) != 0) return Status::Ok();  // seen in pass 1
    auto source = LineSource::Open(f, &stdin_buffer_);
    if (!source.ok()) return SkipUnreadable(f, source.status());
    auto next_line = [&](std::string_view* line, uint64_t* number) {
      return source->Next(line, number);
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
        if (IsBlankLine(line)) continue;
        jobs.emplace_back();
        jobs.back().line.assign(line);
        jobs.back().line_number = number;
        batch_bytes += line.size();
      }
      ParallelFor(jobs.size(), threads_, [&](size_t k, int worker) {
        Job& job = jobs[k];
        job.status = parsers[static_cast<size_t>(worker)].Parse(
            job.line, flags_.text_field, flags_.id_field,
            use_templates_ ? std::string_view(flags_.site_field) : std::string_view(),
            &job.record);
        if (!job.status.ok()) return;
        CleanDocument(use_templates_ ? SiteFromUrl(job.record.site) : std::string(),
                      job.record.text, &job.result);
        RenderRecord(flags_, &job);
      });
      for (Job& job : jobs) {
        const std::string where = name + ":" + std::to_string(job.line_number);
        uint32_t rep = 0;
        float similarity = 0.0f;
        size_t index = 0;
        const bool dropped = NextIsDuplicate(&rep, &similarity, &index);
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
          if (dropped) DropDuplicate(job.record.text, rep, similarity, &job);
          if (html_) {
            html_->AddDocument(
                index, job.record.has_id ? where + " (id " + job.record.id + ")" : where,
                job.record.text, job.result, dropped ? int64_t{rep} : -1, similarity);
          }
          report.duplicates += dropped ? 1 : 0;
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
  bool use_templates_ = false;
  TemplateIndex templates_;
  bool stdin_read_ = false;
  bool stdin_jsonl_ = false;
  std::unique_ptr<DedupeResult> dedupe_;  // with --dedupe, after pass 2
  size_t doc_index_ = 0;                  // documents and records met so far in the write pass
  int threads_;
  Progress progress_;
  std::vector<FileReport> reports_;
  std::unique_ptr<HtmlReport> html_;  // with --html-report
  std::unordered_map<uint64_t, std::string> ids_;  // id hash -> file:line
  std::unordered_map<std::string, Status> unreadable_;  // path -> why
  std::string stdin_buffer_;  // all of stdin, when it is an input
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

Status WriteReport(const std::string& path, const std::vector<FileReport>& reports) {
  std::string json = "{\"files\":[";
  Accounting total;
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    if (i) json.push_back(',');
    json += "{\"path\":";
    AppendJsonString(r.path, &json);
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
  auto out = OutputFile::Create(path);
  if (!out.ok()) return out.status();
  CHAFF_RETURN_IF_ERROR((*out)->Write(json));
  return (*out)->Commit();
}

Status WriteHtmlReport(const std::string& path, const std::string& html) {
  auto out = OutputFile::Create(path);
  if (!out.ok()) return out.status();
  CHAFF_RETURN_IF_ERROR((*out)->Write(html));
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
                  "by record; other files as one document each. Default: -. In a "
                  "walk, binary files (NUL bytes), special files and links to "
                  "directories are skipped with a warning. A file that cannot be "
                  "read is skipped with a warning, the others are written, and the "
                  "exit code is 2.");
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
  cmd->add_option("--html-report", flags->html_report_path,
                  "Write a visual report to this HTML file: the totals per reason, "
                  "then the first documents with every line marked by its decision "
                  "(hover a removed line for the evidence)");
  cmd->add_option("--html-report-docs", flags->html_report_documents,
                  "Documents shown in the HTML report (the others count in its totals)")
      ->capture_default_str();
  cmd->add_flag("--skip-bad-records", flags->skip_bad_records,
                "Pass malformed JSONL records (and duplicate ids) through unchanged "
                "and count them, instead of stopping with exit code 2");
  cmd->add_flag("--no-chrome", flags->no_chrome, "Do not remove site chrome");
  cmd->add_flag("--no-repeats", flags->no_repeats,
                "Do not remove paragraphs repeated inside a document");
  cmd->add_flag("--no-templates", flags->no_templates,
                "Do not remove template lines (lines recurring across many "
                "documents of a site); saves the first pass over the input");
  cmd->add_flag("--dedupe", flags->dedupe,
                "Also drop near-duplicate documents (keeping the first of each "
                "cluster, as chaff dedupe does), judged on their cleaned text; "
                "reads the input once more");
  cmd->add_option("--dedupe-threshold", flags->dedupe_threshold,
                  "With --dedupe: word-shingle Jaccard similarity at or above "
                  "which two documents are near-duplicates")
      ->capture_default_str()->check(CLI::Range(0.01, 0.99));
  cmd->add_option("--site-field", flags->site_field,
                  "JSONL field holding the document's URL (or site); template "
                  "lines are counted per host. Without it, across the input")
      ->capture_default_str();
  cmd->add_option("--min-repeat-tokens", flags->clean.repeats.min_tokens,
                  "Lines with at least this many tokens are judged as repeats on "
                  "their own; shorter lines only inside a repeated block (next to "
                  "a repeat), else they are left to the chrome detector")
      ->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--repeat-containment", flags->clean.repeats.containment,
                  "A line whose word 5-gram shingles are at least this much "
                  "contained in one earlier line is a near repeat")
      ->capture_default_str()->check(CLI::Range(0.0, 1.0));
  AddChromeFlags(cmd, &flags->clean.chrome, &flags->templates, &flags->stoplist_path);
  return cmd;
}

Status ApplyDetectorFlags(bool no_chrome, bool no_repeats, const std::string& stoplist_path,
                          CleanOptions* clean) {
  clean->remove_chrome = !no_chrome;
  clean->remove_repeats = !no_repeats;
  if (stoplist_path.empty()) return Status::Ok();
  return LoadStoplistFile(stoplist_path, &clean->chrome);
}

int RunClean(const CleanFlags& given) {
  CleanFlags flags = given;
  {
    Status s = ApplyDetectorFlags(flags.no_chrome, flags.no_repeats, flags.stoplist_path,
                                  &flags.clean);
    if (!s.ok()) return ExitFor(s);
  }
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
  if (status.ok() && run.html_report() != nullptr) {
    std::string title = "chaff clean";
    for (const auto& in : flags.inputs) title += " " + in;
    if (!flags.output.empty()) title += " -o " + flags.output;
    status = WriteHtmlReport(flags.html_report_path, run.html_report()->Render(title));
  }
  if (!status.ok()) return ExitFor(status);
  if (!flags.quiet) PrintSummary(run.reports());
  if (run.unreadable_count() > 0) {
    PrintError(WithCommas(run.unreadable_count()) +
               " file(s) could not be read (see the warnings above); every other "
               "output was written completely");
    return kExitError;
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace chaff
