#include "chaff/io/jsonl.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

#include "io/json_escape_internal.h"

namespace chaff {

static_assert(kJsonlPadding >= simdjson::SIMDJSON_PADDING);

namespace {

Status JsonError(simdjson::error_code e) {
  return DataError(std::string("invalid JSON (") + simdjson::error_message(e) + ")");
}

std::string Quoted(std::string_view field) {
  return "\"" + std::string(field) + "\"";
}

}  // namespace

struct JsonlParser::Impl {
  // The DOM front end is dispatched at run time to the best kernel of this
  // CPU; simdjson's On-Demand front end is compiled for the build's baseline
  // only (its "fallback" kernel without -mavx2), which we do not raise.
  simdjson::dom::parser parser;
  std::string padded;  // the line copied with SIMDJSON_PADDING spare bytes
  // The object of the last ParseText (valid until the next parse).
  simdjson::dom::object last_text;

  // Parses `line` (in place when `in_place`: it is followed by
  // kJsonlPadding readable bytes) into *obj.
  Status ParseDom(std::string_view line, bool in_place, simdjson::dom::object* obj) {
    const char* bytes = line.data();
    if (!in_place) {
      if (padded.size() < line.size() + simdjson::SIMDJSON_PADDING) {
        padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
      }
      std::memcpy(padded.data(), line.data(), line.size());
      bytes = padded.data();
    }
    simdjson::dom::element doc;
    auto err = parser.parse(bytes, line.size(), false).get(doc);
    if (err) return JsonError(err);
    if (doc.get_object().get(*obj)) return DataError("expected a JSON object");
    return Status::Ok();
  }

  // ParseDom, then the string field `text_field`.
  Status ParseObject(std::string_view line, bool in_place, std::string_view text_field,
                     simdjson::dom::object* obj, std::string_view* text) {
    CHAFF_RETURN_IF_ERROR(ParseDom(line, in_place, obj));
    simdjson::dom::element text_value;
    if (obj->at_key(text_field).get(text_value)) {
      return DataError("missing field " + Quoted(text_field));
    }
    if (text_value.get_string().get(*text)) {
      return DataError("expected a string in field " + Quoted(text_field));
    }
    return Status::Ok();
  }
};

JsonlParser::JsonlParser() : impl_(std::make_unique<Impl>()) {}
JsonlParser::~JsonlParser() = default;

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Returns the index just past the string literal that starts at s[i] == '"'.
size_t SkipString(std::string_view s, size_t i) {
  ++i;
  for (;;) {
    const void* q = std::memchr(s.data() + i, '"', s.size() - i);
    if (q == nullptr) return s.size();
    size_t j = static_cast<size_t>(static_cast<const char*>(q) - s.data());
    size_t backslashes = 0;
    while (j - backslashes > i && s[j - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return j + 1;
    i = j + 1;
  }
}

// Returns the index just past the JSON value that starts at s[i].
size_t SkipValue(std::string_view s, size_t i) {
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = SkipString(s, i);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
      ++i;
    }
    return i;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !IsJsonSpace(s[i])) ++i;
  return i;
}

// Finds the raw value of the first top-level member whose raw key is `key`
// in `line`, a JSON object already validated by the DOM parser.
bool FindRawMember(std::string_view line, std::string_view key, size_t* begin,
                   size_t* end) {
  size_t i = 0;
  auto skip_ws = [&]() {
    while (i < line.size() && IsJsonSpace(line[i])) ++i;
  };
  skip_ws();
  if (i >= line.size() || line[i] != '{') return false;
  ++i;
  for (;;) {
    skip_ws();
    if (i >= line.size() || line[i] != '"') return false;
    const size_t key_end = SkipString(line, i);
    const std::string_view raw_key = line.substr(i + 1, key_end - i - 2);
    i = key_end;
    skip_ws();
    if (i >= line.size() || line[i] != ':') return false;
    ++i;
    skip_ws();
    if (i >= line.size()) return false;
    const size_t value_end = SkipValue(line, i);
    if (raw_key == key) {
      *begin = i;
      *end = value_end;
      return true;
    }
    i = value_end;
    skip_ws();
    if (i >= line.size() || line[i] != ',') return false;
    ++i;
  }
}

// Reads the member `id_field` of `obj` (parsed from `line`) into *id: a
// string's value, or a number's digits as written. False when absent.
StatusOr<bool> ReadId(std::string_view line, simdjson::dom::object& obj,
                      std::string_view id_field, std::string* id, bool* is_number) {
  if (is_number != nullptr) *is_number = false;
  simdjson::dom::element id_value;
  if (obj.at_key(id_field).get(id_value)) return false;
  std::string_view value;
  if (!id_value.get_string().get(value)) {
    id->assign(value);
  } else if (id_value.is_number()) {
    size_t b = 0, e = 0;
    if (FindRawMember(line, id_field, &b, &e)) id->assign(line.substr(b, e - b));
    if (is_number != nullptr) *is_number = true;
  } else {
    return DataError("expected a string or a number in field " + Quoted(id_field));
  }
  return true;
}

}  // namespace

