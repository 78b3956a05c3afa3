#include "pipeline/training_job.h"

#include "common/logging.h"
#include "features/image_extractor.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>

namespace esafh {

namespace {

bool isCancelled(const std::atomic_bool *cancel)
{
    return cancel && cancel->load();
}

void reportStage(const TrainingJobCallbacks &callbacks, const QString &stage)
{
    qCInfo(lcPipeline).noquote() << stage;
    if (callbacks.onStage)
        callbacks.onStage(stage);
}

FeatureMatrix gatherRows(const FeatureMatrix &matrix, const std::vector<int> &rows)
{
    FeatureMatrix gathered(static_cast<Eigen::Index>(rows.size()), matrix.cols());
    for (std::size_t i = 0; i < rows.size(); ++i)
        gathered.row(static_cast<Eigen::Index>(i)) = matrix.row(rows[i]);
    return gathered;
}

// Drops items whose image failed to decode from every set of the split, so that
// no zero feature row is trained on, searched or scored.
void removeFromSplit(DatasetSplit *split, const std::vector<int> &failedItems)
{
    if (failedItems.empty())
        return;
    auto keep = [&failedItems](std::vector<int> *indices) {
        indices->erase(std::remove_if(indices->begin(), indices->end(),
                                      [&failedItems](int index) {
                                          return std::binary_search(failedItems.begin(), failedItems.end(), index);
                                      }),
                       indices->end());
    };
    keep(&split->query);
    keep(&split->database);
    keep(&split->training);
    keep(&split->validation);
}

// The text of an item that is encoded: all its captions, so a COCO image with five
// captions is described by the union of their words.
QStringList itemTexts(const Dataset &dataset)
{
    QStringList texts;
    texts.reserve(dataset.size());
    for (const DatasetItem &item : dataset.items)
        texts.append(item.captions.join(QLatin1Char('\n')));
    return texts;
}

QJsonObject epochToJson(const EpochReport &report)
{
    QJsonObject terms;
    for (const auto &[name, value] : report.lossTerms)
        terms[name] = value;

    QJsonObject attention;
    for (int i = 0; i < report.candidateNames.size() && i < static_cast<int>(report.meanAttention.size()); ++i)
        attention[report.candidateNames[i]] = report.meanAttention[i];

    QJsonObject json;
    json[QStringLiteral("epoch")] = report.epoch;
    json[QStringLiteral("loss")] = report.loss;
    json[QStringLiteral("loss_terms")] = terms;
    json[QStringLiteral("mean_attention")] = attention;
    json[QStringLiteral("attention_spread")] = report.attentionSpread;
    json[QStringLiteral("dominant_share")] = report.dominantShare;
    json[QStringLiteral("constant_bits")] = report.constantBits;
    json[QStringLiteral("distinct_codes")] = report.distinctCodes;
    json[QStringLiteral("seconds")] = report.seconds;
    return json;
}

// Builds the extractor of spec. A mobilenetv2 whose package is not installed falls
// back to the hand-crafted descriptor, with a message added to messages.
Result<std::unique_ptr<ImageFeatureExtractor>> createBackbone(const BackboneSpec &spec, QStringList *messages)
{
    Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createImageFeatureExtractor(spec);
    if (extractor || spec.kind != BackboneSpec::mobileNetV2)
        return extractor;

    const QString message = QStringLiteral("Using the hand-crafted image features instead of MobileNetV2. %1").arg(extractor.error());
    qCWarning(lcPipeline).noquote() << message;
    messages->append(message);
    return createImageFeatureExtractor(BackboneSpec{});
}

} // namespace

Result<PreparedDataset> prepareDataset(const TrainingJobSettings &settings, const TrainingJobCallbacks &callbacks)
{
    reportStage(callbacks, QStringLiteral("Opening dataset %1").arg(settings.datasetPath));
    Result<Dataset> dataset = openDataset(settings.datasetPath, settings.treeOptions, settings.split);
    if (!dataset)
        return Result<PreparedDataset>::failure(dataset.error());

    PreparedDataset prepared;
    prepared.dataset = std::move(dataset).value();
    if (prepared.dataset.split.training.empty() || prepared.dataset.split.query.empty()) {
        return Result<PreparedDataset>::failure(
            QStringLiteral("Dataset %1 has %2 items, too few for a query set and a training set.")
                .arg(settings.datasetPath)
                .arg(prepared.dataset.size()));
    }

    Result<std::unique_ptr<ImageFeatureExtractor>> extractor = createBackbone(settings.backbone, &prepared.dataset.importMessages);
    if (!extractor)
        return Result<PreparedDataset>::failure(extractor.error());

    reportStage(callbacks, QStringLiteral("Extracting image features of %1 items with %2")
                               .arg(prepared.dataset.size())
                               .arg(extractor.value()->spec().displayName()));
    const ProgressCallback progress = [&callbacks](int done, int total) {
        if (callbacks.onFeatureProgress)
            callbacks.onFeatureProgress(done, total);
        return !isCancelled(callbacks.cancel);
    };
    Result<ImageFeatureSet> imageFeatures =
        extractImageFeatures(prepared.dataset, *extractor.value(), settings.featureCacheDirectory, progress);
    if (!imageFeatures)
        return Result<PreparedDataset>::failure(imageFeatures.error());
    if (imageFeatures->cancelled)
        return Result<PreparedDataset>::failure(QStringLiteral("Feature extraction cancelled."));
    prepared.imageFeatures = std::move(imageFeatures).value();

    std::vector<int> failed = prepared.imageFeatures.failedItems;
    std::sort(failed.begin(), failed.end());
    removeFromSplit(&prepared.dataset.split, failed);
    if (!failed.empty()) {
        prepared.dataset.importMessages.append(
            QStringLiteral("%1 images could not be decoded and were left out of the split.").arg(failed.size()));
    }

    reportStage(callbacks, QStringLiteral("Building the vocabulary from %1 training captions").arg(prepared.dataset.split.training.size()));
    const QStringList texts = itemTexts(prepared.dataset);
    QStringList trainingTexts;
    for (int index : prepared.dataset.split.training)
        trainingTexts.append(texts[index]);
    prepared.vocabulary = Vocabulary::build(trainingTexts, settings.vocabulary);
    prepared.textFeatures = prepared.vocabulary.encode(texts);
    prepared.emptyCaptionCount = prepared.vocabulary.countEmpty(texts);

    prepared.dataset.importMessages.append(
        QStringLiteral("%1 of %2 captions have no word of the %3-word vocabulary and are encoded as empty texts.")
            .arg(prepared.emptyCaptionCount)
            .arg(prepared.dataset.size())
            .arg(prepared.vocabulary.size()));
    for (const QString &message : prepared.dataset.importMessages)
        qCInfo(lcPipeline).noquote() << message;

    return prepared;
}

Result<TrainedModel> trainModel(const PreparedDataset &prepared, const TrainingJobSettings &settings,
                                const TrainingJobCallbacks &callbacks)
{
    const Dataset &dataset = prepared.dataset;
    const DatasetSplit &split = dataset.split;

    reportStage(callbacks, QStringLiteral("Training ESAFH at %1 bits for %2 epochs on %3 items")
                               .arg(settings.esafh.bits)
                               .arg(settings.esafh.epochs)
                               .arg(split.training.size()));
    TrainingCallbacks trainingCallbacks = callbacks.training;
    if (!trainingCallbacks.cancel)
        trainingCallbacks.cancel = callbacks.cancel;

    Result<TrainingOutcome> outcome = trainEsafh(gatherRows(prepared.imageFeatures.features, split.training),
                                                 gatherRows(prepared.textFeatures, split.training),
                                                 settings.esafh, trainingCallbacks);
    if (!outcome)
        return Result<TrainedModel>::failure(outcome.error());
    if (outcome->cancelled)
        return Result<TrainedModel>::failure(QStringLiteral("Training cancelled."));

    TrainedModel model;
    model.settings = settings.esafh;
    model.hashModel = std::move(outcome->model);
    model.vocabulary = prepared.vocabulary;
    model.imageExtractor = prepared.imageFeatures.extractorIdentity;
    model.imageBackbone = prepared.imageFeatures.backbone;
    model.datasetName = dataset.name;
    model.datasetSource = dataset.source;
    model.split = split;
    model.labelNames = dataset.labelNames;
    model.trainingSeconds = outcome->seconds;
    for (const EpochReport &report : outcome->history)
        model.history.append(epochToJson(report));

    reportStage(callbacks, QStringLiteral("Encoding %1 database items").arg(split.database.size()));
    for (int index : split.database)
        model.databaseItems.push_back(dataset.items[index]);
    model.databaseImageCodes = model.hashModel->encodeImages(gatherRows(prepared.imageFeatures.features, split.database));
    model.databaseTextCodes = model.hashModel->encodeTexts(gatherRows(prepared.textFeatures, split.database));

    reportStage(callbacks, QStringLiteral("Evaluating %1 queries").arg(split.query.size()));
    Result<RetrievalScores> scores = evaluateModel(model, prepared, settings.mapK);
    if (!scores)
        return Result<TrainedModel>::failure(scores.error());
    model.scores = scores.value();
    return model;
}

bool adoptModelSplit(const TrainedModel &model, PreparedDataset *prepared)
{
    const Dataset &dataset = prepared->dataset;
    const DatasetSplit &split = model.split;
    if (split.database.size() != model.databaseItems.size())
        return false;

    auto inRange = [&dataset](const std::vector<int> &indices) {
        return std::all_of(indices.begin(), indices.end(), [&dataset](int index) { return index >= 0 && index < dataset.size(); });
    };
    if (!inRange(split.query) || !inRange(split.database) || !inRange(split.training) || !inRange(split.validation))
        return false;

    for (std::size_t i = 0; i < split.database.size(); ++i) {
        const DatasetItem &item = dataset.items[split.database[i]];
        if (item.imagePath != model.databaseItems[i].imagePath || item.captions != model.databaseItems[i].captions)
            return false;
    }

    DatasetSplit adopted = split;
    std::vector<int> failed = prepared->imageFeatures.failedItems;
    std::sort(failed.begin(), failed.end());
    removeFromSplit(&adopted, failed);
    prepared->dataset.split = adopted;
    return true;
}

Result<RetrievalScores> evaluateModel(const TrainedModel &model, const PreparedDataset &prepared, int k, TieRule rule)
{
    if (!model.hashModel)
        return Result<RetrievalScores>::failure(QStringLiteral("No model is loaded."));
    if (model.imageExtractor != prepared.imageFeatures.extractorIdentity) {
        return Result<RetrievalScores>::failure(
            QStringLiteral("The model was trained on image features \"%1\", but the dataset's features are \"%2\".")
                .arg(model.imageExtractor, prepared.imageFeatures.extractorIdentity));
    }
    if (model.hashModel->imageDimension() != prepared.imageFeatures.features.cols()) {
        return Result<RetrievalScores>::failure(
            QStringLiteral("The model expects image features of dimension %1, the dataset has %2.")
                .arg(model.hashModel->imageDimension())
                .arg(prepared.imageFeatures.features.cols()));
    }

    const Dataset &dataset = prepared.dataset;
    const DatasetSplit &split = dataset.split;
    if (split.query.empty() || split.database.empty())
        return Result<RetrievalScores>::failure(QStringLiteral("Dataset %1 has no query or database set to evaluate on.").arg(dataset.source));

    QElapsedTimer timer;
    timer.start();

    // Texts are encoded with the model's own vocabulary, which may differ from the
    // one built for this dataset.
    const QStringList texts = itemTexts(dataset);
    QStringList queryCaptions;
    QStringList databaseCaptions;
    for (int index : split.query)
        queryCaptions.append(texts[index]);
    for (int index : split.database)
        databaseCaptions.append(texts[index]);

    const HashModel &hashModel = *model.hashModel;
    const HashCodes queryImageCodes = hashModel.encodeImages(gatherRows(prepared.imageFeatures.features, split.query));
    const HashCodes databaseImageCodes = hashModel.encodeImages(gatherRows(prepared.imageFeatures.features, split.database));
    const HashCodes queryTextCodes = hashModel.encodeTexts(model.vocabulary.encode(queryCaptions));
    const HashCodes databaseTextCodes = hashModel.encodeTexts(model.vocabulary.encode(databaseCaptions));

    RetrievalScores scores = evaluateCrossModal(queryImageCodes, queryTextCodes, databaseImageCodes, databaseTextCodes,
                                                dataset.labelsOf(split.query), dataset.labelsOf(split.database), k, rule);
    qCInfo(lcPipeline) << "Evaluated" << split.query.size() << "queries against" << split.database.size()
                       << "database items in" << timer.elapsed() << "ms";
    return scores;
}

} // namespace esafh
