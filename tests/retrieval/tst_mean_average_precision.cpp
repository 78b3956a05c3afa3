#include "retrieval/hamming_search.h"
#include "retrieval/metrics.h"
#include "retrieval_oracles.h"

#include <QRegularExpression>
#include <QTest>

using namespace esafh;
using namespace esafh::test;

Q_DECLARE_METATYPE(esafh::TieRule)

namespace {

/// One random label per item out of `labelCount`.
LabelSets randomSingleLabels(QRandomGenerator &random, int count, int labelCount)
{
    LabelSets labels(count);
    for (std::vector<int> &itemLabels : labels)
        itemLabels = {int(random.bounded(labelCount))};
    return labels;
}

/// Codes that equal a fixed random code per label, for items with one label each.
HashCodes codesPerLabel(const HashCodes &labelCodes, const LabelSets &labels)
{
    std::vector<int> items;
    for (const std::vector<int> &itemLabels : labels)
        items.push_back(itemLabels.front());
    return labelCodes.subset(items);
}

/// mAP computed the slow way: bit-by-bit distances and relevance by a double loop over
/// the labels. AP comes from an explicit stable-sorted ranking for the database-index
/// rule. For the tie-aware rule it comes from averagePrecision(), which the AP test
/// checks against all permutations of the tie groups.
double slowMeanAveragePrecision(const HashCodes &queries, const HashCodes &database, const LabelSets &queryLabels,
                                const LabelSets &databaseLabels, int k, TieRule rule)
{
    double sum = 0;
    for (int query = 0; query < queries.size(); ++query) {
        std::vector<int> distances(database.size());
        std::vector<bool> relevant(database.size());
        for (int item = 0; item < database.size(); ++item) {
            distances[item] = bitByBitDistance(database, item, queries, query);
            relevant[item] = shareLabelSlow(queryLabels[query], databaseLabels[item]);
        }
        sum += rule == TieRule::DatabaseIndex ? fixedOrderAveragePrecision(stableSortOrder(distances), relevant, k)
                                              : averagePrecision(distances, relevant, k, rule);
    }
    return sum / queries.size();
}

} // namespace

class TestMeanAveragePrecision : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void perfectCodesScoreOne_data();
    void perfectCodesScoreOne();
    void randomCodesScoreLow();
    void queryWithoutRelevantItemCountsZero();
    void matchesSlowComputation_data();
    void matchesSlowComputation();
    void crossModalDirections();
    void mismatchedInputsReturnZero();
};

void TestMeanAveragePrecision::perfectCodesScoreOne_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<TieRule>("rule");

    for (int bits : {16, 64, 128}) {
        for (TieRule rule : {TieRule::TieAware, TieRule::DatabaseIndex})
            QTest::addRow("%d bits, %s", bits, qPrintable(tieRuleName(rule))) << bits << rule;
    }
}

void TestMeanAveragePrecision::perfectCodesScoreOne()
{
    QFETCH(int, bits);
    QFETCH(TieRule, rule);

    // Every item carries the code of its only label, and the 6 label codes differ, so
    // each query's relevant items sit alone at distance 0 ahead of all others.
    QRandomGenerator random(bits);
    const HashCodes labelCodes = randomCodes(random, bits, 6);
    QCOMPARE(labelCodes.distinctCodeCount(), 6);
    const LabelSets queryLabels = randomSingleLabels(random, 30, 6);
    const LabelSets databaseLabels = randomSingleLabels(random, 500, 6);
    const HashCodes queries = codesPerLabel(labelCodes, queryLabels);
    const HashCodes database = codesPerLabel(labelCodes, databaseLabels);

    QCOMPARE(meanAveragePrecision(queries, database, queryLabels, databaseLabels, 0, rule), 1.0);
    QCOMPARE(meanAveragePrecision(queries, database, queryLabels, databaseLabels, 50, rule), 1.0);
}

void TestMeanAveragePrecision::randomCodesScoreLow()
{
    // 8 labels, one per item: a random ranking finds about 1 relevant item in 8, so
    // mAP@all is near 0.125 and far below the 1 of perfect codes. mAP@50 comes out
    // higher (about 0.18 with this seed) because a relevant item at an early rank
    // weighs more when only the top 50 are averaged.
    QRandomGenerator random(3);
    const LabelSets queryLabels = randomSingleLabels(random, 50, 8);
    const LabelSets databaseLabels = randomSingleLabels(random, 800, 8);
    const HashCodes queries = randomCodes(random, 32, 50);
    const HashCodes database = randomCodes(random, 32, 800);

    for (TieRule rule : {TieRule::TieAware, TieRule::DatabaseIndex}) {
        const double mapAll = meanAveragePrecision(queries, database, queryLabels, databaseLabels, 0, rule);
        const double mapAt50 = meanAveragePrecision(queries, database, queryLabels, databaseLabels, 50, rule);
        QVERIFY2(mapAll > 0.08 && mapAll < 0.2, qPrintable(QString::number(mapAll)));
        QVERIFY2(mapAt50 > 0.05 && mapAt50 < 0.35, qPrintable(QString::number(mapAt50)));
    }
}

