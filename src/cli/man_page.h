// The manual page chaff.1, written from the CLI11 app itself: every
// subcommand, positional and option with its help text, value type,
// accepted values and default, exactly as `chaff COMMAND --help` has them.
// The build runs `chaff --man chaff.1` (CMakeLists.txt) and `cmake
// --install` installs the result, so the page cannot drift from the flags;
// tests/cli/man.sh checks that --help and the page list the same options
// for every subcommand.
#ifndef CHAFF_CLI_MAN_PAGE_H_
#define CHAFF_CLI_MAN_PAGE_H_

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

namespace chaff {
namespace cli {

// The page in roff (man macros) for `app`, with every subcommand defined.
// `version` goes in the page's header and footer.
std::string ManPage(const CLI::App& app, std::string_view version);

// `s` as roff text: backslashes, hyphens and a leading '.' or '\'' escaped.
std::string RoffEscape(std::string_view s);

}  // namespace cli
}  // namespace chaff

#endif  // CHAFF_CLI_MAN_PAGE_H_
