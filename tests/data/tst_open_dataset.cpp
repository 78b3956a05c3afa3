#include "data/dataset_io.h"
#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace esafh;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    if (!QDir().mkpath(QFileInfo(path).path()))
        return false;
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

} // namespace

/// Picks the loader from the path and draws a split for datasets that have none.
class TestOpenDataset : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missingPath_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");

        QTest::newRow("empty path") << QString() << "No dataset path given";
        QTest::newRow("missing path") << "/no/such/dataset" << "Dataset not found: /no/such/dataset";
    }

    void missingPath()
    {
        QFETCH(QString, path);
        QFETCH(QString, message);

        const Result<Dataset> dataset = openDataset(path);
        QVERIFY(!dataset.ok());
        QVERIFY2(dataset.error().startsWith(message), qPrintable(dataset.error()));
    }

    void imageTreeGetsSplit()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        for (int i = 0; i < 10; ++i)
            QVERIFY(writeFile(folder.filePath(QStringLiteral("shapes/%1.png").arg(i)), "image"));

        SplitSettings settings;
        settings.seed = 7;
        settings.queryCount = 3;
        const Result<Dataset> dataset = openDataset(folder.path(), {}, settings);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
        QCOMPARE(dataset->format, QStringLiteral("tuxpaint"));
        QCOMPARE(dataset->split.seed, quint64(7));
        QCOMPARE(dataset->split.query.size(), size_t(3));
        QCOMPARE(dataset->split.database.size(), size_t(7));
        QCOMPARE(dataset->split.query, makeRandomSplit(10, settings).query);
    }

    void treeOptionsPassed()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        QVERIFY(writeFile(folder.filePath("animals/birds/owl.png"), "image"));

        TuxPaintOptions options;
        options.labelDepth = 2;
        const Result<Dataset> dataset = openDataset(folder.path(), options);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
        QCOMPARE(dataset->labelNames, QStringList{"animals/birds"});
    }

    void cocoFolder()
    {
        const QString root = test::cocoMini();
        ESAFH_REQUIRE_FOLDER(root, QStringLiteral("coco-mini"));

        const Result<Dataset> dataset = openDataset(root);
        QVERIFY2(dataset.ok(), qPrintable(dataset.error()));
        QCOMPARE(dataset->format, QStringLiteral("coco"));
        QCOMPARE(dataset->size(), 80);
        QCOMPARE(dataset->split.query.size() + dataset->split.database.size(), size_t(80));
    }

    void datasetFileKeepsSplit()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        Dataset dataset;
        dataset.name = QStringLiteral("three");
        dataset.items.resize(3);
        dataset.split.seed = 99;
        dataset.split.query = {2};
        dataset.split.database = {0, 1};
        const QString path = folder.filePath("three.json");
        QVERIFY(saveDatasetFile(dataset, path).ok());

        const Result<Dataset> opened = openDataset(path);
        QVERIFY2(opened.ok(), qPrintable(opened.error()));
        QCOMPARE(opened->format, QStringLiteral("dataset-file"));
        QCOMPARE(opened->split.seed, quint64(99));
        QCOMPARE(opened->split.query, std::vector<int>{2});
        QCOMPARE(opened->split.database, (std::vector<int>{0, 1}));
    }

    void datasetFileWithoutSplit()
    {
        QTemporaryDir folder;
        QVERIFY(folder.isValid());
        Dataset dataset;
        dataset.name = QStringLiteral("ten");
        dataset.items.resize(10);
        const QString path = folder.filePath("ten.json");
        QVERIFY(saveDatasetFile(dataset, path).ok());

        SplitSettings settings;
        settings.seed = 3;
        const Result<Dataset> opened = openDataset(path, {}, settings);
        QVERIFY2(opened.ok(), qPrintable(opened.error()));
        QCOMPARE(opened->split.seed, quint64(3));
        QCOMPARE(opened->split.query.size(), size_t(2));
        QCOMPARE(opened->split.database.size(), size_t(8));
    }
};

QTEST_GUILESS_MAIN(TestOpenDataset)
#include "tst_open_dataset.moc"
