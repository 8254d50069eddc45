// The seed documents with their line labels (seeds/expected.json): the full
// chaff::Cleaner with default options must remove every line labelled
// chrome or duplicate and keep every content line ("either" lines are free).
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "chaff/detect/clean.h"

namespace {

const std::string kSeeds = std::string(CHAFF_SOURCE_DIR) + "/seeds";

// Expands [[a, b], ...] (1-based, inclusive) into line numbers.
std::vector<int64_t> Ranges(simdjson::dom::element ranges) {
  std::vector<int64_t> out;
  for (simdjson::dom::element range : ranges.get_array()) {
    simdjson::dom::array ab = range.get_array();
    const int64_t a = ab.at(0).get_int64();
    const int64_t b = ab.at(1).get_int64();
    for (int64_t i = a; i <= b; ++i) out.push_back(i);
  }
  return out;
}

}  // namespace

TEST_CASE("seeds: default cleaner removes chrome and duplicates, keeps content",
          "[seeds][chrome]") {
  simdjson::dom::parser parser;
  simdjson::padded_string json;
  REQUIRE_FALSE(simdjson::padded_string::load(kSeeds + "/expected.json").get(json));
  simdjson::dom::element root;
  REQUIRE_FALSE(parser.parse(json).get(root));
  simdjson::dom::object documents;
  REQUIRE_FALSE(root["documents"].get_object().get(documents));
  const chaff::Cleaner cleaner{chaff::CleanOptions()};
  int documents_checked = 0;
  for (auto [key, labels] : documents) {
    // A copy: structured bindings cannot be captured by the lambdas below.
    const std::string name(key);
    const std::string file = kSeeds + "/" + name;
    simdjson::padded_string text_json;
    REQUIRE_FALSE(simdjson::padded_string::load(file).get(text_json));
    const std::string text(text_json.data(), text_json.size());
    chaff::CleanResult result;
    cleaner.Clean(text, &result);
    const auto line_count = static_cast<int64_t>(result.lines.size());
    auto reason_of = [&](int64_t line_no) {
      REQUIRE(line_no >= 1);
      REQUIRE(line_no <= line_count);
      return result.decisions[static_cast<size_t>(line_no - 1)].reason;
    };
    auto show = [&](int64_t line_no) {
      const auto& line = result.lines[static_cast<size_t>(line_no - 1)];
      return name + ":" + std::to_string(line_no) + ": " +
             std::string(chaff::LineText(text, line));
    };
    for (int64_t i : Ranges(labels["content"])) {
      INFO(show(i));
      CHECK(reason_of(i) == chaff::Reason::kKeep);
    }
    for (const char* removed : {"chrome", "duplicate"}) {
      for (int64_t i : Ranges(labels[removed])) {
        INFO(removed << " " << show(i));
        CHECK(reason_of(i) != chaff::Reason::kKeep);
      }
    }
    ++documents_checked;
  }
  CHECK(documents_checked >= 5);
}
