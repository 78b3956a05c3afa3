#pragma once

// Approximate k-nearest-neighbour graph of sparse texts by cosine, for training sets
// too large for the exact search of text_graph.cpp. Each round costs about n times
// the candidates per text. Larger sets need a few more rounds: 6 for 20,000 synthetic
// texts and 8 for 200,000 in esafh-bench.

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace esafh::detail {

/// Cosines are rounded to this many steps per unit before ranking, so that float
/// differences between matrix products of different shapes do not reorder ties.
/// Only a cosine within float rounding of a step boundary can still move.
constexpr double cosineSteps = 1e6;

inline int32_t cosineStep(float cosine)
{
    // A NaN cosine ranks below every other, where a cast would be undefined.
    if (std::isnan(cosine))
        return std::numeric_limits<int32_t>::min();
    // Rounds half to even, as torch::round does on the dense path.
    return static_cast<int32_t>(std::nearbyint(cosine * static_cast<float>(cosineSteps)));
}

/// One entry of a neighbour list: the rounded cosine and the text's row.
struct RankedMatch
{
    int32_t step = 0;
    int32_t item = 0;
};

/// Parameters of approximateNeighbourLists.
struct ApproximateSearchSettings
{
    int orderings = 6;         ///< Orderings of the texts: by MinHash values (sparse) or SimHash signs (dense).
    int window = 6;            ///< Texts before and after a text in each ordering that become candidates.
    int minimumCapacity = 12;  ///< Matches kept per text during the search, at least.
    /// The same for dense texts, whose neighbourhoods are harder to reach through
    /// neighbours of neighbours. NOTE: an estimate from the tests' random dense
    /// texts. At 12, recall@10 was 0.67 on texts without topics and 0.90 on 300
    /// dimensions and 5 topics. At 24, with up to 20 rounds, it was 0.97 and 0.99.
    int minimumDenseCapacity = 24;
    int maxDenseRounds = 20;   ///< Neighbour-of-neighbour rounds at most for dense texts.
    int maxRounds = 10;        ///< Neighbour-of-neighbour rounds at most.
    double stopFraction = 0.005; ///< Stop when fewer list entries than this share of n x capacity change.
    std::uint64_t seed = 1;
};

/// Finds, for each of the n row-normalised, non-negative rows of `texts` (n x d,
/// row-major), `matchCount` rows with high cosine, the row itself included, sorted
/// by step descending, then by row. Returns n x matchCount entries; a text with
/// fewer than matchCount candidates is padded with entries of the lowest int32_t
/// step that name the text itself.
///
/// Candidates come from orderings of the texts by MinHash values of their non-zero
/// columns, where texts with many shared columns are likely to sit close, and then
/// from rounds of NN-descent (Dong, Charikar and Li, WWW 2011): the neighbours of a
/// text's neighbours and reverse neighbours. Every candidate's cosine is computed
/// exactly, so the lists differ from the exact ones by missed candidates and by
/// which of equally close texts are kept. The search numbers the texts in the first
/// ordering's order, so that texts that meet often also sit close in memory. It
/// breaks ties at the end of a full list by that numbering. The result depends on
/// the seed but not on the number of threads.
std::vector<RankedMatch> approximateNeighbourLists(const float *texts, int64_t n, int64_t d, int64_t matchCount,
                                                   const ApproximateSearchSettings &settings = {});

/// Finds approximate neighbour lists like approximateNeighbourLists, for n
/// row-normalised rows of `texts` (n x d, row-major) of any sign and density, such
/// as sentence embeddings. Cosines are dot products of whole rows. The first
/// candidates come from orderings of the texts by the signs of random projections
/// (SimHash, Charikar, STOC 2002), where texts at a small angle are likely to share
/// long runs of signs and so sit close. The search runs on a copy of the rows in the
/// first ordering's order, a second n x d matrix while it lasts. Entries of negative
/// cosine may fill a list when fewer positive ones are found.
std::vector<RankedMatch> approximateDenseNeighbourLists(const float *texts, int64_t n, int64_t d, int64_t matchCount,
                                                        const ApproximateSearchSettings &settings = {});

} // namespace esafh::detail
