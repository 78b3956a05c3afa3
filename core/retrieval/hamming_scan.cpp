// The inner loops of exhaustive Hamming search. Codes of one 64-bit word (up to 64
// bits) have a vector kernel for CPUs with AVX-512 VPOPCNTDQ, which computes eight
// distances per instruction, and a scalar kernel everywhere else. The choice is
// made at run time, so one binary runs on any x86-64 CPU.

#include "retrieval/hamming_scan.h"

#ifdef ESAFH_X86_KERNELS
#include <immintrin.h>
#endif

#include <atomic>

namespace esafh {

namespace {

std::atomic_bool scalarKernelOnly{false};

ESAFH_POPCOUNT_CLONES
void scanOneWordScalar(const std::uint64_t *codes, int first, int count, std::uint64_t query,
                       TopKCollector &collector)
{
    int threshold = collector.threshold();
    for (int i = 0; i < count; ++i) {
        const int distance = __builtin_popcountll(codes[i] ^ query);
        if (distance <= threshold) {
            collector.add(first + i, distance);
            threshold = collector.threshold();
        }
    }
}

ESAFH_POPCOUNT_CLONES
void scanManyWordsScalar(const std::uint64_t *codes, int words, int first, int count, const std::uint64_t *query,
                         TopKCollector &collector)
{
    int threshold = collector.threshold();
    for (int i = 0; i < count; ++i) {
        const std::uint64_t *code = codes + static_cast<std::size_t>(i) * words;
        int distance = 0;
        for (int w = 0; w < words; ++w)
            distance += __builtin_popcountll(code[w] ^ query[w]);
        if (distance <= threshold) {
            collector.add(first + i, distance);
            threshold = collector.threshold();
        }
    }
}

#ifdef ESAFH_X86_KERNELS

/// Eight codes per step: XOR, VPOPCNTQ and one compare with the threshold give a
/// mask of the codes that may enter, which is almost always empty.
__attribute__((target("avx512f,avx512vpopcntdq")))
void scanOneWordAvx512(const std::uint64_t *codes, int first, int count, std::uint64_t query,
                       TopKCollector &collector)
{
    const __m512i queryVector = _mm512_set1_epi64(static_cast<long long>(query));
    __m512i limit = _mm512_set1_epi64(collector.threshold());

    int i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m512i low = _mm512_loadu_si512(codes + i);
        const __m512i high = _mm512_loadu_si512(codes + i + 8);
        const __m512i lowDistances = _mm512_popcnt_epi64(_mm512_xor_si512(low, queryVector));
        const __m512i highDistances = _mm512_popcnt_epi64(_mm512_xor_si512(high, queryVector));
        const __mmask8 lowMask = _mm512_cmple_epu64_mask(lowDistances, limit);
        const __mmask8 highMask = _mm512_cmple_epu64_mask(highDistances, limit);
        if ((lowMask | highMask) == 0)
            continue;

        // Rare: add the candidates in index order, rechecking the threshold as it shrinks.
        alignas(64) std::uint64_t distances[16];
        _mm512_store_si512(distances, lowDistances);
        _mm512_store_si512(distances + 8, highDistances);
        unsigned mask = static_cast<unsigned>(lowMask) | (static_cast<unsigned>(highMask) << 8);
        while (mask != 0) {
            const int lane = __builtin_ctz(mask);
            mask &= mask - 1;
            const int distance = static_cast<int>(distances[lane]);
            if (distance <= collector.threshold())
                collector.add(first + i + lane, distance);
        }
        limit = _mm512_set1_epi64(collector.threshold());
    }

    for (; i < count; ++i) {
        const int distance = __builtin_popcountll(codes[i] ^ query);
        if (distance <= collector.threshold())
            collector.add(first + i, distance);
    }
}

bool cpuHasVectorPopcount()
{
    static const bool supported = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
    return supported && !scalarKernelOnly.load(std::memory_order_relaxed);
}

#endif

} // namespace

void scanHammingRange(const HashCodes &database, int first, int count, const std::uint64_t *query,
                      TopKCollector &collector)
{
    if (count <= 0 || collector.threshold() < 0)
        return;

    const int words = database.wordsPerCode();
    const std::uint64_t *codes = database.code(first);
    if (words != 1) {
        scanManyWordsScalar(codes, words, first, count, query, collector);
        return;
    }

#ifdef ESAFH_X86_KERNELS
    if (cpuHasVectorPopcount()) {
        scanOneWordAvx512(codes, first, count, query[0], collector);
        return;
    }
#endif
    scanOneWordScalar(codes, first, count, query[0], collector);
}

void setScalarHammingKernel(bool scalarOnly)
{
    scalarKernelOnly = scalarOnly;
}

QString hammingKernelName()
{
#ifdef ESAFH_X86_KERNELS
    if (cpuHasVectorPopcount())
        return QStringLiteral("AVX-512 VPOPCNTDQ");
    if (__builtin_cpu_supports("popcnt"))
        return QStringLiteral("POPCNT");
#endif
    return QStringLiteral("portable");
}

} // namespace esafh
