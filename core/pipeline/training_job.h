#pragma once

#include "common/result.h"
#include "data/dataset.h"
#include "data/dataset_io.h"
#include "features/backbone_spec.h"
#include "features/image_features.h"
#include "features/vocabulary.h"
#include "method/hash_model.h"
#include "pipeline/trained_model.h"
#include "retrieval/curves.h"

#include <QString>

#include <atomic>
#include <functional>
#include <optional>

namespace esafh {

/// A dataset with the features of every item, ready for training and display.
struct PreparedDataset
{
    Dataset dataset;
    ImageFeatureSet imageFeatures;
    Vocabulary vocabulary;
    /// Binary bag of words of each item's caption, or the text features read from a
    /// feature dataset.
    FeatureMatrix textFeatures;
    int emptyCaptionCount = 0;    ///< Items whose caption has no vocabulary word.
    /// Whether the image and text features were read from a feature dataset. The
    /// vocabulary is then empty and texts are encoded from textFeatures only.
    bool precomputedFeatures = false;
    /// The split the dataset file or description brought, before any validation set
    /// was drawn; empty when the split was drawn from the settings.
    std::optional<DatasetSplit> givenSplit;
};

/// The prefix of ImageFeatureSet::extractorIdentity for image features read from a
/// feature dataset, which no backbone can compute for a new image.
QString precomputedFeaturesPrefix();

/// Settings of the main job: dataset, split, features and ESAFH.
struct TrainingJobSettings
{
    QString datasetPath;
    TuxPaintOptions treeOptions;
    SplitSettings split;
    /// Draw the split from `split` even when the dataset file or feature dataset
    /// description brings its own. Otherwise only split.validationCount applies to it.
    bool replaceDatasetSplit = false;
    VocabularySettings vocabulary;
    QString featureCacheDirectory; ///< Empty uses the user's cache location.
    /// The image feature extractor. When it is mobilenetv2 and the nsfwjs package is
    /// not installed, the hand-crafted descriptor is used instead, with a message in
    /// the dataset's import messages.
    BackboneSpec backbone = defaultBackbone();
    EsafhSettings esafh;
    int mapK = 50;
    TieRule tieRule = TieRule::TieAware; ///< The tie rule of the scores trainModel() computes.
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
///
/// A feature dataset description (docs/dataset-formats.md) is read instead: its
/// image and text features are used as they are, and the backbone and vocabulary
/// settings do not apply. It fails, saying what is missing, when the dataset lacks
/// image or text features, since cross-modal training needs both.
Result<PreparedDataset> prepareDataset(const TrainingJobSettings &settings, const TrainingJobCallbacks &callbacks = {});

/// Draws a new split of a prepared dataset for another seed. The dataset's own split
/// (PreparedDataset::givenSplit) is kept unless settings.replaceDatasetSplit is set,
/// and only its validation set is drawn again. Items whose image failed to decode are
/// left out, and the vocabulary is rebuilt from the new training captions. Image
/// features are kept, so one extraction serves several seeds. Fails when the split
/// has no query or training item.
Status resplitPreparedDataset(PreparedDataset *prepared, const TrainingJobSettings &settings);

/// Trains the method of settings.esafh on a prepared dataset, encodes the query and
/// database sets and evaluates both directions. With a validation set in the split,
/// and no validate hook in the callbacks, each epoch is scored by
/// validationScore() and the model keeps the best epoch. A cancelled run fails with
/// the message "Training cancelled.".
/// A non-empty resumeCheckpoint (one that callbacks.training.onCheckpoint received
/// from a run with the same dataset, split and settings) continues after its epoch.
Result<TrainedModel> trainModel(const PreparedDataset &prepared, const TrainingJobSettings &settings,
                                const TrainingJobCallbacks &callbacks = {}, const QByteArray &resumeCheckpoint = {});

/// Gives the prepared dataset the split the model was trained with, when the model's
/// database items are those of the dataset at the same indices (same image paths and
/// captions). Returns false, leaving the dataset's own split, when they are not.
bool adoptModelSplit(const TrainedModel &model, PreparedDataset *prepared);

/// Evaluates a model on a prepared dataset's split: codes for its query and
/// database sets, mAP@all and mAP@K in both directions.
Result<RetrievalScores> evaluateModel(const TrainedModel &model, const PreparedDataset &prepared, int k = 50,
                                      TieRule rule = TieRule::TieAware);

/// Scores and curves of one model on a prepared dataset's query and database sets.
struct ModelEvaluation
{
    RetrievalScores scores;
    CrossModalCurves curves;
};

/// Evaluates as evaluateModel() does and adds the precision-recall curves and the
/// precision@K curves at `cutoffs` in both directions.
Result<ModelEvaluation> evaluateModelWithCurves(const TrainedModel &model, const PreparedDataset &prepared, int k,
                                                TieRule rule, const std::vector<int> &cutoffs);

/// The cutoffs of the precision@K curves: 1, 2, 5, 10, 20, 50, 100 and so on below
/// the database size, then the database size.
std::vector<int> defaultCurveCutoffs(int databaseSize);

/// Scores a model on the split's validation set: each validation item's image code
/// is ranked against the training items' text codes (i2t) and its text code against
/// their image codes (t2i). Returns the mean of the two tie-aware mAP@all values, or
/// NaN when the split has no validation or training items.
double validationScore(const HashModel &model, const PreparedDataset &prepared);

} // namespace esafh
