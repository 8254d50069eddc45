#include "chaff/detect/line_model.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "chaff/text/stoplist.h"
#include "detect/line_features.h"
#include "detect/line_model_data.h"
#include "detect/tree_ensemble.h"

namespace chaff {

using internal::MaxSumRun;
using internal::Prefix;

using internal::TreeEnsemble;

// The model's parts. The token table maps a token's hash bucket (its low
// token_bits bits) to a log-odds weight of content: float(q * scale) for
// the bucket's int8 q. It is kept as the q (a quarter of the floats' size:
// 256 KiB for 2^18 buckets, which stays in L2 where the floats did not)
// and the 256 floats they stand for.
struct LineModel::Impl {
  int token_bits = 18;
  std::vector<int8_t> token_codes;
  std::array<float, 256> token_values{};  // by code + 128
  // A line's table values add up exactly in double, so in any order, when
  // it has at most this many distinct buckets (see ExactSumTerms).
  size_t exact_sum_terms = 0;
  TreeEnsemble stage1;
  TreeEnsemble stage2;
  bool has_stage2 = false;
  std::string source;  // "built-in" or the file
};

namespace {

// Token features appended to the line features for stage 1.
constexpr size_t kNumTokenFeatures = 5;  // tok_mean, tok_sum, tok_w1, tok_w3, tok_w10
// Stage-2 features appended to the line features.
constexpr size_t kNumStage2Features = 26;

bool Base64Decode(std::string_view in, std::vector<uint8_t>* out) {
  static const auto kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i) t[static_cast<uint8_t>(chars[i])] = static_cast<int8_t>(i);
    return t;
  }();
  out->clear();
  out->reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const int8_t v = kTable[static_cast<uint8_t>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

// The distinct values of a line's buckets, without a sort: an open-addressing
// set whose slots carry the number of the line that filled them, so that a
// new line starts empty without clearing anything.
class BucketSet {
 public:
  static constexpr size_t kMaxSize = size_t{1} << 13;  // 64 KiB of slots

  // Starts a set for up to `n` buckets (n <= kMaxSize / 2).
  void Start(size_t n) {
    if (slots_.empty()) slots_.assign(kMaxSize, 0);
    if (++line_ == 0) {  // after 2^32 lines: clear the old lines' stamps
      std::fill(slots_.begin(), slots_.end(), 0);
      line_ = 1;
    }
    mask_ = 16;
    while (mask_ < 2 * n) mask_ <<= 1;
    mask_ -= 1;
  }

  // True when `bucket` was not in the set (it is now).
  bool Insert(uint32_t bucket) {
    const uint64_t entry = uint64_t{line_} << 32 | bucket;
    for (size_t i = bucket & mask_;; i = (i + 1) & mask_) {
      if (slots_[i] == entry) return false;
      if (slots_[i] >> 32 != line_) {
        slots_[i] = entry;
        return true;
      }
    }
  }

 private:
  std::vector<uint64_t> slots_;  // line << 32 | bucket
  uint32_t line_ = 0;
  size_t mask_ = 0;
};

// Per-thread buffers.
struct Scratch {
  internal::LineFeatureMatrix base;  // with room for a stage's own features
  std::vector<double> raw, p;
  std::vector<double> tok_sum, tok_len, cs_sum, cs_len;
  std::vector<double> cs_p, cs_w, cs_pw;
  std::vector<uint32_t> buckets;
  BucketSet bucket_set;
  std::vector<uint8_t> keep;
};

double Sigmoid(double raw) { return 1.0 / (1.0 + std::exp(-raw)); }


// [i + lo, i + hi] clipped to [0, n): the sum and (in *m) the count.
double Window(const std::vector<double>& cs, long n, long i, long lo, long hi, double* m) {
  const long a = std::clamp(i + lo, 0L, n);
  const long b = std::clamp(i + hi + 1, 0L, n);
  *m = static_cast<double>(b - a);
  return cs[static_cast<size_t>(b)] - cs[static_cast<size_t>(a)];
}

// How many values of `table` can be added in double, in any order, with
// every partial sum exact: all values are integer multiples of the smallest
// power of two that divides them all (`unit`), so a sum of k of them is
// exact while k * max|v| / unit < 2^53. For a table of int8 * scale floats
// max|v| / unit < 2^31, so lines of up to 2^22 buckets qualify.
size_t ExactSumTerms(const std::vector<float>& table) {
  int min_exp = std::numeric_limits<int>::max();
  double max_abs = 0;
  for (float v : table) {
    if (v == 0) continue;
    int exp = 0;
    // v = m * 2^(exp - 24) with |m| < 2^24 an integer; its lowest set bit
    // gives the power of two that divides v.
    const double m = std::ldexp(std::frexp(static_cast<double>(v), &exp), 24);
    const auto bits = static_cast<int64_t>(std::fabs(m));
    min_exp = std::min(min_exp, exp - 24 + __builtin_ctzll(static_cast<uint64_t>(bits)));
    max_abs = std::max(max_abs, std::fabs(static_cast<double>(v)));
  }
  if (max_abs == 0) return std::numeric_limits<size_t>::max();
  const double units = std::ldexp(max_abs, -min_exp);  // max|v| / unit, exact
  return static_cast<size_t>(std::floor(0x1p53 / units));
}

// Stage-1 token features (see the training script: tok_mean, tok_sum and the
// word-weighted means over +-1, +-3, +-10 lines). A line's distinct buckets
// are summed in sorted order, as defined; when that sum is exact in any
// order (Impl::exact_sum_terms), repeats are dropped in token order
// instead: by comparing with the buckets kept on short lines (most have a
// few words), through a BucketSet on longer ones; the longest still sort.
void TokenFeatures(const Document& doc, const LineModel::Impl& model, Scratch* s) {
  internal::LineFeatureMatrix& m = s->base;
  const size_t n = m.rows;
  const uint64_t mask = (uint64_t{1} << model.token_bits) - 1;
  const int8_t* codes = model.token_codes.data();
  const float* values = model.token_values.data() + 128;
  auto table = [codes, values](uint32_t b) { return values[codes[b]]; };
  const uint64_t* hashes = doc.tokens().hashes.data();
  s->tok_sum.resize(n);
  s->tok_len.resize(n);
  constexpr size_t kShortLine = 16;
  for (size_t r = 0; r < n; ++r) {
    const size_t k = m.line[r];
    const size_t tb = doc.token_begin(k), te = doc.token_end(k);
    double sum = 0;
    size_t distinct = 0;
    const bool any_order = te - tb <= model.exact_sum_terms;
    if (any_order && te - tb <= kShortLine) {
      uint32_t kept[kShortLine];
      for (size_t t = tb; t < te; ++t) {
        const auto b = static_cast<uint32_t>(hashes[t] & mask);
        bool repeat = false;
        for (size_t j = 0; j < distinct; ++j) repeat |= kept[j] == b;
        if (repeat) continue;
        kept[distinct++] = b;
        sum += static_cast<double>(table(b));
      }
    } else if (any_order && te - tb <= BucketSet::kMaxSize / 2) {
      s->bucket_set.Start(te - tb);
      for (size_t t = tb; t < te; ++t) {
        const auto b = static_cast<uint32_t>(hashes[t] & mask);
        if (!s->bucket_set.Insert(b)) continue;
        ++distinct;
        sum += static_cast<double>(table(b));
      }
    } else {
      s->buckets.clear();
      for (size_t t = tb; t < te; ++t) s->buckets.push_back(static_cast<uint32_t>(hashes[t] & mask));
      std::sort(s->buckets.begin(), s->buckets.end());
      s->buckets.erase(std::unique(s->buckets.begin(), s->buckets.end()), s->buckets.end());
      for (uint32_t b : s->buckets) sum += static_cast<double>(table(b));
      distinct = s->buckets.size();
    }
    s->tok_sum[r] = sum;
    s->tok_len[r] = static_cast<double>(distinct);
  }
  Prefix(s->tok_sum, &s->cs_sum);
  Prefix(s->tok_len, &s->cs_len);
  const long nl = static_cast<long>(n);
  for (size_t r = 0; r < n; ++r) {
    float* x = m.values.data() + m.cols * m.stride + r;  // column j: x[j * stride]
    x[0] = static_cast<float>(s->tok_sum[r] / std::max(s->tok_len[r], 1.0));
    x[m.stride] = static_cast<float>(std::clamp(s->tok_sum[r], -30.0, 30.0));
    static const long kRadii[] = {1, 3, 10};
    for (size_t j = 0; j < 3; ++j) {
      double unused = 0;
      const long i = static_cast<long>(r);
      x[(2 + j) * m.stride] = static_cast<float>(
          Window(s->cs_sum, nl, i, -kRadii[j], kRadii[j], &unused) /
          std::max(Window(s->cs_len, nl, i, -kRadii[j], kRadii[j], &unused), 1.0));
    }
  }
}


// Stage-2 features from the stage-1 probabilities p of a page's lines.
void Stage2Features(Scratch* s) {
  internal::LineFeatureMatrix& m = s->base;
  const size_t n = m.rows;
  const long nl = static_cast<long>(n);
  const std::vector<double>& p = s->p;
  std::vector<double>& tmp = s->raw;  // free now
  tmp.resize(n);
  for (size_t i = 0; i < n; ++i) tmp[i] = static_cast<double>(m.words[i]);
  Prefix(p, &s->cs_p);
  Prefix(tmp, &s->cs_w);
  for (size_t i = 0; i < n; ++i) tmp[i] = p[i] * static_cast<double>(m.words[i]);
  Prefix(tmp, &s->cs_pw);
  double sum_p = 0, sum_pw = 0, sum_w = 0, keep_w = 0, max_p = 0;
  for (size_t i = 0; i < n; ++i) {
    const double w = static_cast<double>(m.words[i]);
    sum_p += p[i];
    sum_pw += p[i] * w;
    sum_w += w;
    if (p[i] >= 0.5) keep_w += w;
    max_p = std::max(max_p, p[i]);
  }
  // Lines since the previous likely content line (p >= 0.5) and until the
  // next, and the block of likely content.
  std::vector<double>& hit_prev = s->tok_sum;  // free now
  std::vector<double>& hit_next = s->tok_len;
  hit_prev.resize(n);
  hit_next.resize(n);
  long last = -1000000000L;
  for (size_t i = 0; i < n; ++i) {
    hit_prev[i] = static_cast<double>(std::min(static_cast<long>(i) - last, 200L));
    if (p[i] >= 0.5) last = static_cast<long>(i);
  }
  last = 1000000000L;
  for (size_t i = n; i-- > 0;) {
    hit_next[i] = static_cast<double>(std::min(last - static_cast<long>(i), 200L));
    if (p[i] >= 0.5) last = static_cast<long>(i);
  }
  for (size_t i = 0; i < n; ++i) {
    tmp[i] = (p[i] - 0.5) * std::max(static_cast<double>(m.words[i]), 1.0);
  }
  long bs = -1, be = -1;
  const bool block = MaxSumRun(tmp, &bs, &be);
  const double block_share =
      block ? (s->cs_w[static_cast<size_t>(be) + 1] - s->cs_w[static_cast<size_t>(bs)]) /
                  std::max(s->cs_w[n], 1.0)
            : 0.0;
  const double nd = static_cast<double>(n);
  for (size_t r = 0; r < n; ++r) {
    double x[kNumStage2Features];
    const long i = static_cast<long>(r);
    size_t k = 0;
    x[k++] = p[r];
    static const long kRadii[] = {1, 2, 5, 10, 25};
    for (long rad : kRadii) {
      double cnt = 0, unused = 0;
      const double sp = Window(s->cs_p, nl, i, -rad, rad, &cnt);
      x[k++] = sp / cnt;
      x[k++] = Window(s->cs_pw, nl, i, -rad, rad, &unused) /
               std::max(Window(s->cs_w, nl, i, -rad, rad, &unused), 1.0);
    }
    for (long off : {-2L, -1L, 1L, 2L}) {
      const long j = i + off;
      x[k++] = j >= 0 && j < nl ? p[static_cast<size_t>(j)] : -1.0;
    }
    double cnt = 0;
    double v = Window(s->cs_p, nl, i, -5, -1, &cnt);
    x[k++] = cnt > 0 ? v / cnt : -1.0;
    v = Window(s->cs_p, nl, i, 1, 5, &cnt);
    x[k++] = cnt > 0 ? v / cnt : -1.0;
    x[k++] = sum_p / nd;
    x[k++] = sum_pw / std::max(sum_w, 1.0);
    x[k++] = keep_w / std::max(sum_w, 1.0);
    x[k++] = max_p;
    x[k++] = p[r] / std::max(max_p, 1e-6);
    x[k++] = hit_prev[r];
    x[k++] = hit_next[r];
    x[k++] = block ? static_cast<double>(std::clamp(i < bs ? i - bs : (i > be ? i - be : 0L),
                                                    -200L, 200L))
                   : 200.0;
    x[k++] = block_share;
    float* out = m.values.data() + m.cols * m.stride + r;
    for (size_t j = 0; j < kNumStage2Features; ++j) out[j * m.stride] = static_cast<float>(x[j]);
  }
}

// Keeps the lines whose probability reaches the threshold (on a grid of
// 0.02 ... 0.98) that maximises the page's expected word F1:
//   EF1(t) = 2 sum_{p_i >= t} p_i w_i / (sum_{p_i >= t} w_i + sum_i p_i w_i),
// the first such threshold when several tie. One pass files the lines by
// how many grid values they reach; suffix sums give every EF1(t).
double DecodeExpectedF1(const std::vector<double>& p, const std::vector<uint32_t>& words,
                        std::vector<uint8_t>* keep) {
  constexpr int kGrid = 49;
  auto grid = [](int g) { return g * 0.02; };
  const size_t n = p.size();
  keep->assign(n, 0);
  // reach[i]: the number of grid values g = 1..49 with p_i >= grid(g).
  std::array<double, kGrid + 1> sum_w{}, sum_pw{};
  double total_pw = 0, total_w = 0;
  thread_local std::vector<uint8_t> reach;
  reach.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int b = std::clamp(static_cast<int>(p[i] / 0.02), 0, kGrid);
    while (b < kGrid && p[i] >= grid(b + 1)) ++b;
    while (b > 0 && p[i] < grid(b)) --b;
    reach[i] = static_cast<uint8_t>(b);
    sum_w[static_cast<size_t>(b)] += words[i];
    sum_pw[static_cast<size_t>(b)] += p[i] * words[i];
    total_pw += p[i] * words[i];
    total_w += words[i];
  }
  int best_g = 0;  // 0: no word on the page, keep p >= 0.5
  double threshold = 0.5;
  if (total_w > 0) {
    // Lines kept at grid value g are those with reach >= g.
    double best = -1, kept_w = 0, kept_pw = 0;
    std::array<double, kGrid + 2> suffix_w{}, suffix_pw{};
    for (int g = kGrid; g >= 1; --g) {
      kept_w += sum_w[static_cast<size_t>(g)];
      kept_pw += sum_pw[static_cast<size_t>(g)];
      suffix_w[static_cast<size_t>(g)] = kept_w;
      suffix_pw[static_cast<size_t>(g)] = kept_pw;
    }
    for (int g = 1; g <= kGrid; ++g) {
      const double f = 2.0 * suffix_pw[static_cast<size_t>(g)] /
                       std::max(suffix_w[static_cast<size_t>(g)] + total_pw, 1e-9);
      if (f > best + 1e-12) {
        best = f;
        best_g = g;
      }
    }
    threshold = grid(best_g);
  }
  for (size_t i = 0; i < n; ++i) {
    (*keep)[i] = best_g > 0 ? reach[i] >= best_g : p[i] >= 0.5;
  }
  return threshold;
}

// A headline above the content: news pages put a date, a byline or share
// buttons between the headline and the lead, and the trees, which see a
// short line among furniture, often judge it furniture. The first kept
// paragraph (a line of at least kLeadWords words) is the lead; of the few
// lines above it, the nearest that is headline-shaped (kMinHeadline to
// kMaxHeadline words) and shares at least two content words with the
// lead's first kLeadWindow words is kept (lines between them, a date or a
// byline, keep their own decisions).
constexpr uint32_t kLeadWords = 10;
constexpr uint32_t kMinHeadline = 3;
constexpr uint32_t kMaxHeadline = 25;
constexpr size_t kHeadlineReach = 6;  // lines above the lead
constexpr size_t kLeadWindow = 150;

void KeepHeadline(const Document& doc, const internal::LineFeatureMatrix& m,
                  std::vector<uint8_t>* keep) {
  const size_t n = m.rows;
  size_t lead = n;
  for (size_t r = 0; r < n; ++r) {
    if ((*keep)[r] && m.words[r] >= kLeadWords) {
      lead = r;
      break;
    }
  }
  if (lead == n || lead == 0) return;
  // The lead's content words (no stopword), from its first lines.
  const Stoplist& stop = AllBuiltinStopwords();
  const Tokens& tokens = doc.tokens();
  std::vector<uint64_t> lead_words;
  for (size_t r = lead; r < n && lead_words.size() < kLeadWindow; ++r) {
    if (!(*keep)[r]) continue;
    const size_t k = m.line[r];
    for (size_t t = doc.token_begin(k); t < doc.token_end(k); ++t) {
      if (!stop.ContainsHash(tokens.hashes[t])) lead_words.push_back(tokens.hashes[t]);
    }
  }
  std::sort(lead_words.begin(), lead_words.end());
  for (size_t step = 1; step <= kHeadlineReach && step <= lead; ++step) {
    const size_t r = lead - step;
    if (m.words[r] < kMinHeadline || m.words[r] > kMaxHeadline) continue;
    const size_t k = m.line[r];
    std::vector<uint64_t> words;
    for (size_t t = doc.token_begin(k); t < doc.token_end(k); ++t) {
      if (!stop.ContainsHash(tokens.hashes[t])) words.push_back(tokens.hashes[t]);
    }
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    int shared = 0;
    for (uint64_t w : words) {
      shared += std::binary_search(lead_words.begin(), lead_words.end(), w);
    }
    if (shared >= 2) {
      (*keep)[r] = 1;
      return;
    }
  }
}

}  // namespace

