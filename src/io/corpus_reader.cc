#include "chaff/io/corpus_reader.h"

#include <algorithm>
#include <filesystem>

#include "chaff/io/jsonl.h"

namespace chaff {

StatusOr<std::vector<CorpusInput>> ListCorpusInputs(
    const std::vector<std::string>& paths, std::vector<std::string>* warnings) {
  for (const auto& p : paths) {
    if (p == kStdio) {
      return InvalidArgument(
          "stdin (-) cannot be listed here: add it as an input of its own");
    }
  }
  CHAFF_ASSIGN_OR_RETURN(std::vector<InputFile> files, ListInputs(paths, warnings));
  std::vector<CorpusInput> out;
  out.reserve(files.size());
  for (auto& f : files) {
    CorpusInput in;
    in.kind = DetectInputKind(f.path);
    in.name = f.path;
    in.path = std::move(f.path);
    in.relative = std::move(f.relative);
    in.from_walk = f.from_walk;
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<CorpusInput> ToCorpusInputs(const std::vector<InputFile>& files) {
  std::vector<CorpusInput> out;
  out.reserve(files.size());
  for (const auto& f : files) {
    CorpusInput in;
    in.kind = KindOfPath(f.path);
    in.name = f.path;
    in.path = f.path;
    in.relative = f.relative;
    in.from_walk = f.from_walk;
    out.push_back(std::move(in));
  }
  return out;
}

uint64_t KnownInputBytes(const std::vector<CorpusInput>& inputs) {
  uint64_t total = 0;
  for (const auto& in : inputs) {
    const std::string& p = in.path;
    if (p == kStdio) return 0;
    auto ends = [&](const char* s) {
      const std::string suffix(s);
      return p.size() >= suffix.size() &&
             p.compare(p.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends(".gz") || ends(".zst")) return 0;
    std::error_code ec;
    const auto size = std::filesystem::file_size(p, ec);
    if (ec) return 0;
    total += size;
  }
  return total;
}

std::string RecordsRelativeName(const CorpusInput& in) {
  std::string relative = in.relative;
  if (in.kind != InputKind::kWarc || KindOfPath(relative) == InputKind::kJsonl) return relative;
  for (const std::string_view suffix : {".gz", ".zst"}) {
    if (relative.size() > suffix.size() &&
        relative.compare(relative.size() - suffix.size(), suffix.size(), suffix) == 0) {
      relative.resize(relative.size() - suffix.size());
      break;
    }
  }
  return relative + ".jsonl";
}

// --- Reading -------------------------------------------------------------------

CorpusReader::CorpusReader(const std::vector<CorpusInput>* inputs) : inputs_(inputs) {}
CorpusReader::~CorpusReader() = default;

std::string CorpusReader::SourceName(uint32_t index) const {
  return index < inputs_->size() ? (*inputs_)[index].name : "?";
}

StatusOr<bool> CorpusReader::Next(RawDocument* doc) {
  StatusOr<bool> more = NextRecord(doc);
  if (!more.ok()) failed_input_ = current_;
  bytes_read_.store(bytes_done_ + (lines_ ? lines_->bytes_consumed() : 0) +
                        (warc_ ? warc_->bytes_consumed() : 0),
                    std::memory_order_relaxed);
  return more;
}

void CorpusReader::EndWarc() {
  bytes_done_ += warc_->bytes_consumed();
  warc_counts_.Add(warc_->counts());
  for (const auto& m : warc_->bad_messages()) {
    warnings_.push_back(m + " (skipped: --skip-bad-records)");
    bad_warc_messages_.push_back(warnings_.back());
  }
  warc_.reset();
}

StatusOr<bool> CorpusReader::NextRecord(RawDocument* doc) {
  for (;;) {
    if (warc_) {
      WarcRecord record;
      CHAFF_ASSIGN_OR_RETURN(const bool more, warc_->Next(&record));
      if (!more) {
        EndWarc();
        continue;
      }
      // The fields and the text one after the other (io/warc.h): a decoder
      // takes the text as it is; JSON is written only for what is kept.
      encoded_.clear();
      AppendWarcDocument(record, &encoded_);
      doc->bytes = encoded_;
      doc->padded = false;
      doc->owner = nullptr;
      doc->source = current_;
      doc->line = record.number;
      return true;
    }
    if (lines_) {
      std::string_view line;
      auto more = lines_->Next(&line);
      if (!more.ok()) {
        // The stream failed (a truncated .gz, a read error), not a record:
        // name the file (the I/O layer usually does already) and where the
        // records stopped.
        const std::string& name = (*inputs_)[current_].name;
        const std::string& m = more.status().message();
        Status s = m.rfind(name + ":", 0) == 0 ? more.status() : more.status().WithPrefix(name);
        if (lines_->line_number() == 0) return s;
        return Status(s.code(), s.message() + " (after line " +
                                    std::to_string(lines_->line_number()) + ")");
      }
      if (!*more) {
        bytes_done_ += lines_->bytes_consumed();
        lines_.reset();
        continue;
      }
      // Blank lines are not records (as in `chaff clean`).
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      doc->bytes = line;
      static_assert(LineReader::kPadding >= kRecordPadding);
      doc->padded = true;
      doc->owner = lines_->line_owner();
      doc->source = current_;
      doc->line = lines_->line_number();
      return true;
    }
    if (next_input_ >= inputs_->size()) return false;
    current_ = static_cast<uint32_t>(next_input_++);
    const CorpusInput& in = (*inputs_)[current_];
    if (in.kind == InputKind::kWarc) {
      WarcReaderOptions options = warc_options_;
      options.skip_bad_records = skip_bad_records_;
      CHAFF_ASSIGN_OR_RETURN(warc_, WarcReader::Open(in.path, in.name, options));
      read_warc_ = true;
      continue;
    }
    if (in.kind == InputKind::kJsonl) {
      auto opened = LineReader::Open(in.path);
      if (!opened.ok()) return opened.status();
      lines_ = std::move(*opened);
      lines_->set_release_lag(std::max(LineReader::kReleaseLag, keep_behind_));
      continue;
    }
    auto text = ReadWholeFile(in.path);
    if (!text.ok()) return text.status();
    whole_ = std::move(*text);
    bytes_done_ += whole_.size();
    if (in.from_walk && LooksBinary(whole_)) {
      warnings_.push_back(in.name + ": skipped: looks binary (NUL bytes)");
      skipped_.push_back(current_);
      continue;
    }
    doc->bytes = whole_;
    doc->padded = false;
    doc->owner = nullptr;
    doc->source = current_;
    doc->line = 0;
    return true;
  }
}

void TextDecoder::Name(std::string_view, uint32_t source, uint64_t line, std::string* name) {
  *name = std::to_string(source) + ":" + std::to_string(line);
}

void RecordName(JsonlParser* parser, std::string_view record, const CorpusInput& in,
                uint64_t line, std::string_view id_field, std::string* name) {
  name->clear();
  if (in.kind == InputKind::kWarc) {
    WarcDocument doc;
    if (ParseWarcDocument(record, &doc) && !doc.id.empty()) {
      name->assign(doc.id);
      return;
    }
  }
  if (in.kind != InputKind::kJsonl) {
    *name = in.name;
    return;
  }
  // A record without an id, or one let through as bad (--skip-bad-records),
  // is named by its place.
  auto has_id = parser->ParseId(record, id_field, name);
  if (!has_id.ok() || !*has_id) *name = in.name + ":" + std::to_string(line);
}

namespace {

class CorpusDecoder final : public TextDecoder {
 public:
  CorpusDecoder(const std::vector<CorpusInput>* inputs, const JsonlFields& fields,
                std::shared_ptr<std::atomic<uint64_t>> bad, TextTransform transform)
      : inputs_(inputs), fields_(fields), bad_(std::move(bad)),
        transform_(std::move(transform)) {}

  Status Decode(std::string_view record, uint32_t source, bool padded,
                std::string_view* text) override {
    CHAFF_RETURN_IF_ERROR(Extract(record, source, padded, text));
    if (transform_) *text = transform_(*text, &transformed_);
    return Status::Ok();
  }

  void Name(std::string_view record, uint32_t source, uint64_t line,
            std::string* name) override {
    const CorpusInput& in = (*inputs_)[source];
    if (parsed_ && in.kind == InputKind::kJsonl) {
      // The record Decode just parsed: its id without a second parse.
      auto has_id = parser_.IdOfLastText(record, fields_.id_field, name);
      if (!has_id.ok() || !*has_id) *name = in.name + ":" + std::to_string(line);
      return;
    }
    RecordName(&parser_, record, in, line, fields_.id_field, name);
  }

 private:
  Status Extract(std::string_view record, uint32_t source, bool padded,
                 std::string_view* text) {
    parsed_ = false;
    const InputKind kind = (*inputs_)[source].kind;
    if (kind == InputKind::kText) {
      *text = record;
      return Status::Ok();
    }
    if (kind == InputKind::kWarc) {
      WarcDocument doc;
      if (!ParseWarcDocument(record, &doc)) {
        return Internal("a record of a WARC input is not a WARC document");
      }
      *text = doc.text;
      return Status::Ok();
    }
    // The id is not needed to sketch; pass 2 reads it when it writes ids
    // (or Name, right after this, when the caller keeps names).
    Status s = parser_.ParseText(record, fields_.text_field, padded, text);
    parsed_ = s.ok();
    if (!s.ok()) {
      if (!fields_.skip_bad_records) return s;
      if (bad_) bad_->fetch_add(1, std::memory_order_relaxed);
      *text = std::string_view();
    }
    return Status::Ok();
  }

  const std::vector<CorpusInput>* inputs_;
  JsonlFields fields_;
  std::shared_ptr<std::atomic<uint64_t>> bad_;
  TextTransform transform_;
  JsonlParser parser_;
  bool parsed_ = false;  // the last Decode parsed its record (Name may read its id)
  std::string transformed_;
};

}  // namespace

TextDecoderFactory CorpusDecoders(const std::vector<CorpusInput>* inputs,
                                  const JsonlFields& fields,
                                  std::shared_ptr<std::atomic<uint64_t>> bad_records,
                                  TextTransform transform) {
  return [inputs, fields, bad_records, transform]() -> std::unique_ptr<TextDecoder> {
    return std::make_unique<CorpusDecoder>(inputs, fields, bad_records, transform);
  };
}

}  // namespace chaff
