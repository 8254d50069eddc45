#include "chaff/sketch/minhash.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sketch/minhash_internal.h"

namespace chaff {
namespace {

inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

namespace internal {

uint32_t DensifyProbe(uint64_t seed, uint32_t k, uint32_t bin, uint32_t attempt) {
  // SplitMix64's state advances by a constant per draw, so draw `attempt`
  // of bin `bin` can be computed directly.
  uint64_t state = (seed ^ (static_cast<uint64_t>(bin) * 0xd1b54a32d192ed03ULL)) +
                   static_cast<uint64_t>(attempt) * 0x9e3779b97f4a7c15ULL;
  return static_cast<uint32_t>(((SplitMix64(&state) >> 32) * k) >> 32);
}

uint32_t DensifyProbeDraws(uint32_t k) {
  return std::max(kCachedProbes, std::min(kMaxProbeDraws, 32768 / std::max(k, 1u)));
}

std::vector<uint32_t> DensifyPermutation(uint64_t seed, uint32_t k) {
  // Fisher-Yates from a SplitMix64 stream of its own.
  uint64_t state = seed ^ 0x64656e7370657231ULL;  // "densper1"
  std::vector<uint32_t> perm(k);
  for (uint32_t i = 0; i < k; ++i) perm[i] = i;
  for (uint32_t i = k; i > 1; --i) {
    const auto j = static_cast<uint32_t>(((SplitMix64(&state) >> 32) * i) >> 32);
    std::swap(perm[i - 1], perm[j]);
  }
  return perm;
}

uint32_t DensifyShift(uint64_t seed, uint32_t k, uint64_t round) {
  const uint64_t hashed = kHashedRoundsPerBin * k;
  if (round >= hashed) return static_cast<uint32_t>((round - hashed) % k);
  uint64_t state = (seed ^ 0x6473686966743031ULL) + round * 0xd1b54a32d192ed03ULL;  // "dshift01"
  return static_cast<uint32_t>(((SplitMix64(&state) >> 32) * k) >> 32);
}

namespace {

// A bin and an attempt packed into one word: bin << kAttemptBits | attempt.
constexpr uint32_t kAttemptBits = 7;
static_assert(kMaxProbeDraws == 1u << kAttemptBits, "attempts fill their bits exactly");
static_assert(DensifyTables::kMaxTableK <= uint32_t{1} << (32 - kAttemptBits),
              "a bin and an attempt share a word");
constexpr uint32_t kBinBits = 32 - kAttemptBits;
constexpr uint32_t kBinMask = (uint32_t{1} << kBinBits) - 1;
constexpr uint32_t kNoDraw = ~uint32_t{0};

}  // namespace

DensifyTables::DensifyTables(uint64_t seed_in, uint32_t k_in)
    : seed(seed_in), k(k_in), draws(DensifyProbeDraws(k_in)) {
  const size_t nk = k;
  probes.resize(nk * kCachedProbes);
  // A counting sort of all k * draws draws by the bin they land on.
  std::vector<uint32_t> drawn(nk * draws);
  inverse_begin.assign(nk + 1, 0);
  for (uint32_t i = 0; i < k; ++i) {
    for (uint32_t a = 0; a < draws; ++a) {
      const uint32_t j = DensifyProbe(seed, k, i, a);
      if (a < kCachedProbes) probes[i * size_t{kCachedProbes} + a] = j;
      drawn[i * size_t{draws} + a] = j;
      ++inverse_begin[j + 1];
    }
  }
  for (size_t j = 0; j < nk; ++j) inverse_begin[j + 1] += inverse_begin[j];
  inverse.resize(drawn.size());
  std::vector<uint32_t> next(inverse_begin.begin(), inverse_begin.end() - 1);
  for (size_t e = 0; e < drawn.size(); ++e) {
    const auto bin = static_cast<uint32_t>(e / draws);
    const auto attempt = static_cast<uint32_t>(e % draws);
    inverse[next[drawn[e]]++] = bin << kAttemptBits | attempt;
  }
  perm = DensifyPermutation(seed, k);
  rank.resize(nk);
  for (uint32_t i = 0; i < k; ++i) rank[perm[i]] = i;
  // The shifts in the order they first appear: every one has by round
  // (kHashedRoundsPerBin + 1) k, after the sweep.
  std::vector<uint32_t> place(nk, ~uint32_t{0});
  shift_order.reserve(nk);
  for (uint64_t round = 0; shift_order.size() < nk; ++round) {
    const uint32_t shift = DensifyShift(seed, k, round);
    if (place[shift] != ~uint32_t{0}) continue;
    place[shift] = static_cast<uint32_t>(shift_order.size());
    shift_order.push_back(shift);
  }
  if (k <= 65536) {
    first_key2.assign(2 * nk + 2 * kLanePad, ~uint32_t{0});
    for (size_t x = 0; x < 2 * nk; ++x) first_key2[x] = place[x % nk] << 16;
  }
}

namespace {

inline bool TestBit(const uint64_t* bits, size_t i) { return (bits[i / 64] >> (i % 64)) & 1; }

// Calls fn(i) for every i set in bits[0, words), in increasing order.
template <typename Fn>
inline void ForEachBit(const uint64_t* bits, size_t words, Fn fn) {
  for (size_t w = 0; w < words; ++w) {
    for (uint64_t b = bits[w]; b != 0; b &= b - 1) {
      fn(static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(b))));
    }
  }
}

// Calls fn(i) for every bin i in [0, k) that is not set in filled.
template <typename Fn>
inline void ForEachEmpty(const uint64_t* filled, size_t k, Fn fn) {
  const size_t words = (k + 63) / 64;
  for (size_t w = 0; w < words; ++w) {
    uint64_t empty = ~filled[w];
    if (w + 1 == words && k % 64 != 0) empty &= (uint64_t{1} << (k % 64)) - 1;
    for (; empty != 0; empty &= empty - 1) {
      fn(static_cast<uint32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(empty))));
    }
  }
}

