// chaff._chaff: the Python binding (pybind11), a thin layer over the C++
// library. The GIL is released while the library works; texts are read in
// place (a str's UTF-8 form, a bytes object's buffer) without a copy;
// errors become Python exceptions carrying the library's message. The
// public names are re-exported by chaff/__init__.py; the stub is
// chaff/_chaff.pyi.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>

#include <algorithm>
#include <cstring>
#include <thread>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chaff/corpus/clean_corpus.h"
#include "chaff/corpus/dedupe.h"
#include "chaff/corpus/dedupe_output.h"
#include "chaff/corpus/sharded_dedupe.h"
#include "chaff/detect/clean.h"
#include "chaff/detect/templates.h"
#include "chaff/io/corpus_reader.h"
#include "chaff/io/files.h"
#include "chaff/sketch/lsh.h"
#include "chaff/sketch/minhash.h"
#include "chaff/sketch/shingle.h"
#include "chaff/text/tokenize.h"

namespace py = pybind11;

namespace chaff {
namespace python {
namespace {

// chaff.DataError (a ValueError): malformed input data or files. Raised
// from a Status, never translated from a C++ exception (the tag is unused).
struct DataErrorTag {};
PyObject* g_data_error = nullptr;

// Raises the Python exception for a failed status (GIL held).
void ThrowIfError(const Status& s) {
  if (s.ok()) return;
  PyObject* type = PyExc_RuntimeError;
  switch (s.code()) {
    case StatusCode::kOk: return;
    case StatusCode::kInvalidArgument: type = PyExc_ValueError; break;
    case StatusCode::kNotFound: type = PyExc_FileNotFoundError; break;
    case StatusCode::kDataError: type = g_data_error; break;
    case StatusCode::kIoError: type = PyExc_OSError; break;
    case StatusCode::kCancelled: type = PyExc_KeyboardInterrupt; break;
    case StatusCode::kBrokenPipe: type = PyExc_BrokenPipeError; break;
    case StatusCode::kInternal: type = PyExc_RuntimeError; break;
  }
  PyErr_SetString(type, s.message().c_str());
  throw py::error_already_set();
}

template <typename T>
T ValueOrThrow(StatusOr<T> v) {
  ThrowIfError(v.status());
  return std::move(*v);
}

// A text argument: a str (read as UTF-8) or a bytes object, viewed in place.
// The view stays valid while the object lives (the caller holds it).
struct Text {
  std::string_view view;
  bool is_bytes = false;
};

Text GetText(py::handle obj, const char* what) {
  Text t;
  if (PyUnicode_Check(obj.ptr())) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(obj.ptr(), &n);  // cached in the str
    if (p == nullptr) throw py::error_already_set();  // lone surrogates
    t.view = std::string_view(p, static_cast<size_t>(n));
    return t;
  }
  if (PyBytes_Check(obj.ptr())) {
    char* p = nullptr;
    Py_ssize_t n = 0;
    if (PyBytes_AsStringAndSize(obj.ptr(), &p, &n) != 0) throw py::error_already_set();
    t.view = std::string_view(p, static_cast<size_t>(n));
    t.is_bytes = true;
    return t;
  }
  throw py::type_error(std::string(what) + " must be str or bytes, not " +
                       std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
}

py::object ToPython(std::string_view s, bool as_bytes) {
  if (as_bytes) return py::bytes(s.data(), s.size());
  // Cleaned text is cut from the original at line boundaries, so it is
  // valid UTF-8 whenever the original was.
  return py::str(s.data(), s.size());
}

SketchMode ParseSketchMode(const std::string& sketch) {
  if (sketch == "oph") return SketchMode::kOnePermutation;
  if (sketch == "classic") return SketchMode::kClassic;
  throw py::value_error("sketch must be 'oph' or 'classic', got '" + sketch + "'");
}

// --- Cleaning ------------------------------------------------------------------------

// CleanOptions from keyword arguments named as the CLI's flags (without
// the dashes, '-' as '_').
CleanOptions CleanOptionsFromKwargs(const py::kwargs& kwargs) {
  CleanOptions o;
  for (const auto& item : kwargs) {
    const std::string key = py::str(item.first);
    const py::handle v = item.second;
    auto as_int = [&]() { return v.cast<int>(); };
    auto as_double = [&]() { return v.cast<double>(); };
    auto as_bool = [&]() { return v.cast<bool>(); };
    if (key == "chrome") {
      o.remove_chrome = as_bool();
    } else if (key == "repeats") {
      o.remove_repeats = as_bool();
    } else if (key == "min_repeat_tokens") {
      o.repeats.min_tokens = as_int();
    } else if (key == "repeat_containment") {
      o.repeats.containment = as_double();
    } else if (key == "near_repeats") {
      o.repeats.near = as_bool();
    } else if (key == "line_model") {
      // A model file written by tools/train/train_line_model.py, or None.
      if (v.is_none()) {
        o.lines.model = nullptr;
        continue;
      }
      auto model = LineModel::Load(py::str(v).cast<std::string>());
      ThrowIfError(model.status());
      o.lines.model = *model;
    } else {
      throw py::type_error("unexpected keyword argument '" + key + "'");
    }
  }
  if (o.repeats.min_tokens < 1) throw py::value_error("min_repeat_tokens must be >= 1");
  if (!(o.repeats.containment > 0.0 && o.repeats.containment <= 1.0)) {
    throw py::value_error("repeat_containment must be in (0, 1]");
  }
  return o;
}

struct PySpan {
  uint64_t begin = 0;
  uint64_t end = 0;
  std::string reason;
  int first_line = 0;
  int last_line = 0;
  py::object repeats;  // 1-based line of the first occurrence, or None
};

struct PyCleanResult {
  py::object text;
  std::vector<PySpan> spans;
  py::dict accounting;
  uint64_t kept_bytes = 0;
  uint64_t removed_bytes = 0;
};

struct PyLine {
  int number = 0;
  std::string reason;
  float score = 0;
  py::object repeats;
  py::object text;
};

PyCleanResult ToPyResult(const CleanResult& r, bool is_bytes) {
  PyCleanResult out;
  out.text = ToPython(r.cleaned, is_bytes);
  for (const RemovedSpan& sp : r.spans) {
    PySpan p;
    p.begin = sp.begin;
    p.end = sp.end;
    p.reason = std::string(ReasonName(sp.reason));
    p.first_line = sp.first_line + 1;
    p.last_line = sp.last_line + 1;
    p.repeats = sp.ref_line >= 0 ? py::object(py::int_(sp.ref_line + 1)) : py::none();
    out.spans.push_back(std::move(p));
  }
  for (int i = 0; i < kNumReasons; ++i) {
    const auto k = static_cast<size_t>(i);
    py::dict entry;
    entry["lines"] = r.accounting.lines[k];
    entry["bytes"] = r.accounting.bytes[k];
    out.accounting[py::str(std::string(ReasonName(static_cast<Reason>(i))))] = entry;
  }
  out.kept_bytes = r.accounting.kept_bytes();
  out.removed_bytes = r.accounting.removed_bytes();
  return out;
}

// Per-site line counts for template lines (pass 1 of chaff clean), made
// from documents (add) or counts files (load), mergeable, saved as a
// counts file (chaff count's format).
class PyTemplateCounts {
 public:
  PyTemplateCounts() = default;

