// Approximate text neighbour graph: MinHash orderings for the first candidates, then
// NN-descent rounds. See approximate_neighbours.h.

#include "method/approximate_neighbours.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <numeric>

namespace esafh::detail {

namespace {

/// One non-zero entry of a sparse row.
struct Entry
{
    int32_t column;
    float value;
};

/// The texts' non-zero entries row by row, columns ascending.
struct SparseRows
{
    std::vector<int64_t> offsets; ///< n + 1 positions into entries.
    std::vector<Entry> entries;

    const Entry *begin(int64_t row) const { return entries.data() + offsets[row]; }
    const Entry *end(int64_t row) const { return entries.data() + offsets[row + 1]; }

    /// Asks the CPU to load a row's position, then its entries, before they are read.
    void prefetchOffsets(int64_t row) const { __builtin_prefetch(offsets.data() + row); }
    void prefetchEntries(int64_t row) const
    {
        const char *first = reinterpret_cast<const char *>(begin(row));
        const char *last = reinterpret_cast<const char *>(end(row));
        for (const char *line = first; line < last; line += 64)
            __builtin_prefetch(line);
    }
};

SparseRows toSparseRows(const float *texts, int64_t n, int64_t d)
{
    SparseRows rows;
    rows.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
    at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const float *values = texts + row * d;
            rows.offsets[row + 1] = std::count_if(values, values + d, [](float value) { return value != 0; });
        }
    });
    std::partial_sum(rows.offsets.begin(), rows.offsets.end(), rows.offsets.begin());

    rows.entries.resize(static_cast<std::size_t>(rows.offsets[n]));
    at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
        for (int64_t row = begin; row < end; ++row) {
            const float *values = texts + row * d;
            Entry *entry = rows.entries.data() + rows.offsets[row];
            for (int64_t column = 0; column < d; ++column) {
                if (values[column] != 0)
                    *entry++ = {static_cast<int32_t>(column), values[column]};
            }
        }
    });
    return rows;
}

/// One text spread over d values, so that its cosine with a sparse row takes one
/// load per entry of that row. The products and their order (columns ascending) are
/// those of the exact inverted index, so both give the same float cosine.
class DenseText
{
public:
    DenseText(const SparseRows &rows, int64_t d) : m_rows(rows), m_values(static_cast<std::size_t>(d), 0.0f) {}

    void load(int64_t row)
    {
        if (m_row >= 0) {
            for (const Entry *entry = m_rows.begin(m_row); entry != m_rows.end(m_row); ++entry)
                m_values[entry->column] = 0;
        }
        m_row = row;
        for (const Entry *entry = m_rows.begin(row); entry != m_rows.end(row); ++entry)
            m_values[entry->column] = entry->value;
    }

    int32_t step(int64_t other) const
    {
        float cosine = 0;
        for (const Entry *entry = m_rows.begin(other); entry != m_rows.end(other); ++entry)
            cosine += m_values[entry->column] * entry->value;
        return cosineStep(cosine);
    }

private:
    const SparseRows &m_rows;
    std::vector<float> m_values;
    int64_t m_row = -1;
};

bool isBetter(const RankedMatch &a, const RankedMatch &b)
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
        // Pads short lists with step-0 entries, which the caller marks invalid.
        for (int64_t row = 0; row < n; ++row) {
            for (int64_t slot = m_sizes[row]; slot < m_capacity; ++slot)
                m_matches[row * m_capacity + slot] = {0, static_cast<int32_t>(row)};
        }
        return std::move(m_matches);
    }

private:
    int64_t m_capacity;
    std::vector<RankedMatch> m_matches;
    std::vector<char> m_new;
    std::vector<int32_t> m_sizes;
};

/// SplitMix64, a fixed 64-bit mix, so the orderings are the same on every platform.
std::uint64_t mix(std::uint64_t value)
{
    value += 0x9E3779B97F4A7C15ULL;
    value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
    value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
    return value ^ (value >> 31);
}

