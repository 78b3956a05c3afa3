#pragma once

// NN-descent (Dong, Charikar and Li, WWW 2011) over rows of any storage, for
// approximate_neighbours.cpp and approximate_dense_neighbours.cpp. A Rows type
// provides:
//
// - `Scorer scorer() const`: a per-thread object with `load(row)`, then
//   `step(other)`, the cosine step of the loaded row and another;
// - `requestPosition(row)` and `requestEntries(row)`: prefetch hints, the first
//   when a row becomes a candidate and the second a few candidates before it is scored.

#include "method/approximate_neighbours.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <vector>

namespace esafh::detail::descent {

inline bool isBetter(const RankedMatch &a, const RankedMatch &b)
{
    return a.step != b.step ? a.step > b.step : a.item < b.item;
}

/// The best `capacity` matches of each text, sorted by isBetter, without repeats.
/// Each entry carries a flag: new since the last NN-descent round.
class NeighbourLists
{
public:
    NeighbourLists(int64_t n, int64_t capacity)
        : m_capacity(capacity)
        , m_matches(static_cast<std::size_t>(n * capacity))
        , m_new(static_cast<std::size_t>(n * capacity), 0)
        , m_sizes(static_cast<std::size_t>(n), 0)
    {
    }

    int64_t size(int64_t row) const { return m_sizes[row]; }
    const RankedMatch &match(int64_t row, int64_t slot) const { return m_matches[row * m_capacity + slot]; }
    bool isNew(int64_t row, int64_t slot) const { return m_new[row * m_capacity + slot] != 0; }

    /// Inserts a match, marked new, unless the list is full of better ones or
    /// contains it already. Returns whether the list changed.
    bool insert(int64_t row, const RankedMatch &match)
    {
        RankedMatch *list = m_matches.data() + row * m_capacity;
        char *flags = m_new.data() + row * m_capacity;
        int32_t &size = m_sizes[row];
        if (size == m_capacity && !isBetter(match, list[size - 1]))
            return false;
        for (int32_t i = 0; i < size; ++i) {
            if (list[i].item == match.item)
                return false;
        }

        int32_t position = std::min<int32_t>(size, static_cast<int32_t>(m_capacity) - 1);
        while (position > 0 && isBetter(match, list[position - 1])) {
            list[position] = list[position - 1];
            flags[position] = flags[position - 1];
            --position;
        }
        list[position] = match;
        flags[position] = 1;
        size = std::min<int32_t>(size + 1, static_cast<int32_t>(m_capacity));
        return true;
    }

    /// Copies a row of another list set, with every entry marked old.
    void copyRow(int64_t row, const NeighbourLists &from)
    {
        const auto first = from.m_matches.begin() + row * m_capacity;
        std::copy(first, first + from.m_sizes[row], m_matches.begin() + row * m_capacity);
        std::fill_n(m_new.begin() + row * m_capacity, m_capacity, 0);
        m_sizes[row] = from.m_sizes[row];
    }