LineModel::LineModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LineModel::~LineModel() = default;

StatusOr<std::shared_ptr<const LineModel>> LineModel::FromJson(std::string_view json,
                                                               std::string_view name) {
  const std::string where(name);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root)) return DataError(where + ": not valid JSON");
  std::string_view format;
  if (root["format"].get(format) || format != "chaff-line-model-v1") {
    return DataError(where + ": not a chaff line model (chaff-line-model-v1)");
  }
  auto impl = std::make_unique<Impl>();
  impl->source = where;
  // The features it was trained on must be the ones computed here.
  simdjson::dom::array names;
  if (root["features"].get(names)) return DataError(where + ": no feature list");
  const auto& ours = internal::LineFeatureNames();
  size_t i = 0;
  for (simdjson::dom::element e : names) {
    std::string_view s;
    if (e.get(s) || i >= ours.size() || s != ours[i]) {
      return DataError(where + ": trained on other line features than this chaff computes "
                               "(feature " + std::to_string(i) + "); retrain it");
    }
    ++i;
  }
  if (i != ours.size()) return DataError(where + ": trained on fewer line features; retrain it");
  int64_t bits = 0;
  double scale = 0;
  std::string_view table;
  if (root["token_bits"].get(bits) || bits < 8 || bits > 24 || root["token_scale"].get(scale) ||
      root["token_table"].get(table)) {
    return DataError(where + ": missing or bad token table");
  }
  std::vector<uint8_t> bytes;
  if (!Base64Decode(table, &bytes) || bytes.size() != (size_t{1} << bits)) {
    return DataError(where + ": the token table does not decode to 2^token_bits entries");
  }
  impl->token_bits = static_cast<int>(bits);
  impl->token_codes.resize(bytes.size());
  for (size_t b = 0; b < bytes.size(); ++b) impl->token_codes[b] = static_cast<int8_t>(bytes[b]);
  std::vector<float> values(256);
  for (int q = -128; q < 128; ++q) {
    values[static_cast<size_t>(q + 128)] = static_cast<float>(q * scale);
  }
  std::copy(values.begin(), values.end(), impl->token_values.begin());
  impl->exact_sum_terms = ExactSumTerms(values);
  auto stage = [&](const char* key, TreeEnsemble* out, size_t extra) -> Status {
    simdjson::dom::element e;
    if (root[key].get(e)) return DataError(where + ": no " + key);
    auto parsed = TreeEnsemble::FromJson(simdjson::minify(e), where + " " + key);
    if (!parsed.ok()) return parsed.status();
    if (static_cast<size_t>(parsed->num_features()) != ours.size() + extra) {
      return DataError(where + ": " + key + " reads " + std::to_string(parsed->num_features()) +
                       " features, not " + std::to_string(ours.size() + extra));
    }
    *out = std::move(*parsed);
    return Status::Ok();
  };
  CHAFF_RETURN_IF_ERROR(stage("stage1", &impl->stage1, kNumTokenFeatures));
  simdjson::dom::element s2;
  if (!root["stage2"].get(s2) && !s2.is_null()) {
    CHAFF_RETURN_IF_ERROR(stage("stage2", &impl->stage2, kNumStage2Features));
    impl->has_stage2 = true;
  }
  return std::shared_ptr<const LineModel>(new LineModel(std::move(impl)));
}

