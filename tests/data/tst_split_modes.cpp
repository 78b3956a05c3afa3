#include "data/dataset_io.h"

#include <QTest>

#include <algorithm>
#include <random>
#include <set>

using namespace esafh;

namespace {

// Labels of `count` items: item i has label i % labelCount. Every fifth item also
// has the next label, and every seventh item has no label at all.
std::vector<std::vector<int>> makeLabels(int count, int labelCount)
{
    std::vector<std::vector<int>> labels(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        if (i % 7 == 6)
            continue;
        labels[i].push_back(i % labelCount);
        if (i % 5 == 0 && labelCount > 1)
            labels[i].push_back((i + 1) % labelCount);
        std::sort(labels[i].begin(), labels[i].end());
    }
    return labels;
}

std::set<int> asSet(const std::vector<int> &items)
{
    return {items.begin(), items.end()};
}

// The per-label sampling written out directly: for each label, walk the candidates
// and take untaken items with that label.
std::vector<int> sampleOracle(const std::vector<int> &candidates, const std::vector<std::vector<int>> &labels,
                              int labelCount, int perLabel, size_t limit)
{
    std::vector<int> taken;
    for (int label = 0; label < labelCount; ++label) {
        int count = 0;
        for (int item : candidates) {
            if (count == perLabel || taken.size() == limit)
                break;
            const bool has = std::find(labels[item].begin(), labels[item].end(), label) != labels[item].end();
            if (has && std::find(taken.begin(), taken.end(), item) == taken.end()) {
                taken.push_back(item);
                ++count;
            }
        }
    }
    return taken;
}

} // namespace

