#pragma once

#include "retrieval/hash_codes.h"
#include "retrieval/top_k_collector.h"

#include <QString>

#include <functional>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define ESAFH_X86_KERNELS 1
#endif

// Without the POPCNT instruction, __builtin_popcountll is a library call per word,
// which made the distance loop over 10^6 64-bit codes about 4 times slower in an ad
// hoc measurement (GCC 12, -O2). Compiling for POPCNT alone would exclude older
// x86-64 CPUs, so the loops are cloned (GCC and Clang function multiversioning) and
// the loader picks the POPCNT clone when the CPU has it.
#if defined(ESAFH_X86_KERNELS) && defined(__ELF__)
#define ESAFH_POPCOUNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define ESAFH_POPCOUNT_CLONES
#endif

namespace esafh {

/// Offers the database codes [first, first + count) to the collector in index order,
/// each with its Hamming distance to the query. Only codes within the collector's
/// threshold reach it, so the loop is mostly popcounts and compares.
void scanHammingRange(const HashCodes &database, int first, int count, const std::uint64_t *query,
                      TopKCollector &collector);

/// Thread count of a search: `threads` when above zero, else QThread::idealThreadCount().
int resolveSearchThreads(int threads);

/// Runs task(i) for i in [0, count) on the search threads and waits for all of
/// them; a single task runs on the calling thread. The search threads are a pool
/// apart from QThreadPool::globalInstance(), so that long jobs there (feature
/// extraction) never delay a query.
void runSearchTasks(int count, const std::function<void(int)> &task);

/// Name of the popcount kernel that scanHammingRange runs for codes of one 64-bit
/// word, for benchmark reports: "AVX-512 VPOPCNTDQ", "POPCNT" or "portable".
QString hammingKernelName();

/// Restricts scanHammingRange to the scalar kernel (POPCNT or portable) when true,
/// for tests and benchmarks on CPUs with AVX-512 VPOPCNTDQ. Applies to every thread.
void setScalarHammingKernel(bool scalarOnly);

} // namespace esafh
