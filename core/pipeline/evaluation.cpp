#include "pipeline/training_job.h"

#include "pipeline/prepared_rows.h"

#include "common/logging.h"

#include <QElapsedTimer>

#include <cmath>
#include <limits>

namespace esafh {

FeatureMatrix gatherRows(const FeatureMatrix &matrix, const std::vector<int> &rows)
{
    FeatureMatrix gathered(static_cast<Eigen::Index>(rows.size()), matrix.cols());
    for (std::size_t i = 0; i < rows.size(); ++i)
        gathered.row(static_cast<Eigen::Index>(i)) = matrix.row(rows[i]);
    return gathered;
}

QStringList itemTexts(const Dataset &dataset)
{
    QStringList texts;
    texts.reserve(dataset.size());
    for (const DatasetItem &item : dataset.items)
        texts.append(item.captions.join(QLatin1Char('\n')));
    return texts;
}

FeatureMatrix textFeaturesOf(const PreparedDataset &prepared, const Vocabulary &vocabulary, const std::vector<int> &items)
{
    if (prepared.precomputedFeatures)
        return gatherRows(prepared.textFeatures, items);

    const QStringList texts = itemTexts(prepared.dataset);
    QStringList selected;
    selected.reserve(static_cast<int>(items.size()));
    for (int index : items)
        selected.append(texts[index]);
    return vocabulary.encode(selected);
}

namespace {

// Checks that the model was trained on features like the prepared dataset's.
Status checkCompatible(const TrainedModel &model, const PreparedDataset &prepared)
{
    if (!model.hashModel)
        return Status::failure(QStringLiteral("No model is loaded."));
    if (model.imageExtractor != prepared.imageFeatures.extractorIdentity) {
        return Status::failure(
            QStringLiteral("The model was trained on image features \"%1\", but the dataset's features are \"%2\".")
                .arg(model.imageExtractor, prepared.imageFeatures.extractorIdentity));
    }
    if (model.hashModel->imageDimension() != prepared.imageFeatures.features.cols()) {
        return Status::failure(QStringLiteral("The model expects image features of dimension %1, the dataset has %2.")
                                   .arg(model.hashModel->imageDimension())
                                   .arg(prepared.imageFeatures.features.cols()));
    }
    if (prepared.precomputedFeatures && model.hashModel->textDimension() != prepared.textFeatures.cols()) {
        return Status::failure(QStringLiteral("The model expects text features of dimension %1, the dataset has %2.")
                                   .arg(model.hashModel->textDimension())
                                   .arg(prepared.textFeatures.cols()));
    }

    const DatasetSplit &split = prepared.dataset.split;
    if (split.query.empty() || split.database.empty())
        return Status::failure(QStringLiteral("Dataset %1 has no query or database set to evaluate on.").arg(prepared.dataset.source));
    return Status::success();
}

// Hash codes of the query and database sets in both modalities.
struct SplitCodes
{
    HashCodes queryImages;
    HashCodes queryTexts;
    HashCodes databaseImages;
    HashCodes databaseTexts;
};

SplitCodes encodeSplit(const TrainedModel &model, const PreparedDataset &prepared)
{
    const DatasetSplit &split = prepared.dataset.split;
    const HashModel &hashModel = *model.hashModel;
    SplitCodes codes;
    codes.queryImages = hashModel.encodeImages(gatherRows(prepared.imageFeatures.features, split.query));
    codes.databaseImages = hashModel.encodeImages(gatherRows(prepared.imageFeatures.features, split.database));
    codes.queryTexts = hashModel.encodeTexts(textFeaturesOf(prepared, model.vocabulary, split.query));
    codes.databaseTexts = hashModel.encodeTexts(textFeaturesOf(prepared, model.vocabulary, split.database));
    return codes;
}

} // namespace

Result<RetrievalScores> evaluateModel(const TrainedModel &model, const PreparedDataset &prepared, int k, TieRule rule)
{
    if (Status compatible = checkCompatible(model, prepared); !compatible)
        return Result<RetrievalScores>::failure(compatible.error());

    QElapsedTimer timer;
    timer.start();
    const Dataset &dataset = prepared.dataset;
    const DatasetSplit &split = dataset.split;
    const SplitCodes codes = encodeSplit(model, prepared);
    RetrievalScores scores = evaluateCrossModal(codes.queryImages, codes.queryTexts, codes.databaseImages, codes.databaseTexts,
                                                dataset.labelsOf(split.query), dataset.labelsOf(split.database), k, rule);
    qCInfo(lcPipeline) << "Evaluated" << split.query.size() << "queries against" << split.database.size()
                       << "database items in" << timer.elapsed() << "ms";
    return scores;
}

Result<ModelEvaluation> evaluateModelWithCurves(const TrainedModel &model, const PreparedDataset &prepared, int k,
                                                TieRule rule, const std::vector<int> &cutoffs)
{
    if (Status compatible = checkCompatible(model, prepared); !compatible)
        return Result<ModelEvaluation>::failure(compatible.error());

    const Dataset &dataset = prepared.dataset;
    const DatasetSplit &split = dataset.split;
    const SplitCodes codes = encodeSplit(model, prepared);
    const LabelSets queryLabels = dataset.labelsOf(split.query);
    const LabelSets databaseLabels = dataset.labelsOf(split.database);

    ModelEvaluation evaluation;
    evaluation.scores = evaluateCrossModal(codes.queryImages, codes.queryTexts, codes.databaseImages, codes.databaseTexts,
                                           queryLabels, databaseLabels, k, rule);
    evaluation.curves = evaluateCrossModalCurves(codes.queryImages, codes.queryTexts, codes.databaseImages,
                                                 codes.databaseTexts, queryLabels, databaseLabels, cutoffs, rule);
    return evaluation;
}

std::vector<int> defaultCurveCutoffs(int databaseSize)
{
    std::vector<int> cutoffs;
    for (int decade = 1; decade < databaseSize && decade <= 100'000'000; decade *= 10) {
        for (int step : {1, 2, 5}) {
            const int cutoff = decade * step;
            if (cutoff < databaseSize)
                cutoffs.push_back(cutoff);
        }
    }
    if (databaseSize > 0)
        cutoffs.push_back(databaseSize);
    return cutoffs;
}

double validationScore(const HashModel &model, const PreparedDataset &prepared)
{
    const Dataset &dataset = prepared.dataset;
    const DatasetSplit &split = dataset.split;
    if (split.validation.empty() || split.training.empty())
        return std::numeric_limits<double>::quiet_NaN();

    // The texts are encoded with the prepared vocabulary, which is the one training uses.
    const HashCodes validationImages = model.encodeImages(gatherRows(prepared.imageFeatures.features, split.validation));
    const HashCodes validationTexts = model.encodeTexts(textFeaturesOf(prepared, prepared.vocabulary, split.validation));
    const HashCodes trainingImages = model.encodeImages(gatherRows(prepared.imageFeatures.features, split.training));
    const HashCodes trainingTexts = model.encodeTexts(textFeaturesOf(prepared, prepared.vocabulary, split.training));

    const RetrievalScores scores = evaluateCrossModal(validationImages, validationTexts, trainingImages, trainingTexts,
                                                      dataset.labelsOf(split.validation), dataset.labelsOf(split.training),
                                                      0, TieRule::TieAware);
    return (scores.imageToTextAll + scores.textToImageAll) / 2.0;
}

} // namespace esafh
