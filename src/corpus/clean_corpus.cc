#include "chaff/corpus/clean_corpus.h"

#include <xxhash.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/io/warc.h"
#include "chaff/report/annotate.h"
#include "chaff/report/attributes.h"
#include "chaff/text/document.h"
#include "corpus/batch_pipeline.h"
#include "detect/flat_map.h"

namespace chaff {
namespace {

namespace fs = std::filesystem;
using internal::BatchPipeline;
using internal::RecordBatch;

// What OutputFile writes in place: a device, a FIFO, or a descriptor
// (/dev/stdout and other links to /dev/fd/N, whatever the descriptor is
// open on), links followed.
bool IsDeviceOrFifo(const std::string& path) {
  const StatusOr<OutputTarget> target = ResolveOutput(path);
  return target.ok() && target->in_place();
}

int ResolveThreads(int threads) {
  if (threads > 0) return threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace

StatusOr<CleanOutputPlan> PlanCleanOutputs(const std::vector<CorpusInput>& inputs,
                                           const std::string& output, bool annotate) {
  CleanOutputPlan plan;
  if (output.empty()) {
    return InvalidArgument(
        "no output: give a directory to mirror the inputs under, a .jsonl file, or - for "
        "stdout");
  }
  if (output == kStdio || IsDeviceOrFifo(output)) {
    plan.mode = CleanOutputPlan::Mode::kStream;
    plan.path = output;
    return plan;
  }
  if (KindOfPath(output) == InputKind::kJsonl) {
    FileId out_id;
    const bool out_exists = GetFileId(output, &out_id);
    for (const auto& in : inputs) {
      if (!WritesJsonl(in.kind)) {
        return InvalidArgument("-o " + output + " is a JSONL file, but input " + in.name +
                               " is not JSONL (nor WARC); give a directory instead");
      }
      FileId id;
      if (out_exists && in.path != kStdio && GetFileId(in.path, &id) && id == out_id) {
        return InvalidArgument("refusing to overwrite input " + in.name + " with output " +
                               output);
      }
    }
    plan.mode = CleanOutputPlan::Mode::kJsonl;
    plan.path = output;
    return plan;
  }
  std::error_code ec;
  const bool is_dir = fs::is_directory(output, ec);
  // One text document named as a file (or stdin) to a path that is not a
  // directory (nor written as one, "out/"): that file.
  if (inputs.size() == 1 && inputs[0].kind == InputKind::kText && !inputs[0].from_walk &&
      !is_dir && output.back() != '/') {
    FileId in_id, out_id;
    if (GetFileId(output, &out_id) && GetFileId(inputs[0].path, &in_id) && in_id == out_id) {
      return InvalidArgument("refusing to overwrite input " + inputs[0].name + " with output " +
                             output);
    }
    plan.mode = CleanOutputPlan::Mode::kStream;
    plan.path = output;
    return plan;
  }
  if (fs::exists(output, ec) && !is_dir) {
    return InvalidArgument("-o " + output + " exists and is not a directory");
  }
  plan.mode = CleanOutputPlan::Mode::kTree;
  plan.path = output;
  // One stat per input and per target (comparing every target with every
  // input took minutes for a few thousand files).
  FileIndex input_files;  // "-" names no file there
  for (size_t i = 0; i < inputs.size(); ++i) input_files.Add(inputs[i].path, i);
  std::unordered_map<std::string, std::string> seen;  // output -> input
  for (const auto& in : inputs) {
    if (in.path == kStdio || in.name == "<stdin>") {
      return InvalidArgument("stdin (-) can only be cleaned to -o - or -o FILE.jsonl");
    }
    std::string target = (fs::path(output) / RecordsRelativeName(in)).string();
    if (annotate && in.kind == InputKind::kText) target += ".json";
    if (const size_t* same = input_files.Find(target)) {
      return InvalidArgument("refusing to overwrite input " + inputs[*same].name +
                             " (output " + target + " is the same file)");
    }
    auto [it, fresh] = seen.emplace(target, in.name);
    if (!fresh) {
      return InvalidArgument("inputs " + it->second + " and " + in.name +
                             " would both be written to " + target);
    }
    plan.outputs.push_back(std::move(target));
  }
  return plan;
}

std::string AttributesRelativeName(const CorpusInput& in) {
  if (in.kind == InputKind::kWarc || KindOfPath(in.relative) == InputKind::kJsonl) {
    return RecordsRelativeName(in);
  }
  return in.relative + ".jsonl";
}

Status PlanAttributeOutputs(const std::vector<CorpusInput>& inputs, const std::string& dir,
                            CleanOutputPlan* plan) {
  if (dir.empty()) return InvalidArgument("--attributes needs a directory");
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return InvalidArgument("--attributes " + dir + " exists and is not a directory");
  }
  FileIndex input_files;
  for (size_t i = 0; i < inputs.size(); ++i) input_files.Add(inputs[i].path, i);
  // The outputs of -o, compared by normalized path (they may not exist yet)
  // and, for an existing JSONL output, by identity.
  auto normal = [](const std::string& p) {
    std::error_code e;
    const fs::path abs = fs::absolute(p, e);
    return (e ? fs::path(p) : abs).lexically_normal().string();
  };
  std::unordered_set<std::string> outputs;
  for (const auto& o : plan->outputs) outputs.insert(normal(o));
  if (plan->mode != CleanOutputPlan::Mode::kTree && plan->path != kStdio) {
    outputs.insert(normal(plan->path));
  }
  FileId stream_id;
  const bool stream_exists = plan->mode != CleanOutputPlan::Mode::kTree &&
                             plan->path != kStdio && GetFileId(plan->path, &stream_id);
  std::unordered_map<std::string, std::string> seen;  // attributes file -> input
  std::vector<std::string> targets;
  for (const auto& in : inputs) {
    std::string target = (fs::path(dir) / AttributesRelativeName(in)).string();
    if (const size_t* same = input_files.Find(target)) {
      return InvalidArgument("refusing to overwrite input " + inputs[*same].name +
                             " (attributes file " + target + " is the same file)");
    }
    FileId id;
    if (outputs.count(normal(target)) != 0 ||
        (stream_exists && GetFileId(target, &id) && id == stream_id)) {
      return InvalidArgument("--attributes: " + target + " is also an output of -o");
    }
    auto [it, fresh] = seen.emplace(target, in.name);
    if (!fresh) {
      return InvalidArgument("inputs " + it->second + " and " + in.name +
                             " would both have their attributes written to " + target);
    }
    targets.push_back(std::move(target));
  }
  plan->attributes = std::move(targets);
  return Status::Ok();
}

namespace {

// One record as processed by a worker.
struct DocInfo {
  Status status;         // a bad record (the others are documents)
  size_t out_begin = 0;  // its rendered output: [out_begin, out_end) of CleanBatch::out
  size_t out_end = 0;
  // With attributes, in CleanBatch::attrs: its id as JSON [id_begin,
  // attr_begin), then its attribute line up to the near-duplicate list
  // [attr_begin, attr_end) (AppendAttributesStart); its text in characters.
  size_t id_begin = 0;
  size_t attr_begin = 0;
  size_t attr_end = 0;
  uint64_t text_chars = 0;
  uint64_t text_bytes = 0;
  uint64_t lines = 0;
  uint64_t id_hash = 0;
  bool has_id = false;
  bool empty_sketch = true;
  Accounting accounting;
};

struct CleanBatch final : RecordBatch {
  std::string out;
  std::string attrs;  // with attributes: see DocInfo
  std::vector<DocInfo> docs;
  std::vector<std::string> ids;  // per record (empty without an id)
  // Dedupe: K low bytes and the band keys per record.
  std::vector<uint8_t> lanes;
  std::vector<uint32_t> keys;
  // Pass 1: bad records met (skipped) in this batch.
  uint64_t bad_records = 0;
  // Only with an observer: each document's text and result.
  std::vector<std::string> texts;
  std::vector<CleanResult> results;
};

// A worker's scratch state, reused from record to record.
struct CleanWorker {
  JsonlParser parser;
  JsonlRecord record;
  WarcDocument warc;    // the record of a WARC input (views into the batch)
  std::string id_json;  // the id written as JSON, for the attributes
  Document doc;
  TemplateFlags flags;
  CleanResult result;
  std::vector<uint64_t> kept_tokens;
  DedupeSketcher::Scratch sketch_scratch;
  DocumentSketch sketch;
  TemplateCounter counter{TemplateOptions()};
};

// Where a record was read, for messages.
std::string Where(const std::vector<CorpusInput>& inputs, uint32_t source, uint64_t line) {
  std::string w = inputs[source].name;
  if (line > 0) w += ":" + std::to_string(line);
  return w;
}

class CleanEngine {
 public:
  CleanEngine(const std::vector<CorpusInput>& inputs, const CleanOutputPlan& plan,
              const CleanCorpusOptions& options, const CleanProgressCallback& progress,
              const CleanObserver& observer, OutputGroup* group)
      : group_(group),
        all_inputs_(inputs),
        plan_(plan),
        options_(options),
        progress_(progress),
        observer_(observer),
        cleaner_(options.clean),
        threads_(ResolveThreads(options.threads)),
        use_templates_(options.templates.enabled),
        index_(options.counts != nullptr ? options.counts : &templates_) {}