    std::vector<RankedMatch> release(int64_t n)
    {
        // Pads short lists with entries of the lowest step, which the caller marks
        // invalid and which stay below every found match, negative cosines included.
        for (int64_t row = 0; row < n; ++row) {
            for (int64_t slot = m_sizes[row]; slot < m_capacity; ++slot)
                m_matches[row * m_capacity + slot] = {std::numeric_limits<int32_t>::min(), static_cast<int32_t>(row)};
        }
        return std::move(m_matches);
    }

private:
    int64_t m_capacity;
    std::vector<RankedMatch> m_matches;
    std::vector<char> m_new;
    std::vector<int32_t> m_sizes;
};

inline /// SplitMix64, a fixed 64-bit mix, so the orderings are the same on every platform.
std::uint64_t mix(std::uint64_t value)
{
    value += 0x9E3779B97F4A7C15ULL;
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
    return value ^ (value >> 31);
}

/// A text's place in one ordering of the texts: by `first`, then `second`, then a
/// hash of the row (`tie`), so a window samples a large group of equal keys at random.
struct OrderingKey
{
    std::uint64_t first;
    std::uint64_t second;
    std::uint64_t tie;
    int32_t row;
};

/// Returns the rows in the order of their keys.
inline std::vector<int32_t> rowsInKeyOrder(std::vector<OrderingKey> keys)
{
    std::sort(keys.begin(), keys.end(), [](const OrderingKey &a, const OrderingKey &b) {
        if (a.first != b.first)
            return a.first < b.first;
        if (a.second != b.second)
            return a.second < b.second;
        return a.tie != b.tie ? a.tie < b.tie : a.row < b.row;
    });
    std::vector<int32_t> order(keys.size());
    for (std::size_t position = 0; position < keys.size(); ++position)
        order[position] = keys[position].row;
    return order;
}

/// Renumbers the texts in the first ordering's order, which a search then uses so
/// that texts that meet often sit close in memory. Rewrites every ordering in the
/// new numbering and returns the first as it was given (position -> input row).
inline std::vector<int32_t> renumberByFirstOrdering(std::vector<std::vector<int32_t>> &orderings)
{
    const std::vector<int32_t> order = orderings.front();
    std::vector<int32_t> positionOf(order.size());
    for (std::size_t position = 0; position < order.size(); ++position)
        positionOf[static_cast<std::size_t>(order[position])] = static_cast<int32_t>(position);
    for (std::vector<int32_t> &ordering : orderings) {
        for (int32_t &row : ordering)
            row = positionOf[static_cast<std::size_t>(row)];
    }
    return order;
}

/// The texts already met while one text is matched: an open-addressing set small
/// enough to stay in the CPU's first cache levels, where a mark per text would be a
/// random access into n values.
class SeenSet
{
public:
    /// A set for up to `expected` texts per matched text. It fills up to a quarter
    /// of its slots, a power of two, so a probe sequence stays short.
    explicit SeenSet(int64_t expected)
    {
        while (m_slotCount < 4 * expected) {
            m_slotCount *= 2;
            --m_shift;
        }
        m_slots.assign(static_cast<std::size_t>(m_slotCount), -1);
    }

    /// Forgets every text.
    void clear()
    {
        for (int32_t slot : m_used)
            m_slots[static_cast<std::size_t>(slot)] = -1;
        m_used.clear();
    }

