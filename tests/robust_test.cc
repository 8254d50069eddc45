// The I/O layer on bad days: write errors, huge and odd lines, empty and
// binary files, hostile directory trees. (The CLI's policies on top of these
// are tested by tests/cli/robust_*.sh.)
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "chaff/io/files.h"
#include "test_util.h"

namespace fs = std::filesystem;

using chaff_test::ReadLines;
using chaff_test::TempDir;

namespace {

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}


bool LeftoverTemp(const fs::path& dir) {
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".chaff-tmp.") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("io: a write error leaves no file under the final name", "[io][robust]") {
  TempDir dir;
  const std::string path = dir / "out.txt";
  WriteFile(path, "the previous version\n");
  // A file size limit of 64 KiB makes write() fail with EFBIG, as a full
  // disk fails with ENOSPC; SIGXFSZ must not kill the test.
  struct rlimit old_limit;
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 64 << 10;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
  chaff::Status status;
  {
    auto out = chaff::OutputFile::Create(path);
    REQUIRE(out.ok());
    const std::string block(100000, 'x');
    for (int i = 0; i < 4 && status.ok(); ++i) status = (*out)->Write(block);
    if (status.ok()) status = (*out)->Commit();
  }
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  ::signal(SIGXFSZ, old_handler);
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == chaff::StatusCode::kIoError);
  CHECK(status.message().find(path) != std::string::npos);
  CHECK(status.message().find("write failed") != std::string::npos);
  // The previous file is untouched and no temporary file remains.
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  CHECK(first == "the previous version");
  CHECK_FALSE(LeftoverTemp(dir.path()));
}

TEST_CASE("io: an output dropped without Commit leaves nothing", "[io][robust]") {
  TempDir dir;
  for (const char* name : {"a.txt", "b.jsonl.gz", "c.jsonl.zst"}) {
    const std::string path = dir / name;
    {
      auto out = chaff::OutputFile::Create(path);
      REQUIRE(out.ok());
      REQUIRE((*out)->Write(std::string(3 << 20, 'y')).ok());
      CHECK(fs::exists((*out)->temp_path()));
    }
    CHECK_FALSE(fs::exists(path));
  }
  CHECK_FALSE(LeftoverTemp(dir.path()));
}

TEST_CASE("io: a mapped file gives the same lines as a stream, up to its last byte",
          "[io][robust]") {
  TempDir dir;
  // Sizes around whole pages, so the last lines sit within the padding
  // distance of the mapping's end; CRLF, blank lines, a long line.
  for (const size_t size : {size_t{1} << 20, (size_t{1} << 20) + 1, (size_t{1} << 21) - 3}) {
    std::string bytes;
    for (int i = 0; bytes.size() < size; ++i) {
      bytes += std::string(static_cast<size_t>(i % 97), static_cast<char>('a' + i % 26));
      bytes += (i % 5 == 0) ? "\r\n" : "\n";
      if (i == 300) bytes += std::string(300000, 'L') + "\n";
    }
    bytes.resize(size);
    bytes.back() = 'z';  // no final newline
    WriteFile(dir / "m.txt", bytes);
    {
      auto out = chaff::OutputFile::Create(dir / "m.txt.zst");
      REQUIRE(out.ok());
      REQUIRE((*out)->Write(bytes).ok());
      REQUIRE((*out)->Commit().ok());
    }
    REQUIRE(chaff::MappedFile::Open(dir / "m.txt", chaff::LineReader::kMapThreshold) != nullptr);
    REQUIRE(chaff::MappedFile::Open(dir / "m.txt.zst", 0) == nullptr);  // compressed
    const auto mapped = ReadLines(dir / "m.txt");
    const auto streamed = ReadLines(dir / "m.txt.zst");
    CHECK(mapped == streamed);
    REQUIRE_FALSE(mapped.empty());
    CHECK(mapped.back().back() == 'z');
  }
  // A file of whole pages ending in many empty lines: the last lines are
  // copies (within the padding distance of the mapping's end), and even an
  // empty copy must point at a buffer.
  std::string bytes(size_t{1} << 20, 'x');
  for (size_t i = 0; i < bytes.size() - 100; i += 80) bytes[i] = '\n';
  std::fill(bytes.end() - 100, bytes.end(), '\n');
  WriteFile(dir / "pages.txt", bytes);
  auto reader = chaff::LineReader::Open(dir / "pages.txt");
  REQUIRE(reader.ok());
  std::string_view line;
  size_t lines = 0, consumed = 0;
  for (;;) {
    auto more = (*reader)->Next(&line);
    REQUIRE(more.ok());
    if (!*more) break;
    ++lines;
    consumed += line.size() + 1;
    REQUIRE(line.data() != nullptr);
  }
  CHECK(consumed == bytes.size());
  CHECK((*reader)->bytes_consumed() == bytes.size());
}

