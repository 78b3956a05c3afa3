#pragma once

#include "retrieval/hash_codes.h"

#include <vector>

namespace esafh {

/// One database item in a ranking.
struct RankedItem
{
    int index = 0;    ///< Position in the database codes.
    int distance = 0; ///< Hamming distance to the query.

    bool operator==(const RankedItem &other) const { return index == other.index && distance == other.distance; }
};

/// Ranks the database by Hamming distance to the query code, ascending, with ties
/// broken by database index. topK <= 0 returns the whole ranking.
///
/// A top-K search scans the database once and keeps only the codes that can still
/// enter the top K, splitting large databases into chunks searched in parallel.
/// threads <= 0 uses QThread::idealThreadCount(); 1 searches on the calling thread.
std::vector<RankedItem> rankByHamming(const HashCodes &database, const std::uint64_t *query, int topK = 0,
                                      int threads = 0);

/// The top K of every query code, in query order, each as rankByHamming returns it.
/// The database is read in cache-sized blocks, each compared with a group of queries
/// while it is in cache, and groups of queries run in parallel. topK must be above 0.
std::vector<std::vector<RankedItem>> rankBatchByHamming(const HashCodes &database, const HashCodes &queries,
                                                        int topK, int threads = 0);

/// The same ranking as rankByHamming by the plainest method: every distance by
/// hammingDistance(), then a partial sort by (distance, index). The test oracle and
/// the benchmarks' naive baseline.
std::vector<RankedItem> rankByHammingReference(const HashCodes &database, const std::uint64_t *query,
                                               int topK = 0);

/// Hamming distances from the query code to every database code.
std::vector<int> hammingDistances(const HashCodes &database, const std::uint64_t *query);

} // namespace esafh
