// The WARC reader over arbitrary bytes (io/warc.h), from memory, so that the
// reading itself is what is fuzzed (the gzip layer is fuzz_jsonl's). The
// first input byte picks the read sizes compared. Checks:
//   * with skip_bad_records, reading never fails, every record is a
//     document, skipped or counted bad, and every document lies inside the
//     input at its offset;
//   * the documents, the counts and the error (without skipping) are the same
//     at any read size: reading depends on the bytes, not on how they arrive;
//   * the record CorpusReader makes of a document reads back to the same
//     fields, and its JSONL line is valid JSON.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "chaff/io/files.h"
#include "chaff/io/warc.h"
#include "fuzz_common.h"

namespace {

std::string Read(std::string_view input, size_t read_size, bool skip) {
  chaff::WarcReaderOptions options;
  options.read_size = read_size;
  options.skip_bad_records = skip;
  options.max_document_bytes = 4096;
  chaff::WarcReader reader(chaff::MemoryByteSource(input), "in", false, options);
  std::string transcript;
  chaff::WarcRecord rec;
  std::string record, line;
  simdjson::dom::parser parser;
  for (;;) {
    auto more = reader.Next(&rec);
    if (!more.ok()) {
      FUZZ_CHECK(!skip, "skipping failed: %s", more.status().message().c_str());
      transcript += "error " + more.status().message() + "\n";
      break;
    }
    if (!*more) break;
    FUZZ_CHECK(rec.offset < input.size(), "offset %llu past the input",
               static_cast<unsigned long long>(rec.offset));
    FUZZ_CHECK(input.substr(rec.offset, 5) == "WARC/", "no record at offset %llu",
               static_cast<unsigned long long>(rec.offset));
    record.clear();
    chaff::AppendWarcDocument(rec, &record);
    chaff::WarcDocument back;
    FUZZ_CHECK(chaff::ParseWarcDocument(record, &back), "document does not read back");
    FUZZ_CHECK(back.id == rec.id && back.url == rec.url && back.date == rec.date &&
                   back.text == rec.text,
               "document fields differ after a round trip");
    line.clear();
    chaff::AppendWarcJson(rec, &line);
    simdjson::padded_string padded(line);
    simdjson::dom::element doc;
    FUZZ_CHECK(!parser.parse(padded).get(doc), "JSONL line is not JSON: %s", line.c_str());
    transcript += std::to_string(rec.offset) + " " + std::to_string(rec.number) + " " +
                  std::string(rec.type) + " " + std::to_string(rec.text.size()) + "\n";
  }
  const chaff::WarcCounts& c = reader.counts();
  uint64_t skipped = 0;
  for (const auto& [type, n] : c.skipped) skipped += n;
  if (skip) {
    FUZZ_CHECK(c.documents + skipped + c.bad == c.records, "counts do not add up: %s",
               c.Summary().c_str());
  }
  return transcript + c.Summary();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t small = 1 + data[0] % 17;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (const bool skip : {false, true}) {
    const std::string whole = Read(input, size_t{64} << 10, skip);  // one read (inputs are smaller)
    const std::string bits = Read(input, small, skip);
    FUZZ_CHECK(whole == bits, "read size %zu differs from one read of 64 KiB:\n%s\n--- vs ---\n%s",
               small, bits.c_str(), whole.c_str());
  }
  return 0;
}
