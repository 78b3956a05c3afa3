// Every fast Hamming search path against the plain oracle, rankByHammingReference,
// which is itself checked against a bit-by-bit stable sort in tst_hamming_search.

#include "retrieval/faiss_hamming_index.h"
#include "retrieval/hamming_index.h"
#include "retrieval/hamming_scan.h"
#include "retrieval/hamming_search.h"
#include "retrieval/multi_index_hashing.h"
#include "retrieval_oracles.h"

#include <QTest>

#include <set>

using namespace esafh;
using namespace esafh::test;

namespace {

/// Uniformly random codes, a whole word at a time; the unused high bits stay zero.
HashCodes randomWords(QRandomGenerator &random, int bits, int count)
{
    HashCodes codes(bits, count);
    const int words = codes.wordsPerCode();
    const int lastWordBits = bits - 64 * (words - 1);
    const std::uint64_t lastWordMask = lastWordBits == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << lastWordBits) - 1;
    for (int item = 0; item < count; ++item) {
        for (int w = 0; w < words; ++w)
            codes.code(item)[w] = random.generate64() & (w == words - 1 ? lastWordMask : ~std::uint64_t(0));
    }
    return codes;
}

/// Random codes where every third code copies an earlier one, so that every query
/// meets tied distances.
HashCodes codesWithTies(QRandomGenerator &random, int bits, int count)
{
    HashCodes codes = randomWords(random, bits, count);
    for (int item = 3; item < count; item += 3) {
        const int source = int(random.bounded(item));
        std::copy_n(codes.code(source), codes.wordsPerCode(), codes.code(item));
    }
    return codes;
}

/// Codes near a few random centres: each copies a centre and flips up to
/// `maxFlips` random bits, like trained codes of items from a few classes.
HashCodes clusteredCodes(QRandomGenerator &random, int bits, int count, int centres, int maxFlips)
{
    const HashCodes centreCodes = randomWords(random, bits, centres);
    HashCodes codes(bits, count);
    for (int item = 0; item < count; ++item) {
        const int centre = int(random.bounded(centres));
        std::copy_n(centreCodes.code(centre), codes.wordsPerCode(), codes.code(item));
        const int flips = int(random.bounded(maxFlips + 1));
        for (int f = 0; f < flips; ++f) {
            const int b = int(random.bounded(bits));
            codes.setBit(item, b, !codes.bit(item, b));
        }
    }
    return codes;
}

/// Queries: random codes, plus copies of database codes for distance 0.
HashCodes queriesFor(QRandomGenerator &random, const HashCodes &database, int randomCount, int copyCount)
{
    HashCodes queries = randomWords(random, database.bits(), randomCount + copyCount);
    for (int q = 0; q < copyCount; ++q)
        std::copy_n(database.code(int(random.bounded(database.size()))), database.wordsPerCode(),
                    queries.code(randomCount + q));
    return queries;
}

QString describe(const std::vector<RankedItem> &ranking, int rank)
{
    return rank < int(ranking.size())
               ? QStringLiteral("index %1 at distance %2").arg(ranking[rank].index).arg(ranking[rank].distance)
               : QStringLiteral("nothing");
}

/// Compares a ranking with the oracle's, naming the first rank that differs.
void compareRankings(const std::vector<RankedItem> &actual, const std::vector<RankedItem> &expected,
                     const QString &context)
{
    QVERIFY2(actual.size() == expected.size(),
             qPrintable(QStringLiteral("%1: %2 results, expected %3").arg(context).arg(actual.size()).arg(expected.size())));
    for (std::size_t rank = 0; rank < expected.size(); ++rank) {
        QVERIFY2(actual[rank] == expected[rank],
                 qPrintable(QStringLiteral("%1, rank %2: %3, expected %4")
                                .arg(context).arg(rank)
                                .arg(describe(actual, int(rank)), describe(expected, int(rank)))));
    }
}

void compareWithOracle(const HammingIndex &index, const HashCodes &database, const HashCodes &queries, int topK)
{
    HammingSearchStatistics statistics;
    const std::vector<std::vector<RankedItem>> results = index.search(queries, topK, &statistics);
    QCOMPARE(int(results.size()), queries.size());
    QCOMPARE(statistics.queries, (long long)queries.size());
    for (int q = 0; q < queries.size(); ++q) {
        compareRankings(results[q], rankByHammingReference(database, queries.code(q), topK),
                        QStringLiteral("%1, query %2").arg(index.name()).arg(q));
        if (QTest::currentTestFailed())
            return;
    }
}

} // namespace