  // Every method takes mu_ with the GIL released (never the other way
  // round): one object may be shared by Python threads.
  void Add(py::handle text_obj, const std::string& url) {
    const Text t = GetText(text_obj, "text");
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    counter_.AddDocument(SiteFromUrl(url), t.view);
  }
  void Merge(const PyTemplateCounts& other) {
    if (&other == this) throw py::value_error("cannot merge counts with themselves");
    bool pruned = false;
    {
      py::gil_scoped_release nogil;
      std::scoped_lock lock(mu_, other.mu_);
      pruned = other.counter_.pruned_below() > 0 || counter_.pruned_below() > 0;
      if (!pruned) counter_.Merge(other.counter_);
    }
    if (pruned) throw py::value_error("pruned counts (merge_counts(min_count=...)) cannot be merged");
  }
  void Load(const std::string& path) {
    Status st;
    {
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      st = ReadTemplateCounts(path, &counter_);
    }
    ThrowIfError(st);
  }
  void Save(const std::string& path) const {
    Status st;
    {
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      st = WriteTemplateCounts(counter_, path).status();
    }
    ThrowIfError(st);
  }
  py::bytes ToBytes() const {
    std::string b;
    {
      py::gil_scoped_release nogil;
      std::lock_guard<std::mutex> lock(mu_);
      b = counter_.Serialize();
    }
    return py::bytes(b);
  }
  void MergeBytes(const py::bytes& data) {
    const std::string_view v(PyBytes_AS_STRING(data.ptr()),
                             static_cast<size_t>(PyBytes_GET_SIZE(data.ptr())));
    Status st;
    {
      py::gil_scoped_release nogil;  // `data` is held by the caller
      std::lock_guard<std::mutex> lock(mu_);
      st = counter_.MergeSerialized(v);
    }
    ThrowIfError(st);
  }
  // f() under the lock, the GIL released.
  template <typename F>
  auto Locked(F f) const {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    return f();
  }
  uint64_t documents() const { return Locked([this] { return counter_.documents(); }); }
  size_t sites() const { return Locked([this] { return counter_.sites(); }); }
  size_t pairs() const { return Locked([this] { return counter_.pairs(); }); }
  // The index with `options`' thresholds (a copy of the counts).
  std::shared_ptr<const TemplateIndex> Index(const TemplateOptions& options) const {
    py::gil_scoped_release nogil;
    std::lock_guard<std::mutex> lock(mu_);
    TemplateCounter copy(options);
    copy.Merge(counter_, static_cast<uint32_t>(options.min_count));
    return std::make_shared<const TemplateIndex>(copy.Finish());
  }

 private:
  mutable std::mutex mu_;
  TemplateCounter counter_{TemplateOptions()};
};

// A path argument: str, bytes or os.PathLike.
std::string PathOf(py::handle obj) {
  return py::str(py::module_::import("os").attr("fsdecode")(obj)).cast<std::string>();
}

// Counts files: one path (str, os.PathLike) or a sequence of them.
std::vector<std::string> PathsOf(py::handle obj) {
  std::vector<std::string> paths;
  if (py::isinstance<py::str>(obj) || py::isinstance<py::bytes>(obj) ||
      py::hasattr(obj, "__fspath__")) {
    paths.push_back(PathOf(obj));
    return paths;
  }
  for (py::handle item : py::iter(obj)) paths.push_back(PathOf(item));
  return paths;
}

// The template options among `kwargs` (taken out of it): template_min_documents,
// template_min_count, template_min_share.
TemplateOptions TakeTemplateOptions(py::dict* kwargs) {
  TemplateOptions t;
  if (kwargs->contains("template_min_documents")) {
    t.min_documents = (*kwargs)["template_min_documents"].cast<int>();
    PyDict_DelItemString(kwargs->ptr(), "template_min_documents");
  }
  if (kwargs->contains("template_min_count")) {
    t.min_count = (*kwargs)["template_min_count"].cast<int>();
    PyDict_DelItemString(kwargs->ptr(), "template_min_count");
  }
  if (kwargs->contains("template_min_share")) {
    t.min_share = (*kwargs)["template_min_share"].cast<double>();
    PyDict_DelItemString(kwargs->ptr(), "template_min_share");
  }
  if (t.min_documents < 1) throw py::value_error("template_min_documents must be >= 1");
  if (t.min_count < 1) throw py::value_error("template_min_count must be >= 1");
  if (!(t.min_share >= 0.0 && t.min_share <= 1.0)) {
    throw py::value_error("template_min_share must be in [0, 1]");
  }
  return t;
}

class PyCleaner {
 public:
  explicit PyCleaner(const py::kwargs& given) {
    py::dict kwargs;
    for (const auto& item : given) kwargs[item.first] = item.second;
    const TemplateOptions templates = TakeTemplateOptions(&kwargs);
    py::object counts = py::none();
    if (kwargs.contains("counts")) {
      counts = kwargs["counts"];
      PyDict_DelItemString(kwargs.ptr(), "counts");
    }
    // The options first: a misspelt one fails before any file is read.
    py::kwargs rest;
    for (const auto& item : kwargs) rest[item.first] = item.second;
    cleaner_ = std::make_unique<Cleaner>(CleanOptionsFromKwargs(rest));
    if (counts.is_none()) return;
    if (py::isinstance<PyTemplateCounts>(counts)) {
      templates_ = counts.cast<const PyTemplateCounts&>().Index(templates);
      ThrowIfError(CheckPrunedCounts(*templates_));
      return;
    }
    // A counts file, or a list of them (added up).
    const std::vector<std::string> paths = PathsOf(counts);
    StatusOr<TemplateIndex> loaded = Status(StatusCode::kInternal, "not run");
    {
      py::gil_scoped_release nogil;
      loaded = LoadTemplateCounts(paths, templates);
    }
    ThrowIfError(loaded.status());
    templates_ = std::make_shared<const TemplateIndex>(std::move(*loaded));
  }