// Per-thread buffers of the densification with tables, reused sketch after
// sketch.
struct DensifyScratch {
  // Per bin, the earliest draw landing on a filled bin: attempt << 25 | the
  // bin drawn, or kNoDraw. Every entry is kNoDraw between sketches.
  std::vector<uint32_t> earliest;
  std::vector<uint64_t> left;      // the empty bins not settled yet
  std::vector<uint32_t> sources;   // the filled bins
  std::vector<uint64_t> by_rank;   // `left` by rank (DensifyTables::rank)
  std::vector<uint32_t> partner;   // EarliestPartnersSimd's output
};

// Stage 1 with tables: settles the empty bins whose first `draws` draws
// reach a filled bin; sets `left` to the others.
void SettleByDraws(const DensifyTables& t, const uint64_t* filled, size_t num_filled,
                   DensifyScratch* scratch, uint32_t* sig) {
  const size_t nk = t.k;
  const size_t words = (nk + 63) / 64;
  const size_t draws = t.draws;
  std::vector<uint64_t>& left = scratch->left;
  left.assign(words, 0);
  // The draws, walked from the empty bins (about min(k / filled, draws)
  // each, the first kCachedProbes from the table) or from the filled bins
  // (the inverse index: about `draws` each), whichever is fewer.
  const size_t num_empty = nk - num_filled;
  if (draws * num_filled >= num_empty * std::min(draws, nk / num_filled)) {
    ForEachEmpty(filled, nk, [&](uint32_t i) {
      const uint32_t* cached = t.probes.data() + size_t{i} * kCachedProbes;
      for (uint32_t attempt = 0; attempt < kCachedProbes; ++attempt) {
        if (TestBit(filled, cached[attempt])) {
          sig[i] = sig[cached[attempt]];
          return;
        }
      }
      for (uint32_t attempt = kCachedProbes; attempt < draws; ++attempt) {
        const uint32_t probe = DensifyProbe(t.seed, t.k, i, attempt);
        if (TestBit(filled, probe)) {
          sig[i] = sig[probe];
          return;
        }
      }
      left[i / 64] |= uint64_t{1} << (i % 64);
    });
    return;
  }
  if (scratch->earliest.size() < nk) scratch->earliest.resize(nk, kNoDraw);
  uint32_t* earliest = scratch->earliest.data();
  const auto each_draw = [&](auto fn) {  // fn(bin, key) for every draw on a filled bin
    ForEachBit(filled, words, [&](uint32_t j) {
      const uint32_t* e = t.inverse.data() + t.inverse_begin[j];
      const uint32_t* end = t.inverse.data() + t.inverse_begin[j + 1];
      for (; e != end; ++e) fn(*e >> kAttemptBits, (*e & (kMaxProbeDraws - 1)) << kBinBits | j);
    });
  };
  each_draw([&](uint32_t bin, uint32_t key) { earliest[bin] = std::min(earliest[bin], key); });
  // Settle the bins drawn, and leave `earliest` all kNoDraw again: through
  // the draws again when they are few, else through the empty bins.
  if (draws * num_filled * 4 < num_empty) {
    for (size_t w = 0; w < words; ++w) left[w] = ~filled[w];
    if (nk % 64 != 0) left[words - 1] &= (uint64_t{1} << (nk % 64)) - 1;
    each_draw([&](uint32_t bin, uint32_t) {
      if (earliest[bin] == kNoDraw) return;
      if (TestBit(left.data(), bin)) {
        sig[bin] = sig[earliest[bin] & kBinMask];
        left[bin / 64] &= ~(uint64_t{1} << (bin % 64));
      }
      earliest[bin] = kNoDraw;
    });
  } else {
    ForEachEmpty(filled, nk, [&](uint32_t i) {
      if (earliest[i] != kNoDraw) {
        sig[i] = sig[earliest[i] & kBinMask];
      } else {
        left[i / 64] |= uint64_t{1} << (i % 64);
      }
    });
    std::fill(earliest, earliest + nk, kNoDraw);
  }
}

