// ESAFH training end to end on generated clustered data.

#include "clustered_data.h"
#include "method/hash_model.h"
#include "retrieval/metrics.h"

#include <QTest>

#include <atomic>
#include <random>

using namespace esafh;
using namespace esafh::test;

namespace {

EsafhSettings fastSettings()
{
    EsafhSettings settings;
    settings.bits = 32;
    settings.epochs = 3;
    settings.imageHiddenUnits = 128;
    settings.textHiddenUnits = 128;
    settings.graphUnits = 64;
    settings.device = QStringLiteral("cpu");
    settings.threads = 1;
    return settings;
}

LabelSets labelsOf(const std::vector<int> &clusters, int first, int count)
{
    LabelSets labels;
    for (int i = first; i < first + count; ++i)
        labels.push_back({clusters[static_cast<std::size_t>(i)]});
    return labels;
}

/// Codes with independent uniform random bits.
HashCodes randomCodes(int count, int bits, std::mt19937 &generator)
{
    std::vector<float> values(static_cast<std::size_t>(count) * bits);
    for (float &value : values)
        value = (generator() & 1u) ? 1.0f : -1.0f;
    return HashCodes::fromRealValued(values.data(), count, bits);
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void learnedCodesBeatRandomCodes();
    void cancellationStopsTraining();
    void fixedWeightsStayAtPrior();
    void sameSeedGivesSameCodes();
    void invalidInputFails();
};

void TestTrainer::learnedCodesBeatRandomCodes()
{
    // 500 items in 4 clusters: the first 100 are queries, the other 400 the database
    // and training set, as in the usual unsupervised protocol.
    ClusteredDataShape shape;
    shape.items = 500;
    const ClusteredData data = makeClusteredData(shape, 2024);
    const int queries = 100;
    const int database = shape.items - queries;
    const FeatureMatrix trainingImages = rowRange(data.images, queries, database);
    const FeatureMatrix trainingTexts = rowRange(data.texts, queries, database);

    EsafhSettings settings = fastSettings();
    settings.epochs = 10;
    std::vector<EpochReport> reports;
    int batches = 0;
    TrainingCallbacks callbacks;
    callbacks.onBatch = [&](const BatchReport &) { ++batches; };
    callbacks.onEpoch = [&](const EpochReport &report) { reports.push_back(report); };
    Result<TrainingOutcome> outcome = trainEsafh(trainingImages, trainingTexts, settings, callbacks);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));
    QVERIFY(!outcome->cancelled);
    const HashModel &model = *outcome->model;

    // 400 items in batches of 32: 12 batches, the remainder joining the last one.
    QCOMPARE(batches, 10 * 12);
    QCOMPARE(static_cast<int>(reports.size()), 10);
    QCOMPARE(static_cast<int>(outcome->history.size()), 10);
    const EpochReport &last = reports.back();
    QCOMPARE(last.epoch, 10);
    QCOMPARE(last.epochCount, 10);
    for (const char *term : {"intra_image", "intra_text", "cross", "pair", "quantisation", "attention_objective"})
        QVERIFY2(last.lossTerms.count(QLatin1String(term)) == 1, term);
    QCOMPARE(last.candidateNames.size(), 3);
    QCOMPARE(static_cast<int>(last.meanAttention.size()), 3);
    QVERIFY(std::abs(last.meanAttention[0] + last.meanAttention[1] + last.meanAttention[2] - 1) < 1e-5);
    QVERIFY(last.distinctCodes > 4);
    QVERIFY(last.constantBits < settings.bits / 2);
    QVERIFY(last.seconds > 0);
    QVERIFY(reports.back().loss < reports.front().loss);

    const LabelSets queryLabels = labelsOf(data.clusters, 0, queries);
    const LabelSets databaseLabels = labelsOf(data.clusters, queries, database);
    const HashCodes queryImages = model.encodeImages(rowRange(data.images, 0, queries));
    const HashCodes queryTexts = model.encodeTexts(rowRange(data.texts, 0, queries));
    const HashCodes databaseImages = model.encodeImages(trainingImages);
    const HashCodes databaseTexts = model.encodeTexts(trainingTexts);
    const double imageToText = meanAveragePrecision(queryImages, databaseTexts, queryLabels, databaseLabels);
    const double textToImage = meanAveragePrecision(queryTexts, databaseImages, queryLabels, databaseLabels);

    std::mt19937 generator(3);
    const double randomMap = meanAveragePrecision(randomCodes(queries, settings.bits, generator),
                                                  randomCodes(database, settings.bits, generator), queryLabels,
                                                  databaseLabels);
    qInfo("mAP@all: image to text %.3f, text to image %.3f, random codes %.3f", imageToText, textToImage, randomMap);

    // Four balanced clusters give random codes an mAP of about 0.25.
    QVERIFY2(imageToText > randomMap + 0.25, qPrintable(QString::number(imageToText)));
    QVERIFY2(textToImage > randomMap + 0.25, qPrintable(QString::number(textToImage)));
}