    /// Adds a text; returns false when it was already there. Once the set is a
    /// quarter full it reports every further text as new, so a text may be
    /// scored twice but is never listed twice (NeighbourLists::insert checks).
    bool insert(int32_t item)
    {
        if (static_cast<int64_t>(m_used.size()) * 4 >= m_slotCount)
            return true;
        // Fibonacci hashing: the top bits of the product.
        std::uint32_t slot = (static_cast<std::uint32_t>(item) * 2654435761u) >> m_shift;
        while (m_slots[slot] != -1) {
            if (m_slots[slot] == item)
                return false;
            slot = (slot + 1) & static_cast<std::uint32_t>(m_slotCount - 1);
        }
        m_slots[slot] = item;
        m_used.push_back(static_cast<int32_t>(slot));
        return true;
    }

private:
    int64_t m_slotCount = 64;
    int m_shift = 26; ///< 32 minus the bits of a slot number.
    std::vector<int32_t> m_slots;
    std::vector<int32_t> m_used;
};

/// The first lists: each text, and the texts within the window around it in every ordering.
template <typename Rows>
NeighbourLists initialLists(const Rows &rows, int64_t n, int64_t capacity,
                            const std::vector<std::vector<int32_t>> &orderings, const ApproximateSearchSettings &settings)
{
    std::vector<std::vector<int32_t>> positions(orderings.size(), std::vector<int32_t>(static_cast<std::size_t>(n)));
    for (std::size_t ordering = 0; ordering < orderings.size(); ++ordering) {
        for (int64_t position = 0; position < n; ++position)
            positions[ordering][orderings[ordering][position]] = static_cast<int32_t>(position);
    }

    NeighbourLists lists(n, capacity);
    at::parallel_for(0, n, 512, [&](int64_t begin, int64_t end) {
        typename Rows::Scorer scorer = rows.scorer();
        SeenSet seen(1 + static_cast<int64_t>(orderings.size()) * (2 * settings.window + 1));
        for (int64_t row = begin; row < end; ++row) {
            scorer.load(row);
            seen.clear();
            seen.insert(static_cast<int32_t>(row));
            lists.insert(row, {scorer.step(row), static_cast<int32_t>(row)});
            for (std::size_t ordering = 0; ordering < orderings.size(); ++ordering) {
                const int64_t position = positions[ordering][row];
                const int64_t first = std::max<int64_t>(0, position - settings.window);
                const int64_t last = std::min<int64_t>(n - 1, position + settings.window);
                for (int64_t other = first; other <= last; ++other) {
                    const int32_t candidate = orderings[ordering][other];
                    if (seen.insert(candidate))
                        lists.insert(row, {scorer.step(candidate), candidate});
                }
            }
        }
    });
    return lists;
}

/// The neighbours and reverse neighbours of every text, itself excluded, in one
/// row of at most 2 x capacity entries per text, so that visiting a text's joined
/// list reads one contiguous row. An entry stores the text in its low 31 bits and
/// whether its list entry is new since the last round in the top bit. The new
/// entries of a row come first, so a visit that needs only new entries stops early.
class JoinedLists
{
public:
    JoinedLists(const NeighbourLists &lists, int64_t n, int64_t capacity)
        : m_width(2 * capacity + headerSize)
        , m_entries(static_cast<std::size_t>(n * m_width))
    {
        // The neighbours first, then reverse neighbours up to capacity of them, the
        // lowest rows first.
        for (int64_t row = 0; row < n; ++row) {
            for (int64_t slot = 0; slot < lists.size(row); ++slot) {
                const int32_t item = lists.match(row, slot).item;
                if (item != row)
                    append(row, item, lists.isNew(row, slot));
            }
        }
        std::vector<int32_t> reverseCounts(static_cast<std::size_t>(n), 0);
        for (int64_t row = 0; row < n; ++row) {
            for (int64_t slot = 0; slot < lists.size(row); ++slot) {
                const int32_t item = lists.match(row, slot).item;
                if (item != row && reverseCounts[item] < capacity) {
                    ++reverseCounts[item];
                    append(item, static_cast<int32_t>(row), lists.isNew(row, slot));
                }
            }
        }

        for (int64_t row = 0; row < n; ++row) {
            std::uint32_t *first = m_entries.data() + row * m_width + headerSize;
            std::uint32_t *firstOld = std::stable_partition(first, first + m_entries[row * m_width], isNew);
            m_entries[row * m_width + 1] = static_cast<std::uint32_t>(firstOld - first);
        }
    }

    static int32_t item(std::uint32_t entry) { return static_cast<int32_t>(entry & 0x7fffffffu); }
    static bool isNew(std::uint32_t entry) { return (entry >> 31) != 0; }

    /// A row stores its size and its count of new entries, then its entries, so it
    /// is one contiguous read.
    const std::uint32_t *begin(int64_t row) const { return m_entries.data() + row * m_width + headerSize; }
    const std::uint32_t *end(int64_t row) const { return begin(row) + m_entries[row * m_width]; }
    const std::uint32_t *endOfNew(int64_t row) const { return begin(row) + m_entries[row * m_width + 1]; }

    /// Asks the CPU to load a row before it is read.
    void prefetch(int64_t row) const
    {
        const char *first = reinterpret_cast<const char *>(m_entries.data() + row * m_width);
        for (int64_t byte = 0; byte < m_width * 4; byte += 64)
            __builtin_prefetch(first + byte);
    }

private:
    static constexpr int64_t headerSize = 2;

    void append(int64_t row, int32_t item, bool isNew)
    {
        std::uint32_t &size = m_entries[row * m_width];
        m_entries[row * m_width + headerSize + size++] = static_cast<std::uint32_t>(item) | (isNew ? 0x80000000u : 0u);
    }