  // Pass 1 alone (CountCorpusTemplates): the merged counts.
  StatusOr<CountCorpusResult> RunCount() {
    count_only_ = true;
    result_.files.resize(all_inputs_.size());
    for (size_t i = 0; i < all_inputs_.size(); ++i) result_.files[i].name = all_inputs_[i].name;
    for (;;) {
      Status s = CountTemplates();
      if (s.ok()) break;
      CHAFF_RETURN_IF_ERROR(LeaveOutFailedInput(s));
    }
    for (uint32_t skipped : skipped_) result_.files[live_[skipped]].skipped = true;
    CountCorpusResult out;
    out.counts = std::move(counter_);
    out.bad_records = count_bad_records_;
    out.documents = result_.documents - count_bad_records_;
    out.bytes = result_.bytes;
    out.unreadable = result_.unreadable;
    out.files = std::move(result_.files);
    return out;
  }

  StatusOr<CleanCorpusResult> Run() {
    result_.files.resize(all_inputs_.size());
    for (size_t i = 0; i < all_inputs_.size(); ++i) result_.files[i].name = all_inputs_[i].name;
    if (options_.dedupe) {
      DedupeOptions d = options_.dedupe_options;
      d.threads = 1;
      CHAFF_ASSIGN_OR_RETURN(dedupe_options_, ResolveDedupeOptions(d));
      sketcher_ = std::make_unique<DedupeSketcher>(dedupe_options_);
    }
    // Each pass starts again without an input found unreadable in it.
    if (use_templates_ && options_.counts == nullptr) {
      for (;;) {
        Status s = CountTemplates();
        if (s.ok()) break;
        CHAFF_RETURN_IF_ERROR(LeaveOutFailedInput(s));
      }
    }
    for (;;) {
      Status s = CleanPass();
      if (s.ok()) break;
      CHAFF_RETURN_IF_ERROR(LeaveOutFailedInput(s));
    }
    for (uint32_t skipped : skipped_) result_.files[live_[skipped]].skipped = true;
    return std::move(result_);
  }