  PyCleanResult Clean(py::handle text_obj, const py::object& url) const {
    const Text t = GetText(text_obj, "text");
    const std::string site = SiteOf(url);
    CleanResult r;
    {
      py::gil_scoped_release nogil;
      CleanOne(t.view, site, &r);
    }
    return ToPyResult(r, t.is_bytes);
  }

  // Cleans a batch on `threads` threads (0: every core), GIL released.
  std::vector<PyCleanResult> CleanBatch(const py::sequence& texts, const py::object& urls,
                                        int threads) const {
    const size_t n = texts.size();
    std::vector<Text> views(n);
    std::vector<py::object> held(n);
    for (size_t i = 0; i < n; ++i) {
      held[i] = texts[i];
      views[i] = GetText(held[i], ("texts[" + std::to_string(i) + "]").c_str());
    }
    std::vector<std::string> sites(n);
    if (!urls.is_none()) {
      const py::sequence u = urls.cast<py::sequence>();
      if (u.size() != n) throw py::value_error("urls must have one entry per text");
      for (size_t i = 0; i < n; ++i) sites[i] = SiteOf(u[i]);
    }
    if (threads < 0) throw py::value_error("threads must be >= 0");
    std::vector<CleanResult> results(n);
    {
      py::gil_scoped_release nogil;
      const size_t cores = std::max(1u, std::thread::hardware_concurrency());
      size_t workers = threads > 0 ? std::min(static_cast<size_t>(threads), cores) : cores;
      workers = std::max<size_t>(1, std::min(workers, n));
      std::atomic<size_t> next{0};
      auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < n;) CleanOne(views[i].view, sites[i], &results[i]);
      };
      std::vector<std::thread> pool;
      for (size_t w = 1; w < workers; ++w) {
        try {
          pool.emplace_back(work);
        } catch (const std::system_error&) {
          break;  // the threads started (this one at least) do all the work
        }
      }
      work();
      for (auto& th : pool) th.join();
    }
    std::vector<PyCleanResult> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(ToPyResult(results[i], views[i].is_bytes));
    return out;
  }

  std::vector<PyLine> Explain(py::handle text_obj, const py::object& url) const {
    const Text t = GetText(text_obj, "text");
    const std::string site = SiteOf(url);
    CleanResult r;
    {
      py::gil_scoped_release nogil;
      CleanOne(t.view, site, &r);
    }
    std::vector<PyLine> lines;
    lines.reserve(r.lines.size());
    for (size_t i = 0; i < r.lines.size(); ++i) {
      const LineDecision& d = r.decisions[i];
      PyLine l;
      l.number = static_cast<int>(i + 1);
      l.reason = std::string(ReasonName(d.reason));
      l.score = d.content;
      l.repeats = d.reason == Reason::kRepeat && d.ref_line >= 0
                      ? py::object(py::int_(d.ref_line + 1))
                      : py::none();
      l.text = ToPython(LineText(t.view, r.lines[i]), t.is_bytes);
      lines.push_back(std::move(l));
    }
    return lines;
  }

  bool has_counts() const { return templates_ != nullptr; }

 private:
  static std::string SiteOf(const py::handle& url) {
    if (url.is_none()) return std::string();
    return SiteFromUrl(py::str(url).cast<std::string>());
  }

  // Without counts: the text alone. With them: its template lines too
  // (the site of its URL; "" without one), as chaff clean --counts does.
  void CleanOne(std::string_view text, const std::string& site, CleanResult* r) const {
    if (!templates_) {
      cleaner_->Clean(text, r);
      return;
    }
    thread_local Document doc;
    thread_local TemplateFlags flags;
    doc.Build(text);
    templates_->Flags(site, doc, &flags);
    cleaner_->Clean(doc, flags, r);
  }

