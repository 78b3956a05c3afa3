#include "test_support.h"

#include "pipeline/training_job.h"
#include "retrieval/metrics.h"

#include <QTest>

#include <random>

using namespace esafh;

namespace {

HashCodes randomCodes(int count, int bits, std::mt19937_64 &random)
{
    std::normal_distribution<float> normal;
    std::vector<float> values(static_cast<std::size_t>(count) * bits);
    for (float &value : values)
        value = normal(random);
    return HashCodes::fromRealValued(values.data(), count, bits);
}

} // namespace

/// Trains briefly on real images and captions and checks that the learned codes
/// retrieve across modalities clearly better than random codes on the same split.
class TestEndToEnd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void trainedCodesBeatRandomCodes()
    {
        TrainingJobSettings settings;
        settings.datasetPath = test::tuxPaintStamps();
        if (!QDir(settings.datasetPath).exists()) {
            qInfo("Tux Paint stamps not found at %s; using MS-COCO mini", qPrintable(settings.datasetPath));
            settings.datasetPath = test::cocoMini();
        }
        ESAFH_REQUIRE_FOLDER(settings.datasetPath, QStringLiteral("Real image-caption dataset"));
        settings.featureCacheDirectory = QStringLiteral(ESAFH_TEST_FEATURE_CACHE);
        // The hand-crafted features need no download, so the test runs the same everywhere.
        settings.backbone = BackboneSpec{};
        settings.esafh.bits = 32;
        settings.esafh.epochs = 10;

        Result<PreparedDataset> prepared = prepareDataset(settings);
        QVERIFY2(prepared.ok(), qPrintable(prepared.error()));
        Result<TrainedModel> model = trainModel(prepared.value(), settings);
        QVERIFY2(model.ok(), qPrintable(model.error()));

        const DatasetSplit &split = prepared->dataset.split;
        const LabelSets queryLabels = prepared->dataset.labelsOf(split.query);
        const LabelSets databaseLabels = prepared->dataset.labelsOf(split.database);

        // Random codes on the same split and labels: the baseline to beat.
        std::mt19937_64 random(11);
        const int bits = settings.esafh.bits;
        const HashCodes randomQueries = randomCodes(int(split.query.size()), bits, random);
        const HashCodes randomDatabase = randomCodes(int(split.database.size()), bits, random);
        const double randomMap = meanAveragePrecision(randomQueries, randomDatabase, queryLabels, databaseLabels);

        const RetrievalScores &scores = model->scores;
        qInfo("mAP@all i2t %.4f, t2i %.4f; random codes %.4f", scores.imageToTextAll, scores.textToImageAll, randomMap);
        QVERIFY2(scores.imageToTextAll > randomMap + 0.03, qPrintable(QString::number(scores.imageToTextAll)));
        QVERIFY2(scores.textToImageAll > randomMap + 0.03, qPrintable(QString::number(scores.textToImageAll)));

        // The scores stored with the model are those of a fresh evaluation.
        Result<RetrievalScores> again = evaluateModel(model.value(), prepared.value(), settings.mapK);
        QVERIFY2(again.ok(), qPrintable(again.error()));
        QCOMPARE(again->imageToTextAll, scores.imageToTextAll);
        QCOMPARE(again->textToImageAtK, scores.textToImageAtK);
    }
};

QTEST_GUILESS_MAIN(TestEndToEnd)
#include "pipeline_end_to_end.moc"
