// ESAFH training end to end on generated clustered data.

#include "clustered_data.h"
#include "method/hash_model.h"
#include "retrieval/metrics.h"

#include <QJsonObject>
#include <QTest>

#include <QElapsedTimer>

#include <atomic>
#include <random>
#include <thread>

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

/// mAP@all of image-to-text and text-to-image retrieval with 100 queries, the rest
/// being the database and training set.
struct Retrieval
{
    double imageToText = 0;
    double textToImage = 0;
};

Retrieval retrievalOf(const HashModel &model, const ClusteredData &data, int queries)
{
    const int database = static_cast<int>(data.images.rows()) - queries;
    LabelSets queryLabels, databaseLabels;
    for (int i = 0; i < queries; ++i)
        queryLabels.push_back({data.clusters[static_cast<std::size_t>(i)]});
    for (int i = queries; i < queries + database; ++i)
        databaseLabels.push_back({data.clusters[static_cast<std::size_t>(i)]});
    Retrieval retrieval;
    retrieval.imageToText = meanAveragePrecision(model.encodeImages(rowRange(data.images, 0, queries)),
                                                 model.encodeTexts(rowRange(data.texts, queries, database)),
                                                 queryLabels, databaseLabels);
    retrieval.textToImage = meanAveragePrecision(model.encodeTexts(rowRange(data.texts, 0, queries)),
                                                 model.encodeImages(rowRange(data.images, queries, database)),
                                                 queryLabels, databaseLabels);
    return retrieval;
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
    void anchorsLearn_data();
    void anchorsLearn();
    void ablationsTrain_data();
    void ablationsTrain();
    void itemAttentionOnlyInLastEpoch();
    void validationKeepsBestEpoch();
    void pauseWaitsAndHonoursCancel();
    void resumeEqualsUninterrupted_data();
    void resumeEqualsUninterrupted();
    void damagedCheckpointFails();
    void mismatchedCheckpointFails();
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

void TestTrainer::anchorsLearn_data()
{
    QTest::addColumn<QString>("method");
    for (const QString &method : EsafhSettings::methodNames())
        QTest::newRow(qPrintable(method)) << method;
}

void TestTrainer::anchorsLearn()
{
    QFETCH(QString, method);
    ClusteredDataShape shape;
    shape.items = 500;
    const ClusteredData data = makeClusteredData(shape, 2024);
    const int queries = 100;

    EsafhSettings settings = EsafhSettings::forMethod(method).value();
    const EsafhSettings fast = fastSettings();
    settings.bits = fast.bits;
    settings.epochs = 10;
    settings.imageHiddenUnits = fast.imageHiddenUnits;
    settings.textHiddenUnits = fast.textHiddenUnits;
    settings.graphUnits = fast.graphUnits;
    settings.device = fast.device;
    settings.threads = fast.threads;
    Result<TrainingOutcome> outcome = trainEsafh(rowRange(data.images, queries, shape.items - queries),
                                                 rowRange(data.texts, queries, shape.items - queries), settings);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));
    QCOMPARE(outcome->bestEpoch, 10);

    // The anchors' weights are fixed and reported as such.
    const EpochReport &last = outcome->history.back();
    QCOMPARE(last.candidateNames.size(), method == QLatin1String("jdsh") || method == QLatin1String("esafh") ? 3 : 2);
    if (method == QLatin1String("djsrh"))
        QVERIFY(std::abs(last.meanAttention[0] - 0.9) < 1e-6);

    // Four balanced clusters give random codes an mAP of about 0.26. The other methods
    // reach about 0.75 after 10 epochs. DJSRH reaches only about 0.40, because it puts
    // 0.9 of its target on S_I, which the image noise makes weak here.
    const Retrieval retrieval = retrievalOf(*outcome->model, data, queries);
    qInfo("%s mAP@all: image to text %.3f, text to image %.3f", qPrintable(method), retrieval.imageToText,
          retrieval.textToImage);
    QVERIFY2(retrieval.imageToText > 0.35, qPrintable(QString::number(retrieval.imageToText)));
    QVERIFY2(retrieval.textToImage > 0.35, qPrintable(QString::number(retrieval.textToImage)));
}