StatusOr<std::shared_ptr<const LineModel>> LineModel::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the line model");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return IoError(path + ": cannot read the line model");
  return FromJson(text.str(), path);
}

std::shared_ptr<const LineModel> LineModel::Default() {
  static const std::shared_ptr<const LineModel> kModel = [] {
    auto m = FromJson(internal::DefaultLineModelJson(), "built-in line model");
    // The built-in model is generated with this build's feature list and
    // checked by a test: failing here is a bug in chaff.
    if (!m.ok()) std::abort();
    return *m;
  }();
  return kModel;
}

std::string LineModel::Describe() const {
  const Impl& m = *impl_;
  const size_t trees = m.stage1.num_trees() + (m.has_stage2 ? m.stage2.num_trees() : 0);
  const size_t nodes = m.stage1.num_nodes() + (m.has_stage2 ? m.stage2.num_nodes() : 0);
  return std::to_string(m.has_stage2 ? 2 : 1) + " stage(s), " + std::to_string(trees) +
         " trees, " + std::to_string(nodes) + " nodes, 2^" + std::to_string(m.token_bits) +
         " token buckets (" + m.source + ")";
}

double ClassifyLines(const Document& doc, const LineModelOptions& options,
                     std::vector<LineDecision>* decisions) {
  if (!options.enabled) return -1;
  const std::shared_ptr<const LineModel> holder =
      options.model ? nullptr : LineModel::Default();
  const LineModel::Impl& model = (options.model ? *options.model : *holder).impl();
  thread_local Scratch s;
  // Room after the line features for the token features, or (later) the
  // stage-2 features that replace them.
  internal::ComputeLineFeatures(
      doc, &s.base, model.has_stage2 ? kNumStage2Features : kNumTokenFeatures);
  const size_t n = s.base.rows;
  if (n == 0) return -1;
  // Stage 1.
  TokenFeatures(doc, model, &s);
  s.raw.resize(n);
  model.stage1.PredictRaw(s.base.values.data(), s.base.stride, n, s.raw.data());
  s.p.resize(n);
  for (size_t i = 0; i < n; ++i) s.p[i] = Sigmoid(s.raw[i]);
  // Stage 2.
  if (model.has_stage2) {
    Stage2Features(&s);
    s.raw.resize(n);
    model.stage2.PredictRaw(s.base.values.data(), s.base.stride, n, s.raw.data());
    for (size_t i = 0; i < n; ++i) s.p[i] = Sigmoid(s.raw[i]);
  }
  const double threshold = DecodeExpectedF1(s.p, s.base.words, &s.keep);
  if (options.keep_headline) KeepHeadline(doc, s.base, &s.keep);
  auto& d = *decisions;
  for (size_t r = 0; r < n; ++r) {
    LineDecision& dec = d[s.base.line[r]];
    dec.content = static_cast<float>(s.p[r]);
    if (!s.keep[r] && dec.reason == Reason::kKeep) dec.reason = Reason::kChrome;
  }
  return threshold;
}

}  // namespace chaff
