// Approximate text neighbour graph: MinHash orderings for the first candidates, then
// NN-descent rounds. See approximate_neighbours.h.

#include "method/approximate_neighbours.h"

#include "method/neighbour_descent.h"

#include <ATen/Parallel.h>

#include <algorithm>
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

class SparseScorer;

/// The texts' non-zero entries row by row, columns ascending: the Rows of
/// neighbour_descent.h for sparse texts.
struct SparseRows
{
    using Scorer = SparseScorer;

    int64_t columns = 0;
    std::vector<int64_t> offsets; ///< n + 1 positions into entries.
    std::vector<Entry> entries;

    const Entry *begin(int64_t row) const { return entries.data() + offsets[row]; }
    const Entry *end(int64_t row) const { return entries.data() + offsets[row + 1]; }

    SparseScorer scorer() const;

    /// Asks the CPU to load a row's position, then its entries, before they are read.
    void requestPosition(int64_t row) const { __builtin_prefetch(offsets.data() + row); }
    void requestEntries(int64_t row) const
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
    rows.columns = d;
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
class SparseScorer
{
public:
    explicit SparseScorer(const SparseRows &rows) : m_rows(rows), m_values(static_cast<std::size_t>(rows.columns), 0.0f) {}

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

SparseScorer SparseRows::scorer() const
{
    return SparseScorer(*this);
}

/// For each ordering, the texts sorted by a pair of MinHash values of their non-zero
/// columns. Two texts share a MinHash value with probability equal to the Jaccard
/// similarity of their column sets, so texts with many shared words sit together.
/// Ties are broken by a hash of the row, so a window samples a large group at random.
std::vector<std::vector<int32_t>> minHashOrderings(const SparseRows &rows, int64_t n,
                                                   const ApproximateSearchSettings &settings)
{
    const int orderingCount = std::max(1, settings.orderings);
    std::vector<std::vector<int32_t>> orderings(static_cast<std::size_t>(orderingCount));
    at::parallel_for(0, orderingCount, 1, [&](int64_t begin, int64_t end) {
        for (int64_t ordering = begin; ordering < end; ++ordering) {
            const std::uint64_t salt = descent::mix(settings.seed * 1000003 + static_cast<std::uint64_t>(ordering));
            std::vector<descent::OrderingKey> keys(static_cast<std::size_t>(n));
            for (int64_t row = 0; row < n; ++row) {
                descent::OrderingKey key{std::numeric_limits<std::uint64_t>::max(), std::numeric_limits<std::uint64_t>::max(),
                                         descent::mix(salt ^ descent::mix(static_cast<std::uint64_t>(row))),
                                         static_cast<int32_t>(row)};
                for (const Entry *entry = rows.begin(row); entry != rows.end(row); ++entry) {
                    const std::uint64_t column = static_cast<std::uint64_t>(entry->column);
                    key.first = std::min(key.first, descent::mix(salt ^ (column << 1)));
                    key.second = std::min(key.second, descent::mix(salt ^ (column << 1 | 1)));
                }
                keys[row] = key;
            }
            orderings[static_cast<std::size_t>(ordering)] = descent::rowsInKeyOrder(std::move(keys));
        }
    });
    return orderings;
}

/// The rows of `rows` in the order `order` (position -> row).
SparseRows reorderedRows(const SparseRows &rows, const std::vector<int32_t> &order)
{
    const int64_t n = static_cast<int64_t>(order.size());
    SparseRows reordered;
    reordered.columns = rows.columns;
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
    const SparseRows inputRows = toSparseRows(texts, n, d);

    // The search numbers the texts in the order of the first MinHash ordering, so
    // that texts with shared words, which meet often, also sit close in memory.
    std::vector<std::vector<int32_t>> orderings = minHashOrderings(inputRows, n, settings);
    const std::vector<int32_t> order = descent::renumberByFirstOrdering(orderings);
    return descent::searchNeighbourLists(reorderedRows(inputRows, order), n, matchCount, orderings, settings, order);
}

} // namespace esafh::detail