void TestMeanAveragePrecision::queryWithoutRelevantItemCountsZero()
{
    // Query 0 has label 0, like database items 0 and 1, which sit at distance 0 ahead
    // of item 2 (AP 1). Query 1 has label 5, which no database item has, and item 2
    // has no label at all, so query 1 has AP 0 and mAP = (1 + 0) / 2.
    const HashCodes database = codesFromStrings({"0000", "0000", "1111"}, 4);
    const HashCodes queries = codesFromStrings({"0000", "0000"}, 4);
    const LabelSets databaseLabels{{0}, {0, 3}, {}};
    const LabelSets queryLabels{{0}, {5}};

    for (TieRule rule : {TieRule::TieAware, TieRule::DatabaseIndex}) {
        QCOMPARE(meanAveragePrecision(queries, database, queryLabels, databaseLabels, 0, rule), 0.5);
        QCOMPARE(meanAveragePrecision(queries, database, queryLabels, databaseLabels, 2, rule), 0.5);
    }
}

void TestMeanAveragePrecision::matchesSlowComputation_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("labelCount");
    QTest::addColumn<TieRule>("rule");

    // 150 labels put label indices in three 64-bit words.
    for (int bits : {8, 64, 100}) {
        for (int labelCount : {5, 150}) {
            for (TieRule rule : {TieRule::TieAware, TieRule::DatabaseIndex}) {
                QTest::addRow("%d bits, %d labels, %s", bits, labelCount, qPrintable(tieRuleName(rule)))
                    << bits << labelCount << rule;
            }
        }
    }
}

void TestMeanAveragePrecision::matchesSlowComputation()
{
    QFETCH(int, bits);
    QFETCH(int, labelCount);
    QFETCH(TieRule, rule);

    // Zero to three labels per item, so some items have none.
    QRandomGenerator random(bits * 1000 + labelCount);
    const auto randomLabels = [&](int count) {
        LabelSets labels(count);
        for (std::vector<int> &itemLabels : labels) {
            const int labelsPerItem = int(random.bounded(4));
            for (int l = 0; l < labelsPerItem; ++l)
                itemLabels.push_back(int(random.bounded(labelCount)));
            std::sort(itemLabels.begin(), itemLabels.end());
            itemLabels.erase(std::unique(itemLabels.begin(), itemLabels.end()), itemLabels.end());
        }
        return labels;
    };
    const LabelSets queryLabels = randomLabels(25);
    const LabelSets databaseLabels = randomLabels(300);
    const HashCodes queries = randomCodes(random, bits, 25);
    const HashCodes database = randomCodes(random, bits, 300);

    for (int k : {0, 1, 50}) {
        const double expected = slowMeanAveragePrecision(queries, database, queryLabels, databaseLabels, k, rule);
        const double map = meanAveragePrecision(queries, database, queryLabels, databaseLabels, k, rule);
        QVERIFY2(qAbs(map - expected) < 1e-12,
                 qPrintable(QStringLiteral("k %1: mAP %2, expected %3").arg(k).arg(map).arg(expected)));
    }
}

void TestMeanAveragePrecision::crossModalDirections()
{
    // Query and database image codes are one code per label, and the database text
    // codes copy the database image codes, so i2t is perfect. Query text codes are
    // random, so t2i is low. Swapped directions would show in both checks.
    QRandomGenerator random(17);
    const HashCodes labelCodes = randomCodes(random, 32, 4);
    const LabelSets queryLabels = randomSingleLabels(random, 20, 4);
    const LabelSets databaseLabels = randomSingleLabels(random, 200, 4);
    const HashCodes queryImages = codesPerLabel(labelCodes, queryLabels);
    const HashCodes databaseImages = codesPerLabel(labelCodes, databaseLabels);
    const HashCodes queryTexts = randomCodes(random, 32, 20);
    const HashCodes databaseTexts = databaseImages;

    const RetrievalScores scores = evaluateCrossModal(queryImages, queryTexts, databaseImages, databaseTexts,
                                                      queryLabels, databaseLabels, 10, TieRule::DatabaseIndex);

    QCOMPARE(scores.k, 10);
    QCOMPARE(scores.tieRule, TieRule::DatabaseIndex);
    QCOMPARE(scores.imageToTextAll, 1.0);
    QCOMPARE(scores.imageToTextAtK, 1.0);
    QCOMPARE(scores.textToImageAll,
             meanAveragePrecision(queryTexts, databaseImages, queryLabels, databaseLabels, 0, TieRule::DatabaseIndex));
    QCOMPARE(scores.textToImageAtK,
             meanAveragePrecision(queryTexts, databaseImages, queryLabels, databaseLabels, 10, TieRule::DatabaseIndex));
    QVERIFY(scores.textToImageAll < 0.6);
}

void TestMeanAveragePrecision::mismatchedInputsReturnZero()
{
    const HashCodes queries = codesFromStrings({"0000"}, 4);
    const HashCodes database = codesFromStrings({"0000", "1111"}, 4);
    const HashCodes longerDatabase(8, 2);
    const LabelSets queryLabels{{0}};
    const LabelSets databaseLabels{{0}, {1}};

    QTest::ignoreMessage(QtCriticalMsg,
                         QRegularExpression(QStringLiteral("query codes have 4 bits but database codes have 8")));
    QCOMPARE(meanAveragePrecision(queries, longerDatabase, queryLabels, databaseLabels), 0.0);

    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("label sets do not match the codes")));
    QCOMPARE(meanAveragePrecision(queries, database, queryLabels, LabelSets{{0}}), 0.0);

    // No queries: nothing to average.
    QCOMPARE(meanAveragePrecision(HashCodes(4, 0), database, LabelSets{}, databaseLabels), 0.0);
}

QTEST_GUILESS_MAIN(TestMeanAveragePrecision)
#include "tst_mean_average_precision.moc"
