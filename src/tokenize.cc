// Tokenize(): the fast tokenizer. A Highway kernel classifies and normalizes
// every byte of the document at once (src/simd/tokenize-inl.h); this file
// walks the resulting bit masks 64 bytes at a time, cutting ASCII tokens with
// bit scans and hashing their normalized bytes in place. Only bytes >= 0x80
// take the scalar slow path, one code point at a time, with the same
// utf8proc decoding and folding as the reference (TokenizeScalar), so the
// output is byte-identical to it on every target.
#include <utf8proc.h>
#include <xxhash.h>

#include <cstring>
#include <string>
#include <vector>

#include "chaff/tokenize.h"
#include "tokenize_internal.h"
#include "unicode_fold.h"

namespace chaff {
namespace {

// Per-thread buffers reused across calls: no allocation per token, and per
// document only while a document is larger than any before it.
struct Scratch {
  std::vector<uint8_t> norm;
  std::vector<uint64_t> word_bits;
  std::vector<uint64_t> high_bits;
  std::string token;  // normalized bytes of a token that is not pure ASCII
};

inline int Ctz(uint64_t x) { return __builtin_ctzll(x); }

// Bits [lo, hi) of a 64-bit word, 0 <= lo <= hi <= 64.
inline uint64_t BitRange(size_t lo, size_t hi) {
  const uint64_t below_hi = hi >= 64 ? ~uint64_t{0} : (uint64_t{1} << hi) - 1;
  return below_hi & (~uint64_t{0} << lo);
}

class Walker {
 public:
  Walker(const uint8_t* text, const uint8_t* norm, uint64_t seed,
         std::string* token, Tokens* out)
      : text_(text), norm_(norm), seed_(seed), token_(token), out_(out) {}

  // Consumes the ASCII bytes at [base + lo, base + hi) of one 64-byte block
  // whose word-character bits are `word`.
  void AsciiRange(size_t base, size_t lo, size_t hi, uint64_t word) {
    if (lo >= hi) return;
    const uint64_t range = BitRange(lo, hi);
    uint64_t w = word & range;
    if (in_token_) {
      const uint64_t seps = ~word & range;
      if (seps == 0) {  // the open token spans the whole range
        if (!pure_) token_->append(reinterpret_cast<const char*>(norm_ + base + lo), hi - lo);
        end_ = base + hi;
        return;
      }
      const size_t z = static_cast<size_t>(Ctz(seps));
      if (z > lo) {
        if (!pure_) token_->append(reinterpret_cast<const char*>(norm_ + base + lo), z - lo);
        end_ = base + z;
      }
      Close();
      w &= ~uint64_t{0} << z;
    }
    while (w != 0) {
      const size_t b = static_cast<size_t>(Ctz(w));
      const uint64_t seps = ~word & range & (~uint64_t{0} << b);
      if (seps == 0) {  // runs to the end of the range: stays open
        in_token_ = true;
        pure_ = true;
        begin_ = base + b;
        end_ = base + hi;
        return;
      }
      const size_t z = static_cast<size_t>(Ctz(seps));
      Emit(norm_ + base + b, z - b, base + b, base + z);
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
          begin_ = pos;
        } else if (pure_) {  // the token stops being pure ASCII
          token_->insert(0, reinterpret_cast<const char*>(norm_ + begin_),
                         end_ - begin_);
          pure_ = false;
        }
        end_ = pos + ulen;
        break;
      case internal::CharClass::kIsolated:
        // The folded character is a token of its own; the open token (if
        // any) ends before it.
        if (in_token_) {
          if (pure_) {
            Emit(norm_ + begin_, end_ - begin_, begin_, end_);
          } else if (mark > 0) {
            Hash(token_->data(), mark, begin_, end_);
          }
          in_token_ = false;
        }
        if (token_->size() > mark) {
          Hash(token_->data() + mark, token_->size() - mark, pos, pos + ulen);
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

 private:
  void Close() {
    if (pure_) {
      Emit(norm_ + begin_, end_ - begin_, begin_, end_);
    } else {
      // A token of lone combining marks folds to nothing and is dropped.
      if (!token_->empty()) Hash(token_->data(), token_->size(), begin_, end_);
      token_->clear();
    }
    in_token_ = false;
  }

  void Emit(const uint8_t* bytes, size_t len, size_t b, size_t e) {
    Hash(reinterpret_cast<const char*>(bytes), len, b, e);
  }

  void Hash(const char* bytes, size_t len, size_t b, size_t e) {
    out_->hashes.push_back(XXH3_64bits_withSeed(bytes, len, seed_));
    out_->begin.push_back(static_cast<uint32_t>(b));
    out_->end.push_back(static_cast<uint32_t>(e));
  }

  const uint8_t* text_;
  const uint8_t* norm_;
  uint64_t seed_;
  std::string* token_;
  Tokens* out_;
  bool in_token_ = false;
  bool pure_ = true;  // the open token is ASCII only: its bytes are norm_[begin_, end_)
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace

void Tokenize(std::string_view text, uint64_t seed, Tokens* out) {
  out->clear();
  const size_t n = text.size();
  if (n == 0) return;
  thread_local Scratch scratch;
  const size_t words = (n + 63) / 64;
  // HWY_MAX_BYTES of slack: a scalable target's last vector may overrun.
  if (scratch.norm.size() < words * 64 + 256) {
    scratch.norm.resize(words * 64 + 256);
    scratch.word_bits.resize(words + 4);
    scratch.high_bits.resize(words + 4);
  }
  const auto* p = reinterpret_cast<const uint8_t*>(text.data());
  internal::ClassifyBytesSimd(
      p, n, scratch.norm.data(),
      reinterpret_cast<uint8_t*>(scratch.word_bits.data()),
      reinterpret_cast<uint8_t*>(scratch.high_bits.data()));
  scratch.token.clear();
  Walker walker(p, scratch.norm.data(), seed, &scratch.token, out);
  size_t pos = 0;
  while (pos < n) {
    const size_t block = pos / 64;
    const size_t base = block * 64;
    // Bits are packed little-endian, so word `block` holds bytes
    // [base, base + 64) with byte i at bit i - base on little-endian hosts.
    const uint64_t word = scratch.word_bits[block];
    const uint64_t high = scratch.high_bits[block] & (~uint64_t{0} << (pos - base));
    if (high == 0) {
      walker.AsciiRange(base, pos - base, 64, word);
      pos = base + 64;
      continue;
    }
    const size_t h = static_cast<size_t>(Ctz(high));
    walker.AsciiRange(base, pos - base, h, word);
    pos = walker.NonAscii(base + h, n);
  }
  walker.Finish();
}

}  // namespace chaff