class TestHammingIndex : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void referenceMatchesStableSort();
    void rankingMatchesOracle_data();
    void rankingMatchesOracle();
    void rankingOverSeveralChunks_data();
    void rankingOverSeveralChunks();
    void rankingWhenDatabaseApproachesQuery();
    void batchMatchesOracle_data();
    void batchMatchesOracle();
    void exhaustiveIndexMatchesOracle();
    void multiIndexHashingMatchesOracle_data();
    void multiIndexHashingMatchesOracle();
    void multiIndexHashingSkipsFarCodes();
    void multiIndexHashingOfEmptyDatabase();
    void faissFlatMatchesOracle_data();
    void faissFlatMatchesOracle();
    void faissMultiHashReturnsTrueDistances();
    void faissMultiHashProbingEveryBucketFindsTopK();
};

void TestHammingIndex::init()
{
    // A failed test may leave the scalar kernel switched on.
    setScalarHammingKernel(false);
}

void TestHammingIndex::referenceMatchesStableSort()
{
    QRandomGenerator random(3);
    const HashCodes database = codesWithTies(random, 20, 500);
    const HashCodes query = randomWords(random, 20, 1);

    std::vector<int> distances(database.size());
    for (int item = 0; item < database.size(); ++item)
        distances[item] = bitByBitDistance(database, item, query, 0);
    const std::vector<int> order = stableSortOrder(distances);

    const std::vector<RankedItem> reference = rankByHammingReference(database, query.code(0), 50);
    QCOMPARE(int(reference.size()), 50);
    for (int rank = 0; rank < 50; ++rank) {
        QCOMPARE(reference[rank].index, order[rank]);
        QCOMPARE(reference[rank].distance, distances[order[rank]]);
    }
}

void TestHammingIndex::rankingMatchesOracle_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("topK");

    for (int bits : {8, 16, 32, 63, 64, 100, 128}) {
        for (int topK : {1, 10, 100, 299, 300, 1000})
            QTest::addRow("%d bits, 300 codes, top %d", bits, topK) << bits << 300 << topK;
    }
    // Enough codes that the collector compacts many times.
    for (int bits : {8, 64, 128})
        QTest::addRow("%d bits, 20000 codes, top 100", bits) << bits << 20000 << 100;
}

void TestHammingIndex::rankingMatchesOracle()
{
    QFETCH(int, bits);
    QFETCH(int, count);
    QFETCH(int, topK);

    QRandomGenerator random(11 * bits + count);
    const HashCodes database = codesWithTies(random, bits, count);
    const HashCodes queries = queriesFor(random, database, 4, 2);

    // Both kernels, where the CPU has the vector one; the scalar one runs everywhere.
    for (bool scalarOnly : {false, true}) {
        setScalarHammingKernel(scalarOnly);
        for (int q = 0; q < queries.size(); ++q) {
            const std::vector<RankedItem> expected = rankByHammingReference(database, queries.code(q), topK);
            for (int threads : {1, 2}) {
                compareRankings(rankByHamming(database, queries.code(q), topK, threads), expected,
                                QStringLiteral("query %1, %2 threads, %3 kernel")
                                    .arg(q).arg(threads).arg(hammingKernelName()));
            }
        }
    }
}

void TestHammingIndex::rankingOverSeveralChunks_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("topK");
    QTest::addColumn<int>("threads");

    for (int bits : {16, 64, 128}) {
        for (int topK : {1, 100, 5000})
            QTest::addRow("%d bits, top %d, 3 threads", bits, topK) << bits << topK << 3;
    }
    QTest::addRow("64 bits, top 100, 8 threads") << 64 << 100 << 8;
}

void TestHammingIndex::rankingOverSeveralChunks()
{
    QFETCH(int, bits);
    QFETCH(int, topK);
    QFETCH(int, threads);

    // Databases this large are split into one chunk per thread, searched in parallel.
    QRandomGenerator random(17 * bits + topK);
    const HashCodes database = codesWithTies(random, bits, 600000);
    const HashCodes queries = queriesFor(random, database, 2, 1);

    for (int q = 0; q < queries.size(); ++q) {
        compareRankings(rankByHamming(database, queries.code(q), topK, threads),
                        rankByHammingReference(database, queries.code(q), topK), QStringLiteral("query %1").arg(q));
    }
}