// Stage 2 with tables: the rounds, for the bins in `left`. A bin's first
// filled partner is found one of three ways, all with the same result:
//  - pull: the bin tries its partners round by round, about k / f steps
//    for f filled bins (k^2 / 2 for a sketch of two shingles);
//  - push: every filled bin reaches its partner of the round, the first
//    round to reach a bin settling it: about (k / f) ln(left / f) rounds of
//    f steps leave at most f bins, which then pull (about k steps);
//  - for few filled bins, EarliestPartnersSimd: f * k / N vector steps.
// The cost is O(k log k) whatever f is.
void SettleByRounds(const DensifyTables& t, const uint64_t* filled, size_t num_filled,
                    DensifyScratch* scratch, uint32_t* sig) {
  const uint32_t k = t.k;
  const size_t words = (size_t{k} + 63) / 64;
  uint64_t* left = scratch->left.data();
  size_t num_left = 0;
  for (size_t w = 0; w < words; ++w) {
    num_left += static_cast<size_t>(__builtin_popcountll(left[w]));
  }
  if (num_left == 0) return;
  std::vector<uint32_t>& sources = scratch->sources;
  sources.clear();
  if (num_left > num_filled) {
    ForEachBit(filled, words, [&](uint32_t j) { sources.push_back(j); });
  }
  // EarliestPartnersSimd takes f * k / N vector steps; pushing about
  // k (ln(left / f) + 1) scalar steps, each worth about 4 vector steps.
  const auto vector_steps = static_cast<double>(num_filled) / static_cast<double>(MinHashLanes());
  const bool vector = num_left > num_filled && !t.first_key2.empty() &&
                      vector_steps < 4.0 * std::log(static_cast<double>(num_left) /
                                                    static_cast<double>(num_filled)) + 1.0;
  if (vector) {
    std::vector<uint32_t>& partner = scratch->partner;
    partner.resize((size_t{k} + kLanePad - 1) / kLanePad * kLanePad);
    EarliestPartnersSimd(t.first_key2.data(), k, sources.data(), sources.size(),
                         partner.data());
    // By rank, so that the keys are read in order.
    for (uint32_t x = 0; x < k; ++x) {
      const uint32_t u = t.perm[x];
      if (TestBit(left, u)) sig[u] = sig[partner[x] & 0xFFFF];
    }
    return;
  }
  size_t next = 0;  // rounds (in shift_order) before this are done
  if (num_left > num_filled) {
    // In rank space (bin u at rank[u]) the round of shift s moves every
    // filled bin j to j + s: the bins left are a bitmap by rank, so a step
    // is a bit test, and only a step that settles a bin looks it up.
    std::vector<uint64_t>& by_rank = scratch->by_rank;
    by_rank.assign(words, 0);
    ForEachBit(left, words, [&](uint32_t u) {
      by_rank[t.rank[u] / 64] |= uint64_t{1} << (t.rank[u] % 64);
    });
    uint64_t* lr = by_rank.data();
    while (num_left > num_filled) {
      const uint32_t s = t.shift_order[next++];
      for (const uint32_t j : sources) {
        uint32_t x = j + s;
        x = x >= k ? x - k : x;
        const uint64_t word = lr[x / 64];
        const uint64_t bit = uint64_t{1} << (x % 64);
        if (word & bit) {
          lr[x / 64] = word & ~bit;
          const uint32_t u = t.perm[x];
          sig[u] = sig[j];
          left[u / 64] &= ~(uint64_t{1} << (u % 64));
          --num_left;
        }
      }
    }
  }
  ForEachBit(left, words, [&](uint32_t u) {
    for (size_t i = next;; ++i) {  // ends by i = k - 1: every shift pairs u with every bin
      uint32_t j = t.rank[u] + k - t.shift_order[i];
      j = j >= k ? j - k : j;
      if (TestBit(filled, j)) {
        sig[u] = sig[j];
        return;
      }
    }
  });
}

}  // namespace

