#include "matrix_ordering.h"

#include <QTest>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

using esafh::SquareMatrix;
using esafh::ui::ClusterMerge;

namespace {

SquareMatrix randomSymmetric(int n, unsigned seed)
{
    std::mt19937 generator(seed);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    SquareMatrix matrix(n, n);
    for (int row = 0; row < n; ++row) {
        matrix(row, row) = 1.0f;
        for (int column = row + 1; column < n; ++column) {
            matrix(row, column) = uniform(generator);
            matrix(column, row) = matrix(row, column);
        }
    }
    return matrix;
}

// Average linkage the plain way: repeatedly merge the two clusters with the highest
// mean similarity over all pairs of their items. O(n^3) or worse; the oracle.
std::vector<float> naiveMergeSimilarities(const SquareMatrix &similarity)
{
    const int n = static_cast<int>(similarity.rows());
    std::vector<std::vector<int>> clusters;
    for (int item = 0; item < n; ++item)
        clusters.push_back({item});

    std::vector<float> levels;
    while (clusters.size() > 1) {
        double best = -std::numeric_limits<double>::infinity();
        std::size_t bestFirst = 0;
        std::size_t bestSecond = 1;
        for (std::size_t first = 0; first < clusters.size(); ++first) {
            for (std::size_t second = first + 1; second < clusters.size(); ++second) {
                double sum = 0;
                for (int a : clusters[first])
                    for (int b : clusters[second])
                        sum += similarity(std::min(a, b), std::max(a, b));
                const double mean = sum / (clusters[first].size() * clusters[second].size());
                if (mean > best) {
                    best = mean;
                    bestFirst = first;
                    bestSecond = second;
                }
            }
        }
        levels.push_back(static_cast<float>(best));
        clusters[bestFirst].insert(clusters[bestFirst].end(), clusters[bestSecond].begin(), clusters[bestSecond].end());
        clusters.erase(clusters.begin() + static_cast<std::ptrdiff_t>(bestSecond));
    }
    return levels;
}

bool isPermutation(std::vector<int> order, int n)
{
    std::sort(order.begin(), order.end());
    std::vector<int> expected(static_cast<std::size_t>(n));
    std::iota(expected.begin(), expected.end(), 0);
    return order == expected;
}

} // namespace

class TestMatrixOrdering : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void averageLinkageMatchesNaive_data();
    void averageLinkageMatchesNaive();
    void leafOrderIsPermutation();
    void blocksBecomeContiguousClusters();
    void clusterCountIsClamped();
    void tinyMatrices();
};

void TestMatrixOrdering::averageLinkageMatchesNaive_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<unsigned>("seed");
    QTest::newRow("2 items") << 2 << 1u;
    QTest::newRow("7 items") << 7 << 2u;
    QTest::newRow("30 items") << 30 << 3u;
    QTest::newRow("60 items") << 60 << 4u;
}

// The chain algorithm makes the merges in another order, so the sorted merge
// levels are compared with those of the naive algorithm.
void TestMatrixOrdering::averageLinkageMatchesNaive()
{
    QFETCH(int, size);
    QFETCH(unsigned, seed);
    const SquareMatrix matrix = randomSymmetric(size, seed);

    const std::vector<ClusterMerge> merges = esafh::ui::averageLinkage(matrix);
    QCOMPARE(static_cast<int>(merges.size()), size - 1);

    std::vector<float> levels;
    std::vector<bool> used(static_cast<std::size_t>(2 * size - 1), false);
    for (std::size_t i = 0; i < merges.size(); ++i) {
        const ClusterMerge &merge = merges[i];
        // Each node is merged once, and only after it exists.
        QVERIFY(merge.first < size + static_cast<int>(i));
        QVERIFY(merge.second < size + static_cast<int>(i));
        QVERIFY(!used[static_cast<std::size_t>(merge.first)]);
        QVERIFY(!used[static_cast<std::size_t>(merge.second)]);
        used[static_cast<std::size_t>(merge.first)] = true;
        used[static_cast<std::size_t>(merge.second)] = true;
        levels.push_back(merge.similarity);
    }
    int mergedItems = 0;
    for (const ClusterMerge &merge : merges)
        mergedItems = std::max(mergedItems, merge.size);
    QCOMPARE(mergedItems, size);

    std::vector<float> expected = naiveMergeSimilarities(matrix);
    std::sort(levels.begin(), levels.end());
    std::sort(expected.begin(), expected.end());
    for (std::size_t i = 0; i < levels.size(); ++i)
        QVERIFY2(std::abs(levels[i] - expected[i]) < 1e-4f,
                 qPrintable(QStringLiteral("merge %1: %2 instead of %3").arg(i).arg(levels[i]).arg(expected[i])));
}