  std::unique_ptr<Cleaner> cleaner_;
  std::shared_ptr<const TemplateIndex> templates_;
};

// --- Corpus files (the engine behind chaff clean and chaff count) -------------------

// --- Sketches and dedupe -------------------------------------------------------------

py::array_t<uint32_t> Signature(py::handle text_obj, int num_hashes, const std::string& sketch,
                                int shingle_width) {
  if (num_hashes < 1 || num_hashes > 4096) throw py::value_error("num_hashes must be in [1, 4096]");
  if (shingle_width < 1 || shingle_width > 64) throw py::value_error("shingle_width must be in [1, 64]");
  const SketchMode mode = ParseSketchMode(sketch);
  const Text t = GetText(text_obj, "text");
  py::array_t<uint32_t> sig(num_hashes);
  uint32_t* out = sig.mutable_data();
  {
    py::gil_scoped_release nogil;
    Tokens tokens;
    Tokenize(t.view, kDefaultTokenSeed, &tokens);
    std::vector<uint64_t> shingles;
    Shingles(tokens.hashes.data(), tokens.size(), shingle_width, &shingles);
    MinHasher(num_hashes, mode).Sketch(shingles.data(), shingles.size(), out);
  }
  return sig;
}

py::array_t<uint32_t> BandKeysOf(py::array_t<uint32_t, py::array::c_style | py::array::forcecast> sig,
                                 int bands, int rows) {
  if (sig.ndim() != 1) throw py::value_error("signature must be one-dimensional");
  const auto k = static_cast<int>(sig.shape(0));
  ThrowIfError(ValidateLshParams(LshParams{bands, rows}, k).WithPrefix("bands/rows"));
  if (IsEmptySketch(sig.data(), k)) {
    throw py::value_error("the signature is empty (a text without words): it has no band keys "
                          "and matches nothing");
  }
  py::array_t<uint32_t> keys(bands);
  BandKeys(sig.data(), LshParams{bands, rows}, keys.mutable_data());
  return keys;
}

py::tuple LshParamsFor(double threshold, int num_hashes, double fn_weight) {
  const LshParams p = ValueOrThrow(
      OptimalLshParams(threshold, num_hashes, LshWeights{1.0 - fn_weight, fn_weight}));
  return py::make_tuple(p.bands, p.rows);
}

DedupeOptions MakeDedupeOptions(double threshold, int num_hashes, const std::string& sketch,
                                int shingle_width, int bands, int rows, double fn_weight,
                                bool exact, bool split_chains, int threads) {
  if ((bands == 0) != (rows == 0)) throw py::value_error("bands and rows go together");
  DedupeOptions o;
  o.threshold = threshold;
  o.num_hashes = num_hashes;
  o.sketch_mode = ParseSketchMode(sketch);
  o.shingle_width = shingle_width;
  o.lsh = LshParams{bands, rows};
  o.lsh_weights = LshWeights{1.0 - fn_weight, fn_weight};
  o.exact = exact;
  o.split_chains = split_chains;
  o.threads = threads;
  return ValueOrThrow(ResolveDedupeOptions(o));
}

struct PyDedupeResult {
  py::array_t<uint32_t> representative;
  py::array_t<float> similarity;
  py::array_t<bool> kept;
  uint64_t documents = 0;
  uint64_t removed = 0;
  uint64_t duplicate_clusters = 0;
  uint64_t empty_documents = 0;
  int bands = 0;
  int rows = 0;
};

PyDedupeResult Dedupe(py::iterable texts_obj, double threshold, int num_hashes,
                      const std::string& sketch, int shingle_width, int bands, int rows,
                      double fn_weight, bool exact, bool split_chains, int threads) {
  const DedupeOptions o = MakeDedupeOptions(threshold, num_hashes, sketch, shingle_width, bands,
                                            rows, fn_weight, exact, split_chains, threads);
  // The objects are held (so their buffers stay valid) while C++ reads them.
  std::vector<py::object> held;
  std::vector<std::string_view> texts;
  for (py::handle h : texts_obj) {
    held.push_back(py::reinterpret_borrow<py::object>(h));
    texts.push_back(GetText(h, "every text").view);
  }
  StatusOr<DedupeResult> r = Status(StatusCode::kInternal, "not run");
  {
    py::gil_scoped_release nogil;
    r = DedupeTexts(texts, o);
  }
  ThrowIfError(r.status());
  const size_t n = r->representative.size();
  PyDedupeResult out;
  out.representative = py::array_t<uint32_t>(static_cast<py::ssize_t>(n));
  out.similarity = py::array_t<float>(static_cast<py::ssize_t>(n));
  out.kept = py::array_t<bool>(static_cast<py::ssize_t>(n));
  if (n > 0) {
    std::memcpy(out.representative.mutable_data(), r->representative.data(), n * sizeof(uint32_t));
    std::memcpy(out.similarity.mutable_data(), r->similarity.data(), n * sizeof(float));
  }
  bool* kept = out.kept.mutable_data();
  for (size_t i = 0; i < n; ++i) kept[i] = r->Kept(i);
  out.documents = r->documents;
  out.removed = r->removed;
  out.duplicate_clusters = r->duplicate_clusters;
  out.empty_documents = r->empty_documents;
  out.bands = r->lsh.bands;
  out.rows = r->lsh.rows;
  return out;
}

// --- Sharded dedupe (the stages behind chaff sketch / cluster / apply) -----------------

// A shard as a tuple (path, name, relative, from_walk), picklable for Dask.
using ShardTuple = std::tuple<std::string, std::string, std::string, bool>;

std::vector<ShardTuple> ListShards(const std::vector<std::string>& paths) {
  std::vector<std::string> warnings;
  StatusOr<std::vector<CorpusInput>> inputs = Status(StatusCode::kInternal, "not run");
  {
    py::gil_scoped_release nogil;
    inputs = ListCorpusInputs(paths, &warnings);
  }
  ThrowIfError(inputs.status());
  if (!warnings.empty()) {
    auto warn = py::module_::import("warnings").attr("warn");
    for (const auto& w : warnings) warn(w);
  }
  std::vector<ShardTuple> out;
  for (const auto& in : *inputs) out.emplace_back(in.path, in.name, in.relative, in.from_walk);
  return out;
}

std::vector<CorpusInput> ToInputs(const std::vector<ShardTuple>& shards) {
  std::vector<CorpusInput> inputs;
  for (const auto& [path, name, relative, from_walk] : shards) {
    CorpusInput in;
    in.path = path;
    in.name = name;
    in.relative = relative;
    in.from_walk = from_walk;
    in.kind = KindOfPath(path);
    inputs.push_back(std::move(in));
  }
  return inputs;
}

py::dict SketchShardsPy(const std::vector<ShardTuple>& shards, const std::string& output_dir,
                        std::optional<std::vector<uint32_t>> only, double threshold,
                        int num_hashes, const std::string& sketch, int shingle_width, int bands,
                        int rows, double fn_weight, const std::string& text_field,
                        const std::string& id_field, bool skip_bad_records, int threads) {
  SketchShardsOptions o;
  o.dedupe = MakeDedupeOptions(threshold, num_hashes, sketch, shingle_width, bands, rows,
                               fn_weight, false, true, threads);
  o.fields.text_field = text_field;
  o.fields.id_field = id_field;
  o.fields.skip_bad_records = skip_bad_records;
  o.output_dir = output_dir;
  if (only) {
    if (only->empty()) throw py::value_error("only: an empty list of shards");
    o.only = *only;
  }
  const std::vector<CorpusInput> inputs = ToInputs(shards);
  auto bad = std::make_shared<std::atomic<uint64_t>>(0);
  std::vector<std::string> warnings;
  StatusOr<SketchShardsStats> stats = Status(StatusCode::kInternal, "not run");
  {
    py::gil_scoped_release nogil;
    stats = SketchShards(inputs, o, {}, bad, &warnings);
  }
  ThrowIfError(stats.status());
  py::dict d;
  d["shards"] = stats->shards;
  d["documents"] = stats->documents;
  d["input_bytes"] = stats->input_bytes;
  d["sketch_bytes"] = stats->sketch_bytes;
  d["bad_records"] = bad->load();
  d["bands"] = stats->lsh.bands;
  d["rows"] = stats->lsh.rows;
  d["warnings"] = warnings;
  return d;
}

py::dict ClusterPy(const std::vector<std::string>& paths, const std::string& decisions,
                   const std::string& clusters, bool split_chains, int threads) {
  ClusterOptions o;
  o.decisions = decisions;
  o.clusters = clusters;
  o.split_chains = split_chains;
  o.threads = threads;
  StatusOr<ClusterStats> stats = Status(StatusCode::kInternal, "not run");
  {
    py::gil_scoped_release nogil;
    StatusOr<std::vector<std::string>> files = FindSketchFiles(paths);
    stats = files.ok() ? ClusterSketches(*files, o) : StatusOr<ClusterStats>(files.status());
  }
  ThrowIfError(stats.status());
  const DedupeResult& r = stats->result;
  py::dict d;
  d["shards"] = stats->shards;
  d["sketch_bytes"] = stats->sketch_bytes;
  d["documents"] = r.documents;
  d["removed"] = r.removed;
  d["duplicate_clusters"] = r.duplicate_clusters;
  d["empty_documents"] = r.empty_documents;
  d["kept"] = r.documents - r.removed;
  return d;
}

py::dict ApplyPy(const std::string& decisions, const std::vector<ShardTuple>& shards,
                 const std::string& output) {
  const std::vector<CorpusInput> inputs = ToInputs(shards);
  DedupeOutputOptions out;
  out.output = output;
  StatusOr<DedupeWriteStats> stats = Status(StatusCode::kInternal, "not run");
  {
    py::gil_scoped_release nogil;
    stats = ApplyDecisions(decisions, inputs, out);
  }
  ThrowIfError(stats.status());
  py::dict d;
  d["documents"] = stats->documents;
  d["kept"] = stats->kept;
  d["bytes_written"] = stats->bytes_written;
  return d;
}

void CheckOutputPy(const std::vector<ShardTuple>& shards, const std::string& output,
                   const std::string& clusters) {
  DedupeOutputOptions out;
  out.output = output;
  out.clusters = clusters;
  ThrowIfError(CheckDedupeOutputs(ToInputs(shards), out));
}

// Writes the files `parts` one after the other to `output` (atomically;
// compressed as its extension says; "-": stdout).
uint64_t Concatenate(const std::vector<std::string>& parts, const std::string& output) {
  Status s;
  uint64_t written = 0;
  {
    py::gil_scoped_release nogil;
    s = [&]() -> Status {
      CHAFF_ASSIGN_OR_RETURN(auto out, OutputFile::Create(output));
      std::string buf(size_t{4} << 20, '\0');
      for (const auto& part : parts) {
        CHAFF_ASSIGN_OR_RETURN(auto in, OpenSource(part));
        if (in->compression() != Compression::kNone) {
          return InvalidArgument(part + ": a part must not be compressed");
        }
        for (;;) {
          CHAFF_ASSIGN_OR_RETURN(const size_t got, in->Read(buf.data(), buf.size()));
          if (got == 0) break;
          CHAFF_RETURN_IF_ERROR(out->Write(std::string_view(buf.data(), got)));
          written += got;
        }
      }
      return out->Commit();
    }();
  }
  ThrowIfError(s);
  return written;
}

// --- Sharded clean (the stages behind chaff count / chaff clean --counts) ------------

py::dict FileReportsToDict(const std::vector<CleanFileReport>& files) {
  py::list unreadable, skipped;
  for (const auto& f : files) {
    if (f.unreadable) unreadable.append(py::make_tuple(f.name, f.error.message()));
    if (f.skipped) skipped.append(f.name);
  }
  py::dict d;
  d["unreadable"] = unreadable;
  d["skipped"] = skipped;
  return d;
}

py::dict CountShardsPy(const std::vector<ShardTuple>& shards, const std::string& output,
                       const std::string& text_field, const std::string& site_field,
                       bool skip_bad_records, int threads) {
  const std::vector<CorpusInput> inputs = ToInputs(shards);
  {
    std::vector<std::string> paths;
    for (const auto& in : inputs) paths.push_back(in.path);
    ThrowIfError(CheckCountsPaths(paths, output, false));
  }
  CleanCorpusOptions o;
  o.fields.text_field = text_field;
  o.fields.skip_bad_records = skip_bad_records;
  o.site_field = site_field;
  o.threads = threads;
  StatusOr<CountCorpusResult> r = Status(StatusCode::kInternal, "not run");
  StatusOr<uint64_t> written = uint64_t{0};
  {
    py::gil_scoped_release nogil;
    r = CountCorpusTemplates(inputs, o);
    if (r.ok() && r->unreadable == 0) written = WriteTemplateCounts(r->counts, output);
  }
  ThrowIfError(r.status());
  for (const auto& f : r->files) {
    if (f.unreadable) ThrowIfError(f.error);  // a shard must be read whole
  }
  ThrowIfError(written.status());
  py::dict d = FileReportsToDict(r->files);
  d["documents"] = r->documents;
  d["bad_records"] = r->bad_records;
  d["input_bytes"] = r->bytes;
  d["sites"] = r->counts.sites();
  d["pairs"] = r->counts.pairs();
  d["counts_bytes"] = *written;
  return d;
}

py::dict MergeCountsPy(const std::vector<std::string>& paths, const std::string& output,
                       uint32_t min_count) {
  StatusOr<MergeCountsStats> stats = Status(StatusCode::kInternal, "not run");
  {
    py::gil_scoped_release nogil;
    stats = MergeTemplateCountsFiles(paths, output, min_count);
  }
  ThrowIfError(stats.status());
  py::dict d;
  d["documents"] = stats->documents;
  d["sites"] = stats->sites;
  d["pairs"] = stats->pairs;
  d["pairs_written"] = stats->pairs_written;
  d["counts_bytes"] = stats->bytes;
  return d;
}

void CheckCleanOutputPy(const std::vector<ShardTuple>& shards, const std::string& output,
                        bool annotate) {
  ThrowIfError(PlanCleanOutputs(ToInputs(shards), output, annotate).status());
}

py::dict CleanShardsPy(const std::vector<ShardTuple>& shards, const std::string& output,
                       const py::object& counts, bool annotate, bool templates, bool dedupe,
                       double dedupe_threshold, const std::string& text_field,
                       const std::string& id_field, const std::string& site_field,
                       bool skip_bad_records, int threads, const py::kwargs& kwargs) {
  py::dict options;
  for (const auto& item : kwargs) options[item.first] = item.second;
  CleanCorpusOptions o;
  o.templates = TakeTemplateOptions(&options);
  o.templates.enabled = templates;
  py::kwargs rest;
  for (const auto& item : options) rest[item.first] = item.second;
  o.clean = CleanOptionsFromKwargs(rest);
  o.fields.text_field = text_field;
  o.fields.id_field = id_field;
  o.fields.skip_bad_records = skip_bad_records;
  o.site_field = site_field;
  o.annotate = annotate;
  o.dedupe = dedupe;
  o.dedupe_options.threshold = dedupe_threshold;
  o.threads = threads;
  std::vector<std::string> count_paths;
  if (!counts.is_none()) {
    count_paths = PathsOf(counts);
    if (!templates) throw py::value_error("counts with templates=False: they would not be used");
  }
  const std::vector<CorpusInput> inputs = ToInputs(shards);
  StatusOr<CleanCorpusResult> r = Status(StatusCode::kInternal, "not run");
  {
    py::gil_scoped_release nogil;
    TemplateIndex index;
    r = [&]() -> StatusOr<CleanCorpusResult> {
      if (!count_paths.empty()) {
        CHAFF_ASSIGN_OR_RETURN(index, LoadTemplateCounts(count_paths, o.templates));
        o.counts = &index;
      }
      CHAFF_ASSIGN_OR_RETURN(CleanOutputPlan plan, PlanCleanOutputs(inputs, output, annotate));
      CHAFF_RETURN_IF_ERROR(CheckCountsNotOverwritten(plan, count_paths));
      return CleanCorpus(inputs, plan, o);
    }();
  }
  ThrowIfError(r.status());
  for (const auto& f : r->files) {
    if (f.unreadable) ThrowIfError(f.error);
  }
  py::dict d = FileReportsToDict(r->files);
  uint64_t bad = 0, dups = 0;
  Accounting total;
  for (const auto& f : r->files) {
    bad += f.bad_records;
    dups += f.duplicates;
    total += f.accounting;
  }
  d["documents"] = r->documents;
  d["input_bytes"] = r->bytes;
  d["bad_records"] = bad;
  d["near_duplicates"] = dups;
  d["kept_bytes"] = total.kept_bytes();
  d["removed_bytes"] = total.removed_bytes();
  return d;
}

}  // namespace
}  // namespace python
}  // namespace chaff