void TestTrainer::ablationsTrain_data()
{
    QTest::addColumn<QString>("setting");
    QTest::newRow("neighbourEnrichment") << QStringLiteral("neighbourEnrichment");
    QTest::newRow("learnedTextEncoder") << QStringLiteral("learnedTextEncoder");
    QTest::newRow("crossModalTerm") << QStringLiteral("crossModalTerm");
    QTest::newRow("fixedFusionWeights") << QStringLiteral("fixedFusionWeights");
}

void TestTrainer::ablationsTrain()
{
    QFETCH(QString, setting);
    const ClusteredData data = makeClusteredData(ClusteredDataShape(), 21);
    QJsonObject json = fastSettings().toJson();
    json[setting] = !json.value(setting).toBool();
    json[QStringLiteral("epochs")] = 2;
    const EsafhSettings settings = EsafhSettings::fromJson(json).value();

    Result<TrainingOutcome> outcome = trainEsafh(data.images, data.texts, settings);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));
    const HashCodes codes = outcome->model->encodeTexts(data.texts);
    QCOMPARE(codes.size(), static_cast<int>(data.texts.rows()));

    // The network shape follows the settings, and a saved model loads with them.
    const QByteArray state = outcome->model->saveState();
    Result<std::unique_ptr<HashModel>> loaded = HashModel::loadState(state, settings);
    QVERIFY2(loaded.ok(), qPrintable(loaded.error()));
    QVERIFY(loaded.value()->encodeTexts(data.texts) == codes);
    if (setting == QLatin1String("learnedTextEncoder")) {
        const Result<std::unique_ptr<HashModel>> withGraph = HashModel::loadState(state, fastSettings());
        QVERIFY(!withGraph.ok());
        QVERIFY2(withGraph.error().contains(QStringLiteral("text/")), qPrintable(withGraph.error()));
    }
}

void TestTrainer::itemAttentionOnlyInLastEpoch()
{
    const ClusteredData data = makeClusteredData(ClusteredDataShape(), 13);
    EsafhSettings settings = fastSettings();
    settings.epochs = 3;
    std::vector<FeatureMatrix> received;
    TrainingCallbacks callbacks;
    callbacks.onEpoch = [&](const EpochReport &report) { received.push_back(report.itemAttention); };
    Result<TrainingOutcome> outcome = trainEsafh(data.images, data.texts, settings, callbacks);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));

    QCOMPARE(static_cast<int>(received.size()), 3);
    for (const FeatureMatrix &weights : received) {
        QCOMPARE(static_cast<int>(weights.rows()), static_cast<int>(data.images.rows()));
        QCOMPARE(static_cast<int>(weights.cols()), 3);
        for (int i = 0; i < weights.rows(); ++i)
            QVERIFY(std::abs(weights.row(i).sum() - 1.0f) < 1e-5f);
    }
    QCOMPARE(outcome->history[0].itemAttention.size(), 0);
    QCOMPARE(outcome->history[1].itemAttention.size(), 0);
    QVERIFY(outcome->history[2].itemAttention == received[2]);
}