void DensifyOnePermutation(uint64_t seed, int k, const DensifyTables* tables,
                           const uint64_t* filled_in, uint32_t* sig) {
  const size_t nk = static_cast<size_t>(k);
  const uint32_t k32 = static_cast<uint32_t>(k);
  const size_t words = (nk + 63) / 64;
  // Which bins the shingles filled: copies must only ever read those, never
  // a bin filled by an earlier copy.
  std::vector<uint64_t> own_filled;
  const uint64_t* filled = filled_in;
  if (filled == nullptr) {
    own_filled.assign(words, 0);
    for (size_t i = 0; i < nk; ++i) {
      own_filled[i / 64] |= static_cast<uint64_t>(sig[i] != kEmptyLane) << (i % 64);
    }
    filled = own_filled.data();
  }
  size_t num_filled = 0;
  for (size_t w = 0; w < words; ++w) {
    num_filled += static_cast<size_t>(__builtin_popcountll(filled[w]));
  }
  if (num_filled == nk) return;
  if (num_filled == 1) {  // every order reaches the only filled bin
    size_t only = 0;
    while (sig[only] == kEmptyLane) ++only;
    std::fill(sig, sig + nk, sig[only]);
    return;
  }
  // An empty bin copies the first filled bin of its own order, which does
  // not depend on the set. Two sets that both leave bin i empty walk the
  // same bins and agree exactly when the first bin filled in either set is
  // filled in both with the same minimum - the property that keeps the
  // estimate unbiased (Shrivastava 2017, "Optimal Densification for Fast and
  // Accurate Minwise Hashing"). The orders of different bins are drawn
  // independently, so empty bins pick their filled bins independently.
  //
  // The first releases walked each bin's probe sequence to its end: about
  // k / filled draws per empty bin, k^2 / 2 for a sketch of two shingles.
  // Now the walk stops after DensifyProbeDraws(k) draws, and rounds that can
  // be evaluated from either side settle the bins left.
  if (tables != nullptr) {
    thread_local DensifyScratch scratch;
    SettleByDraws(*tables, filled, num_filled, &scratch, sig);
    SettleByRounds(*tables, filled, num_filled, &scratch, sig);
    return;
  }
  // The reference: bin by bin, every draw and shift computed.
  const uint32_t draws = DensifyProbeDraws(k32);
  const std::vector<uint32_t> perm = DensifyPermutation(seed, k32);
  std::vector<uint32_t> rank(nk);
  for (uint32_t i = 0; i < k32; ++i) rank[perm[i]] = i;
  ForEachEmpty(filled, nk, [&](uint32_t i) {
    for (uint32_t attempt = 0; attempt < draws; ++attempt) {
      const uint32_t probe = DensifyProbe(seed, k32, i, attempt);
      if (TestBit(filled, probe)) {
        sig[i] = sig[probe];
        return;
      }
    }
    for (uint64_t round = 0;; ++round) {
      uint32_t j = rank[i] + k32 - DensifyShift(seed, k32, round);
      if (j >= k32) j -= k32;
      if (TestBit(filled, j)) {
        sig[i] = sig[j];
        return;
      }
    }
  });
}

}  // namespace internal