 private:
  // The inputs still in the run, and their indexes in all_inputs_.
  void ListLive() {
    inputs_.clear();
    live_.clear();
    for (size_t i = 0; i < all_inputs_.size(); ++i) {
      if (result_.files[i].unreadable) continue;
      inputs_.push_back(all_inputs_[i]);
      live_.push_back(static_cast<uint32_t>(i));
    }
  }

  // After a pass failed: when an input could not be read, marks it
  // unreadable (the pass then runs again without it); any other failure,
  // or one that cannot be undone, is returned.
  Status LeaveOutFailedInput(const Status& s) {
    if (failed_input_ < 0 || s.code() == StatusCode::kCancelled) return s;
    const CorpusInput& in = inputs_[static_cast<size_t>(failed_input_)];
    // Stdin cannot be read again, and what went to a stream is gone.
    if (in.name == "<stdin>" || in.path == kStdio || stream_written_) return s;
    // A malformed WARC record (a truncated or corrupt gzip member too) is a
    // bad record, which skip_bad_records would have skipped: it stops the
    // run, as a bad JSONL record does.
    if (in.kind == InputKind::kWarc && s.code() == StatusCode::kDataError) return s;
    CleanFileReport& report = result_.files[live_[static_cast<size_t>(failed_input_)]];
    report.unreadable = true;
    report.error = s;
    ++result_.unreadable;
    return Status::Ok();
  }

  Status RunPipeline(int pass, CorpusReader* reader, const BatchPipeline::Process& process,
                     const BatchPipeline::Collect& collect) {
    internal::BatchPipelineOptions po;
    po.threads = threads_;
    po.batch_bytes = options_.batch_bytes;
    po.input_bytes_hint = input_bytes_;
    failed_input_ = -1;
    BatchPipeline pipeline(
        reader, po, [] { return std::make_unique<CleanBatch>(); }, process, collect);
    CleanProgress state;
    state.pass = pass;
    Status s = pipeline.Wait([&](uint64_t docs, uint64_t bytes) {
      state.documents = docs;
      state.bytes = bytes;
      return !progress_ || progress_(state);
    });
    if (!s.ok()) failed_input_ = reader->failed_input();
    if (s.ok()) {
      result_.documents = pipeline.documents();
      result_.bytes = pipeline.bytes();
    }
    return s;
  }

  // The template field of a JSONL record, the text of a WARC document (its
  // site the host of its url), or the whole text of a text file.
  Status Parse(CleanWorker* w, const CleanBatch& b, size_t i, bool want_id,
               std::string_view* text, std::string* site) const {
    const std::string_view record = b.Record(i);
    const InputKind kind = inputs_[b.sources[i]].kind;
    if (kind == InputKind::kWarc) {
      // Its fields and text behind their sizes (io/warc.h): nothing to parse.
      if (!ParseWarcDocument(record, &w->warc)) {
        return Internal("a record of a WARC input is not a WARC document");
      }
      *text = w->warc.text;
      if (use_templates_) {
        *site = SiteFromUrl(w->warc.url);
      } else {
        site->clear();
      }
      return Status::Ok();
    }
    if (kind != InputKind::kJsonl) {
      *text = record;
      site->clear();
      return Status::Ok();
    }
    CHAFF_RETURN_IF_ERROR(w->parser.Parse(
        record, options_.fields.text_field, want_id ? options_.fields.id_field : "",
        use_templates_ ? std::string_view(options_.site_field) : std::string_view(),
        &w->record));
    *text = w->record.text;
    if (use_templates_) {
      *site = SiteFromUrl(w->record.site);
    } else {
      site->clear();
    }
    return Status::Ok();
  }

