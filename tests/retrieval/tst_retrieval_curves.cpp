#include "retrieval/curves.h"
#include "retrieval/hamming_search.h"
#include "retrieval_oracles.h"

#include <QRegularExpression>
#include <QTest>

using namespace esafh;
using namespace esafh::test;

Q_DECLARE_METATYPE(esafh::TieRule)

namespace {

/// Zero to three random labels per item out of `labelCount`, so that some items have
/// no label and no relevant item.
LabelSets randomLabelSets(QRandomGenerator &random, int count, int labelCount)
{
    LabelSets labels(static_cast<std::size_t>(count));
    for (std::vector<int> &itemLabels : labels) {
        const int size = int(random.bounded(4));
        for (int l = 0; l < size; ++l)
            itemLabels.push_back(int(random.bounded(labelCount)));
        std::sort(itemLabels.begin(), itemLabels.end());
        itemLabels.erase(std::unique(itemLabels.begin(), itemLabels.end()), itemLabels.end());
    }
    return labels;
}

/// Distances and relevance of every database item to one query, the slow way.
void slowRanking(const HashCodes &queries, int query, const HashCodes &database, const LabelSets &queryLabels,
                 const LabelSets &databaseLabels, std::vector<int> &distances, std::vector<bool> &relevant)
{
    distances.assign(std::size_t(database.size()), 0);
    relevant.assign(std::size_t(database.size()), false);
    for (int item = 0; item < database.size(); ++item) {
        distances[std::size_t(item)] = bitByBitDistance(database, item, queries, query);
        relevant[std::size_t(item)] = shareLabelSlow(queryLabels[std::size_t(query)], databaseLabels[std::size_t(item)]);
    }
}

/// Precision@K of a fixed ranking.
double fixedOrderPrecision(const std::vector<int> &order, const std::vector<bool> &relevant, int k)
{
    const int cutoff = k <= 0 ? int(order.size()) : std::min<int>(k, int(order.size()));
    int found = 0;
    for (int rank = 0; rank < cutoff; ++rank)
        found += relevant[std::size_t(order[std::size_t(rank)])] ? 1 : 0;
    return double(found) / cutoff;
}

/// Tie-aware precision@K as the mean over every order that sorts the distances. Only
/// for a handful of items.
double permutationPrecision(const std::vector<int> &distances, const std::vector<bool> &relevant, int k)
{
    std::vector<int> order(distances.size());
    std::iota(order.begin(), order.end(), 0);
    double sum = 0;
    int orders = 0;
    do {
        if (!std::is_sorted(order.begin(), order.end(), [&](int a, int b) { return distances[a] < distances[b]; }))
            continue;
        sum += fixedOrderPrecision(order, relevant, k);
        ++orders;
    } while (std::next_permutation(order.begin(), order.end()));
    return sum / orders;
}

/// Tie-aware precision@K item by item: a relevant item with c items closer and e
/// items (itself included) at its distance is inside the top K with probability
/// clamp((K - c) / e, 0, 1).
double itemProbabilityPrecision(const std::vector<int> &distances, const std::vector<bool> &relevant, int k)
{
    const int cutoff = k <= 0 ? int(distances.size()) : std::min<int>(k, int(distances.size()));
    double expected = 0;
    for (std::size_t i = 0; i < distances.size(); ++i) {
        if (!relevant[i])
            continue;
        int closer = 0;
        int equal = 0;
        for (int distance : distances) {
            closer += distance < distances[i] ? 1 : 0;
            equal += distance == distances[i] ? 1 : 0;
        }
        expected += std::clamp(double(cutoff - closer) / equal, 0.0, 1.0);
    }
    return expected / cutoff;
}

/// The precision-recall curve the slow way: for each radius and query, count the
/// retrieved and relevant items in a loop over the database.
PrecisionRecallCurve slowPrecisionRecallCurve(const HashCodes &queries, const HashCodes &database,
                                              const LabelSets &queryLabels, const LabelSets &databaseLabels)
{
    PrecisionRecallCurve curve;
    const int bits = database.bits();
    std::vector<double> precisionSums(std::size_t(bits + 1), 0.0);
    std::vector<double> recallSums(std::size_t(bits + 1), 0.0);
    std::vector<int> retrievingQueries(std::size_t(bits + 1), 0);
    for (int query = 0; query < queries.size(); ++query) {
        std::vector<int> distances;
        std::vector<bool> relevant;
        slowRanking(queries, query, database, queryLabels, databaseLabels, distances, relevant);
        const int relevantTotal = int(std::count(relevant.begin(), relevant.end(), true));
        if (relevantTotal == 0) {
            ++curve.skippedQueryCount;
            continue;
        }
        ++curve.queryCount;
        for (int radius = 0; radius <= bits; ++radius) {
            int retrieved = 0;
            int hits = 0;
            for (std::size_t item = 0; item < distances.size(); ++item) {
                if (distances[item] <= radius) {
                    ++retrieved;
                    hits += relevant[item] ? 1 : 0;
                }
            }
            recallSums[std::size_t(radius)] += double(hits) / relevantTotal;
            if (retrieved > 0) {
                precisionSums[std::size_t(radius)] += double(hits) / retrieved;
                ++retrievingQueries[std::size_t(radius)];
            }
        }
    }
    for (int radius = 0; radius <= bits; ++radius) {
        PrecisionRecallPoint point;
        point.radius = radius;
        point.retrievingQueries = retrievingQueries[std::size_t(radius)];
        point.precision = point.retrievingQueries > 0 ? precisionSums[std::size_t(radius)] / point.retrievingQueries : 0;
        point.recall = curve.queryCount > 0 ? recallSums[std::size_t(radius)] / curve.queryCount : 0;
        curve.points.push_back(point);
    }
    return curve;
}

void comparePrecisionRecall(const PrecisionRecallCurve &actual, const PrecisionRecallCurve &expected)
{
    QCOMPARE(actual.queryCount, expected.queryCount);
    QCOMPARE(actual.skippedQueryCount, expected.skippedQueryCount);
    QCOMPARE(actual.points.size(), expected.points.size());
    for (std::size_t i = 0; i < expected.points.size(); ++i) {
        QCOMPARE(actual.points[i].radius, expected.points[i].radius);
        QCOMPARE(actual.points[i].retrievingQueries, expected.points[i].retrievingQueries);
        QVERIFY2(qAbs(actual.points[i].precision - expected.points[i].precision) < 1e-12,
                 qPrintable(QStringLiteral("precision at radius %1: %2, expected %3")
                                .arg(i)
                                .arg(actual.points[i].precision)
                                .arg(expected.points[i].precision)));
        QVERIFY2(qAbs(actual.points[i].recall - expected.points[i].recall) < 1e-12,
                 qPrintable(QStringLiteral("recall at radius %1: %2, expected %3")
                                .arg(i)
                                .arg(actual.points[i].recall)
                                .arg(expected.points[i].recall)));
    }
}

std::vector<bool> relevanceFromString(const char *pattern)
{
    std::vector<bool> relevant;
    for (const char *c = pattern; *c; ++c)
        relevant.push_back(*c == 'R');
    return relevant;
}

} // namespace

