#include "retrieval/metrics.h"
#include "retrieval_oracles.h"

#include <QTest>

using namespace esafh;
using namespace esafh::test;

Q_DECLARE_METATYPE(esafh::TieRule)

namespace {

/// Relevance written as a string, 'R' for a relevant item and 'N' for another.
std::vector<bool> relevanceFromString(const char *pattern)
{
    std::vector<bool> relevant;
    for (const char *c = pattern; *c; ++c)
        relevant.push_back(*c == 'R');
    return relevant;
}

} // namespace

class TestAveragePrecision : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handComputed_data();
    void handComputed();
    void tieAwareMatchesPermutationOracle_data();
    void tieAwareMatchesPermutationOracle();
    void databaseIndexMatchesSortOracle();
    void rulesAgreeWithoutTies();
    void arbitraryDistancesAreGrouped();
    void largeTieGroupMatchesClosedForm_data();
    void largeTieGroupMatchesClosedForm();
    void tieRuleNames();
};

void TestAveragePrecision::handComputed_data()
{
    QTest::addColumn<std::vector<int>>("distances");
    QTest::addColumn<std::vector<bool>>("relevant");
    QTest::addColumn<int>("k");
    QTest::addColumn<TieRule>("rule");
    QTest::addColumn<double>("expected");

    const auto index = TieRule::DatabaseIndex;
    const auto tieAware = TieRule::TieAware;

    // No ties, so both rules give the same value.
    // Ranking R N R: precision 1/1 at rank 1 and 2/3 at rank 3, mean (1 + 2/3) / 2.
    for (TieRule rule : {index, tieAware}) {
        const QString name = tieRuleName(rule);
        QTest::addRow("RNR, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2} << relevanceFromString("RNR") << 0 << rule << (1.0 + 2.0 / 3) / 2;
        // N R R: (1/2 + 2/3) / 2 = 7/12.
        QTest::addRow("NRR, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2} << relevanceFromString("NRR") << 0 << rule << 7.0 / 12;
        // No relevant item at all.
        QTest::addRow("NNN, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2} << relevanceFromString("NNN") << 0 << rule << 0.0;
        // Listed in index order, ranked by distance: index 2 (R), 0 (N), 1 (R):
        // (1/1 + 2/3) / 2.
        QTest::addRow("unsorted input, %s", qPrintable(name))
            << std::vector<int>{5, 9, 1} << relevanceFromString("NRR") << 0 << rule << (1.0 + 2.0 / 3) / 2;

        // R N N R R at ranks 1..5. AP@all = (1/1 + 2/4 + 3/5) / 3 = 0.7.
        QTest::addRow("RNNRR all, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2, 3, 4} << relevanceFromString("RNNRR") << 0 << rule << 0.7;
        // AP@3 is normalised by the 1 relevant item in the top 3: 1/1 / 1 = 1.
        QTest::addRow("RNNRR at 3, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2, 3, 4} << relevanceFromString("RNNRR") << 3 << rule << 1.0;
        // AP@4 = (1/1 + 2/4) / 2 = 0.75.
        QTest::addRow("RNNRR at 4, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2, 3, 4} << relevanceFromString("RNNRR") << 4 << rule << 0.75;
        // K beyond the database is AP@all.
        QTest::addRow("RNNRR at 50, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2, 3, 4} << relevanceFromString("RNNRR") << 50 << rule << 0.7;
        // Relevant items only below the cutoff: none in the top 2, so 0.
        QTest::addRow("NNR at 2, %s", qPrintable(name))
            << std::vector<int>{0, 1, 2} << relevanceFromString("NNR") << 2 << rule << 0.0;
    }

    // Two items tied at distance 0, the second relevant.
    // By index: R at rank 2, AP = 1/2.
    // Tie-aware: orders R N (AP 1) and N R (AP 1/2) are equally likely: 3/4.
    QTest::newRow("tie NR, by index") << std::vector<int>{0, 0} << relevanceFromString("NR") << 0 << index << 0.5;
    QTest::newRow("tie NR, tie-aware") << std::vector<int>{0, 0} << relevanceFromString("NR") << 0 << tieAware << 0.75;

    // Three tied items R N R.
    // By index: (1/1 + 2/3) / 2 = 5/6.
    // Tie-aware: the N is first, second or third with probability 1/3 each:
    //   N R R: (1/2 + 2/3) / 2 = 7/12
    //   R N R: (1/1 + 2/3) / 2 = 10/12
    //   R R N: (1/1 + 2/2) / 2 = 12/12
    //   mean (7 + 10 + 12) / 36 = 29/36.
    QTest::newRow("tie RNR, by index") << std::vector<int>{3, 3, 3} << relevanceFromString("RNR") << 0 << index
                                       << 5.0 / 6;
    QTest::newRow("tie RNR, tie-aware") << std::vector<int>{3, 3, 3} << relevanceFromString("RNR") << 0 << tieAware
                                        << 29.0 / 36;

    // A tied group after a relevant item: R at distance 0, then N R tied at 1.
    // By index: R N R, (1 + 2/3) / 2 = 5/6.
    // Tie-aware: R N R gives 5/6 and R R N gives (1 + 2/2) / 2 = 1: mean 11/12.
    QTest::newRow("tie after R, by index") << std::vector<int>{0, 1, 1} << relevanceFromString("RNR") << 0 << index
                                           << 5.0 / 6;
    QTest::newRow("tie after R, tie-aware") << std::vector<int>{0, 1, 1} << relevanceFromString("RNR") << 0
                                            << tieAware << 11.0 / 12;

    // A tie group straddling K = 2: N at distance 0, then R N tied at 1 on ranks 2..3.
    // By index: N R inside the top 2, AP@2 = (1/2) / 1 = 1/2.
    // Tie-aware: R at rank 2 (AP@2 = 1/2) or at rank 3 (no relevant item in the top 2,
    // AP@2 = 0), each with probability 1/2: 1/4.
    QTest::newRow("straddle at 2, by index") << std::vector<int>{0, 1, 1} << relevanceFromString("NRN") << 2 << index
                                             << 0.5;
    QTest::newRow("straddle at 2, tie-aware") << std::vector<int>{0, 1, 1} << relevanceFromString("NRN") << 2
                                              << tieAware << 0.25;

    // N at distance 0, then R R N tied at 1 on ranks 2..4, K = 3.
    // By index: N R R, AP@3 = (1/2 + 2/3) / 2 = 7/12.
    // Tie-aware: J relevant items of the group land on ranks 2..3.
    //   J = 2 with probability 1/3: N R R again, 7/12.
    //   J = 1 with probability 2/3: the R is on rank 2 or 3, AP@3 = 1/2 or 1/3,
    //   mean 5/12.
    //   Expected AP@3 = 7/36 + 10/36 = 17/36.
    QTest::newRow("straddle at 3, by index") << std::vector<int>{0, 1, 1, 1} << relevanceFromString("NRRN") << 3
                                             << index << 7.0 / 12;
    QTest::newRow("straddle at 3, tie-aware") << std::vector<int>{0, 1, 1, 1} << relevanceFromString("NRRN") << 3
                                              << tieAware << 17.0 / 36;

    // Everything tied and relevant: every order has AP 1.
    QTest::newRow("all tied and relevant") << std::vector<int>{2, 2, 2, 2} << relevanceFromString("RRRR") << 2
                                           << tieAware << 1.0;
    QTest::newRow("empty ranking") << std::vector<int>{} << std::vector<bool>{} << 0 << tieAware << 0.0;
}

void TestAveragePrecision::handComputed()
{
    QFETCH(std::vector<int>, distances);
    QFETCH(std::vector<bool>, relevant);
    QFETCH(int, k);
    QFETCH(TieRule, rule);
    QFETCH(double, expected);

    const double ap = averagePrecision(distances, relevant, k, rule);

    QVERIFY2(qAbs(ap - expected) < 1e-12,
             qPrintable(QStringLiteral("AP %1, expected %2").arg(ap, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

void TestAveragePrecision::tieAwareMatchesPermutationOracle_data()
{
    QTest::addColumn<int>("itemCount");
    QTest::addColumn<int>("distanceLevels");

    for (int itemCount = 1; itemCount <= 7; ++itemCount) {
        for (int distanceLevels : {1, 2, 3})
            QTest::addRow("%d items, %d distances", itemCount, distanceLevels) << itemCount << distanceLevels;
    }
}

void TestAveragePrecision::tieAwareMatchesPermutationOracle()
{
    QFETCH(int, itemCount);
    QFETCH(int, distanceLevels);

    // Few distance levels give large tie groups, which straddle most cutoffs.
    QRandomGenerator random(itemCount * 10 + distanceLevels);
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<int> distances(itemCount);
        std::vector<bool> relevant(itemCount);
        for (int i = 0; i < itemCount; ++i) {
            distances[i] = int(random.bounded(distanceLevels));
            relevant[i] = random.bounded(2) == 1;
        }

        for (int k = 0; k <= itemCount + 1; ++k) {
            const double expected = permutationAveragePrecision(distances, relevant, k);
            const double ap = averagePrecision(distances, relevant, k, TieRule::TieAware);
            QVERIFY2(qAbs(ap - expected) < 1e-12,
                     qPrintable(QStringLiteral("trial %1, k %2: AP %3, oracle %4")
                                    .arg(trial)
                                    .arg(k)
                                    .arg(ap, 0, 'g', 17)
                                    .arg(expected, 0, 'g', 17)));
        }
    }
}

void TestAveragePrecision::databaseIndexMatchesSortOracle()
{
    QRandomGenerator random(2024);
    for (int trial = 0; trial < 50; ++trial) {
        const int itemCount = 1 + int(random.bounded(400));
        std::vector<int> distances(itemCount);
        std::vector<bool> relevant(itemCount);
        for (int i = 0; i < itemCount; ++i) {
            distances[i] = int(random.bounded(33));
            relevant[i] = random.bounded(5) == 0;
        }
        const std::vector<int> order = stableSortOrder(distances);

        for (int k : {0, 1, 10, 50, itemCount}) {
            const double expected = fixedOrderAveragePrecision(order, relevant, k);
            const double ap = averagePrecision(distances, relevant, k, TieRule::DatabaseIndex);
            QVERIFY2(qAbs(ap - expected) < 1e-12,
                     qPrintable(QStringLiteral("trial %1, k %2: AP %3, oracle %4")
                                    .arg(trial)
                                    .arg(k)
                                    .arg(ap, 0, 'g', 17)
                                    .arg(expected, 0, 'g', 17)));
        }
    }
}

void TestAveragePrecision::rulesAgreeWithoutTies()
{
    // Distinct distances: a permutation of 0..99.
    QRandomGenerator random(5);
    std::vector<int> distances(100);
    std::iota(distances.begin(), distances.end(), 0);
    std::shuffle(distances.begin(), distances.end(), random);
    std::vector<bool> relevant(100);
    for (std::size_t i = 0; i < relevant.size(); ++i)
        relevant[i] = random.bounded(3) == 0;

    for (int k : {0, 1, 7, 50, 100}) {
        const double byIndex = averagePrecision(distances, relevant, k, TieRule::DatabaseIndex);
        const double tieAware = averagePrecision(distances, relevant, k, TieRule::TieAware);
        QVERIFY2(qAbs(byIndex - tieAware) < 1e-12, qPrintable(QStringLiteral("k %1").arg(k)));
    }
}

void TestAveragePrecision::arbitraryDistancesAreGrouped()
{
    // Negative and very large distances take the sorting path. They give the same
    // ranking and tie groups as the distances 0, 1, 2 in the same pattern, so the AP
    // must not change.
    QRandomGenerator random(11);
    std::vector<int> small(60);
    std::vector<bool> relevant(60);
    for (std::size_t i = 0; i < small.size(); ++i) {
        small[i] = int(random.bounded(3));
        relevant[i] = random.bounded(2) == 0;
    }
    const int levels[] = {-5, 7, 2000000000};
    std::vector<int> spread(small.size());
    for (std::size_t i = 0; i < small.size(); ++i)
        spread[i] = levels[small[i]];

    for (TieRule rule : {TieRule::DatabaseIndex, TieRule::TieAware}) {
        for (int k : {0, 5, 30}) {
            QCOMPARE(averagePrecision(spread, relevant, k, rule), averagePrecision(small, relevant, k, rule));
        }
    }
}

void TestAveragePrecision::largeTieGroupMatchesClosedForm_data()
{
    QTest::addColumn<int>("k");

    for (int k : {1, 50, 5000, 50000, 99999, 0})
        QTest::addRow("k %d", k) << k;
}

void TestAveragePrecision::largeTieGroupMatchesClosedForm()
{
    QFETCH(int, k);

    // n = 100000 items all at distance 0, r = 10000 of them relevant. With m = K items
    // in the top K, J of them relevant (hypergeometric), and relevant positions
    // uniform, E[AP@K | J = j] = (1/m) * (H + (j - 1) / (m - 1) * (m - H)) for j >= 1,
    // where H = sum_{i=1..m} 1/i. Summing over j needs only P(J >= 1) and
    // E[J] = m r / n:
    //   E[AP@K] = (1/m) * (H P(J >= 1) + (m - H) / (m - 1) * (E[J] - P(J >= 1))).
    // For large K the hypergeometric weights span far more than a double's range, so
    // this checks that the implementation neither overflows nor loses mass.
    const int itemCount = 100000;
    const int relevantCount = 10000;
    std::vector<int> distances(itemCount, 0);
    std::vector<bool> relevant(itemCount);
    for (int i = 0; i < itemCount; ++i)
        relevant[i] = i % 10 == 0;

    const int m = k <= 0 ? itemCount : k;
    double harmonic = 0;
    for (int i = 1; i <= m; ++i)
        harmonic += 1.0 / i;
    double probabilityNoRelevant = 1;
    for (int i = 0; i < m; ++i)
        probabilityNoRelevant *= double(itemCount - relevantCount - i) / (itemCount - i);
    const double probabilityAnyRelevant = 1 - probabilityNoRelevant;
    const double expectedRelevant = double(m) * relevantCount / itemCount;
    const double laterRanksTerm = m > 1 ? (m - harmonic) / (m - 1) * (expectedRelevant - probabilityAnyRelevant) : 0.0;
    const double expected = (harmonic * probabilityAnyRelevant + laterRanksTerm) / m;

    const double ap = averagePrecision(distances, relevant, k, TieRule::TieAware);

    QVERIFY2(qAbs(ap - expected) < 1e-9,
             qPrintable(QStringLiteral("AP %1, expected %2").arg(ap, 0, 'g', 17).arg(expected, 0, 'g', 17)));
}

void TestAveragePrecision::tieRuleNames()
{
    QCOMPARE(tieRuleName(TieRule::TieAware), QStringLiteral("tie-aware"));
    QCOMPARE(tieRuleName(TieRule::DatabaseIndex), QStringLiteral("ties by database index"));
}

QTEST_GUILESS_MAIN(TestAveragePrecision)
#include "tst_average_precision.moc"
