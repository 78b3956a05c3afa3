#pragma once

#include "retrieval/hamming_search.h"

#include <QtGlobal>

#include <vector>

namespace esafh {

/// Keeps the k nearest of the database codes offered to it, ordered by Hamming
/// distance and then by database index, in memory proportional to k.
///
/// Codes must be offered in ascending index order. A code then ranks behind every
/// code already kept at its distance, so once k codes at distance <= D are kept, no
/// later code at distance D or more can enter. threshold() tells the scan loop which
/// distances can still enter, and it shrinks as the scan proceeds. On random codes
/// only a few multiples of k codes are ever added, whatever the database size.
class TopKCollector
{
public:
    /// k <= 0 keeps nothing. bits is the code length, the largest possible distance.
    TopKCollector(int k, int bits);

    /// Largest distance that can still enter; -1 when k <= 0.
    int threshold() const { return m_threshold; }

    /// Offers a code. Requires distance <= threshold() and an index above that of
    /// every code offered before.
    void add(int index, int distance)
    {
        Q_ASSERT(distance >= 0 && distance <= m_threshold);
        m_entries.push_back(RankedItem{index, distance});
        ++m_counts[static_cast<std::size_t>(distance)];
        if (static_cast<int>(m_entries.size()) >= m_capacity)
            compact();
    }

    /// The kept codes, at most k, by distance and then index. Leaves the collector empty.
    std::vector<RankedItem> take();

private:
    /// Drops every entry outside the current top k and lowers the threshold.
    void compact();

    int m_k = 0;
    int m_capacity = 0;
    int m_threshold = -1;
    std::vector<RankedItem> m_entries; ///< In the order added, so by index.
    std::vector<int> m_counts;         ///< Entries at each distance.
};

/// Merges the top-k lists of consecutive index ranges, each sorted by distance and
/// then index and given in index-range order, into the top k of their union.
std::vector<RankedItem> mergeTopK(const std::vector<std::vector<RankedItem>> &parts, int k);

} // namespace esafh