/// Checks the precision-recall and precision@K curves against hand-computed values and
/// brute-force oracles on random codes, under both tie rules.
class TestRetrievalCurves : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void precisionAtKHandComputed_data();
    void precisionAtKHandComputed();
    void tieAwarePrecisionMatchesPermutations();
    void precisionAtKMatchesOracles_data();
    void precisionAtKMatchesOracles();
    void precisionAtKCurveMatchesBruteForce_data();
    void precisionAtKCurveMatchesBruteForce();
    void precisionRecallHandComputed();
    void precisionRecallMatchesBruteForce_data();
    void precisionRecallMatchesBruteForce();
    void precisionRecallReachesRecallOne();
    void crossModalDirections();
    void mismatchedInputsGiveEmptyCurves();
};

void TestRetrievalCurves::precisionAtKHandComputed_data()
{
    QTest::addColumn<int>("k");
    QTest::addColumn<TieRule>("rule");
    QTest::addColumn<double>("expected");

    // Distances {1, 0, 1, 2, 1} and relevance R N N R R: item 1 (N) ranks first, then
    // the tie group {0 R, 2 N, 4 R}, then item 3 (R).
    // By index the ranking is 1 0 2 4 3, so the top 2 contains one relevant item.
    // Tie-aware, the top 2 contains item 1 and one of the three tied items, which is
    // relevant with probability 2/3.
    QTest::newRow("k=1, index") << 1 << TieRule::DatabaseIndex << 0.0;
    QTest::newRow("k=1, tie-aware") << 1 << TieRule::TieAware << 0.0;
    QTest::newRow("k=2, index") << 2 << TieRule::DatabaseIndex << 1.0 / 2;
    QTest::newRow("k=2, tie-aware") << 2 << TieRule::TieAware << (2.0 / 3) / 2;
    QTest::newRow("k=3, index") << 3 << TieRule::DatabaseIndex << 1.0 / 3;
    QTest::newRow("k=3, tie-aware") << 3 << TieRule::TieAware << (4.0 / 3) / 3;
    QTest::newRow("k=4, index") << 4 << TieRule::DatabaseIndex << 2.0 / 4;
    QTest::newRow("k=4, tie-aware") << 4 << TieRule::TieAware << 2.0 / 4;
    for (TieRule rule : {TieRule::DatabaseIndex, TieRule::TieAware}) {
        // K = 5, beyond the database (capped) and 0 (the whole database): 3 of 5.
        for (int k : {5, 9, 0})
            QTest::addRow("k=%d, %s", k, qPrintable(tieRuleName(rule))) << k << rule << 3.0 / 5;
    }
}

