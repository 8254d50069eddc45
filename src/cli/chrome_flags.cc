// Options of the chrome classifier and the template detector. Every help
// text states the default, taken from the structs so it cannot drift.
#include "cli/chrome_flags.h"

#include <CLI/CLI.hpp>
#include <fstream>
#include <sstream>

namespace chaff {
namespace {

std::string Num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
std::string Num(int v) { return std::to_string(v); }

}  // namespace

void AddChromeFlags(CLI::App* cmd, ChromeOptions* chrome,
                    TemplateOptions* templates, std::string* stoplist_path) {
  const std::string g = "Chrome and templates";
  cmd->add_option("--stoplist", *stoplist_path,
                  "stopword list for the chrome classifier: one word per line, "
                  "'#' comments (default: built-in English; documents whose "
                  "words are mostly not in the list fall back to length, "
                  "punctuation and context)")
      ->check(CLI::ExistingFile)
      ->group(g);
  cmd->add_option("--chrome-length-low", chrome->length_low,
                  "lines shorter than this many characters take their "
                  "neighbours' class (default " + Num(chrome->length_low) + ")")
      ->check(CLI::Range(0, 1 << 20))
      ->group(g);
  cmd->add_option("--chrome-length-high", chrome->length_high,
                  "lines at least this long with enough stopwords are content "
                  "(default " + Num(chrome->length_high) + ")")
      ->check(CLI::Range(0, 1 << 20))
      ->group(g);
  cmd->add_option("--chrome-stop-low", chrome->stop_low,
                  "stopword density of a near-content line (default " +
                      Num(chrome->stop_low) + ")")
      ->check(CLI::Range(0.0, 1.0))
      ->group(g);
  cmd->add_option("--chrome-stop-high", chrome->stop_high,
                  "stopword density of a content line (default " +
                      Num(chrome->stop_high) + ")")
      ->check(CLI::Range(0.0, 1.0))
      ->group(g);
  cmd->add_option("--chrome-min-doc-stop-density", chrome->min_doc_stop_density,
                  "below this stopword density of the whole document the "
                  "stoplist is not used (default " +
                      Num(chrome->min_doc_stop_density) + ")")
      ->check(CLI::Range(0.0, 1.0))
      ->group(g);
  cmd->add_option("--chrome-title-case-share", chrome->title_case_share,
                  "share of Title Case words that marks a headline or link "
                  "line (default " + Num(chrome->title_case_share) + ")")
      ->check(CLI::Range(0.0, 1.0))
      ->group(g);
  cmd->add_option("--chrome-numbers-are-short", chrome->numbers_are_short,
                  "lines with numbers are judged by their context, never bad "
                  "alone (default " + std::string(chrome->numbers_are_short ? "true" : "false") + ")")
      ->group(g);
  cmd->add_option("--chrome-list-item-min-words", chrome->list_item_min_words,
                  "bulleted or numbered list items of at least this many words are judged by "
                  "their context, never bad alone; 0: off (default " +
                      Num(chrome->list_item_min_words) + ")")
      ->check(CLI::Range(0, 1000))
      ->group(g);
  cmd->add_option("--chrome-repeated-short-lines-are-bad", chrome->repeated_short_lines_are_bad,
                  "short lines seen twice or more in a document are chrome "
                  "(default " + std::string(chrome->repeated_short_lines_are_bad ? "true" : "false") + ")")
      ->group(g);
  cmd->add_option("--chrome-max-timestamp-words", chrome->max_timestamp_words,
                  "longest time-stamp line, in words (default " +
                      Num(chrome->max_timestamp_words) + ")")
      ->check(CLI::Range(0, 1000))
      ->group(g);
  cmd->add_option("--chrome-main-segment", chrome->main_segment,
                  "keep only the best-scoring run of lines (default " +
                      std::string(chrome->main_segment ? "true" : "false") + ")")
      ->group(g);
  cmd->add_option("--chrome-bad-weight", chrome->bad_weight,
                  "weight of a chrome line against a content line when "
                  "choosing the main segment (default " +
                      Num(chrome->bad_weight) + ")")
      ->check(CLI::Range(0.0, 1000.0))
      ->group(g);
  cmd->add_option("--chrome-bad-line-words", chrome->bad_line_words,
                  "least cost, in words, of a chrome line when choosing the "
                  "main segment (default " + Num(chrome->bad_line_words) + ")")
      ->check(CLI::Range(0, 1 << 20))
      ->group(g);
  cmd->add_option("--chrome-stamp-line-words", chrome->stamp_line_words,
                  "least cost, in words, of a time-stamp or copyright line when "
                  "choosing the main segment (default " + Num(chrome->stamp_line_words) + ")")
      ->check(CLI::Range(0, 1 << 20))
      ->group(g);
  cmd->add_option("--chrome-near-good-weight", chrome->near_good_weight,
                  "share of a near-content sentence's words that counts when "
                  "choosing the main segment (default " + Num(chrome->near_good_weight) + ")")
      ->check(CLI::Range(0.0, 1.0))
      ->group(g);
  cmd->add_option("--chrome-short-line-words", chrome->short_line_words,
                  "cost, in words, of a short line when choosing the main "
                  "segment (default " + Num(chrome->short_line_words) + ")")
      ->check(CLI::Range(0.0, 1000.0))
      ->group(g);
  cmd->add_option("--chrome-title-shared-words", chrome->title_min_shared_words,
                  "keep the line above the content when it shares this many "
                  "words with it; 0 never (default " +
                      Num(chrome->title_min_shared_words) + ")")
      ->check(CLI::Range(0, 1000))
      ->group(g);
  cmd->add_option("--template-min-documents", templates->min_documents,
                  "template lines need a site with at least this many "
                  "documents (default " + Num(templates->min_documents) + ")")
      ->check(CLI::Range(1, 1 << 30))
      ->group(g);
  cmd->add_option("--template-min-count", templates->min_count,
                  "a template line is in at least this many documents of its "
                  "site (default " + Num(templates->min_count) + ")")
      ->check(CLI::Range(1, 1 << 30))
      ->group(g);
  cmd->add_option("--template-min-share", templates->min_share,
                  "... and in at least this share of them (default " +
                      Num(templates->min_share) + ")")
      ->check(CLI::Range(0.0, 1.0))
      ->group(g);
  cmd->add_option("--template-long-sentence-words", templates->long_sentence_words,
                  "sentences with this many words are never template lines "
                  "(default " + Num(templates->long_sentence_words) + ")")
      ->check(CLI::Range(1, 1 << 20))
      ->group(g);
}

Status LoadStoplistFile(const std::string& path, ChromeOptions* chrome) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot open the stoplist file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return IoError(path + ": cannot read the stoplist file");
  return ParseStoplist(text.str(), path, chrome);
}

}  // namespace chaff
