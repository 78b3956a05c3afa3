#include "pipeline/training_job.h"

#include "pipeline/prepared_rows.h"

#include "common/logging.h"
#include "data/dataset_io.h"
#include "data/feature_dataset.h"
#include "features/image_extractor.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

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
    if (!std::isnan(report.validationScore))
        json[QStringLiteral("validation_map")] = report.validationScore;
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

// Applies the split settings to a loaded dataset: a new split when requested or when
// the dataset has none, otherwise the dataset's own split with a validation set.
// `alreadyDrawn` is true when the loader drew the split from settings.split itself.
void applySplitSettings(PreparedDataset *prepared, const TrainingJobSettings &settings, bool alreadyDrawn)
{
    Dataset *dataset = &prepared->dataset;
    if (!alreadyDrawn && !dataset->split.isEmpty())
        prepared->givenSplit = dataset->split;

    if (settings.replaceDatasetSplit || dataset->split.isEmpty())
        dataset->split = drawSplit(*dataset, settings.split);
    else if (prepared->givenSplit && settings.split.validationCount > 0)
        drawValidationSet(&dataset->split, settings.split.validationCount, settings.split.seed);
}

bool isSameSplit(const DatasetSplit &first, const DatasetSplit &second)
{
    return first.query == second.query && first.database == second.database && first.training == second.training
           && first.validation == second.validation;
}

Status checkSplit(const Dataset &dataset)
{
    if (!dataset.split.training.empty() && !dataset.split.query.empty())
        return Status::success();
    return Status::failure(QStringLiteral("Dataset %1 has %2 items, and its split has %3 queries and %4 training items: "
                                          "at least one of each is needed.")
                               .arg(dataset.source)
                               .arg(dataset.size())
                               .arg(dataset.split.query.size())
                               .arg(dataset.split.training.size()));
}

// Builds the vocabulary from the training captions and encodes every item's text.
void buildTextFeatures(PreparedDataset *prepared, const TrainingJobSettings &settings, const TrainingJobCallbacks &callbacks)
{
    reportStage(callbacks, QStringLiteral("Building the vocabulary from %1 training captions").arg(prepared->dataset.split.training.size()));
    const QStringList texts = itemTexts(prepared->dataset);
    QStringList trainingTexts;
    for (int index : prepared->dataset.split.training)
        trainingTexts.append(texts[index]);
    prepared->vocabulary = Vocabulary::build(trainingTexts, settings.vocabulary);
    prepared->textFeatures = prepared->vocabulary.encode(texts);
    prepared->emptyCaptionCount = prepared->vocabulary.countEmpty(texts);
}

QString featureSourceName(const ArraySource &source)
{
    const QString file = QFileInfo(source.file).fileName();
    return source.variable.isEmpty() ? file : QStringLiteral("%1:%2").arg(file, source.variable);
}

Result<PreparedDataset> prepareFeatureDataset(const TrainingJobSettings &settings, const TrainingJobCallbacks &callbacks)
{
    Result<FeatureDatasetDescription> description = readFeatureDatasetDescription(settings.datasetPath);
    if (!description)
        return Result<PreparedDataset>::failure(description.error());
    Result<FeatureDataset> loaded = loadFeatureDataset(description.value());
    if (!loaded)
        return Result<PreparedDataset>::failure(loaded.error());

    FeatureDataset &features = loaded.value();
    if (!features.hasImageFeatures() || !features.hasTextFeatures()) {
        return Result<PreparedDataset>::failure(
            QStringLiteral("Feature dataset %1 has %2 features only: training, evaluation and cross-modal search need "
                           "both image and text features for every item. Add \"%3\" to the description, or import "
                           "the images as an image dataset.")
                .arg(settings.datasetPath,
                     features.hasImageFeatures() ? QStringLiteral("image") : QStringLiteral("text"),
                     features.hasImageFeatures() ? QStringLiteral("textFeatures") : QStringLiteral("imageFeatures")));
    }

    PreparedDataset prepared;
    prepared.precomputedFeatures = true;
    prepared.dataset = std::move(features.dataset);
    if (prepared.dataset.labelNames.isEmpty()) {
        return Result<PreparedDataset>::failure(
            QStringLiteral("Feature dataset %1 has no labels: mAP needs a label for each item, so it cannot be evaluated.")
                .arg(settings.datasetPath));
    }
    applySplitSettings(&prepared, settings, false);
    if (Status valid = checkSplit(prepared.dataset); !valid)
        return Result<PreparedDataset>::failure(valid.error());

    prepared.imageFeatures.features = std::move(features.imageFeatures);
    prepared.imageFeatures.extractorIdentity =
        precomputedFeaturesPrefix() + featureSourceName(description->imageFeatures);
    prepared.imageFeatures.deviceName = QStringLiteral("none");
    prepared.textFeatures = std::move(features.textFeatures);

    reportStage(callbacks, QStringLiteral("Read %1 items with %2 image and %3 text features from %4")
                               .arg(prepared.dataset.size())
                               .arg(prepared.imageFeatures.features.cols())
                               .arg(prepared.textFeatures.cols())
                               .arg(settings.datasetPath));
    for (const QString &message : prepared.dataset.importMessages)
        qCInfo(lcPipeline).noquote() << message;
    return prepared;
}

} // namespace

QString precomputedFeaturesPrefix()
{
    return QStringLiteral("precomputed:");
}