void TestRetrievalCurves::precisionAtKHandComputed()
{
    QFETCH(int, k);
    QFETCH(TieRule, rule);
    QFETCH(double, expected);

    const std::vector<int> distances{1, 0, 1, 2, 1};
    QCOMPARE(precisionAtK(distances, relevanceFromString("RNNRR"), k, rule), expected);
}

void TestRetrievalCurves::tieAwarePrecisionMatchesPermutations()
{
    QRandomGenerator random(11);
    for (int trial = 0; trial < 40; ++trial) {
        std::vector<int> distances(7);
        std::vector<bool> relevant(7);
        for (std::size_t i = 0; i < distances.size(); ++i) {
            distances[i] = int(random.bounded(3));
            relevant[i] = random.bounded(2) == 1;
        }
        for (int k = 1; k <= 7; ++k) {
            const double actual = precisionAtK(distances, relevant, k, TieRule::TieAware);
            const double expected = permutationPrecision(distances, relevant, k);
            QVERIFY2(qAbs(actual - expected) < 1e-12,
                     qPrintable(QStringLiteral("trial %1, k %2: %3, expected %4").arg(trial).arg(k).arg(actual).arg(expected)));
        }
    }
}

void TestRetrievalCurves::precisionAtKMatchesOracles_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<int>("databaseSize");

    QTest::newRow("4 bits, many ties") << 4 << 60;
    QTest::newRow("16 bits") << 16 << 200;
    QTest::newRow("70 bits, two words") << 70 << 150;
}

