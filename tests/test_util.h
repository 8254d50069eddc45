// Helpers shared by the Catch2 tests.
#ifndef CHAFF_TESTS_TEST_UTIL_H_
#define CHAFF_TESTS_TEST_UTIL_H_

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
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

// A fresh directory under the system's temporary directory (mkdtemp),
// removed with its contents at the end.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "chaff-test-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

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