    int64_t m_width;
    std::vector<std::uint32_t> m_entries;
};

/// Candidates scored ahead of the one whose entries are requested.
constexpr std::size_t prefetchDistance = 8;

/// One NN-descent round: each text meets the neighbours and reverse neighbours of
/// its neighbours and reverse neighbours, through pairs of which one entry is new,
/// because two old entries met in an earlier round. It reads `current` and writes
/// `next`, so the result does not depend on the order in which threads handle the
/// texts. Returns the number of list entries that changed.
template <typename Rows>
int64_t descentRound(const Rows &rows, int64_t n, int64_t capacity, const NeighbourLists &current, NeighbourLists &next)
{
    const JoinedLists joined(current, n, capacity);

    std::atomic<int64_t> updates{0};
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
        typename Rows::Scorer scorer = rows.scorer();
        // The text, its list, then every pair of joined entries (2 x capacity each).
        SeenSet seen(1 + capacity + 4 * capacity * capacity);
        std::vector<int32_t> candidates;
        int64_t localUpdates = 0;
        const auto requestVisitedRows = [&](int64_t row) {
            for (const std::uint32_t *neighbour = joined.begin(row); neighbour != joined.end(row); ++neighbour)
                joined.prefetch(JoinedLists::item(*neighbour));
        };
        for (int64_t row = begin; row < end; ++row) {
            next.copyRow(row, current);
            scorer.load(row);
            seen.clear();
            seen.insert(static_cast<int32_t>(row));
            for (int64_t slot = 0; slot < current.size(row); ++slot)
                seen.insert(current.match(row, slot).item);

            // Each visited row is a random memory access, so the rows the next text
            // visits are requested while this one is matched, and each candidate's
            // entries a few candidates ahead.
            if (row == begin)
                requestVisitedRows(row);
            if (row + 1 < end)
                requestVisitedRows(row + 1);

            candidates.clear();
            for (const std::uint32_t *neighbour = joined.begin(row); neighbour != joined.end(row); ++neighbour) {
                // Through an old neighbour, only its new entries are new pairs.
                const int32_t via = JoinedLists::item(*neighbour);
                const std::uint32_t *last = JoinedLists::isNew(*neighbour) ? joined.end(via) : joined.endOfNew(via);
                for (const std::uint32_t *candidate = joined.begin(via); candidate != last; ++candidate) {
                    const int32_t item = JoinedLists::item(*candidate);
                    if (seen.insert(item)) {
                        candidates.push_back(item);
                        rows.requestPosition(item);
                    }
                }
            }

            for (std::size_t c = 0; c < candidates.size(); ++c) {
                if (c + prefetchDistance < candidates.size())
                    rows.requestEntries(candidates[c + prefetchDistance]);
                const int32_t item = candidates[c];
                if (next.insert(row, {scorer.step(item), item}))
                    ++localUpdates;
            }
        }
        updates += localUpdates;
    });
    return updates.load();
}

/// Runs NN-descent from the windows of `orderings` (each a permutation of the rows)
/// and returns each row's best `matchCount` matches, sorted by isBetter and padded
/// with lowest-step entries naming the row itself. `inputRow` maps the rows' numbering to
/// the caller's, or is empty when they agree; the result uses the caller's.
template <typename Rows>
std::vector<RankedMatch> searchNeighbourLists(const Rows &rows, int64_t n, int64_t matchCount,
                                              const std::vector<std::vector<int32_t>> &orderings,
                                              const ApproximateSearchSettings &settings,
                                              const std::vector<int32_t> &inputRow = {})
{
    // Short lists give NN-descent few paths between texts, so the search keeps at
    // least minimumCapacity matches and returns the best matchCount.
    const int64_t capacity = std::max<int64_t>(matchCount, settings.minimumCapacity);
    NeighbourLists lists = initialLists(rows, n, capacity, orderings, settings);
    NeighbourLists next(n, capacity);
    const double stopUpdates = settings.stopFraction * static_cast<double>(n * capacity);
    for (int round = 0; round < settings.maxRounds; ++round) {
        const int64_t updates = descentRound(rows, n, capacity, lists, next);
        std::swap(lists, next);
        if (static_cast<double>(updates) < stopUpdates)
            break;
    }

    // In the caller's numbering, each list sorted again because ties rank by row.
    std::vector<RankedMatch> all = lists.release(n);
    std::vector<RankedMatch> best(static_cast<std::size_t>(n * matchCount));
    for (int64_t row = 0; row < n; ++row) {
        RankedMatch *list = all.data() + row * capacity;
        const int64_t callerRow = inputRow.empty() ? row : inputRow[row];
        if (!inputRow.empty()) {
            for (int64_t slot = 0; slot < capacity; ++slot)
                list[slot].item = inputRow[list[slot].item];
            std::sort(list, list + capacity, isBetter);
        }
        std::copy_n(list, matchCount, best.begin() + callerRow * matchCount);
    }
    return best;
}

} // namespace esafh::detail::descent
