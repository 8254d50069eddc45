// The learned line model: which lines of a page are its content.
//
//   1. Features of every non-blank line (detect/line_features.h: the line's
//      shape, windows of lines around it, the page's shape and its densest
//      blocks of text) and token features: each line's hashed words looked
//      up in a table of log-odds learned from labelled pages (a bucket per
//      hash, no word is stored), and their windows.
//   2. Stage 1: gradient-boosted trees give each line a probability of
//      being content.
//   3. Stage 2 (when the model has one): the stage-1 probabilities of the
//      lines around each line (windows, neighbours, the page's mean, the
//      distance to the nearest likely content line, the block of likely
//      content) are features of a second set of trees, so that every line
//      is judged in its context: a caption or a sub-heading inside an
//      article, or one post of a thread, takes the context's verdict.
//   4. Decoding, per page: keep the lines whose probability reaches the
//      threshold that maximises the page's expected word F1 (each line's
//      words weighted by its probability), so a page the model is unsure of
//      keeps more than one it is sure of. Then the headline: of the few
//      lines above the first kept paragraph, the nearest headline-shaped
//      one that shares two content words with the paragraph is kept.
// The built-in model is trained by tools/train/train_line_model.py on the
// wcxb-dev pages (../shared/data) and compiled in (line_model_data.cc,
// generated); LineModel::Load reads a model file the same script writes.
#ifndef CHAFF_DETECT_LINE_MODEL_H_
#define CHAFF_DETECT_LINE_MODEL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "chaff/detect/decision.h"
#include "chaff/status.h"
#include "chaff/text/document.h"

namespace chaff {

class LineModel {
 public:
  ~LineModel();
  LineModel(const LineModel&) = delete;
  LineModel& operator=(const LineModel&) = delete;

  // The model compiled into chaff. Built on first use; shared.
  static std::shared_ptr<const LineModel> Default();

  // A model file written by tools/train/train_line_model.py (JSON,
  // "chaff-line-model-v1"). Fails naming the file when it cannot be read,
  // is not such a model, or was trained on other features than this build
  // computes.
  static StatusOr<std::shared_ptr<const LineModel>> Load(const std::string& path);
  static StatusOr<std::shared_ptr<const LineModel>> FromJson(std::string_view json,
                                                             std::string_view name);

  // A one-line description ("2 stages, 160 trees, 2,310 nodes").
  std::string Describe() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit LineModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct LineModelOptions {
  bool enabled = true;
  // Keep a headline-shaped line a few lines above the first kept paragraph
  // when it shares at least two content words with it (a date, byline or
  // share line often stands between them).
  bool keep_headline = true;
  // null: LineModel::Default().
  std::shared_ptr<const LineModel> model;
};

// Scores every non-blank line of `doc` and marks as Reason::kChrome the
// lines the decoder removes: those whose probability of being content
// (decision.content, set for every non-blank line) is below the page's
// threshold, which is returned (-1 when the page has no non-blank line).
// Lines already removed by another detector keep their reason. Blank lines
// are left to the cleaner. Preconditions: decisions->size() ==
// doc.num_lines(). Thread-safe.
double ClassifyLines(const Document& doc, const LineModelOptions& options,
                     std::vector<LineDecision>* decisions);

}  // namespace chaff

#endif  // CHAFF_DETECT_LINE_MODEL_H_
