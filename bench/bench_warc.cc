// WARC input (io/warc.h) and JSON string output (io/jsonl.h), in bytes of
// source text per second, over the corpus of bench_corpus.h: escaping each
// document as a JSON string on every target, and reading the corpus as an
// in-memory WARC file of conversion records: parsing alone, parsing plus the
// record CorpusReader hands on (AppendWarcDocument), and parsing plus the
// JSONL line written for a document that is kept (AppendWarcJson).
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench_corpus.h"
#include "chaff/io/files.h"
#include "chaff/io/jsonl.h"
#include "chaff/io/warc.h"

namespace {

using chaff_bench::GetCorpus;

void BM_AppendJsonString(benchmark::State& state, int64_t target) {
  const auto& corpus = GetCorpus();
  chaff_bench::ScopedTarget scoped(target);
  std::string out;
  for (auto _ : state) {
    for (const std::string& doc : corpus.docs) {
      out.clear();
      chaff::AppendJsonString(doc, &out);
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.bytes));
  state.SetLabel(corpus.source);
}

// The corpus as a WARC file: one conversion record per document.
const std::string& CorpusWarc() {
  static const std::string warc = [] {
    std::string w;
    size_t n = 0;
    for (const std::string& doc : GetCorpus().docs) {
      w += "WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Target-URI: https://site" +
           std::to_string(n % 7) + ".example.com/" + std::to_string(n) +
           "\r\nWARC-Date: 2024-03-01T00:00:00Z\r\nWARC-Record-ID: <urn:uuid:" +
           std::to_string(n) + ">\r\nContent-Type: text/plain\r\nContent-Length: " +
           std::to_string(doc.size()) + "\r\n\r\n" + doc + "\r\n\r\n";
      ++n;
    }
    return w;
  }();
  return warc;
}

// range(0): 0 reads only; 1 also makes each CorpusReader record; 2 each
// JSONL line.
void BM_WarcReader(benchmark::State& state) {
  const std::string& warc = CorpusWarc();
  const int64_t make = state.range(0);
  std::string out;
  for (auto _ : state) {
    chaff::WarcReader reader(chaff::MemoryByteSource(warc), "bench", false, {});
    chaff::WarcRecord record;
    while (reader.Next(&record).value()) {
      out.clear();
      if (make == 1) chaff::AppendWarcDocument(record, &out);
      if (make == 2) chaff::AppendWarcJson(record, &out);
      benchmark::DoNotOptimize(out.data());
      benchmark::DoNotOptimize(record.text.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * GetCorpus().bytes));
  state.SetLabel(make == 0 ? "records only" : make == 1 ? "corpus records" : "JSONL lines");
}
BENCHMARK(BM_WarcReader)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

const int kRegistered = [] {
  for (int64_t t : chaff_bench::BenchTargets()) {
    benchmark::RegisterBenchmark(
        (std::string("BM_AppendJsonString/") + hwy::TargetName(t)).c_str(),
        BM_AppendJsonString, t)
        ->Unit(benchmark::kMillisecond);
  }
  return 0;
}();

}  // namespace
