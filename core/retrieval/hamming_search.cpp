#include "retrieval/hamming_search.h"

#include "retrieval/hamming_scan.h"
#include "retrieval/top_k_collector.h"

#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <numeric>

namespace esafh {

namespace {

/// Databases below this many codes per thread are searched on one thread: at 2^16
/// 64-bit codes a scan takes tens of microseconds, about the cost of handing work
/// to the thread pool and collecting it.
constexpr int minCodesPerTask = 1 << 16;

/// Codes compared with a group of queries before moving on: 64 KiB of 64-bit codes,
/// which stays in the L2 cache of current x86-64 CPUs while every query of the
/// group reads it.
constexpr int blockBytes = 64 * 1024;

/// Batches are split into at most this many groups per thread, so that a thread
/// slowed by other work on the machine does not hold up the whole batch.
constexpr int groupsPerThread = 4;

QThreadPool &searchPool()
{
    static QThreadPool *pool = [] {
        auto *created = new QThreadPool;
        created->setMaxThreadCount(QThread::idealThreadCount());
        return created;
    }();
    return *pool;
}

/// A half-open range of database or query indices.
struct IndexRange
{
    int first = 0;
    int count = 0;
};

std::vector<IndexRange> splitRange(int total, int parts)
{
    std::vector<IndexRange> ranges;
    parts = std::clamp(parts, 1, std::max(total, 1));
    for (int part = 0; part < parts; ++part) {
        const int first = static_cast<int>(static_cast<long long>(total) * part / parts);
        const int end = static_cast<int>(static_cast<long long>(total) * (part + 1) / parts);
        ranges.push_back(IndexRange{first, end - first});
    }
    return ranges;
}

ESAFH_POPCOUNT_CLONES
void distancesOneWord(const std::uint64_t *database, int count, std::uint64_t query, int *distances)
{
    for (int i = 0; i < count; ++i)
        distances[i] = __builtin_popcountll(database[i] ^ query);
}

ESAFH_POPCOUNT_CLONES
void distancesManyWords(const std::uint64_t *database, int count, int words, const std::uint64_t *query,
                        int *distances)
{
    for (int i = 0; i < count; ++i) {
        const std::uint64_t *code = database + static_cast<std::size_t>(i) * words;
        int distance = 0;
        for (int w = 0; w < words; ++w)
            distance += __builtin_popcountll(code[w] ^ query[w]);
        distances[i] = distance;
    }
}

/// The whole ranking by a counting sort: distances lie in 0..bits, and placing
/// items in index order keeps the sort stable, so ties come out by database index.
std::vector<RankedItem> rankAll(const HashCodes &database, const std::uint64_t *query, int resultSize)
{
    const std::vector<int> distances = hammingDistances(database, query);

    std::vector<int> nextRank(database.bits() + 2, 0);
    for (int distance : distances)
        ++nextRank[distance + 1];
    for (std::size_t d = 1; d < nextRank.size(); ++d)
        nextRank[d] += nextRank[d - 1];

    std::vector<RankedItem> ranking(resultSize);
    for (int i = 0; i < database.size(); ++i) {
        const int rank = nextRank[distances[i]]++;
        if (rank < resultSize)
            ranking[rank] = RankedItem{i, distances[i]};
    }
    return ranking;
}

std::vector<RankedItem> topKOfRange(const HashCodes &database, IndexRange range, const std::uint64_t *query, int topK)
{
    TopKCollector collector(topK, database.bits());
    scanHammingRange(database, range.first, range.count, query, collector);
    return collector.take();
}

/// The top K of each query in `queries`, reading the database block by block.
void rankQueryGroup(const HashCodes &database, const HashCodes &queries, IndexRange group, int topK,
                    std::vector<std::vector<RankedItem>> &results)
{
    std::vector<TopKCollector> collectors(static_cast<std::size_t>(group.count), TopKCollector(topK, database.bits()));
    const int blockCodes = std::max(1, blockBytes / (8 * std::max(1, database.wordsPerCode())));

    for (int first = 0; first < database.size(); first += blockCodes) {
        const int count = std::min(blockCodes, database.size() - first);
        for (int q = 0; q < group.count; ++q)
            scanHammingRange(database, first, count, queries.code(group.first + q), collectors[q]);
    }

    for (int q = 0; q < group.count; ++q)
        results[static_cast<std::size_t>(group.first + q)] = collectors[q].take();
}

} // namespace

int resolveSearchThreads(int threads)
{
    return threads > 0 ? threads : std::max(1, QThread::idealThreadCount());
}

void runSearchTasks(int count, const std::function<void(int)> &task)
{
    if (count <= 0)
        return;
    if (count == 1) {
        task(0);
        return;
    }
    std::vector<int> indices(static_cast<std::size_t>(count));
    std::iota(indices.begin(), indices.end(), 0);
    QtConcurrent::blockingMap(&searchPool(), indices, [&task](int i) { task(i); });
}

std::vector<int> hammingDistances(const HashCodes &database, const std::uint64_t *query)
{
    std::vector<int> distances(database.size());
    if (database.isEmpty())
        return distances;

    const int words = database.wordsPerCode();
    if (words == 1)
        distancesOneWord(database.words().data(), database.size(), query[0], distances.data());
    else
        distancesManyWords(database.words().data(), database.size(), words, query, distances.data());
    return distances;
}

std::vector<RankedItem> rankByHamming(const HashCodes &database, const std::uint64_t *query, int topK, int threads)
{
    const int count = database.size();
    if (topK <= 0 || topK >= count)
        return rankAll(database, query, topK <= 0 ? count : std::min(topK, count));

    const int tasks = std::min(resolveSearchThreads(threads), std::max(1, count / minCodesPerTask));
    const std::vector<IndexRange> ranges = splitRange(count, tasks);
    std::vector<std::vector<RankedItem>> parts(ranges.size());
    runSearchTasks(static_cast<int>(ranges.size()),
             [&](int i) { parts[static_cast<std::size_t>(i)] = topKOfRange(database, ranges[i], query, topK); });
    return parts.size() == 1 ? std::move(parts.front()) : mergeTopK(parts, topK);
}

std::vector<std::vector<RankedItem>> rankBatchByHamming(const HashCodes &database, const HashCodes &queries,
                                                        int topK, int threads)
{
    Q_ASSERT(topK > 0);
    Q_ASSERT(queries.wordsPerCode() == database.wordsPerCode());
    std::vector<std::vector<RankedItem>> results(static_cast<std::size_t>(queries.size()));
    const int threadCount = resolveSearchThreads(threads);

    // Fewer queries than threads: split the database of each query instead.
    if (queries.size() < threadCount) {
        for (int q = 0; q < queries.size(); ++q)
            results[static_cast<std::size_t>(q)] = rankByHamming(database, queries.code(q), topK, threadCount);
        return results;
    }

    const int groupCount = threadCount == 1 ? 1 : std::min(queries.size(), threadCount * groupsPerThread);
    const std::vector<IndexRange> groups = splitRange(queries.size(), groupCount);
    runSearchTasks(static_cast<int>(groups.size()),
             [&](int i) { rankQueryGroup(database, queries, groups[i], topK, results); });
    return results;
}

std::vector<RankedItem> rankByHammingReference(const HashCodes &database, const std::uint64_t *query, int topK)
{
    const int count = database.size();
    std::vector<RankedItem> ranking(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i)
        ranking[i] = RankedItem{i, hammingDistance(database.code(i), query, database.wordsPerCode())};

    const int resultSize = topK <= 0 ? count : std::min(topK, count);
    std::partial_sort(ranking.begin(), ranking.begin() + resultSize, ranking.end(),
                      [](const RankedItem &a, const RankedItem &b) {
                          return a.distance != b.distance ? a.distance < b.distance : a.index < b.index;
                      });
    ranking.resize(static_cast<std::size_t>(resultSize));
    return ranking;
}

} // namespace esafh
