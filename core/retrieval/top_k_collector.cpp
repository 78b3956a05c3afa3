#include "retrieval/top_k_collector.h"

#include <algorithm>

namespace esafh {

TopKCollector::TopKCollector(int k, int bits)
    : m_k(std::max(k, 0))
    , m_threshold(k > 0 ? bits : -1)
    , m_counts(static_cast<std::size_t>(bits) + 1, 0)
{
    // Compacting at twice k costs O(k) every k additions, so O(1) per addition.
    m_capacity = 2 * m_k + 64;
    m_entries.reserve(static_cast<std::size_t>(m_capacity));
}

void TopKCollector::compact()
{
    // The smallest distance `cutoff` with at least k entries at or below it.
    int kept = 0;
    int cutoff = 0;
    while (kept + m_counts[static_cast<std::size_t>(cutoff)] < m_k)
        kept += m_counts[static_cast<std::size_t>(cutoff++)];
    const int slotsAtCutoff = m_k - kept;

    // Entries are in index order, so the first ones at the cutoff are the ones ranked first.
    int takenAtCutoff = 0;
    auto last = std::remove_if(m_entries.begin(), m_entries.end(), [&](const RankedItem &entry) {
        if (entry.distance < cutoff)
            return false;
        if (entry.distance == cutoff && takenAtCutoff < slotsAtCutoff) {
            ++takenAtCutoff;
            return false;
        }
        return true;
    });
    m_entries.erase(last, m_entries.end());

    std::fill(m_counts.begin() + cutoff + 1, m_counts.end(), 0);
    m_counts[static_cast<std::size_t>(cutoff)] = slotsAtCutoff;
    m_threshold = cutoff - 1;
}

std::vector<RankedItem> TopKCollector::take()
{
    if (static_cast<int>(m_entries.size()) > m_k)
        compact();

    // Stable, so equal distances stay in index order.
    std::vector<RankedItem> result = std::move(m_entries);
    std::stable_sort(result.begin(), result.end(),
                     [](const RankedItem &a, const RankedItem &b) { return a.distance < b.distance; });
    m_entries.clear();
    std::fill(m_counts.begin(), m_counts.end(), 0);
    return result;
}

std::vector<RankedItem> mergeTopK(const std::vector<std::vector<RankedItem>> &parts, int k)
{
    std::vector<RankedItem> merged;
    for (const std::vector<RankedItem> &part : parts)
        merged.insert(merged.end(), part.begin(), part.end());

    // Parts cover ascending index ranges, so a stable sort by distance keeps ties by index.
    std::stable_sort(merged.begin(), merged.end(),
                     [](const RankedItem &a, const RankedItem &b) { return a.distance < b.distance; });
    if (static_cast<int>(merged.size()) > k)
        merged.resize(static_cast<std::size_t>(std::max(k, 0)));
    return merged;
}

} // namespace esafh