  // Pass 1: every thread counts into its own counter; merged at the end.
  Status CountTemplates() {
    ListLive();
    CorpusReader reader(&inputs_);
    reader.set_skip_bad_records(options_.fields.skip_bad_records);
    std::vector<CleanWorker> workers(static_cast<size_t>(threads_));
    for (auto& w : workers) w.counter = TemplateCounter(options_.templates);
    count_bad_records_ = 0;
    auto process = [&](size_t worker, RecordBatch* batch) {
      auto* b = static_cast<CleanBatch*>(batch);
      CleanWorker& w = workers[worker];
      std::string site;
      b->bad_records = 0;
      for (size_t i = 0; i < b->size(); ++i) {
        std::string_view text;
        Status s = Parse(&w, *b, i, false, &text, &site);
        if (!s.ok()) {
          // When cleaning, pass 2 reports it; counting alone, here.
          if (count_only_ && !options_.fields.skip_bad_records) {
            b->Fail(i, Status(s.code(), s.message() + options_.bad_record_hint));
            return;
          }
          ++b->bad_records;
          continue;
        }
        w.doc.Build(text);
        w.counter.AddDocument(site, w.doc);
      }
    };
    auto collect = [&](RecordBatch* batch) {
      count_bad_records_ += static_cast<CleanBatch*>(batch)->bad_records;
      return Status::Ok();
    };
    CHAFF_RETURN_IF_ERROR(RunPipeline(1, &reader, process, collect));
    if (count_only_) skipped_ = reader.skipped();
    for (size_t t = 1; t < workers.size(); ++t) workers[0].counter.Merge(workers[t].counter);
    if (count_only_) {
      counter_ = std::move(workers[0].counter);
    } else {
      templates_ = workers[0].counter.Finish();
    }
    result_.template_memory_bytes = 0;
    return Status::Ok();
  }

  // Cleans, renders and (with dedupe) sketches record i of a batch.
  void ProcessRecord(CleanWorker* w, CleanBatch* b, size_t i) const {
    DocInfo& info = b->docs[i];
    info = DocInfo();
    info.out_begin = b->out.size();
    std::string_view text;
    std::string site;
    info.status = Parse(w, *b, i, !options_.fields.id_field.empty(), &text, &site);
    const InputKind kind = inputs_[b->sources[i]].kind;
    const bool jsonl = kind == InputKind::kJsonl;
    if (!info.status.ok()) {
      // Passed through unchanged when bad records are skipped.
      b->out.append(b->Record(i));
      b->out.push_back('\n');
      info.out_end = b->out.size();
      if (attributes_) {
        static const CleanResult kNothing;
        RenderAttributes(w, b, i, std::string_view(), kNothing);
      }
      return;
    }
    if (jsonl && w->record.has_id) {
      info.has_id = true;
      info.id_hash = XXH3_64bits(w->record.id.data(), w->record.id.size());
      b->ids[i] = w->record.id;
    } else if (kind == InputKind::kWarc) {
      b->ids[i] = w->warc.id;  // for reports; unique by the standard, not checked
    }
    w->doc.Build(text);
    if (use_templates_) {
      index_->Flags(site, w->doc, &w->flags);
    } else {
      w->flags.clear();
    }
    cleaner_.Clean(w->doc, w->flags, &w->result);
    const CleanResult& r = w->result;
    info.accounting = r.accounting;
    info.text_bytes = text.size();
    info.lines = w->doc.num_lines();
    if (sketcher_) {
      // The cleaned text's tokens are the kept lines' tokens.
      w->kept_tokens.clear();
      const uint64_t* hashes = w->doc.tokens().hashes.data();
      for (size_t l = 0; l < r.decisions.size(); ++l) {
        if (r.decisions[l].reason != Reason::kKeep) continue;
        w->kept_tokens.insert(w->kept_tokens.end(), hashes + w->doc.token_begin(l),
                              hashes + w->doc.token_end(l));
      }
      sketcher_->SketchTokens(w->kept_tokens.data(), w->kept_tokens.size(),
                              &w->sketch_scratch, &w->sketch);
      const size_t k = static_cast<size_t>(dedupe_options_.num_hashes);
      const size_t bands = static_cast<size_t>(dedupe_options_.lsh.bands);
      std::copy(w->sketch.lanes.begin(), w->sketch.lanes.end(), b->lanes.begin() + i * k);
      std::copy(w->sketch.band_keys.begin(), w->sketch.band_keys.end(),
                b->keys.begin() + i * bands);
      info.empty_sketch = w->sketch.empty;
    }
    if (observer_) {
      b->texts[i].assign(text);
      b->results[i] = r;
    }
    if (attributes_) RenderAttributes(w, b, i, text, r);
    // Render.
    if (kind == InputKind::kWarc) {
      // {"id","url","date","text"} with the cleaned text, or with the text
      // as it is and the annotations before the closing brace.
      WarcDocument doc = w->warc;
      if (!options_.annotate) doc.text = r.cleaned;
      AppendWarcJson(doc, &b->out);
      if (options_.annotate) {
        b->out.pop_back();  // '}'
        b->out.append(",\"chaff\":");
        AppendAnnotationJson(r, &b->out);
        b->out.push_back('}');
      }
      b->out.push_back('\n');
    } else if (!jsonl) {
      if (options_.annotate) {
        AppendAnnotationJson(r, &b->out);
        b->out.push_back('\n');
      } else {
        b->out.append(r.cleaned);
      }
    } else if (!options_.annotate) {
      AppendRecordWithText(b->Record(i), w->record, r.cleaned, &b->out);
      b->out.push_back('\n');
    } else {
      // The record as it is, with a "chaff" member before its final '}'.
      const std::string_view line = b->Record(i);
      const size_t close = line.find_last_of('}');
      b->out.append(line.substr(0, close));
      b->out.append(",\"chaff\":");
      AppendAnnotationJson(r, &b->out);
      b->out.append(line.substr(close));
      b->out.push_back('\n');
    }
    info.out_end = b->out.size();
  }

