#pragma once

#include "common/matrix.h"

#include <vector>

namespace esafh::ui {

/// One merge of average-linkage clustering. Nodes 0 to n - 1 are the items and node
/// n + i is the cluster made by merge i, as in SciPy's linkage matrix.
struct ClusterMerge
{
    int first = 0;
    int second = 0;
    float similarity = 0; ///< Mean similarity between the items of the two clusters.
    int size = 0;         ///< Number of items in the merged cluster.
};

/// Clusters the items of a similarity matrix (n x n, higher is more similar) by
/// average linkage (UPGMA) with the nearest-neighbour chain algorithm, in O(n^2)
/// time and one n x n copy of the matrix. Only the upper triangle is read, so an
/// asymmetric matrix is treated as its upper triangle mirrored. Returns n - 1 merges
/// in the order the algorithm made them, which is not sorted by similarity.
std::vector<ClusterMerge> averageLinkage(const SquareMatrix &similarity);

/// Items in the order of the dendrogram's leaves, first child before second child.
std::vector<int> dendrogramLeafOrder(const std::vector<ClusterMerge> &merges, int itemCount);

/// An order of the items that puts similar items together, with the groups it found.
struct ClusterOrdering
{
    std::vector<int> order;       ///< Item indices in display order.
    std::vector<int> groupStarts; ///< Positions in `order` where a cluster starts.
};

/// Orders the items by the leaves of their average-linkage dendrogram and cuts it
/// into `clusterCount` clusters (clamped to [1, n]) by undoing its least similar
/// merges. Each cluster is a run of positions in the order.
ClusterOrdering clusterOrdering(const SquareMatrix &similarity, int clusterCount);

} // namespace esafh::ui
