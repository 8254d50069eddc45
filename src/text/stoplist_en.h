// Internal: the built-in English stoplist (generated, see stoplist_en.cc).
#ifndef CHAFF_TEXT_STOPLIST_EN_H_
#define CHAFF_TEXT_STOPLIST_EN_H_

#include <cstddef>

namespace chaff {
namespace internal {

extern const char* const kEnglishStopwords[];
extern const size_t kNumEnglishStopwords;

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_TEXT_STOPLIST_EN_H_