Result<PreparedDataset> prepareDataset(const TrainingJobSettings &settings, const TrainingJobCallbacks &callbacks)
{
    reportStage(callbacks, QStringLiteral("Opening dataset %1").arg(settings.datasetPath));
    if (isFeatureDatasetDescription(settings.datasetPath))
        return prepareFeatureDataset(settings, callbacks);

    Result<Dataset> dataset = openDataset(settings.datasetPath, settings.treeOptions, settings.split);
    if (!dataset)
        return Result<PreparedDataset>::failure(dataset.error());

    PreparedDataset prepared;
    prepared.dataset = std::move(dataset).value();
    // openDataset() draws the split from settings.split unless a dataset file has one.
    // A file's split equal to the drawn one behaves the same either way.
    const bool drawn = prepared.dataset.format != QStringLiteral("dataset-file")
                       || isSameSplit(prepared.dataset.split, drawSplit(prepared.dataset, settings.split));
    applySplitSettings(&prepared, settings, drawn);
    if (Status valid = checkSplit(prepared.dataset); !valid)
        return Result<PreparedDataset>::failure(valid.error());

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

    buildTextFeatures(&prepared, settings, callbacks);
    prepared.dataset.importMessages.append(
        QStringLiteral("%1 of %2 captions have no word of the %3-word vocabulary and are encoded as empty texts.")
            .arg(prepared.emptyCaptionCount)
            .arg(prepared.dataset.size())
            .arg(prepared.vocabulary.size()));
    for (const QString &message : prepared.dataset.importMessages)
        qCInfo(lcPipeline).noquote() << message;

    return prepared;
}

Status resplitPreparedDataset(PreparedDataset *prepared, const TrainingJobSettings &settings)
{
    Dataset &dataset = prepared->dataset;
    if (prepared->givenSplit && !settings.replaceDatasetSplit) {
        dataset.split = *prepared->givenSplit;
        drawValidationSet(&dataset.split, settings.split.validationCount, settings.split.seed);
    } else {
        dataset.split = drawSplit(dataset, settings.split);
    }

    std::vector<int> failed = prepared->imageFeatures.failedItems;
    std::sort(failed.begin(), failed.end());
    removeFromSplit(&dataset.split, failed);
    if (Status valid = checkSplit(dataset); !valid)
        return valid;

    if (!prepared->precomputedFeatures)
        buildTextFeatures(prepared, settings, {});
    return Status::success();
}

Result<TrainedModel> trainModel(const PreparedDataset &prepared, const TrainingJobSettings &settings,
                                const TrainingJobCallbacks &callbacks, const QByteArray &resumeCheckpoint)
{
    const Dataset &dataset = prepared.dataset;
    const DatasetSplit &split = dataset.split;

    reportStage(callbacks, QStringLiteral("Training %1 at %2 bits for %3 epochs on %4 items")
                               .arg(settings.esafh.method.toUpper())
                               .arg(settings.esafh.bits)
                               .arg(settings.esafh.epochs)
                               .arg(split.training.size()));
    TrainingCallbacks trainingCallbacks = callbacks.training;
    if (!trainingCallbacks.cancel)
        trainingCallbacks.cancel = callbacks.cancel;
    if (!trainingCallbacks.validate && !split.validation.empty()) {
        reportStage(callbacks, QStringLiteral("Choosing the best epoch by mAP@all on %1 validation items").arg(split.validation.size()));
        trainingCallbacks.validate = [&prepared](const HashModel &model) { return validationScore(model, prepared); };
    }

    Result<TrainingOutcome> outcome = trainEsafh(gatherRows(prepared.imageFeatures.features, split.training),
                                                 gatherRows(prepared.textFeatures, split.training),
                                                 settings.esafh, trainingCallbacks, resumeCheckpoint);
    if (!outcome)
        return Result<TrainedModel>::failure(outcome.error());
    if (outcome->cancelled)
        return Result<TrainedModel>::failure(QStringLiteral("Training cancelled."));

    TrainedModel model;
    model.method = settings.esafh.method;
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
    model.bestEpoch = outcome->bestEpoch;
    for (const EpochReport &report : outcome->history)
        model.history.append(epochToJson(report));
    model.epochReports = std::move(outcome->history);

    reportStage(callbacks, QStringLiteral("Encoding %1 database items").arg(split.database.size()));
    for (int index : split.database)
        model.databaseItems.push_back(dataset.items[index]);
    model.databaseImageCodes = model.hashModel->encodeImages(gatherRows(prepared.imageFeatures.features, split.database));
    model.databaseTextCodes = model.hashModel->encodeTexts(textFeaturesOf(prepared, model.vocabulary, split.database));

    reportStage(callbacks, QStringLiteral("Evaluating %1 queries").arg(split.query.size()));
    Result<RetrievalScores> scores = evaluateModel(model, prepared, settings.mapK, settings.tieRule);
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
        if (item.imagePath != model.databaseItems[i].imagePath || item.captions != model.databaseItems[i].captions
            || item.labels != model.databaseItems[i].labels)
            return false;
    }

    DatasetSplit adopted = split;
    std::vector<int> failed = prepared->imageFeatures.failedItems;
    std::sort(failed.begin(), failed.end());
    removeFromSplit(&adopted, failed);
    prepared->dataset.split = adopted;
    return true;
}

} // namespace esafh