void TestTrainer::validationKeepsBestEpoch()
{
    const ClusteredData data = makeClusteredData(ClusteredDataShape(), 14);
    EsafhSettings settings = fastSettings();
    settings.epochs = 4;

    // Scores rise to epoch 2 and fall after it; the codes of each epoch's model are kept.
    const std::vector<double> scores = {0.3, 0.8, 0.5, 0.4};
    std::vector<HashCodes> codes;
    TrainingCallbacks callbacks;
    callbacks.validate = [&](const HashModel &model) {
        codes.push_back(model.encodeImages(data.images));
        return scores[codes.size() - 1];
    };
    Result<TrainingOutcome> outcome = trainEsafh(data.images, data.texts, settings, callbacks);
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));

    QCOMPARE(outcome->bestEpoch, 2);
    QCOMPARE(static_cast<int>(outcome->history.size()), 4);
    for (int e = 0; e < 4; ++e)
        QCOMPARE(outcome->history[static_cast<std::size_t>(e)].validationScore, scores[static_cast<std::size_t>(e)]);
    QVERIFY(outcome->model->encodeImages(data.images) == codes[1]);
    QVERIFY(!(codes[1] == codes[3]));

    // Without the hook the score is NaN and the model is the last epoch's.
    Result<TrainingOutcome> plain = trainEsafh(data.images, data.texts, settings);
    QVERIFY(plain.ok());
    QCOMPARE(plain->bestEpoch, 4);
    QVERIFY(std::isnan(plain->history.back().validationScore));
}

void TestTrainer::pauseWaitsAndHonoursCancel()
{
    const ClusteredData data = makeClusteredData(ClusteredDataShape(), 15);
    std::atomic_bool pause{false};
    std::atomic_bool cancel{false};
    std::atomic_int batches{0};
    TrainingCallbacks callbacks;
    callbacks.pause = &pause;
    callbacks.cancel = &cancel;
    callbacks.onBatch = [&](const BatchReport &) {
        if (++batches == 2)
            pause = true;
    };

    EsafhSettings settings = fastSettings();
    settings.epochs = 50;
    Result<TrainingOutcome> outcome = Result<TrainingOutcome>::failure(QString());
    std::thread training([&] { outcome = trainEsafh(data.images, data.texts, settings, callbacks); });

    // While paused, no batch runs; cancel ends the wait.
    QTRY_COMPARE_WITH_TIMEOUT(batches.load(), 2, 60000);
    QTest::qWait(300);
    QCOMPARE(batches.load(), 2);
    cancel = true;
    training.join();
    QVERIFY2(outcome.ok(), qPrintable(outcome.error()));
    QVERIFY(outcome->cancelled);
    QCOMPARE(batches.load(), 2);
}

void TestTrainer::resumeEqualsUninterrupted_data()
{
    QTest::addColumn<QString>("method");
    QTest::newRow("esafh") << QStringLiteral("esafh");
    QTest::newRow("dgcpn") << QStringLiteral("dgcpn");
}

void TestTrainer::resumeEqualsUninterrupted()
{
    QFETCH(QString, method);
    ClusteredDataShape shape;
    shape.items = 150;
    const ClusteredData data = makeClusteredData(shape, 16);
    EsafhSettings settings = fastSettings();
    settings.method = method;
    settings.epochs = 4;
    settings.dropout = 0.2; // exercises LibTorch's generator, which the checkpoint restores

    Result<TrainingOutcome> uninterrupted = trainEsafh(data.images, data.texts, settings);
    QVERIFY2(uninterrupted.ok(), qPrintable(uninterrupted.error()));

    settings.epochs = 2;
    std::vector<QByteArray> checkpoints;
    TrainingCallbacks saving;
    saving.onCheckpoint = [&](const QByteArray &checkpoint) { checkpoints.push_back(checkpoint); };
    Result<TrainingOutcome> firstHalf = trainEsafh(data.images, data.texts, settings, saving);
    QVERIFY2(firstHalf.ok(), qPrintable(firstHalf.error()));
    QCOMPARE(static_cast<int>(checkpoints.size()), 2);

    settings.epochs = 4;
    int resumedEpochs = 0;
    TrainingCallbacks counting;
    counting.onEpoch = [&](const EpochReport &) { ++resumedEpochs; };
    Result<TrainingOutcome> resumed = trainEsafh(data.images, data.texts, settings, counting, checkpoints.back());
    QVERIFY2(resumed.ok(), qPrintable(resumed.error()));

    QCOMPARE(resumedEpochs, 2);
    QCOMPARE(static_cast<int>(resumed->history.size()), 4);
    QCOMPARE(resumed->history[1].loss, uninterrupted->history[1].loss);
    QCOMPARE(resumed->history[3].loss, uninterrupted->history[3].loss);
    QCOMPARE(resumed->bestEpoch, 4);
    QVERIFY(resumed->model->encodeImages(data.images) == uninterrupted->model->encodeImages(data.images));
    QVERIFY(resumed->model->encodeTexts(data.texts) == uninterrupted->model->encodeTexts(data.texts));
}

