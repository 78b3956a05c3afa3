#pragma once

#include "session.h"

#include "method/similarity.h"

#include <QStringList>

#include <vector>

namespace esafh::ui {

/// Items of a dataset chosen for the similarity view, ordered so that items with
/// the same label sit together and each label shows as a block on the diagonal.
struct SimilaritySubset
{
    std::vector<int> items;        ///< Dataset item indices, in display order.
    std::vector<int> groupStarts;  ///< Positions in `items` where a new label group starts.
    QStringList groupNames;        ///< Label of each group; "(no label)" for unlabelled items.
};

/// Draws up to `count` items of the dataset's database with a seeded shuffle and
/// orders them by their first label (the lowest label index), then by item index.
/// A multi-label item is placed in the group of its first label only.
SimilaritySubset chooseSimilaritySubset(const Dataset &dataset, int count, quint64 seed = 1);

/// Computes the similarity matrices of the subset with the model's hash networks.
/// Texts are encoded with the model's vocabulary, and the image features must come
/// from the extractor the model was trained on. Fails with a message when they do
/// not fit the model.
Result<SimilarityMatrices> computeSubsetMatrices(const TrainedModel &model, const PreparedDataset &prepared,
                                                 const std::vector<int> &items);

/// Describes each item for tooltips: "caption [label, label]".
QStringList describeItems(const Dataset &dataset, const std::vector<int> &items);

} // namespace esafh::ui