MinHasher::MinHasher(int k, SketchMode mode, uint64_t seed)
    : k_(k), mode_(mode), seed_(seed) {
  uint64_t state = seed;
  key_seed_ = static_cast<uint32_t>(SplitMix64(&state));
  const size_t nk = static_cast<size_t>(k);
  const size_t padded =
      (nk + internal::kLanePad - 1) / internal::kLanePad * internal::kLanePad;
  if (mode == SketchMode::kOnePermutation && static_cast<uint32_t>(k) < internal::DensifyTables::kMaxTableK) {
    densify_ = std::make_shared<const internal::DensifyTables>(seed, static_cast<uint32_t>(k));
  }
  seeds_.resize(nk);
  mul_.assign(padded, 1u);  // padding lanes are computed but never read
  add_.assign(padded, 0u);
  for (size_t i = 0; i < nk; ++i) {
    mul_[i] = static_cast<uint32_t>(SplitMix64(&state)) | 1u;  // odd: bijective
    add_[i] = static_cast<uint32_t>(SplitMix64(&state));
    seeds_[i] = add_[i];
  }
}

// The readable reference. Classic: the k lane functions applied to every key;
// one permutation: bin by key, then densify. Every SIMD target must match it.
void MinHasher::SketchScalar(const uint64_t* shingles, size_t n,
                             uint32_t* sig) const {
  std::fill(sig, sig + k_, kEmptyLane);
  if (n == 0) return;
  if (mode_ == SketchMode::kClassic) {
    for (size_t j = 0; j < n; ++j) {
      const uint32_t x = internal::ShingleKey(shingles[j], key_seed_);
      for (int i = 0; i < k_; ++i) {
        const uint32_t v = mul_[static_cast<size_t>(i)] * x +
                           add_[static_cast<size_t>(i)];
        sig[i] = std::min(sig[i], v);
      }
    }
    for (int i = 0; i < k_; ++i) sig[i] = std::min(sig[i], internal::kMaxLaneValue);
    return;
  }
  const uint32_t k32 = static_cast<uint32_t>(k_);
  for (size_t j = 0; j < n; ++j) {
    const uint32_t x = internal::ShingleKey(shingles[j], key_seed_);
    uint32_t& lane = sig[internal::OphBin(x, k32)];
    lane = std::min(lane, std::min(x, internal::kMaxLaneValue));
  }
  internal::DensifyOnePermutation(seed_, k_, /*tables=*/nullptr, /*filled=*/nullptr, sig);
}

void MinHasher::Sketch(const uint64_t* shingles, size_t n, uint32_t* sig) const {
  if (n == 0) {
    std::fill(sig, sig + k_, kEmptyLane);
    return;
  }
  if (mode_ == SketchMode::kClassic) {
    internal::ClassicSketchSimd(shingles, n, key_seed_, mul_.data(),
                                add_.data(), k_, sig);
    return;
  }
  std::fill(sig, sig + k_, kEmptyLane);
  // The bitmap of filled bins; the stack covers k <= 8192.
  uint64_t filled_stack[128];
  std::vector<uint64_t> filled_heap;
  uint64_t* filled = filled_stack;
  if (k_ > 8192) {
    filled_heap.resize((static_cast<size_t>(k_) + 63) / 64);
    filled = filled_heap.data();
  }
  internal::OnePermutationBinsSimd(shingles, n, key_seed_, k_, sig, filled);
  internal::DensifyOnePermutation(seed_, k_, densify_.get(), filled, sig);
}

bool IsEmptySketch(const uint32_t* sig, int k) {
  for (int i = 0; i < k; ++i) {
    if (sig[i] != kEmptyLane) return false;
  }
  return true;
}

double EstimateJaccard(const uint32_t* a, const uint32_t* b, int k) {
  if (k <= 0 || IsEmptySketch(a, k) || IsEmptySketch(b, k)) return 0.0;
  int eq = 0;
  for (int i = 0; i < k; ++i) eq += (a[i] == b[i]);
  return static_cast<double>(eq) / k;
}

}  // namespace chaff