TEST_CASE("io: WriteParts writes many parts in order, compressed or not", "[io][robust]") {
  TempDir dir;
  // More parts than one writev takes, empty parts, a part larger than the
  // buffer, after bytes already buffered by Write.
  std::vector<std::string> storage;
  for (int i = 0; i < 3000; ++i) {
    storage.push_back(i % 11 == 0 ? std::string() : "part " + std::to_string(i) + "\n");
  }
  storage.push_back(std::string(3 << 20, 'p'));
  std::vector<std::string_view> parts(storage.begin(), storage.end());
  std::string want = "head\n";
  for (const auto& p : storage) want += p;
  for (const char* name : {"w.txt", "w.txt.gz", "w.txt.zst"}) {
    INFO(name);
    auto out = chaff::OutputFile::Create(dir / name);
    REQUIRE(out.ok());
    REQUIRE((*out)->Write("head\n").ok());
    REQUIRE((*out)->WriteParts(parts.data(), parts.size()).ok());
    REQUIRE((*out)->Commit().ok());
    CHECK(*chaff::ReadWholeFile(dir / name) == want);
  }
}

TEST_CASE("io: Commit replaces an existing output and leaves nothing behind", "[io][robust]") {
  TempDir dir;
  const std::string path = dir / "out.txt";
  WriteFile(path, "old\n");
  // A reader holding the old file keeps reading the old bytes.
  std::ifstream old_reader(path);
  for (int round = 0; round < 2; ++round) {
    auto out = chaff::OutputFile::Create(path);
    REQUIRE(out.ok());
    REQUIRE((*out)->Write("new " + std::to_string(round) + "\n").ok());
    REQUIRE((*out)->Commit().ok());
    CHECK(*chaff::ReadWholeFile(path) == "new " + std::to_string(round) + "\n");
  }
  std::string first;
  std::getline(old_reader, first);
  CHECK(first == "old");
  CHECK_FALSE(LeftoverTemp(dir.path()));
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);

  // A symbolic link at the output path is followed: the target gets the
  // bytes (renamed over it from beside it), the link stays a link.
  WriteFile(dir / "target.txt", "target\n");
  fs::create_symlink(dir / "target.txt", dir / "link.txt");
  {
    auto out = chaff::OutputFile::Create(dir / "link.txt");
    REQUIRE(out.ok());
    CHECK(fs::path((*out)->temp_path()).parent_path() == dir.path());
    REQUIRE((*out)->Write("through\n").ok());
    REQUIRE((*out)->Commit().ok());
  }
  CHECK(fs::is_symlink(dir / "link.txt"));
  CHECK(*chaff::ReadWholeFile(dir / "target.txt") == "through\n");

  // A directory in the way is an error, and stays a directory.
  fs::create_directory(dir / "d.txt");
  {
    auto out = chaff::OutputFile::Create(dir / "d.txt");
    REQUIRE_FALSE(out.ok());
    CHECK(out.status().message().find("is a directory") != std::string::npos);
  }
  CHECK(fs::is_directory(dir / "d.txt"));
  CHECK_FALSE(LeftoverTemp(dir.path()));
}

TEST_CASE("io: compressed outputs round-trip through the reader", "[io][robust]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "line " + std::to_string(i) + "\n";
  for (const char* name : {"r.txt", "r.txt.gz", "r.txt.zst"}) {
    const std::string path = dir / name;
    auto out = chaff::OutputFile::Create(path);
    REQUIRE(out.ok());
    REQUIRE((*out)->Write(text).ok());
    REQUIRE((*out)->Commit().ok());
    auto back = chaff::ReadWholeFile(path);
    REQUIRE(back.ok());
    CHECK(*back == text);
  }
}