void TestTrainer::cancellationStopsTraining()
{
    const ClusteredData data = makeClusteredData(ClusteredDataShape(), 8);
    std::atomic_bool cancel{false};
    int batches = 0;
    int epochs = 0;
    TrainingCallbacks callbacks;
    callbacks.cancel = &cancel;
    callbacks.onBatch = [&](const BatchReport &) {
        if (++batches == 3)
            cancel = true;
    };
    callbacks.onEpoch = [&](const EpochReport &) { ++epochs; };

    EsafhSettings settings = fastSettings();
    settings.epochs = 50;
    Result<TrainingOutcome> outcome = trainEsafh(data.images, data.texts, settings, callbacks);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));
    QVERIFY(outcome->cancelled);
    QCOMPARE(batches, 3);
    QCOMPARE(epochs, 0);
    QVERIFY(outcome->history.empty());

    // The model trained so far is usable.
    QVERIFY(outcome->model);
    QCOMPARE(outcome->model->encodeImages(data.images).size(), static_cast<int>(data.images.rows()));
}

void TestTrainer::fixedWeightsStayAtPrior()
{
    const ClusteredData data = makeClusteredData(ClusteredDataShape(), 9);
    EsafhSettings settings = fastSettings();
    settings.attentionFusion = false;
    settings.epochs = 2;
    Result<TrainingOutcome> outcome = trainEsafh(data.images, data.texts, settings);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));

    for (const EpochReport &report : outcome->history) {
        for (double weight : report.meanAttention)
            QVERIFY(std::abs(weight - 1.0 / 3) < 1e-6);
        QVERIFY(report.attentionSpread < 1e-6);
        QCOMPARE(report.dominantShare, 0.0);
    }
}

void TestTrainer::sameSeedGivesSameCodes()
{
    ClusteredDataShape shape;
    shape.items = 150;
    const ClusteredData data = makeClusteredData(shape, 10);
    EsafhSettings settings = fastSettings();
    settings.epochs = 2;
    settings.seed = 77;

    Result<TrainingOutcome> first = trainEsafh(data.images, data.texts, settings);
    Result<TrainingOutcome> second = trainEsafh(data.images, data.texts, settings);
    QVERIFY(first.ok() && second.ok());
    QVERIFY(first->model->encodeTexts(data.texts) == second->model->encodeTexts(data.texts));
    QCOMPARE(first->history.back().loss, second->history.back().loss);

    settings.seed = 78;
    Result<TrainingOutcome> other = trainEsafh(data.images, data.texts, settings);
    QVERIFY(other.ok());
    QVERIFY(other->history.back().loss != first->history.back().loss);
}

void TestTrainer::invalidInputFails()
{
    const ClusteredData data = makeClusteredData(ClusteredDataShape(), 12);

    const Result<TrainingOutcome> unpaired =
        trainEsafh(data.images, rowRange(data.texts, 0, 10), fastSettings());
    QVERIFY(!unpaired.ok());

    EsafhSettings badSettings = fastSettings();
    badSettings.batchSize = 1;
    const Result<TrainingOutcome> badBatch = trainEsafh(data.images, data.texts, badSettings);
    QVERIFY(!badBatch.ok());
    QVERIFY2(badBatch.error().contains(QStringLiteral("batchSize")), qPrintable(badBatch.error()));

    FeatureMatrix withNan = data.images;
    withNan(3, 2) = std::numeric_limits<float>::quiet_NaN();
    const Result<TrainingOutcome> nan = trainEsafh(withNan, data.texts, fastSettings());
    QVERIFY(!nan.ok());
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
