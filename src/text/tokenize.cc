// Tokenize(): the fast tokenizer. Three steps per document, the first and
// the heavy parts of the others Highway kernels dispatched once per call
// (src/text/tokenize-inl.h):
//   1. classify and normalize every byte: packed bit masks of ASCII word
//      bytes and of bytes >= 0x80, and the ASCII-normalized bytes;
//   2. cut tokens: ASCII blocks by bit scans of the word-bit transitions
//      (with AVX-512, runs of whole ASCII blocks by a kernel that compresses
//      start and end offsets, no branch per token); bytes >= 0x80 one code
//      point at a time with the same utf8proc decoding and folding as the
//      reference (TokenizeScalar);
//   3. hash the pure-ASCII tokens from the normalized bytes, never one by
//      one in the walk (see below).
// Output is byte-identical to TokenizeScalar on every target (tested).
#include <utf8proc.h>
#include <xxhash.h>

#include <atomic>
#include <cstring>
#include <utility>
#include <string>
#include <vector>

#include "chaff/text/tokenize.h"
#include "text/tokenize_internal.h"
#include "text/unicode_fold.h"

namespace chaff {
namespace {

// Pure-ASCII tokens are hashed after the walk, never one by one inside it:
// XXH3 branches on the length class (1-3, 4-8, 9-16, more bytes), and in
// running text that branch is unpredictable from one word to the next.
//   Vector mode (targets with a native 64-bit lane multiply: AVX-512): a
//     Highway kernel evaluates XXH3's three short-input formulas for all
//     tokens, 8 per vector, and selects per lane; tokens of more than 16
//     bytes (about 1 word in 10,000) are listed and hashed by XXH3
//     afterwards, and the tokens hashed during the walk (non-ASCII bytes)
//     are put back.
//   Class mode (all other targets, where emulated 64-bit multiplies cost
//     more than scalar XXH3): the walk files each token under its length
//     class and each class is hashed in its own loop.
constexpr uint8_t kLengthClass64[64] = {  // 0: 1-3, 1: 4-8, 2: longer
    0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
constexpr size_t kLongClass = 2;
// Entries past the last token the vector kernels may write (whole vectors).
constexpr size_t kOutputSlack = 32;
// Bytes kept before the normalized text: the hash kernel reads the 8 bytes
// that end a token, which for a token of under 8 bytes at the start of the
// text begin before it.
constexpr size_t kNormFrontPad = 64;

// Per-thread buffers reused across calls: no allocation per token, and per
// document only while a document is larger than any before it.
struct Scratch {
  std::vector<uint8_t> norm;
  std::vector<uint64_t> word_bits;
  std::vector<uint64_t> high_bits;
  std::string token;  // normalized bytes of a token that is not pure ASCII
  // Indices of pure-ASCII tokens per length class (vector mode: only the
  // long class), and room for the hash kernel's own lists.
  std::vector<uint32_t> lists[3];
  std::vector<uint64_t> long64;  // vector mode: indices of long tokens
  // Tokens hashed during the walk (not pure ASCII): their hashes are put
  // back after the kernel, which computes every index.
  std::vector<std::pair<uint32_t, uint64_t>> fixups;
};

// Through uint32_t: zero-extension is free, sign extension of int is not.
inline size_t Ctz(uint64_t x) {
  return static_cast<uint32_t>(__builtin_ctzll(x));
}

// Bits [lo, hi) of a 64-bit word, 0 <= lo <= hi <= 64.
inline uint64_t BitRange(size_t lo, size_t hi) {
  const uint64_t below_hi = hi >= 64 ? ~uint64_t{0} : (uint64_t{1} << hi) - 1;
  return below_hi & (~uint64_t{0} << lo);
}

// The token state machine of the reference, plus the output. Token t is
// written to index t of arrays sized by the kernel's bound. A pure-ASCII
// token gets begin/end at once and its hash in HashPending(); any other token
// is hashed at once from the token buffer.
template <bool kVectorHash>
class Walker {
 public:
  Walker(const uint8_t* text, const uint8_t* norm, uint64_t seed,
         Scratch* scratch, Tokens* out)
      : text_(text),
        norm_(norm),
        seed_(seed),
        token_(&scratch->token),
        hashes_(out->hashes.data()),
        begin_(out->begin.data()),
        end_(out->end.data()) {
    for (size_t c = 0; c < 3; ++c) list_[c] = scratch->lists[c].data();
    long64_ = scratch->long64.data();
    fixups_ = &scratch->fixups;
    fixups_->clear();
  }

  size_t count() const { return count_; }

  // A whole 64-byte block of ASCII starting at `base` with word bits `word`:
  // the hot path. Run starts and ends come from two shifts; each token costs
  // two bit scans and a few stores. State lives in locals for the loop.
  void AsciiBlock(size_t base, uint64_t word) {
    if (in_token_) {
      const uint64_t seps = ~word;
      if (seps == 0) {  // the open token spans the whole block
        if (!pure_) token_->append(reinterpret_cast<const char*>(norm_ + base), 64);
        end_tok_ = base + 64;
        return;
      }
      const size_t z = Ctz(seps);
      if (z > 0) {
        if (!pure_) token_->append(reinterpret_cast<const char*>(norm_ + base), z);
        end_tok_ = base + z;
      }
      Close();
      word &= ~uint64_t{0} << z;  // drop the rest of the closed token
    }
    uint64_t starts = word & ~(word << 1);
    uint64_t ends = ~word & (word << 1);
    size_t t = count_;
    while (starts != 0) {
      const size_t b = Ctz(starts);
      starts &= starts - 1;
      if (ends == 0) {  // the last run reaches the block end: stays open
        in_token_ = true;
        pure_ = true;
        begin_tok_ = base + b;
        end_tok_ = base + 64;
        break;
      }
      const size_t e = Ctz(ends);
      ends &= ends - 1;
      begin_[t] = static_cast<uint32_t>(base + b);
      end_[t] = static_cast<uint32_t>(base + e);
      if constexpr (!kVectorHash) {  // vector mode: the hash kernel sorts
        const size_t c = kLengthClass64[e - b];  // e - b < 64
        list_[c][list_len_[c]++] = static_cast<uint32_t>(t);
      }
      ++t;
    }
    count_ = t;
  }

  // The ASCII bytes [base + lo, base + hi) of a block that also holds bytes
  // >= 0x80: the general form of AsciiBlock, bit by bit range.
  void AsciiRange(size_t base, size_t lo, size_t hi, uint64_t word) {
    if (lo >= hi) return;
    const uint64_t range = BitRange(lo, hi);
    uint64_t w = word & range;
    if (in_token_) {
      const uint64_t seps = ~word & range;
      if (seps == 0) {  // the open token spans the whole range
        if (!pure_) token_->append(reinterpret_cast<const char*>(norm_ + base + lo), hi - lo);
        end_tok_ = base + hi;
        return;
      }
      const size_t z = Ctz(seps);
      if (z > lo) {
        if (!pure_) token_->append(reinterpret_cast<const char*>(norm_ + base + lo), z - lo);
        end_tok_ = base + z;
      }
      Close();
      w &= ~uint64_t{0} << z;
    }
    while (w != 0) {
      const size_t b = Ctz(w);
      const uint64_t seps = ~word & range & (~uint64_t{0} << b);
      if (seps == 0) {  // runs to the end of the range: stays open
        in_token_ = true;
        pure_ = true;
        begin_tok_ = base + b;
        end_tok_ = base + hi;
        return;
      }
      const size_t z = Ctz(seps);
      EmitPure(base + b, base + z);
      w &= ~uint64_t{0} << z;
    }
  }

  // Consumes the UTF-8 sequence (or invalid byte) at `pos`, whose first byte
  // is >= 0x80; returns the position after it. Mirrors the reference.
  size_t NonAscii(size_t pos, size_t n) {
    utf8proc_int32_t cp = -1;
    const utf8proc_ssize_t len = utf8proc_iterate(
        text_ + pos, static_cast<utf8proc_ssize_t>(n - pos), &cp);
    if (len <= 0) {  // invalid UTF-8: one byte of separator
      if (in_token_) Close();
      return pos + 1;
    }
    const size_t ulen = static_cast<size_t>(len);
    // Fold into the token buffer first (a separator appends nothing). While
    // the open token is pure ASCII its bytes are still in norm_ and the
    // buffer is empty, so `mark` is 0 then.
    const size_t mark = token_->size();
    switch (internal::ClassifyAndAppendFolded(cp, token_)) {
      case internal::CharClass::kWord:
        if (!in_token_) {
          in_token_ = true;
          pure_ = false;
          begin_tok_ = pos;
        } else if (pure_) {  // the token stops being pure ASCII
          token_->insert(0, reinterpret_cast<const char*>(norm_ + begin_tok_),
                         end_tok_ - begin_tok_);
          pure_ = false;
        }
        end_tok_ = pos + ulen;
        break;
      case internal::CharClass::kIsolated:
        // The folded character is a token of its own; the open token (if
        // any) ends before it.
        if (in_token_) {
          if (pure_) {
            EmitPure(begin_tok_, end_tok_);
          } else if (mark > 0) {
            EmitHashed(token_->data(), mark, begin_tok_, end_tok_);
          }
          in_token_ = false;
        }
        if (token_->size() > mark) {
          EmitHashed(token_->data() + mark, token_->size() - mark, pos, pos + ulen);
        }
        token_->clear();
        break;
      case internal::CharClass::kSeparator:
        if (in_token_) Close();
        break;
    }
    return pos + ulen;
  }

  void Finish() {
    if (in_token_) Close();
  }

  // Hashes the pure-ASCII tokens: the kernel for 1 to 8 bytes, XXH3 for
  // the rest; then restores the tokens hashed during the walk. Values are
  // XXH3_64bits_withSeed's (tests compare against the reference).
  // Vector mode only: pure-ASCII 64-byte blocks [first, last) of the packed
  // word bits, all at once through the run kernel. An open pure token's
  // start is written first so that starts and ends pair up by index; a token
  // reaching the end of the run stays open. Precondition: no token with
  // non-ASCII bytes is open (its bytes must go through the token buffer).
  void AsciiBlocks(const uint64_t* word_bits, size_t first, size_t last) {
    size_t starts = count_;
    if (in_token_) begin_[starts++] = static_cast<uint32_t>(begin_tok_);
    size_t num_starts = 0, num_ends = 0;
    const uint64_t open = internal::AsciiRunsSimd(
        word_bits + first, last - first, static_cast<uint32_t>(first * 64),
        in_token_ ? 1 : 0, begin_ + starts, &num_starts, end_ + count_, &num_ends);
    count_ += num_ends;
    in_token_ = open != 0;
    if (in_token_) {
      pure_ = true;
      begin_tok_ = begin_[count_];
      end_tok_ = last * 64;
    }
  }

  bool InTokenWithNonAscii() const { return in_token_ && !pure_; }

  void HashPending() {
    const uint8_t* norm = norm_;
    const uint64_t seed = seed_;
    if constexpr (kVectorHash) {
      // Every index through the kernel; then the long tokens it listed, and
      // the tokens hashed during the walk put back.
      const size_t num_long = internal::HashShortTokensSimd(norm, begin_, end_, count_,
                                                            seed, long64_, hashes_);
      for (size_t i = 0; i < num_long; ++i) {
        const uint64_t t = long64_[i];
        hashes_[t] = XXH3_64bits_withSeed(norm + begin_[t], end_[t] - begin_[t], seed);
      }
      for (const auto& [index, hash] : *fixups_) hashes_[index] = hash;
    } else {
      for (size_t i = 0; i < list_len_[0]; ++i) {
        const uint32_t t = list_[0][i];
        hashes_[t] = XXH3_len_1to3_64b(norm + begin_[t], end_[t] - begin_[t],
                                       XXH3_kSecret, seed);
      }
      for (size_t i = 0; i < list_len_[1]; ++i) {
        const uint32_t t = list_[1][i];
        hashes_[t] = XXH3_len_4to8_64b(norm + begin_[t], end_[t] - begin_[t],
                                       XXH3_kSecret, seed);
      }
      for (size_t i = 0; i < list_len_[kLongClass]; ++i) {
        const uint32_t t = list_[kLongClass][i];
        hashes_[t] = XXH3_64bits_withSeed(norm + begin_[t], end_[t] - begin_[t], seed);
      }
    }
  }

 private:
  void Close() {
    if (pure_) {
      EmitPure(begin_tok_, end_tok_);
    } else {
      // A token of lone combining marks folds to nothing and is dropped.
      if (!token_->empty()) {
        EmitHashed(token_->data(), token_->size(), begin_tok_, end_tok_);
      }
      token_->clear();
    }
    in_token_ = false;
  }

  void EmitPure(size_t b, size_t e) {
    const size_t t = count_++;
    begin_[t] = static_cast<uint32_t>(b);
    end_[t] = static_cast<uint32_t>(e);
    if constexpr (!kVectorHash) {  // vector mode: the hash kernel sorts
      const size_t len = e - b;
      const size_t c = len < 64 ? kLengthClass64[len] : kLongClass;
      list_[c][list_len_[c]++] = static_cast<uint32_t>(t);
    }
  }

  void EmitHashed(const char* bytes, size_t len, size_t b, size_t e) {
    const size_t t = count_++;
    const uint64_t h = XXH3_64bits_withSeed(bytes, len, seed_);
    hashes_[t] = h;
    begin_[t] = static_cast<uint32_t>(b);
    end_[t] = static_cast<uint32_t>(e);
    if constexpr (kVectorHash) fixups_->emplace_back(static_cast<uint32_t>(t), h);
  }

  const uint8_t* text_;
  const uint8_t* norm_;
  uint64_t seed_;
  std::string* token_;
  uint64_t* hashes_;
  uint32_t* begin_;
  uint32_t* end_;
  uint32_t* list_[3];
  size_t list_len_[3] = {0, 0, 0};
  uint64_t* long64_;
  std::vector<std::pair<uint32_t, uint64_t>>* fixups_;
  size_t count_ = 0;
  bool in_token_ = false;
  bool pure_ = true;  // the open token is ASCII only: norm_[begin_tok_, end_tok_)
  size_t begin_tok_ = 0;
  size_t end_tok_ = 0;
};

// Runs the walk over the classified document and hashes its tokens into
// out's arrays (sized by the kernel's bound); returns the token count.
template <bool kVectorHash>
size_t Walk(const uint8_t* p, size_t n, size_t words, uint64_t seed, Scratch* scratch,
            Tokens* out) {
  Walker<kVectorHash> walker(p, scratch->norm.data() + kNormFrontPad, seed, scratch, out);
  size_t pos = 0;
  while (pos < n) {
    const size_t block = pos / 64;
    const size_t base = block * 64;
    // The kernel packs bits little-endian: word `block` holds bytes
    // [base, base + 64), byte i at bit i - base (on little-endian hosts).
    const uint64_t word = scratch->word_bits[block];
    const uint64_t high = scratch->high_bits[block] & (~uint64_t{0} << (pos - base));
    if (high == 0) {
      if (pos != base) {
        walker.AsciiRange(base, pos - base, 64, word);
      } else if (kVectorHash && !walker.InTokenWithNonAscii()) {
        // The common case in vector mode: a run of whole ASCII blocks.
        size_t last = block + 1;
        while (last < words && scratch->high_bits[last] == 0) ++last;
        walker.AsciiBlocks(scratch->word_bits.data(), block, last);
        pos = last * 64;
        continue;
      } else {
        walker.AsciiBlock(base, word);
      }
      pos = base + 64;
      continue;
    }
    const size_t h = Ctz(high);
    walker.AsciiRange(base, pos - base, h, word);
    pos = walker.NonAscii(base + h, n);
  }
  walker.Finish();
  walker.HashPending();
  return walker.count();
}

}  // namespace

namespace {
// One relaxed increment per call (a document), not per token.
std::atomic<uint64_t> g_tokenize_calls{0};
}  // namespace

uint64_t internal::TokenizeCalls() { return g_tokenize_calls.load(std::memory_order_relaxed); }

void Tokenize(std::string_view text, uint64_t seed, Tokens* out) {
  const size_t n = text.size();
  if (n == 0) {
    out->clear();
    return;
  }
  g_tokenize_calls.fetch_add(1, std::memory_order_relaxed);
  thread_local Scratch scratch;
  const size_t words = (n + 63) / 64;  // 64-byte blocks, padding included
  // 256 bytes of slack: a scalable target's last vector may overrun, and the
  // hash kernel reads 8 bytes from the start of the last token.
  if (scratch.norm.size() < kNormFrontPad + words * 64 + 256) {
    scratch.norm.resize(kNormFrontPad + words * 64 + 256);
    scratch.word_bits.resize(words + 4);
    scratch.high_bits.resize(words + 4);
  }
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  const size_t bound = internal::ClassifyBytesSimd(
      p, n, scratch.norm.data() + kNormFrontPad,
      reinterpret_cast<uint8_t*>(scratch.word_bits.data()),
      reinterpret_cast<uint8_t*>(scratch.high_bits.data()));
  // Not cleared first: resizing a reused Tokens only zero-fills what it grows
  // by, and every entry below the final count is overwritten.
  // Slack: the vector kernels store whole vectors past the last token.
  out->hashes.resize(bound + kOutputSlack);
  out->begin.resize(bound + kOutputSlack);
  out->end.resize(bound + kOutputSlack);
  // +1: the walk stores a candidate index before deciding to keep it.
  if (scratch.lists[0].size() < bound + 1) {
    for (auto& list : scratch.lists) list.resize(bound + 1);
    scratch.long64.resize(bound + kOutputSlack);
  }
  scratch.token.clear();
  const size_t count =
      internal::ShortTokenHashIsVector()
          ? Walk<true>(p, n, words, seed, &scratch, out)
          : Walk<false>(p, n, words, seed, &scratch, out);
  out->hashes.resize(count);
  out->begin.resize(count);
  out->end.resize(count);
}

}  // namespace chaff