/// For each ordering, the texts sorted by a pair of MinHash values of their non-zero
/// columns. Two texts share a MinHash value with probability equal to the Jaccard
/// similarity of their column sets, so texts with many shared words sit together.
/// Ties are broken by a hash of the row, so a window samples a large group at random.
std::vector<std::vector<int32_t>> minHashOrderings(const SparseRows &rows, int64_t n,
                                                   const ApproximateSearchSettings &settings)
{
    std::vector<std::vector<int32_t>> orderings(static_cast<std::size_t>(settings.minHashOrders));
    at::parallel_for(0, settings.minHashOrders, 1, [&](int64_t begin, int64_t end) {
        for (int64_t ordering = begin; ordering < end; ++ordering) {
            const std::uint64_t salt = mix(settings.seed * 1000003 + static_cast<std::uint64_t>(ordering));
            struct Key
            {
                std::uint64_t first;
                std::uint64_t second;
                std::uint64_t tie;
                int32_t row;
            };
            std::vector<Key> keys(static_cast<std::size_t>(n));
            for (int64_t row = 0; row < n; ++row) {
                Key key{std::numeric_limits<std::uint64_t>::max(), std::numeric_limits<std::uint64_t>::max(),
                        mix(salt ^ mix(static_cast<std::uint64_t>(row))), static_cast<int32_t>(row)};
                for (const Entry *entry = rows.begin(row); entry != rows.end(row); ++entry) {
                    const std::uint64_t column = static_cast<std::uint64_t>(entry->column);
                    key.first = std::min(key.first, mix(salt ^ (column << 1)));
                    key.second = std::min(key.second, mix(salt ^ (column << 1 | 1)));
                }
                keys[row] = key;
            }
            std::sort(keys.begin(), keys.end(), [](const Key &a, const Key &b) {
                if (a.first != b.first)
                    return a.first < b.first;
                if (a.second != b.second)
                    return a.second < b.second;
                return a.tie != b.tie ? a.tie < b.tie : a.row < b.row;
            });

            std::vector<int32_t> &order = orderings[static_cast<std::size_t>(ordering)];
            order.resize(static_cast<std::size_t>(n));
            for (int64_t position = 0; position < n; ++position)
                order[position] = keys[position].row;
        }
    });
    return orderings;
}

/// The texts already met while one text is matched: an open-addressing set small
/// enough to stay in the L1 cache, where a mark per text would be a random access
/// into n values.
class SeenSet
{
public:
    /// Holds up to a quarter of its slots, so a probe sequence stays short.
    static constexpr int32_t slotCount = 4096;

    SeenSet() : m_slots(slotCount, -1) {}

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
        if (m_used.size() * 4 >= slotCount)
            return true;
        std::uint32_t slot = (static_cast<std::uint32_t>(item) * 2654435761u) >> 20; // 12 bits
        while (m_slots[slot] != -1) {
            if (m_slots[slot] == item)
                return false;
            slot = (slot + 1) & (slotCount - 1);
        }
        m_slots[slot] = item;
        m_used.push_back(static_cast<int32_t>(slot));
        return true;
    }

private:
    std::vector<int32_t> m_slots;
    std::vector<int32_t> m_used;
};

/// Scratch memory of one thread: the text being matched and the texts it met.
struct Scratch
{
    Scratch(const SparseRows &rows, int64_t d) : text(rows, d) {}

    DenseText text;
    SeenSet seen;
};

