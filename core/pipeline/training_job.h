#pragma once

#include "common/result.h"
#include "data/dataset.h"
#include "data/dataset_io.h"
#include "features/backbone_spec.h"
#include "features/image_features.h"
#include "features/vocabulary.h"
#include "method/hash_model.h"
#include "pipeline/trained_model.h"

#include <QString>

#include <atomic>
#include <functional>

namespace esafh {

/// A dataset with the features of every item, ready for training and display.
struct PreparedDataset
{
    Dataset dataset;
    ImageFeatureSet imageFeatures;
    Vocabulary vocabulary;
    FeatureMatrix textFeatures;   ///< Binary bag of words of each item's caption.
    int emptyCaptionCount = 0;    ///< Items whose caption has no vocabulary word.
};

/// Settings of the main job: dataset, split, features and ESAFH.
struct TrainingJobSettings
{
    QString datasetPath;
    TuxPaintOptions treeOptions;
    SplitSettings split;
    VocabularySettings vocabulary;
    QString featureCacheDirectory; ///< Empty uses the user's cache location.
    /// The image feature extractor. When it is mobilenetv2 and the nsfwjs package is
    /// not installed, the hand-crafted descriptor is used instead, with a message in
    /// the dataset's import messages.
    BackboneSpec backbone = defaultBackbone();
    EsafhSettings esafh;
    int mapK = 50;
};

/// Hooks of the main job; each may be empty. cancel is checked between steps,
/// images and batches.
struct TrainingJobCallbacks
{
    std::function<void(const QString &stage)> onStage;
    std::function<void(int done, int total)> onFeatureProgress;
    TrainingCallbacks training;
    const std::atomic_bool *cancel = nullptr;
};

/// Opens the dataset, computes (or reads from the cache) its image features with the
/// settings' backbone, builds the vocabulary from the training captions and encodes
/// every caption. Fails when the backbone cannot be built (a missing or invalid model
/// file), except for the fallback described at TrainingJobSettings::backbone.
Result<PreparedDataset> prepareDataset(const TrainingJobSettings &settings, const TrainingJobCallbacks &callbacks = {});

/// Trains ESAFH on a prepared dataset, encodes the query and database sets and
/// evaluates both directions. A cancelled run fails with the message "Training cancelled.".
Result<TrainedModel> trainModel(const PreparedDataset &prepared, const TrainingJobSettings &settings,
                                const TrainingJobCallbacks &callbacks = {});

/// Gives the prepared dataset the split the model was trained with, when the model's
/// database items are those of the dataset at the same indices (same image paths and
/// captions). Returns false, leaving the dataset's own split, when they are not.
bool adoptModelSplit(const TrainedModel &model, PreparedDataset *prepared);

/// Evaluates a model on a prepared dataset's split: codes for its query and
/// database sets, mAP@all and mAP@K in both directions.
Result<RetrievalScores> evaluateModel(const TrainedModel &model, const PreparedDataset &prepared, int k = 50,
                                      TieRule rule = TieRule::TieAware);

} // namespace esafh