void TestRetrievalCurves::precisionAtKMatchesOracles()
{
    QFETCH(int, bits);
    QFETCH(int, databaseSize);

    QRandomGenerator random(bits * 31 + databaseSize);
    const HashCodes queries = randomCodes(random, bits, 10);
    const HashCodes database = randomCodes(random, bits, databaseSize);
    const LabelSets queryLabels = randomLabelSets(random, queries.size(), 6);
    const LabelSets databaseLabels = randomLabelSets(random, databaseSize, 6);

    for (int query = 0; query < queries.size(); ++query) {
        std::vector<int> distances;
        std::vector<bool> relevant;
        slowRanking(queries, query, database, queryLabels, databaseLabels, distances, relevant);
        QCOMPARE(hammingDistances(database, queries.code(query)), distances);
        for (int k : {1, 2, 5, 17, 50, databaseSize, databaseSize + 3}) {
            const double byIndex = precisionAtK(distances, relevant, k, TieRule::DatabaseIndex);
            QCOMPARE(byIndex, fixedOrderPrecision(stableSortOrder(distances), relevant, k));
            const double tieAware = precisionAtK(distances, relevant, k, TieRule::TieAware);
            QVERIFY2(qAbs(tieAware - itemProbabilityPrecision(distances, relevant, k)) < 1e-12,
                     qPrintable(QStringLiteral("query %1, k %2").arg(query).arg(k)));
        }
    }
}

void TestRetrievalCurves::precisionAtKCurveMatchesBruteForce_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<TieRule>("rule");

    for (int bits : {8, 32, 70}) {
        for (TieRule rule : {TieRule::TieAware, TieRule::DatabaseIndex})
            QTest::addRow("%d bits, %s", bits, qPrintable(tieRuleName(rule))) << bits << rule;
    }
}

void TestRetrievalCurves::precisionAtKCurveMatchesBruteForce()
{
    QFETCH(int, bits);
    QFETCH(TieRule, rule);

    QRandomGenerator random(bits);
    const HashCodes queries = randomCodes(random, bits, 30);
    const HashCodes database = randomCodes(random, bits, 120);
    const LabelSets queryLabels = randomLabelSets(random, queries.size(), 5);
    const LabelSets databaseLabels = randomLabelSets(random, database.size(), 5);
    const std::vector<int> cutoffs{1, 10, 50, 100, 120, 500, 0};

    const std::vector<PrecisionAtKPoint> curve =
        precisionAtKCurve(queries, database, queryLabels, databaseLabels, cutoffs, rule);
    QCOMPARE(curve.size(), cutoffs.size());

    // Every query counts, also those with no relevant item, which contribute 0.
    int queriesWithoutRelevant = 0;
    for (std::size_t c = 0; c < cutoffs.size(); ++c) {
        double sum = 0;
        for (int query = 0; query < queries.size(); ++query) {
            std::vector<int> distances;
            std::vector<bool> relevant;
            slowRanking(queries, query, database, queryLabels, databaseLabels, distances, relevant);
            if (c == 0 && std::count(relevant.begin(), relevant.end(), true) == 0)
                ++queriesWithoutRelevant;
            sum += rule == TieRule::DatabaseIndex
                       ? fixedOrderPrecision(stableSortOrder(distances), relevant, cutoffs[c])
                       : itemProbabilityPrecision(distances, relevant, cutoffs[c]);
        }
        QCOMPARE(curve[c].k, cutoffs[c]);
        QVERIFY2(qAbs(curve[c].precision - sum / queries.size()) < 1e-12,
                 qPrintable(QStringLiteral("K = %1: %2, expected %3").arg(cutoffs[c]).arg(curve[c].precision).arg(sum / queries.size())));
    }
    QVERIFY2(queriesWithoutRelevant > 0, "the random labels should leave some queries without relevant items");
}

