// The chrome and template flags parse into the option structs, keep the
// defaults when absent, and reject out-of-range values.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/chrome_flags.h"

namespace {

// Parses `args` (without the program name) into fresh structs.
bool Parse(std::vector<std::string> args, chaff::ChromeOptions* chrome,
           chaff::TemplateOptions* templates, std::string* stoplist) {
  CLI::App app{"test"};
  chaff::AddChromeFlags(&app, chrome, templates, stoplist);
  std::reverse(args.begin(), args.end());  // CLI11 takes them reversed
  try {
    app.parse(args);
  } catch (const CLI::ParseError&) {
    return false;
  }
  return true;
}

}  // namespace

TEST_CASE("chrome flags: values, defaults and ranges", "[chrome][cli]") {
  chaff::ChromeOptions chrome;
  chaff::TemplateOptions templates;
  std::string stoplist;
  REQUIRE(Parse({"--chrome-length-low", "25", "--chrome-stop-high", "0.4",
                 "--chrome-main-segment", "false", "--template-min-documents", "9",
                 "--chrome-list-item-min-words", "0"},
                &chrome, &templates, &stoplist));
  CHECK(chrome.list_item_min_words == 0);
  CHECK(chrome.length_low == 25);
  CHECK(chrome.stop_high == Approx(0.4));
  CHECK_FALSE(chrome.main_segment);
  CHECK(templates.min_documents == 9);
  CHECK(chrome.length_high == chaff::ChromeOptions().length_high);  // untouched
  CHECK(stoplist.empty());

  chaff::ChromeOptions c2;
  chaff::TemplateOptions t2;
  CHECK_FALSE(Parse({"--chrome-stop-low", "1.5"}, &c2, &t2, &stoplist));
  CHECK_FALSE(Parse({"--template-min-documents", "0"}, &c2, &t2, &stoplist));
  CHECK_FALSE(Parse({"--chrome-list-item-min-words", "-1"}, &c2, &t2, &stoplist));
  CHECK_FALSE(Parse({"--stoplist", "/nonexistent/stoplist.txt"}, &c2, &t2, &stoplist));
}

TEST_CASE("chrome flags: a stoplist file is loaded", "[chrome][cli]") {
  const std::string path = "chrome_flags_test_stoplist.txt";
  {
    std::ofstream out(path);
    out << "# Dutch\nde\nhet\neen\n";
  }
  chaff::ChromeOptions chrome;
  REQUIRE(chaff::LoadStoplistFile(path, &chrome).ok());
  REQUIRE(chrome.stoplist != nullptr);
  CHECK(chrome.stoplist->size() == 3);
  CHECK(chaff::LoadStoplistFile("/nonexistent/stoplist.txt", &chrome).code() ==
        chaff::StatusCode::kNotFound);
  std::remove(path.c_str());
}