  // Appends record i's id as JSON and its attribute line (but the
  // near-duplicate list, decided in order) to b->attrs. A bad record has an
  // empty `result` and no text; its id when one can be read, else null.
  void RenderAttributes(CleanWorker* w, CleanBatch* b, size_t i, std::string_view text,
                        const CleanResult& result) const {
    DocInfo& info = b->docs[i];
    const CorpusInput& in = inputs_[b->sources[i]];
    std::string& id = w->id_json;
    id.clear();
    if (in.kind == InputKind::kWarc) {
      AppendJsonString(w->warc.id, &id);
    } else if (in.kind != InputKind::kJsonl) {
      AppendJsonString(in.relative, &id);
    } else if (info.status.ok()) {
      // The id as the record has it: dolma matches ids as JSON values.
      if (!w->record.has_id) {
        id = "null";
      } else if (w->record.id_is_number) {
        id = w->record.id;
      } else {
        AppendJsonString(w->record.id, &id);
      }
    } else {
      std::string value;
      bool number = false;
      auto has = options_.fields.id_field.empty()
                     ? StatusOr<bool>(false)
                     : w->parser.ParseId(b->Record(i), options_.fields.id_field, &value, &number);
      if (!has.ok() || !*has) {
        id = "null";
      } else if (number) {
        id = value;
      } else {
        AppendJsonString(value, &id);
      }
    }
    info.id_begin = b->attrs.size();
    b->attrs.append(id);
    info.attr_begin = b->attrs.size();
    info.text_chars = AppendAttributesStart(id, text, result, &b->attrs);
    info.attr_end = b->attrs.size();
  }

  void ProcessBatch(CleanWorker* w, CleanBatch* b) const {
    const size_t n = b->size();
    b->out.clear();
    b->attrs.clear();
    b->docs.resize(n);
    b->ids.resize(n);
    for (auto& id : b->ids) id.clear();
    if (sketcher_) {
      b->lanes.resize(n * static_cast<size_t>(dedupe_options_.num_hashes));
      b->keys.resize(n * static_cast<size_t>(dedupe_options_.lsh.bands));
    }
    if (observer_) {
      b->texts.resize(n);
      b->results.resize(n);
    }
    for (size_t i = 0; i < n; ++i) {
      ProcessRecord(w, b, i);
      if (!b->docs[i].status.ok() && !options_.fields.skip_bad_records) {
        b->Fail(i, Status(b->docs[i].status.code(),
                          b->docs[i].status.message() + options_.bad_record_hint));
        return;
      }
    }
  }

  // --- Writing (in input order) ------------------------------------------

  // The output of input `source` (of inputs_), opened for its first byte.
  StatusOr<OutputFile*> OutputOf(uint32_t source) {
    if (plan_.mode != CleanOutputPlan::Mode::kTree) return shared_.get();
    CHAFF_RETURN_IF_ERROR(AdvanceTo(source));
    if (!own_) {
      CHAFF_ASSIGN_OR_RETURN(own_, OutputFile::Create(plan_.outputs[live_[source]]));
    }
    return own_.get();
  }

  // Tree outputs: commits the current input's output and moves to `source`;
  // JSONL inputs passed over without a record get an empty output.
  Status AdvanceTo(uint32_t source) {
    if (plan_.mode != CleanOutputPlan::Mode::kTree || source == current_) return Status::Ok();
    CHAFF_RETURN_IF_ERROR(CommitCurrent());
    for (uint32_t s = current_ + 1; s < source; ++s) {
      if (!WritesJsonl(inputs_[s].kind)) continue;
      CHAFF_ASSIGN_OR_RETURN(auto empty, OutputFile::Create(plan_.outputs[live_[s]]));
      CHAFF_RETURN_IF_ERROR(group_->Add(std::move(empty)));
    }
    current_ = source;
    if (source < inputs_.size() && WritesJsonl(inputs_[source].kind)) {
      CHAFF_ASSIGN_OR_RETURN(own_, OutputFile::Create(plan_.outputs[live_[source]]));
    }
    return Status::Ok();
  }

  Status CommitCurrent() {
    if (!own_) return Status::Ok();
    return group_->Add(std::move(own_));
  }

  // Attributes: the current input's file is committed and input `source`'s
  // opened; inputs passed over without a record (JSONL or WARC inputs
  // without documents) get an empty file, text files none (they were
  // skipped as binary). `source` == inputs_.size(): the end.
  Status AdvanceAttributesTo(uint32_t source) {
    CHAFF_RETURN_IF_ERROR(FlushAttributes());
    if (attr_file_) CHAFF_RETURN_IF_ERROR(group_->Add(std::move(attr_file_)));
    const uint32_t from = attr_current_ == kNoInput ? 0 : attr_current_ + 1;
    for (uint32_t s = from; s < source; ++s) {
      if (!WritesJsonl(inputs_[s].kind)) continue;
      CHAFF_ASSIGN_OR_RETURN(auto empty, OutputFile::Create(plan_.attributes[live_[s]]));
      CHAFF_RETURN_IF_ERROR(group_->Add(std::move(empty)));
    }
    attr_current_ = source;
    if (source < inputs_.size()) {
      CHAFF_ASSIGN_OR_RETURN(attr_file_, OutputFile::Create(plan_.attributes[live_[source]]));
    }
    return Status::Ok();
  }

