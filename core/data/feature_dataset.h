#pragma once

// Datasets of precomputed features, as the cross-modal hashing benchmarks are
// distributed (wiki.mat, the DCMH MIRFlickr-25K files, NUS-WIDE .h5 and .npy
// features), described by a small JSON file. docs/dataset-formats.md documents the
// description format.

#include "common/matrix.h"
#include "common/result.h"
#include "data/dataset.h"
#include "data/feature_files.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace esafh {

/// Location of one array of a feature dataset.
struct ArraySource
{
    QString file;     ///< Absolute path; empty when the dataset does not have this array.
    QString variable; ///< Path inside the file as listVariables() names it; empty for a .npy or text file.
    ItemOrientation items = ItemOrientation::Auto; ///< Layout of a matrix; unused for vectors.
    int base = 1; ///< For index vectors and class ids: the number of the first item or class.

    bool isSet() const { return !file.isEmpty(); }
};

/// Storage form of the labels.
enum class LabelForm
{
    Matrix,   ///< One-hot or multi-hot matrix, one item per row or column.
    ClassIds, ///< One class id per item.
};

/// Source of the split. With index vectors, `query` is required, the database
/// defaults to every other item in ascending order and the training set to the
/// database. With `random` set, makeRandomSplit() draws the split. With neither, the
/// loaded dataset has an empty split, and the caller draws one.
struct FeatureSplitSource
{
    ArraySource query;
    ArraySource database;
    ArraySource training;
    std::optional<SplitSettings> random;

    bool isSet() const { return query.isSet() || database.isSet() || training.isSet() || random.has_value(); }
};

/// The files and variables of a feature dataset, as a description file names them.
/// At least one of the image and text features must be set; a dataset with text
/// features only serves text-to-text retrieval and the text graph.
struct FeatureDatasetDescription
{
    QString name;                 ///< Display name; empty uses the description file's base name.
    ArraySource imageFeatures;
    ArraySource textFeatures;
    ArraySource labels;           ///< Optional; labels serve evaluation only.
    LabelForm labelForm = LabelForm::Matrix;
    QStringList labelNames;       ///< Optional; the default is "label 1", ... or "class <id>".
    ArraySource captions;         ///< Optional; one string per item.
    ArraySource imagePaths;       ///< Optional; one path per item.
    QString imageFolder;          ///< Absolute folder that relative image paths start from; empty: the image paths file's folder.
    FeatureSplitSource split;

    QString descriptionPath;      ///< The file this was read from; empty for a description built in code.
};

/// A loaded feature dataset. Row i of each feature matrix belongs to dataset.items[i].
struct FeatureDataset
{
    /// Items with labels, and captions and image paths when the description names
    /// them (empty otherwise). The format is "feature-files".
    Dataset dataset;
    FeatureMatrix imageFeatures; ///< One row per item; 0 x 0 without image features.
    FeatureMatrix textFeatures;  ///< One row per item; 0 x 0 without text features.

    bool hasImageFeatures() const { return imageFeatures.size() > 0; }
    bool hasTextFeatures() const { return textFeatures.size() > 0; }
};

/// Returns whether `path` is a JSON file whose "format" is "esafh-feature-dataset".
/// Reads the file; returns false for a missing or invalid one.
bool isFeatureDatasetDescription(const QString &path);

/// Reads a description file and resolves the file paths in it against the file's
/// folder. Fails, naming the file and the field, on invalid JSON, another format or
/// version, a missing or mistyped field, an unknown field (a misspelt key would
/// otherwise be ignored), or an unknown "items" or "form" value.
Result<FeatureDatasetDescription> readFeatureDatasetDescription(const QString &path);

/// Writes a description file atomically. File paths inside the description's
/// folder are written relative to it, so that the folder can move; others are
/// written as absolute paths. Fails when the file cannot be written or when neither
/// image nor text features are set.
Status saveFeatureDatasetDescription(const FeatureDatasetDescription &description, const QString &path);

/// Reads the arrays a description names and assembles the dataset.
///
/// Matrices with ItemOrientation::Auto take the layout that makes every array agree
/// on the item count. Any matrix with an explicit orientation, a class id vector and
/// the captions and image paths fix that count. Otherwise it is the one dimension
/// that all matrices share, and when both dimensions are shared, the longer one.
/// dataset.importMessages notes each layout found this way.
///
/// Fails, with a message naming the file and the variable, when a file is missing or
/// is not a MAT, HDF5 or NumPy file, a variable is missing (the message lists those
/// present), the item counts disagree (the message shows every shape), a square
/// matrix has no explicit orientation, a feature is NaN or Inf, a label entry is
/// negative, a label name count differs from the label count, or a split index is
/// out of range, repeated, or breaks the split's structure (queries apart from the
/// database, training items inside it).
Result<FeatureDataset> loadFeatureDataset(const FeatureDatasetDescription &description);

/// Reads the description file at `path` and loads the dataset it describes. The
/// dataset's source is the description file.
Result<FeatureDataset> loadFeatureDataset(const QString &path);

} // namespace esafh
