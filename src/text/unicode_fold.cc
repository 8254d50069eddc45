#include "text/unicode_fold.h"

#include <utf8proc.h>

#include <cstring>
#include <memory>

namespace chaff {
namespace internal {
namespace {

bool IsIsolatedScript(int32_t cp) {
  return (cp >= 0x3400 && cp <= 0x4DBF) ||    // CJK Extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||    // CJK Unified Ideographs
         (cp >= 0xF900 && cp <= 0xFAFF) ||    // CJK Compatibility Ideographs
         (cp >= 0x20000 && cp <= 0x3134F) ||  // CJK Extensions B..G
         (cp >= 0x3040 && cp <= 0x309F) ||    // Hiragana
         (cp >= 0x30A0 && cp <= 0x30FF) ||    // Katakana
         (cp >= 0x31F0 && cp <= 0x31FF) ||    // Katakana Phonetic Extensions
         (cp >= 0xFF66 && cp <= 0xFF9D) ||    // Halfwidth Katakana
         (cp >= 0xAC00 && cp <= 0xD7A3);      // Hangul Syllables
}

void AppendUtf8(int32_t cp, std::string* out) {
  utf8proc_uint8_t buf[4];
  const utf8proc_ssize_t n = utf8proc_encode_char(cp, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

}  // namespace

CharClass ClassifyCodePoint(int32_t cp) {
  if (IsIsolatedScript(cp)) {
    // The prolonged sound mark and iteration marks are Lm/Lo and belong here.
    return CharClass::kIsolated;
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return CharClass::kWord;
    default:
      return CharClass::kSeparator;
  }
}

void AppendFolded(int32_t cp, std::string* out) {
  if (cp < 0x80) {
    const char c = static_cast<char>(cp);
    if (c >= '0' && c <= '9') {
      out->push_back('0');
    } else if (c >= 'A' && c <= 'Z') {
      out->push_back(static_cast<char>(c | 0x20));
    } else {
      out->push_back(c);
    }
    return;
  }
  utf8proc_int32_t buf[18];
  int last_boundclass = 0;
  const utf8proc_ssize_t n = utf8proc_decompose_char(
      cp, buf, 18,
      static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_COMPAT |
                                     UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK),
      &last_boundclass);
  if (n < 0 || n > 18) {  // cannot happen for valid code points; keep as is
    AppendUtf8(cp, out);
    return;
  }
  for (utf8proc_ssize_t k = 0; k < n; ++k) {
    const int32_t d = buf[k];
    if (d < 0x80) {
      AppendFolded(d, out);
    } else if (utf8proc_category(d) == UTF8PROC_CATEGORY_ND) {
      out->push_back('0');
    } else {
      AppendUtf8(d, out);
    }
  }
}

namespace {

struct FoldCacheEntry {
  int32_t cp = -1;  // -1: empty slot
  CharClass cls = CharClass::kSeparator;
  uint8_t len = 0;  // bytes of the folded form (only for word classes)
  char bytes[10] = {};
};
static_assert(sizeof(FoldCacheEntry) == 16, "one cache entry per 16 bytes");

constexpr size_t kFoldCacheBits = 12;

struct FoldCache {
  FoldCacheEntry entries[size_t{1} << kFoldCacheBits];
};

}  // namespace

CharClass ClassifyAndAppendFolded(int32_t cp, std::string* out) {
  thread_local std::unique_ptr<FoldCache> cache;
  if (!cache) cache = std::make_unique<FoldCache>();
  // Fibonacci hashing spreads neighbouring code points (one script's block)
  // over the whole table.
  const size_t slot = (static_cast<uint32_t>(cp) * 0x9E3779B1u) >> (32 - kFoldCacheBits);
  FoldCacheEntry& e = cache->entries[slot];
  if (e.cp == cp) {
    if (e.cls != CharClass::kSeparator) out->append(e.bytes, e.len);
    return e.cls;
  }
  const CharClass cls = ClassifyCodePoint(cp);
  if (cls == CharClass::kSeparator) {
    e.cp = cp;
    e.cls = cls;
    e.len = 0;
    return cls;
  }
  const size_t before = out->size();
  AppendFolded(cp, out);
  const size_t len = out->size() - before;
  if (len <= sizeof(e.bytes)) {  // longer forms are recomputed each time
    e.cp = cp;
    e.cls = cls;
    e.len = static_cast<uint8_t>(len);
    std::memcpy(e.bytes, out->data() + before, len);
  }
  return cls;
}

}  // namespace internal
}  // namespace chaff