/// The first lists: each text, and the texts within the window around it in every ordering.
NeighbourLists initialLists(const SparseRows &rows, int64_t n, int64_t d, int64_t capacity,
                            const std::vector<std::vector<int32_t>> &orderings, const ApproximateSearchSettings &settings)
{
    std::vector<std::vector<int32_t>> positions(orderings.size(), std::vector<int32_t>(static_cast<std::size_t>(n)));
    for (std::size_t ordering = 0; ordering < orderings.size(); ++ordering) {
        for (int64_t position = 0; position < n; ++position)
            positions[ordering][orderings[ordering][position]] = static_cast<int32_t>(position);
    }

    NeighbourLists lists(n, capacity);
    at::parallel_for(0, n, 512, [&](int64_t begin, int64_t end) {
        Scratch scratch(rows, d);
        for (int64_t row = begin; row < end; ++row) {
            scratch.text.load(row);
            scratch.seen.clear();
            scratch.seen.insert(static_cast<int32_t>(row));
            lists.insert(row, {scratch.text.step(row), static_cast<int32_t>(row)});
            for (std::size_t ordering = 0; ordering < orderings.size(); ++ordering) {
                const int64_t position = positions[ordering][row];
                const int64_t first = std::max<int64_t>(0, position - settings.window);
                const int64_t last = std::min<int64_t>(n - 1, position + settings.window);
                for (int64_t other = first; other <= last; ++other) {
                    const int32_t candidate = orderings[ordering][other];
                    if (scratch.seen.insert(candidate))
                        lists.insert(row, {scratch.text.step(candidate), candidate});
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
int64_t descentRound(const SparseRows &rows, int64_t n, int64_t d, int64_t capacity, const NeighbourLists &current,
                     NeighbourLists &next)
{
    const JoinedLists joined(current, n, capacity);

    std::atomic<int64_t> updates{0};
    at::parallel_for(0, n, 256, [&](int64_t begin, int64_t end) {
        Scratch scratch(rows, d);
        std::vector<int32_t> candidates;
        int64_t localUpdates = 0;
        const auto requestVisitedRows = [&](int64_t row) {
            for (const std::uint32_t *neighbour = joined.begin(row); neighbour != joined.end(row); ++neighbour)
                joined.prefetch(JoinedLists::item(*neighbour));
        };
        for (int64_t row = begin; row < end; ++row) {
            next.copyRow(row, current);
            scratch.text.load(row);
            scratch.seen.clear();
            scratch.seen.insert(static_cast<int32_t>(row));
            for (int64_t slot = 0; slot < current.size(row); ++slot)
                scratch.seen.insert(current.match(row, slot).item);

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
                    if (scratch.seen.insert(item)) {
                        candidates.push_back(item);
                        rows.prefetchOffsets(item);
                    }
                }
            }

            for (std::size_t c = 0; c < candidates.size(); ++c) {
                if (c + prefetchDistance < candidates.size())
                    rows.prefetchEntries(candidates[c + prefetchDistance]);
                const int32_t item = candidates[c];
                if (next.insert(row, {scratch.text.step(item), item}))
                    ++localUpdates;
            }
        }
        updates += localUpdates;
    });
    return updates.load();
}

/// The rows of `rows` in the order `order` (position -> row).
SparseRows reorderedRows(const SparseRows &rows, const std::vector<int32_t> &order)
{
    const int64_t n = static_cast<int64_t>(order.size());
    SparseRows reordered;
    reordered.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
    for (int64_t position = 0; position < n; ++position)
        reordered.offsets[position + 1] =
            reordered.offsets[position] + (rows.offsets[order[position] + 1] - rows.offsets[order[position]]);
    reordered.entries.resize(rows.entries.size());
    for (int64_t position = 0; position < n; ++position)
        std::copy(rows.begin(order[position]), rows.end(order[position]),
                  reordered.entries.begin() + reordered.offsets[position]);
    return reordered;
}

} // namespace

std::vector<RankedMatch> approximateNeighbourLists(const float *texts, int64_t n, int64_t d, int64_t matchCount,
                                                   const ApproximateSearchSettings &settings)
{
    // Short lists give NN-descent few paths between texts, so the search keeps at
    // least minimumCapacity matches and returns the best matchCount.
    const int64_t capacity = std::max<int64_t>(matchCount, settings.minimumCapacity);
    const SparseRows inputRows = toSparseRows(texts, n, d);

    // The search numbers the texts in the order of the first MinHash ordering, so
    // that texts with shared words, which meet often, also sit close in memory.
    std::vector<std::vector<int32_t>> orderings = minHashOrderings(inputRows, n, settings);
    const std::vector<int32_t> order = orderings.front(); // position -> input row
    std::vector<int32_t> positionOf(static_cast<std::size_t>(n));
    for (int64_t position = 0; position < n; ++position)
        positionOf[order[position]] = static_cast<int32_t>(position);
    for (std::vector<int32_t> &ordering : orderings) {
        for (int32_t &row : ordering)
            row = positionOf[row];
    }
    const SparseRows rows = reorderedRows(inputRows, order);

    NeighbourLists lists = initialLists(rows, n, d, capacity, orderings, settings);
    NeighbourLists next(n, capacity);
    const double stopUpdates = settings.stopFraction * static_cast<double>(n * capacity);
    for (int round = 0; round < settings.maxRounds; ++round) {
        const int64_t updates = descentRound(rows, n, d, capacity, lists, next);
        std::swap(lists, next);
        if (static_cast<double>(updates) < stopUpdates)
            break;
    }

    // Back to the input rows, each list sorted again because ties rank by row.
    std::vector<RankedMatch> all = lists.release(n);
    std::vector<RankedMatch> best(static_cast<std::size_t>(n * matchCount));
    for (int64_t row = 0; row < n; ++row) {
        RankedMatch *list = all.data() + positionOf[row] * capacity;
        for (int64_t slot = 0; slot < capacity; ++slot)
            list[slot].item = order[list[slot].item];
        std::sort(list, list + capacity, isBetter);
        std::copy_n(list, matchCount, best.begin() + row * matchCount);
    }
    return best;
}

} // namespace esafh::detail
