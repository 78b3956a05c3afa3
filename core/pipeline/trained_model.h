#pragma once

#include "data/dataset.h"
#include "features/backbone_spec.h"
#include "features/vocabulary.h"
#include "method/esafh_settings.h"
#include "method/hash_model.h"
#include "retrieval/hash_codes.h"
#include "retrieval/metrics.h"

#include <QJsonArray>
#include <QString>

#include <memory>

namespace esafh {

/// Everything a model file holds: the networks with the method and its settings,
/// the vocabulary, the image extractor's identity and spec, the dataset's split, the
/// database items with their codes (so search needs no retraining and no dataset),
/// and the metrics.
struct TrainedModel
{
    static constexpr int formatVersion = 1;

    QString method = QStringLiteral("esafh");
    EsafhSettings settings;
    std::unique_ptr<HashModel> hashModel;
    Vocabulary vocabulary;
    QString imageExtractor;    ///< Identity of the image features the model was trained on.
    /// The backbone that computed them, so that search by a new image can build it
    /// again. Model files written before backbones could be chosen have none and
    /// read as the hand-crafted descriptor.
    BackboneSpec imageBackbone;

    QString datasetName;
    QString datasetSource;
    DatasetSplit split;
    QStringList labelNames;
    std::vector<DatasetItem> databaseItems; ///< The items of split.database, in that order.
    HashCodes databaseImageCodes;
    HashCodes databaseTextCodes;

    RetrievalScores scores;
    QJsonArray history; ///< One object per epoch: loss, loss terms, attention diagnostics, validation mAP.
    /// The epoch reports of training, for run records. Not stored in the model file.
    std::vector<EpochReport> epochReports;
    int bestEpoch = 0; ///< The epoch whose state the networks hold; 0 when unknown.
    double trainingSeconds = 0;
};

/// Writes the model atomically: a failure leaves any existing file at `path` as it was.
Status saveModelFile(const TrainedModel &model, const QString &path);

/// Reads a model file; rejects, with a message naming the file and the value, a
/// file that is not a model, of another format version, or damaged.
Result<TrainedModel> loadModelFile(const QString &path);

} // namespace esafh