Status JsonlParser::Parse(std::string_view line, std::string_view text_field,
                          std::string_view id_field, JsonlRecord* out) {
  return Parse(line, text_field, id_field, std::string_view(), out);
}

Status JsonlParser::Parse(std::string_view line, std::string_view text_field,
                          std::string_view id_field, std::string_view site_field,
                          JsonlRecord* out) {
  out->site.clear();
  out->text.clear();
  out->id.clear();
  out->has_id = false;
  out->id_is_number = false;
  simdjson::dom::object obj;
  std::string_view text;
  CHAFF_RETURN_IF_ERROR(impl_->ParseObject(line, /*in_place=*/false, text_field, &obj, &text));
  out->text.assign(text);
  if (!id_field.empty()) {
    CHAFF_ASSIGN_OR_RETURN(out->has_id,
                           ReadId(line, obj, id_field, &out->id, &out->id_is_number));
  }
  if (!site_field.empty()) {
    std::string_view site;
    if (!obj.at_key(site_field).get_string().get(site)) out->site.assign(site);
  }
  if (!FindRawMember(line, text_field, &out->value_begin, &out->value_end)) {
    return DataError("field " + Quoted(text_field) +
                     " is written with escapes in its name; chaff cannot rewrite it in place");
  }
  return Status::Ok();
}

StatusOr<bool> JsonlParser::ParseId(std::string_view line, std::string_view id_field,
                                    std::string* id, bool* is_number) {
  id->clear();
  if (is_number != nullptr) *is_number = false;
  simdjson::dom::object obj;
  CHAFF_RETURN_IF_ERROR(impl_->ParseDom(line, /*in_place=*/false, &obj));
  return ReadId(line, obj, id_field, id, is_number);
}

Status JsonlParser::ParseText(std::string_view line, std::string_view text_field,
                              bool padded, std::string_view* text) {
  return impl_->ParseObject(line, padded, text_field, &impl_->last_text, text);
}

StatusOr<bool> JsonlParser::IdOfLastText(std::string_view line, std::string_view id_field,
                                         std::string* id) {
  id->clear();
  return ReadId(line, impl_->last_text, id_field, id, nullptr);
}

namespace {

// The UTF-8 sequence at p[0, n) (n >= 1): returns its length and sets *valid,
// or, when it is ill-formed, returns the length of its maximal subpart (at
// least 1: the bytes that become one U+FFFD, see jsonl.h) and clears *valid.
size_t Utf8Step(const unsigned char* p, size_t n, bool* valid) {
  const unsigned c = p[0];
  *valid = true;
  if (c < 0x80) return 1;
  size_t len = 0;
  unsigned lo = 0x80, hi = 0xBF;  // the range of the next byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;  // no overlong forms
    if (c == 0xED) hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;  // no overlong forms
    if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *valid = false;  // a continuation byte, C0, C1 or F5..FF: cannot start one
    return 1;
  }
  size_t k = 1;
  for (; k < len && k < n; ++k) {
    if (p[k] < lo || p[k] > hi) break;
    lo = 0x80;
    hi = 0xBF;
  }
  *valid = k == len;
  return k;
}