void TestRetrievalCurves::precisionRecallHandComputed()
{
    // Distances from query 0: item 0 at 0 (R), items 1 (N) and 2 (R) at 1, item 3 at 3 (N).
    // Query 1 shares a label with item 3 only.
    // Query 2 has no label, so no relevant item, and is left out.
    const HashCodes database = codesFromStrings({"0000", "1000", "0100", "1110"}, 4);
    const HashCodes queries = codesFromStrings({"0000", "0011", "0000"}, 4);
    const LabelSets databaseLabels{{0}, {1}, {0}, {2}};
    const LabelSets queryLabels{{0}, {2}, {}};

    const PrecisionRecallCurve curve = precisionRecallCurve(queries, database, queryLabels, databaseLabels);
    QCOMPARE(curve.queryCount, 2);
    QCOMPARE(curve.skippedQueryCount, 1);
    QCOMPARE(int(curve.points.size()), 5);

    // Query 1 is at distances 2, 3, 3 and 3 from items 0-3.
    // Radius 0: query 0 retrieves item 0 (P 1, R 1/2); query 1 retrieves nothing (R 0).
    QCOMPARE(curve.points[0].retrievingQueries, 1);
    QCOMPARE(curve.points[0].precision, 1.0);
    QCOMPARE(curve.points[0].recall, (0.5 + 0.0) / 2);
    // Radius 1: query 0 retrieves items 0-2 (P 2/3, R 1); query 1 still nothing.
    QCOMPARE(curve.points[1].retrievingQueries, 1);
    QCOMPARE(curve.points[1].precision, 2.0 / 3);
    QCOMPARE(curve.points[1].recall, (1.0 + 0.0) / 2);
    // Radius 2: query 1 retrieves item 0 (N), so its precision is 0 and it counts.
    QCOMPARE(curve.points[2].retrievingQueries, 2);
    QCOMPARE(curve.points[2].precision, (2.0 / 3 + 0.0) / 2);
    // Radius 3: query 0 retrieves all (P 1/2); query 1 retrieves items 0-3 (P 1/4, R 1).
    QCOMPARE(curve.points[3].precision, (0.5 + 0.25) / 2);
    QCOMPARE(curve.points[3].recall, 1.0);
    QCOMPARE(curve.points[4].radius, 4);
    QCOMPARE(curve.points[4].recall, 1.0);

    comparePrecisionRecall(curve, slowPrecisionRecallCurve(queries, database, queryLabels, databaseLabels));
}

void TestRetrievalCurves::precisionRecallMatchesBruteForce_data()
{
    QTest::addColumn<int>("bits");

    QTest::newRow("6 bits") << 6;
    QTest::newRow("16 bits") << 16;
    QTest::newRow("64 bits") << 64;
    QTest::newRow("100 bits") << 100;
}

void TestRetrievalCurves::precisionRecallMatchesBruteForce()
{
    QFETCH(int, bits);

    QRandomGenerator random(bits + 500);
    const HashCodes queries = randomCodes(random, bits, 25);
    const HashCodes database = randomCodes(random, bits, 90);
    const LabelSets queryLabels = randomLabelSets(random, queries.size(), 4);
    const LabelSets databaseLabels = randomLabelSets(random, database.size(), 4);

    const PrecisionRecallCurve curve = precisionRecallCurve(queries, database, queryLabels, databaseLabels);
    comparePrecisionRecall(curve, slowPrecisionRecallCurve(queries, database, queryLabels, databaseLabels));
    QVERIFY2(curve.skippedQueryCount > 0, "the random labels should leave some queries without relevant items");
}

void TestRetrievalCurves::precisionRecallReachesRecallOne()
{
    QRandomGenerator random(3);
    const HashCodes queries = randomCodes(random, 32, 40);
    const HashCodes database = randomCodes(random, 32, 200);
    const LabelSets queryLabels = randomLabelSets(random, queries.size(), 3);
    const LabelSets databaseLabels = randomLabelSets(random, database.size(), 3);

    const PrecisionRecallCurve curve = precisionRecallCurve(queries, database, queryLabels, databaseLabels);
    QVERIFY(curve.queryCount > 0);
    QCOMPARE(curve.points.back().recall, 1.0);
    QCOMPARE(curve.points.back().retrievingQueries, curve.queryCount);

    // At the largest radius, precision is the mean share of relevant items.
    double share = 0;
    for (int query = 0; query < queries.size(); ++query) {
        std::vector<int> distances;
        std::vector<bool> relevant;
        slowRanking(queries, query, database, queryLabels, databaseLabels, distances, relevant);
        const auto hits = std::count(relevant.begin(), relevant.end(), true);
        if (hits > 0)
            share += double(hits) / database.size();
    }
    QVERIFY(qAbs(curve.points.back().precision - share / curve.queryCount) < 1e-12);

    // Recall never falls as the radius grows.
    for (std::size_t i = 1; i < curve.points.size(); ++i)
        QVERIFY(curve.points[i].recall >= curve.points[i - 1].recall);
}

