#pragma once

#include "bench_report.h"

#include <QString>

namespace esafh::bench {

/// Exhaustive and indexed Hamming search over random and clustered 64-bit codes.
void runSearchBenchmarks(const BenchOptions &options, Report &report);

/// One ESAFH epoch against the PyTorch script, and encoding rates, on the Tux Paint stamps.
void runTrainingBenchmarks(const BenchOptions &options, Report &report);

/// Latency of a typed text query over 1,000,000 database items.
void runTextQueryBenchmark(const BenchOptions &options, Report &report);

/// Text graph and epoch time and peak memory at two sizes, one child process each.
void runScalingBenchmarks(const BenchOptions &options, Report &report);

/// The body of a child process of runScalingBenchmarks: builds synthetic data of
/// `items` items, runs `stage` ("graph" or "epoch") and prints its time and peak
/// memory. Returns the process exit code.
int runScalingChild(const QString &stage, int items);

} // namespace esafh::bench