/// Per-label splits and validation sets: sizes per label, the structure of the sets,
/// and that validation items never come from the queries.
class TestSplitModes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void perLabelMatchesOracle_data()
    {
        QTest::addColumn<int>("itemCount");
        QTest::addColumn<int>("labelCount");
        QTest::addColumn<int>("queriesPerLabel");
        QTest::addColumn<int>("trainingPerLabel");
        QTest::addColumn<int>("maxTraining");

        QTest::newRow("small counts") << 200 << 4 << 5 << 20 << 10000;
        QTest::newRow("training cap") << 200 << 4 << 5 << 40 << 50;
        QTest::newRow("labels run out") << 40 << 3 << 30 << 30 << 10000;
        QTest::newRow("one label") << 30 << 1 << 3 << 10 << 10000;
    }

    void perLabelMatchesOracle()
    {
        QFETCH(int, itemCount);
        QFETCH(int, labelCount);
        QFETCH(int, queriesPerLabel);
        QFETCH(int, trainingPerLabel);
        QFETCH(int, maxTraining);

        const std::vector<std::vector<int>> labels = makeLabels(itemCount, labelCount);
        SplitSettings settings;
        settings.mode = SplitMode::PerLabel;
        settings.seed = 11;
        settings.queriesPerLabel = queriesPerLabel;
        settings.trainingPerLabel = trainingPerLabel;
        settings.maxTrainingCount = maxTraining;
        const DatasetSplit split = makePerLabelSplit(labels, labelCount, settings);

        // The permutation is the random split's, whose queries come first.
        SplitSettings allQueries;
        allQueries.seed = settings.seed;
        allQueries.queryCount = itemCount - 1;
        allQueries.maxQueryCount = itemCount;
        const DatasetSplit permuted = makeRandomSplit(itemCount, allQueries);
        std::vector<int> order = permuted.query;
        order.push_back(permuted.database.front());

        const std::vector<int> expectedQueries = sampleOracle(order, labels, labelCount, queriesPerLabel, size_t(itemCount - 1));
        QCOMPARE(split.query, expectedQueries);

        std::vector<int> expectedDatabase;
        for (int item : order) {
            if (std::find(expectedQueries.begin(), expectedQueries.end(), item) == expectedQueries.end())
                expectedDatabase.push_back(item);
        }
        QCOMPARE(split.database, expectedDatabase);
        QCOMPARE(split.training, sampleOracle(expectedDatabase, labels, labelCount, trainingPerLabel, size_t(maxTraining)));
        QVERIFY(split.validation.empty());
    }

    void perLabelSetsAreApart()
    {
        const std::vector<std::vector<int>> labels = makeLabels(300, 5);
        SplitSettings settings;
        settings.mode = SplitMode::PerLabel;
        settings.queriesPerLabel = 10;
        settings.trainingPerLabel = 30;
        const DatasetSplit split = makePerLabelSplit(labels, 5, settings);

        QCOMPARE(split.query.size() + split.database.size(), size_t(300));
        const std::set<int> queries = asSet(split.query);
        const std::set<int> database = asSet(split.database);
        QCOMPARE(queries.size(), split.query.size());
        for (int item : split.query) {
            QVERIFY(!database.count(item));
            QVERIFY(!labels[item].empty());
        }
        for (int item : split.training) {
            QVERIFY(database.count(item));
            QVERIFY(!labels[item].empty());
        }
        // Each label has at most queriesPerLabel queries taken for it, and at least that
        // many carry it, since every label has enough items here.
        for (int label = 0; label < 5; ++label) {
            const auto carrying = std::count_if(split.query.begin(), split.query.end(), [&](int item) {
                return std::binary_search(labels[item].begin(), labels[item].end(), label);
            });
            QVERIFY2(carrying >= 10, qPrintable(QStringLiteral("label %1 has %2 queries").arg(label).arg(carrying)));
        }
        QCOMPARE(split.query.size(), size_t(50));
        QCOMPARE(split.training.size(), size_t(150));
    }

    void perLabelIsSeeded()
    {
        const std::vector<std::vector<int>> labels = makeLabels(100, 3);
        SplitSettings settings;
        settings.mode = SplitMode::PerLabel;
        settings.queriesPerLabel = 4;
        settings.trainingPerLabel = 10;
        const DatasetSplit first = makePerLabelSplit(labels, 3, settings);
        QCOMPARE(makePerLabelSplit(labels, 3, settings).query, first.query);
        settings.seed = 2;
        QVERIFY(makePerLabelSplit(labels, 3, settings).query != first.query);
    }

    void perLabelKeepsDatabaseItem()
    {
        const std::vector<std::vector<int>> labels = {{0}, {0}, {0}};
        SplitSettings settings;
        settings.mode = SplitMode::PerLabel;
        settings.queriesPerLabel = 10;
        const DatasetSplit split = makePerLabelSplit(labels, 1, settings);
        QCOMPARE(split.query.size(), size_t(2));
        QCOMPARE(split.database.size(), size_t(1));
    }

    void validationNeverTouchesQueries_data()
    {
        QTest::addColumn<int>("maxTraining");
        QTest::addColumn<int>("validationCount");

        QTest::newRow("training is the database") << 10000 << 30;
        QTest::newRow("database has spare items") << 50 << 30;
        QTest::newRow("more than the spare items") << 150 << 40;
        QTest::newRow("more than the database") << 10000 << 5000;
    }

    void validationNeverTouchesQueries()
    {
        QFETCH(int, maxTraining);
        QFETCH(int, validationCount);

        SplitSettings settings;
        settings.maxTrainingCount = maxTraining;
        DatasetSplit split = makeRandomSplit(200, settings);
        const std::set<int> queries = asSet(split.query);
        const std::set<int> database = asSet(split.database);
        const std::set<int> trainingBefore = asSet(split.training);
        const size_t spare = split.database.size() - split.training.size();

        const int drawn = drawValidationSet(&split, validationCount, settings.seed);
        QCOMPARE(drawn, int(split.validation.size()));
        QCOMPARE(asSet(split.validation).size(), split.validation.size());
        QVERIFY(!split.training.empty());

        const std::set<int> training = asSet(split.training);
        int takenFromTraining = 0;
        for (int item : split.validation) {
            QVERIFY2(!queries.count(item), qPrintable(QStringLiteral("validation item %1 is a query").arg(item)));
            QVERIFY(database.count(item));
            QVERIFY(!training.count(item));
            takenFromTraining += trainingBefore.count(item) ? 1 : 0;
        }
        // Spare database items go first, training items only when they run out.
        QCOMPARE(size_t(takenFromTraining), split.validation.size() > spare ? split.validation.size() - spare : size_t(0));
        QCOMPARE(split.training.size() + size_t(takenFromTraining), trainingBefore.size());
        const size_t expected = std::min<size_t>(size_t(validationCount), split.database.size() - 1);
        QCOMPARE(split.validation.size(), expected);
    }

    void zeroValidationDrawsNothing()
    {
        DatasetSplit split = makeRandomSplit(50, SplitSettings{});
        const std::vector<int> training = split.training;
        QCOMPARE(drawValidationSet(&split, 0, 1), 0);
        QVERIFY(split.validation.empty());
        QCOMPARE(split.training, training);
    }

    void drawSplitUsesMode()
    {
        Dataset dataset;
        dataset.labelNames = {QStringLiteral("a"), QStringLiteral("b")};
        for (int i = 0; i < 60; ++i) {
            DatasetItem item;
            item.labels = {i % 2};
            dataset.items.push_back(item);
        }
        SplitSettings settings;
        settings.mode = SplitMode::PerLabel;
        settings.queriesPerLabel = 3;
        settings.trainingPerLabel = 10;
        settings.validationCount = 5;
        const DatasetSplit split = drawSplit(dataset, settings);
        QCOMPARE(split.query.size(), size_t(6));
        QCOMPARE(split.validation.size(), size_t(5));
        // 20 training items leave 34 spare database items, so validation takes none of them.
        QCOMPARE(split.training.size(), size_t(20));
    }

    void splitModeNames()
    {
        SplitMode mode = SplitMode::Random;
        QVERIFY(parseSplitMode(QStringLiteral("per-label"), &mode));
        QCOMPARE(mode, SplitMode::PerLabel);
        QCOMPARE(splitModeName(mode), QStringLiteral("per-label"));
        QVERIFY(parseSplitMode(QStringLiteral("random"), &mode));
        QCOMPARE(mode, SplitMode::Random);
        QVERIFY(!parseSplitMode(QStringLiteral("stratified"), &mode));
    }
};

QTEST_GUILESS_MAIN(TestSplitModes)
#include "tst_split_modes.moc"
