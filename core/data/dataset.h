#pragma once

#include <QString>
#include <QStringList>

#include <vector>

namespace esafh {

/// One image-text pair of a dataset.
struct DatasetItem
{
    QString imagePath;      ///< Absolute path of the image file; empty for feature-only datasets.
    QStringList captions;   ///< All captions or tags; the first is the one shown and encoded.
    std::vector<int> labels; ///< Indices into Dataset::labelNames, sorted; used for evaluation only.

    QString caption() const { return captions.isEmpty() ? QString() : captions.first(); }
};

/// Item indices of the query, database, training and validation sets. The database
/// excludes the queries; the training and validation sets are drawn from the database.
struct DatasetSplit
{
    quint64 seed = 0;
    std::vector<int> query;
    std::vector<int> database;
    std::vector<int> training;
    std::vector<int> validation;

    bool isEmpty() const { return query.empty() && database.empty(); }
};

/// The rule that draws the query, database and training sets.
enum class SplitMode
{
    /// Queries drawn at random from all items (UCCH style); see makeRandomSplit().
    Random,
    /// A fixed number of queries and training items sampled per label; see makePerLabelSplit().
    PerLabel,
};

/// Sizes of a seeded split. A fraction applies when the count is zero.
struct SplitSettings
{
    quint64 seed = 1;
    double queryFraction = 0.2;
    int queryCount = 0;        ///< Fixed number of queries; 0 uses queryFraction.
    int maxQueryCount = 2000;  ///< Upper bound on the query set, as in the UCCH protocol.
    int maxTrainingCount = 10000; ///< Upper bound on the training set drawn from the database.

    SplitMode mode = SplitMode::Random;
    int queriesPerLabel = 100;  ///< SplitMode::PerLabel: queries sampled per label.
    int trainingPerLabel = 500; ///< SplitMode::PerLabel: training items sampled per label.
    /// Items of the database held out of training to choose the best epoch; 0 for none.
    /// See drawValidationSet().
    int validationCount = 0;
};

/// "random" or "per-label".
QString splitModeName(SplitMode mode);
/// Reads "random" or "per-label"; returns false for any other name.
bool parseSplitMode(const QString &name, SplitMode *mode);

/// A loaded image-text dataset with its labels and split.
struct Dataset
{
    QString name;          ///< Short display name; the folder loaders use the folder name, for example "coco-mini".
    QString format;        ///< "tuxpaint" (any image tree), "coco" or "dataset-file".
    QString source;        ///< Folder or file the dataset was read from.
    std::vector<DatasetItem> items;
    QStringList labelNames;
    DatasetSplit split;
    QStringList importMessages; ///< Notes for the user: skipped files, empty captions.

    int size() const { return static_cast<int>(items.size()); }
    std::vector<std::vector<int>> labelsOf(const std::vector<int> &indices) const;
    QStringList captionsOf(const std::vector<int> &indices) const;
};

} // namespace esafh