PYBIND11_MODULE(_chaff, m) {
  using namespace chaff::python;  // NOLINT
  namespace c = chaff;
  m.doc() =
      "chaff's C++ core: cleaning (site chrome, repeated paragraphs), MinHash signatures "
      "and LSH band keys, near-duplicate detection over batches, and the stages of a "
      "sharded dedupe. Use it through the `chaff` package.";

  static py::exception<DataErrorTag> data_error(m, "DataError", PyExc_ValueError);
  g_data_error = data_error.ptr();
  data_error.attr("__doc__") =
      "Input data or a chaff file is malformed (bad JSON, a truncated or corrupt sketch "
      "file, ...). A ValueError; the message names the file (and line).";

  m.attr("DEFAULT_NUM_HASHES") = c::kDefaultDedupeNumHashes;
  m.attr("DEFAULT_SHINGLE_WIDTH") = c::kDefaultShingleWidth;
  m.attr("DEFAULT_FN_WEIGHT") = c::kDefaultDedupeLshWeights.false_negative;
  m.attr("DEFAULT_TEMPLATE_MIN_COUNT") = c::TemplateOptions().min_count;
  m.attr("SIMD_TARGET") = std::string(c::SimdTargetName());

  py::class_<PySpan>(m, "Span", "A removed byte range [begin, end) of the original text (as UTF-8 for a str).")
      .def_readonly("begin", &PySpan::begin, "First byte removed.")
      .def_readonly("end", &PySpan::end, "One past the last byte removed.")
      .def_readonly("reason", &PySpan::reason, "'chrome', 'template', 'repeat' or 'near_duplicate'.")
      .def_readonly("first_line", &PySpan::first_line, "First line removed (1-based).")
      .def_readonly("last_line", &PySpan::last_line, "Last line removed (1-based).")
      .def_readonly("repeats", &PySpan::repeats,
                    "For a repeat: the line (1-based) of the first occurrence of first_line; else None.")
      .def("__repr__", [](const PySpan& s) {
        return "Span(" + std::to_string(s.begin) + ", " + std::to_string(s.end) + ", '" + s.reason +
               "', lines " + std::to_string(s.first_line) + "-" + std::to_string(s.last_line) + ")";
      });

  py::class_<PyCleanResult>(m, "CleanResult", "What chaff.clean() returns.")
      .def_readonly("text", &PyCleanResult::text,
                    "The cleaned text: the original minus the removed spans (str or bytes, as given).")
      .def_readonly("spans", &PyCleanResult::spans, "The removed spans, in order (list of Span).")
      .def_readonly("accounting", &PyCleanResult::accounting,
                    "Per reason ('keep', 'chrome', ...): {'lines': n, 'bytes': n}. The bytes of all "
                    "reasons add up to the input's size.")
      .def_readonly("kept_bytes", &PyCleanResult::kept_bytes, "Bytes kept.")
      .def_readonly("removed_bytes", &PyCleanResult::removed_bytes, "Bytes removed.");

  py::class_<PyLine>(m, "ExplainedLine", "One line of a document with chaff's decision (chaff.explain()).")
      .def_readonly("number", &PyLine::number, "Line number (1-based).")
      .def_readonly("reason", &PyLine::reason, "'keep', or why the line is removed.")
      .def_readonly("score", &PyLine::score,
                    "The line model's probability that the line is content (-1 for a blank line).")
      .def_readonly("repeats", &PyLine::repeats, "For a repeat: the line (1-based) it repeats; else None.")
      .def_readonly("text", &PyLine::text, "The line, without its line ending.")
      .def("__repr__", [](const PyLine& l) {
        return "ExplainedLine(" + std::to_string(l.number) + ", '" + l.reason + "')";
      });

  py::class_<PyTemplateCounts>(m, "TemplateCounts",
                               R"doc(Per-site line counts: what decides template lines.

Made from documents (add(text, url)) or from counts files written by
`chaff count` (load(path)); counts add up (merge), whatever the order, and
save as a counts file. Give them to Cleaner(counts=...) to remove the
template lines of each document's site.)doc")
      .def(py::init<>())
      .def("add", &PyTemplateCounts::Add, py::arg("text"), py::arg("url") = "",
           "Counts one document's distinct lines for the site of `url` (its host; '' "
           "without one).")
      .def("merge", &PyTemplateCounts::Merge, py::arg("other"), "Adds the counts of `other`.")
      .def("load", &PyTemplateCounts::Load, py::arg("path"),
           "Adds the counts of a counts file (chaff count's); DataError when it is not one, "
           "is truncated, corrupt or of another version.")
      .def("save", &PyTemplateCounts::Save, py::arg("path"),
           "Writes a counts file (atomically), as chaff count does.")
      .def("to_bytes", &PyTemplateCounts::ToBytes, "The bytes of the counts file.")
      .def("merge_bytes", &PyTemplateCounts::MergeBytes, py::arg("data"),
           "Adds the counts held in the bytes of a counts file.")
      .def_property_readonly("documents", &PyTemplateCounts::documents)
      .def_property_readonly("sites", &PyTemplateCounts::sites)
      .def_property_readonly("pairs", &PyTemplateCounts::pairs,
                             "Distinct (site, line) pairs counted.");

  py::class_<PyCleaner>(m, "Cleaner",
                        R"doc(Cleans documents one at a time with fixed options.

Options (keyword arguments, as chaff clean's flags with '_' for '-'):
  chrome=True, repeats=True: switch a detector off;
  min_repeat_tokens=8, repeat_containment=0.8, near_repeats=True;
  line_model: a model file written by tools/train/train_line_model.py
  (None: the built-in model);
  counts: template line counts (a TemplateCounts, a counts file written by
  chaff count, or a list of such files, added up): clean(text, url) then also
  removes the template lines of the url's site, as chaff clean --counts does;
  template_min_documents=5, template_min_count=3, template_min_share=0.1.
Unknown options raise TypeError, bad values ValueError. Thread-safe: one
Cleaner may serve many threads (the GIL is released while it works).)doc")
      .def(py::init<const py::kwargs&>())
      .def("clean", &PyCleaner::Clean, py::arg("text"), py::arg("url") = py::none(),
           "Cleans one document (str or bytes): returns a CleanResult. `url` (or a bare "
           "host) names its site for the template counts.")
      .def("clean_batch", &PyCleaner::CleanBatch, py::arg("texts"), py::arg("urls") = py::none(),
           py::arg("threads") = 0,
           "Cleans a batch of documents on `threads` threads (0: every core), the GIL "
           "released: a list of CleanResult in the order of `texts`, the same as clean() "
           "gives one by one.")
      .def("explain", &PyCleaner::Explain, py::arg("text"), py::arg("url") = py::none(),
           "Every line of one document with its decision: a list of ExplainedLine.")
      .def_property_readonly("has_counts", &PyCleaner::has_counts);

  m.def(
      "clean",
      [](py::handle text, const py::kwargs& kwargs) {
        return PyCleaner(kwargs).Clean(text, py::none());
      },
      py::arg("text"),
      "clean(text, **options) -> CleanResult\n\nCleans one document (str or bytes) with the "
      "options of Cleaner: the cleaned text, the removed spans with their reasons, and the "
      "accounting. For many documents, make a Cleaner once.");
  m.def(
      "explain",
      [](py::handle text, const py::kwargs& kwargs) {
        return PyCleaner(kwargs).Explain(text, py::none());
      },
      py::arg("text"),
      "explain(text, **options) -> list[ExplainedLine]\n\nEvery line of one document with "
      "chaff's decision and reason, as `chaff explain` prints them.");

  m.def("signature", &Signature, py::arg("text"), py::arg("num_hashes") = c::kDefaultDedupeNumHashes,
        py::arg("sketch") = "oph", py::arg("shingle_width") = c::kDefaultShingleWidth,
        "The MinHash signature of a text's word shingles: a numpy array of num_hashes uint32 "
        "lanes. sketch='oph' (one permutation hashing, chaff dedupe's default) or 'classic'. "
        "A text without words gives an empty signature (every lane 0xFFFFFFFF).");
  m.def("band_keys", &BandKeysOf, py::arg("signature"), py::arg("bands"), py::arg("rows"),
        "The LSH band keys of a signature: `bands` uint32 keys, key j fingerprinting lanes "
        "[j*rows, (j+1)*rows). Two documents are candidates when they share a key. Raises "
        "ValueError for an empty signature or bands*rows > len(signature).");
  m.def("lsh_params", &LshParamsFor, py::arg("threshold") = 0.8,
        py::arg("num_hashes") = c::kDefaultDedupeNumHashes,
        py::arg("fn_weight") = c::kDefaultDedupeLshWeights.false_negative,
        "(bands, rows) chosen for a similarity threshold as chaff dedupe chooses them.");

  py::class_<PyDedupeResult>(m, "DedupeResult", "What chaff.dedupe() returns.")
      .def_readonly("representative", &PyDedupeResult::representative,
                    "Per text: the index of its cluster's kept text (itself when kept); numpy uint32.")
      .def_readonly("similarity", &PyDedupeResult::similarity,
                    "Per text: its estimated Jaccard similarity to its representative; numpy float32.")
      .def_readonly("kept", &PyDedupeResult::kept, "Per text: True when kept; numpy bool.")
      .def_readonly("documents", &PyDedupeResult::documents)
      .def_readonly("removed", &PyDedupeResult::removed)
      .def_readonly("duplicate_clusters", &PyDedupeResult::duplicate_clusters)
      .def_readonly("empty_documents", &PyDedupeResult::empty_documents,
                    "Texts without words: kept, never duplicates.")
      .def_readonly("bands", &PyDedupeResult::bands)
      .def_readonly("rows", &PyDedupeResult::rows);

  m.def("dedupe", &Dedupe, py::arg("texts"), py::arg("threshold") = 0.8,
        py::arg("num_hashes") = c::kDefaultDedupeNumHashes, py::arg("sketch") = "oph",
        py::arg("shingle_width") = c::kDefaultShingleWidth, py::arg("bands") = 0,
        py::arg("rows") = 0, py::arg("fn_weight") = c::kDefaultDedupeLshWeights.false_negative,
        py::arg("exact") = false, py::arg("split_chains") = true, py::arg("threads") = 0,
        "dedupe(texts, threshold=0.8, ...) -> DedupeResult\n\nNear-duplicate decisions over "
        "a batch of texts (str or bytes), as chaff dedupe makes them over a corpus: a text is "
        "a duplicate of the first earlier kept text it is similar to (>= threshold). "
        "threads=0 uses every core; the result does not depend on it.");

  m.def("list_shards", &ListShards, py::arg("paths"),
        "The shard list of chaff dedupe / chaff sketch for these paths (files; directories "
        "walked recursively, sorted): a list of (path, name, relative, from_walk) tuples.");
  m.def("sketch_shards", &SketchShardsPy, py::arg("shards"), py::arg("output_dir"),
        py::arg("only") = py::none(), py::arg("threshold") = 0.8,
        py::arg("num_hashes") = c::kDefaultDedupeNumHashes, py::arg("sketch") = "oph",
        py::arg("shingle_width") = c::kDefaultShingleWidth, py::arg("bands") = 0,
        py::arg("rows") = 0, py::arg("fn_weight") = c::kDefaultDedupeLshWeights.false_negative,
        py::arg("text_field") = "text", py::arg("id_field") = "id",
        py::arg("skip_bad_records") = false, py::arg("threads") = 0,
        "chaff sketch: writes output_dir/NNNNNN.sketch for the shards of the list `shards` "
        "(from list_shards) whose indexes are in `only` (None: all). Returns counts.");
  m.def("cluster_sketches", &ClusterPy, py::arg("paths"), py::arg("decisions"),
        py::arg("clusters") = "", py::arg("split_chains") = true, py::arg("threads") = 0,
        "chaff cluster: reads the sketch files (or directories of them) of every shard and "
        "writes the decisions file (and the clusters file when `clusters` is not empty).");
  m.def("apply_decisions", &ApplyPy, py::arg("decisions"), py::arg("shards"), py::arg("output"),
        "chaff apply: writes the kept records of `shards` (tuples from list_shards) to "
        "`output` (.jsonl file, '-' or a directory).");
  m.def("check_output", &CheckOutputPy, py::arg("shards"), py::arg("output"),
        py::arg("clusters") = "",
        "Raises ValueError when chaff dedupe would refuse this output plan (an output that "
        "is an input, JSONL output from text inputs, ...).");
  m.def("count_shards", &CountShardsPy, py::arg("shards"), py::arg("output"),
        py::arg("text_field") = "text", py::arg("site_field") = "url",
        py::arg("skip_bad_records") = false, py::arg("threads") = 0,
        "chaff count: counts the template lines of `shards` (tuples from list_shards) per "
        "site into the counts file `output`. Returns counts (documents, sites, pairs, "
        "counts_bytes, ...). A shard that cannot be read raises.");
  m.def("merge_counts", &MergeCountsPy, py::arg("paths"), py::arg("output"),
        py::arg("min_count") = 0,
        "chaff count --merge [--min-count N]: writes the sum of the counts files `paths` to "
        "`output`; min_count > 1 leaves out the lines seen on fewer pages (final counts for "
        "cleaning with template_min_count >= min_count; they cannot be merged again).");
  m.def("clean_shards", &CleanShardsPy, py::arg("shards"), py::arg("output"),
        py::arg("counts") = py::none(), py::arg("annotate") = false, py::arg("templates") = true,
        py::arg("dedupe") = false, py::arg("dedupe_threshold") = 0.8,
        py::arg("text_field") = "text", py::arg("id_field") = "id", py::arg("site_field") = "url",
        py::arg("skip_bad_records") = false, py::arg("threads") = 0,
        "chaff clean [--counts COUNTS]: cleans `shards` (tuples from list_shards) to `output` "
        "(a .jsonl file, '-', or a directory), with the template counts of the counts "
        "file(s) `counts` (None: counted from the shards themselves). Other keyword "
        "arguments are Cleaner's. Returns counts.");
  m.def("check_clean_output", &CheckCleanOutputPy, py::arg("shards"), py::arg("output"),
        py::arg("annotate") = false,
        "Raises ValueError when chaff clean would refuse this output plan (an output that is "
        "an input, two inputs sharing an output, JSONL output from text inputs, ...).");
  m.def("concatenate", &Concatenate, py::arg("parts"), py::arg("output"),
        "Writes the files `parts` one after another to `output` (atomically; .gz/.zst "
        "compressed as named; '-' for stdout). Returns the bytes written.");
}
