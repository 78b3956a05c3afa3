// Search benchmarks. Exhaustive top-100 Hamming search over random 64-bit codes
// runs by the naive loop, FAISS IndexBinaryFlat and the product's rankByHamming,
// one query at a time and in batches. Then the indexes that skip part of the
// database are measured, with their recall against exhaustive search.

#include "bench_sections.h"

#include "retrieval/faiss_hamming_index.h"
#include "retrieval/hamming_index.h"
#include "retrieval/hamming_scan.h"
#include "retrieval/hamming_search.h"
#include "retrieval/multi_index_hashing.h"

#include <QThread>

#include <algorithm>
#include <random>

namespace esafh::bench {

namespace {

constexpr int topK = 100;
constexpr int codeBits = 64;

HashCodes randomCodes(int count, std::uint64_t seed)
{
    std::mt19937_64 generator(seed);
    HashCodes codes(codeBits, count);
    for (std::uint64_t &word : codes.words())
        word = generator();
    return codes;
}

/// Codes near count / 1000 random centres: each copies a centre and flips up to
/// `maxFlips` random bits, as trained codes of similar items do.
HashCodes clusteredCodes(int count, int maxFlips, std::uint64_t seed)
{
    std::mt19937_64 generator(seed);
    std::vector<std::uint64_t> centres(static_cast<std::size_t>(std::max(1, count / 1000)));
    for (std::uint64_t &centre : centres)
        centre = generator();

    HashCodes codes(codeBits, count);
    for (std::uint64_t &word : codes.words()) {
        word = centres[generator() % centres.size()];
        const int flips = static_cast<int>(generator() % static_cast<std::uint64_t>(maxFlips + 1));
        for (int f = 0; f < flips; ++f)
            word ^= std::uint64_t(1) << (generator() % codeBits);
    }
    return codes;
}

/// Queries near database codes: copies with up to `maxFlips` bits flipped.
HashCodes queriesNear(const HashCodes &database, int count, int maxFlips, std::uint64_t seed)
{
    std::mt19937_64 generator(seed);
    HashCodes queries(codeBits, count);
    for (std::uint64_t &word : queries.words()) {
        word = database.code(static_cast<int>(generator() % static_cast<std::uint64_t>(database.size())))[0];
        const int flips = static_cast<int>(generator() % static_cast<std::uint64_t>(maxFlips + 1));
        for (int f = 0; f < flips; ++f)
            word ^= std::uint64_t(1) << (generator() % codeBits);
    }
    return queries;
}

QString sizeName(int count)
{
    if (count >= 1000000 && count % 1000000 == 0)
        return QStringLiteral("%1M").arg(count / 1000000);
    if (count >= 1000 && count % 1000 == 0)
        return QStringLiteral("%1k").arg(count / 1000);
    return QString::number(count);
}

/// Gigabytes of codes read per second when every query reads the whole database.
double scanRate(int databaseSize, double queriesPerSecond)
{
    return static_cast<double>(databaseSize) * (codeBits / 8) * queriesPerSecond / 1e9;
}

/// Queries per second of `search`, run once per query of the first `count` queries.
double singleQueryRate(int count, int repeats, const std::function<void(int)> &search)
{
    const double seconds = medianSecondsOf(repeats, [&] {
        for (int q = 0; q < count; ++q)
            search(q);
    });
    return count / seconds;
}

/// Fraction of the true top K found: returned codes within the true K-th distance,
/// at most K, over K. Codes tied at that distance are interchangeable.
double recallAtK(const std::vector<std::vector<RankedItem>> &found, const std::vector<std::vector<RankedItem>> &truth)
{
    double sum = 0;
    for (std::size_t q = 0; q < truth.size(); ++q) {
        if (truth[q].empty())
            continue;
        const int limit = truth[q].back().distance;
        const auto within = std::count_if(found[q].begin(), found[q].end(),
                                          [limit](const RankedItem &item) { return item.distance <= limit; });
        sum += std::min<double>(static_cast<double>(within), static_cast<double>(truth[q].size())) / truth[q].size();
    }
    return sum / static_cast<double>(truth.size());
}

void exhaustiveSearch(const HashCodes &database, const BenchOptions &options, Report &report)
{
    const int n = database.size();
    const QString size = sizeName(n);
    const int threads = QThread::idealThreadCount();
    const int repeats = options.quick ? 1 : 3;
    const int scale = options.quick ? 3 : 1;

    // About 0.1 to 0.3 s per measure at every size, a third of that when quick.
    const HashCodes naiveQueries = randomCodes(std::clamp(3000000 / scale / n, 3, 100), 11);
    const HashCodes singleQueries = randomCodes(std::clamp(100000000 / scale / n, 10, 500), 12);
    const HashCodes batchQueries = randomCodes(std::clamp(300000000 / scale / n, 32, 2000), 13);

    const double naive = singleQueryRate(naiveQueries.size(), repeats, [&](int q) {
        rankByHammingReference(database, naiveQueries.code(q), topK);
    });
    const QString naiveName = QStringLiteral("naive loop");
    report.add(QStringLiteral("%1 codes, naive loop, one query").arg(size), naive, QStringLiteral("queries/s"));
    report.add(QStringLiteral("%1 codes, naive loop, scan rate").arg(size), scanRate(n, naive), QStringLiteral("GB/s"));

    double faissSingle = 0;
    double faissSingleAllThreads = 0;
    double faissBatch = 0;
    double faissBatchOneThread = 0;
    const QString faissName = QStringLiteral("FAISS best");
    Result<std::unique_ptr<HammingIndex>> faissIndex = createFaissFlatIndex(database);
    if (faissIndex) {
        std::vector<HashCodes> oneQuery;
        for (int q = 0; q < singleQueries.size(); ++q)
            oneQuery.push_back(singleQueries.subset({q}));
        const auto searchOne = [&](int q) { faissIndex.value()->search(oneQuery[q], topK); };
        const auto searchBatch = [&] { faissIndex.value()->search(batchQueries, topK); };
        // One query on several OpenMP threads took milliseconds on a busy machine,
        // so that measure uses fewer queries.
        setFaissThreads(0);
        faissSingleAllThreads = singleQueryRate(std::min(singleQueries.size(), 20), repeats, searchOne);
        faissBatch = batchQueries.size() / medianSecondsOf(repeats, searchBatch);
        setFaissThreads(1);
        faissSingle = singleQueryRate(singleQueries.size(), repeats, searchOne);
        faissBatchOneThread = batchQueries.size() / medianSecondsOf(repeats, searchBatch);
        setFaissThreads(0);

        // The product is compared with FAISS's better setting of each pair.
        report.add(QStringLiteral("%1 codes, FAISS IndexBinaryFlat, one query, 1 thread").arg(size), faissSingle,
                   QStringLiteral("queries/s"), naive, naiveName);
        report.add(QStringLiteral("%1 codes, FAISS IndexBinaryFlat, one query, %2 threads").arg(size).arg(threads),
                   faissSingleAllThreads, QStringLiteral("queries/s"), naive, naiveName);
        faissSingle = std::max(faissSingle, faissSingleAllThreads);
        report.add(QStringLiteral("%1 codes, FAISS IndexBinaryFlat, batch of %2, %3 threads")
                       .arg(size).arg(batchQueries.size()).arg(threads),
                   faissBatch, QStringLiteral("queries/s"), naive, naiveName);
        report.add(QStringLiteral("%1 codes, FAISS IndexBinaryFlat, batch, scan rate").arg(size),
                   scanRate(n, faissBatch), QStringLiteral("GB/s"), scanRate(n, naive), naiveName);
        report.add(QStringLiteral("%1 codes, FAISS IndexBinaryFlat, batch of %2, 1 thread").arg(size).arg(batchQueries.size()),
                   faissBatchOneThread, QStringLiteral("queries/s"), naive, naiveName);
        faissBatch = std::max(faissBatch, faissBatchOneThread);
    } else {
        report.note(faissIndex.error());
    }

    // The product: rankByHamming, as core/pipeline/search.cpp calls it, and the batch path.
    const double single = singleQueryRate(singleQueries.size(), repeats, [&](int q) {
        rankByHamming(database, singleQueries.code(q), topK);
    });
    const double singleOneThread = singleQueryRate(singleQueries.size(), repeats, [&](int q) {
        rankByHamming(database, singleQueries.code(q), topK, 1);
    });
    setScalarHammingKernel(true);
    const double singleScalar = singleQueryRate(singleQueries.size(), repeats, [&](int q) {
        rankByHamming(database, singleQueries.code(q), topK, 1);
    });
    setScalarHammingKernel(false);
    const double batch = batchQueries.size() / medianSecondsOf(repeats, [&] { rankBatchByHamming(database, batchQueries, topK); });
    const double batchOneThread =
        batchQueries.size() / medianSecondsOf(repeats, [&] { rankBatchByHamming(database, batchQueries, topK, 1); });

    const auto compareWithFaiss = [&](const QString &name, double value, double faissValue) {
        if (faissIndex)
            report.add(name, value, QStringLiteral("queries/s"), faissValue, faissName);
        else
            report.add(name, value, QStringLiteral("queries/s"), naive, naiveName);
    };
    compareWithFaiss(QStringLiteral("%1 codes, rankByHamming, one query, %2 threads").arg(size).arg(threads), single,
                     faissSingle);
    report.add(QStringLiteral("%1 codes, rankByHamming, one query, scan rate").arg(size), scanRate(n, single),
               QStringLiteral("GB/s"), scanRate(n, naive), naiveName);
    compareWithFaiss(QStringLiteral("%1 codes, rankByHamming, one query, 1 thread").arg(size), singleOneThread,
                     faissSingle);
    compareWithFaiss(QStringLiteral("%1 codes, rankByHamming, one query, 1 thread, scalar POPCNT").arg(size),
                     singleScalar, faissSingle);
    compareWithFaiss(QStringLiteral("%1 codes, rankBatchByHamming, batch of %2, %3 threads")
                         .arg(size).arg(batchQueries.size()).arg(threads),
                     batch, faissBatch);
    report.add(QStringLiteral("%1 codes, rankBatchByHamming, batch, scan rate").arg(size), scanRate(n, batch),
               QStringLiteral("GB/s"), scanRate(n, naive), naiveName);
    compareWithFaiss(QStringLiteral("%1 codes, rankBatchByHamming, batch of %2, 1 thread").arg(size).arg(batchQueries.size()),
                     batchOneThread, faissBatchOneThread);
}

/// Builds an index and reports its build time, query rate, recall@K against
/// exhaustive search and the share of the database it compared.
void measureIndex(const QString &label, const std::function<Result<std::unique_ptr<HammingIndex>>()> &build,
                  const HashCodes &queries, const std::vector<std::vector<RankedItem>> &truth, double exhaustiveRate,
                  Report &report)
{
    Result<std::unique_ptr<HammingIndex>> index = Result<std::unique_ptr<HammingIndex>>::failure(QString());
    const double buildSeconds = secondsOf([&] { index = build(); });
    if (!index) {
        report.note(index.error());
        return;
    }

    std::vector<std::vector<RankedItem>> found;
    HammingSearchStatistics statistics;
    index.value()->search(queries, topK, &statistics);
    const double seconds = medianSecondsOf(2, [&] { found = index.value()->search(queries, topK); });
    const double compared = static_cast<double>(statistics.comparedCodes)
                            / (static_cast<double>(statistics.queries) * index.value()->size());

    const QString name = QStringLiteral("%1, %2").arg(label, index.value()->name());
    report.add(name + QStringLiteral(", build"), buildSeconds, QStringLiteral("s"));
    report.add(name + QStringLiteral(", batch"), queries.size() / seconds, QStringLiteral("queries/s"),
               exhaustiveRate, QStringLiteral("rankBatchByHamming"));
    report.add(name + QStringLiteral(", recall@%1").arg(topK), recallAtK(found, truth), QString());
    report.add(name + QStringLiteral(", share of codes compared"), compared, QString());
}

void nonExhaustiveSearch(const HashCodes &database, const QString &label, const HashCodes &queries,
                         const BenchOptions &options, Report &report)
{
    const int n = database.size();
    std::vector<std::vector<RankedItem>> truth;
    const double exhaustiveSeconds = medianSecondsOf(2, [&] { truth = rankBatchByHamming(database, queries, topK); });
    const double exhaustiveRate = queries.size() / exhaustiveSeconds;
    report.add(QStringLiteral("%1, rankBatchByHamming, batch").arg(label), exhaustiveRate, QStringLiteral("queries/s"));

    measureIndex(label, [&] { return Result<std::unique_ptr<HammingIndex>>(std::make_unique<MultiIndexHashing>(database)); },
                 queries, truth, exhaustiveRate, report);

    // FAISS's hash tables hold every id in a std::unordered_map per table, about
    // 1 GB at 10M codes, so they are measured up to 1M codes.
    if (faissAvailable() && n <= 1000000) {
        for (int flips : options.quick ? std::vector<int>{1} : std::vector<int>{1, 2}) {
            measureIndex(label, [&] { return createFaissMultiHashIndex(database, 4, 16, flips); }, queries, truth,
                         exhaustiveRate, report);
        }
    }
}

} // namespace

void runSearchBenchmarks(const BenchOptions &options, Report &report)
{
    std::vector<int> sizes = {100000, 1000000};
    if (!options.quick)
        sizes.push_back(10000000);

    report.section(QStringLiteral("Exhaustive top-%1 search of random %2-bit codes").arg(topK).arg(codeBits));
    report.note(QStringLiteral("Popcount kernel: %1; %2 threads").arg(hammingKernelName()).arg(QThread::idealThreadCount()));
    for (int n : sizes)
        exhaustiveSearch(randomCodes(n, 1000 + n), options, report);

    report.section(QStringLiteral("Indexes that skip part of the database, top %1").arg(topK));
    for (int n : sizes) {
        const int queryCount = options.quick ? 50 : 200;
        const HashCodes random = randomCodes(n, 2000 + n);
        nonExhaustiveSearch(random, QStringLiteral("%1 random codes").arg(sizeName(n)),
                            randomCodes(queryCount, 3000 + n), options, report);

        const HashCodes clustered = clusteredCodes(n, 4, 4000 + n);
        nonExhaustiveSearch(clustered, QStringLiteral("%1 clustered codes").arg(sizeName(n)),
                            queriesNear(clustered, queryCount, 4, 5000 + n), options, report);
    }
}

} // namespace esafh::bench