void TestRetrievalCurves::crossModalDirections()
{
    QRandomGenerator random(5);
    const HashCodes queryImages = randomCodes(random, 16, 12);
    const HashCodes queryTexts = randomCodes(random, 16, 12);
    const HashCodes databaseImages = randomCodes(random, 16, 50);
    const HashCodes databaseTexts = randomCodes(random, 16, 50);
    const LabelSets queryLabels = randomLabelSets(random, 12, 4);
    const LabelSets databaseLabels = randomLabelSets(random, 50, 4);
    const std::vector<int> cutoffs{1, 5, 20};

    const CrossModalCurves curves = evaluateCrossModalCurves(queryImages, queryTexts, databaseImages, databaseTexts,
                                                             queryLabels, databaseLabels, cutoffs,
                                                             TieRule::DatabaseIndex);
    QCOMPARE(curves.tieRule, TieRule::DatabaseIndex);
    comparePrecisionRecall(curves.imageToTextPrecisionRecall,
                           precisionRecallCurve(queryImages, databaseTexts, queryLabels, databaseLabels));
    comparePrecisionRecall(curves.textToImagePrecisionRecall,
                           precisionRecallCurve(queryTexts, databaseImages, queryLabels, databaseLabels));

    const auto i2t = precisionAtKCurve(queryImages, databaseTexts, queryLabels, databaseLabels, cutoffs,
                                       TieRule::DatabaseIndex);
    const auto t2i = precisionAtKCurve(queryTexts, databaseImages, queryLabels, databaseLabels, cutoffs,
                                       TieRule::DatabaseIndex);
    QCOMPARE(curves.imageToTextPrecisionAtK.size(), cutoffs.size());
    for (std::size_t c = 0; c < cutoffs.size(); ++c) {
        QCOMPARE(curves.imageToTextPrecisionAtK[c].precision, i2t[c].precision);
        QCOMPARE(curves.textToImagePrecisionAtK[c].precision, t2i[c].precision);
    }
}

void TestRetrievalCurves::mismatchedInputsGiveEmptyCurves()
{
    const HashCodes queries = codesFromStrings({"0000"}, 4);
    const HashCodes database = codesFromStrings({"0000", "1111"}, 4);
    const HashCodes longerDatabase(8, 2);
    const LabelSets queryLabels{{0}};
    const LabelSets databaseLabels{{0}, {1}};

    QTest::ignoreMessage(QtCriticalMsg,
                         QRegularExpression(QStringLiteral("query codes have 4 bits but database codes have 8")));
    QVERIFY(precisionRecallCurve(queries, longerDatabase, queryLabels, databaseLabels).points.empty());
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("label sets do not match the codes")));
    QVERIFY(precisionAtKCurve(queries, database, queryLabels, LabelSets{{0}}, {1}).empty());

    // No queries: a curve of zeros for precision@K, and no query in the PR curve.
    const std::vector<PrecisionAtKPoint> empty = precisionAtKCurve(HashCodes(4, 0), database, {}, databaseLabels, {1, 2});
    QCOMPARE(empty.size(), std::size_t(2));
    QCOMPARE(empty[1].k, 2);
    QCOMPARE(empty[1].precision, 0.0);
    const PrecisionRecallCurve noQueries = precisionRecallCurve(HashCodes(4, 0), database, {}, databaseLabels);
    QCOMPARE(noQueries.queryCount, 0);
    QCOMPARE(noQueries.points.back().recall, 0.0);
}

QTEST_GUILESS_MAIN(TestRetrievalCurves)
#include "tst_retrieval_curves.moc"