void TestHammingIndex::rankingWhenDatabaseApproachesQuery()
{
    // Codes ordered from far to near: every code enters the top K and pushes out an
    // earlier one, the collector's worst case.
    const int bits = 64;
    const int count = 2000;
    HashCodes database(bits, count);
    for (int item = 0; item < count; ++item) {
        const int distance = bits - item * bits / count;
        for (int b = 0; b < distance; ++b)
            database.setBit(item, b, true);
    }
    const HashCodes query(bits, 1);

    for (int topK : {1, 7, 64, 1999})
        compareRankings(rankByHamming(database, query.code(0), topK, 1),
                        rankByHammingReference(database, query.code(0), topK), QStringLiteral("top %1").arg(topK));
}

void TestHammingIndex::batchMatchesOracle_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("queryCount");
    QTest::addColumn<int>("threads");

    for (int bits : {32, 64, 128}) {
        for (int queryCount : {1, 3, 37}) {
            for (int threads : {1, 2, 4})
                QTest::addRow("%d bits, %d queries, %d threads", bits, queryCount, threads)
                    << bits << queryCount << threads;
        }
    }
}

void TestHammingIndex::batchMatchesOracle()
{
    QFETCH(int, bits);
    QFETCH(int, queryCount);
    QFETCH(int, threads);

    // More codes than one cache block, so each query spans several blocks.
    QRandomGenerator random(5 * bits + queryCount);
    const HashCodes database = codesWithTies(random, bits, 30000);
    const HashCodes queries = queriesFor(random, database, queryCount - queryCount / 3, queryCount / 3);

    for (int topK : {1, 100}) {
        const std::vector<std::vector<RankedItem>> results = rankBatchByHamming(database, queries, topK, threads);
        QCOMPARE(int(results.size()), queryCount);
        for (int q = 0; q < queryCount; ++q) {
            compareRankings(results[q], rankByHammingReference(database, queries.code(q), topK),
                            QStringLiteral("top %1, query %2").arg(topK).arg(q));
        }
    }
}

void TestHammingIndex::exhaustiveIndexMatchesOracle()
{
    QRandomGenerator random(21);
    const HashCodes database = codesWithTies(random, 64, 5000);
    const HashCodes queries = queriesFor(random, database, 6, 3);

    const ExhaustiveHammingIndex index(database, 2);
    QCOMPARE(index.size(), database.size());
    QVERIFY(index.isExact());
    for (int topK : {1, 50, 5000, 6000})
        compareWithOracle(index, database, queries, topK);
}

void TestHammingIndex::multiIndexHashingMatchesOracle_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("substrings");
    QTest::addColumn<bool>("clustered");

    for (int bits : {16, 32, 64, 100, 128}) {
        for (int substrings : {0, 1, 3, 5}) {
            QTest::addRow("%d bits, %d substrings, random", bits, substrings) << bits << substrings << false;
            QTest::addRow("%d bits, %d substrings, clustered", bits, substrings) << bits << substrings << true;
        }
    }
}

void TestHammingIndex::multiIndexHashingMatchesOracle()
{
    QFETCH(int, bits);
    QFETCH(int, substrings);
    QFETCH(bool, clustered);

    QRandomGenerator random(13 * bits + substrings);
    const HashCodes database = clustered ? clusteredCodes(random, bits, 20000, 40, bits / 8)
                                         : codesWithTies(random, bits, 20000);
    HashCodes queries = queriesFor(random, database, 3, 3);
    if (clustered) {
        // Near-duplicates of database codes, the case the index is built for.
        const HashCodes nearby = clusteredCodes(random, bits, 4, 40, 2);
        HashCodes both(bits, queries.size() + nearby.size());
        std::copy(queries.words().begin(), queries.words().end(), both.words().begin());
        std::copy(nearby.words().begin(), nearby.words().end(), both.words().begin() + queries.words().size());
        queries = both;
    }

    const MultiIndexHashing index(database, substrings, 2);
    QVERIFY(index.substringCount() >= 1);
    for (int topK : {1, 10, 100, 2000})
        compareWithOracle(index, database, queries, topK);
}

void TestHammingIndex::multiIndexHashingSkipsFarCodes()
{
    // Queries that copy a database code find their top 10 at small radii, so the
    // index compares only a small part of the database.
    QRandomGenerator random(31);
    const HashCodes database = clusteredCodes(random, 64, 100000, 1000, 3);
    HashCodes queries(64, 20);
    for (int q = 0; q < queries.size(); ++q)
        std::copy_n(database.code(int(random.bounded(database.size()))), 1, queries.code(q));

    const MultiIndexHashing index(database);
    HammingSearchStatistics statistics;
    index.search(queries, 10, &statistics);

    const long long scanned = statistics.queries * database.size();
    QVERIFY2(statistics.comparedCodes * 10 < scanned,
             qPrintable(QStringLiteral("compared %1 of %2 codes").arg(statistics.comparedCodes).arg(scanned)));
    compareWithOracle(index, database, queries, 10);
}

