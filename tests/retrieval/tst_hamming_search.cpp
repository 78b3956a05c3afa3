#include "retrieval/hamming_search.h"
#include "retrieval_oracles.h"

#include <QTest>

using namespace esafh;
using namespace esafh::test;

class TestHammingSearch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rankingOfHandWrittenCodes();
    void rankingMatchesStableSortOracle_data();
    void rankingMatchesStableSortOracle();
    void distancesMatchBitOracle_data();
    void distancesMatchBitOracle();
    void emptyDatabase();
};

void TestHammingSearch::rankingOfHandWrittenCodes()
{
    // Distances to the query 0000: items 0..4 are at 2, 0, 1, 0, 2.
    const HashCodes database = codesFromStrings({"1100", "0000", "0010", "0000", "0011"}, 4);
    const HashCodes query = codesFromStrings({"0000"}, 4);

    const std::vector<RankedItem> ranking = rankByHamming(database, query.code(0));

    // Ties at distance 0 and 2 come out by database index.
    const std::vector<int> expectedIndices{1, 3, 2, 0, 4};
    const std::vector<int> expectedDistances{0, 0, 1, 2, 2};
    QCOMPARE(int(ranking.size()), 5);
    for (int rank = 0; rank < 5; ++rank) {
        QCOMPARE(ranking[rank].index, expectedIndices[rank]);
        QCOMPARE(ranking[rank].distance, expectedDistances[rank]);
    }

    const std::vector<RankedItem> topThree = rankByHamming(database, query.code(0), 3);
    QCOMPARE(int(topThree.size()), 3);
    QCOMPARE(topThree[2].index, 2);
}

void TestHammingSearch::rankingMatchesStableSortOracle_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("topK");

    for (int bits : {16, 32, 64, 100, 128}) {
        for (int topK : {0, 1, 17, 300, 301, 1000})
            QTest::addRow("%d bits, top %d", bits, topK) << bits << topK;
    }
}

void TestHammingSearch::rankingMatchesStableSortOracle()
{
    QFETCH(int, bits);
    QFETCH(int, topK);

    // 300 random codes, every third one replaced by a copy of a random other code, so
    // that every query meets ties.
    const int count = 300;
    QRandomGenerator random(99 + bits);
    HashCodes database = randomCodes(random, bits, count);
    for (int item = 0; item < count; item += 3) {
        const int source = int(random.bounded(count));
        std::copy_n(database.code(source), database.wordsPerCode(), database.code(item));
    }
    const HashCodes queries = randomCodes(random, bits, 5);

    for (int query = 0; query < queries.size() + 1; ++query) {
        // The last query is a database code, to include distance 0.
        const std::uint64_t *queryCode = query < queries.size() ? queries.code(query) : database.code(7);

        std::vector<int> distances(count);
        for (int item = 0; item < count; ++item) {
            distances[item] = query < queries.size() ? bitByBitDistance(database, item, queries, query)
                                                     : bitByBitDistance(database, item, database, 7);
        }
        const std::vector<int> expectedOrder = stableSortOrder(distances);
        const int expectedSize = topK <= 0 ? count : std::min(topK, count);

        const std::vector<RankedItem> ranking = rankByHamming(database, queryCode, topK);

        QCOMPARE(int(ranking.size()), expectedSize);
        for (int rank = 0; rank < expectedSize; ++rank) {
            QCOMPARE(ranking[rank].index, expectedOrder[rank]);
            QCOMPARE(ranking[rank].distance, distances[expectedOrder[rank]]);
        }
    }
}

void TestHammingSearch::distancesMatchBitOracle_data()
{
    QTest::addColumn<int>("bits");

    for (int bits : {8, 64, 65, 128, 256})
        QTest::addRow("%d bits", bits) << bits;
}

void TestHammingSearch::distancesMatchBitOracle()
{
    QFETCH(int, bits);

    QRandomGenerator random(7 * bits);
    const HashCodes database = randomCodes(random, bits, 200);
    const HashCodes query = randomCodes(random, bits, 1);

    const std::vector<int> distances = hammingDistances(database, query.code(0));

    QCOMPARE(int(distances.size()), database.size());
    for (int item = 0; item < database.size(); ++item)
        QCOMPARE(distances[item], bitByBitDistance(database, item, query, 0));
}

void TestHammingSearch::emptyDatabase()
{
    const HashCodes database(64, 0);
    const HashCodes query(64, 1);

    QVERIFY(hammingDistances(database, query.code(0)).empty());
    QVERIFY(rankByHamming(database, query.code(0)).empty());
    QVERIFY(rankByHamming(database, query.code(0), 10).empty());
}

QTEST_GUILESS_MAIN(TestHammingSearch)
#include "tst_hamming_search.moc"
