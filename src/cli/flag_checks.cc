#include "cli/flag_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace chaff {
namespace {

// The shortest form that reads back: 0.01, 1000, 1048576 (not 0.010000 or
// 1.04858e+06).
std::string Bound(double v) {
  char buf[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
    return buf;
  }
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

CLI::Validator NumberIn(double min, double max) {
  const std::string bounds = "[" + Bound(min) + ", " + Bound(max) + "]";
  return CLI::Validator(
      [min, max, bounds](std::string& input) -> std::string {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(input.c_str(), &end);
        if (input.empty() || end != input.c_str() + input.size()) {
          return Quoted(input) + " is not a number";
        }
        if (!std::isfinite(v) || errno == ERANGE) return Quoted(input) + " is not a finite number";
        if (v < min || v > max) return input + " is not in " + bounds;
        return std::string();
      },
      "in " + bounds);
}

CLI::Validator IntegerIn(int64_t min, int64_t max) {
  const std::string bounds = max == std::numeric_limits<int64_t>::max()
                                 ? ">= " + std::to_string(min)
                                 : "in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  return CLI::Validator(
      [min, max, bounds](std::string& input) -> std::string {
        errno = 0;
        char* end = nullptr;
        const long long v = std::strtoll(input.c_str(), &end, 10);
        if (input.empty() || end != input.c_str() + input.size()) {
          return Quoted(input) + " is not a whole number";
        }
        if (errno == ERANGE) return input + " is out of range";
        if (v < min || v > max) {
          return max == std::numeric_limits<int64_t>::max()
                     ? input + " is less than " + std::to_string(min)
                     : input + " is not " + bounds;
        }
        return std::string();
      },
      bounds);
}

}  // namespace chaff