void TestMatrixOrdering::leafOrderIsPermutation()
{
    const SquareMatrix matrix = randomSymmetric(50, 9);
    const std::vector<int> order = esafh::ui::dendrogramLeafOrder(esafh::ui::averageLinkage(matrix), 50);
    QCOMPARE(order.size(), std::size_t(50));
    QVERIFY(isPermutation(order, 50));
}

// Three groups of items, shuffled, with high similarity inside a group and low
// across: the order brings each group together and the cut finds the groups.
void TestMatrixOrdering::blocksBecomeContiguousClusters()
{
    const int n = 45;
    std::vector<int> groupOf(n);
    for (int item = 0; item < n; ++item)
        groupOf[static_cast<std::size_t>(item)] = item % 3;
    std::mt19937 generator(11);
    std::shuffle(groupOf.begin(), groupOf.end(), generator);
    std::uniform_real_distribution<float> noise(-0.05f, 0.05f);

    SquareMatrix matrix(n, n);
    for (int row = 0; row < n; ++row) {
        for (int column = row; column < n; ++column) {
            const bool sameGroup = groupOf[static_cast<std::size_t>(row)] == groupOf[static_cast<std::size_t>(column)];
            const float value = row == column ? 1.0f : (sameGroup ? 0.8f : 0.1f) + noise(generator);
            matrix(row, column) = value;
            matrix(column, row) = value;
        }
    }

    const esafh::ui::ClusterOrdering ordering = esafh::ui::clusterOrdering(matrix, 3);
    QVERIFY(isPermutation(ordering.order, n));
    QCOMPARE(ordering.groupStarts, (std::vector<int>{0, 15, 30}));
    for (int cluster = 0; cluster < 3; ++cluster) {
        std::set<int> groups;
        for (int position = cluster * 15; position < (cluster + 1) * 15; ++position)
            groups.insert(groupOf[static_cast<std::size_t>(ordering.order[static_cast<std::size_t>(position)])]);
        QCOMPARE(groups.size(), std::size_t(1));
    }
}

void TestMatrixOrdering::clusterCountIsClamped()
{
    const SquareMatrix matrix = randomSymmetric(12, 5);
    QCOMPARE(esafh::ui::clusterOrdering(matrix, 0).groupStarts, std::vector<int>{0});
    QCOMPARE(esafh::ui::clusterOrdering(matrix, 1).groupStarts, std::vector<int>{0});
    std::vector<int> everyItem(12);
    std::iota(everyItem.begin(), everyItem.end(), 0);
    QCOMPARE(esafh::ui::clusterOrdering(matrix, 40).groupStarts, everyItem);

    // Any cut gives runs of positions: a cluster never comes back after another.
    for (int clusters = 2; clusters < 12; ++clusters)
        QCOMPARE(static_cast<int>(esafh::ui::clusterOrdering(matrix, clusters).groupStarts.size()), clusters);
}

void TestMatrixOrdering::tinyMatrices()
{
    QVERIFY(esafh::ui::averageLinkage(SquareMatrix(0, 0)).empty());
    QVERIFY(esafh::ui::clusterOrdering(SquareMatrix(0, 0), 3).order.empty());

    SquareMatrix single(1, 1);
    single(0, 0) = 1.0f;
    const esafh::ui::ClusterOrdering ordering = esafh::ui::clusterOrdering(single, 3);
    QCOMPARE(ordering.order, std::vector<int>{0});
    QCOMPARE(ordering.groupStarts, std::vector<int>{0});
}

QTEST_APPLESS_MAIN(TestMatrixOrdering)
#include "tst_matrix_ordering.moc"