TEST_CASE("io: lines of any length and content", "[io][robust]") {
  TempDir dir;
  // A 20 MB line between short ones (the buffer grows; nothing is lost at
  // chunk boundaries), CRLF, NUL bytes, invalid UTF-8, no final newline.
  const std::string big(20 << 20, 'b');
  const std::string nul("a\0b", 3);
  WriteFile(dir / "l.txt", "first\r\n" + big + "\n" + nul + "\n\xff\xfe\n\nlast");
  const auto lines = ReadLines(dir / "l.txt");
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "first");
  CHECK(lines[1] == big);
  CHECK(lines[2] == nul);
  CHECK(lines[3] == "\xff\xfe");
  CHECK(lines[4].empty());
  CHECK(lines[5] == "last");

  WriteFile(dir / "empty.txt", "");
  CHECK(ReadLines(dir / "empty.txt").empty());
  auto whole = chaff::ReadWholeFile(dir / "empty.txt");
  REQUIRE(whole.ok());
  CHECK(whole->empty());
  // ReadWholeFile returns every byte of a large file exactly.
  WriteFile(dir / "big.txt", big + nul);
  whole = chaff::ReadWholeFile(dir / "big.txt");
  REQUIRE(whole.ok());
  CHECK(*whole == big + nul);
}

TEST_CASE("io: truncated and corrupt compressed input is a data error", "[io][robust]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "record " + std::to_string(i) + "\n";
  for (const char* name : {"t.txt.gz", "t.txt.zst"}) {
    const std::string path = dir / name;
    {
      auto out = chaff::OutputFile::Create(path);
      REQUIRE(out.ok());
      REQUIRE((*out)->Write(text).ok());
      REQUIRE((*out)->Commit().ok());
    }
    REQUIRE(chaff::ReadWholeFile(path).ok());
    std::string bytes;
    {
      std::ifstream in(path, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    WriteFile(path, bytes.substr(0, bytes.size() / 2));
    auto half = chaff::ReadWholeFile(path);
    REQUIRE_FALSE(half.ok());
    CHECK(half.status().code() == chaff::StatusCode::kDataError);
    CHECK(half.status().message().find(path) != std::string::npos);
    // Garbage after a valid magic number.
    bytes.replace(bytes.size() / 3, 64, std::string(64, '\x55'));
    WriteFile(path, bytes);
    CHECK_FALSE(chaff::ReadWholeFile(path).ok());
  }
}

TEST_CASE("io: binary detection looks at the first 8 KiB", "[io][robust]") {
  CHECK(chaff::LooksBinary(std::string("PK\x03\x04\0\0", 6)));
  CHECK_FALSE(chaff::LooksBinary("plain text \xff\xfe invalid UTF-8 is still text"));
  CHECK_FALSE(chaff::LooksBinary(""));
  CHECK_FALSE(chaff::LooksBinary(std::string(8192, 'a') + std::string(1, '\0')));
}

TEST_CASE("io: walks survive loops, deep trees and special files", "[io][robust]") {
  TempDir dir;
  const fs::path root = dir.path() / "root";
  fs::path deep = root;
  for (int i = 0; i < 200; ++i) deep /= "d" + std::to_string(i);
  fs::create_directories(deep);
  WriteFile((deep / "leaf.txt").string(), "leaf\n");
  WriteFile((root / "a.txt").string(), "a\n");
  fs::create_directory_symlink(root, deep / "loop");       // back to the top
  fs::create_symlink("self", root / "self");               // a link to itself
  fs::create_symlink("nowhere", root / "dangling");        // to nothing
  fs::create_symlink(root / "a.txt", deep / "alias.txt");  // to a file
  REQUIRE(::mkfifo((root / "fifo").c_str(), 0644) == 0);

  std::vector<std::string> warnings;
  auto listed = chaff::ListInputs({root.string()}, &warnings);
  REQUIRE(listed.ok());
  std::vector<std::string> rel;
  for (const auto& f : *listed) rel.push_back(f.relative);
  const std::string deep_rel = deep.lexically_relative(root).string();
  // Sorted; the link to a file keeps its own path (not its target's).
  REQUIRE(rel.size() == 3);
  CHECK(rel[0] == "a.txt");
  CHECK(rel[1] == deep_rel + "/alias.txt");
  CHECK(rel[2] == deep_rel + "/leaf.txt");
  auto warned = [&](const std::string& what) {
    for (const auto& w : warnings) {
      if (w.find(what) != std::string::npos) return true;
    }
    return false;
  };
  CHECK(warned("fifo: skipped: not a regular file"));
  CHECK(warned("self: skipped: broken symbolic link"));
  CHECK(warned("dangling: skipped: broken symbolic link"));
  CHECK(warned("loop: skipped: symbolic link to a directory"));

  // A missing path named on the command line is an error naming it.
  auto missing = chaff::ListInputs({(dir.path() / "nope").string()}, &warnings);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().message().find("nope") != std::string::npos);
}

TEST_CASE("io: an unreadable file fails with its name and the reason", "[io][robust]") {
  // /proc/self/mem fails on read at offset 0 (EIO), even for root.
  auto r = chaff::ReadWholeFile("/proc/self/mem");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == chaff::StatusCode::kIoError);
  CHECK(r.status().message() == "/proc/self/mem: read failed: Input/output error");
}

