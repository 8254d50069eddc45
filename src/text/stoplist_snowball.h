// Internal: the built-in stoplists of languages other than English (generated
// from the Snowball lists, see stoplist_snowball.cc).
#ifndef CHAFF_TEXT_STOPLIST_SNOWBALL_H_
#define CHAFF_TEXT_STOPLIST_SNOWBALL_H_

#include <cstddef>

namespace chaff {
namespace internal {

struct SnowballList {
  const char* language;
  const char* const* words;
  size_t size;
};

extern const SnowballList kSnowballLists[];
extern const size_t kNumSnowballLists;

}  // namespace internal
}  // namespace chaff

#endif  // CHAFF_TEXT_STOPLIST_SNOWBALL_H_
