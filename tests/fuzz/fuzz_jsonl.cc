// The JSONL reader: LineReader over arbitrary bytes (plain, or gzip/zstd when
// the input starts with their magic) and JsonlParser on every line, with the
// record rewriting chaff does on output. Checks:
//   * plain input splits into exactly the lines a reference split gives (a
//     UTF-8 byte order mark skipped), and every byte is consumed; only
//     UTF-16/32 text (by its byte order mark) is refused;
//   * a parsed record's text value span starts and ends with a quote, and
//     rewriting the record with its own text gives a record that parses to
//     the same text and id (other bytes pass through untouched);
//   * AppendJsonString of any bytes (the line itself) is valid JSON.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "fuzz_common.h"

namespace {

// Reference split: lines end at "\n"; a "\r" before it is dropped; a final
// line without "\n" counts when not empty.
std::vector<std::string_view> SplitLines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? s.size() : nl;
    std::string_view line = s.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    pos = end + 1;
  }
  return out;
}

void CheckRecord(chaff::JsonlParser* parser, std::string_view line) {
  chaff::JsonlRecord rec;
  chaff::Status st = parser->Parse(line, "text", "id", "url", &rec);
  if (!st.ok()) {
    FUZZ_CHECK(!st.message().empty(), "an error without a message");
    return;
  }
  FUZZ_CHECK(rec.value_begin < rec.value_end && rec.value_end <= line.size(),
             "value span [%zu, %zu) of %zu", rec.value_begin, rec.value_end,
             line.size());
  FUZZ_CHECK(line[rec.value_begin] == '"' && line[rec.value_end - 1] == '"',
             "value span does not hold a string literal");
  std::string rewritten;
  chaff::AppendRecordWithText(line, rec, rec.text, &rewritten);
  chaff::JsonlRecord again;
  st = parser->Parse(rewritten, "text", "id", "url", &again);
  FUZZ_CHECK(st.ok(), "rewritten record does not parse: %s", st.message().c_str());
  FUZZ_CHECK(again.text == rec.text, "text changed by a rewrite");
  FUZZ_CHECK(again.has_id == rec.has_id && again.id == rec.id, "id changed by a rewrite");
  FUZZ_CHECK(again.site == rec.site, "site changed by a rewrite");
  FUZZ_CHECK(std::string_view(rewritten).substr(0, rec.value_begin) ==
                 line.substr(0, rec.value_begin),
             "bytes before the text value changed");
  FUZZ_CHECK(std::string_view(rewritten).substr(rewritten.size() -
                                               (line.size() - rec.value_end)) ==
                 line.substr(rec.value_end),
             "bytes after the text value changed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The reader takes a path: hand it an in-memory file.
  const int fd = memfd_create("fuzz_jsonl", MFD_CLOEXEC);
  FUZZ_CHECK(fd >= 0, "memfd_create failed");
  size_t off = 0;
  while (off < size) {
    const ssize_t w = ::write(fd, data + off, size - off);
    FUZZ_CHECK(w > 0, "write to memfd failed");
    off += static_cast<size_t>(w);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);

  static chaff::JsonlParser parser;
  const bool compressed =
      size >= 2 && ((data[0] == 0x1f && data[1] == 0x8b) ||
                    (size >= 4 && data[0] == 0x28 && data[1] == 0xb5 &&
                     data[2] == 0x2f && data[3] == 0xfd));
  const chaff::UnicodeBom bom = chaff::BomOf(input);
  const bool wide = bom != chaff::UnicodeBom::kNone && bom != chaff::UnicodeBom::kUtf8;
  auto reader = chaff::LineReader::Open(path);
  if (!reader.ok()) {
    // Only UTF-16/32 text is refused at open (plain, or once decompressed).
    ::close(fd);
    FUZZ_CHECK(reader.status().code() == chaff::StatusCode::kDataError &&
                   reader.status().message().find("), not UTF-8; convert it first") !=
                       std::string::npos,
               "cannot open the memfd: %s", reader.status().message().c_str());
    FUZZ_CHECK(compressed || wide, "plain input without a UTF-16/32 mark refused: %s",
               reader.status().message().c_str());
    return 0;
  }
  FUZZ_CHECK(compressed || !wide, "UTF-16/32 text opened");
  std::vector<std::string> lines;
  bool complete = true;
  for (;;) {
    std::string_view line;
    auto more = (*reader)->Next(&line);
    if (!more.ok()) {
      // Only compressed input can be malformed at this level.
      FUZZ_CHECK(more.status().code() == chaff::StatusCode::kDataError,
                 "unexpected error: %s", more.status().message().c_str());
      complete = false;
      break;
    }
    if (!*more) break;
    FUZZ_CHECK((*reader)->line_number() == lines.size() + 1, "line numbers skip");
    lines.emplace_back(line);
    if (lines.size() > 4096) break;  // bound the work on decompression bombs
  }
  ::close(fd);

  if (!compressed) {
    FUZZ_CHECK(complete, "plain input failed to read");
    if (lines.size() <= 4096) {
      FUZZ_CHECK((*reader)->bytes_consumed() == size, "consumed %llu of %zu bytes",
                 static_cast<unsigned long long>((*reader)->bytes_consumed()), size);
    }
    // A UTF-8 byte order mark is not part of line 1 (but is consumed).
    const auto want = SplitLines(input.substr(bom == chaff::UnicodeBom::kUtf8 ? 3 : 0));
    if (lines.size() <= 4096) {
      FUZZ_CHECK(lines.size() == want.size(), "%zu lines, reference %zu",
                 lines.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        FUZZ_CHECK(lines[i] == want[i], "line %zu differs", i + 1);
      }
    }
  }

  for (const std::string& line : lines) {
    CheckRecord(&parser, line);
    // Any bytes become a valid JSON string.
    std::string obj = "{\"text\":";
    chaff::AppendJsonString(line, &obj);
    obj += "}";
    chaff::JsonlRecord rec;
    const chaff::Status st = parser.Parse(obj, "text", "", &rec);
    FUZZ_CHECK(st.ok(), "AppendJsonString made invalid JSON: %s", st.message().c_str());
    // Valid UTF-8 round-trips exactly; only invalid bytes become U+FFFD.
    if (simdjson::validate_utf8(line.data(), line.size())) {
      FUZZ_CHECK(rec.text == line, "valid UTF-8 changed by AppendJsonString");
    }
  }
  return 0;
}