  Status FlushAttributes() {
    if (attr_pending_.empty()) return Status::Ok();
    CHAFF_RETURN_IF_ERROR(attr_file_->Write(attr_pending_));
    attr_pending_.clear();
    return Status::Ok();
  }

  // Record i's attribute line, for input `source`. A record passed through
  // as bad (`passed_through`; a duplicate id too) has empty lists.
  Status AddAttributes(const CleanBatch& b, size_t i, uint32_t source, bool passed_through,
                       bool dropped, float similarity) {
    if (source != attr_current_) CHAFF_RETURN_IF_ERROR(AdvanceAttributesTo(source));
    const DocInfo& info = b.docs[i];
    const std::string_view attrs(b.attrs);
    if (passed_through && info.status.ok()) {
      // A duplicate id, found here: the document's spans do not apply.
      static const CleanResult kNothing;
      AppendAttributesStart(attrs.substr(info.id_begin, info.attr_begin - info.id_begin),
                            std::string_view(), kNothing, &attr_pending_);
      AppendAttributesEnd(0, false, 0.0f, &attr_pending_);
    } else {
      attr_pending_.append(attrs.substr(info.attr_begin, info.attr_end - info.attr_begin));
      AppendAttributesEnd(info.text_chars, dropped, similarity, &attr_pending_);
    }
    attr_pending_.push_back('\n');
    return Status::Ok();
  }

  // A dropped near-duplicate: every byte removed for that reason, and, with
  // annotations, one naming the document it duplicates.
  void DropDuplicate(const CleanBatch& b, size_t i, uint32_t rep, float similarity,
                     std::string* out) const {
    const DocInfo& info = b.docs[i];
    out->clear();
    if (!options_.annotate) return;
    std::string ann = "{\"bytes\":" + std::to_string(info.text_bytes) +
                      ",\"kept_bytes\":0,\"removed\":[";
    if (info.text_bytes > 0) {
      ann += "{\"start\":0,\"end\":" + std::to_string(info.text_bytes) +
             ",\"reason\":\"near_duplicate\",\"lines\":[1," + std::to_string(info.lines) + "]}";
    }
    char sim[32];
    std::snprintf(sim, sizeof(sim), "%.4f", static_cast<double>(similarity));
    ann += "],\"duplicate_of\":" + std::to_string(rep) + ",\"similarity\":" + sim + "}";
    const InputKind kind = inputs_[b.sources[i]].kind;
    if (!WritesJsonl(kind)) {
      *out = ann + "\n";
    } else {
      std::string_view line = b.Record(i);
      std::string warc_line;  // a WARC document as JSONL, its text as it is
      WarcDocument doc;
      if (kind == InputKind::kWarc && ParseWarcDocument(line, &doc)) {
        AppendWarcJson(doc, &warc_line);
        line = warc_line;
      }
      const size_t close = line.find_last_of('}');
      out->assign(line.substr(0, close));
      out->append(",\"chaff\":");
      out->append(ann);
      out->append(line.substr(close));
      out->push_back('\n');
    }
  }

