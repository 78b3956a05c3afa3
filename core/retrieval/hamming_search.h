#pragma once

#include "retrieval/hash_codes.h"

#include <vector>

namespace esafh {

/// One database item in a ranking.
struct RankedItem
{
    int index = 0;    ///< Position in the database codes.
    int distance = 0; ///< Hamming distance to the query.
};

/// Ranks the database by Hamming distance to the query code, ascending, with ties
/// broken by database index. topK <= 0 returns the whole ranking.
std::vector<RankedItem> rankByHamming(const HashCodes &database, const std::uint64_t *query, int topK = 0);

/// Hamming distances from the query code to every database code.
std::vector<int> hammingDistances(const HashCodes &database, const std::uint64_t *query);

} // namespace esafh