TEST_CASE("io: outputs follow links to their final target", "[io][robust]") {
  TempDir dir;
  fs::create_directory(dir / "far");
  // A chain of a relative and an absolute link to a file that does not
  // exist yet: made at the end of the chain, beside it, and every link kept.
  fs::create_symlink(dir / "far/end.txt", dir / "far/hop.txt");
  fs::create_symlink("far/hop.txt", dir / "start.txt");
  auto target = chaff::ResolveOutput(dir / "start.txt");
  REQUIRE(target.ok());
  CHECK(target->kind == chaff::OutputTarget::Kind::kFile);
  CHECK(target->path == dir / "far/end.txt");
  CHECK_FALSE(target->exists);
  {
    auto out = chaff::OutputFile::Create(dir / "start.txt");
    REQUIRE(out.ok());
    CHECK(fs::path((*out)->temp_path()).parent_path() == dir.path() / "far");
    REQUIRE((*out)->Write("end\n").ok());
    REQUIRE((*out)->Commit().ok());
  }
  CHECK(fs::is_symlink(dir / "start.txt"));
  CHECK(fs::is_symlink(dir / "far/hop.txt"));
  CHECK(*chaff::ReadWholeFile(dir / "far/end.txt") == "end\n");
  CHECK_FALSE(LeftoverTemp(dir.path() / "far"));

  // Links to descriptors are descriptors, whatever the kernel's link says.
  for (const char* fd_link : {"/proc/self/fd/1", "/dev/fd/1"}) {
    fs::create_symlink(fd_link, dir / "fd");
    auto fd = chaff::ResolveOutput(dir / "fd");
    REQUIRE(fd.ok());
    CHECK(fd->kind == chaff::OutputTarget::Kind::kDescriptor);
    CHECK(fd->fd == 1);
    CHECK(fd->in_place());
    fs::remove(dir / "fd");
  }
  auto own = chaff::ResolveOutput("/proc/" + std::to_string(::getpid()) + "/fd/2");
  REQUIRE(own.ok());
  CHECK(own->fd == 2);
  CHECK(chaff::ResolveOutput("-")->fd == 1);

  // A loop of links is an error that says so.
  fs::create_symlink(dir / "b", dir / "a");
  fs::create_symlink(dir / "a", dir / "b");
  auto loop = chaff::ResolveOutput(dir / "a");
  REQUIRE_FALSE(loop.ok());
  CHECK(loop.status().message().find("symbolic links") != std::string::npos);
  CHECK_FALSE(chaff::OutputFile::Create(dir / "a").ok());

  // SameOutput: by path once links are followed, by identity, by descriptor.
  WriteFile(dir / "x.txt", "x");
  fs::create_symlink("x.txt", dir / "x-link.txt");
  CHECK(chaff::SameOutput(dir / "x.txt", dir / "x-link.txt"));
  CHECK(chaff::SameOutput(dir / "x.txt", (dir.path() / "far/../x.txt").string()));
  CHECK(chaff::SameOutput(dir / "new.txt", (dir.path() / "./new.txt").string()));
  CHECK(chaff::SameOutput(dir / "start.txt", dir / "far/end.txt"));
  CHECK_FALSE(chaff::SameOutput(dir / "x.txt", dir / "new.txt"));
  CHECK(chaff::SameOutput("-", "/dev/fd/1"));
  CHECK_FALSE(chaff::SameOutput("-", "/dev/fd/2"));
  CHECK_FALSE(chaff::SameOutput("/dev/null", "/dev/null"));  // a device: nothing lost
}