  Status Collect(CleanBatch* b) {
    const size_t n = b->ok_size();
    const size_t k = static_cast<size_t>(dedupe_options_.num_hashes);
    const size_t bands = static_cast<size_t>(dedupe_options_.lsh.bands);
    // Runs of records going to one output unchanged are written at once.
    OutputFile* run_out = nullptr;
    size_t run_begin = 0, run_end = 0;
    auto flush = [&]() -> Status {
      if (run_out != nullptr && run_end > run_begin) {
        CHAFF_RETURN_IF_ERROR(
            run_out->Write(std::string_view(b->out).substr(run_begin, run_end - run_begin)));
        if (plan_.mode == CleanOutputPlan::Mode::kStream) stream_written_ = true;
      }
      run_out = nullptr;
      run_begin = run_end = 0;
      return Status::Ok();
    };
    std::string replaced;
    for (size_t i = 0; i < n; ++i) {
      const DocInfo& info = b->docs[i];
      const uint32_t source = b->sources[i];
      CleanFileReport& report = result_.files[live_[source]];
      Status status = info.status;
      if (status.ok() && info.has_id) {
        bool fresh = false;
        auto* first = ids_.Insert(info.id_hash, IdSeen{source, b->lines[i]}, &fresh);
        if (!fresh) {
          status = DataError("duplicate id \"" + b->ids[i] + "\" (first seen at " +
                             Where(inputs_, first->source, first->line) + ")");
          if (!options_.fields.skip_bad_records) {
            return Status(status.code(), Where(inputs_, source, b->lines[i]) + ": " +
                                             status.message() + options_.bad_record_hint);
          }
        }
      }
      const uint64_t index = doc_index_++;
      bool dropped = false;
      StarDeduper::Decision decision;
      if (stars_) {
        // Bad records are empty documents: never duplicates.
        const bool empty = !status.ok() || info.empty_sketch;
        CHAFF_ASSIGN_OR_RETURN(decision,
                               stars_->Add(b->lanes.data() + i * k, b->keys.data() + i * bands,
                                           empty, nullptr));
        dropped = status.ok() && decision.representative != decision.index;
      }
      std::string_view bytes = std::string_view(b->out).substr(info.out_begin,
                                                               info.out_end - info.out_begin);
      if (!status.ok()) {
        // Passed through unchanged (a duplicate id: its record as read).
        ++report.bad_records;
        if (info.status.ok()) {
          replaced.assign(b->Record(i));
          replaced.push_back('\n');
          bytes = replaced;
        }
      } else {
        ++report.documents;
        if (dropped) {
          ++report.duplicates;
          Accounting a;
          a.bytes[static_cast<size_t>(Reason::kNearDuplicate)] = info.text_bytes;
          a.lines[static_cast<size_t>(Reason::kNearDuplicate)] = info.lines;
          report.accounting += a;
          DropDuplicate(*b, i, decision.representative, decision.similarity, &replaced);
          bytes = replaced;
        } else {
          report.accounting += info.accounting;
        }
        if (observer_) {
          CleanedDocument d;
          d.index = index;
          const std::string name = Where(inputs_, source, b->lines[i]);
          d.name = name;
          d.id = b->ids[i];
          d.text = b->texts[i];
          CleanResult dropped_result;
          if (dropped) {
            dropped_result.accounting.bytes[static_cast<size_t>(Reason::kNearDuplicate)] =
                info.text_bytes;
            dropped_result.accounting.lines[static_cast<size_t>(Reason::kNearDuplicate)] =
                info.lines;
          }
          d.result = dropped ? &dropped_result : &b->results[i];
          d.duplicate_of = dropped ? int64_t{decision.representative} : -1;
          d.similarity = dropped ? decision.similarity : 0.0f;
          observer_(d);
        }
      }
      if (attributes_) {
        CHAFF_RETURN_IF_ERROR(AddAttributes(*b, i, source, !status.ok(), dropped,
                                            decision.similarity));
      }
      // A dropped text file is not written at all (absent from a tree).
      const bool text_input = !WritesJsonl(inputs_[source].kind);
      if (bytes.empty() && text_input && dropped) continue;
      // A tree's next input: what is pending goes to the current one first.
      if (plan_.mode == CleanOutputPlan::Mode::kTree && source != current_) {
        CHAFF_RETURN_IF_ERROR(flush());
      }
      CHAFF_ASSIGN_OR_RETURN(OutputFile* out, OutputOf(source));
      const bool contiguous = bytes.data() == b->out.data() + run_end && out == run_out;
      if (!contiguous) {
        CHAFF_RETURN_IF_ERROR(flush());
        if (bytes.data() >= b->out.data() && bytes.data() < b->out.data() + b->out.size()) {
          run_out = out;
          run_begin = info.out_begin;
          run_end = info.out_end;
        } else {
          CHAFF_RETURN_IF_ERROR(out->Write(bytes));
          if (plan_.mode == CleanOutputPlan::Mode::kStream) stream_written_ = true;
        }
      } else {
        run_end = info.out_end;
      }
    }
    if (attributes_) CHAFF_RETURN_IF_ERROR(FlushAttributes());
    return flush();
  }

  Status CleanPass() {
    ListLive();
    group_->Discard();  // a failed pass's outputs
    ids_.Reset(0);
    doc_index_ = 0;
    current_ = UINT32_MAX;
    own_.reset();
    for (auto& f : result_.files) {
      if (f.unreadable) continue;
      const std::string name = f.name;
      f = CleanFileReport();
      f.name = name;
    }
    if (options_.dedupe) stars_ = std::make_unique<StarDeduper>(dedupe_options_);
    if (plan_.mode != CleanOutputPlan::Mode::kTree) {
      CHAFF_ASSIGN_OR_RETURN(shared_, OutputFile::Create(plan_.path));
    } else {
      current_ = 0;
      // Inputs before the first record: JSONL (and WARC) ones get empty outputs.
      if (!inputs_.empty() && WritesJsonl(inputs_[0].kind)) {
        CHAFF_ASSIGN_OR_RETURN(own_, OutputFile::Create(plan_.outputs[live_[0]]));
      }
    }
    attr_file_.reset();
    attr_pending_.clear();
    attr_current_ = kNoInput;
    CorpusReader reader(&inputs_);
    reader.set_skip_bad_records(options_.fields.skip_bad_records);
    std::vector<CleanWorker> workers(static_cast<size_t>(threads_));
    auto process = [&](size_t worker, RecordBatch* batch) {
      ProcessBatch(&workers[worker], static_cast<CleanBatch*>(batch));
    };
    auto collect = [&](RecordBatch* batch) { return Collect(static_cast<CleanBatch*>(batch)); };
    CHAFF_RETURN_IF_ERROR(RunPipeline(2, &reader, process, collect));
    skipped_ = reader.skipped();
    result_.warc = reader.warc_counts();
    result_.read_warc = reader.read_warc();
    result_.warc_warnings = reader.bad_warc_messages();
    if (plan_.mode == CleanOutputPlan::Mode::kTree) {
      CHAFF_RETURN_IF_ERROR(AdvanceTo(static_cast<uint32_t>(inputs_.size())));
    } else {
      CHAFF_RETURN_IF_ERROR(group_->Add(std::move(shared_)));
    }
    if (attributes_) {
      CHAFF_RETURN_IF_ERROR(AdvanceAttributesTo(static_cast<uint32_t>(inputs_.size())));
    }
    return Status::Ok();
  }

