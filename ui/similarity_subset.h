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
    std::vector<int> groupStarts;  ///< Positions in `items` where a new label group or cluster starts.
    QStringList groupNames;        ///< Label of each group ("(no label)" for unlabelled items), or "cluster N".
};

/// Order of the items in the similarity view.
enum class SubsetOrder
{
    Label,   ///< By first label, then by item index.
    Cluster, ///< By the leaves of an average-linkage dendrogram of the fused matrix.
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

/// Positions in `items` sorted by the items' first label, then by item index.
std::vector<int> labelOrder(const Dataset &dataset, const std::vector<int> &items);

/// Number of clusters that the cluster order cuts a subset into: the number of
/// distinct first labels among the items, or about sqrt(n / 2) without labels,
/// between 2 and 30.
int clusterCountFor(const Dataset &dataset, const std::vector<int> &items);

/// Reorders the subset's items and the rows and columns of every matrix, with the
/// attention rows, into `order`, and fills the groups: label groups, or the
/// clusters of the fused matrix. The matrices must be in the subset's current
/// order; without a fused matrix of the subset's size the items are ordered by
/// label. Takes O(n^2) time, so it runs off the GUI thread.
void orderSubset(const Dataset &dataset, SubsetOrder order, SimilaritySubset &subset, SimilarityMatrices &matrices);

/// Returns `matrix` with row and column i taken from row and column order[i].
SquareMatrix permuted(const SquareMatrix &matrix, const std::vector<int> &order);

/// Describes each item for tooltips: "caption [label, label]".
QStringList describeItems(const Dataset &dataset, const std::vector<int> &items);

} // namespace esafh::ui
