#include "cli/cmd_explain.h"

#include <cstdio>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "cli/detector_flags.h"
#include "cli/cmd_clean.h"
#include "cli/common.h"
#include "cli/flag_checks.h"

namespace chaff {
namespace cli {
namespace {

StatusOr<std::string> LoadDocument(const ExplainFlags& flags) {
  if (KindOfPath(flags.input) != InputKind::kJsonl) {
    if (flags.record != 0) {
      return InvalidArgument("--record applies to JSONL inputs; " + flags.input +
                             " is read as one text document");
    }
    return ReadWholeFile(flags.input);
  }
  const uint64_t wanted = flags.record == 0 ? 1 : flags.record;
  auto reader = LineReader::Open(flags.input);
  if (!reader.ok()) return reader.status();
  std::string_view line;
  for (;;) {
    auto more = (*reader)->Next(&line);
    if (!more.ok()) return more.status();
    if (!*more) {
      return InvalidArgument(flags.input + " has no line " + std::to_string(wanted));
    }
    if ((*reader)->line_number() == wanted) break;
  }
  JsonlParser parser;
  JsonlRecord record;
  Status s = parser.Parse(line, flags.text_field, "", &record);
  if (!s.ok()) {
    return s.WithPrefix(flags.input + ":" + std::to_string(wanted));
  }
  return std::move(record.text);
}

}  // namespace

CLI::App* AddExplainCommand(CLI::App* app, ExplainFlags* flags) {
  CLI::App* cmd = app->add_subcommand(
      "explain",
      "Print every line of a document with chaff's decision: keep, or the "
      "reason it is removed (chrome, template, repeat of line N).");
  cmd->add_option("file", flags->input, "A text file, a JSONL file (see --record) or -")
      ->required();
  cmd->add_option("--record", flags->record,
                  "For JSONL: the line number of the record to explain (default 1)")
      ->check(IntegerIn(1));
  cmd->add_option("--text-field", flags->text_field, "JSONL field holding the text")
      ->capture_default_str();
  cmd->add_flag("--scores", flags->scores,
                "Also print the line model's probability that each line is content, and "
                "whether it reaches the page's threshold");
  cmd->add_flag("--no-chrome", flags->no_chrome, "Do not remove site chrome");
  cmd->add_flag("--no-repeats", flags->no_repeats, "Do not remove repeated paragraphs");
  AddDetectorFlags(cmd, &flags->templates, &flags->line_model_path);
  return cmd;
}

int RunExplain(const ExplainFlags& given) {
  ExplainFlags flags = given;
  {
    Status s = ApplyDetectorFlags(flags.no_chrome, flags.no_repeats, flags.line_model_path,
                                  &flags.clean);
    if (!s.ok()) return ExitFor(s);
  }
  auto text = LoadDocument(flags);
  if (!text.ok()) return ExitFor(text.status());
  Cleaner cleaner(flags.clean);
  CleanResult result;
  cleaner.Clean(*text, &result);
  std::string out;
  char head[64];
  for (size_t i = 0; i < result.lines.size(); ++i) {
    const Line& line = result.lines[i];
    const LineDecision& d = result.decisions[i];
    std::snprintf(head, sizeof(head), "%5zu  %-8s ", i + 1,
                  std::string(ReasonName(d.reason)).c_str());
    out += head;
    if (flags.scores) {
      // The line model's probability of content; "-" for a line it did not
      // score (blank).
      if (d.content >= 0) {
        std::snprintf(head, sizeof(head), "%4.2f %s ", static_cast<double>(d.content),
                      d.content >= result.content_threshold ? ">=" : "< ");
      } else {
        std::snprintf(head, sizeof(head), "%-7s ", "   -");
      }
      out += head;
    }
    out += "| ";
    out.append(LineText(*text, line));
    if (d.reason == Reason::kRepeat && d.ref_line >= 0) {
      out += "  [repeats line " + std::to_string(d.ref_line + 1) + "]";
    }
    out.push_back('\n');
  }
  const Accounting& a = result.accounting;
  out += "-- kept " + WithCommas(a.kept_bytes()) + " of " + WithCommas(a.total_bytes()) +
         " bytes";
  for (int r = 1; r < kNumReasons; ++r) {
    const auto k = static_cast<size_t>(r);
    if (a.lines[k] == 0) continue;
    out += "; " + std::string(ReasonName(static_cast<Reason>(r))) + ": " +
           WithCommas(a.lines[k]) + " lines, " + WithCommas(a.bytes[k]) + " bytes";
  }
  out.push_back('\n');
  if (flags.scores && result.content_threshold >= 0) {
    char t[160];
    std::snprintf(t, sizeof(t),
                  "-- line model: keeps lines whose probability of content is >= %.2f on this "
                  "page (the threshold of highest expected word F1)\n",
                  result.content_threshold);
    out += t;
  }
  auto stdout_file = OutputFile::Create(std::string(kStdio));
  if (!stdout_file.ok()) return ExitFor(stdout_file.status());
  Status s = (*stdout_file)->Write(out);
  if (s.ok()) s = (*stdout_file)->Commit();
  return ExitFor(s);
}

}  // namespace cli
}  // namespace chaff
