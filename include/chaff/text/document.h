// A document as every stage after reading sees it: its lines with byte
// offsets, its tokens (normalized and hashed) with byte offsets, which
// tokens belong to which line, and each line's identity. Built once per
// document, with one pass of the SIMD tokenizer, and read by every detector
// (repeats, the line classifier, templates) and by the near-duplicate
// sketch: no stage segments or tokenizes the text again.
//
// A Document keeps its buffers between documents: a worker that builds one
// document after another in the same Document allocates nothing once the
// buffers have grown to its largest document.
#ifndef CHAFF_TEXT_DOCUMENT_H_
#define CHAFF_TEXT_DOCUMENT_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "chaff/text/segment.h"
#include "chaff/text/tokenize.h"

namespace chaff {

class Document {
 public:
  Document() = default;
  explicit Document(std::string_view text) { Build(text); }

  // Segments and tokenizes `text` (any bytes; at most 4 GiB), which must
  // outlive every use of this document until the next Build. Token hashes
  // use kDefaultTokenSeed, the seed every detector and the dedupe sketch
  // use by default.
  void Build(std::string_view text);

  std::string_view text() const { return text_; }
  const std::vector<Line>& lines() const { return lines_; }
  size_t num_lines() const { return lines_.size(); }
  std::string_view line_text(size_t line) const { return LineText(text_, lines_[line]); }

  // Every token of the document, in order; offsets into text().
  const Tokens& tokens() const { return tokens_; }
  // The tokens of `line` are [token_begin(line), token_end(line)) of
  // tokens() (a token never crosses a line break).
  size_t token_begin(size_t line) const { return line_tokens_[line]; }
  size_t token_end(size_t line) const { return line_tokens_[line + 1]; }
  size_t num_tokens(size_t line) const { return token_end(line) - token_begin(line); }

  // The identity of `line`: a 64-bit hash of its token hashes, equal for two
  // lines exactly when their normalized forms (NormalizeForHash) are equal,
  // up to 64-bit collisions; never 0 for a line with a token, and 0 for a
  // line without (blank, or only punctuation: such lines have no identity).
  uint64_t identity(size_t line) const { return identities_[line]; }

  // The identity of a token range, as identity() computes it.
  static uint64_t Identity(const uint64_t* token_hashes, size_t n);

 private:
  std::string_view text_;
  std::vector<Line> lines_;
  Tokens tokens_;
  std::vector<uint32_t> line_tokens_;  // lines + 1 entries
  std::vector<uint64_t> identities_;
};

}  // namespace chaff

#endif  // CHAFF_TEXT_DOCUMENT_H_
