// Approximate neighbour graph of dense texts: SimHash orderings for the first
// candidates, then NN-descent rounds. See approximate_neighbours.h.

#include "method/approximate_neighbours.h"

#include "method/neighbour_descent.h"

#include <ATen/Parallel.h>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>

namespace esafh::detail {

namespace {

using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Random hyperplanes per ordering: the bits of its sort key.
constexpr int hyperplanesPerOrdering = 16;

/// Bytes of a row requested ahead of its dot product. The hardware prefetcher
/// follows a sequential read once it has started.
constexpr int64_t requestedBytes = 256;

class DenseScorer;

/// The texts as a row-major n x d matrix: the Rows of neighbour_descent.h for dense texts.
struct DenseRows
{
    using Scorer = DenseScorer;

    const float *data = nullptr;
    int64_t columns = 0;

    const float *row(int64_t index) const { return data + index * columns; }

    DenseScorer scorer() const;

    void requestPosition(int64_t) const {}
    void requestEntries(int64_t index) const
    {
        const char *first = reinterpret_cast<const char *>(row(index));
        const int64_t bytes = std::min<int64_t>(requestedBytes, columns * static_cast<int64_t>(sizeof(float)));
        for (int64_t byte = 0; byte < bytes; byte += 64)
            __builtin_prefetch(first + byte);
    }
};

/// Cosine steps of one loaded text with others, as dot products of whole rows.
class DenseScorer
{
public:
    explicit DenseScorer(const DenseRows &rows) : m_rows(rows) {}

    void load(int64_t row) { m_text = m_rows.row(row); }

    int32_t step(int64_t other) const
    {
        const Eigen::Map<const Eigen::VectorXf> text(m_text, m_rows.columns);
        const Eigen::Map<const Eigen::VectorXf> candidate(m_rows.row(other), m_rows.columns);
        return cosineStep(text.dot(candidate));
    }

private:
    const DenseRows &m_rows;
    const float *m_text = nullptr;
};

DenseScorer DenseRows::scorer() const
{
    return DenseScorer(*this);
}

/// Returns a standard normal value from two hashed uniform values (Box-Muller), so
/// the hyperplanes depend only on the seed.
float normalValue(std::uint64_t seed, std::uint64_t index)
{
    constexpr double scale = 1.0 / 9007199254740992.0; // 2^-53
    const double u1 = (static_cast<double>(descent::mix(seed ^ (index * 2)) >> 11) + 1) * scale;
    const double u2 = static_cast<double>(descent::mix(seed ^ (index * 2 + 1)) >> 11) * scale;
    return static_cast<float>(std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2));
}

/// Returns, for each ordering, the texts sorted by the signs of their projections on
/// hyperplanesPerOrdering random hyperplanes, the first hyperplane's sign most
/// significant. Two texts at angle theta fall on the same side of a hyperplane with
/// probability 1 - theta / pi, so texts at high cosine share long prefixes. Ties are
/// broken by a hash of the row, so a window samples a large group at random.
std::vector<std::vector<int32_t>> simHashOrderings(const DenseRows &rows, int64_t n,
                                                   const ApproximateSearchSettings &settings)
{
    const int64_t d = rows.columns;
    const int orderingCount = std::max(1, settings.orderings);
    const int64_t planes = static_cast<int64_t>(orderingCount) * hyperplanesPerOrdering;
    const std::uint64_t seed = descent::mix(settings.seed * 1000003 + 17);
    RowMajorMatrix hyperplanes(d, planes);
    for (int64_t i = 0; i < hyperplanes.size(); ++i)
        hyperplanes.data()[i] = normalValue(seed, static_cast<std::uint64_t>(i));

    // The keys of every ordering, from one product per block of rows.
    std::vector<std::uint64_t> keys(static_cast<std::size_t>(n * orderingCount));
    at::parallel_for(0, n, 4096, [&](int64_t begin, int64_t end) {
        const Eigen::Map<const RowMajorMatrix> block(rows.row(begin), end - begin, d);
        const RowMajorMatrix projections = block * hyperplanes;
        for (int64_t row = begin; row < end; ++row) {
            for (int ordering = 0; ordering < orderingCount; ++ordering) {
                std::uint64_t key = 0;
                for (int plane = 0; plane < hyperplanesPerOrdering; ++plane) {
                    const bool above = projections(row - begin, ordering * hyperplanesPerOrdering + plane) >= 0;
                    key = key << 1 | (above ? 1u : 0u);
                }
                keys[static_cast<std::size_t>(ordering * n + row)] = key;
            }
        }
    });

    std::vector<std::vector<int32_t>> orderings(static_cast<std::size_t>(orderingCount));
    at::parallel_for(0, orderingCount, 1, [&](int64_t begin, int64_t end) {
        for (int64_t ordering = begin; ordering < end; ++ordering) {
            const std::uint64_t salt = descent::mix(seed + static_cast<std::uint64_t>(ordering));
            std::vector<descent::OrderingKey> orderingKeys(static_cast<std::size_t>(n));
            for (int64_t row = 0; row < n; ++row)
                orderingKeys[row] = {keys[static_cast<std::size_t>(ordering * n + row)], 0,
                                     descent::mix(salt ^ static_cast<std::uint64_t>(row)), static_cast<int32_t>(row)};
            orderings[static_cast<std::size_t>(ordering)] = descent::rowsInKeyOrder(std::move(orderingKeys));
        }
    });
    return orderings;
}

} // namespace

std::vector<RankedMatch> approximateDenseNeighbourLists(const float *texts, int64_t n, int64_t d, int64_t matchCount,
                                                        const ApproximateSearchSettings &settings)
{
    ApproximateSearchSettings dense = settings;
    dense.minimumCapacity = settings.minimumDenseCapacity;
    dense.maxRounds = settings.maxDenseRounds;
    std::vector<std::vector<int32_t>> orderings = simHashOrderings(DenseRows{texts, d}, n, dense);

    // The search runs on a copy of the rows in the first ordering's order, so that
    // texts that meet often sit close in memory. In esafh-bench, with 384-dimensional
    // texts, this took 2.2 s instead of 3.0 s at 20,000 texts and 98 s instead of
    // 136 s at 200,000, at the cost of a second n x d matrix during the search.
    const std::vector<int32_t> order = descent::renumberByFirstOrdering(orderings);
    std::vector<float> reordered(static_cast<std::size_t>(n * d));
    for (int64_t position = 0; position < n; ++position)
        std::copy_n(texts + order[position] * d, d, reordered.data() + position * d);

    return descent::searchNeighbourLists(DenseRows{reordered.data(), d}, n, matchCount, orderings, dense, order);
}

} // namespace esafh::detail
