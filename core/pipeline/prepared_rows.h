#pragma once

// Helpers shared by the training job and evaluation: rows of the prepared features
// for a list of items.

#include "pipeline/training_job.h"

#include <QStringList>

#include <vector>

namespace esafh {

/// The rows of `matrix` at `rows`, in that order.
FeatureMatrix gatherRows(const FeatureMatrix &matrix, const std::vector<int> &rows);

/// The text of each item that is encoded: all its captions, so a COCO image with
/// five captions is described by the union of their words.
QStringList itemTexts(const Dataset &dataset);

/// Text features of the items: the prepared rows for a feature dataset, otherwise
/// the items' texts encoded with `vocabulary` (the model's, which may differ from
/// the one built for this dataset).
FeatureMatrix textFeaturesOf(const PreparedDataset &prepared, const Vocabulary &vocabulary, const std::vector<int> &items);

} // namespace esafh