  struct IdSeen {
    uint32_t source;
    uint64_t line;
  };

  OutputGroup* group_;  // the outputs, committed by the caller
  const std::vector<CorpusInput>& all_inputs_;
  const CleanOutputPlan& plan_;
  const CleanCorpusOptions& options_;
  const CleanProgressCallback& progress_;
  const CleanObserver& observer_;
  const Cleaner cleaner_;
  const int threads_;
  const bool use_templates_;
  uint64_t input_bytes_ = 0;
  CleanCorpusResult result_;
  std::vector<CorpusInput> inputs_;  // the live inputs
  std::vector<uint32_t> live_;       // their indexes in all_inputs_
  std::vector<uint32_t> skipped_;    // binary files (indexes in inputs_)
  int64_t failed_input_ = -1;        // of inputs_, after a failed pass
  TemplateIndex templates_;         // from pass 1
  const TemplateIndex* index_;      // templates_ or options_.counts
  bool count_only_ = false;         // CountCorpusTemplates
  TemplateCounter counter_{TemplateOptions()};  // count_only_: pass 1's counts
  uint64_t count_bad_records_ = 0;  // pass 1
  DedupeOptions dedupe_options_;
  std::unique_ptr<DedupeSketcher> sketcher_;
  std::unique_ptr<StarDeduper> stars_;
  internal::FlatMap64<IdSeen> ids_;  // id hash -> where first seen
  uint64_t doc_index_ = 0;
  std::unique_ptr<OutputFile> shared_;  // kStream / kJsonl
  std::unique_ptr<OutputFile> own_;     // kTree: the current input's
  uint32_t current_ = 0;                // kTree: the input being written
  bool stream_written_ = false;
  // Attributes (plan_.attributes): the current input's file, its lines not
  // yet written, and which input it is (kNoInput before the first).
  static constexpr uint32_t kNoInput = UINT32_MAX;
  const bool attributes_ = !plan_.attributes.empty();
  std::unique_ptr<OutputFile> attr_file_;
  std::string attr_pending_;
  uint32_t attr_current_ = kNoInput;
};

}  // namespace

StatusOr<CountCorpusResult> CountCorpusTemplates(const std::vector<CorpusInput>& inputs,
                                                 const CleanCorpusOptions& options,
                                                 const CleanProgressCallback& progress) {
  const CleanOutputPlan no_output;
  OutputGroup none;
  CleanEngine engine(inputs, no_output, options, progress, CleanObserver(), &none);
  return engine.RunCount();
}

Status ReadTemplateCounts(const std::string& path, TemplateCounter* counts,
                          uint32_t skip_below) {
  StatusOr<std::string> bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  Status s = counts->MergeSerialized(*bytes, skip_below);
  if (!s.ok()) return Status(s.code(), path + ": " + s.message());
  return Status::Ok();
}

StatusOr<uint64_t> WriteTemplateCounts(const TemplateCounter& counts, const std::string& path) {
  const std::string bytes = counts.Serialize();
  CHAFF_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path));
  CHAFF_RETURN_IF_ERROR(out->Write(bytes));
  CHAFF_RETURN_IF_ERROR(out->Commit());
  return static_cast<uint64_t>(bytes.size());
}

StatusOr<TemplateIndex> LoadTemplateCounts(const std::vector<std::string>& paths,
                                           const TemplateOptions& options) {
  CHAFF_RETURN_IF_ERROR(CheckCountsPaths(paths, std::string(kStdio), true));
  TemplateCounter counter(options);
  const uint32_t skip_below = paths.size() == 1 ? static_cast<uint32_t>(options.min_count) : 0;
  for (const auto& path : paths) {
    CHAFF_RETURN_IF_ERROR(ReadTemplateCounts(path, &counter, skip_below));
  }
  TemplateIndex index = counter.Finish();
  CHAFF_RETURN_IF_ERROR(CheckPrunedCounts(index));
  return index;
}

StatusOr<CleanCorpusResult> CleanCorpus(const std::vector<CorpusInput>& inputs,
                                        const CleanOutputPlan& plan,
                                        const CleanCorpusOptions& options,
                                        const CleanProgressCallback& progress,
                                        const CleanObserver& observer, OutputGroup* outputs) {
  if (plan.mode == CleanOutputPlan::Mode::kTree && plan.outputs.size() != inputs.size()) {
    return InvalidArgument("the output plan does not match the inputs");
  }
  if (options.counts != nullptr && options.templates.enabled) {
    CHAFF_RETURN_IF_ERROR(CheckPrunedCounts(*options.counts));
  }
  OutputGroup own;
  CleanEngine engine(inputs, plan, options, progress, observer, outputs ? outputs : &own);
  CHAFF_ASSIGN_OR_RETURN(CleanCorpusResult result, engine.Run());
  if (outputs == nullptr) CHAFF_RETURN_IF_ERROR(own.CommitAll());
  return result;
}

}  // namespace chaff