void TestHammingIndex::multiIndexHashingOfEmptyDatabase()
{
    const MultiIndexHashing index(HashCodes(64, 0));
    const std::vector<std::vector<RankedItem>> results = index.search(HashCodes(64, 2), 5);
    QCOMPARE(int(results.size()), 2);
    QVERIFY(results[0].empty());
    QVERIFY(results[1].empty());
}

void TestHammingIndex::faissFlatMatchesOracle_data()
{
    QTest::addColumn<int>("bits");

    for (int bits : {16, 64, 100, 128})
        QTest::addRow("%d bits", bits) << bits;
}

void TestHammingIndex::faissFlatMatchesOracle()
{
    QFETCH(int, bits);
    if (!faissAvailable())
        QSKIP("This build has no FAISS (libfaiss-dev).");

    QRandomGenerator random(41 + bits);
    const HashCodes database = codesWithTies(random, bits, 5000);
    const HashCodes queries = queriesFor(random, database, 40, 5);

    Result<std::unique_ptr<HammingIndex>> index = createFaissFlatIndex(database);
    QVERIFY2(index.ok(), qPrintable(index.error()));
    QVERIFY(index.value()->isExact());
    for (int topK : {1, 100, 5000})
        compareWithOracle(*index.value(), database, queries, topK);
}

void TestHammingIndex::faissMultiHashReturnsTrueDistances()
{
    if (!faissAvailable())
        QSKIP("This build has no FAISS (libfaiss-dev).");

    QRandomGenerator random(43);
    const HashCodes database = clusteredCodes(random, 64, 20000, 50, 6);
    const HashCodes queries = queriesFor(random, database, 5, 10);

    Result<std::unique_ptr<HammingIndex>> index = createFaissMultiHashIndex(database, 4, 16, 1);
    QVERIFY2(index.ok(), qPrintable(index.error()));
    QVERIFY(!index.value()->isExact());

    // Approximate: a sorted subset of the database with true distances, no duplicates.
    const std::vector<std::vector<RankedItem>> results = index.value()->search(queries, 100);
    for (int q = 0; q < queries.size(); ++q) {
        QVERIFY(int(results[q].size()) <= 100);
        std::set<int> seen;
        for (std::size_t rank = 0; rank < results[q].size(); ++rank) {
            const RankedItem &item = results[q][rank];
            QVERIFY(item.index >= 0 && item.index < database.size());
            QVERIFY2(seen.insert(item.index).second, qPrintable(QStringLiteral("index %1 twice").arg(item.index)));
            QCOMPARE(item.distance, hammingDistance(database.code(item.index), queries.code(q), 1));
            if (rank > 0)
                QVERIFY(results[q][rank - 1].distance <= item.distance);
        }
    }

    // A query that copies a database code finds it.
    const int copied = 5;
    QVERIFY(!results[copied].empty());
    QCOMPARE(results[copied][0].distance, 0);
}

void TestHammingIndex::faissMultiHashProbingEveryBucketFindsTopK()
{
    if (!faissAvailable())
        QSKIP("This build has no FAISS (libfaiss-dev).");

    // One table of 8 bits probed with up to 8 flips visits every bucket.
    QRandomGenerator random(47);
    const HashCodes database = codesWithTies(random, 64, 3000);
    const HashCodes queries = queriesFor(random, database, 5, 2);

    Result<std::unique_ptr<HammingIndex>> index = createFaissMultiHashIndex(database, 1, 8, 8);
    QVERIFY2(index.ok(), qPrintable(index.error()));

    // Its heap keeps any of the codes tied at the K-th distance, so only ranks
    // before that distance must name the oracle's codes.
    for (int topK : {1, 100}) {
        const std::vector<std::vector<RankedItem>> results = index.value()->search(queries, topK);
        for (int q = 0; q < queries.size(); ++q) {
            const std::vector<RankedItem> expected = rankByHammingReference(database, queries.code(q), topK);
            QCOMPARE(results[q].size(), expected.size());
            for (std::size_t rank = 0; rank < expected.size(); ++rank) {
                QCOMPARE(results[q][rank].distance, expected[rank].distance);
                if (expected[rank].distance < expected.back().distance)
                    QCOMPARE(results[q][rank].index, expected[rank].index);
            }
        }
    }

    QVERIFY(!createFaissMultiHashIndex(database, 5, 16, 1).ok());
}

QTEST_GUILESS_MAIN(TestHammingIndex)
#include "tst_hamming_index.moc"