TEST_CASE("io: byte order marks: UTF-8 skipped before line 1, UTF-16 and UTF-32 refused",
          "[io][robust]") {
  TempDir dir;
  CHECK(chaff::BomOf("\xEF\xBB\xBF{") == chaff::UnicodeBom::kUtf8);
  CHECK(chaff::BomOf(std::string("\xFF\xFE\0\0", 4)) == chaff::UnicodeBom::kUtf32LE);
  CHECK(chaff::BomOf(std::string("\xFF\xFE{\0", 4)) == chaff::UnicodeBom::kUtf16LE);
  CHECK(chaff::BomOf(std::string("\0\0\xFE\xFF", 4)) == chaff::UnicodeBom::kUtf32BE);
  CHECK(chaff::BomOf("\xFE\xFF") == chaff::UnicodeBom::kUtf16BE);
  CHECK(chaff::BomOf("{}") == chaff::UnicodeBom::kNone);
  CHECK(chaff::BomOf("") == chaff::UnicodeBom::kNone);
  // A large file (mapped), a small one and a gzip one: line 1 is the same.
  std::string big(3u << 20, 'x');
  big[10] = '\n';
  for (const std::string& body : {std::string("{\"a\":1}\nsecond\n"), big}) {
    for (const char* name : {"bom.jsonl", "bom.jsonl.gz"}) {
      const std::string path = dir / name;
      {
        auto out = chaff::OutputFile::Create(path);
        REQUIRE(out.ok());
        REQUIRE((*out)->Write("\xEF\xBB\xBF" + body).ok());
        REQUIRE((*out)->Commit().ok());
      }
      auto reader = chaff::LineReader::Open(path);
      REQUIRE(reader.ok());
      std::string_view line;
      REQUIRE(*(*reader)->Next(&line));
      INFO(name << ", " << body.size() << " bytes");
      CHECK(line == body.substr(0, body.find('\n')));
      CHECK((*reader)->bytes_consumed() == 3 + line.size() + 1);
      // A text document keeps its bytes.
      CHECK(chaff::ReadWholeFile(path)->substr(0, 3) == "\xEF\xBB\xBF");
    }
  }
  for (const auto& [bom, enc] :
       {std::pair<std::string, std::string>{std::string("\xFF\xFE", 2), "UTF-16LE"},
        {std::string("\xFE\xFF", 2), "UTF-16BE"},
        {std::string("\xFF\xFE\0\0", 4), "UTF-32LE"},
        {std::string("\0\0\xFE\xFF", 4), "UTF-32BE"}}) {
    for (const char* name : {"wide.txt", "wide.jsonl.gz"}) {
      const std::string path = dir / name;
      {
        auto out = chaff::OutputFile::Create(path);
        REQUIRE(out.ok());
        REQUIRE((*out)->Write(bom + std::string("{\0\"\0", 4)).ok());
        REQUIRE((*out)->Commit().ok());
      }
      INFO(name << " " << enc);
      auto whole = chaff::ReadWholeFile(path);
      REQUIRE_FALSE(whole.ok());
      CHECK(whole.status().code() == chaff::StatusCode::kDataError);
      CHECK(whole.status().message().find(path + ": " + enc + " text") == 0);
      CHECK(whole.status().message().find("iconv -f UTF-") != std::string::npos);
      auto lines = chaff::LineReader::Open(path);
      REQUIRE_FALSE(lines.ok());
      CHECK(lines.status().message() == whole.status().message());
    }
  }
}
