#include "data/dataset.h"

#include <QTest>

using namespace esafh;

/// Per-item lookups of a dataset by index list.
class TestDataset : public QObject
{
    Q_OBJECT

private:
    static Dataset sample()
    {
        Dataset dataset;
        dataset.labelNames = {"a", "b", "c"};
        dataset.items = {{"/0.png", {"Zero.", "Null."}, {0}},
                         {"/1.png", {}, {1, 2}},
                         {"/2.png", {"Two."}, {}}};
        return dataset;
    }

private Q_SLOTS:
    void labelsOfFollowsIndexOrder()
    {
        const Dataset dataset = sample();
        const std::vector<std::vector<int>> labels = dataset.labelsOf({2, 0, 1});
        QCOMPARE(labels.size(), size_t(3));
        QVERIFY(labels[0].empty());
        QCOMPARE(labels[1], std::vector<int>{0});
        QCOMPARE(labels[2], (std::vector<int>{1, 2}));
        QVERIFY(dataset.labelsOf({}).empty());
    }

    void captionsOfTakesFirstCaption()
    {
        const Dataset dataset = sample();
        QCOMPARE(dataset.captionsOf({0, 1, 2}), (QStringList{"Zero.", QString(), "Two."}));
        QCOMPARE(dataset.captionsOf({1}), QStringList{QString()});
        QVERIFY(dataset.captionsOf({}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestDataset)
#include "tst_dataset.moc"
