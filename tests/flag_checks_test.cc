// The checks of numeric options (cli/flag_checks.h), parsed as CLI11 parses
// argv, and Status::WithPrefix naming a file once.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "chaff/status.h"
#include "cli/detector_flags.h"
#include "cli/flag_checks.h"

namespace {

// Parses `--x VALUE` into an option of type T checked by `check`; returns
// the error message ("" when accepted) and sets *out.
template <typename T>
std::string ParseX(const std::string& value, const CLI::Validator& check, T* out) {
  CLI::App app{"test"};
  app.add_option("--x", *out)->check(check);
  std::vector<std::string> args = {value, "--x"};  // CLI11 takes them reversed
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("flag checks: numbers are finite and within their bounds", "[cli]") {
  double d = 0;
  CHECK(ParseX("0.5", chaff::NumberIn(0.01, 0.99), &d).empty());
  CHECK(d == 0.5);
  CHECK(ParseX("1e-2", chaff::NumberIn(0.01, 0.99), &d).empty());
  for (const char* bad : {"nan", "NaN", "-nan", "inf", "-inf", "1e999"}) {
    INFO(bad);
    CHECK(ParseX(bad, chaff::NumberIn(0.0, 1.0), &d).find("is not a finite number") !=
          std::string::npos);
  }
  CHECK(ParseX("0.5x", chaff::NumberIn(0.0, 1.0), &d) == "--x: '0.5x' is not a number");
  CHECK(ParseX("", chaff::NumberIn(0.0, 1.0), &d).find("is not a number") != std::string::npos);
  // The bounds as they are, not 0.010000 or the largest double.
  CHECK(ParseX("2", chaff::NumberIn(0.01, 0.99), &d) == "--x: 2 is not in [0.01, 0.99]");
  CHECK(ParseX("-1", chaff::NumberIn(0.0, 1000.0), &d) == "--x: -1 is not in [0, 1000]");
}

TEST_CASE("flag checks: integers are whole, in range, and never wrap", "[cli]") {
  int i = 0;
  CHECK(ParseX("4096", chaff::IntegerIn(8, 4096), &i).empty());
  CHECK(i == 4096);
  CHECK(ParseX("5", chaff::IntegerIn(8, 4096), &i) == "--x: 5 is not in [8, 4096]");
  CHECK(ParseX("1e3", chaff::IntegerIn(0, 4096), &i) == "--x: '1e3' is not a whole number");
  CHECK(ParseX("1.5", chaff::IntegerIn(0, 4096), &i) == "--x: '1.5' is not a whole number");
  CHECK(ParseX("nan", chaff::IntegerIn(0, 4096), &i) == "--x: 'nan' is not a whole number");
  // An unsigned option: "-1" is refused before CLI11 could wrap it to
  // 18446744073709551615.
  uint64_t u = 7;
  CHECK(ParseX("-1", chaff::IntegerIn(1), &u) == "--x: -1 is less than 1");
  CHECK(u == 7);
  CHECK(ParseX("99999999999999999999", chaff::IntegerIn(1), &u) ==
        "--x: 99999999999999999999 is out of range");
  size_t z = 3;
  CHECK(ParseX("-1", chaff::IntegerIn(0), &z) == "--x: -1 is less than 0");
  CHECK(ParseX("12", chaff::IntegerIn(0), &z).empty());
  CHECK(z == 12);
}

TEST_CASE("flag checks: template options refuse nan, inf and negatives", "[cli]") {
  for (const auto& [option, bad] :
       {std::pair<const char*, const char*>{"--template-min-share", "nan"},
        {"--template-min-share", "inf"},
        {"--template-min-documents", "-1"},
        {"--template-min-count", "1e3"}}) {
    chaff::TemplateOptions templates;
    std::string line_model;
    CLI::App app{"test"};
    chaff::AddDetectorFlags(&app, &templates, &line_model);
    std::vector<std::string> args = {bad, option};
    INFO(option << " " << bad);
    CHECK_THROWS_AS(app.parse(args), CLI::ValidationError);
  }
}

TEST_CASE("status: WithPrefix names a file once", "[status]") {
  const chaff::Status s(chaff::StatusCode::kDataError, "a.jsonl.gz: truncated gzip stream");
  CHECK(s.WithPrefix("a.jsonl.gz").message() == "a.jsonl.gz: truncated gzip stream");
  CHECK(s.WithPrefix("b.jsonl").message() == "b.jsonl: a.jsonl.gz: truncated gzip stream");
  // Only a whole "prefix: " counts: a line number after the name is not it.
  const chaff::Status line(chaff::StatusCode::kDataError, "a.jsonl:17: bad");
  CHECK(line.WithPrefix("a.jsonl").message() == "a.jsonl: a.jsonl:17: bad");
  CHECK(chaff::Status::Ok().WithPrefix("x").ok());
}
