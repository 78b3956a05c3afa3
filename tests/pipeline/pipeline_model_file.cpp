#include "synthetic_dataset.h"

#include "pipeline/search.h"
#include "pipeline/trained_model.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace esafh;

class TestModelFile : public QObject
{
    Q_OBJECT

private:
    PreparedDataset m_prepared;
    TrainedModel m_model;
    QTemporaryDir m_folder;

    QString path(const QString &name) const { return m_folder.filePath(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_folder.isValid());
        m_prepared = test::makeClusteredDataset();

        TrainingJobSettings settings;
        settings.esafh.bits = 32;
        settings.esafh.epochs = 3;
        settings.esafh.batchSize = 16;
        Result<TrainedModel> model = trainModel(m_prepared, settings);
        QVERIFY2(model.ok(), qPrintable(model.error()));
        m_model = std::move(model).value();
    }

    void saveThenLoadGivesIdenticalCodes()
    {
        const QString file = path(QStringLiteral("model.esafh"));
        const Status saved = saveModelFile(m_model, file);
        QVERIFY2(saved.ok(), qPrintable(saved.error()));

        Result<TrainedModel> loaded = loadModelFile(file);
        QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
        QCOMPARE(loaded->databaseImageCodes, m_model.databaseImageCodes);
        QCOMPARE(loaded->databaseTextCodes, m_model.databaseTextCodes);
        QCOMPARE(loaded->databaseItems.size(), m_model.databaseItems.size());
        QCOMPARE(loaded->imageExtractor, m_model.imageExtractor);
        QCOMPARE(loaded->vocabulary.words(), m_model.vocabulary.words());
        QCOMPARE(loaded->split.query, m_model.split.query);
        QCOMPARE(loaded->scores.imageToTextAll, m_model.scores.imageToTextAll);

        // The reloaded networks encode every item exactly as the trained ones did.
        const FeatureMatrix &images = m_prepared.imageFeatures.features;
        QCOMPARE(loaded->hashModel->encodeImages(images), m_model.hashModel->encodeImages(images));
        QCOMPARE(loaded->hashModel->encodeTexts(m_prepared.textFeatures), m_model.hashModel->encodeTexts(m_prepared.textFeatures));
    }

    void loadRejectsOtherFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expectedMessage");
        QTest::newRow("not a model") << QByteArray("hello world") << QStringLiteral("is not an esafh model file");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("is not an esafh model file");
    }

    void loadRejectsOtherFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expectedMessage);

        const QString file = path(QStringLiteral("other.esafh"));
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(content);
        out.close();

        Result<TrainedModel> loaded = loadModelFile(file);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().contains(expectedMessage), qPrintable(loaded.error()));
        QVERIFY2(loaded.error().contains(file), qPrintable(loaded.error()));
    }

    void loadRejectsDamagedAndOtherVersion()
    {
        const QString file = path(QStringLiteral("damaged.esafh"));
        QVERIFY(saveModelFile(m_model, file).ok());
        QFile original(file);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = original.readAll();
        original.close();

        QByteArray truncated = bytes.left(bytes.size() / 2);
        QFile damaged(file);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write(truncated);
        damaged.close();
        Result<TrainedModel> loaded = loadModelFile(file);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().contains(QStringLiteral("damaged")), qPrintable(loaded.error()));

        // The format version is the big-endian int after the 12-byte magic.
        QByteArray otherVersion = bytes;
        otherVersion[15] = char(99);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write(otherVersion);
        damaged.close();
        loaded = loadModelFile(file);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().contains(QStringLiteral("version 99")), qPrintable(loaded.error()));
    }

    void failedSaveKeepsExistingFile()
    {
        const QString file = path(QStringLiteral("kept.esafh"));
        QVERIFY(saveModelFile(m_model, file).ok());
        QFile existing(file);
        QVERIFY(existing.open(QIODevice::ReadOnly));
        const QByteArray before = existing.readAll();
        existing.close();

        TrainedModel empty;
        QVERIFY(!saveModelFile(empty, file).ok());
        QVERIFY(existing.open(QIODevice::ReadOnly));
        QCOMPARE(existing.readAll(), before);
    }

    void missingFileNamesPath()
    {
        const QString file = path(QStringLiteral("absent.esafh"));
        Result<TrainedModel> loaded = loadModelFile(file);
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().contains(file), qPrintable(loaded.error()));
    }

    void modelSplitAdoptedBySameDataset()
    {
        PreparedDataset resplit = m_prepared;
        SplitSettings other;
        other.seed = 99;
        resplit.dataset.split = makeRandomSplit(resplit.dataset.size(), other);
        QVERIFY(resplit.dataset.split.query != m_model.split.query);

        QVERIFY(adoptModelSplit(m_model, &resplit));
        QCOMPARE(resplit.dataset.split.query, m_model.split.query);
        QCOMPARE(resplit.dataset.split.database, m_model.split.database);
    }

    void modelSplitRejectedByOtherDataset()
    {
        PreparedDataset changed = m_prepared;
        const int databaseItem = m_model.split.database.front();
        changed.dataset.items[databaseItem].captions = QStringList{QStringLiteral("another caption")};
        const std::vector<int> ownQueries = changed.dataset.split.query;

        QVERIFY(!adoptModelSplit(m_model, &changed));
        QCOMPARE(changed.dataset.split.query, ownQueries);
    }

    void searchByTextRanksAscending()
    {
        Result<SearchResult> result = searchByText(m_model, QStringLiteral("kitten"), SearchDirection::TextToImage, 10);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(int(result->hits.size()), 10);
        for (std::size_t i = 1; i < result->hits.size(); ++i) {
            QVERIFY(result->hits[i - 1].distance <= result->hits[i].distance);
            QCOMPARE(result->hits[i].rank, int(i) + 1);
        }
    }

    void searchWithUnknownWordsFails()
    {
        Result<SearchResult> result = searchByText(m_model, QStringLiteral("zebra xylophone"), SearchDirection::TextToImage, 10);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(QStringLiteral("vocabulary")), qPrintable(result.error()));
    }

    void searchNotesUnknownWords()
    {
        Result<SearchResult> result = searchByText(m_model, QStringLiteral("kitten zebra"), SearchDirection::TextToText, 5);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QVERIFY2(result->note.contains(QStringLiteral("zebra")), qPrintable(result->note));
    }

    void searchByItemFindsItselfFirst()
    {
        Result<SearchResult> result = searchByItem(m_model, 0, SearchDirection::ImageToImage, 3);
        QVERIFY2(result.ok(), qPrintable(result.error()));
        QCOMPARE(result->hits.front().distance, 0);

        QVERIFY(!searchByItem(m_model, -1, SearchDirection::ImageToText, 3).ok());
        QVERIFY(!searchByItem(m_model, int(m_model.databaseItems.size()), SearchDirection::ImageToText, 3).ok());
    }

    void searchByImageRejectsOtherExtractor()
    {
        // The synthetic model's features come from no image extractor of this program.
        Result<SearchResult> result = searchByImage(m_model, path(QStringLiteral("none.png")), SearchDirection::ImageToText, 3);
        QVERIFY(!result.ok());
        QVERIFY2(result.error().contains(QStringLiteral("synthetic-v1")), qPrintable(result.error()));
    }
};

QTEST_GUILESS_MAIN(TestModelFile)
#include "pipeline_model_file.moc"