// Writes the escape of `c` (a byte below 0x80 that JSON escapes) at `w`
// and returns its end: 2 bytes, or 6 for \u00XX.
char* WriteEscape(unsigned char c, char* w) {
  static const char kHex[] = "0123456789abcdef";
  w[0] = '\\';
  switch (c) {
    case '"': w[1] = '"'; return w + 2;
    case '\\': w[1] = '\\'; return w + 2;
    case '\n': w[1] = 'n'; return w + 2;
    case '\r': w[1] = 'r'; return w + 2;
    case '\t': w[1] = 't'; return w + 2;
    case '\b': w[1] = 'b'; return w + 2;
    case '\f': w[1] = 'f'; return w + 2;
    default:
      w[1] = 'u';
      w[2] = '0';
      w[3] = '0';
      w[4] = kHex[c >> 4];
      w[5] = kHex[c & 15];
      return w + 6;
  }
}

void AppendEscaped(unsigned char c, std::string* out) {
  char buf[6];
  out->append(buf, static_cast<size_t>(WriteEscape(c, buf) - buf));
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  if (simdjson::validate_utf8(s.data(), n)) {
    // Valid UTF-8 (nearly always): multi-byte sequences are copied with the
    // plain bytes around them; only control bytes, '"' and '\\' change.
    // Written in place, in room made ahead (grown when escapes use it up),
    // rather than by an append per run and per escape; the escapes are
    // found a vector at a time, up to kBatch per call.
    constexpr size_t kBatch = 1024;
    uint32_t escapes[kBatch];
    size_t at = out->size();
    out->resize(at + n + n / 8 + 16);
    auto room = [&](size_t need) {
      if (out->size() - at < need) out->resize(std::max(2 * out->size(), at + need));
    };
    while (i < n) {
      const size_t chunk = std::min(n - i, size_t{1} << 31);
      size_t count = 0;
      const size_t scanned = internal::FindJsonEscapes(p + i, chunk, escapes, kBatch, &count);
      size_t from = 0;  // of the run not yet written, from i
      for (size_t e = 0; e < count; ++e) {
        const size_t j = escapes[e];
        room(j - from + 6);
        std::memcpy(out->data() + at, s.data() + i + from, j - from);
        at = static_cast<size_t>(WriteEscape(p[i + j], out->data() + at + (j - from)) -
                                 out->data());
        from = j + 1;
      }
      room(scanned - from);
      std::memcpy(out->data() + at, s.data() + i + from, scanned - from);
      at += scanned - from;
      i += scanned;
    }
    out->resize(at);
    out->push_back('"');
    return;
  }
  while (i < n) {
    // Copy runs of plain bytes at once.
    size_t j = i;
    while (j < n && p[j] >= 0x20 && p[j] < 0x80 && p[j] != '"' && p[j] != '\\') ++j;
    out->append(s.data() + i, j - i);
    i = j;
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      AppendEscaped(c, out);
      ++i;
      continue;
    }
    // A multi-byte UTF-8 sequence: copied if valid, else its maximal
    // subpart becomes one U+FFFD.
    bool valid = false;
    const size_t len = Utf8Step(p + i, n - i, &valid);
    if (valid) {
      out->append(s.data() + i, len);
    } else {
      out->append("\xEF\xBF\xBD");
    }
    i += len;
  }
  out->push_back('"');
}

CharOffsets::CharOffsets(std::string_view text)
    : text_(text), valid_(simdjson::validate_utf8(text.data(), text.size())) {}

uint64_t CharOffsets::At(uint64_t byte_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(text_.data());
  if (valid_) {
    // Every byte but a continuation byte starts a code point (a loop the
    // compiler vectorizes).
    uint64_t n = 0;
    for (uint64_t i = byte_; i < byte_offset; ++i) n += (p[i] & 0xC0) != 0x80;
    chars_ += n;
    byte_ = byte_offset;
    return chars_;
  }
  while (byte_ < byte_offset) {
    bool valid = false;
    byte_ += Utf8Step(p + byte_, text_.size() - byte_, &valid);
    ++chars_;
  }
  return chars_;
}

void AppendRecordWithText(std::string_view line, const JsonlRecord& record,
                          std::string_view new_text, std::string* out) {
  out->append(line.substr(0, record.value_begin));
  AppendJsonString(new_text, out);
  out->append(line.substr(record.value_end));
}

}  // namespace chaff
