#include "matrix_ordering.h"

#include <QtGlobal>

#include <algorithm>
#include <limits>
#include <numeric>

namespace esafh::ui {

namespace {

// Distances between the current clusters, stored in the slots of their first items.
class ClusterDistances
{
public:
    explicit ClusterDistances(const SquareMatrix &similarity)
        : m_count(static_cast<int>(similarity.rows())),
          m_distances(static_cast<std::size_t>(m_count) * static_cast<std::size_t>(m_count), 0.0f)
    {
        // Negated similarities rank pairs as distances do, and average linkage
        // commutes with that change of sign.
        for (int row = 0; row < m_count; ++row) {
            for (int column = row + 1; column < m_count; ++column) {
                const float distance = -similarity(row, column);
                at(row, column) = distance;
                at(column, row) = distance;
            }
        }
    }

    float &at(int first, int second)
    {
        return m_distances[static_cast<std::size_t>(first) * static_cast<std::size_t>(m_count) +
                           static_cast<std::size_t>(second)];
    }

private:
    int m_count;
    std::vector<float> m_distances;
};

int findRoot(std::vector<int> &parents, int item)
{
    while (parents[static_cast<std::size_t>(item)] != item) {
        int &parent = parents[static_cast<std::size_t>(item)];
        parent = parents[static_cast<std::size_t>(parent)]; // Path halving.
        item = parent;
    }
    return item;
}

} // namespace

std::vector<ClusterMerge> averageLinkage(const SquareMatrix &similarity)
{
    Q_ASSERT(similarity.rows() == similarity.cols());
    const int n = static_cast<int>(similarity.rows());
    std::vector<ClusterMerge> merges;
    if (n < 2)
        return merges;
    merges.reserve(static_cast<std::size_t>(n - 1));

    ClusterDistances distances(similarity);
    std::vector<int> sizes(static_cast<std::size_t>(n), 1);
    std::vector<int> nodes(static_cast<std::size_t>(n));
    std::iota(nodes.begin(), nodes.end(), 0);
    std::vector<char> active(static_cast<std::size_t>(n), 1);
    std::vector<int> chain;
    int firstActive = 0;

    // Nearest-neighbour chain: follow nearest neighbours until two clusters are each
    // other's nearest, and merge them. Average linkage never makes a merged cluster
    // nearer to a third one than both parts were, so the rest of the chain stays valid.
    while (static_cast<int>(merges.size()) < n - 1) {
        if (chain.empty()) {
            while (!active[static_cast<std::size_t>(firstActive)])
                ++firstActive;
            chain.push_back(firstActive);
        }

        const int current = chain.back();
        const int previous = chain.size() >= 2 ? chain[chain.size() - 2] : -1;
        // Preferring the previous cluster on a tie ends the chain instead of cycling.
        int nearest = previous;
        float nearestDistance = previous >= 0 ? distances.at(current, previous) : std::numeric_limits<float>::infinity();
        for (int other = 0; other < n; ++other) {
            if (other == current || !active[static_cast<std::size_t>(other)])
                continue;
            if (distances.at(current, other) < nearestDistance) {
                nearest = other;
                nearestDistance = distances.at(current, other);
            }
        }

        if (nearest != previous) {
            chain.push_back(nearest);
            continue;
        }
        chain.pop_back();
        chain.pop_back();

        // The merged cluster keeps the slot of `previous`.
        const auto kept = static_cast<std::size_t>(previous);
        const auto dropped = static_cast<std::size_t>(current);
        const int keptSize = sizes[kept];
        const int droppedSize = sizes[dropped];
        const int mergedSize = keptSize + droppedSize;
        merges.push_back({std::min(nodes[kept], nodes[dropped]), std::max(nodes[kept], nodes[dropped]), -nearestDistance,
                          mergedSize});

        for (int other = 0; other < n; ++other) {
            if (!active[static_cast<std::size_t>(other)] || other == previous || other == current)
                continue;
            const float merged = (keptSize * distances.at(previous, other) + droppedSize * distances.at(current, other)) /
                                 static_cast<float>(mergedSize);
            distances.at(previous, other) = merged;
            distances.at(other, previous) = merged;
        }
        sizes[kept] = mergedSize;
        nodes[kept] = n + static_cast<int>(merges.size()) - 1;
        active[dropped] = 0;
    }
    return merges;
}

std::vector<int> dendrogramLeafOrder(const std::vector<ClusterMerge> &merges, int itemCount)
{
    std::vector<int> order;
    if (itemCount <= 0)
        return order;
    order.reserve(static_cast<std::size_t>(itemCount));
    if (merges.empty()) {
        order.push_back(0);
        return order;
    }

    std::vector<int> pending{itemCount + static_cast<int>(merges.size()) - 1};
    while (!pending.empty()) {
        const int node = pending.back();
        pending.pop_back();
        if (node < itemCount) {
            order.push_back(node);
            continue;
        }
        const ClusterMerge &merge = merges[static_cast<std::size_t>(node - itemCount)];
        pending.push_back(merge.second); // Pushed first, so visited after the first child.
        pending.push_back(merge.first);
    }
    return order;
}

ClusterOrdering clusterOrdering(const SquareMatrix &similarity, int clusterCount)
{
    const int n = static_cast<int>(similarity.rows());
    ClusterOrdering ordering;
    if (n == 0)
        return ordering;

    const std::vector<ClusterMerge> merges = averageLinkage(similarity);
    ordering.order = dendrogramLeafOrder(merges, n);

    // A merge never counts as more similar than the merges below it, so that undoing
    // the least similar merges always splits whole subtrees, even where rounding
    // made a parent's mean similarity a little higher than a child's.
    std::vector<float> mergeLevels(merges.size());
    const auto levelOf = [&](int node) {
        return node < n ? std::numeric_limits<float>::infinity() : mergeLevels[static_cast<std::size_t>(node - n)];
    };
    for (std::size_t i = 0; i < merges.size(); ++i)
        mergeLevels[i] = std::min({merges[i].similarity, levelOf(merges[i].first), levelOf(merges[i].second)});

    // Apply all but the k - 1 least similar merges; children come before parents on ties.
    std::vector<int> byLevel(merges.size());
    std::iota(byLevel.begin(), byLevel.end(), 0);
    std::stable_sort(byLevel.begin(), byLevel.end(), [&](int left, int right) {
        return mergeLevels[static_cast<std::size_t>(left)] > mergeLevels[static_cast<std::size_t>(right)];
    });
    const int clusters = std::clamp(clusterCount, 1, n);
    std::vector<int> representatives(static_cast<std::size_t>(n) + merges.size());
    std::iota(representatives.begin(), representatives.begin() + n, 0);
    for (std::size_t i = 0; i < merges.size(); ++i)
        representatives[static_cast<std::size_t>(n) + i] = representatives[static_cast<std::size_t>(merges[i].first)];

    std::vector<int> parents(static_cast<std::size_t>(n));
    std::iota(parents.begin(), parents.end(), 0);
    for (int applied = 0; applied < n - clusters; ++applied) {
        const ClusterMerge &merge = merges[static_cast<std::size_t>(byLevel[static_cast<std::size_t>(applied)])];
        const int first = findRoot(parents, representatives[static_cast<std::size_t>(merge.first)]);
        const int second = findRoot(parents, representatives[static_cast<std::size_t>(merge.second)]);
        parents[static_cast<std::size_t>(second)] = first;
    }

    for (int position = 0; position < n; ++position) {
        const int cluster = findRoot(parents, ordering.order[static_cast<std::size_t>(position)]);
        if (position == 0 || cluster != findRoot(parents, ordering.order[static_cast<std::size_t>(position - 1)]))
            ordering.groupStarts.push_back(position);
    }
    return ordering;
}

} // namespace esafh::ui
