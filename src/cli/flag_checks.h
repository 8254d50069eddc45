// Checks for the numeric options of every command (and of the tools), so
// that all of them refuse the same values in the same words. CLI11's own
// CLI::Range lets "nan" through (every comparison with NaN is false) and
// CLI::NonNegativeNumber names the largest double as its bound; an unsigned
// option parses "-1" as 18446744073709551615. These take the value as
// typed: the whole of it must be a finite number (an integer for
// IntegerIn) within the bounds, and the message names them as they are:
// "--threshold: 2 is not in [0.01, 0.99]".
#ifndef CHAFF_CLI_FLAG_CHECKS_H_
#define CHAFF_CLI_FLAG_CHECKS_H_

#include <cstdint>
#include <limits>

#include <CLI/CLI.hpp>

namespace chaff {

// A finite number in [min, max] ("nan", "inf", "1x" are refused).
CLI::Validator NumberIn(double min, double max);

// A whole number in [min, max], checked before CLI11 converts it, so "-1"
// never wraps around in an unsigned option; "1e3" and "1.5" are refused.
CLI::Validator IntegerIn(int64_t min, int64_t max = std::numeric_limits<int64_t>::max());

}  // namespace chaff

#endif  // CHAFF_CLI_FLAG_CHECKS_H_
