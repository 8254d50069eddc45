#include "unicode_fold.h"

#include <utf8proc.h>

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

}  // namespace internal
}  // namespace chaff
