#include "model_evaluation.h"

#include "retrieval/curves.h"

#include <QCoreApplication>

namespace esafh::ui {

namespace {

FeatureMatrix gatherRows(const FeatureMatrix &matrix, const std::vector<int> &rows)
{
    FeatureMatrix gathered(static_cast<Eigen::Index>(rows.size()), matrix.cols());
    for (std::size_t i = 0; i < rows.size(); ++i)
        gathered.row(static_cast<Eigen::Index>(i)) = matrix.row(rows[i]);
    return gathered;
}

// The captions of the items joined by line breaks, as training_job.cpp encodes them.
QStringList captionsOf(const Dataset &dataset, const std::vector<int> &indices)
{
    QStringList captions;
    captions.reserve(int(indices.size()));
    for (int index : indices)
        captions.append(dataset.items[index].captions.join(QLatin1Char('\n')));
    return captions;
}

// Leaves out the radii at which no query retrieves anything: their precision is
// undefined, and the core's 0 there would draw a drop to the origin.
QList<QPointF> precisionRecallPoints(const PrecisionRecallCurve &curve)
{
    QList<QPointF> points;
    for (const PrecisionRecallPoint &point : curve.points) {
        if (point.retrievingQueries > 0)
            points.append(QPointF(point.recall, point.precision));
    }
    return points;
}

QList<QPointF> precisionAtKPoints(const std::vector<PrecisionAtKPoint> &curve)
{
    QList<QPointF> points;
    for (const PrecisionAtKPoint &point : curve)
        points.append(QPointF(point.k, point.precision));
    return points;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("esafh::ui::ModelEvaluation", text);
}

} // namespace

std::vector<int> precisionCutoffs(int databaseSize)
{
    std::vector<int> cutoffs;
    for (int decade = 1; decade < databaseSize; decade *= 10) {
        for (int step : {1, 2, 5}) {
            const int cutoff = decade * step;
            if (cutoff < databaseSize && (cutoffs.empty() || cutoff > cutoffs.back()))
                cutoffs.push_back(cutoff);
        }
    }
    if (databaseSize > 0)
        cutoffs.push_back(databaseSize);
    return cutoffs;
}

Result<ModelEvaluation> evaluateSessionModel(const TrainedModelPointer &model, const PreparedDatasetPointer &dataset,
                                             int k, const QString &source)
{
    if (!model || !model->hashModel)
        return Result<ModelEvaluation>::failure(tr("No model is loaded."));
    if (!dataset)
        return Result<ModelEvaluation>::failure(tr("Open the dataset the model was trained on to evaluate it."));
    if (model->imageExtractor != dataset->imageFeatures.extractorIdentity) {
        return Result<ModelEvaluation>::failure(
            tr("The model was trained on image features \"%1\", but the dataset's features are \"%2\".")
                .arg(model->imageExtractor, dataset->imageFeatures.extractorIdentity));
    }
    if (model->hashModel->imageDimension() != dataset->imageFeatures.features.cols()) {
        return Result<ModelEvaluation>::failure(tr("The model expects image features of dimension %1, the dataset has %2.")
                                                    .arg(model->hashModel->imageDimension())
                                                    .arg(dataset->imageFeatures.features.cols()));
    }

    const Dataset &items = dataset->dataset;
    const DatasetSplit &split = items.split;
    if (split.query.empty() || split.database.empty())
        return Result<ModelEvaluation>::failure(tr("Dataset %1 has no query or database set to evaluate on.").arg(items.source));

    const HashModel &hashModel = *model->hashModel;
    const HashCodes queryImages = hashModel.encodeImages(gatherRows(dataset->imageFeatures.features, split.query));
    const HashCodes databaseImages = hashModel.encodeImages(gatherRows(dataset->imageFeatures.features, split.database));
    const HashCodes queryTexts = hashModel.encodeTexts(model->vocabulary.encode(captionsOf(items, split.query)));
    const HashCodes databaseTexts = hashModel.encodeTexts(model->vocabulary.encode(captionsOf(items, split.database)));
    const LabelSets queryLabels = items.labelsOf(split.query);
    const LabelSets databaseLabels = items.labelsOf(split.database);

    const RetrievalScores scores = evaluateCrossModal(queryImages, queryTexts, databaseImages, databaseTexts,
                                                      queryLabels, databaseLabels, k, TieRule::TieAware);
    const CrossModalCurves curves =
        evaluateCrossModalCurves(queryImages, queryTexts, databaseImages, databaseTexts, queryLabels, databaseLabels,
                                 precisionCutoffs(int(split.database.size())), TieRule::TieAware);

    ModelEvaluation evaluation;
    ComparisonRow &row = evaluation.row;
    row.method = model->settings.method.isEmpty() ? model->method : model->settings.method;
    row.variant = tr("current model");
    row.bits = model->settings.bits;
    row.seeds = 1;
    row.mapAll[int(Direction::ImageToText)] = {scores.imageToTextAll, 0.0};
    row.mapAll[int(Direction::TextToImage)] = {scores.textToImageAll, 0.0};
    row.mapAtK[int(Direction::ImageToText)] = {scores.imageToTextAtK, 0.0};
    row.mapAtK[int(Direction::TextToImage)] = {scores.textToImageAtK, 0.0};

    RunCurves &run = evaluation.curves;
    run.method = row.method;
    run.variant = row.variant;
    run.bits = row.bits;
    run.seed = int(model->settings.seed);
    run.source = source;
    run.id = source;
    run.settings = settingsSummary(model->settings);
    run.precisionRecall[int(Direction::ImageToText)] = precisionRecallPoints(curves.imageToTextPrecisionRecall);
    run.precisionRecall[int(Direction::TextToImage)] = precisionRecallPoints(curves.textToImagePrecisionRecall);
    run.precisionAtK[int(Direction::ImageToText)] = precisionAtKPoints(curves.imageToTextPrecisionAtK);
    run.precisionAtK[int(Direction::TextToImage)] = precisionAtKPoints(curves.textToImagePrecisionAtK);

    ComparisonProtocol &protocol = evaluation.protocol;
    protocol.ties = QStringLiteral("tie-aware");
    protocol.k = k;
    protocol.queries = int(split.query.size());
    protocol.database = int(split.database.size());
    protocol.training = int(split.training.size());
    protocol.validation = int(split.validation.size());
    return evaluation;
}

} // namespace esafh::ui