void TestTrainer::damagedCheckpointFails()
{
    ClusteredDataShape shape;
    shape.items = 120;
    const ClusteredData data = makeClusteredData(shape, 17);
    EsafhSettings settings = fastSettings();
    settings.epochs = 1;
    QByteArray checkpoint;
    TrainingCallbacks saving;
    saving.onCheckpoint = [&](const QByteArray &bytes) { checkpoint = bytes; };
    QVERIFY(trainEsafh(data.images, data.texts, settings, saving).ok());
    QVERIFY(!checkpoint.isEmpty());
    settings.epochs = 2;

    QByteArray damaged = checkpoint;
    damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x40);
    const Result<TrainingOutcome> fromDamaged = trainEsafh(data.images, data.texts, settings, {}, damaged);
    QVERIFY(!fromDamaged.ok());
    QVERIFY2(fromDamaged.error().contains(QStringLiteral("checksum")), qPrintable(fromDamaged.error()));

    const Result<TrainingOutcome> fromTruncated =
        trainEsafh(data.images, data.texts, settings, {}, checkpoint.left(20));
    QVERIFY(!fromTruncated.ok());
    QVERIFY2(fromTruncated.error().contains(QStringLiteral("not an ESAFH training checkpoint")),
             qPrintable(fromTruncated.error()));

    QByteArray otherVersion = checkpoint;
    otherVersion[18] = 7;
    const Result<TrainingOutcome> fromOtherVersion = trainEsafh(data.images, data.texts, settings, {}, otherVersion);
    QVERIFY(!fromOtherVersion.ok());
    QVERIFY2(fromOtherVersion.error().contains(QStringLiteral("version")), qPrintable(fromOtherVersion.error()));
}

void TestTrainer::mismatchedCheckpointFails()
{
    ClusteredDataShape shape;
    shape.items = 120;
    const ClusteredData data = makeClusteredData(shape, 18);
    EsafhSettings settings = fastSettings();
    settings.epochs = 1;
    QByteArray checkpoint;
    TrainingCallbacks saving;
    saving.onCheckpoint = [&](const QByteArray &bytes) { checkpoint = bytes; };
    QVERIFY(trainEsafh(data.images, data.texts, settings, saving).ok());
    settings.epochs = 2;

    EsafhSettings otherBits = settings;
    otherBits.bits = 16;
    const Result<TrainingOutcome> withOtherBits = trainEsafh(data.images, data.texts, otherBits, {}, checkpoint);
    QVERIFY(!withOtherBits.ok());
    QVERIFY2(withOtherBits.error().contains(QStringLiteral("\"bits\" = 32")), qPrintable(withOtherBits.error()));

    FeatureMatrix otherImages = data.images;
    otherImages(0, 0) += 1.0f;
    const Result<TrainingOutcome> withOtherFeatures = trainEsafh(otherImages, data.texts, settings, {}, checkpoint);
    QVERIFY(!withOtherFeatures.ok());
    QVERIFY2(withOtherFeatures.error().contains(QStringLiteral("other training features")),
             qPrintable(withOtherFeatures.error()));

    EsafhSettings otherMethod = settings;
    otherMethod.method = QStringLiteral("djsrh");
    const Result<TrainingOutcome> withOtherMethod = trainEsafh(data.images, data.texts, otherMethod, {}, checkpoint);
    QVERIFY(!withOtherMethod.ok());
    QVERIFY2(withOtherMethod.error().contains(QStringLiteral("\"method\"")), qPrintable(withOtherMethod.error()));
}

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
