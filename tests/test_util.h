// Helpers shared by the Catch2 tests.
#ifndef CHAFF_TESTS_TEST_UTIL_H_
#define CHAFF_TESTS_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/io/files.h"

namespace chaff_test {

// A word spelled in letters: the tokenizer maps every digit to '0', so
// "w12" and "w34" would be the same token.
inline std::string Word(uint64_t n) {
  std::string w = "w";
  do {
    w += static_cast<char>('a' + n % 26);
    n /= 26;
  } while (n > 0);
  return w;
}

// Lines of `path` read through LineReader.
inline std::vector<std::string> ReadLines(const std::string& path) {
  auto reader = chaff::LineReader::Open(path);
  REQUIRE(reader.ok());
  std::vector<std::string> lines;
  std::string_view line;
  for (;;) {
    auto more = (*reader)->Next(&line);
    REQUIRE(more.ok());
    if (!*more) break;
    lines.emplace_back(line);
  }
  return lines;
}

}  // namespace chaff_test

#endif  // CHAFF_TESTS_TEST_UTIL_H_
